"""Engine tuning and transaction scopes shared by the domain modules.

SQLite allows one writer at a time. A transaction that reads and then writes
must take the write lock when it begins (``BEGIN IMMEDIATE``): a deferred one
would fail at its first write whenever another writer committed meanwhile,
without waiting for the busy timeout.
"""
import fcntl
import itertools
import os
import threading
import weakref
from collections import namedtuple
from contextlib import contextmanager, nullcontext

from flask import current_app
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from .errors import DatabaseUnavailable
from .extensions import db

# Write transactions of this process between two WAL checkpoints: at the 4-5
# pages a text adds, about the 1,000 pages of SQLite's own automatic checkpoint
# when each transaction stores one text, a few times that when writes are
# grouped (group_commit).
CHECKPOINT_EVERY = 200
_COMMITS = itertools.count(1)
# The WAL length (pages of 4 KiB: 64 MB) at which the next writer finishes a
# checkpoint within its turn, so that the WAL starts over (see writing()).
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
        # 512 KiB rather than 2 MB for each of a daemon's connections.
        cursor.execute("PRAGMA cache_size=-512")
        cursor.execute("PRAGMA busy_timeout=10000")
        # Writers checkpoint outside their turn (see writing()), not in their COMMIT.
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        # Zero erased bodies in the file (Debian's default, not SQLite's).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


@contextmanager
def writing():
    """Give the block a connection in one write transaction, committed at its end.

    The domain runs Core statements on plain connections: its hot paths need no
    ORM session or identity map, and skipping them halves their cost.
    """
    sqlite = db.engine.dialect.name == "sqlite"
    turn = _writer_turn(db.engine.url.database) if sqlite else nullcontext()
    with _thread_connection() as connection:
        with turn:
            with connection.begin():
                # The driver autocommits (see extensions): the BEGIN is ours.
                _BEGIN[connection.dialect.name].run(connection)
                yield connection
            # SQLite starts the WAL over only when a writer begins with all of
            # it copied, which checkpoints after the turn never leave while
            # another daemon keeps writing beside them: the WAL grew by
            # ~20 MB/s on the bench. Once it is long, the rest is copied here,
            # where no one can write.
            if sqlite and _WAL_RESTART_DUE.is_set() and _checkpoint(connection).complete:
                _WAL_RESTART_DUE.clear()
        if sqlite and next(_COMMITS) % CHECKPOINT_EVERY == 0:
            if _checkpoint(connection).frames >= WAL_RESTART_FRAMES:
                _WAL_RESTART_DUE.set()


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


def _checkpoint(connection):
    """Copy the WAL into the database file without waiting for anyone; return a Checkpoint.

    SQLite's automatic checkpoint runs inside COMMIT, so within the writer's
    turn, and every other writer waited behind it: it was half a write's cost.
    A passive one after the turn runs beside the next writers.
    """
    try:
        return Checkpoint(*connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one())
    except DBAPIError as exc:  # the write is committed: this must not fail it
        current_app.logger.warning("WAL checkpoint failed: %s", exc)
        return Checkpoint(busy=1, frames=-1, copied=-1)  # as SQLite answers when it cannot


@contextmanager
def _writer_turn(database):
    """Wait for the turn to write to the SQLite file ``database``.

    SQLite's own busy handler polls for the write lock with sleeps of 1 to
    100 ms, so under load the lock lies idle while writers sleep and a
    writer can wait hundreds of ms. Writers of every thread and process
    queue on an flock of a file beside the database instead: the kernel
    wakes the next one the moment the last one is done.
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


def reading():
    """Give the block a connection whose statements each run on their own.

    A statement sees one consistent state of the database; a read that needs
    no other statement to agree with it skips BEGIN and COMMIT (two round
    trips on PostgreSQL, a third of a read's cost on SQLite).
    """
    return _thread_connection()  # autocommits (see extensions)


@contextmanager
def _thread_connection():
    """Give the block this thread's connection, kept between requests.

    Checking a connection out of the pool and back in cost ~27 µs, a fifth
    of a load (in-process). Nothing is left begun on it between blocks.
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


def forget_erased():
    """On SQLite, copy the WAL into the database file and empty it.

    The WAL keeps the pages of erased bodies until it is overwritten;
    a checkpoint that truncates it leaves only the zeroed pages.
    """
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:  # autocommits (see extensions)
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


# PostgreSQL's SQLSTATEs for a missing table or schema: migrations have not
# run, which SQLite reports as an OperationalError ("no such table").
_NO_SCHEMA = {"42P01", "3F000"}


def is_outage(exc):
    """Return True when a database error means the database is unreachable or not set up."""
    return isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and (
        exc.connection_invalidated or getattr(exc.orig, "sqlstate", None) in _NO_SCHEMA))
