"""The site template in a real Apache with Debian's mod_wsgi, spoken to over HTTP(S)."""
import json
import re
import socket
import subprocess
import time

from deploy_support import REPO, VENV, curl

WWW = "www.saver.test"


def https(apache, path, *args, host=WWW):
    return curl(f"https://{host}:{apache.https_port}{path}", *args, resolve=True,
                cacert=apache.ca.pem)


def test_port_80_redirects_to_https_www(apache_site):
    status, headers, _ = curl(f"http://127.0.0.1:{apache_site.http_port}/abcd?x=1",
                              "-H", "Host: saver.test")
    assert status == 301
    assert headers["location"] == ["https://www.saver.test/abcd?x=1"]


def test_port_80_serves_acme_challenges(apache_site):
    token = apache_site.webroot / ".well-known/acme-challenge/tok3n"
    token.write_text("tok3n.keyauth")
    token.chmod(0o644)
    status, headers, body = curl(
        f"http://127.0.0.1:{apache_site.http_port}/.well-known/acme-challenge/tok3n",
        "-H", "Host: www.saver.test")
    assert (status, body) == (200, "tok3n.keyauth")
    assert headers["content-type"][0].startswith("text/plain")


def test_bare_domain_redirects_to_www(apache_site):
    status, headers, _ = https(apache_site, "/api/v1/health", host="saver.test")
    assert status == 301
    assert headers["location"] == ["https://www.saver.test/api/v1/health"]
    assert "strict-transport-security" in headers


def test_api_write_and_load_through_the_daemon(apache_site):
    status, headers, body = https(apache_site, "/api/v1/texts", "-X", "POST",
                                  "-H", "Content-Type: application/json",
                                  "--data", json.dumps({"text": "über Apache"}))
    assert status == 201, body
    code = json.loads(body)["code"]
    status, _, body = https(apache_site, f"/api/v1/texts/{code}")
    assert status == 200
    assert json.loads(body)["text"] == "über Apache"
    status, headers, body = https(apache_site, f"/{code}")
    assert (status, body) == (200, "über Apache")
    assert headers["content-type"][0].startswith("text/plain")


def test_old_extension_endpoints_through_the_daemon(apache_site):
    status, _, body = https(apache_site, "/write/", "-X", "POST",
                            "-H", "Content-Type: application/json",
                            "--data", json.dumps({"wrtext": "old popup", "wrpassword": "pw",
                                                  "wrdelete_at": "10min"}))
    assert status == 200
    code = json.loads(body)["message"]
    status, _, body = https(apache_site, "/load/", "-X", "POST",
                            "-H", "Content-Type: application/json",
                            "--data", json.dumps({"ldcode": code, "ldpassword": "pw"}))
    assert json.loads(body) == {"status": "success", "message": "old popup"}


def test_daemon_processes_run_as_their_own_user_and_name(apache_site):
    ps = subprocess.run(["ps", "-eo", "user:20,ppid,args"], capture_output=True,
                        text=True).stdout
    ours = [line.split() for line in ps.splitlines()[1:]
            if int(line.split()[1]) == apache_site.master_pid()]
    daemons = [fields for fields in ours if fields[2] == "(wsgi:saver)"]
    assert len(daemons) == 2, ps  # processes=2
    assert {fields[0] for fields in daemons} == {"www-data"}


def test_static_client_is_served_by_apache(apache_site):
    status, headers, body = https(apache_site, "/static/client.js")
    assert status == 200
    assert body == (REPO / "extension/client.js").read_text()
    assert "javascript" in headers["content-type"][0]
    # Apache's ETag (size-mtime in hex), not Werkzeug's ("mtime-size-checksum" in decimal).
    assert re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', headers["etag"][0])


def test_web_page_is_served_by_apache(apache_site):
    status, headers, body = https(apache_site, "/")
    assert status == 200
    assert body == (REPO / "saver/static/index.html").read_text()
    assert headers["content-type"][0].startswith("text/html")


def test_the_installable_app_is_served_by_apache(apache_site):
    """The manifest and the worker from the root (the worker's scope is /); /share is the app's."""
    status, headers, body = https(apache_site, "/manifest.webmanifest")
    assert (status, headers["content-type"][0]) == (200, "application/manifest+json")
    assert json.loads(body)["share_target"]["action"] == "/share"
    status, headers, body = https(apache_site, "/sw.js")
    assert status == 200 and "javascript" in headers["content-type"][0]
    assert body == (REPO / "saver/static/sw.js").read_text()
    status, _, body = https(apache_site, "/share", "-X", "POST", "--data-urlencode",
                            "text=shared through Apache")
    code = re.search(r'class="code written-code">([a-zA-Z]{4})<', body).group(1)
    assert https(apache_site, f"/{code}")[2] == "shared through Apache"


def test_other_extension_files_are_not_served(apache_site):
    status, _, _ = https(apache_site, "/static/../extension/manifest.json", "--path-as-is")
    assert status in (400, 403, 404)


def test_security_headers_once_each(apache_site):
    _, headers, _ = https(apache_site, "/api/v1/health")
    assert headers["strict-transport-security"] == ["max-age=63072000"]
    assert headers["x-content-type-options"] == ["nosniff"]
    assert headers["x-frame-options"] == ["DENY"]
    assert headers["referrer-policy"] == ["no-referrer"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"][0]
    assert headers["server"] == ["Apache"]
    _, headers, _ = https(apache_site, "/abcd")  # the app also sets nosniff here
    assert headers["x-content-type-options"] == ["nosniff"]


def test_apache_refuses_an_oversize_body_with_json(apache_site, tmp_path):
    big = tmp_path / "big.json"
    big.write_text("x" * (1024 * 1024 + 1))
    status, headers, body = https(apache_site, "/api/v1/texts", "-X", "POST",
                                  "-H", "Content-Type: application/json",
                                  "--data-binary", f"@{big}")
    assert status == 413
    assert headers["content-type"][0].startswith("application/json")
    assert body == (REPO / "apache/errors/413.json").read_text()  # Apache's, not the app's


def test_tls_is_1_2_or_newer(apache_site):
    status = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "--tlsv1.1", "--tls-max", "1.1",
         "--resolve", f"{WWW}:{apache_site.https_port}:127.0.0.1", "--cacert",
         str(apache_site.ca.pem), f"https://{WWW}:{apache_site.https_port}/"],
        capture_output=True, text=True)
    assert status.returncode != 0


def test_slow_tls_handshakes_are_dropped(apache_site):
    with socket.create_connection(("127.0.0.1", apache_site.https_port), timeout=15) as quiet:
        quiet.sendall(b"\x16")  # the first byte of a TLS handshake, then nothing
        started = time.monotonic()
        assert quiet.recv(1) == b""  # closed by Apache, not by our timeout
    assert 4 < time.monotonic() - started < 10  # RequestReadTimeout handshake=5


def test_wsgi_entry_refuses_to_start_without_its_settings_file():
    result = subprocess.run(
        [str(VENV / "bin/python"), "-c", "import runpy; runpy.run_path('saver.wsgi')"],
        cwd=REPO, capture_output=True, text=True,
        env={"SAVER_ENV_FILE": "/nonexistent/saver.env", "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert "No such file or directory: '/nonexistent/saver.env'" in result.stderr
