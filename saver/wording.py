"""What the service says to people, in the reader's language (Flask-Babel's locale).

The API keeps each SaverError's English ``message``, since clients translate
by its ``error`` code; the pages and the LINE bot say these sentences
instead. Durations and moments are Babel's, in the reader's locale: never
rounded up ("1 hour 30 minutes", not "2 hours"), and in UTC, said so, since
neither a browser's request nor a LINE profile tells the reader's time zone.
"""
from datetime import timedelta

from babel.lists import format_list
from flask_babel import format_datetime, format_timedelta, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# A failure said to a person, by its error code; "bad_request" says any other.
_FAILURES = {
    "bad_request": _l("Something in the request could not be used."),
    "invalid_input": _l("Something in the request could not be used: check it and try again."),
    "password_required": _l("This text is protected: type its password."),
    "wrong_password": _l("The password does not match."),
    "not_found": _l("No text has this code."),
    "expired": _l("The text with this code has expired, was deleted, or was erased after too "
                  "many wrong passwords."),
    "erased": _l("Too many wrong passwords were tried for this text, so it was erased."),
    "reported": _l("Readers reported this text, so it is not shown until the site's operator "
                   "has looked at it."),
    "too_large": _l("The text is too large."),
    "locked": _l("Too many wrong passwords: this code is locked for a while."),
    "rate_limited": _l("Too many requests; slow down."),
    "busy": _l("The service is busy right now."),
    "pool_exhausted": _l("No free code is left; try again later."),
    "database_unavailable": _l("The database is not reachable; try again shortly."),
}
# The units a duration is said in, largest first; Babel would say 30 days as "1 month".
_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def failure(exc):
    """Say a SaverError as a sentence, and when to try again if it says when."""
    sentence = str(_FAILURES.get(exc.error, _FAILURES["bad_request"]))
    if exc.retry_after is None:
        return sentence
    # One message, so that each language joins the sentences its own way (no space in Japanese).
    return _("%(sentence)s Try again in %(duration)s.", sentence=sentence,
             duration=duration(exc.retry_after))


def duration(seconds):
    """Say a number of seconds in words, in at most two units: "1 hour, 30 minutes"."""
    parts = []
    for unit, size in _UNITS:
        count, seconds = divmod(int(seconds), size)
        if count:
            # An infinite threshold keeps Babel in this unit: 23 hours stay 23 hours.
            parts.append(format_timedelta(timedelta(seconds=count * size), granularity=unit,
                                          threshold=float("inf")))
    if not parts:
        return format_timedelta(timedelta(0), granularity="second")
    return format_list(parts[:2], style="unit", locale=get_locale())


def moment(when):
    """Say a naive UTC datetime as a date and a time, with "UTC" after it."""
    return f"{format_datetime(when, 'medium')} UTC"
