"""The language each LINE user reads, from their LINE profile, kept a day.

A profile's ``language`` is a BCP 47 tag ("ja", "zh-Hant", "en"); it is
matched against the languages we speak the way a browser's Accept-Language
is. English when it matches none, when the profile has none (the user has
not agreed to LINE's privacy policy), or when it cannot be had.

Only the sender's threads look a profile up, never the webhook, so LINE
gets its 200 at once and the first reply is already in the user's language.

Kept in each process's memory, not in the database: a user costs at most
one lookup a day per daemon process (two under Apache), no table, migration
or sweep is needed, and no LINE user id is written to disk or to a backup.
"""
import threading
import time

from cachetools import TTLCache
from flask import current_app
from linebot.v3.messaging import ApiException
from urllib3.exceptions import HTTPError
from werkzeug.datastructures import LanguageAccept

from ..extensions import DEFAULT_LANGUAGE, best_language

KEEP = 86400  # seconds: a user who changes LINE's language hears it by the next day
# The users remembered per process; past that, the soonest to expire go first.
MOST_USERS = 10_000
# (connect, read) seconds for one profile lookup: the reply waits for it.
PROFILE_TIMEOUT = (2.0, 3.0)


class Languages:
    """The locale of each LINE user met in the last KEEP seconds, in one process."""

    def __init__(self):
        # Wall-clock time: a step of the clock only moves one user's next lookup, and
        # the tests can travel a day ahead (time_machine moves time.time, not monotonic).
        self._known = TTLCache(maxsize=MOST_USERS, ttl=KEEP, timer=time.time)
        self._lock = threading.Lock()  # the sender's threads share it; TTLCache is not safe

    def of(self, api, user_id):
        """Return Babel's name of ``user_id``'s language; ``api`` is a MessagingApi."""
        if user_id is None:  # a group or a room: no one's profile to ask
            return DEFAULT_LANGUAGE
        with self._lock:
            known = self._known.get(user_id)
        if known is not None:
            return known
        try:
            language = api.get_profile(user_id, _request_timeout=PROFILE_TIMEOUT).language
        except ApiException as exc:
            current_app.logger.warning("LINE profile not read: HTTP %s", exc.status)
            if exc.status != 404:  # 404: not a friend of the bot; anything else may pass
                return DEFAULT_LANGUAGE
            language = None
        except (HTTPError, OSError) as exc:
            current_app.logger.warning("LINE profile not read: %s", exc)
            return DEFAULT_LANGUAGE
        locale = best_language(LanguageAccept([(language, 1)])) if language else DEFAULT_LANGUAGE
        with self._lock:
            self._known[user_id] = locale
        return locale
