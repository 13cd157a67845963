"""SQLite's side of the write path: connection tuning, the writers' turn and WAL checkpoints.

SQLite allows one writer at a time. Writers of every thread and process take
turns on an flock (``turn``), run their transaction, and copy the WAL into
the database file after their turn, where it holds up no one.
"""
import fcntl
import itertools
import os
import threading
from collections import namedtuple
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from .errors import DatabaseUnavailable
from .extensions import db

# Write transactions of this process between two WAL checkpoints: at the few
# pages a text adds, about the 1,000 pages of SQLite's own automatic checkpoint
# when each transaction stores one text, a few times that when writes are
# grouped (group_commit).
CHECKPOINT_EVERY = 200
_COMMITS = itertools.count(1)
# The WAL length (pages of 4 KiB: 64 MB) at which the next writer finishes a
# checkpoint within its turn, so that the WAL starts over (see turn()).
WAL_RESTART_FRAMES = 16384
_WAL_RESTART_DUE = threading.Event()


class Checkpoint(namedtuple("Checkpoint", "busy frames copied")):
    """What ``PRAGMA wal_checkpoint`` answers: busy, pages in the WAL, pages copied."""

    @property
    def complete(self):
        return not self.busy and self.frames == self.copied


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, _record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # A connection drops its whole page cache when another one has written
        # since its last read (WAL mode), so under load its cache holds little:
        # a small one for each of a daemon's connections.
        cursor.execute("PRAGMA cache_size=-512")
        cursor.execute("PRAGMA busy_timeout=10000")
        # Writers checkpoint outside their turn (see turn()), not in their COMMIT.
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        # Zero erased bodies in the file (Debian's default, not SQLite's).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


@contextmanager
def turn(connection):
    """Hold the writers' turn on ``connection``'s database file for the block.

    After a block that did not fail, checkpoint as due: SQLite starts the WAL
    over only when a writer begins with all of it copied, which checkpoints
    after the turn never leave while another daemon keeps writing beside
    them, so the WAL grew without bound under a steady stream of writes. Once
    it is long, the rest is copied within the turn, where no one can write.
    """
    with _writer_turn(connection.engine.url.database):
        yield
        if _WAL_RESTART_DUE.is_set() and checkpoint(connection).complete:
            _WAL_RESTART_DUE.clear()
    if next(_COMMITS) % CHECKPOINT_EVERY == 0:
        if checkpoint(connection).frames >= WAL_RESTART_FRAMES:
            _WAL_RESTART_DUE.set()


def checkpoint(connection):
    """Copy the WAL into the database file without waiting for anyone; return a Checkpoint.

    SQLite's automatic checkpoint runs inside COMMIT, so within the writer's
    turn, and every other writer waited behind it. A passive one after the
    turn runs beside the next writers.
    """
    try:
        return Checkpoint(*connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one())
    except DBAPIError as exc:  # the write is committed: this must not fail it
        current_app.logger.warning("WAL checkpoint failed: %s", exc)
        return Checkpoint(busy=1, frames=-1, copied=-1)  # as SQLite answers when it cannot


@contextmanager
def _writer_turn(database):
    """Wait for the turn to write to the SQLite file ``database``.

    SQLite's own busy handler polls for the write lock with sleeps of up to
    100 ms, so under load the lock lies idle while writers sleep. Writers of
    every thread and process queue on an flock of a file beside the database
    instead: the kernel wakes the next one the moment the last one is done.
    """
    if database in (None, "", ":memory:"):  # one connection, no one to queue behind
        yield
        return
    try:
        # Read-only is enough to flock, so whoever created it, every user of the
        # database can open it (0644: it holds nothing).
        handle = os.open(database + "-writer", os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DatabaseUnavailable() from exc
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # and with it the lock


def forget_erased():
    """On SQLite, copy the WAL into the database file and empty it.

    The WAL keeps the pages of erased bodies until it is overwritten;
    a checkpoint that truncates it leaves only the zeroed pages.
    """
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:  # autocommits (see extensions)
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
