"""The systemd units: clean under systemd-analyze, and their ExecStart lines work.

systemd is not PID 1 here, so the test runs each ExecStart itself the way the
unit would: as its User=, with its EnvironmentFile= and Environment= settings.
"""
import gzip
import shlex
import shutil
import sqlite3
from pathlib import Path

import pytest

from deploy_support import (DAEMON_USER, REPO, VENV, give_to_daemon_user, render, run,
                            shared_tempdir)

SERVICES = ("saver-sweep.service", "saver-seed.service", "saver-backup.service")
TIMERS = ("saver-sweep.timer", "saver-backup.timer")
DROP_IN = "saver-.service.d/sandbox.conf"
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


@pytest.fixture(scope="module")
def site(make_site_data):
    data_dir, env_file = make_site_data()
    backups = shared_tempdir("saver-backups-")
    give_to_daemon_user(backups)
    units = shared_tempdir("saver-units-")
    values = {"USER": DAEMON_USER, "GROUP": DAEMON_USER, "ENV_FILE": env_file,
              "DATA_DIR": data_dir, "VENV": VENV, "APP_DIR": REPO, "BACKUP_DIR": backups}
    for name in (*SERVICES, *TIMERS, DROP_IN):
        template = Path("systemd") / name
        wanted = {k: v for k, v in values.items() if f"@{k}@" in (REPO / template).read_text()}
        (units / name).parent.mkdir(exist_ok=True)
        (units / name).write_text(render(template, **wanted))
    yield units, data_dir / "saver.db", backups
    shutil.rmtree(units)
    shutil.rmtree(backups)


def unit_settings(units, service):
    """The [Service] settings of ``service`` with the shared drop-in applied."""
    settings = {}
    for path in (units / DROP_IN, units / service):
        section = None
        for line in path.read_text().splitlines():
            line = line.strip()
            if line.startswith("["):
                section = line
            elif section == "[Service]" and "=" in line and not line.startswith("#"):
                key, _, value = line.partition("=")
                settings.setdefault(key, []).append(value)
    return settings


def run_exec_start(units, service):
    """Run the service's ExecStart as systemd would: its user, its environment only."""
    settings = unit_settings(units, service)
    environment = {"PATH": SYSTEM_PATH}
    for env_file in settings["EnvironmentFile"]:
        for line in Path(env_file).read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                key, _, value = line.partition("=")
                environment[key] = value
    for assignments in settings.get("Environment", []):
        environment.update(item.split("=", 1) for item in shlex.split(assignments))
    [user] = settings["User"]
    [command] = settings["ExecStart"]
    return run(["runuser", "-u", user, "--", "env", "-i",
                *(f"{k}={v}" for k, v in environment.items()), *shlex.split(command)])


def sql(database, statement):
    with sqlite3.connect(database) as connection:
        return connection.execute(statement).fetchall()


def as_daemon_user(database, code):
    """Run Python against the site's database as the daemon user."""
    run(["runuser", "-u", DAEMON_USER, "--", str(VENV / "bin/python"), "-c", code],
        env={"DATABASE_URL": f"sqlite:///{database}", "PATH": SYSTEM_PATH})


def test_units_verify_without_any_warning(site):
    units, _, _ = site
    result = run(["systemd-analyze", "verify", *SERVICES, *TIMERS], cwd=units, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_verify_reads_the_shared_drop_in(site, tmp_path):
    """Guard for the test above: a bad key in the drop-in does reach stderr."""
    units, _, _ = site
    bad = tmp_path / "units"
    (bad / "saver-.service.d").mkdir(parents=True)
    (bad / "saver-sweep.service").write_text((units / "saver-sweep.service").read_text())
    (bad / DROP_IN).write_text((units / DROP_IN).read_text() + "NoSuchKey=1\n")
    result = run(["systemd-analyze", "verify", "saver-sweep.service"], cwd=bad, check=False)
    assert "NoSuchKey" in result.stderr


@pytest.mark.parametrize("timer, calendar, expected", [
    ("saver-sweep.timer", "minutely", "*-*-* *:*:00"),
    ("saver-backup.timer", "daily", "*-*-* 00:00:00"),
])
def test_timers_fire_when_they_say(site, timer, calendar, expected):
    units, _, _ = site
    assert f"OnCalendar={calendar}" in (units / timer).read_text()
    normalized = run(["systemd-analyze", "calendar", calendar]).stdout
    assert f"Normalized form: {expected}" in normalized


def test_seed_at_boot_checks_a_whole_pool(site):
    """The session's database was seeded by the same command: a boot finds it whole."""
    units, _, _ = site
    output = run_exec_start(units, "saver-seed.service").stdout
    assert "Added 0 codes to the pool." in output
    assert "total 7311616 of 7311616" in output


def test_sweep_ends_expired_texts(site):
    units, database, _ = site
    as_daemon_user(database, "from saver import create_app, texts\n"
                             "with create_app().app_context(): texts.write('old news')")
    sql(database, "UPDATE texts SET expires_at = '2000-01-01 00:00:00.000000'")
    output = run_exec_start(units, "saver-sweep.service").stdout
    assert output.startswith("Ended 1 expired texts;")
    assert sql(database, "SELECT count(*) FROM texts") == [(0,)]


def test_backup_then_restore(site, tmp_path):
    units, database, backups = site
    free_before = sql(database, "SELECT count(*) FROM free_codes")
    output = run_exec_start(units, "saver-backup.service").stdout
    [made] = list(backups.glob("saver-*.sqlite3.gz"))
    assert f"Backed up the database to {made}" in output
    copy = tmp_path / "copy.db"
    copy.write_bytes(gzip.decompress(made.read_bytes()))
    assert sql(copy, "SELECT count(*) FROM free_codes") == free_before

    sql(database, "DELETE FROM free_codes")
    settings = unit_settings(units, "saver-backup.service")
    restored = run([str(REPO / "scripts/saverctl"), "restore", str(made)],
                   env={"PATH": SYSTEM_PATH, "SAVER_USER": DAEMON_USER,
                        "SAVER_ENV_FILE": settings["EnvironmentFile"][0],
                        "SAVER_VENV": str(VENV)})
    assert f"Restored the database from {made}" in restored.stdout
    assert sql(database, "SELECT count(*) FROM free_codes") == free_before
