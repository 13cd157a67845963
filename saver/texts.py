"""The rules of a text: write, load, delete, sweep and purge.

Every edge (API, old endpoints, web page, LINE bot, CLI) calls these, so a
rule lives here once. Slow password hashing runs outside any transaction so
it never holds SQLite's write lock.
"""
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import bindparam, delete, insert, select, update

from . import lockout, pool
from .checks import checked_body, checked_expiry, checked_max_views, checked_password
from .codes import is_code, to_code, to_number
from .crypto import (decrypt, encrypt, hash_password, new_delete_token, token_hash,
                     verify_password)
from .db import reading, writing
from .errors import (Erased, Expired, InvalidInput, Locked, NotFound, PasswordRequired,
                     PoolExhausted, Reported, RevealRequired, WrongDeleteToken, WrongPassword)
from .group_commit import GroupCommit
from .models import Report, RestingCode, Text, utcnow
from .sqlite import forget_erased

# The statements of the hot paths, built once (see db).
_READ_ROW = select(Text.body, Text.created_at, Text.expires_at, Text.password_hash,
                   Text.max_views, Text.delete_token_hash, Text.locked_until, Text.reports
                   ).where(Text.code == bindparam("code"))
_IS_RESTING = select(RestingCode.code).where(RestingCode.code == bindparam("code"))
# A parameter for every column: a row that lacks one fails rather than leaving it out.
_INSERT_TEXT = insert(Text).values({column.key: bindparam(column.key)
                                    for column in Text.__table__.columns})


@dataclass(frozen=True)
class Written:
    """What the writer gets back, once."""

    code: str
    expires_at: datetime
    delete_token: str


@dataclass(frozen=True)
class Loaded:
    """A text as a reader sees it."""

    code: str
    text: str
    created_at: datetime
    expires_at: datetime
    views_left: Optional[int]


def write(body, expires_in=None, password=None, max_views=None):
    """Store ``body`` under a new code and return ``Written``.

    ``expires_in`` is in seconds (default from config); ``password`` "" or None
    means none; ``max_views`` None means unlimited, 1 means burn after reading.
    """
    config = current_app.config
    raw = checked_body(body, config["SAVER_MAX_TEXT_BYTES"])
    expires_in = checked_expiry(expires_in, config)
    password = checked_password(password)
    max_views = checked_max_views(max_views)
    stored_hash = key = None
    if password:
        stored_hash, key = hash_password(password, config["SAVER_SCRYPT_N"])
    token, token_digest = new_delete_token()
    now = utcnow().replace(microsecond=0)
    expires_at = now + timedelta(seconds=expires_in)
    code = current_app.extensions["saver_text_writes"](_NewText(raw, key, dict(
        created_at=now, expires_at=expires_at, password_hash=stored_hash,
        max_views=max_views, views=0, delete_token_hash=token_digest, failed_attempts=0,
        failures=0, locks=0, locked_until=None, reports=0)))
    return Written(code, expires_at, token)


def init_app(app):
    """Give ``app`` its group commit of new texts (see group_commit)."""
    app.extensions["saver_text_writes"] = GroupCommit(_store)


@dataclass(frozen=True)
class _NewText:
    """A text waiting for its code: a protected body is encrypted with it."""

    raw: bytes
    key: Optional[bytes]
    row: dict

    def stored(self, number):
        """Return the row to insert under the code ``number``."""
        body = encrypt(self.key, self.raw, to_code(number)) if self.key else self.raw
        return dict(self.row, code=number, body=body)


def _store(new_texts):
    """Store ``new_texts`` under new codes in one transaction; return their codes.

    A text the pool has no code left for gets PoolExhausted instead.
    """
    with writing() as connection:
        numbers = pool.allocate(connection, len(new_texts))
        if numbers:
            connection.execute(_INSERT_TEXT, [
                new.stored(number) for new, number in zip(new_texts, numbers)])
    return ([to_code(number) for number in numbers]
            + [PoolExhausted() for _ in new_texts[len(numbers):]])


def load(code, password=None, reveal=True):
    """Return the text under ``code`` as ``Loaded``, using up one view if limited.

    With ``reveal=False`` a view-limited text raises RevealRequired instead, so
    a link preview cannot use up a view.
    """
    number = code_number(code)
    now = utcnow()
    row = live_row(number, now)
    if row.reports >= current_app.config["SAVER_REPORT_HIDE_AFTER"]:
        raise Reported()
    if row.locked_until is not None and row.locked_until > now:
        raise Locked(retry_after=_seconds_until(row.locked_until, now))
    if row.max_views is not None and not reveal:
        raise RevealRequired()
    body = row.body
    if row.password_hash is not None:
        password = checked_password(password)
        if not password:
            raise PasswordRequired()
        lockout.take_attempt(number, now)
        key = verify_password(password, row.password_hash)
        if key is None:
            _wrong_password(number, now)
        lockout.right(number)
        body = decrypt(key, body, code)
    views_left = None if row.max_views is None else _use_view(number, now)
    return Loaded(code, body.decode("utf-8"), row.created_at, row.expires_at, views_left)


def remove(code, token):
    """Delete the text under ``code`` if ``token`` is its delete token (locked or not)."""
    number = code_number(code)
    if not isinstance(token, str) or not token:
        raise InvalidInput("The delete token is missing.")
    now = utcnow()
    row = live_row(number, now)
    if not hmac.compare_digest(row.delete_token_hash, token_hash(token)):
        raise WrongDeleteToken()
    if not _end(Text.code == number, now):
        raise Expired()


def purge(code):
    """End the text under ``code`` now, whatever its state; return True if there was one."""
    return bool(_end(Text.code == code_number(code), utcnow()))


def sweep(now=None):
    """End expired texts and return rested codes, in bounded batches.

    Returns ``(ended, released)``. Safe beside another sweep: each batch claims
    its rows with the delete itself, so every code moves exactly once.
    """
    now = now or utcnow()
    batch = current_app.config["SAVER_SWEEP_BATCH"]
    ended = released = 0
    while True:
        expired = (select(Text.code).where(Text.expires_at <= now).order_by(Text.expires_at)
                   .limit(batch).with_for_update(skip_locked=True).scalar_subquery())
        count = _end(Text.code.in_(expired), now)
        ended += count
        if count < batch:
            break
    while True:
        with writing() as connection:
            count = pool.release_rested(connection, now, batch)
        released += count
        if count < batch:
            break
    forget_erased()  # bodies ended since the last sweep leave the WAL too
    return ended, released


def live_row(number, now):
    """Return the text's row; raise NotFound, or Expired (erasing it) when it has ended."""
    with reading() as connection:
        row = connection.execute(_READ_ROW, {"code": number}).first()
        resting = row is None and connection.execute(
            _IS_RESTING, {"code": number}).first() is not None
    if row is None:
        raise Expired() if resting else NotFound()
    if row.expires_at <= now:
        _end((Text.code == number) & (Text.expires_at <= now), now)
        raise Expired()
    return row


def _end(condition, now):
    """Erase the texts matching ``condition`` in a transaction of their own; return how many."""
    with writing() as connection:
        return _erase(connection, condition, now)


def _erase(connection, condition, now):
    """Delete the texts matching ``condition`` and put their codes to rest; return how many."""
    until = now + timedelta(seconds=current_app.config["SAVER_CODE_COOLDOWN"])
    codes = connection.execute(
        delete(Text).where(condition).returning(Text.code)).scalars().all()
    pool.rest(connection, codes, until)
    if codes:  # a report is of the text, not of its code's next one
        connection.execute(delete(Report).where(Report.code.in_(codes)))
    return len(codes)


def _use_view(number, now):
    """Count one view atomically; erase the text on its last view. Return views left."""
    with writing() as connection:
        counted = connection.execute(
            update(Text)
            .where(Text.code == number, Text.views < Text.max_views, Text.expires_at > now)
            .values(views=Text.views + 1)
            .returning(Text.views, Text.max_views)).first()
        if counted is None:
            raise Expired()
        views, max_views = counted
        if views >= max_views:
            _erase(connection, Text.code == number, now)
    return max_views - views


def _wrong_password(number, now):
    """Count a wrong password; erase the text once too many were tried. Raise the answer."""
    with writing() as connection:
        erased = lockout.wrong(connection, number, now) and _erase(
            connection, Text.code == number, now)
    raise Erased() if erased else WrongPassword()


def code_number(code):
    """Return the number of ``code``; raise NotFound for a string that is no code in service."""
    if not is_code(code):
        raise NotFound()
    number = to_number(code)
    if number >= pool.space():
        raise NotFound()
    return number


def _seconds_until(moment, now):
    return max(1, int((moment - now).total_seconds() + 0.999))
