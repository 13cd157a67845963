"""Hostile input against the real stack (Apache, mod_wsgi, the app, SQLite).

Schemathesis generates many more examples than the default test run, then a
hand-picked corpus of attacks follows. Wanted: zero 5xx, zero stack traces,
JSON errors, and nothing stored by a rejected request.
"""
import json
import socket
import ssl
import threading
import time
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from saver import create_app
from saver.openapi import document
from support import apache_session, counts, report, scale

# The document the site serves, built at import (schemathesis's pytest hook needs it);
# from a dict, not from_wsgi, so that the calls go over HTTP to the site.
schema = schemathesis.openapi.from_dict(document(create_app(
    {"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config))
EXAMPLES = scale(60, 1000)
TRACES = ("Traceback", 'File "/', "sqlalchemy", "psycopg", "werkzeug")
TALLY = {"requests": 0, "fivexx": 0}

INJECTIONS = ["' OR '1'='1", "'; DROP TABLE texts; --", "\" OR 1=1 --", "1; SELECT pg_sleep(5)",
              "../../../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%00", "{{7*7}}", "${jndi:x}",
              "<script>alert(1)</script>", "aaaa\r\nSet-Cookie: x=1", "\u202e\ufeff", "%s%n%x"]
NUMBERS = [-1, 0, 59, 2**31, 2**63, -2**63, 10**100, 1e308, -1e308, 0.5, True, "60", None]
CODE_PATHS = ["' OR '1'='1", "aaaa' --", "..%2F..%2Fetc%2Fpasswd", "%2e%2e/%2e%2e/etc/passwd",
              "aaaa%00", "aaa%C3%A9", "AAAAA", "a", "%FF%FE", "aaaa;DROP%20TABLE%20texts"]


@pytest.fixture(scope="module")
def site(open_site):
    session, base = apache_session(open_site)
    return open_site, session, base


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_against_the_running_site(case, site):
    _, session, base = site
    response = case.call(base_url=base, session=session, verify=session.verify)
    TALLY["requests"] += 1
    TALLY["fivexx"] += response.status_code >= 500
    assert not any(trace in response.text for trace in TRACES)
    case.validate_response(response)


def test_schemathesis_figures():
    """Report what the generated examples tried (runs after them, in file order)."""
    report("hostile schemathesis", examples_per_operation=EXAMPLES, **TALLY)
    assert TALLY["fivexx"] == 0


def attacks():
    """(label, method, path, headers, body bytes) of every hand-picked attack."""
    json_type = {"Content-Type": "application/json"}
    found = [
        ("oversize text", "POST", "/api/v1/texts", json_type,
         json.dumps({"text": "x" * 102401}).encode()),
        ("oversize body", "POST", "/api/v1/texts", json_type, b'{"text":"' + b"x" * 1048577),
        ("invalid UTF-8", "POST", "/api/v1/texts", json_type, b'{"text": "\xff\xfe\xc3("}'),
        ("raw NUL", "POST", "/api/v1/texts", json_type, b'{"text": "a\x00b"}'),
        ("deep list", "POST", "/api/v1/texts", json_type, b"[" * 100000 + b"]" * 100000),
        ("deep object", "POST", "/api/v1/texts", json_type,
         b'{"text":' * 50000 + b'"x"' + b"}" * 50000),
        ("NaN", "POST", "/api/v1/texts", json_type, b'{"text": "x", "expires_in": NaN}'),
        ("not an object", "POST", "/api/v1/texts", json_type, b'"just a string"'),
        ("empty body", "POST", "/api/v1/texts", json_type, b""),
        ("old deep", "POST", "/write/", json_type, b"[" * 100000),
    ]
    for content_type in ("text/plain", "application/x-www-form-urlencoded",
                         "multipart/form-data; boundary=x", "application/xml", None):
        headers = {"Content-Type": content_type} if content_type else {}
        found.append((f"content type {content_type}", "POST", "/api/v1/texts", headers,
                      b'{"text": "typed"}'))
    for value in INJECTIONS + NUMBERS:
        for field in ("text", "password", "expires_in", "max_views"):
            body = {"text": "injected", field: value}
            if field == "text" and not isinstance(value, str):
                continue  # a number as text is just a 400 for type
            found.append((f"{field}={value!r}"[:40], "POST", "/api/v1/texts", json_type,
                          json.dumps(body).encode()))
        for field in ("wrtext", "wrpassword", "wrdelete_at", "ldcode", "ldpassword"):
            path = "/write/" if field.startswith("wr") else "/load/"
            body = {"wrtext": "x", "wrpassword": "", "wrdelete_at": "1h"} if path == "/write/" \
                else {"ldcode": "aaaa", "ldpassword": ""}
            found.append((f"{field}={value!r}"[:40], "POST", path, json_type,
                          json.dumps({**body, field: value}).encode()))
    for code in CODE_PATHS:
        code = quote(code, safe="%")  # as a client sends it; the %-escapes stay as written
        found += [(f"code {code}", "GET", f"/api/v1/texts/{code}", {}, b""),
                  (f"code {code}", "DELETE", f"/api/v1/texts/{code}",
                   {"X-Delete-Token": "' OR 1=1 --"}, b""),
                  (f"code {code}", "GET", f"/{code}", {}, b""),
                  (f"code {code}", "POST", f"/{code}", {}, b"password=' OR 1=1")]
    for value in ("' OR '1'='1", "\xff\xfe", "%FF%FE", "x" * 8000):
        found.append((f"X-Password {value[:10]!r}", "GET", "/api/v1/texts/aaaa",
                      {"X-Password": value}, b""))
    signature = ["x" * 8000, "=" * 10, "\xff\xfe", "abc\r\nX-Injected: 1", "abc\r\n\r\nGET /",
                 "' OR 1=1 --", "%00"]
    for value in signature:
        found.append((f"LINE signature {value[:12]!r}", "POST", "/line/callback",
                      json_type, b'{"destination": "x", "events": []}', value))
    return found


def raw_request(apache, method, path, headers, body, signature=None, pause=0.0):
    """Send bytes as they are over TLS (no client library cleans them); return the answer."""
    context = ssl.create_default_context(cafile=str(apache.ca.pem))
    head = [f"{method} {path} HTTP/1.1", "Host: www.saver.test", "Connection: close",
            f"Content-Length: {len(body)}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    if signature is not None:
        head.append(f"X-Line-Signature: {signature}")
    data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1", "replace") + body
    with socket.create_connection(("127.0.0.1", apache.https_port), timeout=30) as plain:
        with context.wrap_socket(plain, server_hostname="www.saver.test") as tls:
            if pause:
                tls.sendall(data[:len(data) // 2])
                time.sleep(pause)  # a slow sender: Apache's RequestReadTimeout must cut it
                data = data[len(data) // 2:]
            try:
                tls.sendall(data)
            except OSError:
                pass  # Apache may answer and close before an oversize body is sent
            answer = b""
            try:
                while chunk := tls.recv(65536):
                    answer += chunk
            except OSError:
                pass
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else None
    return status, answer.decode("utf-8", "replace")


def test_hand_picked_attacks(site):
    apache = site[0]
    database = f"sqlite:///{apache.database}"
    live_before = counts(database)["live"]
    slow = {}
    slow_sender = threading.Thread(target=lambda: slow.update(answer=raw_request(
        apache, "POST", "/api/v1/texts", {"Content-Type": "application/json"},
        b'{"text": "slow"}', pause=scale(12, 25))))
    slow_sender.start()
    answers, bad, stored = {}, [], 0
    for label, method, path, headers, body, *signature in attacks():
        status, text = raw_request(apache, method, path, headers, body, *signature)
        answers[status] = answers.get(status, 0) + 1
        writes = method == "POST" and path in ("/api/v1/texts", "/write/")
        stored += writes and status in (200, 201)
        if status is None or status >= 500 or any(trace in text for trace in TRACES):
            bad.append((label, status, text[-300:]))
        elif status >= 400 and "application/json" not in text.split("\r\n\r\n")[0]:
            bad.append((label, status, "not JSON: " + text[-200:]))
    slow_sender.join()
    slow_status, _ = slow["answer"]
    live_after = counts(database)["live"]
    fivexx = sum(n for s, n in answers.items() if s and s >= 500)
    report("hostile corpus", attacks=sum(answers.values()) + 1, answers=answers,
           slow_body_answer=slow_status, fivexx=fivexx,
           stored_by_accepted=stored, stored_total=live_after - live_before, bad=len(bad))
    assert not bad, [b[:2] for b in bad]
    assert slow_status in (None, 400, 408)  # cut off, never stored
    assert live_after - live_before == stored  # rejected requests stored nothing
    assert "Traceback" not in apache.error_log()
