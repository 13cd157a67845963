"""What the LINE bot understands and what it answers, within LINE's limits.

Plain functions of strings and numbers, no SDK, so the wording and the
splitting are easy to read and to test. The wording is Flask-Babel's: it
speaks the locale in force (the sender forces the user's). LINE counts a
text message's length in UTF-16 code units (an emoji outside the BMP counts
2) and takes at most 5 messages per reply.
"""
import re
import unicodedata
from dataclasses import dataclass
from itertools import islice
from typing import Optional

from flask_babel import gettext as _
from flask_babel import ngettext

from ..wording import duration, failure, moment

MAX_UNITS = 5000
MAX_MESSAGES = 5
# "help" in each language the bot speaks; none of them reads as a 4-letter code.
HELP_WORDS = {"help", "?", "？", "ヘルプ", "使い方", "도움말", "說明", "幫助"}

# A 4-letter code, then optionally spaces (an IME's full-width one too) and a
# one-word password. Longer messages are texts to save: "meet at 7" is not
# a lookup of "meet" with the password "at 7".
_CODE_LINE = re.compile(r"([A-Za-z]{4})(?:[ \t\u3000]+(\S+))?")
# Never cut just before these: they belong to the character before them.
_ZWJ = "\u200d"
_CLINGING = {_ZWJ, "\ufe0e", "\ufe0f"}
_LOOKBACK = 16


# A text to save, said so: "save: good night" keeps "good night".
SAVE_PREFIX = "save:"


@dataclass(frozen=True)
class Command:
    """A parsed message: ``kind`` is "help", "load" or "save" (of ``text``)."""

    kind: str
    code: Optional[str] = None
    password: Optional[str] = None
    text: Optional[str] = None


def parse(message):
    """Read a text message as help, a code (with a password) or a text to save.

    A message that reads as a code is always a lookup, never saved: a
    mistyped code and its password must not become a text anyone can read.
    """
    stripped = message.strip()
    if stripped.lower() in HELP_WORDS:
        return Command("help")
    if stripped.lower().startswith(SAVE_PREFIX) and stripped[len(SAVE_PREFIX):].strip():
        return Command("save", text=stripped[len(SAVE_PREFIX):].strip())
    match = _CODE_LINE.fullmatch(stripped)
    if match:
        return Command("load", match.group(1), match.group(2))
    return Command("save", text=message)


def units(text):
    """Return the length of ``text`` in UTF-16 code units, as LINE counts it."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def pieces(text, limit=MAX_UNITS):
    """Yield consecutive pieces of ``text`` of at most ``limit`` UTF-16 units.

    Joined, the pieces are ``text`` again. A cut never splits a character,
    avoids splitting an emoji sequence or an accent from its letter, and falls
    on a line break when one is in the second half of the piece.
    """
    start = 0
    while True:
        end, used = start, 0
        while end < len(text) and used + units(text[end]) <= limit:
            used += units(text[end])
            end += 1
        if end == len(text):
            yield text[start:]
            return
        cut = _cut(text, start, end)
        yield text[start:cut]
        start = cut


def _cut(text, start, end):
    """Choose where to cut ``text[start:end]``, given that it must end by ``end``."""
    newline = text.rfind("\n", start + (end - start) // 2, end)
    if newline != -1:
        return newline + 1
    for cut in range(end, max(start + 1, end - _LOOKBACK), -1):
        if not _inside_character(text, cut):
            return cut
    return end


def _inside_character(text, cut):
    """Return True when cutting before ``text[cut]`` splits what a reader sees as one."""
    before, after = text[cut - 1], text[cut]
    if after in _CLINGING or before == _ZWJ or unicodedata.combining(after):
        return True
    if _is_flag_half(before) and _is_flag_half(after):
        # Flags are pairs of regional indicators: count the run to find the pairs.
        run = cut - 1
        while run > 0 and _is_flag_half(text[run - 1]):
            run -= 1
        return (cut - run) % 2 == 1
    return False


def _is_flag_half(char):
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def fit(text, notes, rest_note):
    """Return the reply messages showing ``text`` and then ``notes`` (a list).

    When ``text`` and the notes do not fit in one reply, the last message
    holds the notes and ``rest_note``, which says where to read the rest.
    """
    shown = list(islice(pieces(text), MAX_MESSAGES + 1))
    room = MAX_MESSAGES - (1 if notes else 0)
    if len(shown) <= room:
        return shown + (["\n".join(notes)] if notes else [])
    return shown[:MAX_MESSAGES - 1] + ["\n".join([*notes, rest_note])]


def help_text(site, expires_in):
    """Explain the bot in one message."""
    return _("Send me any text: I keep it for %(duration)s and answer with a 4-letter code.\n"
             "Send me a code (like abcd) and I answer with its text. For a text with a "
             "password, send the code, a space and the password (abcd secret).\n"
             "So a message of a 4-letter word, alone or followed by one more word, is always "
             "read as a code. To save such a message as a text, begin it with %(prefix)s "
             "(%(prefix)s good night).\nWeb page: %(site)s",
             duration=duration(expires_in), prefix=SAVE_PREFIX, site=site)


def not_found(code, password):
    """Say that no text has ``code``; for a code and a word, how to save it as a text."""
    if password is None:
        return _("No text has the code %(code)s. Send help to see what I understand.", code=code)
    return _("No text has the code %(code)s, and I saved nothing: a 4-letter word and one more "
             "word is read as a code and a password. To save it as a text, send: "
             "%(prefix)s %(code)s %(password)s", code=code, password=password, prefix=SAVE_PREFIX)


def saved_text(code, expires_at, expires_in, url):
    """Tell the writer their code and when the text expires."""
    return _("Saved. Your code is %(code)s. It expires in %(duration)s (%(moment)s).\n"
             "Read it anywhere: %(url)s", code=code, duration=duration(expires_in),
             moment=moment(expires_at), url=url)


def shown(text, views_left, url, protected):
    """Return the messages showing a loaded text, its readings left, and where the rest is."""
    return fit(text, loaded_notes(views_left), rest_note(url, protected, views_left == 0))


def loaded_notes(views_left):
    """Notes after a loaded text about the readings it has left, if limited."""
    if views_left is None:
        return []
    if views_left == 0:
        return [_("That was its last reading: the text is now erased.")]
    return [ngettext("It can be read %(num)d more time.", "It can be read %(num)d more times.",
                     views_left)]


def rest_note(url, protected, erased):
    """Say where to read a text too long for one LINE reply, if anywhere."""
    if erased:
        return _("The text is too long for LINE: only its beginning could be shown.")
    if protected:
        return _("The text is too long for LINE: read all of it on %(url)s with its code and "
                 "password.", url=url)
    return _("The text is too long for LINE: read all of it at %(url)s", url=url)


def refused(exc, code):
    """Say why a load or a save failed, as one message."""
    if exc.error == "password_required":
        return _("This text has a password: send the code, a space and the password "
                 "(%(code)s secret).", code=code)
    if exc.error == "locked":
        return _("Too many wrong passwords: the code %(code)s is locked for %(duration)s.",
                 code=code, duration=duration(exc.retry_after))
    if exc.error == "busy":
        return _("extextcloud is busy right now: try again in %(duration)s.",
                 duration=duration(exc.retry_after))
    if exc.error == "rate_limited":
        return _("You are sending too many messages: try again in %(duration)s.",
                 duration=duration(exc.retry_after))
    return failure(exc)
