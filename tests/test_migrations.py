"""The migrations build the whole schema on SQLite and PostgreSQL, with no drift."""
import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

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


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_failed_upgrade_on_postgresql_leaves_nothing_behind(database_url):
    engine = create_engine(database_url)
    with engine.begin() as connection:  # the migration's last table, already there
        connection.execute(text("CREATE TABLE texts (code integer)"))
    upgraded = flask(["db", "upgrade"], database_url)
    assert upgraded.returncode != 0 and "texts" in upgraded.stderr
    with engine.connect() as connection:
        tables = set(connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars())
    engine.dispose()
    assert tables == {"texts"}  # free_codes, line_events, ... were rolled back with it
