"""The webhook events already handled, so a redelivered event is not acted on twice."""
from datetime import timedelta

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from ..db import writing
from ..models import LineEvent, utcnow

# How long an event id is kept: longer than LINE keeps redelivering an event.
KEEP = timedelta(days=2)


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
