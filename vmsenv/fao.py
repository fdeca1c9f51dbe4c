"""$FAO / F$FAO: formatted ASCII output.

``fao(control, *args)`` expands a control string the way F$FAO does on OpenVMS Alpha V8.4.
Arguments are Python ints (numeric directives; they wrap to the directive's size) and strs
(``!AS``).  Directive syntax: ``!DD``, ``!n(DD)``, ``!lenDD``, ``!n(lenDD)``; ``#`` in place of
``n`` or ``len`` takes the number from the next argument.

Directives:

- Strings: ``!AS`` (also ``!AC !AD !AZ`` -- one str argument each here -- and ``!AF``, which
  shows non-printing characters as ``.``).  A width pads on the right or truncates.
- Numbers, B/W/L (8/16/32 bits) and Q/H (64 bits, used by system message texts; F$FAO itself
  has only longwords): ``O`` octal and ``X`` hex, zero-filled to their natural width (3/6/11/22
  octal, 2/4/8/16 hex digits); a smaller width keeps the rightmost digits, a larger one pads
  with blanks on the left.  ``Z`` decimal zero-filled to the width, ``U`` unsigned and ``S``
  signed decimal blank-filled on the left; with no width they use as many digits as needed; a
  value that does not fit fills the field with ``*`` -- and for a negative ``S`` value the last
  column keeps the ``-`` (recorded: ``!3SL`` of -1234 gives ``**-``).
- ``!/`` new line (CR LF), ``!_`` tab, ``!^`` form feed, ``!!`` an exclamation mark.
- ``!%S`` ``s`` unless the last numeric value converted was 1 (``S`` when the preceding output
  character is an upper-case letter); with no numeric value converted yet it gives ``s``.
- ``!%T`` time of day ``hh:mm:ss.cc``; ``!%D`` date and time ``dd-MMM-yyyy hh:mm:ss.cc`` with the
  day blank-padded (23 characters).  The argument is 0 (the current time), a
  ``datetime``/``timedelta`` or a VMS quadword (see vmsenv.vmstime); with a width the text is
  padded or truncated on the right.
- ``!%U`` UIC ``[group,member]`` in octal; ``!%I`` identifier: the name returned by the
  optional ``identifier`` callable, else as ``!%U``.
- ``!n*c`` the character c n times; ``!-`` reuse the previous argument; ``!+`` skip one;
  ``!n<`` ... ``!>`` a fixed field of n columns (padded on the right or truncated).

Behaviour recorded on VMS and reproduced here:

- Missing arguments: F$FAO reads past its argument list.  With no argument at all, a string
  directive picks up the control string itself (``F$FAO("!AS|")`` gives ``!AS||``); otherwise
  a missing numeric argument reads as 0 (``F$FAO("!UL!UL|",1)`` gives ``10|``).  We follow the
  same model for a missing string argument when some were given: the slot holds 0, a null
  descriptor address, so it fails like an integer given to ``!AS``.
- An integer given to ``!AS`` is used as a descriptor address and fails with
  ``%SYSTEM-F-ACCVIO``.  We raise SS$_ACCVIO with reason mask 0, the integer as the virtual
  address, and PC and PS 0 (the real ones are addresses inside DCL, meaningless here).
- A string given to a numeric directive makes VMS print the address of the string's
  descriptor (e.g. 2147080716), a number with no meaning outside that process.  We do not
  invent one: this raises SS$_BADPARAM.
- An unknown directive (e.g. ``!Q``) raises SS$_BADPARAM with the control string as the
  segment, printed by DCL as `` \\!Q|\\``.

Output longer than 65535 characters is cut there (where $FAO returns SS$_BUFFEROVF); counts
and widths are limited to the same number.

Our choice where the recording is silent: ``!/`` gives CR LF and ``!^`` a form feed, as $FAO
is documented to; the recorded log shows ``a`` LF ``b`` and ``ab`` because the capture turned
each CR LF into a line break and dropped the form feed.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

from vmsenv import vmstime
from vmsenv.condition import SS_ACCVIO, SS_BADPARAM, VMSError

NEWLINE = "\r\n"
MAX_OUTPUT = 65535  # a string descriptor's length is a word
_SIZES = {"B": 8, "W": 16, "L": 32, "Q": 64, "H": 64}
_OCTAL_DIGITS = {8: 3, 16: 6, 32: 11, 64: 22}
_STRING_CODES = {"AS", "AC", "AD", "AZ", "AF"}
_SIMPLE = {"/": NEWLINE, "_": "\t", "^": "\f", "!": "!"}


class _State:
    def __init__(self, control: str, args: tuple, now, identifier):
        self.control = control
        self.args = args
        self.pos = 0  # argument pointer
        self.out: list[str] = []
        self.fields: list[tuple[int, int]] = []
        self.last_number: int | None = None
        self.now = now
        self.identifier = identifier

    def bad(self) -> VMSError:
        return VMSError(SS_BADPARAM, segment=self.control)

    def next_arg(self, kind: str):
        index = self.pos
        self.pos += 1
        if index < len(self.args):
            value = self.args[index]
        elif kind == "string" and not self.args:
            return self.control
        else:
            value = 0
        if kind == "string":
            if isinstance(value, str):
                return value
            raise VMSError(SS_ACCVIO, 0, int(value) & 0xFFFFFFFFFFFFFFFF, 0, 0)
        if kind == "time":
            if isinstance(value, str):
                raise self.bad()
            return value
        if isinstance(value, str):
            raise self.bad()
        return int(value)

    def emit(self, text: str) -> None:
        self.out.append(text)

    def last_char(self) -> str:
        for piece in reversed(self.out):
            if piece:
                return piece[-1]
        return ""


def _fit(text: str, width: int | None) -> str:
    if width is None:
        return text
    return text[:width].ljust(width)


def _number(kind: str, size: str, value: int, width: int | None) -> str:
    bits = _SIZES[size]
    mask = (1 << bits) - 1
    unsigned = value & mask
    if kind in "XO":
        if kind == "X":
            digits = f"{unsigned:0{bits // 4}X}"
        else:
            digits = f"{unsigned:0{_OCTAL_DIGITS[bits]}o}"
        if width is None:
            return digits
        return digits[-width:] if width < len(digits) else digits.rjust(width)
    number = unsigned
    if kind == "S" and unsigned >> (bits - 1):
        number = unsigned - (1 << bits)
    text = str(number)
    if width is None:
        return text
    if len(text) > width:
        if width and number < 0:
            return "*" * (width - 1) + "-"
        return "*" * width
    return text.zfill(width) if kind == "Z" else text.rjust(width)


def _time_value(value, now):
    if value is None or (isinstance(value, int) and value == 0):
        return now() if callable(now) else now
    if isinstance(value, (_dt.datetime, _dt.timedelta)):
        return value
    return vmstime.from_quadword(int(value))


def _uic(value: int) -> str:
    value &= 0xFFFFFFFF
    return f"[{(value >> 16) & 0x3FFF:o},{value & 0xFFFF:o}]"


def _directive(st: _State, code: str, width: int | None) -> None:
    if code in _STRING_CODES:
        text = st.next_arg("string")
        if code == "AF":
            text = "".join(c if 32 <= ord(c) < 127 or ord(c) > 159 else "." for c in text)
        st.emit(_fit(text, width))
    elif code[0] in "OXZUS" and len(code) == 2 and code[1] in _SIZES:
        value = st.next_arg("number")
        st.last_number = value
        st.emit(_number(code[0], code[1], value, width))
    elif code == "%S":
        plural = st.last_number is None or (st.last_number & 0xFFFFFFFF) != 1
        if plural:
            st.emit("S" if st.last_char().isupper() else "s")
    elif code in ("%T", "%D"):
        value = _time_value(st.next_arg("time"), st.now)
        if isinstance(value, _dt.timedelta):
            text = vmstime.format_delta(value)
            text = text[5:] if code == "%T" else text
        else:
            text = vmstime.format_ftime(value)
            text = text[12:] if code == "%T" else text
        st.emit(_fit(text, width))
    elif code in ("%U", "%I"):
        value = st.next_arg("number")
        name = st.identifier(value & 0xFFFFFFFF) if code == "%I" and st.identifier else None
        st.emit(_fit(name if name else _uic(value), width))
    elif code in _SIMPLE:
        st.emit(_SIMPLE[code])
    elif code == "-":
        st.pos = max(st.pos - 1, 0)
    elif code == "+":
        st.pos += 1
    else:
        raise st.bad()


def _read_count(st: _State, text: str, i: int) -> tuple[int | None, int]:
    """A decimal number or '#' (taken from the arguments) at text[i]."""
    if i < len(text) and text[i] == "#":
        return min(st.next_arg("number") & 0xFFFFFFFF, MAX_OUTPUT), i + 1
    j = i
    while j < len(text) and text[j].isdigit():
        j += 1
    if j == i:
        return None, i
    return min(int(text[i:j]), MAX_OUTPUT), j


def _read_code(st: _State, text: str, i: int) -> tuple[str, int]:
    if i >= len(text):
        raise st.bad()
    c = text[i]
    if c in "AOXZUS%":
        if i + 1 >= len(text):
            raise st.bad()
        return text[i:i + 2], i + 2
    return c, i + 1


def fao(control: str, *args, now=None, identifier: Callable[[int], str | None] | None = None) -> str:
    """Expand an FAO control string.  now: the time for a 0 time argument (a datetime, or a
    callable returning one; default the current time)."""
    if now is None:
        now = vmstime.current_time
    st = _State(control, args, now, identifier)
    text = control
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c != "!":
            j = text.find("!", i)
            j = n if j < 0 else j
            st.emit(text[i:j])
            i = j
            continue
        i += 1
        count, i = _read_count(st, text, i)
        if i < n and text[i] == "(":  # repeat count: !n(DD) or !n(lenDD)
            if count is None:
                raise st.bad()
            width, i = _read_count(st, text, i + 1)
            code, i = _read_code(st, text, i)
            if i >= n or text[i] != ")":
                raise st.bad()
            i += 1
            for _ in range(count):
                _directive(st, code, width)
        elif i < n and text[i] == "*":  # !n*c
            if count is None or i + 1 >= n:
                raise st.bad()
            st.emit(text[i + 1] * count)
            i += 2
        elif i < n and text[i] == "<":  # !n< ... !>
            if count is None:
                raise st.bad()
            st.fields.append((len(st.out), count))
            i += 1
        elif i < n and text[i] == ">":
            if not st.fields:
                raise st.bad()
            start, width = st.fields.pop()
            piece = "".join(st.out[start:])
            del st.out[start:]
            st.emit(_fit(piece, width))
            i += 1
        else:
            code, i = _read_code(st, text, i)
            _directive(st, code, count)
    if st.fields:
        raise st.bad()
    return "".join(st.out)[:MAX_OUTPUT]
