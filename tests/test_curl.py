"""Writing with curl's own ways of sending a file, with the real curl against a live app."""
import json
import re
import subprocess

import pytest

from saver import pool
from saver.extensions import db
from services import LiveServer

BODY = "line one\r\nline two ✓\n\ttabbed, no newline at the end"


@pytest.fixture
def settings(settings):
    settings["SERVER_NAME"] = None  # links to the live server's own address
    return settings


@pytest.fixture
def live(app):
    server = LiveServer(app)
    yield server
    server.stop()


def curl(*args, stdin=None):
    """Run curl; return (status, content type, body)."""
    run = subprocess.run(["curl", "-sS", "-o", "-", "-w", "\n%{http_code} %{content_type}",
                          *args], input=stdin, capture_output=True, timeout=30, check=True)
    body, _, tail = run.stdout.rpartition(b"\n")
    status, _, content_type = tail.decode().partition(" ")
    return int(status), content_type, body.decode()


def code_of(answer):
    url = answer.splitlines()[0]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/[a-zA-Z]{4}", url), answer
    return url.rsplit("/", 1)[1]


def read(live, code, *args):
    return curl(*args, f"{live.url}/{code}")


@pytest.fixture
def notes(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(BODY.encode())
    return path


@pytest.mark.parametrize("form", ["data-binary", "stdin", "upload", "upload-to-slash",
                                  "form-file", "form-text"])
def test_every_curl_form_saves_the_text_byte_for_byte(live, notes, form):
    args, stdin = {
        "data-binary": (["--data-binary", f"@{notes}", f"{live.url}/"], None),
        "stdin": (["--data-binary", "@-", f"{live.url}/"], BODY.encode()),
        "upload": (["-T", str(notes), f"{live.url}/"], None),  # PUT /notes.txt
        "upload-to-slash": (["-T", "-", f"{live.url}/"], BODY.encode()),  # PUT /
        "form-file": (["-F", f"file=@{notes}", f"{live.url}/"], None),
        "form-text": (["-F", f"text={BODY}", f"{live.url}/"], None),
    }[form]
    status, content_type, answer = curl(*args, stdin=stdin)
    assert status == 201 and content_type.startswith("text/plain"), answer
    code = code_of(answer)
    lines = answer.splitlines()
    assert lines[1] == f"code:    {code}"
    assert re.fullmatch(r"expires: \S+Z \(in 60 minutes\)", lines[2])
    assert lines[3] == f"read:    curl {live.url}/{code}"
    assert re.fullmatch(rf"delete:  curl -X DELETE -H 'X-Delete-Token: \S+' "
                        rf"{re.escape(live.url)}/api/v1/texts/{code}", lines[4])
    assert read(live, code) == (200, "text/plain; charset=utf-8", BODY)


def test_the_answer_s_delete_command_deletes(live, notes):
    _, _, answer = curl("--data-binary", f"@{notes}", f"{live.url}/")
    command = answer.splitlines()[4].split(None, 1)[1]
    token = re.search(r"X-Delete-Token: (\S+)'", command).group(1)
    status, _, _ = curl("-X", "DELETE", "-H", f"X-Delete-Token: {token}",
                        f"{live.url}/api/v1/texts/{code_of(answer)}")
    assert status == 204
    assert read(live, code_of(answer))[0] == 410


def test_options_in_the_query_and_the_password_in_a_header(live, notes):
    status, _, answer = curl("--data-binary", f"@{notes}", "-H", "X-Password: s3cret",
                             f"{live.url}/?expires_in=600&max_views=1")
    assert status == 201
    code = code_of(answer)
    assert "(in 10 minutes)" in answer.splitlines()[2]
    assert answer.splitlines()[3] == (
        f"read:    curl -X POST -H 'X-Password: YOUR-PASSWORD' {live.url}/{code}")
    assert read(live, code, "-X", "POST")[0] == 401
    assert read(live, code, "-X", "POST", "-H", "X-Password: s3cret") == (
        200, "text/plain; charset=utf-8", BODY)  # its one view
    assert read(live, code, "-X", "POST", "-H", "X-Password: s3cret")[0] == 410  # burned


def test_a_json_client_gets_the_api_s_answer(live, notes):
    status, content_type, answer = curl("--data-binary", f"@{notes}", "-H",
                                        "Accept: application/json", f"{live.url}/")
    assert status == 201 and content_type == "application/json"
    assert set(json.loads(answer)) == {"code", "expires_at", "delete_token", "url"}


@pytest.mark.parametrize("args, stdin, status, sentence", [
    (["--data-binary", "@-"], b"", 400, "The text is empty"),
    (["--data-binary", "@-"], b"caf\xe9", 400, "The text is not UTF-8"),
    (["--data-binary", "@-"], b"x" * 102401, 413, "the limit is 102400 bytes"),
    (["--data-binary", "@-", "-G", "--data-urlencode", "expires_in=soon"], b"hi", 400,
     "'expires_in' must be a whole number"),
    (["-F", "other=1"], None, 400, "a field named file or text"),
])
def test_bad_input_gets_a_plain_sentence(live, args, stdin, status, sentence):
    url = f"{live.url}/"
    if "-G" in args:  # options in the query with a body: build the URL by hand
        args, url = ["--data-binary", "@-"], f"{live.url}/?expires_in=soon"
    got, content_type, answer = curl(*args, url, stdin=stdin)
    assert (got, content_type.split(";")[0]) == (status, "text/plain"), answer
    assert answer.startswith("error: ") and sentence in answer, answer
    assert "Traceback" not in answer


def test_expiry_out_of_range_is_the_api_s_sentence(live):
    status, _, answer = curl("--data-binary", "@-", f"{live.url}/?expires_in=5", stdin=b"hi")
    assert status == 400 and "'expires_in' must be a whole number of seconds" in answer


def test_curl_writes_share_the_write_limit_with_the_api(settings, database_url, make_app):
    app = make_app({**settings, "SQLALCHEMY_DATABASE_URI": database_url,
                    "RATELIMIT_ENABLED": True, "SAVER_LIMIT_WRITE": "2/minute"})
    with app.app_context():
        db.create_all()
        pool.seed()
    server = LiveServer(app)
    try:
        assert curl("--data-binary", "@-", f"{server.url}/", stdin=b"hi")[0] == 201
        assert app.test_client().post("/api/v1/texts", json={"text": "hi"}).status_code == 201
        run = subprocess.run(["curl", "-sS", "-i", "--data-binary", "@-", f"{server.url}/"],
                             input=b"hi", capture_output=True, timeout=30, check=True)
    finally:
        server.stop()
    head, _, body = run.stdout.decode().partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 429") and "Retry-After: " in head
    assert body.startswith("error: Too many requests") and body.endswith("(rate_limited)\n")
