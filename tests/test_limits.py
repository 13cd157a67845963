"""Rate limits: JSON 429 with Retry-After, in memory and in the real Redis."""
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest
import time_machine
from limits import parse
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter
from redis import Redis

from services import REDIS_URL
from saver.errors import RateLimited
from saver.limits import Limits, ProcessCounts


@pytest.fixture
def limited(settings):
    settings.update(RATELIMIT_ENABLED=True, SAVER_LIMIT_WRITE="3/minute",
                    SAVER_LIMIT_READ="6/minute", SAVER_LIMIT_MISS="2/minute")
    return settings


@pytest.fixture
def redis_limited(limited):
    limited["RATELIMIT_STORAGE_URI"] = REDIS_URL
    return limited


@pytest.fixture
def client_address():
    """A client address of this test's own, so counts left in Redis by other runs don't apply."""
    return "10.%d.%d.%d" % tuple(uuid.uuid4().bytes[:3])


def post(client, path="/api/v1/texts"):
    if path == "/write/":
        return client.post(path, json={"wrtext": "t", "wrpassword": "", "wrdelete_at": "1h"})
    return client.post(path, json={"text": "t"})


def assert_429(response):
    assert response.status_code == 429
    assert response.mimetype == "application/json"
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_writes_are_limited_across_the_api_and_the_old_endpoint(limited, client, conserved):
    assert [post(client).status_code for _ in range(2)] == [201, 201]
    assert post(client, "/write/").status_code == 200
    limited_api = post(client)
    assert_429(limited_api)
    assert limited_api.json["error"] == "rate_limited"
    limited_old = post(client, "/write/")
    assert_429(limited_old)
    assert limited_old.json["status"] == "error"
    assert conserved()["live"] == 3


def test_reads_are_limited(limited, client):
    code = post(client).json["code"]
    statuses = [client.get(f"/api/v1/texts/{code}").status_code for _ in range(7)]
    assert statuses == [200] * 6 + [429]
    assert_429(client.get(f"/{code}"))


def test_misses_are_limited_tighter_than_hits(limited, client):
    code = post(client).json["code"]
    assert [client.get(f"/api/v1/texts/{code}").status_code for _ in range(3)] == [200] * 3
    assert [client.get("/api/v1/texts/zzzz").status_code for _ in range(2)] == [404, 404]
    assert_429(client.get("/api/v1/texts/zzzy"))
    old = client.post("/load/", json={"ldcode": code, "ldpassword": ""})
    assert old.status_code == 429 and old.json["status"] == "error"


def test_old_not_exist_answers_count_as_misses(limited, client):
    for _ in range(2):
        assert client.post("/load/", json={"ldcode": "zzzz", "ldpassword": ""}).json[
            "message"] == "not exist"
    assert_429(client.post("/load/", json={"ldcode": "zzzz", "ldpassword": ""}))


def test_preflights_do_not_count(limited, client):
    for _ in range(10):
        assert client.options("/api/v1/texts", headers={
            "Origin": "chrome-extension://x", "Access-Control-Request-Method": "POST"}
        ).status_code == 200
    assert post(client).status_code == 201


def test_limits_can_be_switched_off(limited, client, make_app):
    # The switch is read at start-up: build a second app on the same database
    app = make_app({**limited, "RATELIMIT_ENABLED": "false",
                    "SQLALCHEMY_DATABASE_URI": client.application.config[
                        "SQLALCHEMY_DATABASE_URI"]})
    other = app.test_client()
    assert [post(other).status_code for _ in range(5)] == [201] * 5


def test_redis_limits_are_shared_between_processes(redis_limited, app, client, database_url,
                                                   client_address):
    client.environ_base["REMOTE_ADDR"] = client_address
    assert [post(client).status_code for _ in range(2)] == [201, 201]
    other_process = textwrap.dedent(f"""
        from saver import create_app
        app = create_app({{**{redis_limited!r}, "SQLALCHEMY_DATABASE_URI": {database_url!r}}})
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = {client_address!r}
        print(client.post("/api/v1/texts", json={{"text": "t"}}).status_code)
    """)
    result = subprocess.run([sys.executable, "-c", other_process], capture_output=True,
                            text=True, timeout=60, env=os.environ.copy())
    assert result.stdout.strip() == "201", result.stderr
    assert_429(post(client))


def test_a_request_counts_its_limits_in_redis_in_one_round_trip_as_limits_does(
        redis_limited, client, client_address):
    client.environ_base["REMOTE_ADDR"] = client_address
    code = post(client).json["code"]
    redis = Redis.from_url(REDIS_URL)

    def calls():  # of each command Redis has run
        return {name: stats["calls"] for name, stats in redis.info("commandstats").items()}

    before = calls()
    assert [client.get(f"/api/v1/texts/{code}").status_code for _ in range(3)] == [200] * 3
    ran = {name: count - before.get(name, 0) for name, count in calls().items()}
    # One EVALSHA a read; its script ran the INCR of the read limit (and the
    # EXPIRE that starts its window), and the GET of the miss limit. The INFO
    # is this test's.
    assert {name: count for name, count in ran.items() if count} == {
        "cmdstat_evalsha": 3, "cmdstat_incr": 3, "cmdstat_expire": 1, "cmdstat_get": 3,
        "cmdstat_info": 1}
    # The counts are limits' own fixed windows, under its keys.
    storage = RedisStorage(REDIS_URL)
    window = FixedWindowRateLimiter(storage).get_window_stats(
        parse("6/minute"), "read", "http", client_address)
    assert window.remaining == 6 - 3 and 0 < window.reset_time - time.time() <= 60
    assert [client.get("/api/v1/texts/zzzz").status_code for _ in range(2)] == [404, 404]
    assert_429(client.get("/api/v1/texts/zzzy"))  # the miss limit, 2/minute, tested in Redis
    redis.close()
    storage.get_connection().close()


@pytest.mark.parametrize("proxies, separate", [(0, False), (1, True)])
def test_clients_behind_a_trusted_proxy_get_their_own_limits(limited, database_url, proxies,
                                                             separate, make_app):
    app = make_app({**limited, "SAVER_PROXY_COUNT": proxies,
                    "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        from saver import pool
        from saver.extensions import db
        db.create_all()
        pool.seed()
    client = app.test_client()
    statuses = [client.post("/api/v1/texts", json={"text": "t"},
                            headers={"X-Forwarded-For": f"192.0.2.{i % 2}"}).status_code
                for i in range(6)]
    assert statuses == ([201] * 6 if separate else [201] * 3 + [429] * 3)


@pytest.fixture(params=["refusing", "silent"])
def dead_store(request):
    """A Redis URL on loopback where nothing answers: refused, or accepted and never answered."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        if request.param == "silent":
            sock.listen(16)  # the kernel takes the connections; no reply ever comes
        yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"


@pytest.mark.timeout(60)  # a store that never answers must not hold requests
def test_limits_hold_in_memory_while_their_store_is_down(limited, client, dead_store, caplog,
                                                         make_app):
    app = make_app({**limited, "RATELIMIT_STORAGE_URI": dead_store,
                    "SQLALCHEMY_DATABASE_URI": client.application.config[
                        "SQLALCHEMY_DATABASE_URI"]})
    other = app.test_client()
    assert [post(other).status_code for _ in range(3)] == [201] * 3
    assert_429(post(other))
    warnings = [r.getMessage() for r in caplog.records if "store is down" in r.getMessage()]
    assert len(warnings) == 1, warnings  # then the shared store rests for RETRY_SHARED_AFTER


def test_a_click_on_the_code_load_counts_one_read(limited, client, make_app):
    # POST /load is the old popup's route handing over to the reveal of the code "load".
    limited["SAVER_LIMIT_MISS"] = "100/minute"
    fresh = make_app({**limited, "SQLALCHEMY_DATABASE_URI": client.application.config[
        "SQLALCHEMY_DATABASE_URI"]}).test_client()
    statuses = [fresh.post("/load", headers={"Accept": "application/json"}).status_code
                for _ in range(7)]
    assert statuses == [404] * 6 + [429]


@pytest.mark.parametrize("store", ["memory://", REDIS_URL])
def test_scopes_with_the_same_limit_are_counted_apart(limited, client, client_address, store,
                                                      make_app):
    app = make_app({**limited, "SAVER_LIMIT_READ": "3/minute", "RATELIMIT_STORAGE_URI": store,
                    "SQLALCHEMY_DATABASE_URI": client.application.config[
                        "SQLALCHEMY_DATABASE_URI"]})
    same = app.test_client()
    same.environ_base["REMOTE_ADDR"] = client_address
    codes = [post(same).json["code"] for _ in range(3)]  # the write limit, 3/minute, used up
    assert [same.get(f"/api/v1/texts/{code}").status_code for code in codes] == [200] * 3
    assert_429(post(same))
    assert_429(same.get(f"/api/v1/texts/{codes[0]}"))


@pytest.mark.parametrize("store", ["memory://", REDIS_URL])
def test_an_action_a_limit_refuses_is_not_counted_by_the_limits_after_it(store, client_address):
    limits = Limits({"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": store,
                     "SAVER_LIMIT_WRITE": "2/second;3/hour", "SAVER_LIMIT_READ": "1/hour",
                     "SAVER_LIMIT_MISS": "1/hour"})
    who = ("test", client_address)
    limits.count(who, hit=("write",))
    limits.count(who, hit=("write",))
    with pytest.raises(RateLimited) as refused:
        limits.count(who, hit=("write",))
    assert refused.value.retry_after == 1  # refused by the second, before the hour counts it
    time.sleep(1.1)
    limits.count(who, hit=("write",))  # the hour's third
    with pytest.raises(RateLimited) as refused:
        limits.count(who, hit=("write",))
    assert refused.value.retry_after > 3000
    if store != "memory://":
        limits.shared.storage.get_connection().close()


def test_counts_in_memory_start_over_after_their_window_and_are_swept():
    counts = ProcessCounts()
    three, one = parse("3/minute"), parse("1/10 seconds")
    with time_machine.travel(0, tick=False) as traveller:
        assert [counts.count([("a", three)], []) for _ in range(3)] == [None] * 3
        assert counts.count([], [("a", three)]) == ("a", three)  # a test counts nothing
        assert counts.count([("a", three)], []) == ("a", three)
        assert counts.expiry("a") == 60
        traveller.shift(60)
        assert counts.count([], [("a", three)]) is None  # its window is over
        assert counts.count([("a", three)], []) is None
        counts.count([("b", one)], [])
        traveller.shift(ProcessCounts.SWEEP_EVERY)
        counts.count([("c", one)], [])  # sweeps: a and b are past their windows
        assert len(counts) == 1  # only c is still held


def test_counting_in_memory_starts_no_thread(limited, client):
    threads = threading.active_count()
    for _ in range(50):
        client.get("/api/v1/texts/aaaa")
    assert threading.active_count() == threads
