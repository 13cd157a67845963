"""Tables of the pool, the texts, the resting codes, reports and seen LINE events.

All datetimes are naive UTC (``utcnow()``): SQLite keeps no time zone and one
convention on both databases keeps comparisons simple.
"""
from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import BigInteger, DateTime, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db

# On SQLite an INTEGER PRIMARY KEY is the rowid itself: no second index.
RowId = BigInteger().with_variant(Integer, "sqlite")


def utcnow():
    """Return the current time as a naive UTC datetime."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class FreeCode(db.Model):
    """A code waiting in the pool.

    ``ticket`` is ``random << 23 | code``: ordering by ticket is a random order
    of the codes, so taking the first ticket after a random point picks a
    random free code with one index seek, whatever the pool's fill.
    """

    __tablename__ = "free_codes"
    CODE_BITS = 23  # 2**23 > 52**4
    CODE_MASK = (1 << CODE_BITS) - 1
    TICKET_LIMIT = 1 << 63

    ticket: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=False)


class Text(db.Model):
    """A live text under its code.

    ``body`` is UTF-8, or for a protected text ``nonce || AES-GCM ciphertext``
    under a key derived from the password (see crypto.py).
    """

    __tablename__ = "texts"

    code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    password_hash: Mapped[Optional[str]] = mapped_column(String(200))
    max_views: Mapped[Optional[int]] = mapped_column(Integer)
    views: Mapped[int] = mapped_column(Integer, default=0)
    delete_token_hash: Mapped[str] = mapped_column(String(64))
    # Wrong passwords since the last lock (or right password), and in all.
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # How many times the code was locked: each lock lasts twice the last.
    locks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[Optional[datetime]] = mapped_column(DateTime)
    # Distinct readers who reported the text (see reports.py).
    reports: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RestingCode(db.Model):
    """A code whose text ended, kept out of the pool until ``until``."""

    __tablename__ = "resting_codes"

    code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    until: Mapped[datetime] = mapped_column(DateTime, index=True)


class Report(db.Model):
    """A reader's report of a live text: one per text and reporter.

    ``reporter`` is a keyed hash of the reporter's client and the code, so
    neither an address nor a link between one reporter's reports is kept.
    """

    __tablename__ = "reports"

    code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    reporter: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    reported_at: Mapped[datetime] = mapped_column(DateTime)


class PoolCount(db.Model):
    """The pool's counts as the last sweep found them: what the health check answers."""

    __tablename__ = "pool_counts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    free: Mapped[int] = mapped_column(BigInteger)
    live: Mapped[int] = mapped_column(BigInteger)
    resting: Mapped[int] = mapped_column(BigInteger)
    counted_at: Mapped[datetime] = mapped_column(DateTime)


class LineEvent(db.Model):
    """A LINE webhook event already handled, so a redelivery is not saved twice."""

    __tablename__ = "line_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime, index=True)
