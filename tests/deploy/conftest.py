"""Fixtures for the deployment tests: a seeded SQLite file, Apache, pebble.

The full code pool takes ~13 s to seed, so it is seeded once per session and
copied for each server that needs a database.
"""
import shutil

import pytest

from deploy_support import (DAEMON_USER, REPO, VENV, Apache, CertificateAuthority,
                            give_to_daemon_user, run, shared_tempdir, start_challtestsrv,
                            stop_process, write_env_file)
from services import TEST_SETTINGS

DOMAIN = "saver.test"


@pytest.fixture(scope="session")
def seeded_database():
    """Path of a SQLite file with the tables migrated and the whole pool seeded."""
    folder = shared_tempdir("saver-seeded-")
    path = folder / "saver.db"
    env = {"DATABASE_URL": f"sqlite:///{path}", "PATH": "/usr/bin:/bin"}
    run([str(VENV / "bin/flask"), "--app", "saver", "db", "upgrade"], env=env, cwd=REPO)
    run([str(VENV / "bin/flask"), "--app", "saver", "seed-codes"], env=env, cwd=REPO)
    yield path
    shutil.rmtree(folder)


@pytest.fixture(scope="session")
def make_site_data(seeded_database):
    """Return a maker of a data folder: a copy of the seeded database and an env file."""
    made = []

    def make(**settings):
        folder = shared_tempdir("saver-data-")
        made.append(folder)
        database = folder / "saver.db"
        shutil.copyfile(seeded_database, database)
        give_to_daemon_user(folder, database)
        # Otherwise the shipped defaults (real hashing, limits on): the site as deployed.
        env_file = write_env_file(folder / "saver.env", {
            "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": TEST_SETTINGS["SECRET_KEY"],
            **settings})
        return folder, env_file

    yield make
    for folder in made:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def server_root():
    folder = shared_tempdir("saver-apache-")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def readable_checkout():
    """Apache's daemon runs this checkout and its venv as an unprivileged user."""
    for path in (REPO / "saver.wsgi", VENV / "bin/python"):
        if run(["runuser", "-u", DAEMON_USER, "--", "test", "-r", str(path)],
               check=False).returncode != 0:
            pytest.fail(f"{DAEMON_USER} cannot read {path}: the checkout and its parent "
                        "folders must be world-readable for the Apache tests")


@pytest.fixture(scope="module")
def apache_site(server_root, make_site_data, readable_checkout):
    """Our site template running in Apache with a certificate from a test CA."""
    _, env_file = make_site_data()
    ca = CertificateAuthority(server_root)
    cert_dir = ca.issue(server_root / "cert", DOMAIN, f"www.{DOMAIN}")
    webroot = server_root / "webroot"
    (webroot / ".well-known/acme-challenge").mkdir(parents=True)
    apache = Apache(server_root, DOMAIN, REPO, env_file, cert_dir, webroot)
    apache.ca, apache.webroot = ca, webroot
    apache.start()
    yield apache
    apache.stop()
    assert "AH00052" not in apache.error_log(), apache.error_log()  # no child crashed


@pytest.fixture(scope="session")
def challtestsrv():
    process = start_challtestsrv()
    yield process
    stop_process(process)
