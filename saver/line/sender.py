"""Replies to the LINE API, sent in the background with short timeouts.

The webhook must answer LINE at once, whatever the state of LINE's own API:
it queues each reply to a small thread pool and returns. A reply is best
effort: one try, bounded by ``REPLY_TIMEOUT``; a failure is logged.
"""
import time
from concurrent.futures import ThreadPoolExecutor

from flask import current_app
from linebot.v3.messaging import (ApiClient, ApiException, Configuration, MessagingApi,
                                  ReplyMessageRequest, TextMessage)
from urllib3.exceptions import HTTPError

# (connect, read) seconds for one reply.
REPLY_TIMEOUT = (3.0, 5.0)
# LINE accepts a reply token for about a minute: a reply queued longer (LINE
# slow, many messages) is dropped instead of piling up behind the others.
REPLY_TOKEN_LIFETIME = 50.0
_senders = ThreadPoolExecutor(max_workers=4, thread_name_prefix="line-reply")


def send(reply_token, messages):
    """Queue a reply of text ``messages``; do not wait for LINE to take it."""
    config = current_app.config
    configuration = Configuration(host=config["LINE_API_HOST"].rstrip("/"),
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
