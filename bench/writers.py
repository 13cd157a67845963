"""Benchmark SQLite writers contending in-process, as mod_wsgi's daemons do; prints one table.

    python bench/writers.py [--seconds 4] [--layouts 1x1,2x1,2x5]

Each layout is PROCESSES x THREADS, every thread posting 1 KiB texts through
the app (Flask's test client, no web server) to one SQLite file for
``--seconds``. 2x5 is the daemons' layout in apache/saver.conf.template.
The figures are writes/s, each as a ratio of the one-thread-per-process
layout of the same process count measured in the same run, and the latency
of one write: on the stack, writes fall well short of what one thread per
process achieves here, and this isolates the writers' turn from Apache and
TLS. Checks the pool's conservation at the end.
"""
import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from saver import create_app, pool  # noqa: E402
from saver.db import reading  # noqa: E402
from saver.extensions import db  # noqa: E402

SPACE = 200_000
BODY = {"text": "x" * 1024}


def make_app(url):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SAVER_CODE_SPACE": SPACE,
                       "RATELIMIT_ENABLED": False}, cli=False)


def process(url, threads, seconds, results):
    """One daemon: ``threads`` writers for ``seconds``; puts their latencies on ``results``."""
    client = make_app(url).test_client()
    stop = time.monotonic() + seconds
    latencies, failures = [], []

    def writer():
        while True:
            started = time.monotonic()
            if started >= stop:
                return
            status = client.post("/api/v1/texts", json=BODY).status_code
            latencies.append(time.monotonic() - started)
            if status != 201:
                failures.append(status)

    workers = [threading.Thread(target=writer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((latencies, failures))


def run(url, processes, threads, seconds):
    results = multiprocessing.Queue()
    children = [multiprocessing.Process(target=process, args=(url, threads, seconds, results))
                for _ in range(processes)]
    for child in children:
        child.start()
    latencies, failures = [], []
    for _ in children:
        done, failed = results.get()
        latencies += done
        failures += failed
    for child in children:
        child.join()
    latencies.sort()
    return {"writes_per_s": len(latencies) / seconds,
            "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
            "failures": len(failures)}


def layout(text):
    processes, _, threads = text.partition("x")
    return int(processes), int(threads)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--layouts", default="1x1,2x1,2x5",
                        help="comma-separated PROCESSESxTHREADS (default 1x1,2x1,2x5)")
    options = parser.parse_args(argv)
    layouts = [layout(text) for text in options.layouts.split(",")]
    multiprocessing.set_start_method("fork")  # the children share the parent's imports
    with tempfile.TemporaryDirectory(prefix="saver-bench-") as folder:
        url = f"sqlite:///{folder}/saver.db"
        app = make_app(url)
        with app.app_context():
            db.create_all()
            pool.seed()
            db.engine.dispose()  # no connection crosses the fork
        rows = {f"{p}x{t}": run(url, p, t, options.seconds) for p, t in layouts}
        with app.app_context(), reading() as connection:
            counts = pool.counts(connection)
    print(f"{'layout':<8}{'writes/s':>10}{'÷ Nx1':>8}{'p50 ms':>9}{'p99 ms':>9}{'failed':>8}")
    for name, row in rows.items():
        single = rows.get(name.split("x")[0] + "x1")
        ratio = f"{row['writes_per_s'] / single['writes_per_s']:.0%}" if single else "-"
        print(f"{name:<8}{row['writes_per_s']:>10.0f}{ratio:>8}{row['p50_ms']:>9.2f}"
              f"{row['p99_ms']:>9.1f}{row['failures']:>8}")
    conserved = sum(counts.values()) == SPACE
    print(f"pool {'conserved' if conserved else 'NOT conserved'}: {json.dumps(counts)}")
    failed = any(row["failures"] for row in rows.values())
    return 0 if conserved and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
