"""DCL values: 32-bit wrap, string/integer conversion, truth."""

import pytest

from vmsenv.dcl.values import is_numeric, parse_number, to_int, to_str, truth, wrap32


@pytest.mark.parametrize("number, wrapped", [
    (2147483647 + 1, -2147483648), (4294967300, 4), (-1, -1), (0xFFFFFFFF, -1), (7, 7),
])
def test_wrap32(number, wrapped):
    assert wrap32(number) == wrapped


@pytest.mark.parametrize("text, number", [
    ("12", 12), ("-5", -5), ("%X1F", 31), ("%x1f", 31), ("%O17", 15), ("%D99", 99),
    (" 42 ", 42), ("4294967296", 0),
])
def test_numeric_strings(text, number):
    assert parse_number(text) == number
    assert to_int(text) == number


@pytest.mark.parametrize("text, number", [
    ("YES", 1), ("true", 1), ("Trouble", 1), ("y", 1), ("NO", 0), ("FALSE", 0), ("12AB", 0),
    ("", 0), ("%XZZ", 0),
])
def test_other_strings_as_integers(text, number):
    assert not is_numeric(text)
    assert to_int(text) == number


def test_to_str():
    assert to_str(-3) == "-3"
    assert to_str("abc") == "abc"


@pytest.mark.parametrize("value, expected", [
    (1, True), (2, False), (-1, True), ("TRUE", True), ("yes", True), ("0", False),
    ("3", True), ("10", False), ("FALSE", False), ("", False), ("%X11", True),
])
def test_truth(value, expected):
    assert truth(value) is expected
