"""Turn every failure into the JSON error envelope: never HTML, never a traceback."""
import re

from flask import current_app
from flask_limiter import RateLimitExceeded
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from .db import is_outage
from .errors import DatabaseUnavailable, SaverError, error_response
from .limits import refusal


def describe(exc):
    """Return ``(status, error, message, headers)`` for any exception."""
    if isinstance(exc, RateLimitExceeded):
        exc = refusal(exc)
    if isinstance(exc, SaverError):
        headers = {} if exc.retry_after is None else {"Retry-After": str(int(exc.retry_after))}
        return exc.status, exc.error, exc.message, headers
    if isinstance(exc, HTTPException):
        # Keep what the exception says in headers, such as Allow on a 405.
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        error = re.sub(r"\W+", "_", (exc.name or "error").lower()).strip("_")
        return exc.code, error, _first_line(exc.description), headers
    if isinstance(exc, SQLAlchemyError) and is_outage(exc):
        current_app.logger.warning("database unavailable: %s", _first_line(str(exc)))
        return describe(DatabaseUnavailable())
    current_app.logger.exception("unexpected error")
    return 500, "internal_error", "Something went wrong on our side; please try again.", {}


def json_error(exc):
    """Flask error handler answering the JSON envelope."""
    status, error, message, headers = describe(exc)
    response = error_response(status, error, message)
    response.headers.update(headers)
    return response


def register(app):
    """Answer every error of the app with the JSON envelope."""
    app.register_error_handler(SaverError, json_error)
    app.register_error_handler(HTTPException, json_error)
    app.register_error_handler(Exception, json_error)


def _first_line(text):
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""
