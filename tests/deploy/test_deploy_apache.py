"""The site template in a real Apache with Debian's mod_wsgi, spoken to over HTTP(S)."""
import json
import re
import socket
import subprocess
import time

import pytest

from deploy_support import REPO, VENV, curl
from saver.headers import SECURITY_HEADERS

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


def test_the_extensions_messages_are_served_by_apache(apache_site):
    """The page's words are the popup's: i18n.js and every messages.json, as they are."""
    status, headers, body = https(apache_site, "/static/i18n.js")
    assert status == 200 and "javascript" in headers["content-type"][0]
    assert body == (REPO / "extension/i18n.js").read_text()
    for folder in ("en", "ko", "ja", "zh_TW"):
        status, headers, body = https(apache_site, f"/static/_locales/{folder}/messages.json")
        assert (status, headers["content-type"][0]) == (200, "application/json")
        assert headers["cache-control"] == ["no-cache"]
        assert body == (REPO / f"extension/_locales/{folder}/messages.json").read_text()


def test_web_page_is_served_by_apache(apache_site):
    status, headers, body = https(apache_site, "/")
    assert status == 200
    assert body == (REPO / "saver/static/index.html").read_text()
    assert headers["content-type"][0].startswith("text/html")


def test_curl_writes_to_the_root_reach_the_app(apache_site):
    """Apache serves the page for GET /; curl's POST and PUT of / are writes, the app's."""
    for args in (["--data-binary", "written by curl"], ["-X", "PUT", "--data-binary", "put"]):
        status, headers, body = https(apache_site, "/", *args)
        assert status == 201 and headers["content-type"][0].startswith("text/plain"), body
        assert body.splitlines()[0].startswith(f"https://www.saver.test:{apache_site.https_port}/")
        code = body.splitlines()[0].rsplit("/", 1)[1]
        assert https(apache_site, f"/{code}")[2] == args[-1]
    status, _, body = https(apache_site, "/notes.txt", "-X", "PUT", "--data-binary", "named")
    assert status == 201, body


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
    for path in ("/static/../extension/manifest.json", "/static/_locales/../manifest.json",
                 "/static/_locales/../background.js"):
        status, _, _ = https(apache_site, path, "--path-as-is")
        assert status in (400, 403, 404), path


def assert_security_headers_once(headers):
    """The app's security headers and Apache's HSTS, each exactly once."""
    assert headers["strict-transport-security"] == ["max-age=63072000"]
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name.lower()) == [value], name


def write(apache, **fields):
    status, _, body = https(apache, "/api/v1/texts", "-X", "POST",
                            "-H", "Content-Type: application/json",
                            "--data", json.dumps({"text": "t", **fields}))
    assert status == 201, body
    return json.loads(body)["code"]


@pytest.mark.parametrize("path, status", [
    ("/api/v1/health", 200),  # the app's JSON
    ("/api/v1/texts/zzzz", 404),  # the app's own 404
    ("/", 200),  # Apache's file
    ("/static/client.js", 200),
    ("/static/page.css", 200),
    ("/static/_locales/ko/messages.json", 200),
    ("/static/nope.css", 404),  # Apache's own 404, its JSON error document
])
def test_security_headers_once_each(apache_site, path, status):
    answer_status, headers, _ = https(apache_site, path)
    assert answer_status == status
    assert_security_headers_once(headers)
    assert headers["server"] == ["Apache"]


def test_security_headers_once_on_the_reveal_page_and_raw_text(apache_site):
    code = write(apache_site, max_views=2)
    status, headers, body = https(apache_site, f"/{code}", "-H", "Accept: text/html")
    assert status == 200 and "<form" in body
    assert_security_headers_once(headers)
    status, headers, body = https(apache_site, f"/{code}", "-X", "POST")
    assert (status, body) == (200, "t")
    assert_security_headers_once(headers)


def access_log_lines(apache, count):
    """The site's access log once it has ``count`` lines (Apache logs after answering)."""
    log = apache.root / "logs/saver-access.log"
    deadline = time.monotonic() + 5
    while True:
        lines = log.read_text().splitlines() if log.exists() else []
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_the_access_log_holds_no_code(apache_site):
    before = len(access_log_lines(apache_site, 0))
    code, protected = write(apache_site), write(apache_site, password="pw")
    paths = [f"/{code}", f"/api/v1/texts/{code}", f"/api/v1/texts/{protected}",
             f"/{protected}", f"/?report={code}", f"/{code}?x={protected}",
             f"/api/v1/texts/{code}/report", f"/%61{code[1:]}", f"/{code}/", "/static/page.css",
             "/static/_locales/zh_TW/messages.json"]
    for path in paths:
        https(apache_site, path, "--path-as-is", "-H", f"Referer: https://{WWW}/{code}")
    curl(f"http://127.0.0.1:{apache_site.http_port}/{code}", "-H", f"Host: {WWW}")
    lines = access_log_lines(apache_site, before + 2 + len(paths) + 1)[before:]
    assert len(lines) == 2 + len(paths) + 1
    log = "\n".join(lines)
    for secret in (code, protected):
        assert not re.search(rf"(?<![A-Za-z]){secret}(?![A-Za-z])", log), log
    routes = [re.search(r'"(\S+) (\S+) HTTP/1.1"', line).group(2) for line in lines]
    assert routes == ["/api/v1/texts"] * 2 + [
        "/CODE", "/api/v1/texts/CODE", "/api/v1/texts/CODE", "/CODE", "/", "/CODE",
        "/api/v1/texts/CODE/report", "OTHER", "OTHER", "/static/page.css",
        "/static/_locales/zh_TW/messages.json", "/CODE"]


def test_apache_refuses_an_oversize_body_with_json(apache_site, tmp_path):
    big = tmp_path / "big.json"
    big.write_text("x" * (1024 * 1024 + 1))
    status, headers, body = https(apache_site, "/api/v1/texts", "-X", "POST",
                                  "-H", "Content-Type: application/json",
                                  "--data-binary", f"@{big}")
    assert status == 413
    assert headers["content-type"][0].startswith("application/json")
    assert body == (REPO / "apache/errors/413.json").read_text()  # Apache's, not the app's
    assert_security_headers_once(headers)


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
