"""Engine tuning and transaction scopes shared by the domain modules.

SQLite allows one writer at a time. A transaction that reads and then writes
must take the write lock when it begins (``BEGIN IMMEDIATE``): a deferred one
would fail at its first write whenever another writer committed meanwhile,
without waiting for the busy timeout.
"""
import threading
from contextlib import contextmanager, nullcontext

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from .extensions import db

_WRITE = "saver_write"
# SQLite's busy handler sleeps (1, 2, 5 ... 100 ms) while it waits for the
# write lock, so under load the lock lies idle while writers sleep. Writers of
# one process queue on this lock instead, and the next runs as soon as the
# last commits; only one writer per process ever waits inside SQLite.
_SQLITE_WRITER = threading.Lock()


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, _record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (see _begin_sqlite).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        # Zero erased bodies in the file (Debian's default, not SQLite's).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection):
    if connection.dialect.name == "sqlite":
        immediate = connection.get_execution_options().get(_WRITE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def writing():
    """Give the block a connection in one write transaction, committed at its end.

    The domain runs Core statements on plain connections: its hot paths need no
    ORM session or identity map, and skipping them halves their cost.
    """
    queue = _SQLITE_WRITER if db.engine.dialect.name == "sqlite" else nullcontext()
    with queue, db.engine.connect() as connection:
        with connection.execution_options(**{_WRITE: True}).begin():
            yield connection


@contextmanager
def reading():
    """Give the block a connection in one read transaction (a consistent snapshot)."""
    with db.engine.connect() as connection, connection.begin():
        yield connection


def forget_erased():
    """On SQLite, copy the WAL into the database file and empty it.

    The WAL keeps the pages of erased bodies until it is overwritten;
    a checkpoint that truncates it leaves only the zeroed pages.
    """
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            # On the driver's connection: a checkpoint cannot run inside a transaction.
            connection.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def is_outage(exc):
    """Return True when a database error means the database is unreachable."""
    return isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated)
