"""Fixtures: an app on a fresh database per test, on SQLite and on PostgreSQL.

PostgreSQL (127.0.0.1:5432, database ``test``) and Redis (127.0.0.1:6379)
are real servers; each PostgreSQL test gets a schema of its own.
"""
import pytest

from saver import create_app, pool
from saver.db import reading
from saver.extensions import db

from services import DATABASES, TEST_SETTINGS, postgres_schema

# The slow suites, marked by their folder so that `-m` can leave them out.
SUITES = {"deploy": "deploy", "clients": "browser", "reliability": "reliability"}


def pytest_collection_modifyitems(items):
    """Mark each test by what it needs: a suite's folder, the benchmark, the servers."""
    for item in items:
        if item.path.parent.name in SUITES:
            item.add_marker(SUITES[item.path.parent.name])
        if item.path.name == "test_bench_smoke.py":
            item.add_marker("bench")
        params = getattr(item, "callspec", None)
        if params is not None and params.params.get("database_url") == "postgresql":
            item.add_marker("servers")


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'saver.db'}"
        return
    with postgres_schema() as url:
        yield url


@pytest.fixture
def settings():
    """Test settings; a test may change them before it asks for ``app``."""
    return dict(TEST_SETTINGS)


@pytest.fixture
def make_app():
    """Build apps; their connections are closed when the test ends, not whenever GC runs."""
    made = []

    def make(config):
        made.append(create_app(config))
        return made[-1]
    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(database_url, settings, make_app):
    """An app on a fresh database with the tables made and the pool seeded."""
    app = make_app({**settings, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.create_all()
        pool.seed()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def conserved(app):
    """Return a check that every code in service is in exactly one place."""
    def check():
        with app.app_context(), reading() as connection:
            counts = pool.counts(connection)
            space = pool.space()
        assert sum(counts.values()) == space, counts
        return counts
    return check
