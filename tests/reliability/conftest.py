"""Fixtures of the reliability suite: full pools, throw-away servers, Apache sites.

``SAVER_RELIABILITY_LONG=1`` runs the longer mode meant for the benchmark
machine (more processes, threads, faults and examples); the default mode
keeps the whole suite to a few minutes.
"""
import shutil

import pytest

from deploy_support import (REPO, TEST_MPM, Apache, CertificateAuthority, give_to_daemon_user,
                            shared_tempdir, write_env_file)
from services import postgres_schema, server_environment
from support import FIGURES, LONG, AppServer, PrivatePostgres, PrivateRedis, seed_full, sqlite_copy


def pytest_terminal_summary(terminalreporter):
    """Print every case's figures at the end, whether or not output was captured."""
    if not FIGURES:
        return
    terminalreporter.section(f"reliability figures ({'long' if LONG else 'default'} mode)")
    for case, figures in FIGURES:
        terminalreporter.line(f"{case}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


@pytest.fixture(scope="session")
def full_sqlite(tmp_path_factory):
    """URL of a SQLite file with the full pool, seeded once per run."""
    url = f"sqlite:///{tmp_path_factory.mktemp('full') / 'saver.db'}"
    seed_full(url, "sqlite")
    return url


@pytest.fixture(scope="session")
def full_postgresql():
    """URL of a schema on the shared PostgreSQL with the full pool, seeded once per run."""
    with postgres_schema("rel_") as url:
        seed_full(url, "postgresql")
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def full_url(request):
    """The full-pool database of each engine in turn."""
    return request.getfixturevalue(f"full_{request.param}")


@pytest.fixture(scope="session")
def private_postgres():
    """A PostgreSQL server of our own that tests may stop and start."""
    server = PrivatePostgres()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def private_redis():
    """A Redis server of our own that the test may kill and restart."""
    server = PrivateRedis()
    server.start()
    yield server
    server.kill()


@pytest.fixture
def app_servers(tmp_path):
    """Return a starter of app processes; all are stopped after the test."""
    started = []

    def start(**settings):
        server = AppServer(tmp_path, **server_environment(**settings))
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def site_maker(full_sqlite):
    """Return a maker of Apache sites, each on its own copy of the full SQLite pool.

    ``make(mpm=..., **settings)``: the site's MPM lines (a small test server by
    default) and its env file's settings.
    """
    sites, folders = [], []

    def make(mpm=TEST_MPM, **settings):
        folder = shared_tempdir("saver-rel-site-")
        folders.append(folder)
        database = sqlite_copy(full_sqlite.removeprefix("sqlite:///"), folder / "saver.db")
        give_to_daemon_user(folder, database)
        env_file = write_env_file(folder / "saver.env", server_environment(**{
            "DATABASE_URL": f"sqlite:///{database}", "SAVER_SCRYPT_N": 2**14, **settings}))
        ca = CertificateAuthority(folder)
        cert_dir = ca.issue(folder / "cert", "saver.test", "www.saver.test")
        webroot = folder / "webroot"
        webroot.mkdir()
        apache = Apache(folder, "saver.test", REPO, env_file, cert_dir, webroot, mpm=mpm)
        apache.ca, apache.database, apache.folder = ca, database, folder
        apache.start()
        sites.append(apache)
        return apache

    yield make
    for apache in sites:
        apache.stop()
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def open_site(site_maker):
    """The Apache site with rate limits off and LINE on: crashes, hostile input, leaks.

    LINE's API host is a closed port: only signatures are checked, no reply is sent.
    """
    return site_maker(LINE_CHANNEL_SECRET="test-channel-secret",
                      LINE_CHANNEL_ACCESS_TOKEN="test-token", LINE_API_HOST="http://127.0.0.1:9")
