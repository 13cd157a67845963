"""Every deployment script: shellcheck-clean, a working --help, clear errors on bad input."""
import gzip
import json
import os
import shutil
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from deploy_support import DAEMON_USER, REPO, VENV, give_to_daemon_user, run, shared_tempdir

SCRIPTS = ["scripts/dev-deps", "scripts/install.sh", "scripts/saverctl",
           "scripts/render-template", "letsencrypt/deploy-hook"]
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def script(name, *args, **env):
    return run([str(REPO / name), *args], check=False,
               env={"PATH": SYSTEM_PATH, **{k: str(v) for k, v in env.items()}})


def test_shellcheck_passes_on_every_script():
    found = sorted(str(p.relative_to(REPO)) for folder in ("scripts", "letsencrypt")
                   for p in (REPO / folder).iterdir() if p.is_file() and p.suffix in ("", ".sh"))
    assert found == sorted(SCRIPTS)
    result = run(["shellcheck", "--external-sources", *SCRIPTS], cwd=REPO, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize("name", SCRIPTS)
def test_help(name):
    for flag in ("--help", "-h"):
        result = script(name, flag)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Usage: ")
        assert result.stderr == ""


@pytest.mark.parametrize("name, args, message", [
    ("scripts/dev-deps", ["--now"], "takes no arguments"),
    ("scripts/install.sh", [], "--domain is required"),
    ("scripts/install.sh", ["--domain", "example.org"], "--email is required"),
    ("scripts/install.sh", ["--domain"], "--domain needs a value"),
    ("scripts/install.sh", ["--domain", "exa mple", "--email", "a@b.org"], "not a domain name"),
    ("scripts/install.sh", ["--domain", "www.example.org", "--email", "a@b.org"],
     "give the bare domain"),
    ("scripts/install.sh", ["--domain", "example.org", "--email", "nobody"],
     "not an email address"),
    ("scripts/install.sh", ["--domain", "example.org", "--email", "a@b.org",
                            "--db-url", "mysql://db/saver"], "expected sqlite:///PATH"),
    ("scripts/install.sh", ["--domain", "example.org", "--email", "a@b.org",
                            "--acme-server", "not a url"], "expected a URL"),
    ("scripts/install.sh", ["--frobnicate"], "unknown argument '--frobnicate'"),
    ("scripts/saverctl", [], "Usage: saverctl"),
    ("scripts/saverctl", ["frobnicate"], "unknown command 'frobnicate'"),
    ("scripts/saverctl", ["purge"], "usage: saverctl purge CODE"),
    ("scripts/saverctl", ["restore"], "usage: saverctl restore FILE"),
    ("scripts/saverctl", ["stats", "extra"], "stats takes no arguments"),
    ("scripts/saverctl", ["logs", "many"], "LINES must be a number"),
    ("scripts/render-template", [], "Usage: render-template"),
    ("scripts/render-template", ["/nonexistent"], "no readable template"),
    ("scripts/render-template", ["systemd/saver-sweep.service"], "needs a value for VENV"),
    ("scripts/render-template", ["systemd/saver-sweep.service", "VENV=/v", "NOPE=1"],
     "has no placeholder @NOPE@"),
    ("scripts/render-template", ["systemd/saver-sweep.service", "venv"], "expected NAME=VALUE"),
    ("letsencrypt/deploy-hook", ["extra"], "takes no arguments"),
    ("letsencrypt/deploy-hook", [], "RENEWED_LINEAGE is not set"),
])
def test_bad_arguments_get_a_clear_message(name, args, message):
    result = script(name, *[str(REPO / a) if a.startswith("systemd/") else a for a in args])
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_install_needs_root():
    result = run(["runuser", "-u", DAEMON_USER, "--", str(REPO / "scripts/install.sh"),
                  "--domain", "example.org", "--email", "a@b.org"], check=False)
    assert result.returncode == 2
    assert "run as root" in result.stderr


def test_render_keeps_special_characters_literal(tmp_path):
    template = tmp_path / "t.conf"
    template.write_text("url = @URL@\n")
    result = script("scripts/render-template", template, r"URL=a&b\c$HOME")
    assert result.stdout == "url = a&b\\c$HOME\n"


def test_saverctl_runs_flask_commands_as_the_service_user(make_site_data):
    _, env_file = make_site_data()
    env = {"SAVER_USER": DAEMON_USER, "SAVER_ENV_FILE": env_file, "SAVER_VENV": VENV}
    stats = script("scripts/saverctl", "stats", **env)
    assert (stats.returncode, stats.stdout.split()[:2]) == (0, ["free", "7311616"])
    assert "Ended 0 expired texts" in script("scripts/saverctl", "sweep", **env).stdout
    missing = script("scripts/saverctl", "purge", "abcd", **env)
    assert missing.returncode == 1
    assert "No live text has the code 'abcd'" in missing.stderr
    assert script("scripts/saverctl", "logs", "5", **env).returncode == 0


# Written through the app as the service user: one text burned after reading, one
# live and reported, one protected. Prints the codes and the bodies as stored.
WRITE_TEXTS = """
import json, sys
from sqlalchemy import select
from saver import create_app, reports, texts
from saver.extensions import db
from saver.models import Text
with create_app().app_context():
    burned = texts.write(sys.argv[1], max_views=1)
    texts.load(burned.code)
    live = texts.write(sys.argv[2])
    reports.report(live.code, "spam", "192.0.2.1")
    protected = texts.write(sys.argv[3], password="correct horse")
    stored = db.session.execute(select(Text.body)).scalars().all()
    print(json.dumps({"codes": [burned.code, live.code, protected.code],
                      "stored": [body.hex() for body in stored]}))
"""
# What a reader of each code gets from the restored site.
READ_CODES = """
import json, sys
from saver import create_app
client = create_app().test_client()
print(json.dumps([client.get(f"/api/v1/texts/{code}", headers={"X-Password": "correct horse"})
                  .get_json()["error"] for code in sys.argv[1:]]))
"""
BODIES = ["burned-BODY-8d1f0c", "live-BODY-3b7e22", "protected-BODY-a94c51"]
STAMP = "20000101T00000{}Z"


def site_python(env_file, code, *args):
    """Run Python with the site's settings as the service user; return its JSON output."""
    result = run(["runuser", "-u", DAEMON_USER, "--", str(VENV / "bin/dotenv"), "-f",
                  str(env_file), "run", "--", str(VENV / "bin/python"), "-c", code, *args],
                 env={"PATH": SYSTEM_PATH})
    return json.loads(result.stdout)


def saverctl(*args, env_file, backups=None, cwd=None, **settings):
    env = {"PATH": SYSTEM_PATH, "SAVER_USER": DAEMON_USER, "SAVER_ENV_FILE": str(env_file),
           "SAVER_VENV": str(VENV), **{k: str(v) for k, v in settings.items()}}
    if backups is not None:
        env["SAVER_BACKUP_DIR"] = str(backups)
    return run([str(REPO / "scripts/saverctl"), *args], env=env, cwd=cwd, check=False)


def plant_pruning_traps(backups, cwd):
    """Older backups to prune, and a name whose newline once made root delete ``victim``."""
    old = [backups / f"saver-{STAMP.format(i)}.sqlite3.gz" for i in range(2)]
    old.append(backups / f"saver-{STAMP.format(2)}.pgdump")
    for path in old:
        path.write_bytes(b"old")
    victim = cwd / "victim"
    victim.write_text("not a backup")
    trap = backups / "saver-99999999T999999Z.sqlite3.gz\n0 victim"
    trap.write_text("not a backup either")
    give_to_daemon_user(*old, trap)
    return old, victim, trap


def check_backup_and_restore(made, backup, backups, fresh_env, written, traps):
    """What every backup must hold, and what a restore of it must serve."""
    assert backup.returncode == 0, backup.stderr
    assert f"Backed up the database to {made}" in backup.stdout
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE(backups.stat().st_mode) == 0o700
    content = gzip.decompress(made.read_bytes())
    for body in [*BODIES, *written["stored"]]:
        needle = bytes.fromhex(body) if body in written["stored"] else body.encode()
        assert needle not in content, f"a body is in the backup: {body}"
    old, victim, trap = traps
    assert not any(path.exists() for path in old)
    assert victim.exists() and trap.exists()
    assert sorted(backups.iterdir()) == sorted([made, trap])

    restored = saverctl("restore", str(made), env_file=fresh_env)
    assert restored.returncode == 0, restored.stderr
    assert f"Restored the database from {made}" in restored.stdout
    assert "free " in restored.stdout and "total 7311616 of 7311616" in restored.stdout
    assert "resting 3 " in restored.stdout.replace("  ", " ")  # burned, live and protected
    assert saverctl("stats", env_file=fresh_env).returncode == 0
    assert site_python(fresh_env, READ_CODES, *written["codes"]) == ["expired"] * 3


def test_saverctl_backs_up_sqlite_without_bodies_and_restores(make_site_data, tmp_path):
    data_dir, env_file = make_site_data()
    backups, cwd = shared_tempdir("saver-backups-"), shared_tempdir("saver-cwd-")
    give_to_daemon_user(backups)
    try:
        written = site_python(env_file, WRITE_TEXTS, *BODIES)
        traps = plant_pruning_traps(backups, cwd)
        backup = saverctl("backup", env_file=env_file, backups=backups, cwd=cwd,
                          SAVER_BACKUP_KEEP=1)
        [made] = backups.glob("saver-2*.sqlite3.gz")
        copy = tmp_path / "copy.db"
        copy.write_bytes(gzip.decompress(made.read_bytes()))
        with sqlite3.connect(copy) as database:
            counts = [database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                      for table in ("texts", "reports", "resting_codes")]
        assert counts == [0, 0, 3]
        _, fresh_env = make_site_data()
        check_backup_and_restore(made, backup, backups, fresh_env, written, traps)
    finally:
        shutil.rmtree(backups)
        shutil.rmtree(cwd)


class CommandLineWatch(threading.Thread):
    """Read every process's command line while a backup runs: seen names, and leaks."""

    def __init__(self, secret):
        super().__init__(daemon=True)
        self.secret, self.seen, self.leaks = secret.encode(), set(), []
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    line = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                # Debian's pg_dump and psql are Perl scripts: look at two words.
                for word in line.split(b"\0")[:2]:
                    self.seen.add(os.path.basename(word).decode(errors="replace"))
                if self.secret in line:
                    self.leaks.append(line)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.join()


def test_saverctl_backs_up_postgresql_without_bodies_or_password_on_argv():
    """pg_dump through a password-protected role; restored into a database of its own.

    The test server trusts loopback, so the password is not checked there;
    what is checked is that it never shows on a command line.
    """
    name, role = f"saver_backup_{os.getpid()}", f"saver_backup_{os.getpid()}"
    secret = f"pw-{os.urandom(8).hex()}"
    folder, cwd = shared_tempdir("saver-pg-backup-"), shared_tempdir("saver-cwd-")
    backups = folder / "backups"
    admin = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qc"]
    run([*admin, f"CREATE ROLE {role} LOGIN PASSWORD '{secret}'"])
    run([*admin, f"CREATE DATABASE {name} OWNER {role}"])
    run([*admin, f"CREATE DATABASE {name}_fresh OWNER {role}"])
    try:
        env_file, fresh_env = folder / "saver.env", folder / "fresh.env"
        url = f"postgresql://{role}:{secret}@127.0.0.1:5432/{name}"
        env_file.write_text(f"DATABASE_URL={url}\n")
        fresh_env.write_text(f"DATABASE_URL={url}_fresh\n")
        give_to_daemon_user(folder, env_file, fresh_env)
        for step in (["db", "upgrade"], ["seed-codes"]):
            assert saverctl("flask", *step, env_file=env_file).returncode == 0
        written = site_python(env_file, WRITE_TEXTS, *BODIES)
        backups.mkdir(mode=0o755)
        give_to_daemon_user(backups)
        traps = plant_pruning_traps(backups, cwd)
        with CommandLineWatch(secret) as watch:
            backup = saverctl("backup", env_file=env_file, backups=backups, cwd=cwd,
                              SAVER_BACKUP_KEEP=1)
        assert "pg_dump" in watch.seen and not watch.leaks
        [made] = backups.glob("saver-2*.sql.gz")
        with CommandLineWatch(secret) as watch:
            check_backup_and_restore(made, backup, backups, fresh_env, written, traps)
        assert "psql" in watch.seen and not watch.leaks
    finally:
        run([*admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])
        run([*admin, f"DROP DATABASE IF EXISTS {name}_fresh WITH (FORCE)"])
        run([*admin, f"DROP ROLE IF EXISTS {role}"])
        shutil.rmtree(folder)
        shutil.rmtree(cwd)
