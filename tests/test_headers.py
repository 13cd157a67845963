"""Every answer of the app carries the security headers, once each, whatever server runs it."""
import pytest

from saver.headers import SECURITY_HEADERS


def assert_headers_once(response):
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.getlist(name) == [value], (name, response.status)
    assert "Strict-Transport-Security" not in response.headers  # Apache's, with TLS


@pytest.mark.parametrize("path", ["/", "/static/client.js", "/static/page.css",
                                  "/favicon.ico", "/api/v1/health", "/api/v1/openapi.json",
                                  "/api/v1/texts/zzzz", "/no/such/page"])
def test_get_answers_carry_the_headers(client, path):
    assert_headers_once(client.get(path))


def test_raw_text_and_reveal_page_carry_the_headers(client):
    answer = client.post("/api/v1/texts", json={"text": "once", "max_views": 1})
    assert_headers_once(answer)
    code = answer.get_json()["code"]
    page = client.get(f"/{code}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and b"<form" in page.data
    assert_headers_once(page)
    raw = client.post(f"/{code}", headers={"Accept": "text/html"})
    assert raw.get_data(as_text=True) == "once"
    assert_headers_once(raw)


def test_error_answers_carry_the_headers(client):
    assert_headers_once(client.delete("/api/v1/health"))  # 405
    assert_headers_once(client.post("/api/v1/texts", data="x"))  # 415
    assert_headers_once(client.post("/write/", json={"wrtext": ""}))  # old endpoint refusal


def test_preflights_carry_the_headers(client):
    answer = client.options("/api/v1/texts", headers={
        "Origin": "chrome-extension://abc", "Access-Control-Request-Method": "POST"})
    assert answer.headers["Access-Control-Allow-Origin"] == "chrome-extension://abc"
    assert_headers_once(answer)
