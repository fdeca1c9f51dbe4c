"""Phase 1: apostrophe substitution."""

import pytest

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.substitution import substitute

SYMBOLS = {"N": "3", "S": "abc", "A": "'B'", "B": "x", "SELF": "'SELF'", "E": "1 + 2"}


def ev(content):
    name = content.strip().upper()
    if name == "BAD":
        raise VMSError(C.CLI_UNDSYM, segment="BAD")
    if "+" in content:
        return "expr(" + content + ")"
    return SYMBOLS.get(name, "")


@pytest.mark.parametrize("text, result", [
    ("WRITE SYS$OUTPUT 'n'", "WRITE SYS$OUTPUT 3"),
    ('"n=\'n\' s=\'\'s\' both \'\'n\'\'\'s\'"', '"n=\'n\' s=abc both 3abc"'),
    ("x'n' = 1", "x3 = 1"),
    ("'nosuch'", ""),
    ('"[\'\'nosuch\']"', '"[]"'),
    ("'a'", "x"),                      # outside quotes the inserted text is scanned again
    ('"\'\'a\'"', "\"'B'\""),          # inside quotes it is not
    ("v = 'p1 + 1'", "v = expr(p1 + 1)"),
    ("x = 1 ! it's 'n'", "x = 1 ! it's 'n'"),  # nothing after a comment is touched
    ("x = 'n", "x = 'n"),                      # an unclosed apostrophe stays
    ("it's", "it's"),
    ("x = ''n'", "x = 3"),
    ("a = 'n' -\n 'n' ! 'n'\n", "a = 3 -\n 3 ! 'n'\n"),
])
def test_substitution(text, result):
    assert substitute(text, ev) == result


def test_self_reference_ends():
    assert substitute("'self'", ev) == "'SELF'"


def test_errors_propagate():
    with pytest.raises(VMSError):
        substitute("x = 'bad'", ev)
