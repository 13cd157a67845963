"""Statements run on the driver's cursor (db.Prepared) behave as connection.execute() does."""
import logging
from datetime import datetime

import pytest
from sqlalchemy import bindparam, column, insert, select, table, text
from sqlalchemy.exc import DBAPIError, InvalidRequestError

from saver.db import Prepared, reading, writing
from saver.models import Text

from services import postgres_execute

ROW = {"code": 7, "body": b"\x00caf\xc3\xa9", "created_at": datetime(2026, 11, 23, 9, 30, 5),
       "expires_at": datetime(2026, 11, 24, 9, 30, 5, 250), "password_hash": None,
       "max_views": 3, "views": 0, "delete_token_hash": "d" * 64, "failed_attempts": 0,
       "locked_until": None}
INSERT = Prepared(insert(Text))
READ = Prepared(select(Text.code, Text.body, Text.created_at, Text.expires_at, Text.max_views,
                       Text.locked_until).where(Text.code >= bindparam("lowest")))


def test_rows_go_through_the_columns_types_as_with_execute(app):
    with app.app_context():
        with writing() as connection:
            INSERT.run(connection, [ROW, {**ROW, "code": 8, "max_views": None}])
        with reading() as connection:
            prepared = READ.run(connection, {"lowest": 7})
            executed = connection.execute(READ.statement, {"lowest": 7}).all()
    assert [tuple(row) for row in prepared] == [tuple(row) for row in executed]
    first = prepared[0]
    assert (first.code, first.body, first.expires_at, first.locked_until) == (
        7, ROW["body"], ROW["expires_at"], None)
    assert isinstance(first.created_at, datetime) and prepared[1].max_views is None


def test_a_row_without_every_column_is_refused(app):
    with app.app_context(), writing() as connection:
        with pytest.raises(InvalidRequestError, match="locked_until"):
            INSERT.run(connection, [{name: ROW[name] for name in ROW if name != "locked_until"}])


def test_a_failed_statement_raises_sqlalchemys_error_and_keeps_nothing(app):
    missing = Prepared(select(column("x")).select_from(table("no_such_table")))
    with app.app_context():
        with pytest.raises(DBAPIError) as failure, writing() as connection:
            INSERT.run(connection, [ROW])
            missing.run(connection)
        assert "no_such_table" in str(failure.value)
        with reading() as connection:  # the transaction was rolled back
            assert READ.run(connection, {"lowest": 0}) == []


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
