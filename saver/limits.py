"""The rate limits shared by every edge: parsed once, counted per client and scope.

The settings are Flask-Limiter's (``RATELIMIT_STORAGE_URI``,
``RATELIMIT_ENABLED``, limits in its notation such as ``20/minute;500/day``),
and so are the fixed windows and their keys in Redis: they come from
``limits``, the library under Flask-Limiter, whose Redis store dials Redis.
Flask-Limiter itself is not used: its request hooks and decorators resolved,
filtered and exempted the limits anew on every request, ~150 µs of a ~570 µs
read (in-process). Nor are ``limits``' strategies: they ask the store once
per limit, and a read has three (its own, and the two of the miss limit it
tests), each a Redis round trip of ~70 µs of CPU. All the limits of a request
are counted at once here, in one round trip (see RedisCounts).
"""
import functools
import math
import threading
import time

from flask import current_app, g, request
from limits import parse_many
from limits.storage import storage_from_string

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
        self.shared = ProcessCounts() if uri.startswith("memory") else RedisCounts(uri)
        self.local = ProcessCounts()
        self.shared_down_until = 0.0

    def count(self, who, hit=(), test=()):
        """Count one action of ``who`` in each scope of ``hit``, and test ``test``'s.

        Raise RateLimited when a limit of either is used up; the counts stop
        at that limit, as when each is counted in turn.
        """
        if not self.enabled:
            return
        hits = self._keyed(hit, who)
        tests = self._keyed(test, who)
        if time.monotonic() >= self.shared_down_until:
            try:
                return self._count(self.shared, hits, tests)
            except self.shared.errors as exc:
                current_app.logger.warning(
                    "rate limits counted in this process for %d s: their store is down (%s)",
                    RETRY_SHARED_AFTER, exc)
                self.shared_down_until = time.monotonic() + RETRY_SHARED_AFTER
        self._count(self.local, hits, tests)

    def _keyed(self, scopes, who):
        """The limits of ``scopes``, each with the key of its count for ``who``."""
        return [(item.key_for(scope, *who), item) for scope in scopes
                for item in self.limits[scope]]

    @staticmethod
    def _count(store, hits, tests):
        refused = store.count(hits, tests)
        if refused is not None:
            key, item = refused
            raise RateLimited(f"Too many requests ({item}); slow down.",
                              retry_after=max(1, math.ceil(store.expiry(key) - time.time())))


class RedisCounts:
    """Fixed-window counts in Redis, a request's limits in one round trip.

    The keys and windows are those of ``limits``' fixed window (its
    incr_expire script), so a count made here and one made by ``limits``
    are the same count.
    """

    # KEYS: the counts to add one to, then the counts only to test. ARGV: each
    # key's limit, then each added count's window in seconds. Answers the
    # position of the first key whose limit is used up, or 0.
    SCRIPT = """
    local hits = #ARGV - #KEYS
    for i, key in ipairs(KEYS) do
        local count
        if i <= hits then
            count = redis.call("incr", key)
            if count == 1 then
                redis.call("expire", key, ARGV[#KEYS + i])
            end
        else
            count = tonumber(redis.call("get", key) or "0") + 1
        end
        if count > tonumber(ARGV[i]) then
            return i
        end
    end
    return 0
    """

    def __init__(self, uri):
        # Dials Redis only on first use.
        self.storage = storage_from_string(uri, **REDIS_TIMEOUTS)
        self.errors = self.storage.base_exceptions
        self.script = self.storage.get_connection().register_script(self.SCRIPT)

    def count(self, hits, tests):
        """Add one to ``hits``' counts, test ``tests``'; return the first (key, item) refused."""
        counted = hits + tests
        refused = self.script(
            [self.storage.prefixed_key(key) for key, _ in counted],
            [item.amount for _, item in counted] + [item.get_expiry() for _, item in hits])
        return counted[refused - 1] if refused else None

    def expiry(self, key):
        return self.storage.get_expiry(key)


class ProcessCounts:
    """Fixed-window counts in this process's memory, the store of ``memory://``.

    ``limits``' own MemoryStorage expires counts from a ``threading.Timer`` it
    starts anew every 10 ms while requests come in: under load a new thread
    every few requests, whose start waits for the GIL. Here a count past its
    window reads as zero and starts over, and once a minute the counting
    thread drops every count past its window, so the table holds only the
    clients of the last window.
    """

    SWEEP_EVERY = 60  # seconds
    errors = ()  # nothing here fails

    def __init__(self):
        self._counts = {}  # key: [count, end of its window (time.time())]
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def count(self, hits, tests):
        """Add one to ``hits``' counts, test ``tests``'; return the first (key, item) refused."""
        now = time.time()
        with self._lock:
            if now >= self._next_sweep:
                self._counts = {key: entry for key, entry in self._counts.items()
                                if entry[1] > now}
                self._next_sweep = now + self.SWEEP_EVERY
            for key, item in hits:
                entry = self._counts.get(key)
                if entry is None or entry[1] <= now:
                    entry = self._counts[key] = [0, now + item.get_expiry()]
                entry[0] += 1
                if entry[0] > item.amount:
                    return key, item
            for key, item in tests:
                entry = self._counts.get(key)
                if entry is not None and entry[1] > now and entry[0] + 1 > item.amount:
                    return key, item
        return None

    def expiry(self, key):
        entry = self._counts.get(key)
        return entry[1] if entry is not None else time.time()

    def __len__(self):
        return len(self._counts)


def init_app(app):
    """Parse ``app``'s limits and open their store (lazily: Redis is dialled on first use)."""
    app.extensions["saver_limits"] = Limits(app.config)


def count(who, hit=(), test=()):
    """Count an action against the current app's limits; see ``Limits.count``."""
    current_app.extensions["saver_limits"].count(who, hit, test)


def _client():
    return ("http", request.remote_addr or "127.0.0.1")


def _first_time(scope):
    """True once per request and scope: a view may call another limited view."""
    seen = g.setdefault("saver_limited", set())
    if scope in seen:
        return False
    seen.add(scope)
    return True


def write_limit(view):
    """Count a write of this request's client."""
    @functools.wraps(view)
    def limited(*args, **kwargs):
        if _first_time("write"):
            count(_client(), hit=("write",))
        return view(*args, **kwargs)
    return limited


def read_limit(view):
    """Count a read; refuse clients whose misses are used up, and let note_miss count one.

    Misses are counted only when the code holds no text, so walking the code
    space is slow while readers of real codes are not slowed.
    """
    @functools.wraps(view)
    def limited(*args, **kwargs):
        if _first_time("read"):
            count(_client(), hit=("read",), test=("miss",))
            g.saver_counts_misses = True
        return view(*args, **kwargs)
    return limited


def note_miss():
    """Count this request as a lookup of a code that holds no text, if its view has read_limit."""
    if g.pop("saver_counts_misses", False):  # once, and only under read_limit
        try:
            count(_client(), hit=("miss",))
        except RateLimited:
            pass  # this miss used up the limit: the next request is refused
