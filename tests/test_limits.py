"""Rate limits: JSON 429 with Retry-After, in memory and in the real Redis."""
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
from limits import parse
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter

from services import REDIS_URL


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


@pytest.mark.servers
def test_redis_limits_are_shared_between_processes(redis_limited, app, client, database_url,
                                                   client_address):
    client.environ_base["REMOTE_ADDR"] = client_address
    assert [post(client).status_code for _ in range(2)] == [201, 201]
    answers, log = in_another_process(redis_limited, database_url, client_address)
    assert [status for status, _, _ in answers] == [201], log
    assert_429(post(client))


@pytest.mark.servers
def test_counts_are_limits_fixed_windows_in_redis(redis_limited, client, client_address):
    client.environ_base["REMOTE_ADDR"] = client_address
    code = post(client).json["code"]
    assert [client.get(f"/api/v1/texts/{code}").status_code for _ in range(3)] == [200] * 3
    # Flask-Limiter's keys: its prefix, the client, the shared limit's scope.
    storage = RedisStorage(REDIS_URL)
    window = FixedWindowRateLimiter(storage).get_window_stats(
        parse("6/minute"), "saver", client_address, "read")
    assert window.remaining == 6 - 3 and 0 < window.reset_time - time.time() <= 60
    assert [client.get("/api/v1/texts/zzzz").status_code for _ in range(2)] == [404, 404]
    assert_429(client.get("/api/v1/texts/zzzy"))  # the miss limit, 2/minute, tested in Redis
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
def test_limits_hold_in_memory_while_their_store_is_down(limited, client, dead_store,
                                                         client_address):
    # In a process of its own: Flask-Limiter keeps "the store is down" for the
    # life of its Limiter, which every app of this process shares.
    answers, log = in_another_process({**limited, "RATELIMIT_STORAGE_URI": dead_store},
                                      client.application.config["SQLALCHEMY_DATABASE_URI"],
                                      client_address, requests=4)
    assert [status for status, _, _ in answers] == [201] * 3 + [429]
    _, retry_after, mimetype = answers[-1]
    assert mimetype == "application/json" and 0 < int(retry_after) <= 60
    warnings = [line for line in log.splitlines() if "falling back to in-memory storage" in line]
    assert len(warnings) == 1, log  # then Flask-Limiter tries the store now and then


def in_another_process(settings, database_url, client_address, requests=1):
    """Write ``requests`` texts through an app in a new process; return its answers and log.

    Each answer is ``(status, Retry-After, mimetype)``; the log holds its warnings.
    """
    script = textwrap.dedent(f"""
        import json, logging
        from saver import create_app
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
        app = create_app({{**{settings!r}, "SQLALCHEMY_DATABASE_URI": {database_url!r}}})
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = {client_address!r}
        answers = [client.post("/api/v1/texts", json={{"text": "t"}}) for _ in range({requests})]
        print(json.dumps([[a.status_code, a.headers.get("Retry-After"), a.mimetype]
                          for a in answers]))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True,
                            text=True, timeout=60, env=os.environ.copy())
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def test_a_click_on_the_code_load_counts_one_read(limited, client, make_app):
    # POST /load is the old popup's route handing over to the reveal of the code "load".
    limited["SAVER_LIMIT_MISS"] = "100/minute"
    fresh = make_app({**limited, "SQLALCHEMY_DATABASE_URI": client.application.config[
        "SQLALCHEMY_DATABASE_URI"]}).test_client()
    statuses = [fresh.post("/load", headers={"Accept": "application/json"}).status_code
                for _ in range(7)]
    assert statuses == [404] * 6 + [429]


@pytest.mark.parametrize("store", ["memory://", pytest.param(REDIS_URL, marks=pytest.mark.servers)])
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


@pytest.mark.parametrize("store", ["memory://", pytest.param(REDIS_URL, marks=pytest.mark.servers)])
def test_an_action_a_limit_refuses_is_not_counted_by_the_limits_after_it(
        limited, client, client_address, store, make_app):
    app = make_app({**limited, "SAVER_LIMIT_WRITE": "2/second;3/hour",
                    "RATELIMIT_STORAGE_URI": store,
                    "SQLALCHEMY_DATABASE_URI": client.application.config[
                        "SQLALCHEMY_DATABASE_URI"]})
    writer = app.test_client()
    writer.environ_base["REMOTE_ADDR"] = client_address
    assert [post(writer).status_code for _ in range(2)] == [201, 201]
    refused = post(writer)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"  # by the second, before the hour counts it
    time.sleep(1.1)
    assert post(writer).status_code == 201  # the hour's third
    refused = post(writer)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 3000


def test_a_client_is_its_ipv6_network(limited, client):
    """Every address of one /64 is one client; another /64 is another one."""
    def miss(address):
        return client.get("/api/v1/texts/zzzz", environ_base={"REMOTE_ADDR": address})
    assert [miss(f"2001:db8:1:2::{i:x}").status_code for i in range(2)] == [404, 404]
    assert_429(miss("2001:db8:1:2:ffff:ffff:ffff:ffff"))  # same /64, the third miss
    assert miss("2001:db8:1:3::1").status_code == 404  # the next /64
    assert miss("192.0.2.7").status_code == 404
    assert miss("::ffff:192.0.2.7").status_code == 404  # the same IPv4 client
    assert_429(miss("192.0.2.7"))


def test_the_ipv6_prefix_is_a_setting(limited, client, make_app):
    app = make_app({**limited, "SAVER_IPV6_PREFIX": 48,
                    "SQLALCHEMY_DATABASE_URI": client.application.config[
                        "SQLALCHEMY_DATABASE_URI"]})
    other = app.test_client()
    statuses = [other.get("/api/v1/texts/zzzz",
                          environ_base={"REMOTE_ADDR": f"2001:db8:7:{i:x}::1"}).status_code
                for i in range(3)]
    assert statuses == [404, 404, 429]


def test_the_miss_budget_of_the_whole_service_holds_against_many_clients(limited, client):
    client.application.config["SAVER_LIMIT_MISS_GLOBAL"] = "5/minute"
    statuses = [client.get("/api/v1/texts/zzzz",
                           environ_base={"REMOTE_ADDR": f"198.51.100.{i}"})
                for i in range(40)]
    assert [answer.status_code for answer in statuses[:5]] == [404] * 5
    for refused in statuses[5:]:
        assert_429(refused)
        assert refused.json["error"] == "busy"
    old = client.post("/load/", json={"ldcode": "zzzz", "ldpassword": ""},
                      environ_base={"REMOTE_ADDR": "203.0.113.1"})
    assert old.status_code == 429 and old.json["status"] == "error"
    assert "busy" in old.json["message"]


def test_the_write_budget_of_the_whole_service_holds_against_many_clients(
        limited, client, conserved):
    client.application.config["SAVER_LIMIT_WRITE_GLOBAL"] = "4/minute"
    statuses = [client.post("/api/v1/texts", json={"text": "t"},
                            environ_base={"REMOTE_ADDR": f"198.51.100.{i}"})
                for i in range(10)]
    assert [answer.status_code for answer in statuses] == [201] * 4 + [429] * 6
    assert all(answer.json["error"] == "busy" for answer in statuses[4:])
    assert 0 < int(statuses[-1].headers["Retry-After"]) <= 60
    assert conserved()["live"] == 4


def test_the_health_check_is_limited_like_reads(limited, client):
    statuses = [client.get("/api/v1/health").status_code for _ in range(7)]
    assert statuses == [200] * 6 + [429]  # SAVER_LIMIT_READ: 6/minute
