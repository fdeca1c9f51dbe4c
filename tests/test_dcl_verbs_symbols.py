"""SHOW SYMBOL, DELETE/SYMBOL, F$TYPE and the assignment forms."""

import io

import pytest

from vmsenv import condition as C
from vmsenv.dcl.interpreter import Interpreter

UNDSYM = "%DCL-W-UNDSYM, undefined symbol - check validity and spelling"


@pytest.fixture
def dcl(fake_process):
    return Interpreter(fake_process(), io.StringIO())


def test_show_symbol_formats(dcl, output):
    assert output(dcl, "i = 42", "n = -1", 's = "say ""x"""', "g == %X7FFFFFFF", "t := a  b",
                  "SHOW SYMBOL i", "SHOW SYMBOL n", "SHOW SYMBOL s", "SHOW SYMBOL g",
                  "SHOW SYMBOL t") == [
        "  I = 42   Hex = 0000002A  Octal = 00000000052",
        "  N = -1   Hex = FFFFFFFF  Octal = 37777777777",
        '  S = "say "x""',
        "  G == 2147483647   Hex = 7FFFFFFF  Octal = 17777777777",
        '  T = "A B"',
    ]


def test_show_symbol_reserved_and_abbreviated(dcl, output):
    assert output(dcl, "ab*cdef = 1", "SHOW SYMBOL abc", "SHOW SYMBOL $STATUS",
                  "SHOW SYMBOL $SEVERITY") == [
        "  AB*CDEF = 1   Hex = 00000001  Octal = 00000000001",
        '  $STATUS == "%X00030001"',
        '  $SEVERITY == "1"',
    ]


def test_undefined_symbol_has_no_segment(dcl, output):
    assert output(dcl, "SHOW SYMBOL nosuch") == [UNDSYM]
    assert dcl.status == C.CLI_UNDSYM


def test_show_symbol_all_and_wildcards(dcl, output):
    assert output(dcl, "b = 2", "a = 1", 'g == "x"', "SHOW SYMBOL/ALL", "SHOW SYMBOL b*",
                  "SHOW SYMBOL/GLOBAL/ALL") == [
        "  A = 1   Hex = 00000001  Octal = 00000000001",
        "  B = 2   Hex = 00000002  Octal = 00000000002",
        "  B = 2   Hex = 00000002  Octal = 00000000002",
        '  $SEVERITY == "1"',
        '  $STATUS == "%X00030001"',
        '  G == "x"',
    ]
    assert output(dcl, "SHOW SYMBOL z*") == [UNDSYM]
    assert output(dcl, "SHOW SYMBOL")[0].startswith("%DCL-W-INSFPRM")


def test_local_hides_global_until_deleted(dcl, output):
    assert output(dcl, 'v == "global"', 'v = "local"', "SHOW SYMBOL v", "SHOW SYMBOL/GLOBAL v",
                  "SHOW SYMBOL/LOCAL v", "DELETE/SYMBOL v", "SHOW SYMBOL v",
                  "SHOW SYMBOL/LOCAL v") == [
        '  V = "local"', '  V == "global"', '  V = "local"', '  V == "global"', UNDSYM]


def test_delete_symbol_scopes_and_errors(dcl, output):
    assert output(dcl, "x == 1", "DELETE/SYMBOL x", "DELETE/SYMBOL/GLOBAL x",
                  "SHOW SYMBOL x", "DELETE/SYMBOL/GLOBAL x") == [UNDSYM, UNDSYM, UNDSYM]
    assert output(dcl, "DELETE/SYMBOL $STATUS") == [
        "%DCL-W-PERMSYM, deletion of permanent symbols not allowed"]
    assert output(dcl, "a = 1", "b = 2", "DELETE/SYMBOL/ALL", "SHOW SYMBOL/ALL") == []
    assert output(dcl, "DELETE/SYMBOL/NOSUCH x") == [
        "%DCL-W-IVQUAL, unrecognized qualifier - check validity, spelling, and placement",
        " \\NOSUCH\\"]


def test_delete_symbol_is_still_the_symbol_syntax_of_delete(dcl, output):
    assert output(dcl, "x = 1", "DELETE/SYMBOL x", 'WRITE SYS$OUTPUT "[", F$TYPE(x), "]"') == [
        "[]"]


def test_f_type(dcl, output):
    assert output(dcl, "i = 1", 's = "abc"', 'n = "12"', 'h = "%X1F"',
                  'WRITE SYS$OUTPUT F$TYPE(i), " ", F$TYPE(s), " ", F$TYPE(n), " ", F$TYPE(h), '
                  '"[", F$TYPE(nosuch), "]"') == ["INTEGER STRING INTEGER INTEGER[]"]
    assert output(dcl, "WRITE SYS$OUTPUT F$TYPE(F$STRING(12))") == [
        "%DCL-W-SYMDEL, invalid symbol or value delimiter - check command syntax",
        " \\F$STRING\\"]


def test_assignment_forms(dcl, output):
    assert output(dcl, "a = 1 + 2", 'b = "x" + "y"', "c := Mixed  Case  ", 'd :== "Keep"  it',
                  "e == a * 2", "SHOW SYMBOL a", "SHOW SYMBOL b", "SHOW SYMBOL c",
                  "SHOW SYMBOL d", "SHOW SYMBOL e") == [
        "  A = 3   Hex = 00000003  Octal = 00000000003", '  B = "xy"', '  C = "MIXED CASE"',
        '  D == "Keep IT"', "  E == 6   Hex = 00000006  Octal = 00000000006"]


def test_overlays(dcl, output):
    assert output(dcl, 's = "abcdefgh"', "s[0,3] := XYZ", "SHOW SYMBOL s",
                  's[10,2] := "!!"', "SHOW SYMBOL s",
                  "w = 0", "w[8,8] = 255", "w[0,1] = 3", "SHOW SYMBOL w",
                  'c = "A"', "c[1,1] = 1", "SHOW SYMBOL c",
                  "new[4,2] = 3", "SHOW SYMBOL new") == [
        '  S = "XYZdefgh"', '  S = "XYZdefgh  !!"',
        "  W = 65281   Hex = 0000FF01  Octal = 00000177401",
        '  C = "C"',
        "  NEW = 48   Hex = 00000030  Octal = 00000000060"]


def test_assignment_errors(dcl, output):
    long_name = "N" * 256
    assert output(dcl, f"{long_name} = 1") == [
        "%DCL-W-SYMLNG, symbol name is too long - shorten the name", f" \\{long_name}\\"]
    assert output(dcl, "x = ") == [
        "%DCL-W-EXPSYN, invalid expression syntax - check operators and operands"]
    assert output(dcl, "x = nosuch") == [UNDSYM, " \\NOSUCH\\"]
    assert output(dcl, "ab*c[0,1] = 1") == [
        '%DCL-W-SYMABR, abbreviated symbols not allowed - remove "*" from symbol name',
        " \\AB*C\\"]
