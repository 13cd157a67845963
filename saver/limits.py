"""The rate limits shared by every edge: parsed once, counted per client and scope.

The settings are Flask-Limiter's (``RATELIMIT_STORAGE_URI``,
``RATELIMIT_ENABLED``, limits in its notation such as ``20/minute;500/day``),
and so are the Redis store, the fixed-window strategy and the keys: they come
from ``limits``, the library under Flask-Limiter (the ``memory://`` store is
ours: see ProcessCounts). Flask-Limiter itself is not
used: its request hooks and decorators resolved, filtered and exempted the
limits anew on every request, ~150 µs of a ~570 µs read (in-process; the
effect on the whole stack is in README's Benchmarks).
"""
import functools
import math
import threading
import time

from flask import current_app, g, request
from limits import parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from .errors import RateLimited

SETTINGS = {"write": "SAVER_LIMIT_WRITE", "read": "SAVER_LIMIT_READ",
            "miss": "SAVER_LIMIT_MISS"}
# While the shared store (Redis) is down, counts go to this process's memory;
# the shared store is tried again after this many seconds.
RETRY_SHARED_AFTER = 5
# A Redis that takes connections but never answers must not hold requests
# (redis-py waits forever by default); options in the URI take precedence.
REDIS_TIMEOUTS = {"socket_connect_timeout": 1, "socket_timeout": 1}


class Limits:
    """The limits of one app and the stores they are counted in."""

    def __init__(self, config):
        self.enabled = config["RATELIMIT_ENABLED"]
        self.limits = {scope: parse_many(config[name]) for scope, name in SETTINGS.items()}
        uri = config["RATELIMIT_STORAGE_URI"]
        shared = (ProcessCounts() if uri.startswith("memory")
                  else storage_from_string(uri, **REDIS_TIMEOUTS))
        self.shared = FixedWindowRateLimiter(shared)
        self.local = FixedWindowRateLimiter(ProcessCounts())
        self.shared_down_until = 0.0

    def count(self, scope, *who, hit=True):
        """Count one action of ``who`` against ``scope`` (or, ``hit=False``, only test it).

        Raise RateLimited when a limit is used up.
        """
        if not self.enabled:
            return
        if time.monotonic() >= self.shared_down_until:
            try:
                return self._count(self.shared, scope, who, hit)
            except self.shared.storage.base_exceptions as exc:
                current_app.logger.warning(
                    "rate limits counted in this process for %d s: their store is down (%s)",
                    RETRY_SHARED_AFTER, exc)
                self.shared_down_until = time.monotonic() + RETRY_SHARED_AFTER
        self._count(self.local, scope, who, hit)

    def _count(self, strategy, scope, who, hit):
        for item in self.limits[scope]:
            if not (strategy.hit if hit else strategy.test)(item, scope, *who):
                reset = strategy.get_window_stats(item, scope, *who).reset_time
                raise RateLimited(f"Too many requests ({item}); slow down.",
                                  retry_after=max(1, math.ceil(reset - time.time())))


class ProcessCounts(Storage):
    """Fixed-window counts in this process's memory, the store of ``memory://``.

    ``limits``' own MemoryStorage expires counts from a ``threading.Timer`` it
    starts anew every 10 ms while requests come in: under load a new thread
    every few requests, whose start waits for the GIL. Here a count past its
    window reads as zero and starts over, and once a minute the counting
    thread drops every count past its window, so the table holds only the
    clients of the last window.
    """

    STORAGE_SCHEME = None  # not a scheme of storage_from_string: Limits picks it
    SWEEP_EVERY = 60  # seconds

    def __init__(self):
        super().__init__()
        self._counts = {}  # key: [count, end of its window (time.time())]
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    @property
    def base_exceptions(self):
        return ValueError  # nothing here fails; limits wants a class to catch

    def incr(self, key, expiry, amount=1):
        now = time.time()
        with self._lock:
            if now >= self._next_sweep:
                self._counts = {counted: entry for counted, entry in self._counts.items()
                                if entry[1] > now}
                self._next_sweep = now + self.SWEEP_EVERY
            entry = self._counts.get(key)
            if entry is None or entry[1] <= now:
                entry = self._counts[key] = [0, now + expiry]
            entry[0] += amount
            return entry[0]

    def get(self, key):
        entry = self._counts.get(key)
        return entry[0] if entry is not None and entry[1] > time.time() else 0

    def get_expiry(self, key):
        entry = self._counts.get(key)
        return entry[1] if entry is not None else time.time()

    def check(self):
        return True

    def reset(self):
        with self._lock:
            dropped = len(self._counts)
            self._counts = {}
        return dropped

    def clear(self, key):
        with self._lock:
            self._counts.pop(key, None)


def init_app(app):
    """Parse ``app``'s limits and open their store (lazily: Redis is dialled on first use)."""
    app.extensions["saver_limits"] = Limits(app.config)


def count(scope, *who, hit=True):
    """Count an action against the current app's limits; see ``Limits.count``."""
    current_app.extensions["saver_limits"].count(scope, *who, hit=hit)


def _client():
    return ("http", request.remote_addr or "127.0.0.1")


def _first_time(scope):
    """True once per request and scope: a view may call another limited view."""
    seen = g.setdefault("saver_limited", set())
    if scope in seen:
        return False
    seen.add(scope)
    return True


def _limit(scope):
    def decorate(view):
        @functools.wraps(view)
        def limited(*args, **kwargs):
            if _first_time(scope):
                count(scope, *_client())
            return view(*args, **kwargs)
        return limited
    return decorate


write_limit = _limit("write")
read_limit = _limit("read")


def miss_limit(view):
    """Refuse clients whose misses are used up; count this request if it is a miss.

    Counted only on misses, so walking the code space is slow while readers of
    real codes are not slowed.
    """
    @functools.wraps(view)
    def limited(*args, **kwargs):
        if _first_time("miss"):
            count("miss", *_client(), hit=False)
            g.saver_counts_misses = True
        return view(*args, **kwargs)
    return limited


def note_miss():
    """Count this request as a lookup of a code that holds no text, if its view has miss_limit."""
    if g.pop("saver_counts_misses", False):  # once, and only under miss_limit
        try:
            count("miss", *_client())
        except RateLimited:
            pass  # this miss used up the limit: the next request is refused
