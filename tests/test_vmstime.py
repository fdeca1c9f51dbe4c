"""VMS absolute, delta and combination times (vmsenv.vmstime)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vmsenv import condition as cond
from vmsenv import vmstime as vt
from vmsenv.condition import VMSError

NOW = dt.datetime(2026, 10, 7, 13, 45, 56, 780000)  # a Wednesday, day 280


def T(*parts):
    y, mo, d, h, mi, s, c = (list(parts) + [0] * 7)[:7]
    return dt.datetime(y, mo, d, h, mi, s, c * 10000)


# --- formatting -------------------------------------------------------------------------------

def test_formats():
    t = T(2026, 8, 7, 18, 51, 27, 24)
    assert vt.format_ftime(t) == " 7-AUG-2026 18:51:27.24"
    assert len(vt.format_ftime(t)) == 23
    assert vt.format_absolute(t) == "07-AUG-2026 18:51:27.24"
    assert vt.format_cvtime_absolute(t) == "7-AUG-2026 18:51:27.24"
    assert vt.format_comparison(t) == "2026-08-07 18:51:27.24"
    t = T(2026, 11, 29, 11, 25)
    assert vt.format_ftime(t) == vt.format_absolute(t) == "29-NOV-2026 11:25:00.00"


def test_formats_truncate_to_hundredths():
    t = dt.datetime(2026, 1, 2, 3, 4, 5, 999999)
    assert vt.format_comparison(t) == "2026-01-02 03:04:05.99"
    assert vt.truncate(t) == T(2026, 1, 2, 3, 4, 5, 99)
    assert vt.truncate(dt.timedelta(microseconds=123456)) == dt.timedelta(microseconds=120000)


def test_delta_formats():
    d = dt.timedelta(seconds=7, microseconds=350000)
    assert vt.format_delta(d) == "   0 00:00:07.35"
    assert vt.format_delta_dcl(d) == "0-00:00:07.35"
    d = dt.timedelta(days=9999, hours=23, minutes=59, seconds=59, microseconds=990000)
    assert vt.format_delta(d) == "9999 23:59:59.99"
    assert vt.format_delta_dcl(dt.timedelta(days=12, hours=3)) == "12-03:00:00.00"


# --- quadwords --------------------------------------------------------------------------------

def test_quadwords():
    assert vt.to_quadword(vt.VMS_EPOCH) == 0
    assert vt.to_quadword(dt.datetime(1970, 1, 1)) == 35067168000000000  # %X007C95674BEB4000
    assert vt.from_quadword(35067168000000000) == dt.datetime(1970, 1, 1)
    assert vt.to_quadword(dt.timedelta(seconds=1)) == -10_000_000
    assert vt.from_quadword(-10_000_000) == dt.timedelta(seconds=1)
    assert vt.from_quadword(0) == vt.VMS_EPOCH


# --- absolute input ---------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("7-OCT-2026 13:45:56.78", T(2026, 10, 7, 13, 45, 56, 78)),
    ("7-oct-2026:13:45:56.78", T(2026, 10, 7, 13, 45, 56, 78)),
    (" 7-AUG-2026 18:51:27.24", T(2026, 8, 7, 18, 51, 27, 24)),
    ("29-NOV-2026 11:25:00.00", T(2026, 11, 29, 11, 25)),
    ("1-JAN-2000", T(2000, 1, 1)),
    ("1-JAN-2000:", T(2000, 1, 1)),
    ("1-JAN", T(2026, 1, 1)),
    ("-JAN-", T(2026, 1, 7)),
    ("--2000", T(2000, 10, 7)),
    ("13", T(2026, 10, 13)),
    ("13-", T(2026, 10, 13)),
    (":12", T(2026, 10, 7, 12)),
    ("12:30", T(2026, 10, 7, 12, 30)),
    ("12::30", T(2026, 10, 7, 12, 0, 30)),
    ("12:00:00.5", T(2026, 10, 7, 12, 0, 0, 50)),
    ("12:00:00.05", T(2026, 10, 7, 12, 0, 0, 5)),
    ("11-DEC-1996:13", T(1996, 12, 11, 13)),
    ("11-DEC-1996 13", T(1996, 12, 11, 13)),
    ("-MAR-2024 0:0:0.", T(2024, 3, 7)),
    ("29-FEB-2024", T(2024, 2, 29)),
    ("TODAY", T(2026, 10, 7)),
    ("tomorrow", T(2026, 10, 8)),
    ("YESTERDAY", T(2026, 10, 6)),
    ("17-NOV-1858", vt.VMS_EPOCH),
    ("31-DEC-9999 23:59:59.99", vt.MAX_TIME),
])
def test_parse_absolute(text, expected):
    assert vt.parse_absolute(text, NOW) == expected


@pytest.mark.parametrize("text", [
    "32-JAN-2000", "29-FEB-2023", "1-XYZ-2000", "1-JAN-2000-", "1-JAN-2000:24", "1:60",
    "1:0:60", "1:0:0.123", "16-NOV-1858", "1-JAN-10000", "1-JAN-2000  12:00", "abc", "0",
    "1-JAN-2000:1:2:3:4", "1.5", "BOOT", "+1", "1-JAN-2000\t12:00",
])
def test_parse_absolute_invalid(text):
    with pytest.raises(VMSError) as err:
        vt.parse_absolute(text, NOW)
    assert err.value.status == cond.CLI_IVATIME


def test_boot_and_login_when_supplied():
    boot = T(2026, 10, 1, 8)
    assert vt.parse_absolute("BOOT", NOW, boot=boot) == boot
    assert vt.parse_time("LOGIN+1:00", NOW, login=boot) == T(2026, 10, 1, 9)


# --- delta input ------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("1-02:00", dt.timedelta(days=1, hours=2)),
    ("1-", dt.timedelta(days=1)),
    ("3", dt.timedelta(hours=3)),
    ("0:0:7.35", dt.timedelta(seconds=7, microseconds=350000)),
    ("   0 00:00:07.35", dt.timedelta(seconds=7, microseconds=350000)),
    ("9999-23:59:59.99", vt.MAX_DELTA),
    ("::30", dt.timedelta(seconds=30)),
    ("12-:30", dt.timedelta(days=12, minutes=30)),
])
def test_parse_delta(text, expected):
    assert vt.parse_delta(text) == expected


@pytest.mark.parametrize("text", ["", "1-JAN-2000", "10000-", "24:00", "-1:00", "1-2-3",
                                  "1 2 3", "1-0:0:0.123", "x", "+1"])
def test_parse_delta_invalid(text):
    with pytest.raises(VMSError) as err:
        vt.parse_delta(text)
    assert err.value.status == cond.CLI_IVDTIME


# --- combination and general input -------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("7-OCT-2026 13:45:56.78+1-02:00", T(2026, 10, 8, 15, 45, 56, 78)),
    ("11-DEC-1996:13-1:00", T(1996, 12, 11, 12)),
    ("TOMORROW+12:00", T(2026, 10, 8, 12)),
    ("TODAY-1-", T(2026, 10, 6)),
    ("+3", T(2026, 10, 7, 16, 45, 56, 78)),
    ("-1-", T(2026, 10, 6, 13, 45, 56, 78)),
    ("1-JAN-2000-1", T(1999, 12, 31, 23)),
    ("", NOW),
    ("-JAN-", T(2026, 1, 7)),
])
def test_parse_time_absolute_and_combination(text, expected):
    assert vt.parse_time(text, NOW) == expected


def test_parse_time_delta_only_when_allowed():
    assert vt.parse_time("0 02:00", NOW) == dt.timedelta(hours=2)
    with pytest.raises(VMSError) as err:
        vt.parse_time("0 02:00", NOW, allow_delta=False)
    assert err.value.status == cond.CLI_IVATIME
    # Absolute and combination readings come first: the 1st of the month minus two hours.
    assert vt.parse_time("1-02:00", NOW) == T(2026, 9, 30, 22)


@pytest.mark.parametrize("text", [
    "7-OCT-2026 13:45:56.78 +1-02:00",  # a blank before + (measured)
    "7-OCT-2026 13:45:56.78+ 1-02:00",
    "17-NOV-1858-1:00",
    "31-DEC-9999+1-",
    "nonsense+1",
    "1-JAN-2000+x",
])
def test_parse_time_invalid(text):
    with pytest.raises(VMSError) as err:
        vt.parse_time(text, NOW, allow_delta=False)
    assert err.value.status == cond.CLI_IVATIME


# --- F$CVTIME ---------------------------------------------------------------------------------

def test_cvtime_measured():
    assert vt.cvtime("7-OCT-2026 13:45:56.78+1-02:00", now=NOW) == "2026-10-08 15:45:56.78"
    with pytest.raises(VMSError) as err:
        vt.cvtime("7-OCT-2026 13:45:56.78 +1-02:00", now=NOW)
    assert err.value.status == cond.CLI_IVATIME
    with pytest.raises(VMSError) as err:
        vt.cvtime("1-JAN-2000", "DELTA", now=NOW)
    assert err.value.status == cond.CLI_IVDTIME
    assert vt.cvtime("7-OCT-2026", "ABSOLUTE", now=NOW) == "7-OCT-2026 00:00:00.00"
    assert vt.cvtime("5-SEP-2026", "ABSOLUTE", "WEEKDAY", now=NOW) == "Saturday"


@pytest.mark.parametrize("fmt,field,expected", [
    ("COMPARISON", "DATETIME", "2026-10-07 13:45:56.78"),
    ("COMPARISON", "DATE", "2026-10-07"),
    ("COMPARISON", "DAY", "07"),
    ("COMPARISON", "MONTH", "10"),
    ("COMPARISON", "YEAR", "2026"),
    ("COMPARISON", "HOUR", "13"),
    ("COMPARISON", "MINUTE", "45"),
    ("COMPARISON", "SECOND", "56"),
    ("COMPARISON", "HUNDREDTH", "78"),
    ("COMPARISON", "TIME", "13:45:56.78"),
    ("COMPARISON", "WEEKDAY", "Wednesday"),
    ("COMPARISON", "DAYOFYEAR", "280"),
    ("COMPARISON", "HOUROFYEAR", str(279 * 24 + 13 + 1)),
    ("COMPARISON", "MINUTEOFYEAR", str((279 * 24 + 13) * 60 + 45 + 1)),
    ("COMPARISON", "SECONDOFYEAR", str(((279 * 24 + 13) * 60 + 45) * 60 + 56 + 1)),
    ("ABSOLUTE", "DATETIME", "7-OCT-2026 13:45:56.78"),
    ("ABSOLUTE", "DATE", "7-OCT-2026"),
    ("ABSOLUTE", "DAY", "7"),
    ("ABSOLUTE", "MONTH", "OCT"),
    ("ABSOLUTE", "YEAR", "2026"),
    ("ABSOLUTE", "TIME", "13:45:56.78"),
    ("absolute", "weekday", "Wednesday"),
])
def test_cvtime_fields(fmt, field, expected):
    assert vt.cvtime(None, fmt, field, now=NOW) == expected
    assert vt.cvtime("7-OCT-2026 13:45:56.78", fmt, field, now=NOW) == expected


def test_cvtime_defaults_and_keywords():
    assert vt.cvtime(now=NOW) == "2026-10-07 13:45:56.78"
    assert vt.cvtime("", "", "", now=NOW) == "2026-10-07 13:45:56.78"
    assert vt.cvtime("TOMORROW", None, "WEEKDAY", now=NOW) == "Thursday"
    assert vt.cvtime("1-JAN-2024", None, "SECONDOFYEAR", now=NOW) == "1"
    assert vt.cvtime("31-DEC-2024 23:00", None, "HOUROFYEAR", now=NOW) == "8784"


@pytest.mark.parametrize("field,expected", [
    ("DATETIME", "3-04:05:06.07"), ("DATE", "3"), ("DAY", "3"), ("HOUR", "04"),
    ("MINUTE", "05"), ("SECOND", "06"), ("HUNDREDTH", "07"), ("TIME", "04:05:06.07"),
])
def test_cvtime_delta(field, expected):
    assert vt.cvtime("3-4:5:6.07", "DELTA", field) == expected


@pytest.mark.parametrize("args", [
    ("TODAY", "NOSUCH", None), ("TODAY", None, "NOSUCH"), ("TODAY", "ABS", None),
    ("1-", "DELTA", "MONTH"), ("1-", "DELTA", "WEEKDAY"), ("TODAY", None, "DAYOFY"),
])
def test_cvtime_bad_keywords(args):
    with pytest.raises(VMSError) as err:
        vt.cvtime(*args, now=NOW)
    assert err.value.status == cond.CLI_IVKEYW


def test_cvtime_delta_needs_a_delta():
    with pytest.raises(VMSError) as err:
        vt.cvtime(None, "DELTA", now=NOW)
    assert err.value.status == cond.CLI_IVDTIME
    with pytest.raises(VMSError) as err:
        vt.cvtime("0 00:00:07.35", "ABSOLUTE", now=NOW)
    assert err.value.status == cond.CLI_IVATIME


# --- round trips ------------------------------------------------------------------------------

absolute_times = st.datetimes(min_value=vt.VMS_EPOCH, max_value=vt.MAX_TIME).map(vt.truncate)
delta_times = st.timedeltas(min_value=dt.timedelta(0), max_value=vt.MAX_DELTA).map(vt.truncate)


@given(absolute_times)
def test_absolute_round_trip(t):
    for formatter in (vt.format_ftime, vt.format_absolute, vt.format_cvtime_absolute):
        assert vt.parse_absolute(formatter(t), NOW) == t
    assert vt.cvtime(vt.format_ftime(t), now=NOW) == vt.format_comparison(t)
    assert vt.from_quadword(vt.to_quadword(t)) == t


@given(delta_times)
def test_delta_round_trip(d):
    assert vt.parse_delta(vt.format_delta(d)) == d
    assert vt.parse_delta(vt.format_delta_dcl(d)) == d
    assert vt.cvtime(vt.format_delta_dcl(d), "DELTA") == vt.format_delta_dcl(d)
    if d:  # a zero quadword is the base date, as on VMS
        assert vt.from_quadword(vt.to_quadword(d)) == d


@given(absolute_times, delta_times)
def test_combination_matches_arithmetic(t, d):
    text = vt.format_cvtime_absolute(t) + "+" + vt.format_delta_dcl(d)
    try:
        expected = t + d
    except OverflowError:
        expected = None
    if expected is not None and expected <= vt.MAX_TIME:
        assert vt.parse_time(text, NOW) == expected
    else:
        with pytest.raises(VMSError):
            vt.parse_time(text, NOW)
