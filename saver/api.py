"""The JSON API under /api/v1: parse input, call texts, shape the answer."""
from flask import Blueprint, current_app, jsonify, url_for

from . import pool, reports, texts
from .db import reading
from .extensions import client_key
from .inputs import header_text, json_object
from .limits import count_reads, count_writes, report_limit
from .openapi import document

bp = Blueprint("api", __name__)
# Mounted under bp at the end of the module; each counts its own rate limits.
reads = count_reads(Blueprint("reads", __name__))
writes = count_writes(Blueprint("writes", __name__))


def iso(moment):
    """Format a naive UTC datetime as ISO 8601 with a Z."""
    return moment.isoformat(timespec="seconds") + "Z"


@writes.post("/texts")
def create_text():
    """Store a text and answer its code, expiry, delete token and URL."""
    data = json_object()
    written = texts.write(data.get("text"), data.get("expires_in"),
                          data.get("password"), data.get("max_views"))
    return written_answer(written)


def written_answer(written):
    """The 201 answer of a write: code, expiry, delete token and URL, with a Location."""
    response = jsonify(code=written.code, expires_at=iso(written.expires_at),
                       delete_token=written.delete_token,
                       url=url_for("web.reads.raw", code=written.code, _external=True))
    response.status_code = 201
    response.headers["Location"] = url_for("api.reads.read_text", code=written.code)
    return response


@reads.get("/texts/<code>")
def read_text(code):
    """Answer the text under a code; protected texts need the X-Password header."""
    loaded = texts.load(code, header_text("X-Password"))
    return jsonify(code=loaded.code, text=loaded.text, created_at=iso(loaded.created_at),
                   expires_at=iso(loaded.expires_at), views_left=loaded.views_left)


@reads.delete("/texts/<code>")
def delete_text(code):
    """Delete a text with the token its writer got."""
    texts.remove(code, header_text("X-Delete-Token"))
    return "", 204


@reads.post("/texts/<code>/report")
@report_limit
def report_text(code):
    """Report a text to the operator, with a short reason; no account needed."""
    reports.report(code, json_object().get("reason"), client_key())
    return jsonify(code=code, reported=True)


@reads.get("/health")
def health():
    """Answer whether the database answers, and how many codes were free at the last sweep."""
    with reading() as connection:
        kept = pool.kept_counts(connection)
    if kept is None:  # before the first sweep: count once, and keep it
        kept = pool.keep_counts()
    return jsonify(status="ok", free_codes=kept["free"], counted_at=iso(kept["counted_at"]))


@bp.get("/openapi.json")
def openapi():
    """Answer the OpenAPI 3 document of this API."""
    return jsonify(document(current_app.config))


bp.register_blueprint(reads)
bp.register_blueprint(writes)
