"""The webhook events already handled, so a redelivered event is not acted on twice.

Two guards together stop a captured, validly signed body from being
replayed: an event younger than ``MAX_AGE`` is acted on once, since its id
is kept; an older one is not acted on at all, since its timestamp is
checked. That holds only while ``KEEP`` outlasts ``MAX_AGE`` (and the clock
skew both ways), which a test checks.
"""
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from ..db import writing
from ..models import LineEvent, utcnow

# How late an event may arrive and still be acted on. LINE publishes no figure: its
# docs say a failed webhook "will be redelivered from the LINE Platform for a certain
# period of time", "for a pre-defined number of times with a time interval"
# (developers.line.biz/en/docs/messaging-api/receiving-messages/#webhook-redelivery).
# So this is our bound, not LINE's: a day covers a bot server down overnight; a
# redelivery later than that is dropped and logged, which loses one late text.
MAX_AGE = timedelta(days=1)
# How far our clock and LINE's may disagree; NTP keeps them far closer.
CLOCK_SKEW = timedelta(minutes=5)
# How long an event id is kept: longer than any event is accepted (MAX_AGE),
# whichever way the clocks are off, so a replay inside MAX_AGE finds its id.
KEEP = timedelta(days=2)


def too_old(timestamp_ms, now=None):
    """True when an event stamped ``timestamp_ms`` (ms since the epoch) is past MAX_AGE."""
    sent = datetime.fromtimestamp(timestamp_ms / 1000, timezone.utc).replace(tzinfo=None)
    return (now or utcnow()) - sent > MAX_AGE + CLOCK_SKEW


def claim(event_id):
    """Record ``event_id``; return False when it was already recorded."""
    try:
        with writing() as connection:
            connection.execute(insert(LineEvent).values(event_id=event_id, seen_at=utcnow()))
    except IntegrityError:
        return False
    return True


def forget(event_id):
    """Forget ``event_id``, so that a redelivery of its event is acted on."""
    with writing() as connection:
        connection.execute(delete(LineEvent).where(LineEvent.event_id == event_id))


def sweep(now=None):
    """Forget the events seen longer ago than KEEP; return how many."""
    cutoff = (now or utcnow()) - KEEP
    with writing() as connection:
        return connection.execute(delete(LineEvent).where(LineEvent.seen_at <= cutoff)).rowcount
