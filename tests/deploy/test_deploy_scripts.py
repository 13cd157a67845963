"""Every deployment script: shellcheck-clean, a working --help, clear errors on bad input."""
import os
import shutil

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


def test_saverctl_backs_up_postgresql_with_pg_dump():
    """The PostgreSQL branch of the backup, on a database of its own."""
    name = f"saver_backup_{os.getpid()}"
    folder = shared_tempdir("saver-pg-backup-")
    admin = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qc"]
    run([*admin, f"CREATE DATABASE {name}"])
    try:
        env_file = folder / "saver.env"
        env_file.write_text(f"DATABASE_URL=postgresql://postgres@127.0.0.1:5432/{name}\n")
        env = {"SAVER_USER": DAEMON_USER, "SAVER_ENV_FILE": env_file, "SAVER_VENV": VENV,
               "SAVER_BACKUP_DIR": folder}
        give_to_daemon_user(folder)  # the service user writes the dump here
        assert script("scripts/saverctl", "flask", "db", "upgrade", **env).returncode == 0
        backup = script("scripts/saverctl", "backup", **env)
        assert backup.returncode == 0, backup.stderr
        [dump] = folder.glob("saver-*.pgdump")
        assert f"Backed up the database to {dump}" in backup.stdout
        listing = run(["pg_restore", "--list", str(dump)]).stdout
        assert "TABLE public free_codes" in listing and "TABLE public texts" in listing
    finally:
        run([*admin, f"DROP DATABASE {name} WITH (FORCE)"])
        shutil.rmtree(folder)
