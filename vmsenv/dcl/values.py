"""DCL values: 32-bit integers and strings, and the conversions between them.

A DCL value is a Python ``int`` (always kept in the signed 32-bit range) or ``str``.

- Integers wrap like a longword: 2147483647 + 1 is -2147483648, 4294967300 stores as 4.
- A string used as an integer: optional blanks, an optional sign, then decimal digits or a
  radix literal ``%X1F``, ``%O17``, ``%D99`` is that number; text whose first character is
  T, t, Y or y is 1; anything else (``"12AB"``, ``""``, ``"NO"``) is 0.
- An integer used as a string is its decimal form.
- Truth is the low bit: odd integers are true; a string is true when it begins with T or Y
  (either case) or holds an odd number.

Choices where VMS is silent: blanks around a numeric string are ignored, and a sign may precede
a radix literal (``"-%X10"`` is -16).
"""

from __future__ import annotations

import re

Value = int | str

_RADIX = {"X": 16, "O": 8, "D": 10}
_NUMBER = re.compile(r"[+-]?(?:\d+|%[Xx][0-9A-Fa-f]+|%[Oo][0-7]+|%[Dd]\d+)\Z")


def wrap32(number: int) -> int:
    """The signed 32-bit value of an integer (two's complement wrap)."""
    number &= 0xFFFFFFFF
    return number - 0x100000000 if number & 0x80000000 else number


def unsigned32(number: int) -> int:
    return number & 0xFFFFFFFF


def parse_number(text: str) -> int | None:
    """The value of a numeric string, or None when the text is not a number."""
    text = text.strip(" \t")
    if not _NUMBER.match(text):
        return None
    sign = -1 if text[0] == "-" else 1
    body = text.lstrip("+-")
    if body.startswith("%"):
        value = int(body[2:], _RADIX[body[1].upper()])
    else:
        value = int(body)
    return wrap32(sign * value)


def is_numeric(text: str) -> bool:
    return parse_number(text) is not None


def to_int(value: Value) -> int:
    """A value used where DCL wants an integer."""
    if isinstance(value, int):
        return wrap32(value)
    number = parse_number(value)
    if number is not None:
        return number
    stripped = value.lstrip(" \t")
    return 1 if stripped[:1] in ("T", "t", "Y", "y") else 0


def to_str(value: Value) -> str:
    """A value used where DCL wants a string."""
    return str(wrap32(value)) if isinstance(value, int) else value


def truth(value: Value) -> bool:
    """DCL truth: the low bit of the value."""
    if isinstance(value, int):
        return bool(value & 1)
    stripped = value.lstrip(" \t")
    if stripped[:1] in ("T", "t", "Y", "y"):
        return True
    number = parse_number(value)
    return number is not None and bool(number & 1)
