"""VMS times: absolute, delta and combination times, parsing and printing.

Representation: an absolute time is a naive ``datetime.datetime`` in local (system) time, a
delta time a non-negative ``datetime.timedelta``; parsers give hundredths-of-a-second
precision, and formatters truncate to hundredths.  ``to_quadword``/``from_quadword`` convert to
and from the VMS 64-bit value (100 ns units since 17-NOV-1858 00:00; negative for deltas).
Valid absolute times run from 17-NOV-1858 00:00:00.00 to 31-DEC-9999 23:59:59.99, deltas up to
9999 23:59:59.99.  Errors raise VMSError(CLI$_IVATIME) or VMSError(CLI$_IVDTIME).

Printed forms:

- ``format_ftime``: ``$ASCTIM``/F$TIME/!%D, ``dd-MMM-yyyy hh:mm:ss.cc``, 23 characters, the day
  blank-padded (`` 7-AUG-2026 18:51:27.24``).
- ``format_absolute``: the same with the day zero-padded (``07-AUG-2026 ...``), a fixed-width
  form for listings; two-digit days (``29-NOV-2026 11:25:00.00``) print alike in both.
- ``format_cvtime_absolute``: F$CVTIME's ABSOLUTE form, day unpadded (``7-OCT-2026 ...``).
- ``format_comparison``: ``yyyy-mm-dd hh:mm:ss.cc``.
- ``format_delta``: $ASCTIM's delta form ``dddd hh:mm:ss.cc``, days blank-padded to 4
  (``   0 00:00:07.35``, as F$DELTA_TIME's ASCTIM output and SHOW PROCESS print it).
- ``format_delta_dcl``: DCL's ``d-hh:mm:ss.cc`` with the days unpadded (F$DELTA_TIME's "DCL"
  format); F$CVTIME's DELTA output uses it ([I]: HELP only says ``dddd-hh:mm:ss.cc``).

Input rules (HELP Date_Time, F$CVTIME):

- Absolute ``[dd-mmm-yyyy][:hh:mm:ss.cc]``, a blank also separating date and time; TODAY,
  TOMORROW, YESTERDAY (midnight), and BOOT/LOGIN when the caller supplies those times.  Any
  trailing field may be left out, and middle fields too when their punctuation stays
  (``-JAN-``, ``--2000``, ``12::30``).  Missing date fields come from today, time fields are 0.
  Text before the first ``:`` without a hyphen is a time of day (``12:30``); a lone number is a
  day (``13``); a leading ``:`` means an omitted date (``:12`` is 12:00 today).  Months are the
  three-letter names, any case.  Leading/trailing blanks of the whole text are ignored.
- Hundredths: the digits after ``.`` are a decimal fraction, at most two (``.5`` is .50) [I].
- Delta ``[dddd-]hh:mm:ss.cc`` (a blank may replace the ``-``, so $ASCTIM output reads back);
  without ``dddd-`` the first number is hours (``3`` is 3 hours); days 0-9999, hours 0-23.
- Combination ``abs+delta`` or ``abs-delta`` with no blanks around the sign; the absolute part
  may be omitted (``+3`` is three hours from now).  Without ``+`` the subtraction sign is found
  by trying the hyphens from the right, keeping the first split whose two sides are valid.
- F$CVTIME's DAYOFYEAR, HOUROFYEAR, MINUTEOFYEAR and SECONDOFYEAR count from 1, as
  LIB$CVT_FROM_INTERNAL_TIME does (HOUROFYEAR 1-8784), and are printed without padding [I].
  Fields not defined for a delta (MONTH, WEEKDAY, YEAR, ...OFYEAR) raise CLI$_IVKEYW, as does
  an unknown format or field [I]; DATE of a delta gives its days.
"""

from __future__ import annotations

import datetime as _dt

from vmsenv.condition import CLI_IVATIME, CLI_IVDTIME, CLI_IVKEYW, VMSError

VMS_EPOCH = _dt.datetime(1858, 11, 17)
MAX_TIME = _dt.datetime(9999, 12, 31, 23, 59, 59, 990000)
MAX_DELTA = _dt.timedelta(days=9999, hours=23, minutes=59, seconds=59, microseconds=990000)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_HUNDREDTH = 10000  # microseconds


def truncate(t):
    """Drop precision below a hundredth of a second (datetime or timedelta)."""
    if isinstance(t, _dt.timedelta):
        return _dt.timedelta(microseconds=(t // _dt.timedelta(microseconds=_HUNDREDTH)) * _HUNDREDTH)
    return t.replace(microsecond=t.microsecond - t.microsecond % _HUNDREDTH)


def current_time() -> _dt.datetime:
    """The system clock as an absolute VMS time (local time, hundredths)."""
    return truncate(_dt.datetime.now())


# ---------------------------------------------------------------------------------------------
# Quadwords.
# ---------------------------------------------------------------------------------------------
def _ticks(d: _dt.timedelta) -> int:
    return (d.days * 86400 + d.seconds) * 10_000_000 + d.microseconds * 10


def to_quadword(t: _dt.datetime | _dt.timedelta) -> int:
    """The VMS 64-bit time: 100 ns units since 17-NOV-1858 (negative for a delta time)."""
    if isinstance(t, _dt.timedelta):
        return -_ticks(t)
    return _ticks(t - VMS_EPOCH)


def from_quadword(q: int) -> _dt.datetime | _dt.timedelta:
    """A VMS 64-bit time back to a datetime (q >= 0) or a timedelta (q < 0); below 1 us is lost.

    As on VMS, 0 is the base date: a zero delta time does not survive the round trip.
    """
    if q < 0:
        return _dt.timedelta(microseconds=(-q) // 10)
    return VMS_EPOCH + _dt.timedelta(microseconds=q // 10)


# ---------------------------------------------------------------------------------------------
# Formatting.
# ---------------------------------------------------------------------------------------------
def _clock(t) -> str:
    return f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}.{t.microsecond // _HUNDREDTH:02d}"


def format_ftime(t: _dt.datetime) -> str:
    return f"{t.day:2d}-{MONTHS[t.month - 1]}-{t.year:04d} {_clock(t)}"


def format_absolute(t: _dt.datetime) -> str:
    return f"{t.day:02d}-{MONTHS[t.month - 1]}-{t.year:04d} {_clock(t)}"


def format_cvtime_absolute(t: _dt.datetime) -> str:
    return f"{t.day}-{MONTHS[t.month - 1]}-{t.year:04d} {_clock(t)}"


def format_comparison(t: _dt.datetime) -> str:
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d} {_clock(t)}"


def _delta_parts(d: _dt.timedelta) -> tuple[int, str]:
    if d < _dt.timedelta(0):
        raise ValueError("negative delta time")
    clock = _dt.datetime.min + _dt.timedelta(seconds=d.seconds, microseconds=d.microseconds)
    return d.days, _clock(clock)


def format_delta(d: _dt.timedelta) -> str:
    days, clock = _delta_parts(d)
    return f"{days:4d} {clock}"


def format_delta_dcl(d: _dt.timedelta) -> str:
    days, clock = _delta_parts(d)
    return f"{days}-{clock}"


# ---------------------------------------------------------------------------------------------
# Parsing.
# ---------------------------------------------------------------------------------------------
def _int_field(text: str, max_digits: int, error: int, default: int) -> int:
    if text == "":
        return default
    if not text.isdigit() or not text.isascii() or len(text) > max_digits:
        raise VMSError(error)
    return int(text)


def _clock_fields(text: str, error: int) -> tuple[int, int, int, int]:
    """hh:mm:ss.cc with omitted fields -> (hours, minutes, seconds, hundredths)."""
    fields = text.split(":")
    if len(fields) > 3:
        raise VMSError(error)
    fields += [""] * (3 - len(fields))
    hours = _int_field(fields[0], 2, error, 0)
    minutes = _int_field(fields[1], 2, error, 0)
    seconds_text, dot, fraction = fields[2].partition(".")
    if "." in fields[0] + fields[1]:
        raise VMSError(error)
    seconds = _int_field(seconds_text, 2, error, 0)
    if dot and fraction and (not fraction.isdigit() or not fraction.isascii() or len(fraction) > 2):
        raise VMSError(error)
    hundredths = int(fraction.ljust(2, "0")) if fraction else 0
    if hours > 23 or minutes > 59 or seconds > 59:
        raise VMSError(error)
    return hours, minutes, seconds, hundredths


def _check_range(t: _dt.datetime) -> _dt.datetime:
    if not VMS_EPOCH <= t <= MAX_TIME:
        raise VMSError(CLI_IVATIME)
    return t


def _today(now: _dt.datetime) -> _dt.datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _keyword(word: str, now: _dt.datetime, boot, login) -> _dt.datetime | None:
    word = word.upper()
    if word == "TODAY":
        return _today(now)
    if word == "TOMORROW":
        return _check_range(_today(now) + _dt.timedelta(days=1))
    if word == "YESTERDAY":
        return _check_range(_today(now) - _dt.timedelta(days=1))
    if word == "BOOT" and boot is not None:
        return boot
    if word == "LOGIN" and login is not None:
        return login
    return None


def _parse_absolute_exact(text: str, now: _dt.datetime, boot=None, login=None) -> _dt.datetime:
    if text.strip() != text or "\t" in text:
        raise VMSError(CLI_IVATIME)
    special = _keyword(text, now, boot, login)
    if special is not None:
        return special
    date_text: str | None
    time_text: str | None
    if " " in text:
        date_text, _, time_text = text.partition(" ")
    elif ":" in text:
        before, _, after = text.partition(":")
        if "-" in before or before == "":
            date_text, time_text = before, after
        else:
            date_text, time_text = None, text
    else:
        date_text, time_text = text, None
    day, month, year = now.day, now.month, now.year
    if date_text:
        fields = date_text.split("-")
        if len(fields) > 3:
            raise VMSError(CLI_IVATIME)
        fields += [""] * (3 - len(fields))
        day = _int_field(fields[0], 2, CLI_IVATIME, day)
        if fields[1]:
            if fields[1].upper() not in MONTHS:
                raise VMSError(CLI_IVATIME)
            month = MONTHS.index(fields[1].upper()) + 1
        year = _int_field(fields[2], 4, CLI_IVATIME, year)
    hours = minutes = seconds = hundredths = 0
    if time_text:
        hours, minutes, seconds, hundredths = _clock_fields(time_text, CLI_IVATIME)
    try:
        t = _dt.datetime(year, month, day, hours, minutes, seconds, hundredths * _HUNDREDTH)
    except ValueError:
        raise VMSError(CLI_IVATIME) from None
    return _check_range(t)


def parse_absolute(text: str, now: _dt.datetime | None = None, *, boot=None, login=None) -> _dt.datetime:
    """An absolute time (partial forms and TODAY/TOMORROW/YESTERDAY allowed); IVATIME if not."""
    now = current_time() if now is None else now
    return _parse_absolute_exact(text.strip(" \t"), now, boot, login)


def _parse_delta_exact(text: str) -> _dt.timedelta:
    if text == "" or text.strip() != text:
        raise VMSError(CLI_IVDTIME)
    days = 0
    for sep in "- ":
        if sep in text:
            days_text, _, text = text.partition(sep)
            if days_text == "":
                raise VMSError(CLI_IVDTIME)
            days = _int_field(days_text, 4, CLI_IVDTIME, 0)
            break
    if " " in text or "-" in text:
        raise VMSError(CLI_IVDTIME)
    hours, minutes, seconds, hundredths = _clock_fields(text, CLI_IVDTIME)
    return _dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds,
                         microseconds=hundredths * _HUNDREDTH)


def parse_delta(text: str) -> _dt.timedelta:
    """A delta time ``[dddd-]hh:mm:ss.cc`` (or ``dddd hh:mm:ss.cc``); IVDTIME if not."""
    return _parse_delta_exact(text.strip(" \t"))


def _combine(base: _dt.datetime, delta: _dt.timedelta, sign: int) -> _dt.datetime:
    try:
        return _check_range(base + delta if sign > 0 else base - delta)
    except OverflowError:
        raise VMSError(CLI_IVATIME) from None


def parse_time(text: str, now: _dt.datetime | None = None, *, allow_delta: bool = True,
               boot=None, login=None) -> _dt.datetime | _dt.timedelta:
    """An absolute, combination or (if allow_delta) delta time.

    Absolute and combination times give a datetime, a plain delta a timedelta; "" is now.
    The absolute and combination readings are tried first, so "1-02:00" is the 1st of this
    month minus two hours; use parse_delta where only a delta makes sense.  Anything else
    raises IVATIME.
    """
    now = current_time() if now is None else now
    text = text.strip(" \t")
    if text == "":
        return now
    try:
        return _parse_absolute_exact(text, now, boot, login)
    except VMSError:
        pass
    if "+" in text:
        left, _, right = text.partition("+")
        base = now if left == "" else _parse_absolute_exact(left, now, boot, login)
        try:
            delta = _parse_delta_exact(right)
        except VMSError:
            raise VMSError(CLI_IVATIME) from None
        return _combine(base, delta, +1)
    for i in range(len(text) - 1, -1, -1):
        if text[i] != "-":
            continue
        try:
            left, right = text[:i], text[i + 1:]
            base = now if left == "" else _parse_absolute_exact(left, now, boot, login)
            delta = _parse_delta_exact(right)
        except VMSError:
            continue
        return _combine(base, delta, -1)
    if allow_delta:
        try:
            return _parse_delta_exact(text)
        except VMSError:
            pass
    raise VMSError(CLI_IVATIME)


# ---------------------------------------------------------------------------------------------
# F$CVTIME.
# ---------------------------------------------------------------------------------------------
_FORMATS = ("ABSOLUTE", "COMPARISON", "DELTA")
_FIELDS = ("DATE", "DATETIME", "DAY", "HOUR", "HUNDREDTH", "MINUTE", "MONTH", "SECOND", "TIME",
           "WEEKDAY", "YEAR", "DAYOFYEAR", "HOUROFYEAR", "MINUTEOFYEAR", "SECONDOFYEAR")
_DELTA_FIELDS = ("DATE", "DATETIME", "DAY", "HOUR", "HUNDREDTH", "MINUTE", "SECOND", "TIME")


def _cvtime_delta(d: _dt.timedelta, field: str) -> str:
    days, clock = _delta_parts(d)
    hours, minutes, rest = clock.split(":")
    seconds, hundredths = rest.split(".")
    values = {"DATETIME": format_delta_dcl(d), "DATE": str(days), "DAY": str(days),
              "TIME": clock, "HOUR": hours, "MINUTE": minutes, "SECOND": seconds,
              "HUNDREDTH": hundredths}
    return values[field]


def _cvtime_absolute(t: _dt.datetime, fmt: str, field: str) -> str:
    absolute = fmt == "ABSOLUTE"
    day_of_year = t.timetuple().tm_yday
    hours_before = (day_of_year - 1) * 24 + t.hour
    minutes_before = hours_before * 60 + t.minute
    if field == "DATETIME":
        return format_cvtime_absolute(t) if absolute else format_comparison(t)
    if field == "DATE":
        return format_cvtime_absolute(t).split(" ")[0] if absolute else format_comparison(t)[:10]
    values = {
        "DAY": str(t.day) if absolute else f"{t.day:02d}",
        "MONTH": MONTHS[t.month - 1] if absolute else f"{t.month:02d}",
        "YEAR": f"{t.year:04d}",
        "HOUR": f"{t.hour:02d}",
        "MINUTE": f"{t.minute:02d}",
        "SECOND": f"{t.second:02d}",
        "HUNDREDTH": f"{t.microsecond // _HUNDREDTH:02d}",
        "TIME": _clock(t),
        "WEEKDAY": WEEKDAYS[t.weekday()],
        "DAYOFYEAR": str(day_of_year),
        "HOUROFYEAR": str(hours_before + 1),
        "MINUTEOFYEAR": str(minutes_before + 1),
        "SECONDOFYEAR": str(minutes_before * 60 + t.second + 1),
    }
    return values[field]


def cvtime(time_text: str | None = None, fmt: str | None = "COMPARISON", field: str | None = "DATETIME",
           now: _dt.datetime | None = None, *, boot=None, login=None) -> str:
    """F$CVTIME([input_time] [,output_time_format] [,output_field]).

    None or "" for an argument means it was omitted.  Keywords are case-blind, not abbreviated.
    """
    fmt = (fmt or "COMPARISON").upper()
    field = (field or "DATETIME").upper()
    if fmt not in _FORMATS:
        raise VMSError(CLI_IVKEYW, segment=fmt)
    if field not in _FIELDS:
        raise VMSError(CLI_IVKEYW, segment=field)
    now = current_time() if now is None else truncate(now)
    text = (time_text or "").strip(" \t")
    if fmt == "DELTA":
        if field not in _DELTA_FIELDS:
            raise VMSError(CLI_IVKEYW, segment=field)
        return _cvtime_delta(_parse_delta_exact(text), field)
    t = now if text == "" else parse_time(text, now, allow_delta=False, boot=boot, login=login)
    return _cvtime_absolute(truncate(t), fmt, field)
