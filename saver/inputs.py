"""Reading request input the same way on every edge."""
from urllib.parse import unquote

from flask import request
from werkzeug.exceptions import BadRequest

from .errors import InvalidInput


def json_object():
    """Return the request's JSON object; 415 if not JSON, 400 if not an object."""
    try:
        data = request.get_json()
    except RecursionError:
        raise BadRequest("The JSON body is nested too deeply.") from None
    if not isinstance(data, dict):
        raise InvalidInput("The JSON body must be an object.")
    return data


def header_text(name):
    """Return a header as text, or None when absent.

    Browsers can only send ISO-8859-1 header values, so clients send
    non-ASCII values percent-encoded as UTF-8 (``encodeURIComponent``); raw
    UTF-8 bytes, as curl sends them, are accepted too. A value that is neither
    is taken as it came: it is a wrong password, not a bad request.
    """
    value = request.headers.get(name)
    if value is None:
        return None
    try:
        value = value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value
    try:
        return unquote(value, errors="strict")
    except UnicodeError:
        return value
