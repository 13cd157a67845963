"""Domain exceptions and the one JSON error envelope.

Every failure a user can cause is a ``SaverError`` with an HTTP status, a
machine code and a human message; the edges only choose the shape.
"""
from flask import jsonify


class SaverError(Exception):
    """A failure with a status, a machine-readable code and a human message."""

    status = 400
    error = "bad_request"
    message = "The request could not be understood."

    def __init__(self, message=None, *, retry_after=None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.retry_after = retry_after


class InvalidInput(SaverError):
    status, error = 400, "invalid_input"


class PasswordRequired(SaverError):
    status, error = 401, "password_required"
    message = "This text is protected: send its password."


class WrongPassword(SaverError):
    status, error = 403, "wrong_password"
    message = "The password does not match."


class NotFound(SaverError):
    status, error = 404, "not_found"
    message = "No text has this code."


class Expired(SaverError):
    status, error = 410, "expired"
    message = ("The text with this code has expired, was deleted, or was erased after too many "
               "wrong passwords.")


class Erased(SaverError):
    status, error = 410, "erased"
    message = "Too many wrong passwords were tried for this text, so it was erased."


class Reported(SaverError):
    status, error = 410, "reported"
    message = ("Readers reported this text, so it is not shown until the site's operator "
               "has looked at it.")


class TooLarge(SaverError):
    status, error = 413, "too_large"
    message = "The text is too large."


class Locked(SaverError):
    status, error = 423, "locked"
    message = "Too many wrong passwords: this code is locked for a while."


class RateLimited(SaverError):
    status, error = 429, "rate_limited"
    message = "Too many requests; slow down."


class Busy(RateLimited):
    """A budget of the whole service is used up, whoever the client is."""

    status, error = 429, "busy"
    message = "The service is busy right now; try again in a moment."


class PoolExhausted(SaverError):
    status, error = 503, "pool_exhausted"
    message = "No free code is left; try again later."


class DatabaseUnavailable(SaverError):
    status, error = 503, "database_unavailable"
    message = "The database is not reachable; try again shortly."


def error_response(status, error, message):
    """Build the JSON error envelope ``{"error", "message"}``."""
    response = jsonify(error=error, message=message)
    response.status_code = status
    return response


class RevealRequired(SaverError):
    """A view-limited text asked for by a link: only an explicit POST may use a view."""

    status, error = 409, "reveal_required"
    message = "This text can be read a limited number of times: confirm to read it."


class WrongDeleteToken(SaverError):
    status, error = 403, "wrong_delete_token"
    message = "The delete token does not match."
