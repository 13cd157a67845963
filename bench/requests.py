"""Benchmark loads and writes in-process, through the app's WSGI callable; prints one table.

    python bench/requests.py [--databases sqlite,postgresql] [--count 3000] [--rounds 3]
                             [--limits off,memory,redis] [--cpu]

Each round times ``--count`` loads (``GET /api/v1/texts/<code>`` of texts
written before, no password, no view limit) and ``--count`` writes
(``POST /api/v1/texts`` of 100 bytes), one thread, no web server; a table
row is the best round of each, in µs a request. Rate limits are off, or
counted in memory or in Redis (``SAVER_BENCH_REDIS``) and raised so that
none refuses: the difference is what the limits cost. ``--cpu`` times this
process's CPU instead of the wall clock: steadier on a shared machine, but
blind to the time the database and Redis servers spend. Works on
throw-away databases: a temporary SQLite file and a PostgreSQL schema. To
compare two versions of the package, run this file with each one first on
``PYTHONPATH``, in turns: figures on a shared machine move between runs.
"""
import argparse
import io
import json
import os
import sys
import tempfile
import time

from sqlalchemy import create_engine, select, text

# Last, so that a version of the package first on PYTHONPATH is the one measured.
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from saver import create_app, pool  # noqa: E402
from saver.codes import to_code  # noqa: E402
from saver.db import reading  # noqa: E402
from saver.extensions import db  # noqa: E402
from saver.models import Text  # noqa: E402

POSTGRES = os.environ.get("SAVER_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("SAVER_BENCH_REDIS", "redis://127.0.0.1:6379/14")
RAISED = "1000000/second"
LIMITS = ("SAVER_LIMIT_WRITE", "SAVER_LIMIT_READ", "SAVER_LIMIT_MISS",
          "SAVER_LIMIT_MISS_GLOBAL", "SAVER_LIMIT_WRITE_GLOBAL")
SCHEMA = "bench_requests"
SPACE = 52 ** 3  # room for every round's writes; seeds in a second
LOADED = 1000  # texts the loads cycle through
BODY = json.dumps({"text": "x" * 100}).encode()


def environ(method, path, body=b""):
    """A minimal WSGI environ, as a server would pass it."""
    return {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
            "SERVER_NAME": "saver.test", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)), "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
            "wsgi.version": (1, 0)}


def call(app, method, path, body=b""):
    """Run one request through ``app.wsgi_app``; return its status line."""
    answered = []
    chunks = app.wsgi_app(environ(method, path, body),
                          lambda status, headers, exc_info=None: answered.append(status))
    try:
        b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return answered[0]


def timed(count, request, clock):
    """Seconds of ``clock`` that ``count`` calls of ``request(i)`` take; each must answer 2xx."""
    started = clock()
    for i in range(count):
        status = request(i)
        if not status.startswith("2"):
            raise SystemExit(f"bench: a request answered {status}")
    return clock() - started


def limit_settings(limits):
    """The settings of rate limits ``off``, or counted in ``memory`` or ``redis`` but raised."""
    if limits == "off":
        return {"RATELIMIT_ENABLED": False}
    storage = REDIS if limits == "redis" else "memory://"
    return {"RATELIMIT_STORAGE_URI": storage, **{name: RAISED for name in LIMITS}}


def bench(url, count, rounds, limits, clock):
    """Return (best µs a load, best µs a write) on the database at ``url``."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SAVER_CODE_SPACE": SPACE,
                      "SERVER_NAME": "saver.test", **limit_settings(limits)}, cli=False)
    with app.app_context():
        db.create_all()
        pool.seed()
    for _ in range(LOADED):
        call(app, "POST", "/api/v1/texts", BODY)
    with app.app_context(), reading() as connection:
        paths = [f"/api/v1/texts/{to_code(number)}" for number in connection.execute(
            select(Text.code).limit(LOADED)).scalars()]
    loads, writes = [], []
    for _ in range(rounds):
        loads.append(timed(count, lambda i: call(app, "GET", paths[i % len(paths)]), clock))
        writes.append(timed(count, lambda i: call(app, "POST", "/api/v1/texts", BODY), clock))
    with app.app_context():
        db.engine.dispose()
    return min(loads) / count * 1e6, min(writes) / count * 1e6


def postgres_url():
    admin = create_engine(POSTGRES.replace("postgresql://", "postgresql+psycopg://"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    admin.dispose()
    return f"{POSTGRES}?options=-csearch_path%3D{SCHEMA}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limits", default="off", help="off, memory, redis (comma-separated)")
    parser.add_argument("--cpu", action="store_true", help="this process's CPU time, not wall time")
    args = parser.parse_args()
    clock = time.process_time if args.cpu else time.perf_counter
    print(f"{'database':<11}{'limits':<8}{'load µs':>9}{'write µs':>10}")
    for name in args.databases.split(","):
        for limits in args.limits.split(","):
            with tempfile.TemporaryDirectory(prefix="saver-bench-") as folder:
                url = f"sqlite:///{folder}/bench.db" if name == "sqlite" else postgres_url()
                load, write = bench(url, args.count, args.rounds, limits, clock)
            print(f"{name:<11}{limits:<8}{load:>9.1f}{write:>10.1f}", flush=True)


if __name__ == "__main__":
    main()
