"""The code alphabet and the mapping between 4-letter codes and numbers.

Codes are stored as integers: ``aaaa`` is 0 and ``ZZZZ`` is 52**4 - 1, so the
numeric order is the order users see (``aaaZ`` < ``aaba``).
"""
import re
import string

ALPHABET = string.ascii_lowercase + string.ascii_uppercase
LENGTH = 4
SPACE = len(ALPHABET) ** LENGTH  # 7,311,616

_INDEX = {letter: i for i, letter in enumerate(ALPHABET)}
_PATTERN = re.compile(r"[a-zA-Z]{4}")


def is_code(text):
    """Return True when ``text`` is a well-formed code (4 ASCII letters)."""
    return isinstance(text, str) and _PATTERN.fullmatch(text) is not None


def to_number(code):
    """Return the number of a well-formed code."""
    number = 0
    for letter in code:
        number = number * len(ALPHABET) + _INDEX[letter]
    return number


def to_code(number):
    """Return the code of a number in ``range(SPACE)``."""
    letters = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[digit])
    return "".join(reversed(letters))
