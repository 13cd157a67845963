"""The LINE bot at POST /line/callback: a text in, a code back, and the reverse.

Shaped like line-bot-sdk's Flask example (raw body, X-Line-Signature,
InvalidSignatureError -> 400), with the secrets read from the app's config.
The database work happens in the request, so a failure there answers 5xx and
LINE may redeliver; the reply is worded in the user's language and sent by
``sender`` in the background, so a LINE API that is down or slow never
delays the webhook's 200.
"""
from datetime import datetime, timezone
from functools import partial

from flask import Blueprint, current_app, request, url_for
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import FollowEvent, MessageEvent, TextMessageContent
from werkzeug.exceptions import BadRequest

from .. import limits, texts
from ..errors import Expired, NotFound, SaverError
from . import events, languages, sender
from . import replies as say

bp = Blueprint("line", __name__)


@bp.record_once
def _keep_languages(state):
    """Give the app its memory of the LINE users' languages (see languages)."""
    state.app.extensions["line_languages"] = languages.Languages()


@bp.post("/callback")
def callback():
    """Check the signature, act on each new event, answer 200 at once."""
    config = current_app.config
    signature = request.headers.get("X-Line-Signature", "")
    if not signature:
        raise BadRequest("The X-Line-Signature header is missing.")
    parser = WebhookParser(config["LINE_CHANNEL_SECRET"])
    try:
        parsed = parser.parse(request.get_data(as_text=True), signature)
    except InvalidSignatureError:
        raise BadRequest("The X-Line-Signature header does not match the body.") from None
    except (ValueError, KeyError, TypeError):
        raise BadRequest("The body is not a LINE webhook.") from None
    for event in parsed:
        if not (isinstance(event, (MessageEvent, FollowEvent)) and event.reply_token):
            continue
        if events.too_old(event.timestamp):
            # A signature proves who sent a body, not when: an old one may be a replay.
            current_app.logger.info("LINE event %s of %s is too old: ignored",
                                    event.webhook_event_id, _when(event.timestamp))
            continue
        _handle(event)
    return "OK"


def _when(timestamp_ms):
    return datetime.fromtimestamp(timestamp_ms / 1000, timezone.utc).isoformat(timespec="seconds")


def _handle(event):
    """Answer one event unless it was handled before (a redelivery).

    The event id is recorded first, in its own committed transaction, and
    the text is saved after: a redelivery racing the first delivery finds
    the id (the primary key lets only one insert win) and saves nothing.
    Should the work fail unexpectedly, the id is forgotten again, so LINE's
    redelivery of the failed webhook gets a fresh try.
    """
    if not events.claim(event.webhook_event_id):
        current_app.logger.info("LINE event %s seen before: skipped", event.webhook_event_id)
        return
    try:
        words = _answer(event)
    except BaseException:
        events.forget(event.webhook_event_id)
        raise
    sender.send(event.reply_token, getattr(event.source, "user_id", None), words)


def _answer(event):
    """Do what one event asks; return a function giving the reply's messages.

    The work happens now, in the request; the words are said later by the
    sender, once it knows the user's language.
    """
    config = current_app.config
    site = _https(request.url_root)
    expires_in = config["SAVER_DEFAULT_EXPIRES_IN"]
    if not (isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent)):
        return _one(say.help_text, site, expires_in)
    command = say.parse(event.message.text)
    if command.kind == "help":
        return _one(say.help_text, site, expires_in)
    user = _sender(event.source)
    try:
        if command.kind == "save":
            return _save(command.text, user)
        return _load(command, user, site)
    except NotFound:
        return _one(say.not_found, command.code, command.password)
    except SaverError as exc:
        return _one(say.refused, exc, command.code)


def _one(say_it, *args):
    """A reply of one message, ``say_it(*args)``, said when it is sent."""
    return lambda: [say_it(*args)]


def _save(text, user):
    """Store ``text`` with the default expiry; the reply gives its code."""
    _count(user, hit=("write", "write-global"))
    written = texts.write(text)
    return _one(say.saved_text, written.code, written.expires_at,
                current_app.config["SAVER_DEFAULT_EXPIRES_IN"], _text_url(written.code))


def _load(command, user, site):
    """Load the text under ``command.code``; the reply shows it."""
    _count(user, hit=("read",), test=("miss", "miss-global"))
    try:
        loaded = texts.load(command.code, command.password)
    except (NotFound, Expired):
        _count(user, hit=("miss", "miss-global"))
        raise
    protected = command.password is not None
    url = site if protected else _text_url(command.code)
    return partial(say.shown, loaded.text, loaded.views_left, url, protected)


def _count(user, hit=(), test=()):
    """Count one action of ``user`` against the configured limits (see limits.count_line)."""
    limits.count_line(user, hit, test)


def _sender(source):
    """Return who a rate limit counts: the user, else the group or room."""
    for name in ("user_id", "group_id", "room_id"):
        if getattr(source, name, None):
            return getattr(source, name)
    return "unknown"


def _https(url):
    # LINE calls webhooks over HTTPS only, even when a proxy in front hides it.
    return "https://" + url.split("://", 1)[1]


def _text_url(code):
    return _https(url_for("web.reads.raw", code=code, _external=True))
