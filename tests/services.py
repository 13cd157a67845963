"""Where the tests find the real PostgreSQL and Redis (override through the environment).

Each test that needs PostgreSQL gets a schema of its own: ``postgres_schema``.
"""
import contextlib
import os
import uuid

from sqlalchemy import NullPool, create_engine, text

POSTGRES_URL = os.environ.get("SAVER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SAVER_TEST_REDIS", "redis://127.0.0.1:6379/15")
DATABASES = os.environ.get("SAVER_TEST_DATABASES", "sqlite,postgresql").split(",")


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
