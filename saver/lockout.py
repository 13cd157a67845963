"""How many guesses a protected text's password gets, whatever the concurrency.

A guess takes its attempt before the slow hash, in one atomic statement, so
at most ``SAVER_LOCKOUT_ATTEMPTS`` guesses are checked per lock window
across threads, processes and hosts. When a window's attempts are used up
by wrong passwords the code locks, each lock twice as long as the last (up
to the longest a text lives); a right password gives the attempts back.
After ``SAVER_LOCKOUT_MAX_FAILURES`` wrong passwords in all the text must be
erased: guessing can then only destroy it, never read it.
"""
import math
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from .db import writing
from .errors import Expired, Locked
from .models import Text


def take_attempt(number, now):
    """Take one guess at the password of the text ``number``; raise Locked when none is left."""
    attempts = current_app.config["SAVER_LOCKOUT_ATTEMPTS"]
    with writing() as connection:
        taken = connection.execute(
            update(Text)
            .where(Text.code == number, Text.failed_attempts < attempts,
                   or_(Text.locked_until.is_(None), Text.locked_until <= now))
            .values(failed_attempts=Text.failed_attempts + 1)
            .returning(Text.code)).first()
        state = None if taken else connection.execute(
            select(Text.locked_until, Text.locks).where(Text.code == number)).first()
    if taken:
        return
    if state is None:
        raise Expired()  # it ended meanwhile
    if state.locked_until is not None and state.locked_until > now:
        raise Locked(retry_after=_seconds(state.locked_until - now))
    # The window's last guesses are being checked: if wrong, the next lock starts.
    raise Locked(retry_after=_seconds(lock_length(state.locks)))


def right(number):
    """A right password: the text's guesses start over."""
    with writing() as connection:
        connection.execute(update(Text).where(Text.code == number).values(failed_attempts=0))


def wrong(connection, number, now):
    """Count a wrong password in the caller's transaction; return True if the text must go.

    The guess that used up a window's attempts starts the next lock.
    """
    config = current_app.config
    counted = connection.execute(
        update(Text).where(Text.code == number).values(failures=Text.failures + 1)
        .returning(Text.failures, Text.failed_attempts, Text.locks)).first()
    if counted is None:
        return False  # it ended meanwhile
    if counted.failures >= config["SAVER_LOCKOUT_MAX_FAILURES"]:
        return True
    if counted.failed_attempts >= config["SAVER_LOCKOUT_ATTEMPTS"]:
        connection.execute(
            update(Text).where(Text.code == number)
            .values(locked_until=now + lock_length(counted.locks), locks=Text.locks + 1,
                    failed_attempts=0))
    return False


def lock_length(locks):
    """How long the lock after ``locks`` earlier ones lasts: twice the last, up to a text's life."""
    config = current_app.config
    longest = config["SAVER_MAX_EXPIRES_IN"]
    return timedelta(seconds=min(longest, config["SAVER_LOCKOUT_SECONDS"] * 2 ** min(locks, 64)))


def _seconds(length):
    return max(1, math.ceil(length.total_seconds()))
