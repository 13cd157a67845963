"""Every row of the API table, through the Flask test client, on both databases."""
import json
import re
import threading
from datetime import datetime, timedelta

import pytest

CODE = re.compile(r"^[a-zA-Z]{4}$")


def write(client, **fields):
    response = client.post("/api/v1/texts", json={"text": "hello", **fields})
    assert response.status_code == 201, response.json
    return response.json


def assert_error(response, status, error):
    assert response.status_code == status, (response.status_code, response.data)
    assert response.mimetype == "application/json"
    assert response.json["error"] == error
    assert response.json["message"]


def test_write_answers_code_expiry_token_url_and_location(client, conserved):
    before = datetime.utcnow()
    response = client.post("/api/v1/texts", json={"text": "héllo ✓", "expires_in": 600})
    assert response.status_code == 201
    body = response.json
    assert CODE.match(body["code"])
    expires_at = datetime.fromisoformat(body["expires_at"].rstrip("Z"))
    assert timedelta(seconds=598) <= expires_at - before <= timedelta(seconds=602)
    assert body["url"] == f"http://saver.test/{body['code']}"
    assert response.headers["Location"].endswith(f"/api/v1/texts/{body['code']}")
    assert len(body["delete_token"]) >= 32
    assert conserved()["live"] == 1


def test_read_answers_the_text(client):
    code = write(client, text="line one\nline two ✓ 🎉")["code"]
    response = client.get(f"/api/v1/texts/{code}")
    assert response.status_code == 200
    assert response.json["text"] == "line one\nline two ✓ 🎉"
    assert response.json["code"] == code
    assert response.json["views_left"] is None
    assert response.json["created_at"].endswith("Z")


def test_default_expiry_is_one_hour(client):
    body = write(client)
    expires_at = datetime.fromisoformat(body["expires_at"].rstrip("Z"))
    assert abs((expires_at - datetime.utcnow()) - timedelta(hours=1)) < timedelta(seconds=5)


def test_password_protected_text(client):
    code = write(client, text="secret", password="pässwörd")["code"]
    assert_error(client.get(f"/api/v1/texts/{code}"), 401, "password_required")
    assert_error(client.get(f"/api/v1/texts/{code}", headers={"X-Password": "nope"}),
                 403, "wrong_password")
    encoded = "p%C3%A4ssw%C3%B6rd"  # what encodeURIComponent sends
    assert client.get(f"/api/v1/texts/{code}",
                      headers={"X-Password": encoded}).json["text"] == "secret"


def test_password_as_raw_utf8_header(client):
    code = write(client, text="secret", password="pässwörd")["code"]
    raw = "pässwörd".encode().decode("latin-1")  # the bytes curl sends
    assert client.get(f"/api/v1/texts/{code}", headers={"X-Password": raw}).status_code == 200


def test_unknown_and_malformed_codes_are_404(client):
    for path in ["/api/v1/texts/zzzz", "/api/v1/texts/ab", "/api/v1/texts/abc1",
                 "/api/v1/texts/ZZZZ"]:
        assert_error(client.get(path), 404, "not_found")


def test_burn_after_reading(client, conserved):
    code = write(client, max_views=1)["code"]
    first = client.get(f"/api/v1/texts/{code}")
    assert first.json["views_left"] == 0
    assert_error(client.get(f"/api/v1/texts/{code}"), 410, "expired")
    assert conserved() == {"free": 2703, "live": 0, "resting": 1}


def test_max_views_counts_down(client):
    code = write(client, max_views=3)["code"]
    assert [client.get(f"/api/v1/texts/{code}").json["views_left"] for _ in range(3)] == [2, 1, 0]
    assert client.get(f"/api/v1/texts/{code}").status_code == 410


def test_delete_with_token(client, conserved):
    body = write(client)
    path = f"/api/v1/texts/{body['code']}"
    assert_error(client.delete(path), 400, "invalid_input")
    assert_error(client.delete(path, headers={"X-Delete-Token": "wrong"}), 403,
                 "wrong_delete_token")
    response = client.delete(path, headers={"X-Delete-Token": body["delete_token"]})
    assert response.status_code == 204 and response.data == b""
    assert_error(client.get(path), 410, "expired")
    assert_error(client.delete(path, headers={"X-Delete-Token": body["delete_token"]}),
                 410, "expired")
    assert conserved()["resting"] == 1


def test_health_answers_the_counts_the_last_sweep_kept(client, runner, conserved):
    write(client)
    first = client.get("/api/v1/health").json  # before any sweep: counted once, then kept
    assert first["status"] == "ok" and first["free_codes"] == conserved()["free"]
    write(client)
    assert client.get("/api/v1/health").json == first  # no count of its own
    assert runner.invoke(args=["sweep"]).exit_code == 0
    after = client.get("/api/v1/health").json
    assert after["free_codes"] == conserved()["free"] == first["free_codes"] - 1
    assert after["counted_at"] >= first["counted_at"]


def test_health_checks_at_once_before_any_sweep_all_answer(app):
    answers = []

    def check():
        answers.append(app.test_client().get("/api/v1/health").status_code)
    threads = [threading.Thread(target=check) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 8


def test_raw_text(client):
    code = write(client, text="raw ✓")["code"]
    response = client.get(f"/{code}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.get_data(as_text=True) == "raw ✓"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_raw_protected_text_asks_for_the_password(client):
    code = write(client, password="pw")["code"]
    response = client.get(f"/{code}")
    assert_error(response, 401, "password_required")
    assert "X-Password" in response.json["message"]
    assert client.get(f"/{code}", headers={"X-Password": "pw"}).data == b"hello"


def test_raw_view_limited_text_needs_a_click(client):
    code = write(client, text="burn me", max_views=1)["code"]
    for _ in range(3):  # link-preview bots fetch the URL: no view is used
        preview = client.get(f"/{code}")
        assert preview.status_code == 200 and preview.mimetype == "text/html"
        assert b"burn me" not in preview.data
        assert b'method="post"' in preview.data
    assert client.post(f"/{code}").data == b"burn me"
    assert_error(client.post(f"/{code}"), 410, "expired")


def test_raw_view_limited_protected_text_takes_the_password_in_the_form(client):
    code = write(client, text="both", max_views=2, password="pw")["code"]
    assert_error(client.post(f"/{code}", data={"password": "bad"}), 403, "wrong_password")
    assert client.post(f"/{code}", data={"password": "pw"}).data == b"both"


def test_openapi_document_lists_the_api(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/texts", "/api/v1/texts/{code}", "/api/v1/health", "/api/v1/openapi.json",
            "/{code}", "/write/", "/load/"} <= set(document["paths"])


@pytest.mark.parametrize("fields, error", [
    ({}, "invalid_input"),
    ({"text": ""}, "invalid_input"),
    ({"text": 12}, "invalid_input"),
    ({"text": ["a"]}, "invalid_input"),
    ({"text": None}, "invalid_input"),
    ({"text": "\ud800"}, "invalid_input"),
    ({"text": "a", "expires_in": 59}, "invalid_input"),
    ({"text": "a", "expires_in": 30 * 86400 + 1}, "invalid_input"),
    ({"text": "a", "expires_in": "3600"}, "invalid_input"),
    ({"text": "a", "expires_in": 3600.5}, "invalid_input"),
    ({"text": "a", "expires_in": True}, "invalid_input"),
    ({"text": "a", "expires_in": -1}, "invalid_input"),
    ({"text": "a", "expires_in": 10**30}, "invalid_input"),
    ({"text": "a", "max_views": 0}, "invalid_input"),
    ({"text": "a", "max_views": "1"}, "invalid_input"),
    ({"text": "a", "password": 1234}, "invalid_input"),
    ({"text": "a", "password": "x" * 1025}, "invalid_input"),
    ({"text": "a", "password": "\udfff"}, "invalid_input"),
])
def test_bad_fields_are_400_and_store_nothing(client, conserved, fields, error):
    # json.dumps escapes lone surrogates as a browser would send them
    response = client.post("/api/v1/texts", data=json.dumps(fields),
                           content_type="application/json")
    assert_error(response, 400, error)
    assert conserved()["live"] == 0


@pytest.mark.parametrize("data, content_type, status, error", [
    (b'{"text": "a"', "application/json", 400, "bad_request"),
    (b"\xff\xfe\x00garbage", "application/json", 400, "bad_request"),
    (b'["text"]', "application/json", 400, "invalid_input"),
    (b'"text"', "application/json", 400, "invalid_input"),
    (b"null", "application/json", 400, "invalid_input"),
    (b"[" * 100000 + b"]" * 100000, "application/json", 400, "bad_request"),
    (b'{"text": 1e999}', "application/json", 400, "invalid_input"),
    (b'{"text": "a", "expires_in": ' + b"9" * 5000 + b"}", "application/json", 400,
     "bad_request"),
    (b"text=hello", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    (b"hello", "text/plain", 415, "unsupported_media_type"),
])
def test_malformed_bodies_are_clear_errors(client, conserved, data, content_type, status,
                                           error):
    response = client.post("/api/v1/texts", data=data, content_type=content_type)
    assert_error(response, status, error)
    assert conserved()["live"] == 0


def test_text_over_the_byte_limit_is_413(client, conserved):
    limit = client.application.config["SAVER_MAX_TEXT_BYTES"]
    assert client.post("/api/v1/texts", json={"text": "é" * (limit // 2)}).status_code == 201
    assert_error(client.post("/api/v1/texts", json={"text": "é" * (limit // 2 + 1)}),
                 413, "too_large")
    assert conserved()["live"] == 1


def test_oversize_body_is_refused_before_parsing(client):
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    response = client.post("/api/v1/texts", data=b"x" * (limit + 1),
                           content_type="application/json")
    assert_error(response, 413, "request_entity_too_large")


@pytest.mark.parametrize("method, path, status", [
    ("put", "/api/v1/texts", 405), ("get", "/api/v1/texts", 405),
    ("patch", "/api/v1/texts/abcd", 405), ("get", "/api/v1/nothing", 404),
    ("get", "/no/such/page", 404), ("get", "/write/", 405)])
def test_routing_errors_are_json(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert set(response.json) == {"error", "message"}


@pytest.mark.parametrize("hostile", [
    "'; DROP TABLE texts; --", "aaaa' OR '1'='1", "../../etc/passwd", "%00", "\x00",
    "<script>alert(1)</script>", "a" * 10000])
def test_hostile_strings_are_stored_verbatim_or_refused(client, hostile):
    code = write(client, text=hostile, password=hostile[:1024])["code"]
    response = client.get(f"/api/v1/texts/{code}", headers={"X-Password": hostile[:1024]
                          .replace("%", "%25").replace("\x00", "%00")})
    assert response.json["text"] == hostile
    for path in [f"/api/v1/texts/{hostile}", f"/{hostile}"]:
        assert client.get(path).status_code in (400, 404)


@pytest.mark.parametrize("header", ["\xff\xfe", "%FF", "%C3"])
def test_a_header_that_is_not_utf8_is_taken_as_it_came(client, header):
    code = write(client, password="pw")["code"]
    response = client.get(f"/api/v1/texts/{code}", headers={"X-Password": header})
    assert_error(response, 403, "wrong_password")


def test_cors_preflight_for_extension_origins(client):
    response = client.options("/api/v1/texts/abcd", headers={
        "Origin": "chrome-extension://abcdefghijklmnop", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "X-Password"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "chrome-extension://abcdefghijklmnop"
    assert "x-password" in response.headers["Access-Control-Allow-Headers"].lower()
    firefox = client.get("/api/v1/health", headers={"Origin": "moz-extension://1234-5678"})
    assert firefox.headers["Access-Control-Allow-Origin"] == "moz-extension://1234-5678"


def test_cors_is_not_given_to_other_origins(client):
    response = client.get("/api/v1/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_headers_go_with_errors_and_only_where_asked(client):
    extension = {"Origin": "chrome-extension://abcdefghijklmnop"}
    missing = client.get("/api/v1/texts/zzzz", headers=extension)
    assert_error(missing, 404, "not_found")
    assert missing.headers["Access-Control-Allow-Origin"] == extension["Origin"]
    assert "Retry-After" in missing.headers["Access-Control-Expose-Headers"]
    unknown = client.get("/api/v1/nowhere", headers=extension)
    assert unknown.status_code == 404
    assert unknown.headers["Access-Control-Allow-Origin"] == extension["Origin"]
    code = write(client)["code"]
    for path in (f"/api/v1/texts/{code}", "/api/v1/texts/zzzz", "/load/"):
        answer = client.post(path) if path == "/load/" else client.get(path)
        assert not [name for name in answer.headers.keys()
                    if name.startswith("Access-Control-")], path


@pytest.mark.parametrize("unreachable", [
    "postgresql://postgres@127.0.0.1:1/none",  # nothing listens on port 1
    "sqlite:////nonexistent-folder/saver.db",
])
def test_a_database_that_is_down_is_503_json(settings, unreachable, make_app):
    client = make_app({**settings, "SQLALCHEMY_DATABASE_URI": unreachable}).test_client()
    for response in (client.get("/api/v1/health"),
                     client.post("/api/v1/texts", json={"text": "x"}),
                     client.get("/api/v1/texts/aaab"),
                     client.get("/aaab"),
                     client.post("/load/", json={"ldcode": "aaab", "ldpassword": ""})):
        assert response.status_code == 503, response.data
        assert response.mimetype == "application/json"
        assert b"Traceback" not in response.data
    assert client.get("/api/v1/health").json["error"] == "database_unavailable"
    old = client.post("/write/", json={"wrtext": "x", "wrpassword": "", "wrdelete_at": "1h"})
    assert old.status_code == 503 and old.json["status"] == "error"


def test_a_database_without_its_tables_is_503_json(settings, database_url, caplog, make_app):
    client = make_app({**settings, "SQLALCHEMY_DATABASE_URI": database_url}).test_client()
    for response in (client.get("/api/v1/health"),
                     client.post("/api/v1/texts", json={"text": "x"}),
                     client.get("/api/v1/texts/aaab")):
        assert_error(response, 503, "database_unavailable")
    assert "texts" in caplog.text or "free_codes" in caplog.text  # the log names what is missing
    assert "Traceback" not in caplog.text
