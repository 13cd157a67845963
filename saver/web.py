"""Reading a text in a browser or with curl at /<code>."""
from flask import Blueprint, make_response, render_template, request

from . import texts
from .errors import PasswordRequired, RevealRequired
from .inputs import header_text
from .limits import miss_limit, read_limit

bp = Blueprint("web", __name__)


def plain(text):
    """Answer a text as text/plain that browsers neither sniff nor cache."""
    response = make_response(text)
    response.mimetype = "text/plain"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/<code>")
@read_limit
@miss_limit
def raw(code):
    """Answer the raw text; a view-limited text first asks for a click (a POST)."""
    try:
        return plain(texts.load(code, header_text("X-Password"), reveal=False).text)
    except RevealRequired:
        response = make_response(render_template("reveal.html", code=code))
        response.headers["Cache-Control"] = "no-store"
        return response
    except PasswordRequired as exc:
        exc.message = (f"This text is protected by a password: read it on {request.host_url} "
                       "or send the password in an X-Password header.")
        raise


@bp.post("/<code>")
@read_limit
@miss_limit
def reveal(code):
    """Answer the raw text after an explicit click; this uses up one view."""
    password = request.form.get("password") or header_text("X-Password")
    return plain(texts.load(code, password, reveal=True).text)
