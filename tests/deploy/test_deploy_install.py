"""scripts/install.sh for real, as root on this machine, with pebble as the ACME server.

It installs into the system (Debian's apache2 on ports 80 and 443, /etc/saver,
/var/lib/saver, the "saver" user) from a fresh copy of the work tree, and the
teardown takes it all away again.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from redis import Redis

from deploy_support import Pebble, copy_tree_for_install, curl, run

DOMAIN = "saver-install.test"
INSTALLED_REDIS = "redis://127.0.0.1:6379/0"
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="install.sh needs root")


def system_apache(*args):
    return run(["apache2ctl", *args], check=False)


@pytest.fixture(scope="module")
def installed(challtestsrv):
    checkout = Path(tempfile.mkdtemp(prefix="saver-install-", dir="/opt"))
    checkout.chmod(0o755)
    copy_tree_for_install(checkout / "saver")
    app_dir = checkout / "saver"
    pebble = Pebble(http_port=80)
    pebble.start()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SAVER_", "APACHE_", "VIRTUAL_ENV"))}
    # certbot must trust pebble, and pip still the public index: both CAs.
    bundle = pebble.folder / "system-and-pebble.pem"
    bundle.write_text(Path("/etc/ssl/certs/ca-certificates.crt").read_text()
                      + pebble.ca_bundle.read_text())
    env["REQUESTS_CA_BUNDLE"] = str(bundle)
    command = [str(app_dir / "scripts/install.sh"), "--domain", DOMAIN,
               "--email", f"ops@{DOMAIN}", "--acme-server", pebble.directory]
    try:
        first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        yield app_dir, pebble, command, env, first
    finally:
        remove_installation(pebble)
        pebble.stop()
        shutil.rmtree(checkout, ignore_errors=True)


def remove_installation(pebble):
    """Undo what install.sh did, so the next run starts from a fresh machine again."""
    if Path("/etc/saver/certbot.ini").exists():
        run(["certbot", "--config", "/etc/saver/certbot.ini", "delete", "--cert-name", DOMAIN],
            check=False, env={**os.environ, "REQUESTS_CA_BUNDLE": str(pebble.ca_bundle)})
    system_apache("stop")
    deadline = time.monotonic() + 20  # the WSGI daemons finish their requests first
    while run(["pgrep", "-u", "saver"], check=False).returncode == 0:
        assert time.monotonic() < deadline, "processes of user saver outlived Apache"
        time.sleep(0.1)
    run(["a2dissite", "-q", "saver"], check=False)
    run(["a2ensite", "-q", "000-default"], check=False)
    for path in ("/etc/apache2/sites-available/saver.conf", "/etc/saver", "/var/lib/saver",
                 "/var/backups/saver", "/var/www/letsencrypt",
                 "/etc/systemd/system/saver-.service.d",
                 f"/etc/letsencrypt/accounts/127.0.0.1:{pebble.port}",
                 *map(str, Path("/etc/systemd/system").glob("saver-*"))):
        if Path(path).is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif Path(path).exists():
            Path(path).unlink()
    run(["userdel", "saver"], check=False)
    redis_conf = Path("/etc/redis/redis.conf")
    redis_conf.write_text(redis_conf.read_text().replace("include /etc/redis/saver.conf\n", ""))
    Path("/etc/redis/saver.conf").unlink(missing_ok=True)
    redis = Redis.from_url(INSTALLED_REDIS)
    for key in redis.scan_iter("LIMITS:LIMITER/saver/*"):
        redis.delete(key)
    redis.close()


def https(pebble, path, *args):
    return curl(f"https://www.{DOMAIN}:443{path}", *args, resolve=True,
                cacert=pebble.root_pem())


def test_install_leaves_a_site_answering_over_https(installed):
    _, pebble, _, _, first = installed
    assert first.returncode == 0, first.stdout + first.stderr
    if not Path("/run/systemd/system").exists():
        assert "systemd is not PID 1 on this machine" in first.stdout
    status, _, body = https(pebble, "/api/v1/texts", "-X", "POST",
                            "-H", "Content-Type: application/json",
                            "--data", json.dumps({"text": "installed"}))
    assert status == 201, body
    status, _, body = https(pebble, f"/{json.loads(body)['code']}")
    assert (status, body) == (200, "installed")
    status, headers, _ = curl(f"http://{DOMAIN}:80/x", resolve=True)
    assert headers["location"] == [f"https://www.{DOMAIN}/x"]


def test_the_installed_site_speaks_the_readers_language(installed):
    """install.sh compiled the catalogs, which a checkout does not hold."""
    pebble = installed[1]
    status, _, body = https(pebble, "/api/v1/texts", "-X", "POST", "-H",
                            "Content-Type: application/json", "--data",
                            json.dumps({"text": "secret", "password": "pw"}))
    assert status == 201, body
    status, _, page = https(pebble, f"/{json.loads(body)['code']}", "-H", "Accept: text/html",
                            "-H", "Accept-Language: ko-KR,ko;q=0.9")
    assert status == 401 and '<html lang="ko">' in page and "비밀번호" in page


def test_install_sets_owners_and_modes(installed):
    first = installed[4]
    assert first.returncode == 0
    settings = os.stat("/etc/saver/saver.env")
    assert (oct(settings.st_mode & 0o777), settings.st_uid) == ("0o640", 0)
    assert run(["stat", "-c", "%G", "/etc/saver/saver.env"]).stdout.strip() == "saver"
    assert run(["stat", "-c", "%U", "/var/lib/saver/saver.db"]).stdout.strip() == "saver"
    assert "SECRET_KEY=" in Path("/etc/saver/saver.env").read_text()


def test_installed_units_verify_cleanly(installed):
    units = sorted(str(p) for p in Path("/etc/systemd/system").glob("saver-*.*")
                   if p.suffix in (".service", ".timer"))
    assert len(units) == 5
    result = run(["systemd-analyze", "verify", *units], check=False)
    assert (result.returncode, result.stderr) == (0, "")


def test_saverctl_status_on_the_installed_site(installed):
    app_dir = installed[0]
    status = run([str(app_dir / "scripts/saverctl"), "status"])
    assert "total 7311616 of 7311616" in status.stdout
    assert "(wsgi:saver)" in status.stdout


def test_second_run_changes_nothing_it_should_keep(installed):
    app_dir, pebble, command, env, _ = installed
    secret = Path("/etc/saver/saver.env").read_text()
    cert = Path(f"/etc/letsencrypt/live/{DOMAIN}/cert.pem").read_bytes()
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Settings in /etc/saver/saver.env kept" in again.stdout
    assert Path("/etc/saver/saver.env").read_text() == secret
    assert Path(f"/etc/letsencrypt/live/{DOMAIN}/cert.pem").read_bytes() == cert
    assert https(pebble, "/api/v1/health")[0] == 200


def test_the_daemons_count_rate_limits_together_in_the_vms_redis(installed):
    _, pebble, _, _, first = installed
    assert first.returncode == 0
    settings = Path("/etc/saver/saver.env").read_text()
    assert f"\nRATELIMIT_STORAGE_URI={INSTALLED_REDIS}" in settings.replace("'", "")
    redis = Redis.from_url(INSTALLED_REDIS)
    assert redis.config_get("save") == {"save": ""}
    assert redis.config_get("appendonly") == {"appendonly": "no"}
    assert "bind 127.0.0.1\n" in Path("/etc/redis/saver.conf").read_text()
    daemons = run(["pgrep", "-u", "saver", "-f", "wsgi:saver"], check=False).stdout.split()
    assert len(daemons) == 2
    # Each lookup on a connection of its own, whichever daemon takes it: with
    # a count per daemon, up to twice the limit would be answered.
    statuses = [https(pebble, f"/api/v1/texts/zz{a}{b}")[0]
                for a, b in zip("abcdefghijkl", "mnopqrstuvwx")]
    assert statuses == [404] * 10 + [429] * 2  # SAVER_LIMIT_MISS: 10/minute
    counts = {key.decode(): int(redis.get(key))
              for key in redis.scan_iter("LIMITS:LIMITER/saver/127.0.0.1/miss/*")}
    assert counts == {"LIMITS:LIMITER/saver/127.0.0.1/miss/10/1/minute": 10,
                      "LIMITS:LIMITER/saver/127.0.0.1/miss/100/1/hour": 10}, counts
