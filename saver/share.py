"""The share target of the installed web app: text shared from another app is saved.

The browser POSTs the shared ``title``, ``text`` and ``url`` form-encoded to
/share (see static/manifest.webmanifest). The answer is a page of its own
with the code, its URL, its expiry and its QR code, rather than a redirect:
the delete token is not shown at all, so it can end up in no URL, history or
log (a shared text simply expires after the default time).
"""
from flask import Blueprint, current_app, make_response, render_template, request, url_for

from . import texts
from .errors import InvalidInput, SaverError
from .limits import count_writes

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


def in_words(seconds):
    """Say roughly how long ``seconds`` is: "1 hour", "30 days", "10 minutes"."""
    for size, name in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = round(seconds / size)
            return f"{count} {name}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


@bp.post("/share")
def share():
    """Save the shared text with the default expiry and answer its code, URL and QR code."""
    form = request.form
    body = joined(form.get("title"), form.get("text"), form.get("url"))
    try:
        if not body:
            raise InvalidInput("Nothing was shared: share a text or a link.")
        written = texts.write(body)
    except SaverError as exc:
        return page(exc.status, problem=exc)
    url = url_for("web.reads.raw", code=written.code, _external=True)
    return page(200, code=written.code, url=url,
                expires_at=written.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
                expires_in=in_words(current_app.config["SAVER_DEFAULT_EXPIRES_IN"]))


def page(status, **values):
    """Render the answer of a share; never cached, since it names a fresh code."""
    response = make_response(render_template("shared.html", **values), status)
    response.headers["Cache-Control"] = "no-store"
    return response
