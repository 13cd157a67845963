"""Several hosts (processes × threads) and their own sweeper timers on one full pool.

Each host writes, loads, deletes and lets texts expire; each runs the
shipped ``flask scheduler`` as its sweeper, so two sweeps race all the time
and freed codes go round the pool again (cool-down 0). Afterwards every code
a writer still holds is unique, loads its own text, and the pool is whole.
"""
import multiprocessing
import signal
import subprocess
import time

from saver import texts
from saver.codes import to_number
from saver.db import reading
from saver.extensions import db
from saver.models import Text
from sqlalchemy import select

from deploy_support import REPO, VENV
from support import counts, make_app, report, scale
from workload import run_host

HOSTS = scale(2, 4)
THREADS = scale(3, 8)
SECONDS = scale(8, 60)


def live_codes(url):
    app = make_app(url)
    with app.app_context(), reading() as connection:
        return set(connection.scalars(select(Text.code)))


def start_sweeper(url):
    """The scheduler command a host without systemd runs, sweeping every second."""
    return subprocess.Popen(
        [str(VENV / "bin/flask"), "--app", "saver", "scheduler", "--every", "1"],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": url, "SAVER_CODE_COOLDOWN": "0"},
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop_sweeper(process):
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    return output


def test_hosts_with_their_own_sweepers_never_lose_or_share_a_code(full_url):
    before = live_codes(full_url)
    sweepers = [start_sweeper(full_url) for _ in range(HOSTS)]
    started = time.monotonic()
    try:
        with multiprocessing.get_context("spawn").Pool(HOSTS) as hosts:
            results = hosts.starmap(run_host, [(full_url, THREADS, SECONDS, h)
                                               for h in range(HOSTS)])
    finally:
        outputs = [stop_sweeper(process) for process in sweepers]
    elapsed = time.monotonic() - started
    app = make_app(full_url, SAVER_CODE_COOLDOWN=0)
    with app.app_context():
        final = texts.sweep()  # ends what expired after the sweepers' last run
    alive = [item for result in results for item in result["alive"]]
    unexpected = [item for result in results for item in result["unexpected"]]
    ops = {op: sum(r["ops"].get(op, 0) for r in results)
           for op in set().union(*(r["ops"] for r in results))}
    alive_codes = [code for code, _, _ in alive]
    held = {to_number(code) for code in alive_codes}
    after = live_codes(full_url)
    duplicated = len(alive_codes) - len(held)
    lost = len(held - after)
    stray = len(after - before - held)
    with app.app_context():
        wrong = sum(texts.load(code, password).text != body for code, body, password in alive)
        db.engine.dispose()
    swept = [line for out in outputs for line in out.splitlines() if line.startswith("Ended")]
    failed_sweeps = [line for out in outputs for line in out.splitlines() if "failed" in line]
    pool_counts = counts(full_url)
    report(f"concurrency {full_url.split(':')[0]}",
           hosts=HOSTS, threads=THREADS, seconds=round(elapsed, 1),
           requests=sum(n for op, n in ops.items() if op != "busy-503"), **ops,
           sweeps=len(swept) + 1,
           ended_by_sweepers=sum(int(line.split()[1]) for line in swept) + final[0],
           unexpected=len(unexpected), fivexx=sum(1 for u in unexpected if str(u[1])[0] == "5"),
           duplicated=duplicated, lost=lost, stray=stray, wrong_text=wrong, **pool_counts)
    assert not unexpected, unexpected[:10]
    assert not failed_sweeps, failed_sweeps
    assert (duplicated, lost, stray, wrong) == (0, 0, 0, 0)
    assert len(swept) >= HOSTS  # each host's timer really ran
