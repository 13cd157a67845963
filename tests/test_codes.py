"""The code alphabet and its order."""
import pytest

from saver.codes import SPACE, is_code, to_code, to_number


def test_space_is_52_to_the_4th():
    assert SPACE == 7_311_616


@pytest.mark.parametrize("code, number", [
    ("aaaa", 0), ("aaab", 1), ("aaaz", 25), ("aaaA", 26), ("aaaZ", 51), ("aaba", 52),
    ("ZZZZ", SPACE - 1)])
def test_order_is_lowercase_then_uppercase(code, number):
    assert to_number(code) == number
    assert to_code(number) == code


def test_round_trip_over_a_stride_of_the_space():
    for number in range(0, SPACE, 9973):
        assert to_number(to_code(number)) == number


@pytest.mark.parametrize("text", ["abc", "abcde", "ab1d", "abçd", "ab d", "", None, 1234,
                                  "ａｂｃｄ", "abcd\n"])
def test_malformed_codes_are_refused(text):
    assert not is_code(text)
