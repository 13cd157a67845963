"""Turn every failure into the JSON error envelope: never HTML, never a traceback."""
import re

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from .db import is_outage
from .errors import DatabaseUnavailable, Expired, NotFound, SaverError, error_response
from .limits import note_miss

_MISSES = (NotFound, Expired)


def describe(exc):
    """Return ``(status, error, message, retry_after)`` for any exception."""
    if isinstance(exc, SaverError):
        if isinstance(exc, _MISSES):
            note_miss()
        return exc.status, exc.error, exc.message, exc.retry_after
    if isinstance(exc, HTTPException):
        if exc.code == 429:
            return 429, "rate_limited", f"Too many requests ({exc.description}); slow down.", None
        if exc.code == 404:
            note_miss()
        error = re.sub(r"\W+", "_", (exc.name or "error").lower()).strip("_")
        return exc.code, error, _first_line(exc.description), None
    if isinstance(exc, SQLAlchemyError) and is_outage(exc):
        current_app.logger.warning("database unavailable: %s", _first_line(str(exc)))
        return describe(DatabaseUnavailable())
    current_app.logger.exception("unexpected error")
    return 500, "internal_error", "Something went wrong on our side; please try again.", None


def json_error(exc):
    """Flask error handler answering the JSON envelope."""
    return error_response(*describe(exc))


def register(app):
    """Answer every error of the app with the JSON envelope."""
    app.register_error_handler(SaverError, json_error)
    app.register_error_handler(HTTPException, json_error)
    app.register_error_handler(Exception, json_error)


def _first_line(text):
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""
