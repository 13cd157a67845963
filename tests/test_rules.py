"""Expiry, cool-down, lockout and encryption at rest, with a controlled clock."""
import threading
from datetime import datetime, timezone

import pytest
import time_machine

from sqlalchemy import text

from saver import pool, texts
from saver.codes import to_number
from saver.errors import PoolExhausted
from saver.extensions import db
from saver.models import RestingCode, Text

START = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def write(client, **fields):
    response = client.post("/api/v1/texts", json={"text": "hello", **fields})
    assert response.status_code == 201, response.json
    return response.json


def test_expired_text_is_never_served_even_before_a_sweep(client, clock, conserved):
    code = write(client, expires_in=60)["code"]
    clock.shift(59)
    assert client.get(f"/api/v1/texts/{code}").status_code == 200
    clock.shift(1)
    response = client.get(f"/api/v1/texts/{code}")
    assert response.status_code == 410 and response.json["error"] == "expired"
    assert client.get(f"/{code}").status_code == 410
    # the read erased it at once: the code rests, the body is gone
    assert conserved() == {"free": 2703, "live": 0, "resting": 1}


def test_code_rests_then_returns_to_the_pool(app, client, clock, conserved, runner):
    app.config["SAVER_CODE_COOLDOWN"] = 3600
    code = write(client, expires_in=60)["code"]
    clock.shift(61)
    assert "Ended 1 expired texts; returned 0" in runner.invoke(args=["sweep"]).output
    assert conserved() == {"free": 2703, "live": 0, "resting": 1}
    clock.shift(3598)
    runner.invoke(args=["sweep"])
    assert client.get(f"/api/v1/texts/{code}").status_code == 410
    clock.shift(2)
    assert "returned 1 rested codes" in runner.invoke(args=["sweep"]).output
    assert conserved() == {"free": 2704, "live": 0, "resting": 0}
    assert client.get(f"/api/v1/texts/{code}").status_code == 404


def test_deleted_body_is_erased_at_once(app, client):
    body = write(client, text="erase me")
    client.delete(f"/api/v1/texts/{body['code']}", headers={"X-Delete-Token": body["delete_token"]})
    with app.app_context():
        assert db.session.get(Text, to_number(body["code"])) is None
        assert db.session.get(RestingCode, to_number(body["code"])) is not None


def test_protected_body_is_encrypted_at_rest(app, client):
    code = write(client, text="the plain secret", password="pw")["code"]
    with app.app_context():
        row = db.session.get(Text, to_number(code))
        assert b"the plain secret" not in row.body
        assert "pw" not in row.password_hash.split("$")
        assert row.password_hash.startswith("scrypt$")


def test_wrong_passwords_lock_the_code(app, client, clock):
    app.config.update(SAVER_LOCKOUT_ATTEMPTS=3, SAVER_LOCKOUT_SECONDS=600)
    code = write(client, password="right")["code"]
    path = f"/api/v1/texts/{code}"
    for _ in range(3):
        assert client.get(path, headers={"X-Password": "wrong"}).status_code == 403
    locked = client.get(path, headers={"X-Password": "right"})
    assert locked.status_code == 423 and locked.json["error"] == "locked"
    assert int(locked.headers["Retry-After"]) == 600
    clock.shift(599)
    assert client.get(path, headers={"X-Password": "right"}).status_code == 423
    clock.shift(1)
    assert client.get(path, headers={"X-Password": "right"}).json["text"] == "hello"


def test_lockout_is_shared_by_the_old_endpoint(app, client):
    app.config.update(SAVER_LOCKOUT_ATTEMPTS=2)
    code = write(client, password="right")["code"]
    for _ in range(2):
        assert client.post("/load/", json={"ldcode": code, "ldpassword": "x"}).json["message"] \
            == "pw not match"
    response = client.post("/load/", json={"ldcode": code, "ldpassword": "right"})
    assert response.status_code == 423 and response.json["status"] == "error"
    assert "Retry-After" in response.headers


def test_expires_at_is_whole_seconds_utc(client, clock):
    body = write(client, expires_in=90)
    assert body["expires_at"] == "2026-01-01T12:01:30Z"


def test_sweep_ends_only_expired_texts(app, client, clock, runner, conserved):
    codes = [write(client, expires_in=60 * (i + 1))["code"] for i in range(6)]
    clock.shift(60 * 3)
    runner.invoke(args=["sweep"])
    assert conserved() == {"free": 2698, "live": 3, "resting": 3}
    assert [client.get(f"/api/v1/texts/{c}").status_code for c in codes] == [410] * 3 + [200] * 3


def test_sweep_works_in_bounded_batches(app, client, clock, conserved):
    app.config["SAVER_SWEEP_BATCH"] = 7
    app.config["SAVER_CODE_COOLDOWN"] = 0
    for _ in range(30):
        write(client, expires_in=60)
    clock.shift(61)
    with app.app_context():
        assert texts.sweep() == (30, 30)
    assert conserved() == {"free": 2704, "live": 0, "resting": 0}


def test_purge_ends_a_text(app, client, runner, conserved):
    code = write(client)["code"]
    result = runner.invoke(args=["purge", code])
    assert result.exit_code == 0 and f"Purged the text under {code}" in result.output
    assert client.get(f"/api/v1/texts/{code}").status_code == 410
    again = runner.invoke(args=["purge", code])
    assert again.exit_code == 1 and "No live text" in again.output
    bad = runner.invoke(args=["purge", "x'; --"])
    assert bad.exit_code == 1 and "No text has this code" in bad.output
    assert conserved()["resting"] == 1


@pytest.fixture
def tiny_pool(settings):
    settings["SAVER_CODE_SPACE"] = 60


def test_pool_exhausted_is_503(tiny_pool, app, client, conserved):
    codes = {write(client)["code"] for _ in range(60)}
    assert len(codes) == 60
    response = client.post("/api/v1/texts", json={"text": "one too many"})
    assert response.status_code == 503 and response.json["error"] == "pool_exhausted"
    old = client.post("/write/", json={"wrtext": "x", "wrpassword": "", "wrdelete_at": "1h"})
    assert old.status_code == 503 and old.json["status"] == "error"
    assert conserved() == {"free": 0, "live": 60, "resting": 0}


def test_writers_at_once_share_out_the_last_codes(tiny_pool, app, conserved):
    for _ in range(52):
        app.test_client().post("/api/v1/texts", json={"text": "filler"})
    statuses, codes = [], []

    def post(index):
        response = app.test_client().post("/api/v1/texts", json={
            "text": f"racer {index}", "password": "pw" if index % 2 else ""})
        statuses.append(response.status_code)
        if response.status_code == 201:
            codes.append((response.json["code"], index))

    racers = [threading.Thread(target=post, args=(index,)) for index in range(16)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(30)
    assert sorted(statuses) == [201] * 8 + [503] * 8
    assert len({code for code, _ in codes}) == 8
    assert conserved() == {"free": 0, "live": 60, "resting": 0}
    with app.app_context():  # each text under its own code, protected ones decryptable
        for code, index in codes:
            assert texts.load(code, "pw" if index % 2 else None).text == f"racer {index}"


def test_seeding_repairs_a_partial_pool_and_skips_codes_in_use(app, client, clock, conserved):
    app.config["SAVER_CODE_COOLDOWN"] = 60
    live = write(client)["code"]
    ended = write(client, expires_in=60)["code"]
    clock.shift(60)
    assert client.get(f"/api/v1/texts/{ended}").status_code == 410
    with app.app_context():
        lost = db.session.execute(text(
            "DELETE FROM free_codes WHERE ticket IN "
            "(SELECT ticket FROM free_codes ORDER BY ticket LIMIT 100)")).rowcount
        db.session.commit()
        assert lost == 100
        assert pool.seed() == 100
        assert pool.seed() == 0
    assert conserved() == {"free": 2702, "live": 1, "resting": 1}
    assert client.get(f"/api/v1/texts/{live}").status_code == 200


def test_two_seeders_and_a_writer_at_once_seed_each_code_once(app, conserved):
    with app.app_context():
        db.session.execute(text("DELETE FROM free_codes"))
        db.session.commit()
    added, seen, written = [], [], []

    def seeder():
        with app.app_context():
            added.append(pool.seed(progress=seen.append))

    def writer():  # the pool is empty until a seeder commits
        with app.app_context():
            while not written:
                try:
                    written.append(texts.write("early bird").code)
                except PoolExhausted:
                    pass

    threads = [threading.Thread(target=target) for target in (seeder, seeder, writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(added) == [0, 2704] and sum(seen) == 2 * 2704
    assert conserved() == {"free": 2703, "live": 1, "resting": 0}
    with app.app_context():
        assert texts.load(written[0]).text == "early bird"
