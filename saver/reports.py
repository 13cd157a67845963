"""Readers' reports of a text, without an account, and what the operator does with them.

A text that enough distinct readers reported (``SAVER_REPORT_HIDE_AFTER``)
is no longer served until the operator purges it or clears its reports. A
reporter is kept only as a keyed hash of their client and the code: no
address is stored, and one reporter's reports of two texts cannot be linked.
"""
import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from . import texts
from .codes import to_code
from .db import reading, writing
from .errors import InvalidInput
from .models import Report, Text, utcnow

MAX_REASON_CHARS = 200


@dataclass(frozen=True)
class Reported:
    """The open reports of one live text, as the operator sees them."""

    code: str
    count: int
    first: datetime
    last: datetime
    reasons: list


def report(code, reason, client):
    """Record that ``client`` reported the text under ``code`` for ``reason``.

    A second report by the same client changes nothing. Raises NotFound or
    Expired as a load would.
    """
    reason = _checked_reason(reason)
    number = texts.code_number(code)
    now = utcnow()
    texts.live_row(number, now)  # NotFound, Expired
    with writing() as connection:
        try:
            with connection.begin_nested():
                connection.execute(insert(Report).values(
                    code=number, reporter=_reporter(number, client), reason=reason,
                    reported_at=now))
        except IntegrityError:
            return  # reported by this client before
        connection.execute(update(Text).where(Text.code == number)
                           .values(reports=Text.reports + 1))


def open_reports():
    """Return the reports of live texts as ``Reported``, most reported first."""
    with reading() as connection:
        rows = connection.execute(
            select(Report.code, func.count(), func.min(Report.reported_at),
                   func.max(Report.reported_at))
            .where(Report.code.in_(select(Text.code)))
            .group_by(Report.code)
            .order_by(func.count().desc(), func.min(Report.reported_at))).all()
        reasons = {}
        for code, reason in connection.execute(
                select(Report.code, Report.reason).order_by(Report.reported_at)):
            reasons.setdefault(code, []).append(reason)
    return [Reported(to_code(code), count, first, last, reasons[code])
            for code, count, first, last in rows]


def clear(code):
    """Forget the reports of the text under ``code``, which is served again; return how many."""
    number = texts.code_number(code)
    with writing() as connection:
        cleared = connection.execute(delete(Report).where(Report.code == number)).rowcount
        connection.execute(update(Text).where(Text.code == number).values(reports=0))
    return cleared


def _reporter(number, client):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{number}:{client}".encode(), hashlib.sha256).hexdigest()


def _checked_reason(reason):
    """Return the reason as one line; refuse control characters, which the operator's
    terminal would obey when ``flask reports`` prints them."""
    if not isinstance(reason, str):
        raise InvalidInput("'reason' must say in a few words what is wrong with the text.")
    if any(unicodedata.category(char) == "Cc" for char in reason):
        raise InvalidInput("'reason' must be one line of text, without control characters.")
    reason = reason.strip(" ")
    if not reason:
        raise InvalidInput("'reason' must say in a few words what is wrong with the text.")
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(f"'reason' must be at most {MAX_REASON_CHARS} characters.")
    try:
        reason.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("'reason' is not valid Unicode.") from None
    return reason
