"""Transaction scopes shared by the domain modules, on a connection each thread keeps.

The domain runs Core statements on plain connections: its hot paths need no
ORM session or identity map, and skipping them halves their cost.

SQLite allows one writer at a time. A transaction that reads and then writes
must take the write lock when it begins (``BEGIN IMMEDIATE``): a deferred one
would fail at its first write whenever another writer committed meanwhile,
without waiting for the busy timeout.
"""
import threading
import weakref
from collections import namedtuple
from contextlib import contextmanager, nullcontext

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from . import sqlite
from .extensions import db


@contextmanager
def writing():
    """Give the block a connection in one write transaction, committed at its end."""
    with _thread_connection() as connection:
        name = connection.dialect.name
        with sqlite.turn(connection) if name == "sqlite" else nullcontext():
            with connection.begin():
                # The driver autocommits (see extensions): the BEGIN is ours.
                _BEGIN[name].run(connection)
                yield connection


class Prepared:
    """A Core statement compiled once per database and run on the driver's own cursor.

    ``connection.execute()`` costs ~30–60 µs a statement in SQLAlchemy (cache
    key, compiled-cache lookup, result objects), several times SQLite's own
    work for a row by its key: the hot paths (loading a text, storing new
    ones) run their statements here. Parameters and rows still go through the
    columns' types, errors are SQLAlchemy's, and a connection found dead is
    invalidated, as with ``execute()``.
    """

    def __init__(self, statement):
        self.statement = statement  # an INSERT takes every column
        self._forms = {}

    def run(self, connection, params=None):
        """Run on ``connection`` once with the dict ``params``, or once per dict of a list.

        Return the rows (named tuples) it answers.
        """
        dialect = connection.dialect
        compiled, bind_types, result_types, row = (
            self._forms.get(dialect.name) or self._compile(dialect))
        many = isinstance(params, list)
        values = ([self._values(compiled, bind_types, one) for one in params] if many
                  else self._values(compiled, bind_types, params or {}))
        driver = connection.connection
        cursor = driver.cursor()
        try:
            (cursor.executemany if many else cursor.execute)(compiled.string, values)
            answered = cursor.fetchall() if result_types else []
        except dialect.loaded_dbapi.Error as exc:
            lost = dialect.is_disconnect(exc, driver, cursor)
            if lost:
                connection.invalidate(exc)
            raise DBAPIError.instance(compiled.string, values, exc, dialect.loaded_dbapi.Error,
                                      connection_invalidated=lost, dialect=dialect,
                                      ismulti=many) from exc
        finally:
            cursor.close()
        return [row._make(process(value) if process else value
                          for process, value in zip(result_types, answer))
                for answer in answered]

    def _compile(self, dialect):
        compiled = self.statement.compile(dialect=dialect)
        bind_types = {name: process for name, bind in compiled.binds.items()
                      if (process := bind.type.dialect_impl(dialect).bind_processor(dialect))}
        columns = getattr(self.statement, "exported_columns", ())  # none in a text()
        result_types = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                        for column in columns]
        row = namedtuple("Row", [column.key for column in columns])
        form = self._forms[dialect.name] = (compiled, bind_types, result_types, row)
        return form

    @staticmethod
    def _values(compiled, bind_types, params):
        values = compiled.construct_params(params)
        for name, process in bind_types.items():
            values[name] = process(values[name])
        names = compiled.positiontup  # None when the driver takes named parameters
        return values if names is None else [values[name] for name in names]


_BEGIN = {"sqlite": Prepared(text("BEGIN IMMEDIATE")), "postgresql": Prepared(text("BEGIN"))}


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
