"""Expressions: precedence, typing, literals, lexical calls and their errors."""

import pytest

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.expression import evaluate


def f_len(ctx, args):
    return len(str(args[0]))


def f_args(ctx, args):
    return ",".join("-" if a is None else str(a) for a in args)


def f_kind(ctx, args):
    return "NAME:" + args[0]


f_kind.symbol_name_argument = True


class Ctx:
    symbols = {"A": 7, "S": "abc", "N": "x", "NAME": "S", "TEN": "10"}
    lexicals = {"F$LEN": (f_len, 1, 1), "F$ARGS": (f_args, 0, 4), "F$KIND": (f_kind, 1, 1),
                "F$LENGTHY": (f_len, 1, 1)}

    def lookup_symbol(self, name):
        return self.symbols.get(name)


def ev(text):
    return evaluate(Ctx(), text)


@pytest.mark.parametrize("text, value", [
    ("a + 3", 10), ("a * 3", 21), ("a / 2", 3), ("-a / 2", -3), ("a - 10", -3),
    ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("7 .AND. 3", 3), ("4 .OR. 1", 5),
    (".NOT. 0", -1), (".NOT. 1", -2), ("2147483647 + 1", -2147483648), ("4294967300", 4),
    ('"ab" + "cd"', "abcd"), ('"abcabc" - "b"', "acabc"), ('"3" + 4', 7), ('4 + "3"', 7),
    ('"abc" .EQS. "ABC"', 0), ('"abc" .LTS. "abd"', 1), ("5 .GT. 3", 1),
    ('"10" .LT. "9"', 0), ('"10" .LTS. "9"', 1), ('"YES" .EQ. 1', 1),
    ("%X10", 16), ("%O17", 15), ("%D99", 99), ("-7 / 2", -3), ("7 / -2", -3),
    ("1 / 0", 0), ('"a""b"', 'a"b'), ('"open', "open"),
    (".NOT. 1 .EQ. 2", -1), ("1 .EQ. 1 .AND. 2 .EQ. 2", 1), ("1 .OR. 2 .AND. 0", 1),
    ("s .eqs. \"abc\"", 1), ("ten + 1", 11), ("-(-a)", 7), ("+\"5\"", 5),
    ("&name", "abc"), ("a.EQ.7", 1),
])
def test_values(text, value):
    assert ev(text) == value


def test_ampersand_is_not_upper_cased():
    with pytest.raises(VMSError) as caught:
        ev("&n")
    assert (caught.value.status, caught.value.segment) == (C.CLI_UNDSYM, "x")


def test_lexical_calls():
    assert ev('F$LEN("hello") + 1') == 6
    assert ev('F$ARGS("a",,1)') == "a,-,1"
    assert ev("F$ARGS()") == ""
    assert ev("f$kind(s)") == "NAME:S"
    assert ev('f$len(F$ARGS("ab", 2))') == 4


@pytest.mark.parametrize("text, status, segment", [
    ("nosuch + 1", C.CLI_UNDSYM, "NOSUCH"),
    ("F$NOSUCH(1)", C.CLI_IVFNAM, "F$NOSUCH("),
    ("F$LE(1)", C.CLI_ABFNAM, "F$LE("),
    ('F$LEN("a","b")', C.CLI_SYMDEL, '"b"'),
    ("F$KIND(F$LEN(1))", C.CLI_SYMDEL, "F$LEN"),
    ("1 +", C.CLI_EXPSYN, None),
    ("(1", C.CLI_EXPSYN, None),
    ("1 2", C.CLI_EXPSYN, "2"),
    ("1 .FOO. 2", C.CLI_IVOPER, ".FOO."),
    ("12AB", C.CLI_EXPSYN, "12AB"),
])
def test_errors(text, status, segment):
    with pytest.raises(VMSError) as caught:
        ev(text)
    assert (caught.value.status, caught.value.segment) == (status, segment)


def test_missing_required_argument():
    with pytest.raises(VMSError) as caught:
        ev("F$LEN()")
    assert caught.value.status == C.CLI_ARGREQ
