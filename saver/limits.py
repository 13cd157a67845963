"""The rate limits shared by every edge, with values read from config per request."""
from flask import current_app, g, request

from .extensions import limiter


def _configured(name):
    return lambda: current_app.config[name]


def _preflight():
    # A CORS preflight is the browser asking, not the user acting.
    return request.method == "OPTIONS"


def note_miss():
    """Mark this request as a lookup of a code that holds no text."""
    g.saver_miss = True


write_limit = limiter.shared_limit(_configured("SAVER_LIMIT_WRITE"), scope="write",
                                   exempt_when=_preflight)
read_limit = limiter.shared_limit(_configured("SAVER_LIMIT_READ"), scope="read",
                                  exempt_when=_preflight)
# Counted only on misses, so walking the code space is slow while readers of
# real codes are not slowed.
miss_limit = limiter.shared_limit(_configured("SAVER_LIMIT_MISS"), scope="miss",
                                  exempt_when=_preflight,
                                  deduct_when=lambda response: g.get("saver_miss", False))
