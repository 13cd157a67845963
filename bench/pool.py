"""Benchmark the code pool on SQLite and PostgreSQL; prints one table.

    python bench/pool.py [--databases sqlite,postgresql] [--allocations 3000]

Seeding the full pool (beside a plain sqlite3 executemany of the same rows),
allocations per second at 0 %, 50 % and 99.9 % of the pool in use (beside
the ``ORDER BY RANDOM()`` pick), and sweeping 100,000 expired texts.
Works on throw-away databases: a temporary SQLite file and a PostgreSQL schema.
"""
import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import timedelta

from sqlalchemy import create_engine, delete, insert, text

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from saver import create_app, pool, texts  # noqa: E402
from saver.codes import SPACE  # noqa: E402
from saver.db import writing  # noqa: E402
from saver.extensions import db  # noqa: E402
from saver.models import FreeCode, Text, utcnow  # noqa: E402

POSTGRES = os.environ.get("SAVER_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_pool"
SWEPT = 100_000


def timed(action):
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def plain_sqlite_seed(folder):
    """The floor: sqlite3 executemany of the same random tickets, no app at all."""
    connection = sqlite3.connect(os.path.join(folder, "plain.db"))
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE free_codes (ticket INTEGER PRIMARY KEY)")
    rows = sorted((random.getrandbits(40) << 23 | code,) for code in range(SPACE))
    seconds, _ = timed(lambda: (connection.executemany(
        "INSERT INTO free_codes VALUES (?)", rows), connection.commit()))
    connection.close()
    return seconds


def allocation_rate(count):
    """Allocations per second, each in its own write transaction."""
    def run():
        for _ in range(count):
            with writing() as connection:
                pool.allocate(connection, 1)
    seconds, _ = timed(run)
    return count / seconds


def random_pick_rate(count):
    """The old way: ORDER BY RANDOM() over the whole pool."""
    def run():
        for _ in range(count):
            with writing() as connection:
                connection.execute(text(
                    "DELETE FROM free_codes WHERE ticket = "
                    "(SELECT ticket FROM free_codes ORDER BY RANDOM() LIMIT 1)"))
    seconds, _ = timed(run)
    return count / seconds


def leave_free(fraction):
    """Remove pool rows (as if their codes were live) until ``fraction`` is free."""
    keep_every = round(1 / fraction)
    with writing() as connection:
        connection.execute(delete(FreeCode).where(
            text(f"(ticket & {FreeCode.CODE_MASK}) % {keep_every} != 0")))


def sweep_seconds():
    """Write SWEPT expired texts directly, then time one full sweep of them."""
    now = utcnow()
    with writing() as connection:
        connection.execute(delete(FreeCode).where(
            text(f"(ticket & {FreeCode.CODE_MASK}) < {SWEPT}")))
        connection.execute(insert(Text), [
            {"code": code, "body": b"x" * 64, "created_at": now - timedelta(hours=2),
             "expires_at": now - timedelta(hours=1), "views": 0, "delete_token_hash": "0" * 64,
             "failed_attempts": 0} for code in range(SWEPT)])
    seconds, (ended, _) = timed(texts.sweep)
    assert ended == SWEPT, ended
    return seconds


def bench(url, allocations):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                      "SAVER_CODE_COOLDOWN": 86400})
    figures = {}
    with app.app_context():
        db.create_all()
        figures["seed_s"], added = timed(pool.seed)
        assert added == SPACE
        figures["reseed_s"], _ = timed(pool.seed)
        figures["alloc_0"] = allocation_rate(allocations)
        figures["random_0"] = random_pick_rate(3)
        leave_free(0.5)
        figures["alloc_50"] = allocation_rate(allocations)
        leave_free(0.001)
        figures["alloc_999"] = allocation_rate(allocations)
        db.session.execute(delete(FreeCode))
        db.session.commit()
        figures["sweep_s"] = sweep_seconds()
        db.session.remove()
        db.engine.dispose()
    return figures


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
    parser.add_argument("--allocations", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="saver-bench-") as folder:
        plain = plain_sqlite_seed(folder)
        print(f"plain sqlite3 executemany of {SPACE:,} rows: {plain:.1f} s")
        header = (f"{'database':<11}{'seed s':>8}{'÷plain':>8}{'reseed s':>9}"
                  f"{'alloc/s 0%':>12}{'50%':>9}{'99.9%':>9}{'99.9÷0':>8}"
                  f"{'RANDOM()/s':>11}{'sweep 100k s':>13}")
        rows = []
        for name in args.databases.split(","):
            url = f"sqlite:///{folder}/bench.db" if name == "sqlite" else postgres_url()
            f = bench(url, args.allocations)
            rows.append(f"{name:<11}{f['seed_s']:>8.1f}{f['seed_s'] / plain:>8.2f}"
                        f"{f['reseed_s']:>9.2f}{f['alloc_0']:>12,.0f}{f['alloc_50']:>9,.0f}"
                        f"{f['alloc_999']:>9,.0f}{f['alloc_999'] / f['alloc_0']:>8.2f}"
                        f"{f['random_0']:>11.2f}{f['sweep_s']:>13.2f}")
        print(header, *rows, sep="\n")


if __name__ == "__main__":
    main()
