"""The floor of a SQLite service on this stack: Flask and one statement or transaction.

bench/stack.py runs it on the service's own seeded SQLite file, under the same
Apache site and ``WSGIDaemonProcess`` settings, with the service's requests:
a load reads one text by its code, a write takes a free code and stores a text
in one transaction (SQLite's own locking and checkpoints). Nothing else: no
rate limits, input checks, expiry, passwords or group commit. Between
hello-world and this floor is what SQLite and the request's own body cost on
the stack; between the floor and the service is everything the service adds.
"""
import datetime
import hashlib
import os
import secrets
import sqlite3
import threading

from dotenv import dotenv_values
from flask import Flask, abort, jsonify, request

from saver.codes import to_code, to_number
from saver.models import FreeCode

DATABASE = dotenv_values(os.environ["SAVER_ENV_FILE"])["DATABASE_URL"].removeprefix("sqlite:///")
_local = threading.local()

application = Flask(__name__)


def connection():
    """This thread's own connection (autocommit: BEGIN is explicit)."""
    if not hasattr(_local, "connection"):
        _local.connection = sqlite3.connect(DATABASE, timeout=10, isolation_level=None,
                                            check_same_thread=False)
    return _local.connection


def stored(moment):
    """A datetime as SQLAlchemy stores it in SQLite, so the service reads these texts too."""
    return moment.isoformat(" ", "microseconds")


@application.get("/hello")
def hello():
    """What bench/stack.py asks a site before it measures."""
    return {"status": "ok"}


@application.get("/api/v1/texts/<code>")
def load(code):
    row = connection().execute("SELECT body, created_at, expires_at FROM texts WHERE code = ?",
                               (to_number(code),)).fetchone()
    if row is None:
        abort(404)
    return jsonify(code=code, text=row[0].decode(), created_at=row[1], expires_at=row[2],
                   views_left=None)


@application.post("/api/v1/texts")
def write():
    body = request.get_json()["text"].encode()
    token = secrets.token_urlsafe(32)
    now = datetime.datetime.utcnow().replace(microsecond=0)
    expires_at = now + datetime.timedelta(days=1)
    database = connection()
    database.execute("BEGIN IMMEDIATE")
    try:
        for lowest in (secrets.randbelow(FreeCode.TICKET_LIMIT), 0):  # as saver.pool.allocate
            taken = database.execute(
                "DELETE FROM free_codes WHERE ticket = (SELECT ticket FROM free_codes"
                " WHERE ticket >= ? ORDER BY ticket LIMIT 1) RETURNING ticket",
                (lowest,)).fetchone()
            if taken:
                break
        ticket, = taken  # the bench's pool is never empty
        database.execute(
            "INSERT INTO texts (code, body, created_at, expires_at, password_hash, max_views,"
            " views, delete_token_hash, failed_attempts, locked_until)"
            " VALUES (?, ?, ?, ?, NULL, NULL, 0, ?, 0, NULL)",
            (ticket & FreeCode.CODE_MASK, body, stored(now), stored(expires_at),
             hashlib.sha256(token.encode()).hexdigest()))
        database.execute("COMMIT")
    except BaseException:
        database.execute("ROLLBACK")
        raise
    response = jsonify(code=to_code(ticket & FreeCode.CODE_MASK),
                       expires_at=expires_at.isoformat() + "Z", delete_token=token)
    response.status_code = 201
    return response
