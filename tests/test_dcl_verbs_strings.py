"""String and number lexical functions."""

import io

import pytest

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.interpreter import Interpreter


@pytest.fixture(scope="module")
def ev(fake_process):
    dcl = Interpreter(fake_process(), io.StringIO())
    dcl.set_symbol("S", "hello")
    return dcl.evaluate


@pytest.mark.parametrize("text, value", [
    ('F$LENGTH("abc")', 3), ("F$LENGTH(12345)", 5), ('F$LENGTH("")', 0), ("F$LENGTH(s)", 5),
    ('F$EXTRACT(1, 3, "abcdef")', "bcd"), ('F$EXTRACT(4, 10, "abcdef")', "ef"),
    ('F$EXTRACT(9, 1, "abc")', ""), ('F$EXTRACT(-1, 2, "abc")', ""),
    ('F$EXTRACT(1, -1, "abcd")', "bcd"), ('F$EXTRACT(0, 0, "abc")', ""),
    ('F$LOCATE("c", "abcabc")', 2), ('F$LOCATE("z", "abc")', 3), ('F$LOCATE("", "abc")', 0),
    ('F$ELEMENT(0, ",", "a,b,c")', "a"), ('F$ELEMENT(2, ",", "a,b,c")', "c"),
    ('F$ELEMENT(3, ",", "a,b,c")', ","), ('F$ELEMENT(1, "/", "a//c")', ""),
    ('F$ELEMENT(0, ",", "")', ""),
    ('F$EDIT("  a    b  ", "COMPRESS")', " a b "), ('F$EDIT("  a  b ", "TRIM")', "a  b"),
    ('F$EDIT(" a b ", "COLLAPSE")', "ab"), ('F$EDIT("MiXed", "LOWERCASE")', "mixed"),
    ('F$EDIT("keep ! comment", "UNCOMMENT")', "keep "),
    ('F$EDIT("x ""a ! b"" ! c", "UNCOMMENT")', 'x "a ! b" '),
    ('F$EDIT(" up ""low  er"" ", "collapse, upcase")', 'UP"low  er"'),
    ('F$EDIT(" a ! c ", "TRIM,UNCOMMENT")', "a"),
    ('F$INTEGER("%X1F")', 31), ('F$INTEGER("YES")', 1), ('F$INTEGER("12AB")', 0),
    ('F$INTEGER("4294967296")', 0), ("F$STRING(-5)", "-5"), ('F$STRING("x")', "x"),
    ('F$CVUI(0, 8, "A")', 65), ('F$CVSI(1, 2, "f")', -1), ('F$CVUI(1, 2, "f")', 3),
    ('F$CVUI(8, 8, "AB")', 66), ('F$CVSI(0, 8, "ÿ")', -1),
    ('F$FAO("!UL item!%S at !XL", 2, 255)', "2 items at 000000FF"),
    ('F$FAO("[!AS][!5AS][!2AS]", "ab", "cd", "efgh")', "[ab][cd   ][ef]"),
    ('F$FAO("!5UL|!5SL|!5ZL", 42, -3, 7)', "   42|   -3|00007"),
])
def test_values(ev, text, value):
    assert ev(text) == value


@pytest.mark.parametrize("text, status, segment", [
    ('F$EDIT("a", "SHOUT")', C.CLI_IVKEYW, "SHOUT"),
    ('F$ELEMENT(0, "ab", "x")', C.CLI_INVRANGE, None),
    ('F$CVUI(4, 8, "A")', C.CLI_INVRANGE, None),
    ('F$EXTRACT(1, 2)', C.CLI_ARGREQ, None),
    ('F$LENGTH("a", "b")', C.CLI_SYMDEL, '"b"'),
    ("F$NOSUCH(1)", C.CLI_IVFNAM, "F$NOSUCH("),
])
def test_errors(ev, text, status, segment):
    with pytest.raises(VMSError) as caught:
        ev(text)
    assert (caught.value.status, caught.value.segment) == (status, segment)
