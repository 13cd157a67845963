"""SIGKILL in the middle of a write load: a writer process, then the mod_wsgi daemons.

After each crash the pool is whole and every text whose write was
acknowledged loads intact.
"""
import os
import signal
import subprocess
import threading
import time
import uuid

import requests

from deploy_support import REPO, VENV
from saver import texts
from saver.extensions import db
from services import server_environment
from support import (HERE, apache_session, counts, daemon_pids, is_json_error, make_app, report,
                     scale)

KILLS = scale(3, 20)


def acknowledged(lines):
    """The (code, body) pairs of complete lines; a line cut by the kill promised nothing."""
    pairs = [line.rstrip("\n").split("\t") for line in lines if line.endswith("\n")]
    return [(code, body) for code, body in pairs if len(body) == len("acknowledged ") + 36]


def test_a_killed_writer_loses_no_acknowledged_text(full_url):
    env = {"PATH": "/usr/bin:/bin", **server_environment(DATABASE_URL=full_url)}
    promised = []
    for _ in range(KILLS):
        writer = subprocess.Popen([str(VENV / "bin/python"), str(HERE / "writer.py"), "4"],
                                  env=env, cwd=REPO, stdout=subprocess.PIPE, text=True)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(writer.stdout))
        reader.start()
        deadline = time.monotonic() + 30
        while len(lines) < 50 and time.monotonic() < deadline:
            time.sleep(0.05)
        writer.send_signal(signal.SIGKILL)  # while four threads are mid-write
        writer.wait()
        reader.join()
        promised += acknowledged(lines)
        counts(full_url)  # the invariant holds after every crash
    app = make_app(full_url)
    with app.app_context():
        intact = sum(texts.load(code).text == body for code, body in promised)
        db.engine.dispose()
    report(f"crash writer {full_url.split(':')[0]}", kills=KILLS, acknowledged=len(promised),
           intact=intact, lost=len(promised) - intact,
           duplicated=len(promised) - len({code for code, _ in promised}))
    assert KILLS * 40 <= len(promised) == intact
    assert len({code for code, _ in promised}) == len(promised)


def test_killed_mod_wsgi_daemons_lose_no_acknowledged_text(open_site):
    session, base = apache_session(open_site)
    promised, statuses, stop = [], [], threading.Event()

    def client():
        while not stop.is_set():
            body = f"acknowledged {uuid.uuid4()}"
            try:
                response = session.post(f"{base}/api/v1/texts", json={"text": body}, timeout=30)
            except requests.RequestException as exc:
                statuses.append(type(exc).__name__)
                continue
            # Apache's own error pages (the daemon died mid-request) are counted apart.
            json_or_ok = response.status_code == 201 or is_json_error(response)
            statuses.append(response.status_code if json_or_ok else f"{response.status_code} html")
            if response.status_code == 201:
                promised.append((response.json()["code"], body, time.monotonic()))

    clients = [threading.Thread(target=client) for _ in range(scale(6, 16))]
    for thread in clients:
        thread.start()
    recoveries = []
    try:
        for _ in range(KILLS):
            time.sleep(1)
            victims = daemon_pids(open_site)
            killed_at = time.monotonic()
            for pid in victims:
                os.kill(pid, signal.SIGKILL)
            recoveries.append(_recovery(open_site, victims, promised, killed_at))
    finally:
        stop.set()
        for thread in clients:
            thread.join()
    database = f"sqlite:///{open_site.database}"
    pool_counts = counts(database)
    intact = sum(session.get(f"{base}/api/v1/texts/{code}").json().get("text") == body
                 for code, body, _ in promised)
    tally = {str(s): statuses.count(s) for s in set(statuses)}
    report("crash mod_wsgi daemons", kills=KILLS, processes_killed=KILLS * 2,
           requests=len(statuses), answers=tally, acknowledged=len(promised), intact=intact,
           lost=len(promised) - intact, max_recovery_s=round(max(recoveries), 2), **pool_counts)
    assert len(promised) == intact > 0
    assert len({code for code, _, _ in promised}) == len(promised)
    assert "Traceback" not in open_site.error_log()


def _recovery(apache, victims, promised, killed_at):
    """Seconds from the kill until new daemons run and a write is acknowledged again."""
    deadline = killed_at + 60
    while time.monotonic() < deadline:
        pids = daemon_pids(apache)
        if len(pids) == 2 and not set(pids) & set(victims) and promised \
                and promised[-1][2] > killed_at:
            return time.monotonic() - killed_at
        time.sleep(0.02)
    raise AssertionError("the daemons did not come back within 60 s")
