"""Writing from a terminal: curl's own ways of sending a file, answered in plain text.

    curl --data-binary @file HOST/      echo hi | curl --data-binary @- HOST/
    curl -T file HOST/                  curl -F file=@file HOST/    curl -F text=hi HOST/

Options go in the query string (``?expires_in=600&max_views=1``), the
password in ``X-Password``. The body is stored byte for byte. The answer is
text/plain, the text's URL on its first line, unless the client asks for
JSON, which gets the API's answer; errors likewise.
"""
from datetime import datetime, timezone

from flask import Blueprint, request, url_for

from . import texts
from .api import iso, written_answer
from .errors import InvalidInput
from .handlers import describe, json_error
from .inputs import header_text
from .limits import count_writes
from .web import plain

bp = count_writes(Blueprint("curl", __name__))


@bp.post("/")
@bp.put("/")
@bp.put("/<name>")
def write(name=None):
    """Store the request's text (curl -T names its file in the URL: it is ignored)."""
    written = texts.write(_body(), _option("expires_in"), header_text("X-Password"),
                          _option("max_views"))
    if _wants_json():
        return written_answer(written)
    response = plain(_written(written), 201)
    response.headers["Location"] = url_for("api.reads.read_text", code=written.code)
    return response


def _body():
    """The text: a form's ``file`` or ``text`` field (curl -F), else the raw body."""
    if request.mimetype == "multipart/form-data":
        if "file" in request.files:
            raw = request.files["file"].read()
        elif "text" in request.form:
            return request.form["text"]
        else:
            raise InvalidInput("Send the text as a field named file or text "
                               "(curl -F file=@notes.txt).")
    else:
        raw = request.get_data(cache=False)  # curl --data-binary, curl -T: byte for byte
    if not raw:
        raise InvalidInput("The text is empty: send a file (curl --data-binary @notes.txt).")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("The text is not UTF-8; convert it first "
                           "(iconv -t UTF-8 notes.txt | curl --data-binary @- ...).") from None


def _option(name):
    """An option from the query string as a whole number, or None when absent."""
    value = request.args.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"'{name}' must be a whole number, got {value!r}.") from None


def _written(written):
    url = url_for("web.reads.raw", code=written.code, _external=True)
    left = written.expires_at.replace(tzinfo=timezone.utc) - datetime.now(timezone.utc)
    minutes = max(1, round(left.total_seconds() / 60))
    delete_url = url_for("api.reads.delete_text", code=written.code, _external=True)
    password = " -H 'X-Password: YOUR-PASSWORD'" if header_text("X-Password") else ""
    # A view-limited text is revealed by a POST, so that link previews use up no view.
    reveal = " -X POST" if request.args.get("max_views") else ""
    return (f"{url}\n"
            f"code:    {written.code}\n"
            f"expires: {iso(written.expires_at)} "
            f"(in {minutes} minute{'s' if minutes != 1 else ''})\n"
            f"read:    curl{reveal}{password} {url}\n"
            f"delete:  curl -X DELETE -H 'X-Delete-Token: {written.delete_token}' "
            f"{delete_url}\n")


def _wants_json():
    return request.accept_mimetypes.best_match(["text/plain", "application/json"]) == \
        "application/json"


@bp.errorhandler(Exception)
def plain_error(exc):
    """Say a failure to curl as one plain sentence (JSON to a client that asks for it)."""
    if _wants_json():
        return json_error(exc)
    status, error, message, headers = describe(exc)
    response = plain(f"error: {message} ({error})\n", status)
    response.headers.update(headers)
    return response
