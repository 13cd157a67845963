"""The installable web app: its manifest, its worker, and the share target at /share."""
import json
import re

import pytest

from saver.share import joined


def shared_code(response):
    """The code shown on the share target's answer."""
    return re.search(r'class="code written-code">([a-zA-Z]{4})<', response.text).group(1)


@pytest.mark.parametrize("title, text, url, body", [
    ("", "just text", "", "just text"),
    ("A page", "", "https://example.com/a", "A page\nhttps://example.com/a"),
    ("A page", "look at this https://example.com/a", "https://example.com/a",
     "A page\nlook at this https://example.com/a"),
    ("A page", "A page: read it", "", "A page: read it"),
    (" ", "  spaced  ", " ", "spaced"),
])
def test_shared_fields_are_joined_one_a_line_without_repeats(title, text, url, body):
    assert joined(title, text, url) == body


def test_the_manifest_and_the_worker(client):
    answer = client.get("/manifest.webmanifest")
    assert answer.mimetype == "application/manifest+json"
    manifest = json.loads(answer.data)
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    assert manifest["share_target"] == {
        "action": "/share", "method": "POST", "enctype": "application/x-www-form-urlencoded",
        "params": {"title": "title", "text": "text", "url": "url"}}
    worker = client.get("/sw.js")
    assert worker.mimetype == "text/javascript" and b"fetch" in worker.data
    page = client.get("/").text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page


def test_sharing_saves_the_text_with_the_default_expiry(client, conserved):
    answer = client.post("/share", data={"title": "Recipe", "text": "flour, eggs",
                                         "url": "https://example.com/r"})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    code = shared_code(answer)
    assert f'src="/qr/{code}.svg"' in answer.text
    assert f"http://saver.test/{code}" in answer.text
    assert "expires in 1 hour" in answer.text
    read = client.get(f"/api/v1/texts/{code}").json
    assert read["text"] == "Recipe\nflour, eggs\nhttps://example.com/r"
    conserved()


def test_nothing_shared_is_a_400_page(client, conserved):
    answer = client.post("/share", data={"title": " ", "text": ""})
    assert answer.status_code == 400
    assert "Nothing was shared" in answer.text and answer.mimetype == "text/html"
    conserved()


@pytest.fixture
def two_writes(settings):
    settings.update(RATELIMIT_ENABLED=True, SAVER_LIMIT_WRITE="2/minute")
    return settings


def test_a_share_counts_as_a_write(two_writes, client, conserved):
    assert client.post("/share", data={"text": "one"}).status_code == 200
    assert client.post("/api/v1/texts", json={"text": "two"}).status_code == 201
    refused = client.post("/share", data={"text": "three"})
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    conserved()
