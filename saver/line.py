"""The LINE bot at POST /line/callback: a text in, a code back, and the reverse.

Shaped like line-bot-sdk's Flask example (raw body, X-Line-Signature,
InvalidSignatureError -> 400), with the secrets read from the app's config.
The database work happens in the request, so a failure there answers 5xx and
LINE may redeliver; the reply to LINE is sent from a small thread pool, so a
LINE API that is down or slow never delays the webhook's 200.
"""
import math
import time
from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint, abort, current_app, request, url_for
from limits import parse_many
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (ApiClient, ApiException, Configuration, MessagingApi,
                                  ReplyMessageRequest, TextMessage)
from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import FollowEvent, MessageEvent, TextMessageContent
from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from urllib3.exceptions import HTTPError
from werkzeug.exceptions import BadRequest

from . import line_replies as say
from . import texts
from .db import writing
from .errors import Expired, Locked, NotFound, PasswordRequired, SaverError
from .extensions import limiter
from .models import LineEvent, utcnow

bp = Blueprint("line", __name__)

# (connect, read) seconds for one reply; a reply is best effort, never retried.
REPLY_TIMEOUT = (3.0, 5.0)
# LINE accepts a reply token for about a minute: a reply queued longer (LINE
# slow, many messages) is dropped instead of piling up behind the others.
REPLY_TOKEN_LIFETIME = 50.0
_senders = ThreadPoolExecutor(max_workers=4, thread_name_prefix="line-reply")


@bp.post("/callback")
def callback():
    """Check the signature, act on each new event, answer 200 at once."""
    config = current_app.config
    if not config["LINE_ENABLED"]:
        abort(404)
    signature = request.headers.get("X-Line-Signature", "")
    if not signature:
        raise BadRequest("The X-Line-Signature header is missing.")
    parser = WebhookParser(config["LINE_CHANNEL_SECRET"])
    try:
        events = parser.parse(request.get_data(as_text=True), signature)
    except InvalidSignatureError:
        raise BadRequest("The X-Line-Signature header does not match the body.") from None
    except (ValueError, KeyError, TypeError):
        raise BadRequest("The body is not a LINE webhook.") from None
    for event in events:
        if isinstance(event, (MessageEvent, FollowEvent)) and event.reply_token:
            _handle(event)
    return "OK"


def _handle(event):
    """Answer one event unless it was handled before (a redelivery).

    The event id is recorded first, in its own committed transaction, and
    the text is saved after: a redelivery racing the first delivery finds
    the id (the primary key lets only one insert win) and saves nothing.
    Should the work fail unexpectedly, the id is forgotten again, so LINE's
    redelivery of the failed webhook gets a fresh try.
    """
    if not _claim(event.webhook_event_id):
        current_app.logger.info("LINE event %s seen before: skipped", event.webhook_event_id)
        return
    try:
        messages = _answer(event)
    except BaseException:
        with writing() as session:
            session.execute(delete(LineEvent).where(LineEvent.event_id == event.webhook_event_id))
        raise
    _send(event.reply_token, messages)


def _claim(event_id):
    """Record ``event_id``; return False when it was already recorded."""
    try:
        with writing() as session:
            session.execute(insert(LineEvent).values(event_id=event_id, seen_at=utcnow()))
    except IntegrityError:
        return False
    return True


def _answer(event):
    """Return the reply messages for one event."""
    config = current_app.config
    site = _https(request.url_root)
    help_text = say.help_text(site, config["SAVER_DEFAULT_EXPIRES_IN"])
    if not (isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent)):
        return [help_text]
    command = say.parse(event.message.text)
    if command.kind == "help":
        return [help_text]
    user = _sender(event.source)
    try:
        if command.kind == "load":
            return _load(command, user, site)
        _count(user, "write", "SAVER_LIMIT_WRITE")
        written = texts.write(event.message.text)
    except _Throttled as throttled:
        return [f"You are sending too many messages: try again in "
                f"{say.duration(throttled.retry_after)}."]
    except SaverError as exc:
        return [_sentence(exc, command.code)]
    return [say.saved_text(written.code, written.expires_at, config["SAVER_DEFAULT_EXPIRES_IN"],
                           _text_url(written.code))]


def _load(command, user, site):
    """Return the messages showing the text under ``command.code``."""
    _count(user, "read", "SAVER_LIMIT_READ")
    _count(user, "miss", "SAVER_LIMIT_MISS", hit=False)
    try:
        loaded = texts.load(command.code, command.password)
    except (NotFound, Expired):
        _count(user, "miss", "SAVER_LIMIT_MISS")
        raise
    protected = command.password is not None
    rest = say.rest_note(site if protected else _text_url(command.code), protected,
                         erased=loaded.views_left == 0)
    return say.fit(loaded.text, say.loaded_notes(loaded.views_left), rest)


def _sentence(exc, code):
    """Say a domain failure as one plain sentence."""
    if isinstance(exc, NotFound):
        return f"No text has the code {code}. Send help to see what I understand."
    if isinstance(exc, PasswordRequired):
        return f"This text has a password: send the code, a space and the password ({code} secret)."
    if isinstance(exc, Locked):
        return (f"Too many wrong passwords: the code {code} is locked for "
                f"{say.duration(exc.retry_after)}.")
    return exc.message


class _Throttled(Exception):
    """A LINE user went over one of the configured rate limits."""

    def __init__(self, retry_after):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _count(user, scope, setting, hit=True):
    """Count one action of ``user`` against a configured limit, or only test it.

    LINE's servers are the only client the webhook sees, so the usual
    per-address limits would put every LINE user in one bucket: the same
    limits are kept here per LINE user (or group) instead.
    """
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    strategy = limiter.limiter
    for item in parse_many(current_app.config[setting]):
        allowed = (strategy.hit if hit else strategy.test)(item, "line", scope, user)
        if not allowed:
            reset = strategy.get_window_stats(item, "line", scope, user).reset_time
            raise _Throttled(max(1, math.ceil(reset - time.time())))


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
    return _https(url_for("web.raw", code=code, _external=True))


def _send(reply_token, messages):
    """Queue the reply; the webhook does not wait for LINE to take it."""
    config = current_app.config
    configuration = Configuration(host=config["LINE_API_HOST"],
                                  access_token=config["LINE_CHANNEL_ACCESS_TOKEN"])
    configuration.retries = 0
    _senders.submit(_deliver, configuration, reply_token, messages,
                    time.monotonic(), current_app.logger)


def _deliver(configuration, reply_token, messages, queued_at, logger):
    """Send one reply to the LINE API; log, never raise, when it fails."""
    waited = time.monotonic() - queued_at
    if waited > REPLY_TOKEN_LIFETIME:
        logger.warning("LINE reply dropped: it waited %.0f s, its token has expired", waited)
        return
    request_body = ReplyMessageRequest(reply_token=reply_token,
                                       messages=[TextMessage(text=text) for text in messages])
    try:
        with ApiClient(configuration) as client:
            MessagingApi(client).reply_message(request_body, _request_timeout=REPLY_TIMEOUT)
    except ApiException as exc:
        logger.warning("LINE reply failed: HTTP %s %s", exc.status, (exc.body or "")[:200])
    except (HTTPError, OSError) as exc:
        logger.warning("LINE reply failed: %s", exc)
    except Exception:  # a worker thread's exception would otherwise vanish
        logger.exception("LINE reply failed")
