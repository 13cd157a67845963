"""One simulated host: threads writing, loading, deleting and expiring texts at once.

Runs in a process of its own (``multiprocessing`` spawn), talks to the app
through its WSGI interface, and returns what it still holds so the test can
check every code against the database afterwards.
"""
import random
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import update

from saver.codes import to_code, to_number
from saver.db import writing
from saver.models import Text, utcnow
from support import make_app

# Answers a probe of a random code may get: a hit, a protected hit, a miss, a resting code.
PROBE_ANSWERS = {200, 401, 404, 410}


def run_host(url, threads, seconds, seed):
    """Drive ``threads`` workers for ``seconds``; return their survivors and tallies."""
    app = make_app(url, SAVER_CODE_COOLDOWN=0)
    results = [None] * threads
    workers = [threading.Thread(target=_worker, args=(app, seconds, seed * 1000 + i, results, i))
               for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    alive = [item for result in results for item in result["alive"]]
    ops = sum((result["ops"] for result in results), Counter())
    unexpected = [item for result in results for item in result["unexpected"]]
    return {"alive": alive, "ops": dict(ops), "unexpected": unexpected}


def _worker(app, seconds, seed, results, slot):
    rng = random.Random(seed)
    client = app.test_client()
    mine = {}  # code -> (body, password, delete token): texts this worker may still load
    ops, unexpected = Counter(), []
    deadline = time.monotonic() + seconds

    def expect(op, response, statuses):
        ops[op] += 1
        if response.status_code == 503 and response.json["error"] == "database_unavailable":
            # SQLite's busy timeout ran out (a lock queue longer than 10 s): back-pressure,
            # counted; what was refused must have changed nothing, which the test checks.
            ops["busy-503"] += 1
            return False
        if response.status_code not in statuses:
            unexpected.append((op, response.status_code, response.get_data(as_text=True)[:200]))
            return False
        return True

    while time.monotonic() < deadline:
        roll = rng.random()
        if roll < 0.35 or not mine:
            body = f"{uuid.uuid4()} {'ü' * rng.randrange(3)}"
            password = rng.choice([None, None, "pa55 wörd"])
            response = client.post("/api/v1/texts", json={"text": body, "password": password})
            if expect("write", response, {201}):
                mine[response.json["code"]] = (body, password, response.json["delete_token"])
        elif roll < 0.45:
            # A text whose time is up: the hosts' sweepers must end it and free its code.
            response = client.post("/api/v1/texts", json={"text": "short", "expires_in": 60})
            if expect("write-expiring", response, {201}):
                _expire(app, response.json["code"])
        elif roll < 0.75:
            code = rng.choice(list(mine))
            body, password, _ = mine[code]
            # Header values are Latin-1: clients send passwords percent-encoded UTF-8.
            headers = {"X-Password": quote(password)} if password else {}
            response = client.get(f"/api/v1/texts/{code}", headers=headers)
            if expect("load", response, {200}) and response.json["text"] != body:
                unexpected.append(("load", "wrong text", code))
        elif roll < 0.85:
            code = rng.choice(list(mine))
            response = client.delete(f"/api/v1/texts/{code}",
                                     headers={"X-Delete-Token": mine[code][2]})
            if expect("delete", response, {204}):
                del mine[code]
        else:
            code = to_code(rng.randrange(52 ** 4))
            expect("probe", client.get(f"/api/v1/texts/{code}"), PROBE_ANSWERS)
    results[slot] = {"alive": [(code, *value[:2]) for code, value in mine.items()],
                     "ops": ops, "unexpected": unexpected}


def _expire(app, code):
    """Move a text's expiry into the past, as if its minute had gone by."""
    with app.app_context(), writing() as connection:
        connection.execute(update(Text).where(Text.code == to_number(code))
                           .values(expires_at=utcnow() - timedelta(seconds=1)))
