"""The rate limits of every edge, counted by Flask-Limiter (``extensions.limiter``).

Each limit is a shared limit with a scope of its own, so a write through
``/api/v1/texts`` and one through ``/write/`` use up the same count, and so
do reads of every shape. Limits come from ``SAVER_LIMIT_*`` at each request,
in Flask-Limiter's notation (``20/minute;500/day``).

Misses (lookups of a code that holds no text) are counted only when the
answer says so (``deduct_when``), so walking the code space is slow while
readers of real codes are not slowed; while a client's misses are used up,
every read of that client is refused.
"""
import math
import time

from flask import current_app, g
from limits import parse_many

from .errors import RateLimited
from .extensions import limiter

# Answers that say the code holds no text: 404 never had one, 410 had one.
MISS_STATUSES = (404, 410)


def _setting(name):
    return lambda: current_app.config[name]


def missed(response):
    """Whether ``response`` answered a lookup that found no text (see ``note_miss``)."""
    return response.status_code in MISS_STATUSES or g.pop("saver_missed", False)


def note_miss():
    """Count this request as a miss although its answer is a 200 (the old popup's "not exist")."""
    g.saver_missed = True


write_limit = limiter.shared_limit(_setting("SAVER_LIMIT_WRITE"), scope="write")
_read = limiter.shared_limit(_setting("SAVER_LIMIT_READ"), scope="read")
_miss = limiter.shared_limit(_setting("SAVER_LIMIT_MISS"), scope="miss", deduct_when=missed)


def read_limit(view):
    """Count a read, and refuse clients whose misses are used up."""
    return _read(_miss(view))


def refusal(exc):
    """Turn Flask-Limiter's RateLimitExceeded into our RateLimited, with its Retry-After."""
    return RateLimited(f"Too many requests ({exc.description}); slow down.",
                       retry_after=_retry_after())


def _retry_after():
    refused = limiter.current_limit
    try:
        reset_at = refused.window.reset_time if refused is not None else 0
    except limiter.storage.base_exceptions:  # the store went down since it refused
        reset_at = 0
    return _seconds_until(reset_at)


def _seconds_until(moment):
    return max(1, math.ceil(moment - time.time()))


def count_line(user, hit=(), test=()):
    """Count one action of the LINE user ``user`` in the scopes of ``hit``; test ``test``'s.

    LINE's servers are the only client the webhook sees, so the per-address
    limits would put every LINE user in one bucket: the same limits are
    counted per LINE user here, in the limiter's own store. Raise RateLimited
    when one is used up. While the store is down the bot is not limited.
    """
    if not limiter.enabled:
        return
    config = current_app.config
    strategy = limiter.limiter
    checks = [(strategy.hit, scope) for scope in hit] + [(strategy.test, scope) for scope in test]
    try:
        for check, scope in checks:
            for item in parse_many(config[f"SAVER_LIMIT_{scope.upper()}"]):
                if not check(item, "line", user, scope):
                    window = strategy.get_window_stats(item, "line", user, scope)
                    raise RateLimited(f"Too many requests ({item}); slow down.",
                                      retry_after=_seconds_until(window.reset_time))
    except limiter.storage.base_exceptions as exc:
        current_app.logger.warning("LINE rate limits not counted: their store is down (%s)", exc)
