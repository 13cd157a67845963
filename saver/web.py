"""The web page at /, and reading a text in a browser or with curl at /<code>."""
import os

from flask import (Blueprint, current_app, make_response, render_template, request,
                   send_from_directory)

from . import texts, wording
from .errors import PasswordRequired, RevealRequired, SaverError
from .inputs import header_text
from .limits import count_reads

bp = Blueprint("web", __name__)
# The views of a code, mounted under bp at the end of the module: each counts a read.
reads = count_reads(Blueprint("reads", __name__))

# The one API client, shared with the extension; Apache serves it in production.
EXTENSION = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "extension")


def plain(text, status=200):
    """Answer a text as text/plain that browsers do not cache (nor sniff: see headers.py)."""
    response = make_response(text, status)
    response.mimetype = "text/plain"
    response.headers["Cache-Control"] = "no-store"
    return response


def wants_html():
    """Return True for a browser (which prefers HTML), False for curl and scripts."""
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def reveal_page(code, status=200, protected=False, problem=None):
    """Answer the page whose form POSTs back to /<code> to read the text.

    ``problem`` is the SaverError of a failed attempt; a text that is gone
    gets no form, only the reason.
    """
    gone = problem is not None and problem.status in (404, 410)
    return page_response(render_template(
        "reveal.html", code=code, protected=protected, gone=gone,
        problem=problem and wording.failure(problem)), status)


def page_response(html, status):
    """Answer a page rendered in the reader's language: never cached, since it names a code."""
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept-Language")
    return response


@bp.get("/")
def page():
    """Answer the web page (Apache serves the same file in production)."""
    return send_from_directory(current_app.static_folder, "index.html")


@bp.get("/static/<any('client.js', 'i18n.js'):name>")
def client_module(name):
    """Answer the extension's API client and its messages, the very files the popup runs."""
    return send_from_directory(EXTENSION, name, mimetype="text/javascript")


@bp.get("/static/_locales/<language>/messages.json")
def messages(language):
    """Answer the extension's messages in ``language`` (en, zh_TW…): the popup's own words."""
    return send_from_directory(os.path.join(EXTENSION, "_locales"),
                               f"{language}/messages.json", mimetype="application/json")


@bp.get("/manifest.webmanifest")
def manifest():
    """Answer the web app manifest: the page installs as an app with a share target."""
    return send_from_directory(current_app.static_folder, "manifest.webmanifest",
                               mimetype="application/manifest+json")


@bp.get("/sw.js")
def service_worker():
    """Answer the page's service worker from the root, so its scope is the whole site."""
    response = send_from_directory(current_app.static_folder, "sw.js",
                                   mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/favicon.ico")
def favicon():
    """Answer the icon browsers ask for on every text/plain page, so it is not a miss."""
    return send_from_directory(current_app.static_folder, "favicon.png", mimetype="image/png")


@reads.get("/<code>")
def raw(code):
    """Answer the raw text; a view-limited text first asks for a click (a POST)."""
    try:
        return plain(texts.load(code, header_text("X-Password"), reveal=False).text)
    except RevealRequired:
        return reveal_page(code)
    except PasswordRequired as exc:
        if wants_html():
            return reveal_page(code, exc.status, protected=True)
        exc.message = (f"This text is protected by a password: read it on {request.host_url} "
                       "or send the password in an X-Password header.")
        raise


@reads.post("/<code>")
def reveal(code):
    """Answer the raw text after an explicit click; this uses up one view.

    A browser whose form failed (wrong password, gone) gets the form again with
    the reason; curl keeps getting the JSON error.
    """
    password = request.form.get("password") or header_text("X-Password")
    try:
        return plain(texts.load(code, password, reveal=True).text)
    except SaverError as exc:
        if not wants_html() or exc.status >= 500:
            raise
        if isinstance(exc, PasswordRequired):  # the form itself says a password is needed
            return reveal_page(code, exc.status, protected=True)
        return reveal_page(code, exc.status, protected=bool(password), problem=exc)


bp.register_blueprint(reads)
