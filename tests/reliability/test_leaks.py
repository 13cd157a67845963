"""Nothing leaks: no password or protected body in the database, the logs or errors,
and no erased body left anywhere in the database files or dump.
"""
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

from sqlalchemy import update

from saver import texts
from saver.codes import to_number
from saver.db import writing
from saver.extensions import db
from saver.models import Text, utcnow
from support import PG_BIN, apache_session, make_app, report


def secret():
    return f"secret-{uuid.uuid4().hex}"


def database_bytes(url):
    """Everything the database holds: the SQLite files as they lie, or a PostgreSQL dump."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    base, query = url.split("?")
    schema = parse_qs(urlparse(url).query)["options"][0].split("=")[1]
    return subprocess.run([str(PG_BIN / "pg_dump"), "-n", schema, base], check=True,
                          capture_output=True).stdout


def test_erased_and_protected_bodies_are_not_in_the_database(full_url):
    app = make_app(full_url)
    kept_secret, password = secret(), secret()
    erased = {"burned": secret(), "deleted": secret(), "expired": secret()}
    with app.app_context():
        texts.write(kept_secret, password=password)
        burned = texts.write(erased["burned"], max_views=1)
        assert texts.load(burned.code).text == erased["burned"]
        deleted = texts.write(erased["deleted"])
        texts.remove(deleted.code, deleted.delete_token)
        expired = texts.write(erased["expired"])
        with writing() as connection:
            connection.execute(update(Text).where(Text.code == to_number(expired.code))
                               .values(expires_at=utcnow() - timedelta(seconds=1)))
        texts.sweep()  # what the timer runs every minute
        db.engine.dispose()
    stored = database_bytes(full_url)
    found = {name: value.encode() in stored for name, value in
             {**erased, "protected body": kept_secret, "password": password}.items()}
    report(f"leaks database {full_url.split(':')[0]}", bytes_examined=len(stored), **found)
    assert not any(found.values()), found


def test_no_secret_in_logs_or_error_answers(open_site):
    session, base = apache_session(open_site)
    body, password = secret(), secret()
    answers = []
    created = session.post(f"{base}/api/v1/texts", json={"text": body, "password": password})
    code = created.json()["code"]
    old = session.post(f"{base}/write/", json={"wrtext": body, "wrpassword": password,
                                               "wrdelete_at": "1h"})
    answers += [created, old]
    for wrong in (f"{password}x", password[:-1]):
        answers.append(session.get(f"{base}/api/v1/texts/{code}",
                                   headers={"X-Password": quote(wrong)}))
    answers += [
        session.get(f"{base}/api/v1/texts/{code}"),  # no password
        session.get(f"{base}/{code}"),
        session.post(f"{base}/{code}", data={"password": f"{password}x"}),
        session.post(f"{base}/api/v1/texts", json={"text": body, "password": password,
                                                   "expires_in": -1}),
        session.post(f"{base}/api/v1/texts", json={"text": body, "password": 5}),
        session.post(f"{base}/load/", json={"ldcode": old.json()["message"],
                                            "ldpassword": f"{password}x"}),
        session.post(f"{base}/api/v1/texts", data=f"text={body}&password={password}"),
    ]
    right = session.get(f"{base}/api/v1/texts/{code}", headers={"X-Password": password})
    assert right.json()["text"] == body
    errors = [r for r in answers if r.status_code >= 400 or "error" in r.text]
    leaked_answers = [r.status_code for r in errors if password in r.text or body in r.text]
    logs = "".join(p.read_text(errors="replace")
                   for p in (open_site.root / "logs").glob("*"))
    stored = database_bytes(f"sqlite:///{open_site.database}")
    found = {"password in logs": password in logs, "body in logs": body in logs,
             "password in database": password.encode() in stored,
             "body in database": body.encode() in stored}
    report("leaks logs and errors", error_answers=len(errors), leaking_answers=len(leaked_answers),
           log_bytes=len(logs), **found)
    assert not leaked_answers and not any(found.values()), found
