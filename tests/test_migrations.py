"""The migrations build the whole schema on SQLite and PostgreSQL, with no drift."""
import os
import subprocess
import sys

FLASK = os.path.join(os.path.dirname(sys.executable), "flask")


def flask(args, database_url):
    return subprocess.run([FLASK, "--app", "saver", *args],
                          env={**os.environ, "DATABASE_URL": database_url},
                          capture_output=True, text=True, timeout=120)


def test_upgrade_builds_the_schema_and_check_finds_no_drift(database_url):
    upgraded = flask(["db", "upgrade"], database_url)
    assert upgraded.returncode == 0, upgraded.stderr
    checked = flask(["db", "check"], database_url)
    assert checked.returncode == 0, checked.stderr
    assert "No new upgrade operations detected" in checked.stdout + checked.stderr
    downgraded = flask(["db", "downgrade", "base"], database_url)
    assert downgraded.returncode == 0, downgraded.stderr
