"""$FAO / F$FAO (vmsenv.fao).

RECORDED holds F$FAO results observed on OpenVMS Alpha V8.4 (control string, arguments,
result); the rest pins down the documented directives and this module's choices.
"""

from __future__ import annotations

import datetime as dt

import pytest

from vmsenv import condition as cond
from vmsenv import vmstime
from vmsenv.condition import VMSError
from vmsenv.fao import fao

RECORDED = [
    ("!AS|", ("abc",), "abc|"),
    ("!10AS|", ("abc",), "abc       |"),
    ("!2AS|", ("abcdef",), "ab|"),
    ("!AS|", ("",), "|"),
    ("!12AS|", ("abc",), "abc         |"),
    ("!UL|", (42,), "42|"),
    ("!5UL|", (42,), "   42|"),
    ("!2UL|", (12345,), "**|"),
    ("!UL|", (0,), "0|"),
    ("!UL|", (-1,), "4294967295|"),
    ("!SL|", (-5,), "-5|"),
    ("!SL|", (-1,), "-1|"),
    ("!5SL|", (-42,), "  -42|"),
    ("!SL|", (2147483647,), "2147483647|"),
    ("!3SL|", (-1234,), "**-|"),
    ("!ZL|", (42,), "42|"),
    ("!5ZL|", (42,), "00042|"),
    ("!2ZL|", (12345,), "**|"),
    ("!XL|", (255,), "000000FF|"),
    ("!XL|", (-1,), "FFFFFFFF|"),
    ("!4XL|", (255,), "00FF|"),
    ("!2XL|", (0x12345,), "45|"),
    ("!3XL|", (0x1234,), "234|"),
    ("!XB|", (255,), "FF|"),
    ("!XB|", (0x1FF,), "FF|"),
    ("!8XB|", (1,), "      01|"),
    ("!XW|", (255,), "00FF|"),
    ("!OL|", (8,), "00000000010|"),
    ("!OB|", (8,), "010|"),
    ("!OW|", (8,), "000010|"),
    ("!UB|", (300,), "44|"),
    ("!SB|", (200,), "-56|"),
    ("!UW|", (70000,), "4464|"),
    ("!SW|", (40000,), "-25536|"),
    ("!ZB|", (5,), "5|"),
    ("!ZW|", (7,), "7|"),
    ("!UL file!%S|", (1,), "1 file|"),
    ("!UL file!%S|", (2,), "2 files|"),
    ("!UL file!%S|", (0,), "0 files|"),
    ("!%S|", (1,), "s|"),
    ("!UL!%S|", (1,), "1|"),
    ("a!_b", (), "a\tb"),
    ("!!|", (), "!|"),
    ("!5*-|", (), "-----|"),
    ("!0*-|", (), "|"),
    ("!#AS|", (6, "ab"), "ab    |"),
    ("!#UL|", (6, 42), "    42|"),
    ("!AS !-!AS|", ("x",), "x x|"),
    ("!AS !+!AS|", ("a", "b", "c"), "a c|"),
    ("!UL !-!XL|", (255,), "255 000000FF|"),
    ("!10<!AS!>|", ("ab",), "ab        |"),
    ("!3<!UL!>|", (12345,), "123|"),
    ("!10<!UL-!UL!>|", (1, 2), "1-2       |"),
    ("!AS|", (), "!AS||"),
    ("!UL!UL|", (1,), "10|"),
    ("!%U|", (0x10004,), "[1,4]|"),
    ("!%I|", (0x10004,), "[1,4]|"),
    ("no directives", (), "no directives"),
    ("!AS!AS!AS|", ("a", "b", "c"), "abc|"),
    ("!5AS|!5UL|!5XL|", ("ab", 7, 15), "ab   |    7|0000F|"),
    # facts C12
    ("!UL item!%S at !XL", (2, 255), "2 items at 000000FF"),
    ("[!AS][!5AS][!2AS]", ("ab", "cd", "ef"), "[ab][cd   ][ef]"),
    ("!5UL|!5SL|!5ZL", (42, -3, 7), "   42|   -3|00007"),
    ("!SL/!UL", (0x80000001, 0x80000001), "-2147483647/2147483649"),
]


@pytest.mark.parametrize("control,args,expected", RECORDED)
def test_recorded(control, args, expected):
    assert fao(control, *args) == expected


def test_recorded_time_directives():
    now = dt.datetime(2026, 10, 7, 0, 18, 52, 910000)
    assert fao("!%T|", 0, now=now) == "00:18:52.91|"
    assert fao("!%D|", 0, now=now) == " 7-OCT-2026 00:18:52.91|"


def test_recorded_line_breaks_as_captured():
    # The capture turned CR LF into one line break and dropped the form feed.
    def captured(text):
        return text.replace("\r\n", "\n").replace("\f", "")

    assert captured(fao("a!/b")) == "a\nb"
    assert captured(fao("a!^b")) == "ab"
    assert fao("a!/b") == "a\r\nb"
    assert fao("a!^b") == "a\fb"


def test_recorded_bad_directive():
    with pytest.raises(VMSError) as err:
        fao("!Q|", 1)
    assert err.value.status == cond.SS_BADPARAM
    assert err.value.lines() == ["%SYSTEM-F-BADPARAM, bad parameter value", " \\!Q|\\"]


def test_integer_for_string_directive_is_an_access_violation():
    with pytest.raises(VMSError) as err:
        fao("!AS|", 5)
    assert err.value.status == cond.SS_ACCVIO
    assert err.value.lines() == [
        "%SYSTEM-F-ACCVIO, access violation, reason mask=00, virtual address=0000000000000005, "
        "PC=0000000000000000, PS=00000000"]


def test_missing_string_argument_after_others_is_an_access_violation():
    with pytest.raises(VMSError) as err:
        fao("!UL !AS", 1)
    assert err.value.status == cond.SS_ACCVIO


def test_string_for_numeric_directive_is_refused():
    with pytest.raises(VMSError) as err:
        fao("!UL|", "x")
    assert err.value.status == cond.SS_BADPARAM


@pytest.mark.parametrize("control,args,expected", [
    ("!3(UL)", (1, 2, 3), "123"),
    ("!3(4UL)", (1, 22, 333), "   1  22 333"),
    ("!2(3ZB)|", (7, 300), "007044|"),
    ("!#(AS)", (2, "x", "y"), "xy"),
    ("!2(#UL)", (3, 5, 6), "  5  6"),
    ("!#*=", (4,), "===="),
    ("!#<!AS!>|", (4, "abcdef"), "abcd|"),
    ("!XQ", (-1,), "FFFFFFFFFFFFFFFF"),
    ("!XH", (0x38248,), "0000000000038248"),
    ("!UQ", (2**40,), "1099511627776"),
    ("!SQ", (-(2**40),), "-1099511627776"),
    ("!OQ", (8,), "0000000000000000000010"),
    ("!%U", (0x0001000A,), "[1,12]"),
    ("!%U", (0x00200100,), "[40,400]"),
    ("!10%U|", (0x10004,), "[1,4]     |"),
    ("!UL FILE!%S", (3,), "3 FILES"),
    ("!UL FILE!%S", (1,), "1 FILE"),
    ("!UL !AS!%S", (2, "dog"), "2 dogs"),
    ("!AF", ("a\x01b\x7f",), "a.b."),
    ("!AC/!AD/!AZ", ("c", "d", "z"), "c/d/z"),
    ("!2*ab", (), "aab"),
    ("!_!/!^", (), "\t\r\n\f"),
    ("!UB", (-1,), "255"),
    ("!ZW", (65536,), "0"),
    ("!1SL", (-5,), "-"),
    ("!3UL!+!UL", (1, 2, 3), "  13"),
])
def test_directives(control, args, expected):
    assert fao(control, *args) == expected


def test_identifier_callback():
    names = {0x10004: "[SYSTEM]"}.get
    assert fao("!%I", 0x10004, identifier=names) == "[SYSTEM]"
    assert fao("!%I", 0x20004, identifier=names) == "[2,4]"
    assert fao("!%U", 0x10004, identifier=names) == "[1,4]"


def test_time_arguments():
    t = dt.datetime(2026, 8, 7, 18, 51, 27, 240000)
    assert fao("!%D", t) == " 7-AUG-2026 18:51:27.24"
    assert fao("!%T", t) == "18:51:27.24"
    assert fao("!%D", vmstime.to_quadword(t)) == " 7-AUG-2026 18:51:27.24"
    assert fao("!11%D|", t) == " 7-AUG-2026|"
    assert fao("!%D", dt.timedelta(seconds=7.35)) == "   0 00:00:07.35"
    assert fao("!%T", dt.timedelta(days=3, hours=1)) == "01:00:00.00"
    assert fao("!%D", 0, now=lambda: t) == " 7-AUG-2026 18:51:27.24"
    with pytest.raises(VMSError):
        fao("!%D", "x")


@pytest.mark.parametrize("control", ["!", "!5", "!as", "!AX", "!XZ", "!%X", "!3(UL", "!(UL)",
                                     "!<!AS!>", "!5<!AS", "!>", "!*", "!5*"])
def test_malformed_control_strings(control):
    with pytest.raises(VMSError) as err:
        fao(control, "a", 1)
    assert err.value.status == cond.SS_BADPARAM
    assert err.value.segment == control


def test_output_is_limited_like_the_fao_buffer():
    assert len(fao("!#*x", -1)) == 65535
    assert len(fao("!99999*x!99999AS", "y")) == 65535
