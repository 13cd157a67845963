"""The code pool: seed it, take a code from it, and return codes after their rest.

Conservation: every code is in exactly one of ``free_codes``, ``texts`` or
``resting_codes``. Each function here moves codes between those tables inside
the caller's transaction, so the sum never changes at a commit.
"""
import secrets

from flask import current_app
from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from .codes import SPACE
from .db import reading, writing
from .models import FreeCode, PoolCount, RestingCode, Text, utcnow

_RANDOM_BITS = 63 - FreeCode.CODE_BITS
# Any fixed number: two seeders on PostgreSQL queue on this advisory lock.
_SEED_LOCK = 0x5A7E2
_SEED_CHUNK = 1 << 18  # codes a step on SQLite
_SEED_PAGES = 1 << 10  # pages of new tickets a step on PostgreSQL, ~230,000 of them
_LAST_PAGE = (1 << 32) - 1  # the highest page number of a PostgreSQL table


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


def keep_counts():
    """Count the pool and keep the counts for the health check; return them, with the time.

    Counting every code takes a while, so it runs where a timer calls it (the
    sweep) and outside a write transaction, which would hold up writers.
    """
    with reading() as connection:
        found = dict(counts(connection), counted_at=utcnow())
    try:
        with writing() as connection:
            kept = connection.execute(update(PoolCount).where(PoolCount.id == 1).values(**found))
            if not kept.rowcount:
                connection.execute(insert(PoolCount).values(id=1, **found))
    except IntegrityError:
        pass  # another process kept its counts at this very moment: as good as ours
    return found


def kept_counts(connection):
    """Return the counts the last ``keep_counts`` kept, or None if none was kept yet."""
    row = connection.execute(select(PoolCount.free, PoolCount.live, PoolCount.resting,
                                    PoolCount.counted_at)).first()
    return None if row is None else row._asdict()


def seed(progress=None):
    """Put every code in service that is nowhere else into the pool; return how many.

    Idempotent and safe to run beside writers and other seeders. ``progress``
    is called with a number of codes after each step; the numbers add up to
    the codes in service.
    """
    total = space()
    progress = progress or (lambda count: None)
    with writing() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SEED_LOCK})
        if sum(counts(connection).values()) >= total:
            progress(total)
            return 0
        return (_seed_postgresql if postgres else _seed_sqlite)(connection, total, progress)


def _seed_postgresql(connection, total, progress):
    """Seed on PostgreSQL: every new ticket drawn and sorted first, then inserted in order.

    Tickets are random, so codes inserted a range of codes at a time land
    all over the primary key's b-tree, and after each checkpoint every page
    they touch is written whole into the WAL again. In ticket order each
    insert goes to the b-tree's last page. The sorted tickets are made whole
    in a temporary table (no WAL), which holds them in that order, and copied
    a range of its pages at a time (a TID range scan), in the same order and
    with progress to show.
    """
    connection.execute(text("SET LOCAL work_mem = '256MB'"))  # the sort stays in memory
    pending = connection.execute(text(
        "CREATE TEMPORARY TABLE pending_codes ON COMMIT DROP AS "
        f"SELECT (floor(random() * {1 << _RANDOM_BITS})::bigint << {FreeCode.CODE_BITS}) | n "
        "AS ticket FROM generate_series(0, CAST(:total AS integer) - 1) AS n "
        "WHERE NOT EXISTS (SELECT 1 FROM free_codes "
        f"WHERE (free_codes.ticket & {FreeCode.CODE_MASK}) = n) "
        "AND NOT EXISTS (SELECT 1 FROM texts WHERE texts.code = n) "
        "AND NOT EXISTS (SELECT 1 FROM resting_codes WHERE resting_codes.code = n) "
        "ORDER BY ticket"), {"total": total}).rowcount
    progress(total - pending)  # the codes found elsewhere
    pages = connection.execute(text(
        "SELECT pg_relation_size('pending_codes') / current_setting('block_size')::integer"
    )).scalar()
    added = 0
    for first in range(0, max(pages, 1), _SEED_PAGES):
        # The last range is open-ended: no row is left behind, whatever the count of pages.
        last = first + _SEED_PAGES if first + _SEED_PAGES < pages else _LAST_PAGE
        count = connection.execute(text(
            "INSERT INTO free_codes (ticket) SELECT ticket FROM pending_codes "
            "WHERE ctid >= format('(%s,0)', CAST(:first AS bigint))::tid "
            "AND ctid < format('(%s,0)', CAST(:last AS bigint))::tid"),
            {"first": first, "last": last}).rowcount
        added += count
        progress(count)
    return added


def _seed_sqlite(connection, total, progress):
    """Seed on SQLite: the untaken codes of one range of codes at a time, in ticket order."""
    # Built whole and indexed afterwards: far faster than indexed inserts of
    # codes that come out of free_codes in random order.
    connection.execute(text(
        "CREATE TEMPORARY TABLE taken_codes AS "
        f"SELECT ticket & {FreeCode.CODE_MASK} AS code FROM free_codes "
        "UNION ALL SELECT code FROM texts UNION ALL SELECT code FROM resting_codes"))
    connection.execute(text("CREATE INDEX ix_taken_codes_code ON taken_codes (code)"))
    ticket = f"((random() & {(1 << _RANDOM_BITS) - 1}) << {FreeCode.CODE_BITS}) | n"
    insert_range = text(
        f"INSERT INTO free_codes (ticket) SELECT {ticket} AS ticket FROM ("
        "WITH RECURSIVE s(n) AS (SELECT :lo UNION ALL SELECT n + 1 FROM s WHERE n + 1 < :hi) "
        "SELECT n FROM s) AS numbers "
        "WHERE NOT EXISTS (SELECT 1 FROM taken_codes WHERE taken_codes.code = n) "
        "ORDER BY ticket")
    added = 0
    for lowest in range(0, total, _SEED_CHUNK):
        highest = min(lowest + _SEED_CHUNK, total)
        added += connection.execute(insert_range, {"lo": lowest, "hi": highest}).rowcount
        progress(highest - lowest)
    connection.execute(text("DROP TABLE taken_codes"))
    return added
