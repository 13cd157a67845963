"""Transaction scopes shared by the domain modules, on a connection each thread keeps.

The domain runs Core statements through ``Connection.execute()`` on plain
connections: its hot paths need no ORM session or identity map. Its
statements are built once, at import: SQLAlchemy caches a statement's
compiled form under its cache key, which the statement object computes once.

SQLite allows one writer at a time. A transaction that reads and then writes
must take the write lock when it begins (``BEGIN IMMEDIATE``): a deferred one
would fail at its first write whenever another writer committed meanwhile,
without waiting for the busy timeout.
"""
import threading
import weakref
from contextlib import contextmanager, nullcontext

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from . import sqlite
from .extensions import db

_BEGIN = {"sqlite": "BEGIN IMMEDIATE", "postgresql": "BEGIN"}


@contextmanager
def writing():
    """Give the block a connection in one write transaction, committed at its end."""
    with _thread_connection() as connection:
        name = connection.dialect.name
        with sqlite.turn(connection) if name == "sqlite" else nullcontext():
            with connection.begin():
                # The driver autocommits (see extensions): the BEGIN is ours.
                connection.exec_driver_sql(_BEGIN[name])
                yield connection


def reading():
    """Give the block a connection whose statements each run on their own.

    A statement sees one consistent state of the database; a read that needs
    no other statement to agree with it skips BEGIN and COMMIT (two round
    trips on PostgreSQL, a good part of a read's cost on SQLite).
    """
    return _thread_connection()  # autocommits (see extensions)


@contextmanager
def _thread_connection():
    """Give the block this thread's connection, kept between requests.

    Checking a connection out of the pool and back in costs a good part of a
    load. Nothing is left begun on it between blocks.
    """
    engine = db.engine
    held = getattr(_threads, "held", None)
    if held is None or held.engine is not engine:
        held = _threads.held = _Held(engine)
    try:
        yield held.connection
    except BaseException:
        del _threads.held  # after a failure, start over on a fresh connection
        held.connection.close()
        raise
    if held.connection.in_transaction():  # execute() begins one, even in autocommit
        held.connection.rollback()


_threads = threading.local()


class _Held:
    """A thread's connection, back in its pool when the thread ends or moves on."""

    def __init__(self, engine):
        self.engine = engine
        self.connection = engine.connect()
        weakref.finalize(self, self.connection.close)


@event.listens_for(Engine, "engine_disposed")
def _drop_held(engine):
    """Close this thread's connection for good with its engine's pool."""
    held = getattr(_threads, "held", None)
    if held is not None and held.engine is engine:
        held.connection.invalidate()  # its pool is gone: nowhere to return it
        del _threads.held


# PostgreSQL's SQLSTATEs for a missing table or schema: migrations have not
# run, which SQLite reports as an OperationalError ("no such table").
_NO_SCHEMA = {"42P01", "3F000"}


def is_outage(exc):
    """Return True when a database error means the database is unreachable or not set up."""
    return isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and (
        exc.connection_invalidated or getattr(exc.orig, "sqlstate", None) in _NO_SCHEMA))
