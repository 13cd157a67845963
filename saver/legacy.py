"""The endpoints of the published extension v1.2: same rules, the old shapes.

The old popup reads only the body, so the two answers it understands
("pw not match", "not exist") come with HTTP 200; every other failure is
``{"status": "error"}`` with a non-2xx status, so a write failure is never
mistaken for a code.
"""
from flask import Blueprint, jsonify, request

from . import texts, web
from .errors import Expired, InvalidInput, NotFound, PasswordRequired, WrongPassword
from .handlers import describe, json_error
from .inputs import json_object
from .limits import count_reads, count_writes, note_miss

bp = Blueprint("legacy", __name__)
# Mounted under bp at the end of the module; each counts its own rate limits.
reads = count_reads(Blueprint("reads", __name__))
writes = count_writes(Blueprint("writes", __name__))

DELETE_AT = {"10min": 600, "1h": 3600, "3h": 10800}


@writes.post("/write/", strict_slashes=False)
def write():
    """Store ``wrtext`` and answer its code as ``message``."""
    data = json_object()
    delete_at = data.get("wrdelete_at", "1h")
    if not isinstance(delete_at, str) or delete_at not in DELETE_AT:
        raise InvalidInput("wrdelete_at must be one of: " + ", ".join(DELETE_AT) + ".")
    written = texts.write(data.get("wrtext"), DELETE_AT[delete_at], data.get("wrpassword"))
    return jsonify(status="success", message=written.code)


@reads.post("/load/", strict_slashes=False)
def load():
    """Answer the text under ``ldcode`` as ``message``."""
    if _is_reveal():
        return web.reveal("load")
    data = json_object()
    code, password = data.get("ldcode"), data.get("ldpassword")
    if not isinstance(code, str) or not isinstance(password, (str, type(None))):
        raise InvalidInput("ldcode and ldpassword must be strings.")
    try:
        loaded = texts.load(code.strip(), password)
    except (NotFound, Expired):
        note_miss()
        return jsonify(status="error", message="not exist")
    except (PasswordRequired, WrongPassword):
        return jsonify(status="error", message="pw not match")
    return jsonify(status="success", message=loaded.text)


def _is_reveal():
    # "load" is also a code: POST /load is its click-to-reveal, not the old popup.
    return not request.path.endswith("/")


@bp.errorhandler(Exception)
def old_shape_error(exc):
    """Answer any other failure as ``{"status": "error", "message"}``."""
    if _is_reveal():
        return json_error(exc)  # the page's shape, as for any other code
    status, _, message, headers = describe(exc)
    response = jsonify(status="error", message=message)
    response.status_code = status
    response.headers.update(headers)
    return response


bp.register_blueprint(reads)
bp.register_blueprint(writes)
