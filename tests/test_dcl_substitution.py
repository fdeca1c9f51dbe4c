"""Phase 1: apostrophe substitution."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# ---------------------------------------------------------------------------------------------
# Properties.
# ---------------------------------------------------------------------------------------------
def never_called(content):
    raise AssertionError(f"evaluated {content!r}")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="'"), max_size=60))
def test_text_without_apostrophes_is_left_alone(text):
    assert substitute(text, never_called) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="\"\n"), max_size=40)
       .filter(lambda t: "''" not in t and not t.endswith("'")))
def test_quoted_text_without_double_apostrophes_is_left_alone(inside):
    text = f'WRITE SYS$OUTPUT "{inside}"'
    assert substitute(text, never_called) == text


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[A-Za-z$_][A-Za-z0-9$_]{0,10}", fullmatch=True),
       st.text(alphabet=st.characters(blacklist_characters="'"), max_size=20))
def test_a_symbol_outside_quotes_is_replaced_by_its_value(name, value):
    assert substitute(f"x = '{name}' + 1", lambda content: value) == f"x = {value} + 1"
    assert substitute(f"\"''{name}'\"", lambda content: value) == f'"{value}"'


SOUP = st.lists(st.sampled_from(["'", "''", '"', "n", "s", "a", "self", "bad", " ", "!", "\n",
                                 "x", "+", "1", "-"]), max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(SOUP)
def test_any_text_ends_and_raises_only_dcl_errors(text):
    try:
        result = substitute(text, ev)
    except VMSError:
        return
    assert isinstance(result, str)
