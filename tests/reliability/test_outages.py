"""The database or the limiter's Redis goes away under load, then comes back.

PostgreSQL down: every answer is a 503 JSON error (health included), never
a 500 or HTML, and the service recovers by itself. Redis down: the service
keeps serving, counts rate limits in each process's memory and logs a warning.
These servers are the suite's own; the shared ones are never touched.
"""
import threading
import time
from collections import Counter

import requests

from saver import pool
from saver.extensions import db
from services import SMALL_SPACE
from support import is_json_error, make_app, report, scale


def prepare(url):
    """Make the tables and a small pool (the outage is the point, not the pool)."""
    app = make_app(url, SAVER_CODE_SPACE=SMALL_SPACE)
    with app.app_context():
        db.create_all()
        pool.seed()
        db.engine.dispose()


class Load:
    """Client threads writing, reading and asking for health, tallying every answer."""

    def __init__(self, server, threads=4):
        self.base = server.url
        code = requests.post(f"{self.base}/api/v1/texts", json={"text": "kept"}).json()["code"]
        self.paths = [("POST", "/api/v1/texts"), ("GET", f"/api/v1/texts/{code}"),
                      ("GET", "/api/v1/health"), ("GET", f"/{code}")]
        self.answers, self.bad, self.successes = Counter(), [], []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]
        for thread in self.threads:
            thread.start()

    def _run(self, offset):
        session = requests.Session()
        step = offset
        while not self.stopping.is_set():
            method, path = self.paths[step % len(self.paths)]
            step += 1
            response = session.request(method, self.base + path, timeout=30,
                                       json={"text": "during"} if method == "POST" else None)
            self.answers[response.status_code] += 1
            if response.status_code < 300:
                self.successes.append(time.monotonic())
            elif response.status_code != 503 or not is_json_error(response):
                self.bad.append((path, response.status_code, response.text[:200]))

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def recovered_since(self, moment, seconds=30):
        """Seconds from ``moment`` to the first success after it."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            later = [t for t in self.successes[-50:] if t > moment]
            if later:
                return min(later) - moment
            time.sleep(0.02)
        raise AssertionError(f"no success within {seconds} s")


def test_postgresql_outage_answers_503_and_recovers(private_postgres, app_servers):
    url = private_postgres.url
    prepare(url)
    server = app_servers(DATABASE_URL=url)
    load = Load(server)
    outages, recoveries = scale(2, 10), []
    try:
        for _ in range(outages):
            time.sleep(1)
            private_postgres.stop()
            down = load.answers.copy()
            time.sleep(2)
            health = requests.get(f"{server.url}/api/v1/health", timeout=30)
            assert health.status_code == 503 and health.json()["error"], health.text
            during = load.answers - down
            private_postgres.start()
            recoveries.append(load.recovered_since(time.monotonic()))
            assert during[503] > 0, during
    finally:
        load.stop()
    report("outage postgresql", outages=outages, requests=sum(load.answers.values()),
           answers=dict(load.answers), fivexx_not_503=sum(
               n for s, n in load.answers.items() if s >= 500 and s != 503),
           bad_answers=len(load.bad), max_recovery_s=round(max(recoveries), 2))
    assert not load.bad, load.bad[:5]
    assert "Traceback" not in server.log()


def test_redis_outage_falls_back_to_memory_limits(private_redis, app_servers, tmp_path):
    url = f"sqlite:///{tmp_path / 'saver.db'}"
    prepare(url)
    server = app_servers(DATABASE_URL=url, RATELIMIT_ENABLED="true",
                         RATELIMIT_STORAGE_URI=private_redis.url,
                         SAVER_LIMIT_WRITE="100000/minute", SAVER_LIMIT_READ="100000/minute")
    load = Load(server, threads=8)  # requests in flight when Redis dies race to the fallback
    try:
        time.sleep(1)
        private_redis.kill()
        killed = time.monotonic()
        served_before = len(load.successes)
        time.sleep(scale(3, 20))
        served_while_down = len([t for t in load.successes if t > killed])
        private_redis.start()
        time.sleep(1)
    finally:
        load.stop()
    log = server.log()
    warnings = [line for line in log.splitlines()
                if line.startswith("WARNING") and "falling back to in-memory storage" in line]
    report("outage redis", requests=sum(load.answers.values()), answers=dict(load.answers),
           served_before=served_before, served_while_down=served_while_down,
           limiter_warnings=len(warnings))
    assert not load.bad, load.bad[:5]
    assert served_while_down > 0 and set(load.answers) <= {200, 201}
    assert warnings, log[-2000:]
    assert "unexpected error" not in log
