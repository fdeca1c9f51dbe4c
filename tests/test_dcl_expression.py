"""Expressions: precedence, typing, literals, lexical calls and their errors."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.expression import compile_expression, evaluate


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


# ---------------------------------------------------------------------------------------------
# Limits.
# ---------------------------------------------------------------------------------------------
def test_nesting_limit_gives_complx():
    assert ev("(" * 32 + "1" + ")" * 32) == 1
    assert ev("-" * 32 + "1") == 1
    for text in ("(" * 33 + "1" + ")" * 33, "-" * 33 + "1", ".NOT. " * 33 + "1",
                 "F$LEN(" * 33 + "1" + ")" * 33):
        with pytest.raises(VMSError) as caught:
            ev(text)
        assert caught.value.status == C.CLI_COMPLX


def test_ampersand_that_refers_to_itself_ends():
    class Loop(Ctx):
        symbols = {"R": "&R"}

    with pytest.raises(VMSError) as caught:
        evaluate(Loop(), "&r")
    assert caught.value.status == C.CLI_COMPLX


# ---------------------------------------------------------------------------------------------
# Compiled expressions give what the Evaluator gives.
# ---------------------------------------------------------------------------------------------
def compiled(text, ctx=None):
    function = compile_expression(text, Ctx.lexicals)
    assert function is not None, text
    return function(ctx or Ctx())


@pytest.mark.parametrize("text", [
    "a + 3", '"ab" + "cd"', '"abcabc" - "b"', '"3" + 4', "2147483647 + 1", "-7 / 2",
    "1 / 0", ".NOT. 1 .EQ. 2", 's .eqs. "abc"', "ten + 1", "&name", 'F$ARGS("a",,1)',
    "f$kind(s)", '"10" .LTS. "9"', "a .AND. 3 .OR. 8", "(a)", "+\"5\"", "--a",
])
def test_compiled_values(text):
    assert compiled(text) == ev(text)


@pytest.mark.parametrize("text", ["", "1 +", "(1", "1 2", "nosuch + )", "F$NOSUCH(1)",
                                  'F$LEN("a","b")', "F$KIND(1)", "12AB", "1 .FOO. 2",
                                  "(" * 33 + "1" + ")" * 33])
def test_what_does_not_parse_is_not_compiled(text):
    assert compile_expression(text, Ctx.lexicals) is None


def test_compiled_errors_come_at_the_same_point():
    for text, status, segment in [("nosuch + 1", C.CLI_UNDSYM, "NOSUCH"),
                                  ("&n", C.CLI_UNDSYM, "x"),
                                  ("F$LEN()", C.CLI_ARGREQ, None)]:
        with pytest.raises(VMSError) as caught:
            compiled(text)
        assert (caught.value.status, caught.value.segment) == (status, segment)


def test_compiled_expression_reads_symbols_when_run():
    class Changing(Ctx):
        symbols = {"A": "1", "B": "2"}

    ctx = Changing()
    function = compile_expression("a + b", Ctx.lexicals)
    assert function(ctx) == "12"
    ctx.symbols = {"A": 1, "B": "2"}
    assert function(ctx) == 3
    ctx.symbols = {"A": 2**32 + 1, "B": 0}     # an integer a lexical left unwrapped
    assert function(ctx) == 1


# ---------------------------------------------------------------------------------------------
# Properties: a reference model of the typing rules (facts C5), precedence, robustness.
# ---------------------------------------------------------------------------------------------
def r_wrap(n):
    return (n + 2**31) % 2**32 - 2**31


def r_int(value):
    """Facts C5: decimal and %X %O %D are numbers, T/t/Y/y text is 1, anything else 0."""
    if isinstance(value, int):
        return r_wrap(value)
    for pattern, base in ((r"[0-9]+", 10), (r"%[Xx]([0-9A-Fa-f]+)", 16),
                          (r"%[Oo]([0-7]+)", 8), (r"%[Dd]([0-9]+)", 10)):
        m = re.fullmatch(pattern, value)
        if m:
            return r_wrap(int(m.group(m.lastindex or 0), base))
    return 1 if value[:1] in ("T", "t", "Y", "y") else 0


def r_str(value):
    return str(value) if isinstance(value, int) else value


R_SYMBOLS = {"A": 7, "S": "abc", "TEN": "10", "BIG": -2147483648}
R_STRINGS = ["10", "9", "0", "7", "%X1F", "%o17", "%D99", "YES", "true", "Yak", "12AB", "NO",
             "abc", "b", ""]
R_BINARY = ["+", "-", "*", "/", ".EQ.", ".NE.", ".LT.", ".LE.", ".GT.", ".GE.", ".EQS.",
            ".NES.", ".LTS.", ".LES.", ".GTS.", ".GES.", ".AND.", ".OR."]
R_COMPARE = {"EQ": lambda a, b: a == b, "NE": lambda a, b: a != b, "LT": lambda a, b: a < b,
             "LE": lambda a, b: a <= b, "GT": lambda a, b: a > b, "GE": lambda a, b: a >= b}


def r_binary(op, a, b):
    if op in ("+", "-"):
        if isinstance(a, str) and isinstance(b, str):
            return a + b if op == "+" else (a.replace(b, "", 1) if b else a)
        return r_wrap(r_int(a) + r_int(b) if op == "+" else r_int(a) - r_int(b))
    if op == "*":
        return r_wrap(r_int(a) * r_int(b))
    if op == "/":
        x, y = r_int(a), r_int(b)
        if y == 0:
            return 0
        q = abs(x) // abs(y)
        return r_wrap(q if (x < 0) == (y < 0) else -q)
    if op == ".AND.":
        return r_wrap(r_int(a) & r_int(b))
    if op == ".OR.":
        return r_wrap(r_int(a) | r_int(b))
    if op.endswith("S."):
        return int(R_COMPARE[op[1:3]](r_str(a), r_str(b)))
    return int(R_COMPARE[op[1:3]](r_int(a), r_int(b)))


def quoted(text):
    return '"' + text.replace('"', '""') + '"'


leaves = st.one_of(
    st.integers(0, 2**32 + 5).map(lambda n: (str(n), r_wrap(n))),
    st.sampled_from(R_STRINGS).map(lambda s: (quoted(s), s)),
    st.sampled_from(sorted(R_SYMBOLS)).flatmap(
        lambda n: st.sampled_from([n, n.lower()]).map(lambda t: (t, R_SYMBOLS[n]))),
)


def extend(children):
    unary = st.tuples(st.sampled_from(["-", "+", ".NOT. "]), children).map(
        lambda u: (f"({u[0]}{u[1][0]})",
                   r_wrap(-r_int(u[1][1])) if u[0] == "-" else
                   r_int(u[1][1]) if u[0] == "+" else r_wrap(~r_int(u[1][1]))))
    binary = st.tuples(children, st.sampled_from(R_BINARY), children).map(
        lambda b: (f"({b[0][0]} {b[1]} {b[2][0]})", r_binary(b[1], b[0][1], b[2][1])))
    return unary | binary


expressions = st.recursive(leaves, extend, max_leaves=10)


class RefCtx:
    lexicals = Ctx.lexicals

    def lookup_symbol(self, name):
        return R_SYMBOLS.get(name)


@settings(max_examples=300, deadline=None)
@given(expressions)
def test_typing_rules_match_the_reference_model(case):
    text, expected = case
    assert evaluate(RefCtx(), text) == expected
    function = compile_expression(text, RefCtx.lexicals)
    assert function is not None and function(RefCtx()) == expected


R_LEVEL = {"*": 6, "/": 6, "+": 5, "-": 5, ".EQ.": 4, ".NE.": 4, ".LT.": 4, ".LE.": 4,
           ".GT.": 4, ".GE.": 4, ".AND.": 2, ".OR.": 1}


def r_precedence(operands, operators):
    """Precedence climbing over the C5 table, ties left to right."""
    values, ops = [operands[0]], []

    def reduce():
        b, a = values.pop(), values.pop()
        values.append(r_binary(ops.pop(), a, b))

    for op, operand in zip(operators, operands[1:], strict=True):
        while ops and R_LEVEL[ops[-1]] >= R_LEVEL[op]:
            reduce()
        ops.append(op)
        values.append(operand)
    while ops:
        reduce()
    return values[0]


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 8).flatmap(lambda n: st.tuples(
    st.lists(st.integers(-20, 20), min_size=n + 1, max_size=n + 1),
    st.lists(st.sampled_from(sorted(R_LEVEL)), min_size=n, max_size=n))))
def test_precedence_matches_the_table(case):
    operands, operators = case
    text = str(operands[0]) + "".join(f" {op} {n}" for op, n in
                                      zip(operators, operands[1:], strict=True))
    expected = r_precedence(operands, operators)
    assert evaluate(RefCtx(), text) == expected
    assert compile_expression(text, RefCtx.lexicals)(RefCtx()) == expected


def outcome(function):
    try:
        value = function()
    except VMSError as err:
        return "error", err.status, err.segment
    return "value", type(value).__name__, value


soup_atoms = st.sampled_from([
    "a", "s", "n", "name", "ten", "nosuch", "1", "0", "%X7FFFFFFF", "2147483647", '"10"',
    '"abc"', '""', '"YES"', "&n", "&name", "F$LEN(s)", "F$ARGS(a,,1)", "F$KIND(a)", "F$LEN()",
    "F$LEN(1,2)", "F$KIND(1)", "F$NOSUCH(1)", "F$LE(1)", "(", ")", ",", "-", "+", "*", "/",
    ".NOT.", ".EQ.", ".LTS.", ".AND.", ".OR.", ".BAD.", "12AB", '"open', "!"])


@settings(max_examples=400, deadline=None)
@given(st.lists(soup_atoms, min_size=1, max_size=12).map(" ".join))
def test_compiled_and_interpreted_agree(text):
    function = compile_expression(text, Ctx.lexicals)
    if function is not None:
        assert outcome(lambda: function(Ctx())) == outcome(lambda: ev(text))


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=40),
                 st.text(alphabet="aAsSnN019%XxOoDd\"'.+-*/(),&$_ \tEQLTGNSORF!", max_size=40),
                 st.lists(soup_atoms, max_size=15).map("".join)))
def test_no_input_raises_anything_but_a_dcl_error(text):
    outcome(lambda: ev(text))
    function = compile_expression(text, Ctx.lexicals)
    if function is not None:
        outcome(lambda: function(Ctx()))
