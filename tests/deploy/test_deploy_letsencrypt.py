"""Let's Encrypt for real: pebble as the ACME server, Debian's certbot with our
cli.ini, the challenge served by our rendered Apache site, our deploy hook."""
import json

import pytest

from deploy_support import REPO, Apache, Pebble, curl, render, run

DOMAIN = "saver.test"


@pytest.fixture(scope="module")
def acme(server_root, make_site_data, challtestsrv, readable_checkout):
    """Apache serving the webroot on the port pebble validates, before any certificate."""
    _, env_file = make_site_data()
    config_dir = server_root / "letsencrypt"
    webroot = server_root / "webroot"
    webroot.mkdir()
    apache = Apache(server_root, DOMAIN, REPO, env_file, config_dir / "live" / DOMAIN, webroot)
    pebble = Pebble(http_port=apache.http_port)
    ini = server_root / "certbot.ini"
    ini.write_text(render(
        "letsencrypt/cli.ini.template", ACME_SERVER=pebble.directory,
        EMAIL="ops@saver.test", WEBROOT=webroot, DEPLOY_HOOK=REPO / "letsencrypt/deploy-hook",
        CONFIG_DIR=config_dir, WORK_DIR=server_root / "certbot-work",
        LOGS_DIR=server_root / "certbot-logs"))
    pebble.start()
    apache.start()
    # certbot trusts pebble's throw-away HTTPS certificate; the deploy hook
    # reaches this Apache through APACHE_ARGUMENTS.
    certbot_env = {**apache.environment, "REQUESTS_CA_BUNDLE": str(pebble.ca_bundle)}
    yield apache, pebble, ini, certbot_env
    apache.stop()
    pebble.stop()


def served_certificate(apache, host):
    """The PEM body of the certificate Apache presents for ``host``."""
    result = run(["openssl", "s_client", "-connect", f"127.0.0.1:{apache.https_port}",
                  "-servername", host], input="", check=False)
    assert "BEGIN CERTIFICATE" in result.stdout, result.stdout + result.stderr
    return result.stdout.split("-----BEGIN CERTIFICATE-----")[1].split("-----END")[0]


def test_first_certificate_then_https_then_forced_renewal(acme):
    apache, pebble, ini, env = acme
    status, _, _ = curl(f"http://127.0.0.1:{apache.http_port}/api/v1/health",
                        "-H", f"Host: {DOMAIN}")
    assert status == 301  # port 80 is up; HTTPS is not configured yet

    issued = run(["certbot", "--config", str(ini), "certonly", "--cert-name", DOMAIN,
                  "-d", DOMAIN, "-d", f"www.{DOMAIN}"], env=env)
    assert "deploy-hook: new certificate for" in issued.stdout + issued.stderr
    live = ini.parent / "letsencrypt/live" / DOMAIN
    names = run(["openssl", "x509", "-in", str(live / "cert.pem"), "-noout", "-ext",
                 "subjectAltName"]).stdout
    assert f"DNS:{DOMAIN}" in names and f"DNS:www.{DOMAIN}" in names

    # The hook's reload turned HTTPS on: the site answers with the new certificate.
    root = pebble.root_pem()
    status, _, body = curl(f"https://www.{DOMAIN}:{apache.https_port}/api/v1/health",
                           resolve=True, cacert=root)
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, headers, _ = curl(f"https://{DOMAIN}:{apache.https_port}/", resolve=True,
                              cacert=root)
    assert status == 301 and headers["location"] == [f"https://www.{DOMAIN}/"]

    first = served_certificate(apache, f"www.{DOMAIN}")
    master = apache.master_pid()
    renewed = run(["certbot", "--config", str(ini), "renew", "--force-renewal",
                   "--no-random-sleep-on-renew"], env=env)
    assert "deploy-hook: new certificate for" in renewed.stdout + renewed.stderr
    assert served_certificate(apache, f"www.{DOMAIN}") != first
    assert apache.master_pid() == master  # a graceful reload, not a restart
    status, _, _ = curl(f"https://www.{DOMAIN}:{apache.https_port}/api/v1/health",
                        resolve=True, cacert=pebble.root_pem())
    assert status == 200


def test_renewal_settings_are_stored_for_debians_timer(acme):
    """Debian's certbot.timer runs a plain "certbot renew": it needs these in the lineage."""
    _, _, ini, _ = acme
    renewal = (ini.parent / "letsencrypt/renewal" / f"{DOMAIN}.conf").read_text()
    assert "authenticator = webroot" in renewal
    assert f"renew_hook = {REPO / 'letsencrypt/deploy-hook'}" in renewal
