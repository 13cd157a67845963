"""What every test shares: the test settings, and where the real PostgreSQL and Redis are.

The servers' addresses can be overridden through the environment.
"""
import contextlib
import os
import threading
import uuid

from sqlalchemy import NullPool, create_engine, text

from saver.config import ENVIRONMENT

POSTGRES_URL = os.environ.get("SAVER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SAVER_TEST_REDIS", "redis://127.0.0.1:6379/15")
DATABASES = os.environ.get("SAVER_TEST_DATABASES", "sqlite,postgresql").split(",")

SMALL_SPACE = 52 * 52  # aaaa .. aaZZ: most tests need no full pool
# The settings of every app a test makes; a test or a suite changes what it is about.
TEST_SETTINGS = {
    "TESTING": True,
    "SECRET_KEY": "test-only",
    "SAVER_CODE_SPACE": SMALL_SPACE,
    "SAVER_SCRYPT_N": 16,  # cheap hashing, tests only
    "RATELIMIT_ENABLED": False,
    "SERVER_NAME": "saver.test",  # links made outside a request (LINE replies, commands)
}
# The whole code space, as in production: the tests of the full pool.
FULL_POOL_SETTINGS = {**TEST_SETTINGS, "SAVER_CODE_SPACE": None}


def server_environment(**changes):
    """Return TEST_SETTINGS with ``changes`` as a server process's environment: strings.

    Only what the app reads from its environment is kept from TEST_SETTINGS,
    so a server has the whole code space and makes links to its own address.
    """
    found = {name: value for name, value in TEST_SETTINGS.items() if name in ENVIRONMENT}
    return {name: str(value).lower() if isinstance(value, bool) else str(value)
            for name, value in {**found, **changes}.items()}


def postgres_execute(statement, parameters=None, server=POSTGRES_URL):
    """Run one SQL statement on ``server`` at once (autocommit), on a connection of its own."""
    engine = create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1),
                           isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text(statement), parameters or {})
    finally:
        engine.dispose()


def postgres_schema_url(schema, server=POSTGRES_URL):
    """Return a URL of ``server`` whose connections use ``schema`` first."""
    return f"{server}?options=-csearch_path%3D{schema}"


@contextlib.contextmanager
def postgres_schema(prefix="t_", server=POSTGRES_URL):
    """Make an empty schema of its own on ``server``, yield its URL, drop it afterwards.

    The name is random, so test runs from several checkouts share the server safely.
    """
    schema = prefix + uuid.uuid4().hex[:12]
    postgres_execute(f"CREATE SCHEMA {schema}", server=server)
    try:
        yield postgres_schema_url(schema, server)
    finally:
        postgres_execute(f"DROP SCHEMA {schema} CASCADE", server=server)


class LiveServer:
    """An app answering HTTP on 127.0.0.1 from a background thread (werkzeug's server)."""

    def __init__(self, app):
        from werkzeug.serving import make_server
        self.app = app
        self.http = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.http.server_port}"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.http.shutdown()
        self.thread.join()
