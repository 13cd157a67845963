"""The floor of a service on this stack: Flask and one statement or transaction.

bench/stack.py runs it on the service's own seeded database (SQLite through
sqlite3, PostgreSQL through psycopg), under the same Apache site and
``WSGIDaemonProcess`` settings, with the service's requests: a load reads one
text by its code, a write takes a free code and stores a text in one
transaction (as saver.pool.allocate takes it). Nothing else: no rate limits,
input checks, expiry, passwords, SQLAlchemy or group commit. Between
hello-world and this floor is what the database and the request's own body
cost on the stack; between the floor and the service is everything the
service adds.
"""
import datetime
import hashlib
import os
import secrets
import threading

from dotenv import dotenv_values
from flask import Flask, abort, jsonify, request

from saver.codes import to_code, to_number
from saver.models import FreeCode

URL = dotenv_values(os.environ["SAVER_ENV_FILE"])["DATABASE_URL"]
if URL.startswith("sqlite:///"):
    import sqlite3

    def connect():
        # Autocommit: BEGIN is explicit. SQLite's own busy handler and checkpoints.
        return sqlite3.connect(URL.removeprefix("sqlite:///"), timeout=10,
                               isolation_level=None, check_same_thread=False)

    def stored(moment):
        """A datetime as SQLAlchemy stores it in SQLite, so the service reads these texts too."""
        return moment.isoformat(" ", "microseconds")

    BEGIN, MARK, SKIP_LOCKED = "BEGIN IMMEDIATE", "?", ""
else:
    import psycopg

    def connect():
        return psycopg.connect(URL, autocommit=True)

    def stored(moment):
        return moment

    BEGIN, MARK, SKIP_LOCKED = "BEGIN", "%s", " FOR UPDATE SKIP LOCKED"

READ = f"SELECT body, created_at, expires_at FROM texts WHERE code = {MARK}"
TAKE = (f"DELETE FROM free_codes WHERE ticket = (SELECT ticket FROM free_codes"
        f" WHERE ticket >= {MARK} ORDER BY ticket LIMIT 1{SKIP_LOCKED}) RETURNING ticket")
INSERT = ("INSERT INTO texts (code, body, created_at, expires_at, password_hash, max_views,"
          " views, delete_token_hash, failed_attempts, locked_until)"
          f" VALUES ({MARK}, {MARK}, {MARK}, {MARK}, NULL, NULL, 0, {MARK}, 0, NULL)")
_local = threading.local()

application = Flask(__name__)


def connection():
    """This thread's own connection, kept between requests."""
    if not hasattr(_local, "connection"):
        _local.connection = connect()
    return _local.connection


@application.get("/hello")
def hello():
    """What bench/stack.py asks a site before it measures."""
    return {"status": "ok"}


@application.get("/api/v1/texts/<code>")
def load(code):
    row = connection().execute(READ, (to_number(code),)).fetchone()
    if row is None:
        abort(404)
    return jsonify(code=code, text=bytes(row[0]).decode(), created_at=row[1],
                   expires_at=row[2], views_left=None)


@application.post("/api/v1/texts")
def write():
    body = request.get_json()["text"].encode()
    token = secrets.token_urlsafe(32)
    now = datetime.datetime.utcnow().replace(microsecond=0)
    expires_at = now + datetime.timedelta(days=1)
    database = connection()
    database.execute(BEGIN)
    try:
        for lowest in (secrets.randbelow(FreeCode.TICKET_LIMIT), 0):  # as saver.pool.allocate
            taken = database.execute(TAKE, (lowest,)).fetchone()
            if taken:
                break
        ticket, = taken  # the bench's pool is never empty
        database.execute(INSERT, (ticket & FreeCode.CODE_MASK, body, stored(now),
                                  stored(expires_at), hashlib.sha256(token.encode()).hexdigest()))
        database.execute("COMMIT")
    except BaseException:
        database.execute("ROLLBACK")
        raise
    response = jsonify(code=to_code(ticket & FreeCode.CODE_MASK),
                       expires_at=expires_at.isoformat() + "Z", delete_token=token)
    response.status_code = 201
    return response
