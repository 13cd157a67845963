"""What a writer may send: the checks every edge shares through texts.py."""
from .errors import InvalidInput, TooLarge

MIN_EXPIRES_IN = 60
MAX_VIEWS = 1_000_000
MAX_PASSWORD_CHARS = 1024


def checked_body(body, limit):
    """Return the text as UTF-8 bytes; refuse a non-string, empty or oversize text."""
    if not isinstance(body, str):
        raise InvalidInput("'text' must be a string.")
    try:
        raw = body.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("'text' is not valid Unicode.") from None
    if not raw:
        raise InvalidInput("'text' must not be empty.")
    if len(raw) > limit:
        raise TooLarge(f"The text is {len(raw)} bytes; the limit is {limit} bytes.")
    return raw


def checked_expiry(expires_in, config):
    """Return the expiry in seconds, the default when None."""
    if expires_in is None:
        return config["SAVER_DEFAULT_EXPIRES_IN"]
    highest = config["SAVER_MAX_EXPIRES_IN"]
    if not _is_int(expires_in) or not MIN_EXPIRES_IN <= expires_in <= highest:
        raise InvalidInput(
            f"'expires_in' must be a whole number of seconds from {MIN_EXPIRES_IN} to {highest}.")
    return expires_in


def checked_password(password):
    """Return the password, None for none ("" counts as none)."""
    if password is None:
        return None
    if not isinstance(password, str) or len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput(
            f"'password' must be a string of at most {MAX_PASSWORD_CHARS} characters.")
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("'password' is not valid Unicode.") from None
    return password or None


def checked_max_views(max_views):
    """Return the view limit, None for unlimited."""
    if max_views is None:
        return None
    if not _is_int(max_views) or not 1 <= max_views <= MAX_VIEWS:
        raise InvalidInput(f"'max_views' must be a whole number from 1 to {MAX_VIEWS}, or null.")
    return max_views


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)
