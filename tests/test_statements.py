"""The domain's statements, run through Connection.execute(): types, refused rows, failures."""
import logging
from datetime import datetime

import pytest
from sqlalchemy import column, select, table, text
from sqlalchemy.exc import DBAPIError, InvalidRequestError, StatementError

from saver import texts
from saver.db import reading, writing
from saver.models import Text

from services import postgres_execute

ROW = {"code": 7, "body": b"\x00caf\xc3\xa9", "created_at": datetime(2026, 11, 23, 9, 30, 5),
       "expires_at": datetime(2026, 11, 24, 9, 30, 5, 250), "password_hash": None,
       "max_views": 3, "views": 0, "delete_token_hash": "d" * 64, "failed_attempts": 0,
       "failures": 0, "locks": 0, "locked_until": None, "reports": 0}


def stored(code):
    with reading() as connection:
        return connection.execute(texts._READ_ROW, {"code": code}).first()


def test_rows_go_through_the_columns_types(app):
    with app.app_context():
        with writing() as connection:
            connection.execute(texts._INSERT_TEXT, [ROW, {**ROW, "code": 8, "max_views": None}])
        first, second = stored(7), stored(8)
    assert (first.body, first.created_at, first.expires_at, first.locked_until) == (
        ROW["body"], ROW["created_at"], ROW["expires_at"], None)
    assert isinstance(first.created_at, datetime) and first.max_views == 3
    assert second.max_views is None


def test_a_row_without_every_column_is_refused(app):
    with app.app_context():
        with pytest.raises(StatementError, match="locked_until") as refused:
            with writing() as connection:
                connection.execute(texts._INSERT_TEXT,
                                   [{name: ROW[name] for name in ROW if name != "locked_until"}])
        assert isinstance(refused.value.orig, InvalidRequestError)
        assert stored(7) is None


def test_a_failed_statement_raises_sqlalchemys_error_and_keeps_nothing(app):
    missing = select(column("x")).select_from(table("no_such_table"))
    with app.app_context():
        with pytest.raises(DBAPIError) as failure, writing() as connection:
            connection.execute(texts._INSERT_TEXT, [ROW])
            connection.execute(missing)
        assert "no_such_table" in str(failure.value)
        with reading() as connection:  # the transaction was rolled back
            assert connection.execute(select(Text.code)).all() == []


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_connection_the_server_dropped_is_replaced(app, client, caplog, monkeypatch):
    for name in ("saver", "sqlalchemy.pool.impl.QueuePool"):  # Alembic's logging set-up
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)  # turns them off
    code = client.post("/api/v1/texts", json={"text": "still here"}).json["code"]
    with app.app_context():
        with reading() as connection:  # the pool's only connection (requests run in turn)
            pid = connection.scalar(text("SELECT pg_backend_pid()"))
    postgres_execute("SELECT pg_terminate_backend(:pid)", {"pid": pid})
    lost = client.get(f"/api/v1/texts/{code}")
    assert lost.status_code == 503 and lost.json["error"] == "database_unavailable"
    assert client.get(f"/api/v1/texts/{code}").json["text"] == "still here"
    # Invalidated where it failed: the pool does not log a failed reset, traceback and all.
    assert [(r.levelname, r.name) for r in caplog.records] == [("WARNING", "saver")]
