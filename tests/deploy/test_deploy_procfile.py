"""The Procfile's commands, run as a PaaS would run them: by bash, from the repository."""
import json
import os
import re
import shutil
import signal
import subprocess
from contextlib import contextmanager

import pytest

from deploy_support import REPO, VENV, curl, free_port, run, wait_for_port
from saver.headers import SECURITY_HEADERS


def procfile():
    """The Procfile as {process type: command}."""
    lines = (REPO / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


@pytest.fixture
def paas_env(seeded_database, tmp_path):
    database = tmp_path / "saver.db"
    shutil.copyfile(seeded_database, database)
    return {"PATH": f"{VENV / 'bin'}:/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{database}",
            "PORT": str(free_port()), "WEB_CONCURRENCY": "1", "HOME": str(tmp_path)}


def start(command, env):
    return subprocess.Popen(["bash", "-c", command], env=env, cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(process):
    """SIGTERM, as a PaaS sends at shutdown; return the output."""
    os.killpg(process.pid, signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    return output


def test_procfile_has_the_three_process_types():
    assert set(procfile()) == {"web", "worker", "release"}


def test_release_migrates_and_seeds(paas_env):
    output = run(["bash", "-c", procfile()["release"]], env=paas_env, cwd=REPO).stdout
    assert "total 7311616 of 7311616" in output


def test_web_serves_the_api_with_gunicorn(paas_env):
    web = start(procfile()["web"], paas_env)
    try:
        wait_for_port(int(paas_env["PORT"]), seconds=30, process=web)
        url = f"http://127.0.0.1:{paas_env['PORT']}"
        status, _, body = curl(f"{url}/api/v1/texts", "-X", "POST", "-H",
                               "Content-Type: application/json",
                               "--data", json.dumps({"text": "from a PaaS"}))
        assert status == 201, body
        code = json.loads(body)["code"]
        status, _, body = curl(f"{url}/{code}")
        assert (status, body) == (200, "from a PaaS")
    finally:
        output = stop(web)
    assert "Booting worker" in output and "Shutting down" in output
    # The access log has the method and the status, never a path: a code is a text's key.
    assert re.search(r'"GET" 200 \d+ \d+ms', output) and code not in output, output


def test_worker_sweeps_until_stopped(paas_env):
    worker = start(procfile()["worker"], paas_env)
    try:
        first_line = worker.stdout.readline()
        assert first_line.startswith("Sweeping every 60 s")
        assert worker.stdout.readline().startswith("Ended 0 expired texts")
    finally:
        output = stop(worker)
    assert "Scheduler stopped." in output
    assert worker.returncode == 0


@contextmanager
def web_serving(env):
    """Run the Procfile's web process; yield its URL."""
    web = start(procfile()["web"], env)
    try:
        wait_for_port(int(env["PORT"]), seconds=30, process=web)
        yield f"http://127.0.0.1:{env['PORT']}"
    finally:
        stop(web)


def test_web_sends_the_security_headers_once(paas_env):
    with web_serving(paas_env) as url:
        status, _, body = curl(f"{url}/api/v1/texts", "-X", "POST", "-H",
                               "Content-Type: application/json",
                               "--data", json.dumps({"text": "once", "max_views": 1}))
        assert status == 201, body
        code = json.loads(body)["code"]
        for path, expected in [("/", 200), ("/static/client.js", 200), ("/static/page.css", 200),
                               ("/api/v1/health", 200), ("/nope/nope", 404), (f"/{code}", 200)]:
            status, headers, body = curl(f"{url}{path}", "-H", "Accept: text/html")
            assert status == expected, path
            if path == f"/{code}":
                assert "<form" in body  # the reveal page
            for name, value in SECURITY_HEADERS.items():
                assert headers.get(name.lower()) == [value], (path, name)
            assert "strict-transport-security" not in headers  # the PaaS router's TLS


@pytest.mark.parametrize("proxies, forged_counts", [(0, False), (1, True)])
def test_a_trusted_proxy_count_lets_a_direct_client_pick_its_address(paas_env, proxies,
                                                                     forged_counts):
    """Gunicorn listens on 0.0.0.0, as PaaS routers need: with SAVER_PROXY_COUNT=1 a
    client that reaches it directly forges X-Forwarded-For and gets fresh limits
    (so the app must be reachable only through the router); with 0 it cannot."""
    env = {**paas_env, "SAVER_PROXY_COUNT": str(proxies), "SAVER_LIMIT_WRITE": "1/minute"}
    with web_serving(env) as url:
        statuses = [curl(f"{url}/api/v1/texts", "-X", "POST",
                         "-H", "Content-Type: application/json",
                         "-H", f"X-Forwarded-For: 198.51.100.{i}",
                         "--data", json.dumps({"text": "t"}))[0] for i in range(3)]
    assert statuses == ([201] * 3 if forged_counts else [201, 429, 429])
