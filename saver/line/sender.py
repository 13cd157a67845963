"""Replies to the LINE API, worded and sent in the background with short timeouts.

The webhook must answer LINE at once, whatever the state of LINE's own API:
it queues each reply to a small thread pool and returns. There the user's
language is found (see languages), the reply worded in it and sent. A reply
is best effort: one try, bounded by ``REPLY_TIMEOUT``; a failure is logged.
"""
import time
from concurrent.futures import ThreadPoolExecutor

from flask import current_app
from flask_babel import force_locale
from linebot.v3.messaging import (ApiClient, ApiException, Configuration, MessagingApi,
                                  ReplyMessageRequest, TextMessage)
from urllib3.exceptions import HTTPError

# (connect, read) seconds for one reply.
REPLY_TIMEOUT = (3.0, 5.0)
# LINE accepts a reply token for about a minute: a reply queued longer (LINE
# slow, many messages) is dropped instead of piling up behind the others.
REPLY_TOKEN_LIFETIME = 50.0
_senders = ThreadPoolExecutor(max_workers=4, thread_name_prefix="line-reply")


def send(reply_token, user_id, words):
    """Queue a reply; do not wait for LINE to take it.

    ``words()`` returns the reply's text messages, in the locale in force when
    it is called: the language of ``user_id`` (None for English).
    """
    app = current_app._get_current_object()  # the proxy means nothing in another thread
    configuration = Configuration(host=app.config["LINE_API_HOST"].rstrip("/"),
                                  access_token=app.config["LINE_CHANNEL_ACCESS_TOKEN"])
    configuration.retries = 0
    _senders.submit(_deliver, app, configuration, reply_token, user_id, words, time.monotonic())


def _deliver(app, configuration, reply_token, user_id, words, queued_at):
    """Word one reply in its user's language and send it; log, never raise, when it fails."""
    logger = app.logger
    waited = time.monotonic() - queued_at
    if waited > REPLY_TOKEN_LIFETIME:
        logger.warning("LINE reply dropped: it waited %.0f s, its token has expired", waited)
        return
    try:
        with app.app_context(), ApiClient(configuration) as client:
            api = MessagingApi(client)
            with force_locale(app.extensions["line_languages"].of(api, user_id)):
                messages = words()
            api.reply_message(ReplyMessageRequest(reply_token=reply_token, messages=[
                TextMessage(text=text) for text in messages]), _request_timeout=REPLY_TIMEOUT)
    except ApiException as exc:
        logger.warning("LINE reply failed: HTTP %s %s", exc.status, (exc.body or "")[:200])
    except (HTTPError, OSError) as exc:
        logger.warning("LINE reply failed: %s", exc)
    except Exception:  # a worker thread's exception would otherwise vanish
        logger.exception("LINE reply failed")
