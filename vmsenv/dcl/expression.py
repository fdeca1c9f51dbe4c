"""DCL expressions: operators, precedence, typing, lexical function calls.

Precedence, highest first (ties left to right):

    7  unary + -
    6  * /
    5  + -
    4  .EQ. .NE. .LT. .LE. .GT. .GE.   .EQS. .NES. .LTS. .LES. .GTS. .GES.
    3  .NOT.
    2  .AND.
    1  .OR.

Typing: ``+`` and ``-`` work on integers when either operand is one, else ``+`` concatenates
and ``-`` removes the first occurrence of the right string from the left.  ``* /``, unary
signs and the numeric comparisons use integers; the ``S`` comparisons use strings (case
sensitive).  ``.AND. .OR. .NOT.`` are bitwise.  Comparisons give 1 or 0.  Every integer
result wraps to 32 bits; division truncates toward zero.

Operands: decimal integers, ``%X`` / ``%O`` / ``%D`` literals, quoted strings (``""`` is one
quote; an unterminated string runs to the end), symbol names, ``&name`` (the value of the
symbol ``name`` is read as an operand, without upper-casing: with ``n = "x"``, ``&n`` looks
up the symbol ``x`` and fails), parentheses and lexical function calls ``F$NAME(arg,...)``.
Omitted arguments (``F$TRNLNM(n,,1)``) are passed as None.  A lexical function whose Python
function has ``symbol_name_argument = True`` (F$TYPE) receives its first argument as a symbol
(``symbol_name_arguments = (n, ...)`` names other positions, as F$CONTEXT's context symbol)
name, not evaluated; anything else there gives SYMDEL.

Errors: UNDSYM (``\\NAME\\``), IVFNAM (``\\F$NOSUCH(\\``), ABFNAM, SYMDEL (too many
arguments, segment the unexpected token), ARGREQ (a required argument missing), IVOPER (an
unknown dot operator), EXPSYN (anything else, segment the unexpected token; none when the
expression ended too early).

Choices where VMS is silent: division by zero gives 0 and no error (VMS gives no error and
leaves $STATUS at %X00030001); lexical function names may be abbreviated to a unique prefix
(VMS has ABFNAM, so it accepts abbreviations); segments of SYMDEL and EXPSYN show the
offending token only; more than 32 nested levels (parentheses, signs, ``.NOT.``, lexical
calls, ``&`` indirections) give COMPLX, "expression too complex".

Compiled expressions: ``compile_expression(text, lexicals)`` turns an expression that parses
into one Python function ``f(ctx) -> Value`` with exactly the Evaluator's results, errors and
order of evaluation (operands left to right, symbols looked up when reached, lexical calls made
when reached).  An expression that does not parse is not compiled (None): the Evaluator
evaluates it and raises its error at the point it is found, after evaluating what comes before
(``nosuch + )`` gives UNDSYM, not EXPSYN).  The interpreter compiles an expression text the
second time it meets it and keeps the function, so a loop does not tokenise its lines again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.lexer import quoted_string
from vmsenv.dcl.values import Value, to_int, to_str, wrap32

_TOKEN = re.compile(
    r"""(?P<blank>[ \t]+)
      | (?P<num>%[Xx][0-9A-Fa-f]+|%[Oo][0-7]+|%[Dd][0-9]+|[0-9]+(?![A-Za-z0-9$_]))
      | (?P<dot>\.[A-Za-z]+\.)
      | (?P<name>[A-Za-z$_][A-Za-z0-9$_]*)
      | (?P<amp>&[A-Za-z$_][A-Za-z0-9$_]*)
      | (?P<punct>[-+*/(),])
    """,
    re.VERBOSE,
)
_RADIX = {"X": 16, "O": 8, "D": 10}
_NUMERIC_CMP = {".EQ.", ".NE.", ".LT.", ".LE.", ".GT.", ".GE."}
_STRING_CMP = {".EQS.", ".NES.", ".LTS.", ".LES.", ".GTS.", ".GES."}
_DOT_OPS = _NUMERIC_CMP | _STRING_CMP | {".NOT.", ".AND.", ".OR."}
_COMPARISONS = _NUMERIC_CMP | _STRING_CMP
MAX_NESTING = 32



def _symbol_name_at(function, position: int) -> bool:
    """Whether the lexical function takes the argument at position as a symbol name,
    unevaluated: F$TYPE's and F$PID's first (symbol_name_argument), F$CONTEXT's second
    (symbol_name_arguments)."""
    if position == 0 and getattr(function, "symbol_name_argument", False):
        return True
    return position in getattr(function, "symbol_name_arguments", ())

def _compare(op: str, a, b) -> int:
    result = {
        "EQ": a == b, "NE": a != b, "LT": a < b, "LE": a <= b, "GT": a > b, "GE": a >= b,
    }[op]
    return 1 if result else 0


def _divide(a: int, b: int) -> int:
    if b == 0:
        return 0
    quotient = abs(a) // abs(b)
    return wrap32(quotient if (a < 0) == (b < 0) else -quotient)


class _Token:
    __slots__ = ("kind", "text", "value")

    def __init__(self, kind: str, text: str, value: Any = None):
        self.kind = kind
        self.text = text
        self.value = value

    def segment(self) -> str:
        return self.text if self.kind == "str" else self.text.upper()


def tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        c = text[pos]
        if c == '"':
            content, end = quoted_string(text, pos)
            tokens.append(_Token("str", text[pos:end], content))
            pos = end
            continue
        m = _TOKEN.match(text, pos)
        if not m:
            words = text[pos:].split()
            raise VMSError(C.CLI_EXPSYN, segment=(words[0] if words else c).upper())
        kind = m.lastgroup
        word = m.group(0)
        pos = m.end()
        if kind == "blank":
            continue
        if kind == "num":
            if word.startswith("%"):
                number = int(word[2:], _RADIX[word[1].upper()])
            else:
                number = int(word)
            tokens.append(_Token("num", word, wrap32(number)))
        elif kind == "dot":
            op = word.upper()
            if op not in _DOT_OPS:
                raise VMSError(C.CLI_IVOPER, segment=op)
            tokens.append(_Token("op", word, op))
        elif kind == "punct":
            tokens.append(_Token("op", word, word))
        else:
            tokens.append(_Token(kind, word, word))
    tokens.append(_Token("end", ""))
    return tokens


def _lexical(lexicals: dict, name: str):
    """(function, min_args, max_args) of the lexical function ``name`` (``F$...``, in full or
    a unique abbreviation) names; ABFNAM or IVFNAM when it names several or none."""
    if name in lexicals:
        return lexicals[name]
    found = [n for n in lexicals if n.startswith(name)]
    if len(found) == 1:
        return lexicals[found[0]]
    status = C.CLI_ABFNAM if found else C.CLI_IVFNAM
    raise VMSError(status, segment=name + "(")


class _Parser:
    """What the Evaluator and the _Compiler share of reading an expression: the token
    cursor and the argument list of a lexical function call.  ``bad_call()`` is the
    exception for an argument list that goes wrong (too many arguments, a symbol name that is
    not one, no ``,`` or ``)`` after an argument)."""

    tokens: list[_Token]
    pos: int
    exact_names = False

    def bad_call(self) -> Exception:
        raise NotImplementedError

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def is_op(self, *ops: str) -> bool:
        token = self.tokens[self.pos]
        return token.kind == "op" and token.value in ops

    def arguments(self, function, max_args: int, omitted, argument) -> list:
        """The arguments of a call, after its ``(`` and through its ``)``: ``omitted`` for
        one left out, the symbol name (a string) where the function takes one, else
        ``argument()``."""
        args: list = []
        if self.is_op(")"):
            self.take()
            return args
        while True:
            if len(args) >= max_args:
                raise self.bad_call()
            if self.is_op(",", ")"):
                args.append(omitted)
            elif _symbol_name_at(function, len(args)):
                args.append(self.symbol_name())
            else:
                args.append(argument())
            if self.is_op(","):
                self.take()
                continue
            if self.is_op(")"):
                self.take()
                return args
            raise self.bad_call()

    def symbol_name(self) -> str:
        token = self.peek()
        after = self.tokens[self.pos + 1]
        if token.kind != "name" or after.kind != "op" or after.value not in (",", ")"):
            raise self.bad_call()
        self.take()
        return token.text if self.exact_names else token.text.upper()


class Evaluator(_Parser):
    """Evaluates one expression against a DCL context.

    The context provides ``lookup_symbol(name) -> Value | None`` and ``lexicals`` (a dict
    ``F$NAME -> (function, min_args, max_args)``); functions are called ``function(ctx, args)``.
    """

    def __init__(self, ctx, text: str, exact_names: bool = False, depth: int = 0):
        self.ctx = ctx
        self.tokens = tokenize(text)
        self.pos = 0
        self.exact_names = exact_names
        self.depth = depth

    def nest(self) -> None:
        """One more nested level (parenthesis, sign, .NOT., lexical call, ``&``)."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise VMSError(C.CLI_COMPLX)

    def fail(self, status: int = C.CLI_EXPSYN) -> VMSError:
        token = self.peek()
        segment = token.segment() if token.kind != "end" else None
        return VMSError(status, segment=segment)

    # -- grammar -------------------------------------------------------------------------------
    def evaluate(self) -> Value:
        if self.peek().kind == "end":
            raise self.fail()
        value = self.or_expr()
        if self.peek().kind != "end":
            raise self.fail()
        return value

    def or_expr(self) -> Value:
        value = self.and_expr()
        while self.is_op(".OR."):
            self.take()
            value = wrap32(to_int(value) | to_int(self.and_expr()))
        return value

    def and_expr(self) -> Value:
        value = self.not_expr()
        while self.is_op(".AND."):
            self.take()
            value = wrap32(to_int(value) & to_int(self.not_expr()))
        return value

    def not_expr(self) -> Value:
        if self.is_op(".NOT."):
            self.take()
            self.nest()
            value = wrap32(~to_int(self.not_expr()))
            self.depth -= 1
            return value
        return self.comparison()

    def comparison(self) -> Value:
        value = self.additive()
        while self.peek().kind == "op" and self.peek().value in _COMPARISONS:
            op = self.take().value
            right = self.additive()
            if op in _STRING_CMP:
                value = _compare(op[1:3], to_str(value), to_str(right))
            else:
                value = _compare(op[1:3], to_int(value), to_int(right))
        return value

    def additive(self) -> Value:
        value = self.term()
        while self.is_op("+", "-"):
            op = self.take().value
            right = self.term()
            if isinstance(value, str) and isinstance(right, str):
                if op == "+":
                    value = value + right
                else:
                    value = value.replace(right, "", 1) if right else value
            elif op == "+":
                value = wrap32(to_int(value) + to_int(right))
            else:
                value = wrap32(to_int(value) - to_int(right))
        return value

    def term(self) -> Value:
        value = self.unary()
        while self.is_op("*", "/"):
            op = self.take().value
            right = to_int(self.unary())
            if op == "*":
                value = wrap32(to_int(value) * right)
            else:
                value = _divide(to_int(value), right)
        return value

    def unary(self) -> Value:
        if self.is_op("-", "+"):
            sign = self.take().value
            self.nest()
            value = to_int(self.unary())
            self.depth -= 1
            return wrap32(-value) if sign == "-" else value
        return self.primary()

    def primary(self) -> Value:
        token = self.peek()
        if token.kind in ("num", "str"):
            self.take()
            return token.value
        if token.kind == "amp":
            self.take()
            return self.ampersand(token.text[1:])
        if token.kind == "name":
            self.take()
            if self.is_op("(") and token.text.upper().startswith("F$"):
                return self.call(token.text.upper())
            return self.symbol(token.text)
        if self.is_op("("):
            self.take()
            self.nest()
            value = self.or_expr()
            if not self.is_op(")"):
                raise self.fail()
            self.take()
            self.depth -= 1
            return value
        raise self.fail()

    # -- operands ------------------------------------------------------------------------------
    def symbol(self, name: str) -> Value:
        key = name if self.exact_names else name.upper()
        value = self.ctx.lookup_symbol(key)
        if value is None:
            raise VMSError(C.CLI_UNDSYM, segment=key)
        return value

    def ampersand(self, name: str) -> Value:
        key = name if self.exact_names else name.upper()
        value = self.ctx.lookup_symbol(key)
        if value is None:
            raise VMSError(C.CLI_UNDSYM, segment=key)
        if self.depth >= MAX_NESTING:
            raise VMSError(C.CLI_COMPLX)
        return Evaluator(self.ctx, to_str(value), exact_names=True,
                         depth=self.depth + 1).evaluate()

    def bad_call(self) -> VMSError:
        return self.fail(C.CLI_SYMDEL)

    def call(self, name: str) -> Value:
        function, min_args, max_args = _lexical(self.ctx.lexicals, name)
        self.take()  # (
        self.nest()
        args = self.arguments(function, max_args, None, self.or_expr)
        self.depth -= 1
        return _call(self.ctx, function, min_args, args)


def _call(ctx, function, min_args: int, args: list) -> Value:
    """A lexical function call with its arguments evaluated (ARGREQ when one is missing)."""
    if len(args) < min_args or any(a is None for a in args[:min_args]):
        raise VMSError(C.CLI_ARGREQ)
    return function(ctx, args)


def evaluate(ctx, text: str) -> Value:
    """The value of an expression (raises VMSError)."""
    return Evaluator(ctx, text).evaluate()


# ---------------------------------------------------------------------------------------------
# Compiled expressions.
# ---------------------------------------------------------------------------------------------
class _NotCompiled(Exception):  # noqa: N818 - a signal to the caller, not an error
    pass


def _undsym(key: str):
    raise VMSError(C.CLI_UNDSYM, segment=key)


def _add(a: Value, b: Value) -> Value:
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    return wrap32(to_int(a) + to_int(b))


def _sub(a: Value, b: Value) -> Value:
    if isinstance(a, str) and isinstance(b, str):
        return a.replace(b, "", 1) if b else a
    return wrap32(to_int(a) - to_int(b))


def _remove(a: str, b: str) -> str:
    return a.replace(b, "", 1) if b else a


def _ampersand(ctx, name: str, depth: int) -> Value:
    return Evaluator(ctx, "", depth=depth).ampersand(name)


_HELPERS = {
    "_ti": to_int, "_ts": to_str, "_add": _add, "_sub": _sub, "_remove": _remove,
    "_div": _divide, "_undsym": _undsym, "_amp": _ampersand, "_call": _call,
}
_PY_COMPARE = {"EQ": "==", "NE": "!=", "LT": "<", "LE": "<=", "GT": ">", "GE": ">="}
INT, STR = "int", "str"   # static kinds of compiled operands; None: known only when run


def _as_str(code: str, kind: str | None) -> str:
    return code if kind == STR else f"_ts({code})"


def _wrapped(code: str) -> str:
    """Python for wrap32(code) (the signed 32-bit value), without a call."""
    return f"((({code}) + 2147483648) & 4294967295) - 2147483648"


class _Compiler(_Parser):
    """The Evaluator's grammar, producing Python source instead of values.

    Each method returns (code, kind).  Integers are kept wrapped to 32 bits as the Evaluator
    keeps them, so a known integer needs no conversion; ``.AND. .OR. .NOT.`` of wrapped
    integers stay in range.  Anything the Evaluator would reject raises _NotCompiled.
    """

    def __init__(self, tokens: list[_Token], lexicals: dict):
        self.tokens = tokens
        self.pos = 0
        self.lexicals = lexicals
        self.namespace: dict[str, Any] = dict(_HELPERS)
        self.temps = 0
        self.depth = 0
        self.uses_symbols = False

    def bad_call(self) -> _NotCompiled:
        return _NotCompiled()

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise _NotCompiled

    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"

    def as_int(self, code: str, kind: str | None) -> str:
        """Python for to_int(code): an integer already in range is used as it is."""
        if kind == INT:
            return code
        t = self.temp()
        return (f"({t} if type(({t} := {code})) is int and -2147483648 <= {t} <= 2147483647"
                f" else _ti({t}))")

    def constant(self, value: Any) -> str:
        name = f"_k{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def compile(self) -> str:
        if self.peek().kind == "end":
            raise _NotCompiled
        code, _kind = self.or_expr()
        if self.peek().kind != "end":
            raise _NotCompiled
        return code

    def or_expr(self) -> tuple[str, str | None]:
        code, kind = self.and_expr()
        while self.is_op(".OR."):
            self.take()
            right, rkind = self.and_expr()
            code, kind = f"({self.as_int(code, kind)} | {self.as_int(right, rkind)})", INT
        return code, kind

    def and_expr(self) -> tuple[str, str | None]:
        code, kind = self.not_expr()
        while self.is_op(".AND."):
            self.take()
            right, rkind = self.not_expr()
            code, kind = f"({self.as_int(code, kind)} & {self.as_int(right, rkind)})", INT
        return code, kind

    def not_expr(self) -> tuple[str, str | None]:
        if self.is_op(".NOT."):
            self.take()
            self.nest()
            code, kind = self.not_expr()
            self.depth -= 1
            return f"(~{self.as_int(code, kind)})", INT
        return self.comparison()

    def comparison(self) -> tuple[str, str | None]:
        code, kind = self.additive()
        while self.peek().kind == "op" and self.peek().value in _COMPARISONS:
            op = self.take().value
            right, rkind = self.additive()
            py = _PY_COMPARE[op[1:3]]
            if op in _STRING_CMP:
                a, b = _as_str(code, kind), _as_str(right, rkind)
            else:
                a, b = self.as_int(code, kind), self.as_int(right, rkind)
            code, kind = f"(1 if ({a}) {py} ({b}) else 0)", INT
        return code, kind

    def additive(self) -> tuple[str, str | None]:
        code, kind = self.term()
        while self.is_op("+", "-"):
            op = self.take().value
            right, rkind = self.term()
            if kind == STR and rkind == STR:
                code = f"({code} + {right})" if op == "+" else f"_remove({code}, {right})"
            elif kind == INT or rkind == INT:
                code, kind = _wrapped(f"{self.as_int(code, kind)} {op} {self.as_int(right, rkind)}"), INT
                code = f"({code})"
            else:
                code, kind = f"{'_add' if op == '+' else '_sub'}({code}, {right})", None
        return code, kind

    def term(self) -> tuple[str, str | None]:
        code, kind = self.unary()
        while self.is_op("*", "/"):
            op = self.take().value
            right, rkind = self.unary()
            a, b = self.as_int(code, kind), self.as_int(right, rkind)
            code = f"({_wrapped(f'{a} * {b}')})" if op == "*" else f"_div({a}, {b})"
            kind = INT
        return code, kind

    def unary(self) -> tuple[str, str | None]:
        if self.is_op("-", "+"):
            sign = self.take().value
            self.nest()
            code, kind = self.unary()
            self.depth -= 1
            code = self.as_int(code, kind)
            return (f"({_wrapped('-' + code)})" if sign == "-" else code), INT
        return self.primary()

    def primary(self) -> tuple[str, str | None]:
        token = self.peek()
        if token.kind == "num":
            self.take()
            return f"({token.value})", INT
        if token.kind == "str":
            self.take()
            return self.constant(token.value), STR
        if token.kind == "amp":
            self.take()
            return f"_amp(ctx, {token.text[1:]!r}, {self.depth})", None
        if token.kind == "name":
            self.take()
            if self.is_op("(") and token.text.upper().startswith("F$"):
                return self.call(token.text.upper()), None
            return self.symbol(token.text.upper()), None
        if self.is_op("("):
            self.take()
            self.nest()
            code, kind = self.or_expr()
            if not self.is_op(")"):
                raise _NotCompiled
            self.take()
            self.depth -= 1
            return code, kind
        raise _NotCompiled

    def symbol(self, key: str) -> str:
        self.uses_symbols = True
        temp = self.temp()
        return f"({temp} if ({temp} := look({key!r})) is not None else _undsym({key!r}))"

    def call(self, name: str) -> str:
        function, min_args, max_args = _lexical(self.lexicals, name)
        self.take()  # (
        self.nest()
        args = self.arguments(function, max_args, "None", lambda: self.or_expr()[0])
        self.depth -= 1
        return f"_call(ctx, {self.constant(function)}, {min_args}, [{', '.join(args)}])"

    def symbol_name(self) -> str:
        return repr(super().symbol_name())


def compile_expression(text: str, lexicals: dict) -> Callable[[Any], Value] | None:
    """A function ``f(ctx)`` that evaluates ``text`` as ``evaluate(ctx, text)`` does, for a
    context whose lexical functions are ``lexicals``; None when the text does not parse (or
    is beyond what is worth compiling): use ``evaluate`` for it."""
    try:
        compiler = _Compiler(tokenize(text), lexicals)
        code = compiler.compile()
        lines = ["def _expression(ctx):"]
        if compiler.uses_symbols:
            lines.append("    look = ctx.lookup_symbol")
        lines.append(f"    return {code}")
        namespace = compiler.namespace
        exec(compile("\n".join(lines), "<dcl expression>", "exec"), namespace)
    except (VMSError, _NotCompiled, RecursionError, MemoryError, SyntaxError):
        return None
    return namespace["_expression"]
