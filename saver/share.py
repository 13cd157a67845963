"""The share target of the installed web app: text shared from another app is saved.

The browser POSTs the shared ``title``, ``text`` and ``url`` form-encoded to
/share (see static/manifest.webmanifest). The answer is a page of its own
with the code, its URL, its expiry and its QR code, rather than a redirect:
the delete token is not shown at all, so it can end up in no URL, history or
log (a shared text simply expires after the default time).
"""
from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _

from . import texts, wording
from .errors import SaverError
from .limits import count_writes
from .web import page_response

bp = count_writes(Blueprint("share", __name__))


def joined(title, text, url):
    """Join what an app shared into one text: title, text, then URL, one a line.

    Apps fill the fields differently: many put the URL (or the title) inside
    the text too, and a part already in the text is not repeated.
    """
    body = (text or "").strip()
    title, url = (title or "").strip(), (url or "").strip()
    lines = [title] if title and title not in body else []
    lines += [body] if body else []
    lines += [url] if url and url not in body else []
    return "\n".join(lines)


@bp.post("/share")
def share():
    """Save the shared text with the default expiry and answer its code, URL and QR code."""
    form = request.form
    body = joined(form.get("title"), form.get("text"), form.get("url"))
    if not body:
        return page(400, problem=_("Nothing was shared: share a text or a link."))
    try:
        written = texts.write(body)
    except SaverError as exc:
        return page(exc.status, problem=wording.failure(exc))
    url = url_for("web.reads.raw", code=written.code, _external=True)
    return page(200, code=written.code, url=url, expires_at=wording.moment(written.expires_at),
                expires_in=wording.duration(current_app.config["SAVER_DEFAULT_EXPIRES_IN"]))


def page(status, **values):
    """Render the answer of a share in the reader's language."""
    return page_response(render_template("shared.html", **values), status)
