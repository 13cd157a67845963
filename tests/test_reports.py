"""Reports of a text without an account: hidden after enough readers, the operator decides."""
import pytest
from sqlalchemy import select

from saver.extensions import db
from saver.models import Report


def write(client, text="spam, spam, spam"):
    response = client.post("/api/v1/texts", json={"text": text})
    assert response.status_code == 201, response.json
    return response.json["code"]


def report(client, code, address, reason="phishing link"):
    return client.post(f"/api/v1/texts/{code}/report", json={"reason": reason},
                       environ_base={"REMOTE_ADDR": address})


def test_a_text_is_hidden_after_three_distinct_reporters(client):
    code = write(client)
    assert report(client, code, "192.0.2.1").json == {"code": code, "reported": True}
    assert report(client, code, "192.0.2.1").status_code == 200  # the same reader again
    assert report(client, code, "2001:db8:1:1::1").status_code == 200
    assert report(client, code, "2001:db8:1:1::2").status_code == 200  # the same /64
    assert client.get(f"/api/v1/texts/{code}").status_code == 200  # two readers so far
    assert report(client, code, "198.51.100.9", reason="  malware download ").status_code == 200
    for answer in (client.get(f"/api/v1/texts/{code}"), client.get(f"/{code}")):
        assert answer.status_code == 410 and answer.json["error"] == "reported"
    old = client.post("/load/", json={"ldcode": code, "ldpassword": ""})
    assert old.json["status"] == "error"


def test_the_operator_lists_clears_and_purges(client, runner, conserved):
    code, other = write(client), write(client, "fine")
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        report(client, code, address, reason=f"spam from {address[-1]}")
    report(client, other, "192.0.2.1", reason="typo")
    listed = runner.invoke(args=["reports"])
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0].startswith(f"{code}  3 reports  first ") and lines[0].endswith("(hidden)")
    assert lines[1:4] == ["    - spam from 1", "    - spam from 2", "    - spam from 3"]
    assert lines[4].startswith(f"{other}  1 report  first ")
    cleared = runner.invoke(args=["reports", "clear", code])
    assert cleared.exit_code == 0 and "Cleared 3 reports" in cleared.output
    assert client.get(f"/api/v1/texts/{code}").json["text"] == "spam, spam, spam"
    assert runner.invoke(args=["reports", "clear", code]).exit_code == 1
    assert runner.invoke(args=["purge", other]).exit_code == 0
    assert runner.invoke(args=["reports"]).output == "No open reports.\n"
    assert conserved()["resting"] == 1


def test_no_address_is_stored(app, client):
    code = write(client)
    report(client, code, "203.0.113.77")
    with app.app_context():
        stored = db.session.execute(select(Report)).scalars().one()
        assert "203.0.113.77" not in stored.reporter and len(stored.reporter) == 64
        db.session.rollback()


def test_the_reports_end_with_their_text(app, client, runner):
    app.config.update(SAVER_CODE_COOLDOWN=0)
    code = write(client)
    report(client, code, "192.0.2.1")
    assert runner.invoke(args=["purge", code]).exit_code == 0
    with app.app_context():
        assert db.session.execute(select(Report)).first() is None
        db.session.rollback()


@pytest.mark.parametrize("reason, message", [
    (None, "'reason' must say"), ("", "'reason' must say"), ("   ", "'reason' must say"),
    (7, "'reason' must say"), ("x" * 201, "at most 200 characters"),
    ("two\nlines", "one line of text"), ("\x1b[2Jgone", "without control characters"),
    ("\x1e", "without control characters"), ("\x85", "without control characters"),
])
def test_a_report_needs_a_short_reason(client, reason, message):
    code = write(client)
    answer = report(client, code, "192.0.2.1", reason=reason)
    assert answer.status_code == 400 and message in answer.json["message"]


def test_a_reason_must_be_unicode(client):
    code = write(client)
    answer = client.post(f"/api/v1/texts/{code}/report", data='{"reason": "\\ud800"}',
                         content_type="application/json")
    assert answer.status_code == 400 and "not valid Unicode" in answer.json["message"]


def test_reports_of_missing_codes_are_misses(client):
    assert report(client, "zzzz", "192.0.2.1").status_code == 404
    assert report(client, "abc", "192.0.2.1").status_code == 404


def test_reports_are_limited(client, make_app, settings, database_url):
    app = make_app({**settings, "RATELIMIT_ENABLED": True, "SAVER_LIMIT_REPORT": "2/hour",
                    "SQLALCHEMY_DATABASE_URI": client.application.config[
                        "SQLALCHEMY_DATABASE_URI"]})
    limited = app.test_client()
    code = write(limited)
    statuses = [report(limited, code, "192.0.2.1").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
