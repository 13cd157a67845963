"""The code pool: seed it, take a code from it, and return codes after their rest.

Conservation: every code is in exactly one of ``free_codes``, ``texts`` or
``resting_codes``. Each function here moves codes between those tables inside
the caller's transaction, so the sum never changes at a commit.
"""
import secrets

from flask import current_app
from sqlalchemy import bindparam, delete, func, insert, select, text

from .codes import SPACE
from .db import writing
from .models import FreeCode, RestingCode, Text

_RANDOM_BITS = 63 - FreeCode.CODE_BITS
# Any fixed number: two seeders on PostgreSQL queue on this advisory lock.
_SEED_LOCK = 0x5A7E2
_SEED_CHUNK = 1 << 18


# Built once: a hot path (see db).
_TAKE = delete(FreeCode).where(FreeCode.ticket.in_(
    select(FreeCode.ticket).where(FreeCode.ticket >= bindparam("lowest"))
    .order_by(FreeCode.ticket).limit(bindparam("count")).with_for_update(skip_locked=True)
)).returning(FreeCode.ticket)


def space():
    """Return the number of codes in service (all of them, unless a test shrinks it)."""
    return current_app.config["SAVER_CODE_SPACE"] or SPACE


def allocate(connection, count):
    """Take ``count`` random free codes out of the pool and return their numbers.

    Takes the first tickets at or after a random point (wrapping round once);
    tickets are random, so neighbouring tickets hold unrelated codes. Returns
    fewer numbers, down to none, only when the pool runs out. On PostgreSQL,
    ``SKIP LOCKED`` lets concurrent writers take different codes without
    waiting; on SQLite the write transaction already serialises them.
    """
    numbers = []
    for lowest in (secrets.randbelow(FreeCode.TICKET_LIMIT), 0):
        taken = connection.execute(_TAKE, {"lowest": lowest, "count": count - len(numbers)})
        numbers += [ticket & FreeCode.CODE_MASK for ticket in taken.scalars()]
        if len(numbers) == count:
            break
    return numbers


def rest(connection, codes, until):
    """Put codes whose text just ended to rest until ``until``."""
    if codes:
        connection.execute(insert(RestingCode), [{"code": c, "until": until} for c in codes])


def release_rested(connection, now, batch):
    """Return up to ``batch`` codes whose rest is over to the pool; return how many."""
    due = (select(RestingCode.code).where(RestingCode.until <= now)
           .order_by(RestingCode.until).limit(batch)
           .with_for_update(skip_locked=True).scalar_subquery())
    codes = connection.execute(
        delete(RestingCode).where(RestingCode.code.in_(due)).returning(RestingCode.code)
    ).scalars().all()
    if codes:
        connection.execute(insert(FreeCode), [
            {"ticket": secrets.randbits(_RANDOM_BITS) << FreeCode.CODE_BITS | code}
            for code in codes])
    return len(codes)


def counts(connection):
    """Return ``{"free", "live", "resting"}`` code counts seen by ``connection``.

    One statement, so the three agree even outside a transaction.
    """
    free, live, resting = connection.execute(select(
        select(func.count()).select_from(FreeCode).scalar_subquery(),
        select(func.count()).select_from(Text).scalar_subquery(),
        select(func.count()).select_from(RestingCode).scalar_subquery())).one()
    return {"free": free, "live": live, "resting": resting}


def seed(progress=None):
    """Put every code in service that is nowhere else into the pool; return how many.

    Idempotent and safe to run beside writers and other seeders. ``progress``
    is called with the number of codes examined after each chunk.
    """
    total = space()
    with writing() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SEED_LOCK})
        if sum(counts(connection).values()) >= total:
            if progress:
                progress(total)
            return 0
        # Built whole and indexed afterwards: far faster than indexed inserts of
        # codes that come out of free_codes in random order.
        connection.execute(text(
            "CREATE TEMPORARY TABLE taken_codes AS "
            f"SELECT ticket & {FreeCode.CODE_MASK} AS code FROM free_codes "
            "UNION ALL SELECT code FROM texts UNION ALL SELECT code FROM resting_codes"))
        connection.execute(text("CREATE INDEX ix_taken_codes_code ON taken_codes (code)"))
        added = 0
        for lowest in range(0, total, _SEED_CHUNK):
            highest = min(lowest + _SEED_CHUNK, total)
            added += connection.execute(
                text(_seed_chunk_sql(postgres)), {"lo": lowest, "hi": highest}).rowcount
            if progress:
                progress(highest - lowest)
        connection.execute(text("DROP TABLE taken_codes"))
    return added


def _seed_chunk_sql(postgres):
    """SQL inserting the untaken codes in [lo, hi) with random tickets, in ticket order."""
    if postgres:
        numbers = "SELECT n FROM generate_series(:lo, CAST(:hi AS integer) - 1) AS n"
        ticket = f"(floor(random() * {1 << _RANDOM_BITS})::bigint << {FreeCode.CODE_BITS}) | n"
    else:
        numbers = ("WITH RECURSIVE s(n) AS (SELECT :lo UNION ALL "
                   "SELECT n + 1 FROM s WHERE n + 1 < :hi) SELECT n FROM s")
        ticket = f"((random() & {(1 << _RANDOM_BITS) - 1}) << {FreeCode.CODE_BITS}) | n"
    return (f"INSERT INTO free_codes (ticket) SELECT {ticket} AS ticket "
            f"FROM ({numbers}) AS numbers "
            "WHERE NOT EXISTS (SELECT 1 FROM taken_codes WHERE taken_codes.code = n) "
            "ORDER BY ticket")
