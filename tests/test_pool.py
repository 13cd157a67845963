"""The full pool of 7,311,616 codes: seeding, conservation, concurrency (both databases).

The database here is built by running the migrations, not ``create_all``.
"""
import contextlib
import multiprocessing
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import update

from saver import create_app, pool, texts
from saver.codes import SPACE
from saver.db import reading
from saver.extensions import db
from saver.models import RestingCode, Text, utcnow

from services import FULL_POOL_SETTINGS, postgres_schema

WORKERS = 4


def make_app(url):
    return create_app({**FULL_POOL_SETTINGS, "SQLALCHEMY_DATABASE_URI": url})


def write_many(url, count):
    """Worker: write ``count`` texts and return their codes."""
    app = make_app(url)
    with app.app_context():
        return [texts.write(f"text {i}", password="pw" if i % 10 == 0 else None).code
                for i in range(count)]


def sweep_once(url):
    """Worker: run one sweep and return (ended, released)."""
    with make_app(url).app_context():
        return texts.sweep()


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """One database per engine, migrated and seeded with the full pool once per run."""
    made = {}
    with contextlib.ExitStack() as cleanup:
        def get(kind):
            if kind not in made:
                made[kind] = _full_database(kind, tmp_path_factory, cleanup)
            return made[kind]
        yield get


def _full_database(kind, tmp_path_factory, cleanup):
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('full') / 'saver.db'}"
    else:
        url = cleanup.enter_context(postgres_schema("full_"))
    app = make_app(url)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        seen = []
        added = pool.seed(progress=seen.append)
        print(f"\n{kind}: seeded {added} codes in {time.perf_counter() - started:.1f} s")
        assert added == SPACE and sum(seen) == SPACE
        db.engine.dispose()

    def close():
        with app.app_context():
            db.engine.dispose()
    cleanup.callback(close)  # before the schema is dropped: the stack unwinds last first
    return app, url


@pytest.fixture(params=["sqlite", "postgresql"])
def full_app(request, full):
    return full(request.param)


def counts(app):
    with app.app_context(), reading() as connection:
        found = pool.counts(connection)
    assert sum(found.values()) == SPACE, found
    return found


def test_seeding_again_adds_nothing(full_app):
    app, _ = full_app
    with app.app_context():
        assert pool.seed() == 0
    assert counts(app)["free"] == SPACE


def test_concurrent_writers_never_share_a_code(full_app):
    app, url = full_app
    before = counts(app)
    with multiprocessing.get_context("spawn").Pool(WORKERS) as workers:
        batches = workers.starmap(write_many, [(url, 150)] * WORKERS)
    codes = [code for batch in batches for code in batch]
    assert len(codes) == len(set(codes)) == WORKERS * 150
    after = counts(app)
    assert after["live"] == before["live"] + len(codes)
    with app.app_context():
        for code in codes[::37]:
            assert texts.load(code, "pw").text.startswith("text ")


def test_two_sweeps_at_once_move_each_code_exactly_once(full_app):
    app, url = full_app
    with app.app_context():
        app.config["SAVER_SWEEP_BATCH"] = 100
        for _ in range(1000):
            texts.write("soon gone")
        now = utcnow()
        db.session.execute(update(Text).values(expires_at=now))
        db.session.commit()
        expired = db.session.query(Text).count()
    before = counts(app)
    with multiprocessing.get_context("spawn").Pool(2) as workers:
        results = workers.map(sweep_once, [url, url])
    assert sum(ended for ended, _ in results) == expired
    after = counts(app)
    assert after["live"] == 0 and after["resting"] == before["resting"] + expired
    with app.app_context():
        db.session.execute(update(RestingCode).values(until=now))
        db.session.commit()
    with multiprocessing.get_context("spawn").Pool(2) as workers:
        results = workers.map(sweep_once, [url, url])
    assert sum(released for _, released in results) == after["resting"]
    assert counts(app) == {"free": SPACE, "live": 0, "resting": 0}


def test_allocation_spreads_over_the_whole_space(full_app):
    app, _ = full_app
    with app.app_context():
        codes = [texts.write("spread").code for _ in range(400)]
    first_letters = {code[0] for code in codes}
    assert len(first_letters) > 35  # 52 possible; a sequential pick would give 1
    assert len({code[0].isupper() for code in codes}) == 2
