"""Settings come from the environment and a bad one stops start-up in one line."""
import os
import subprocess
import sys

import pytest

from saver import create_app

FLASK = os.path.join(os.path.dirname(sys.executable), "flask")


@pytest.mark.parametrize("name, value, expected", [
    ("SAVER_MAX_TEXT_BYTES", "lots", "SAVER_MAX_TEXT_BYTES: expected a whole number"),
    ("SAVER_MAX_TEXT_BYTES", "-5", "SAVER_MAX_TEXT_BYTES: expected a number of at least 1"),
    ("SAVER_CODE_COOLDOWN", "1.5", "SAVER_CODE_COOLDOWN: expected a whole number"),
    ("DATABASE_URL", "mysql://db/saver", "DATABASE_URL: expected sqlite:///PATH or postgresql"),
    ("RATELIMIT_ENABLED", "maybe", "RATELIMIT_ENABLED: expected true or false"),
    ("SAVER_LIMIT_WRITE", "lots per day", "SAVER_LIMIT_WRITE: expected limits"),
    ("RATELIMIT_STORAGE_URI", "mongodb://x", "RATELIMIT_STORAGE_URI: expected memory://"),
    ("SAVER_DEFAULT_EXPIRES_IN", "99999999", "SAVER_DEFAULT_EXPIRES_IN: expected at most"),
])
def test_bad_setting_stops_the_cli_with_one_line(tmp_path, name, value, expected):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", name: value}
    result = subprocess.run([FLASK, "--app", "saver", "stats"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_environment_is_read(monkeypatch, tmp_path):
    monkeypatch.setenv("SAVER_MAX_TEXT_BYTES", "2048")
    monkeypatch.setenv("RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("SAVER_LIMIT_READ", "5/second")
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.invalid/saver")
    app = create_app()
    assert app.config["SAVER_MAX_TEXT_BYTES"] == 2048
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["SAVER_LIMIT_READ"] == "5/second"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db.invalid/saver"


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "sqlite:///" + os.path.join(app.instance_path, "saver.db"))


def test_test_settings_override_the_environment(monkeypatch):
    monkeypatch.setenv("SAVER_CODE_COOLDOWN", "10")
    assert create_app({"SAVER_CODE_COOLDOWN": 20}).config["SAVER_CODE_COOLDOWN"] == 20
