"""The Procfile's commands, run as a PaaS would run them: by bash, from the repository."""
import json
import os
import shutil
import signal
import subprocess

import pytest

from deploy_support import REPO, VENV, curl, free_port, run, wait_for_port


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
        status, _, body = curl(f"{url}/{json.loads(body)['code']}")
        assert (status, body) == (200, "from a PaaS")
    finally:
        output = stop(web)
    assert "Booting worker" in output and "Shutting down" in output


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
