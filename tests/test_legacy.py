"""The published v1.2 extension's /write/ and /load/ keep their exact shapes."""
from datetime import datetime

import pytest


def old_write(client, text="from the old popup", password="", delete_at="1h"):
    return client.post("/write/", json={"wrtext": text, "wrpassword": password,
                                        "wrdelete_at": delete_at})


def old_load(client, code, password=""):
    return client.post("/load/", json={"ldcode": code, "ldpassword": password})


@pytest.mark.parametrize("delete_at, seconds", [("10min", 600), ("1h", 3600), ("3h", 10800)])
def test_write_answers_the_code_in_message(client, delete_at, seconds):
    response = old_write(client, delete_at=delete_at)
    assert response.status_code == 200
    assert response.json["status"] == "success"
    code = response.json["message"]
    assert set(response.json) == {"status", "message"} and len(code) == 4
    api = client.get(f"/api/v1/texts/{code}").json
    assert api["text"] == "from the old popup"
    created = datetime.fromisoformat(api["created_at"].rstrip("Z"))
    expires = datetime.fromisoformat(api["expires_at"].rstrip("Z"))
    assert (expires - created).total_seconds() == seconds


def test_load_answers_the_text_in_message(client):
    code = old_write(client, text="hello ✓").json["message"]
    response = old_load(client, code)
    assert response.status_code == 200
    assert response.json == {"status": "success", "message": "hello ✓"}


def test_load_with_password(client):
    code = old_write(client, text="secret", password="pw").json["message"]
    assert old_load(client, code, "pw").json == {"status": "success", "message": "secret"}
    for wrong in ("", "nope"):
        response = old_load(client, code, wrong)
        assert response.status_code == 200
        assert response.json == {"status": "error", "message": "pw not match"}


def test_load_of_unknown_or_ended_code_is_not_exist(client):
    assert old_load(client, "zzzz").json == {"status": "error", "message": "not exist"}
    assert old_load(client, "bad code!").json == {"status": "error", "message": "not exist"}
    body = client.post("/api/v1/texts", json={"text": "x"}).json
    client.delete(f"/api/v1/texts/{body['code']}", headers={"X-Delete-Token": body["delete_token"]})
    response = old_load(client, body["code"])
    assert response.status_code == 200
    assert response.json == {"status": "error", "message": "not exist"}


def test_api_text_is_readable_by_the_old_popup(client):
    code = client.post("/api/v1/texts", json={"text": "new to old", "password": "p"}).json["code"]
    assert old_load(client, code, "p").json["message"] == "new to old"


@pytest.mark.parametrize("path, data, content_type, status", [
    ("/write/", b"{broken", "application/json", 400),
    ("/write/", b"[]", "application/json", 400),
    ("/write/", b'{"wrtext": 5, "wrpassword": "", "wrdelete_at": "1h"}', "application/json", 400),
    ("/write/", b'{"wrtext": "", "wrpassword": "", "wrdelete_at": "1h"}', "application/json", 400),
    ("/write/", b'{"wrtext": "a", "wrpassword": "", "wrdelete_at": "1y"}', "application/json", 400),
    ("/write/", b"wrtext=a", "application/x-www-form-urlencoded", 415),
    ("/load/", b"{broken", "application/json", 400),
    ("/load/", b'{"ldcode": ["a"]}', "text/plain", 415),
])
def test_other_failures_are_old_shaped_and_never_2xx(client, conserved, path, data, content_type,
                                                     status):
    response = client.post(path, data=data, content_type=content_type)
    assert response.status_code == status
    assert response.json["status"] == "error" and response.json["message"]
    assert set(response.json) == {"status", "message"}
    assert conserved()["live"] == 0


def test_write_of_an_oversize_text_is_413(client):
    limit = client.application.config["SAVER_MAX_TEXT_BYTES"]
    response = old_write(client, text="x" * (limit + 1))
    assert response.status_code == 413 and response.json["status"] == "error"


# The published v1.2 popup's origin, in the Chrome Web Store.
OLD_POPUP = "chrome-extension://gpignojchpllcdgjpgmlkfacghlhedjg"


def test_the_published_popup_passes_the_preflight(client):
    for path in ("/write/", "/load/"):
        response = client.options(path, headers={
            "Origin": OLD_POPUP, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == OLD_POPUP
        assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()
        assert "POST" in response.headers["Access-Control-Allow-Methods"]
    answer = client.post("/write/", json={"wrtext": "a", "wrpassword": "", "wrdelete_at": "1h"},
                         headers={"Origin": OLD_POPUP})
    assert answer.headers["Access-Control-Allow-Origin"] == OLD_POPUP
    assert client.post("/load/", json={"ldcode": answer.json["message"], "ldpassword": ""},
                       headers={"Origin": OLD_POPUP}).headers[
        "Access-Control-Allow-Origin"] == OLD_POPUP


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1:5000"])
def test_other_origins_get_no_cors_on_the_old_endpoints(client, origin):
    for path in ("/write/", "/load/"):
        preflight = client.options(path, headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        assert "Access-Control-Allow-Origin" not in preflight.headers
    answer = client.post("/write/", json={"wrtext": "a", "wrpassword": "", "wrdelete_at": "1h"},
                         headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_the_code_load_is_not_shadowed_by_the_old_endpoint(settings, database_url, make_app):
    from saver.codes import to_number
    from saver.extensions import db
    from saver.models import FreeCode
    app = make_app({**settings, "SAVER_CODE_SPACE": to_number("load") + 1,
                    "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():  # a pool that holds only the code that is also an old path
        db.create_all()
        db.session.add(FreeCode(ticket=to_number("load")))
        db.session.commit()
    client = app.test_client()
    assert client.post("/api/v1/texts", json={"text": "x", "max_views": 1}).json["code"] == "load"
    assert b'method="post"' in client.get("/load").data
    assert client.post("/load").data == b"x"
    assert old_load(client, "load").json == {"status": "error", "message": "not exist"}
    with app.app_context():
        db.engine.dispose()


def test_post_load_without_slash_is_the_reveal_of_the_code_load(client):
    # Only /load/ is the old popup's; /load is the page's click-to-reveal of "load".
    response = client.post("/load")
    assert response.status_code == 404
    assert response.json == {"error": "not_found", "message": "No text has this code."}
