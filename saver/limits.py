"""The rate limits of every edge, counted by Flask-Limiter (``extensions.limiter``).

Each limit is a shared limit with a scope of its own, so a write through
``/api/v1/texts`` and one through ``/write/`` use up the same count, and so
do reads of every shape. The limits sit on blueprints (``count_reads``,
``count_writes``) rather than on each view: Flask-Limiter then counts them
in its one before-request pass, where limits on views cost a second pass.
Limits come from ``SAVER_LIMIT_*`` at each request, in Flask-Limiter's
notation (``20/minute;500/day``). Beside each client's
limits, the budgets of the whole service (``*_GLOBAL``) count every client
together: many addresses cannot walk the codes or empty the pool either.

Misses (lookups of a code that holds no text) are counted only when the
answer says so (``deduct_when``), so walking the code space is slow while
readers of real codes are not slowed; while a client's misses are used up,
every read of that client is refused.
"""
import math
import time

from flask import current_app, g
from limits import parse_many

from .errors import Busy, RateLimited
from .extensions import limiter

# Answers that say the code holds no text: 404 never had one, 410 had one.
MISS_STATUSES = (404, 410)
# Every scope, with its setting; a global one is counted under EVERYONE.
SCOPES = {"write": "SAVER_LIMIT_WRITE", "read": "SAVER_LIMIT_READ", "miss": "SAVER_LIMIT_MISS",
          "write-global": "SAVER_LIMIT_WRITE_GLOBAL", "miss-global": "SAVER_LIMIT_MISS_GLOBAL",
          "report": "SAVER_LIMIT_REPORT"}
EVERYONE = "everyone"


def _setting(scope):
    name = SCOPES[scope]
    return lambda: current_app.config[name]


def _everyone():
    return EVERYONE


def missed(response):
    """Whether ``response`` answered a lookup that found no text (see ``note_miss``)."""
    return response.status_code in MISS_STATUSES or g.get("saver_missed", False)


def note_miss():
    """Count this request as a miss although its answer is a 200 (the old popup's "not exist")."""
    g.saver_missed = True


# Every method but OPTIONS: a CORS preflight is answered, never counted.
COUNTED = ["get", "head", "post", "put", "delete"]


def _limit(scope, **options):
    if scope.endswith("-global"):
        options["key_func"] = _everyone
    return limiter.shared_limit(_setting(scope), scope=scope, methods=COUNTED, **options)


_WRITE = (_limit("write"), _limit("write-global"))
_READ = (_limit("read"), _limit("miss", deduct_when=missed),
         _limit("miss-global", deduct_when=missed))

# On a view of a reads blueprint: counted beside the blueprint's limits, not instead.
report_limit = _limit("report", override_defaults=False)


def count_writes(blueprint):
    """Count every request of ``blueprint`` as a write of this client, and of the whole service."""
    for limit in _WRITE:
        limit(blueprint)
    return blueprint


def count_reads(blueprint):
    """Count every request of ``blueprint`` as a read; refuse it while misses are used up."""
    for limit in _READ:
        limit(blueprint)
    return blueprint


def refusal(exc):
    """Turn Flask-Limiter's RateLimitExceeded into our RateLimited (or Busy), with Retry-After."""
    retry_after = _retry_after()
    if exc.limit.scope.endswith("-global"):
        return Busy(retry_after=retry_after)
    return RateLimited(f"Too many requests ({exc.description}); slow down.",
                       retry_after=retry_after)


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
    counted per LINE user here, in the limiter's own store; the global
    budgets are the very counts of the HTTP edges. Raise RateLimited (Busy
    for a global budget) when one is used up. While the store is down the
    bot is not limited.
    """
    if not limiter.enabled:
        return
    config = current_app.config
    strategy = limiter.limiter
    checks = [(strategy.hit, scope) for scope in hit] + [(strategy.test, scope) for scope in test]
    try:
        for check, scope in checks:
            who = ((config["RATELIMIT_KEY_PREFIX"], EVERYONE) if scope.endswith("-global")
                   else ("line", user))
            for item in parse_many(config[SCOPES[scope]]):
                if not check(item, *who, scope):
                    window = strategy.get_window_stats(item, *who, scope)
                    retry_after = _seconds_until(window.reset_time)
                    if scope.endswith("-global"):
                        raise Busy(retry_after=retry_after)
                    raise RateLimited(f"Too many requests ({item}); slow down.",
                                      retry_after=retry_after)
    except limiter.storage.base_exceptions as exc:
        current_app.logger.warning("LINE rate limits not counted: their store is down (%s)", exc)
