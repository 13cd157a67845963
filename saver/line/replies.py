"""What the LINE bot understands and what it answers, within LINE's limits.

Plain functions of strings and numbers: no Flask, no SDK, so the wording and
the splitting are easy to read and to test. LINE counts a text message's
length in UTF-16 code units (an emoji outside the BMP counts 2) and takes at
most 5 messages per reply.
"""
import re
import unicodedata
from dataclasses import dataclass
from itertools import islice
from typing import Optional

MAX_UNITS = 5000
MAX_MESSAGES = 5
HELP_WORDS = {"help", "?", "？", "ヘルプ"}

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


def duration(seconds):
    """Say a number of seconds in words, at most two units: '1 hour 30 minutes'."""
    parts = []
    for name, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {name}{'' if count == 1 else 's'}")
    return " ".join(parts[:2]) or "0 seconds"


def moment(when):
    """Format a naive UTC datetime for a chat message."""
    return when.strftime("%Y-%m-%d %H:%M UTC")


def help_text(site, expires_in):
    """Explain the bot in one message."""
    return ("Send me any text: I keep it for "
            f"{duration(expires_in)} and answer with a 4-letter code.\n"
            "Send me a code (like abcd) and I answer with its text. For a text with a "
            "password, send the code, a space and the password (abcd secret).\n"
            "So a message of a 4-letter word, alone or followed by one more word, is "
            "always read as a code. To save such a message as a text, begin it with "
            f"{SAVE_PREFIX} (save: good night).\nWeb page: {site}")


def not_found(code, password):
    """Say that no text has ``code``; for a code and a word, how to save it as a text."""
    if password is None:
        return f"No text has the code {code}. Send help to see what I understand."
    return (f"No text has the code {code}, and I saved nothing: a 4-letter word and one more "
            f"word is read as a code and a password. To save it as a text, send: "
            f"{SAVE_PREFIX} {code} {password}")


def saved_text(code, expires_at, expires_in, url):
    """Tell the writer their code and when the text expires."""
    return (f"Saved. Your code is {code}. It expires in {duration(expires_in)} "
            f"({moment(expires_at)}).\nRead it anywhere: {url}")


def loaded_notes(views_left):
    """Notes after a loaded text about the readings it has left, if limited."""
    if views_left is None:
        return []
    if views_left == 0:
        return ["That was its last reading: the text is now erased."]
    return [f"It can be read {views_left} more time{'' if views_left == 1 else 's'}."]


def rest_note(url, protected, erased):
    """Say where to read a text too long for one LINE reply, if anywhere."""
    if erased:
        return "The text is too long for LINE: only its beginning could be shown."
    if protected:
        return f"The text is too long for LINE: read all of it on {url} with its code and password."
    return f"The text is too long for LINE: read all of it at {url}"
