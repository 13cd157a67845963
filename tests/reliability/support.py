"""Real servers and helpers for the reliability suite.

Outage tests stop and start servers, so they get throw-away ones of their
own (PostgreSQL, Redis) on free loopback ports: the shared servers on 5432
and 6379 are never touched. Every case reports what it tried and what it
found through ``report``; the figures are printed again at the end of the run.
"""
import json
import os
import pwd
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

from deploy_support import REPO, VENV, free_port, run, wait_for_port
from flask_migrate import upgrade

from saver import create_app, pool
from saver.codes import SPACE
from saver.db import reading
from saver.extensions import db
from services import FULL_POOL_SETTINGS

LONG = os.environ.get("SAVER_RELIABILITY_LONG", "") == "1"
# Debian's server binaries of the newest installed major version (15 on Debian 12).
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name),
             default=Path("/usr/lib/postgresql/15/bin"))
HERE = Path(__file__).resolve().parent
FIGURES = []  # (case, {figure: value}) in the order the cases ran


def scale(default, long):
    """Return the default-run value, or the benchmark machine's larger one."""
    return long if LONG else default


def report(case, **figures):
    """Print what a case tried and found, and keep it for the run's summary."""
    FIGURES.append((case, figures))
    print(f"\n[reliability] {case}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


def make_app(url, **config):
    """An app (no server) on ``url`` for checks and in-process work."""
    return create_app({**FULL_POOL_SETTINGS, "SQLALCHEMY_DATABASE_URI": url, **config})


def seed_full(url, label):
    """Migrate ``url`` and seed the whole pool of 7,311,616 codes."""
    app = make_app(url)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        added = pool.seed()
        print(f"\n{label}: seeded {added} codes in {time.perf_counter() - started:.1f} s")
        db.engine.dispose()
    return app


def counts(url):
    """Return the pool's counts on ``url``, asserting the conservation invariant."""
    app = make_app(url)
    with app.app_context():
        with reading() as connection:
            found = pool.counts(connection)
        db.engine.dispose()
    assert sum(found.values()) == SPACE, found
    return found


def sqlite_copy(source, destination):
    """Copy a live SQLite database consistently (the backup API, WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(destination) as dst:
        src.backup(dst)
    dst.close()
    src.close()
    return destination


class PrivatePostgres:
    """A PostgreSQL cluster of this suite's own, in a temporary folder, to stop at will."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="saver-pg-"))
        self.folder.chmod(0o755)
        self.data = self.folder / "data"
        self.port = free_port()
        postgres = pwd.getpwnam("postgres")
        os.chown(self.folder, postgres.pw_uid, postgres.pw_gid)
        self._as_postgres(PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres",
                          "--no-sync", "-E", "UTF8")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *args, check=True):
        return run(["runuser", "-u", "postgres", "--", *map(str, args)], check=check,
                   cwd=self.folder)

    def start(self):
        # fsync off: durability across an OS crash is not what is tested here.
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.folder / "log", "-w",
                          "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                          "-c fsync=off", "start")

    def stop(self, mode="immediate"):
        """Stop the server; ``immediate`` is the closest thing to pulling the plug."""
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop",
                          check=False)

    def remove(self):
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class PrivateRedis:
    """A redis-server of this suite's own, without persistence, to kill and restart."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, process=self.process)

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class AppServer:
    """The app in a process of its own (werkzeug, threaded) on a loopback port.

    A separate process is what a second host or a second app instance is;
    its log goes to a file the leak and outage tests read.
    """

    def __init__(self, folder, **settings):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(folder) / f"app-{self.port}.log"
        env = {"PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1", **settings}
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [str(VENV / "bin/python"), str(HERE / "serve.py"), str(self.port)],
                env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, seconds=30, process=self.process)

    def log(self):
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class _PinnedName(HTTPAdapter):
    """Connect to 127.0.0.1 but speak TLS (SNI, certificate check) for a given name."""

    def __init__(self, name, **kwargs):
        self.name = name
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs.update(server_hostname=self.name, assert_hostname=self.name)
        super().init_poolmanager(*args, **kwargs)


def apache_session(apache, name="www.saver.test", connections=20):
    """A requests session to the Apache site's HTTPS vhost; return (session, base_url)."""
    base = f"https://127.0.0.1:{apache.https_port}"
    session = requests.Session()
    session.mount(base, _PinnedName(name, pool_connections=1, pool_maxsize=connections))
    session.verify = str(apache.ca.pem)
    session.trust_env = False  # else REQUESTS_CA_BUNDLE from the environment wins over verify
    session.headers["Host"] = name
    return session, base


def daemon_pids(apache):
    """PIDs of the site's mod_wsgi daemon processes (shown by their display-name)."""
    ps = run(["ps", "-eo", "pid,ppid,args"]).stdout
    return [int(f[0]) for f in (line.split() for line in ps.splitlines()[1:])
            if int(f[1]) == apache.master_pid() and f[2] == "(wsgi:saver)"]


def is_json_error(response):
    """Return True for the service's JSON error envelope (either shape)."""
    try:
        data = response.json()
    except (ValueError, json.JSONDecodeError):
        return False
    return isinstance(data, dict) and ("error" in data or data.get("status") == "error")
