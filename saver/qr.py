"""The QR code of a text's URL, drawn here as SVG so a phone's camera can open it.

Only this site's own URL for a code is ever encoded, never a string from the
request, and nothing is looked up: drawing a code's QR is neither a read nor
a miss (an unknown code gets a picture of its URL all the same, as its URL
itself would answer 404 when opened).
"""
import functools
import io

import segno
from flask import Blueprint, abort, make_response, url_for

from .codes import is_code

bp = Blueprint("qr", __name__)


@functools.lru_cache(maxsize=1024)
def svg(url):
    """Return the QR code of ``url`` as an SVG document: dark modules on a white tile.

    The 4-module quiet zone is part of the white tile, so the code scans on a
    dark page too; the size is left to the page (a viewBox, no width).
    """
    out = io.BytesIO()
    segno.make(url, micro=False).save(out, kind="svg", border=4, dark="#000", light="#fff",
                                      omitsize=True, xmldecl=False, svgclass=None,
                                      lineclass=None, title=url)
    # Module edges on whole pixels, so a screenshot of it stays sharp for a decoder.
    return out.getvalue().decode().replace("<svg ", '<svg shape-rendering="crispEdges" ', 1)


@bp.get("/qr/<code>.svg")
def code_svg(code):
    """Answer the QR code of the URL of ``code`` on this site."""
    if not is_code(code):
        abort(404)
    response = make_response(svg(url_for("web.reads.raw", code=code, _external=True)))
    response.mimetype = "image/svg+xml"
    # The picture of a code's URL never changes, whatever the code holds.
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
