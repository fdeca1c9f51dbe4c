"""Command definitions as data, and the parser that applies them (like VMS CLD tables).

A verb module declares ``VERBS``, a list of ``Verb``; each names its parameters and qualifiers
and a handler ``handler(dcl, cmd) -> int | None`` that receives a ``ParsedCommand``.

Parsing rules (after substitution and comment removal):

- The verb: only its first 4 characters count (``WRITEXYZ`` is WRITE); any unique shorter
  prefix works.  The same holds for the keyword of a keyword-parameter verb
  (``SHOW SYMBOLS`` is SHOW SYMBOL).  Unknown: %DCL-W-IVVERB, ambiguous: %DCL-W-ABVERB, each with the ``\\TOKEN\\``
  segment.
- Keyword-parameter verbs (SHOW, SET) select a sub-definition with their first parameter
  (``SHOW SYMBOL``, ``SET NOON``): unique prefix; IVKEYW / ABKEYW otherwise.  A negatable
  sub-definition accepts a ``NO`` prefix; one with ``value`` accepts ``KEYWORD=value`` or
  ``KEYWORD=(v1,v2)`` (given to the handler as ``"V1,V2"``).
- Parameters are separated by blanks.  A list parameter takes values separated by commas
  (blanks allowed around them), or by ``+`` when it is declared ``concatenate``.  A comma after
  a value of a parameter that is not a list gives NOLIST (a plus there is part of the value).
  One value too many gives MAXPARM with the extra token as segment (``DEFINE vpt_up lower
  value`` -> ``\\VALUE\\``).
- Unquoted text is upper-cased; quoted text keeps its case and loses its quotes (``""`` inside
  quotes is one ``"``); both may be mixed in one value.
- Value types: ``text`` (stops at blank, ``/`` and ``,``), ``file`` (same), ``word`` (stops at
  blank and ``/`` only: ``@`` and CALL parameters), ``expression`` (the rest of the line, split
  at top-level commas when a list; evaluated by the interpreter before the handler runs) and
  ``rest`` (the rest of the line untouched: IF, ON).
- Qualifiers: ``/NAME``, ``/NAME=value``, ``/NAME=(v1,v2)``, ``:`` for ``=``, blanks allowed
  around ``=``; unique prefix; ``/NONAME`` when negatable (the default, as in CLD).  Errors:
  IVQUAL (unknown), ABKEYW (ambiguous), NOTNEG, VALREQ (value required), NOVALU (no value
  allowed), ONEVAL (a list where one value is allowed), IVKEYW/ABKEYW for keyword values,
  NOQUAL (a qualifier on a verb that has none),
  IVQLOC (a local qualifier right after the verb), NOKEYW (a lone slash).
- Placement: ``global`` qualifiers apply to the command wherever they appear; ``local`` ones
  only after a parameter value, to that value; ``positional`` ones apply to the command after
  the verb and to one value after a value.  A qualifier after a value (even past a blank)
  belongs to that value.
- ``syntax=`` on a qualifier switches the verb to another definition when the qualifier is
  given anywhere (CREATE/DIRECTORY, DELETE/SYMBOL); the switching qualifier is accepted by the
  new definition even when it does not declare it.
- A missing required parameter raises ``MissingParameter`` (an INSFPRM VMSError that carries
  the parameter), so the interpreter can prompt ``_Prompt: `` when it is interactive.

Choices where VMS is silent: ambiguity between qualifiers is reported with ABKEYW (its text is
"ambiguous qualifier or keyword"); qualifier names and qualifier keyword values need every
typed character to match (only verbs and verb keywords are cut to 4 characters).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.lexer import quoted_string

TEXT, FILE, WORD, EXPRESSION, REST = "text", "file", "word", "expression", "rest"
NONE, OPTIONAL, REQUIRED = "none", "optional", "required"
GLOBAL, LOCAL, POSITIONAL = "global", "local", "positional"

_NAME = re.compile(r"[A-Za-z0-9_$]+")


@dataclass(frozen=True)
class Keyword:
    """One keyword a qualifier value may take (``/TRANSLATION=CONCEALED``)."""

    name: str
    value: str = NONE          # NONE, OPTIONAL or REQUIRED: ``KEYWORD=value``
    negatable: bool = False


@dataclass(frozen=True)
class Parameter:
    label: str
    required: bool = False
    list: bool = False
    concatenate: bool = False
    prompt: str | None = None
    type: str = TEXT


@dataclass(frozen=True)
class Qualifier:
    name: str
    value: str = NONE                  # NONE, OPTIONAL or REQUIRED
    list: bool = False                 # /Q=(a,b) allowed
    keywords: tuple = ()               # Keyword or str; when set, values must be keywords
    negatable: bool = True
    default: bool = False              # present unless negated
    placement: str = GLOBAL
    syntax: Verb | None = None
    group: str | None = None           # mutually exclusive set: the last one given wins
    default_value: str | None = None   # value when given without one

    def __post_init__(self) -> None:
        kws = tuple(k if isinstance(k, Keyword) else Keyword(k) for k in self.keywords)
        object.__setattr__(self, "keywords", kws)


@dataclass(eq=False)
class Verb:
    name: str
    parameters: tuple = ()
    qualifiers: tuple = ()
    handler: Callable | None = None
    keywords: tuple = ()               # sub-definitions of a keyword-parameter verb
    negatable: bool = False            # sub-definition: NOkeyword accepted
    value: str = NONE                  # sub-definition: keyword=value accepted
    image: bool = False                # the handler runs an image (user-mode names run down)

    def qualifier(self, name: str) -> Qualifier:
        for q in self.qualifiers:
            if q.name == name:
                return q
        raise KeyError(f"{self.name} has no qualifier {name}")


# ---------------------------------------------------------------------------------------------
# The table of verbs.
# ---------------------------------------------------------------------------------------------
def _merge(a: Verb, b: Verb) -> Verb:
    """Two modules' declarations of the same verb, as one."""
    if a.handler is not None and b.handler is not None:
        raise ValueError(f"verb {a.name} has two handlers")
    if a.parameters and b.parameters and a.parameters != b.parameters:
        raise ValueError(f"verb {a.name} declared with two parameter lists")
    quals = {q.name: q for q in a.qualifiers}
    for q in b.qualifiers:
        if q.name in quals and quals[q.name] != q:
            raise ValueError(f"qualifier {a.name}/{q.name} declared twice")
        quals[q.name] = q
    subs = {k.name: k for k in a.keywords}
    for k in b.keywords:
        subs[k.name] = _merge(subs[k.name], k) if k.name in subs else k
    main = a if a.handler is not None else b
    return Verb(a.name, a.parameters or b.parameters, tuple(quals.values()), main.handler,
                tuple(subs.values()), a.negatable or b.negatable,
                a.value if a.value != NONE else b.value, main.image)


def _match_prefix(token: str, names: list[str]) -> list[str]:
    if token in names:
        return [token]
    return [n for n in names if n.startswith(token)]


def _match_significant(token: str, names: list[str]) -> list[str]:
    """Names a verb or keyword token selects: only its first 4 characters count."""
    if token in names:
        return [token]
    key = token[:4]
    return [n for n in names if n.startswith(key)] if key else []


class CommandTable:
    """All verbs, looked up by unique prefix with 4 significant characters."""

    def __init__(self, verbs=()) -> None:
        self._verbs: dict[str, Verb] = {}
        self.generation = 0        # counts changes, so that users may keep what they looked up
        for verb in verbs:
            self.add(verb)

    def add(self, verb: Verb) -> None:
        name = verb.name.upper()
        if name in self._verbs:
            verb = _merge(self._verbs[name], verb)
        self._verbs[name] = verb
        self.generation += 1

    def names(self) -> list[str]:
        return sorted(self._verbs)

    def get(self, name: str) -> Verb | None:
        return self._verbs.get(name)

    def lookup(self, token: str) -> Verb:
        word = token.upper()
        if word in self._verbs:
            return self._verbs[word]
        found = _match_significant(word, list(self._verbs))
        if len(found) == 1:
            return self._verbs[found[0]]
        if not found:
            raise VMSError(C.CLI_IVVERB, segment=word)
        raise VMSError(C.CLI_ABVERB, segment=word)


# ---------------------------------------------------------------------------------------------
# Parse results.
# ---------------------------------------------------------------------------------------------
@dataclass
class QualifierUse:
    qualifier: Qualifier
    negated: bool
    values: list = field(default_factory=list)          # texts, or canonical keyword names
    keyword_values: dict = field(default_factory=dict)  # keyword -> its value
    token: str = ""
    order: int = 0


def _present(use: QualifierUse | None, qualifier: Qualifier) -> bool | None:
    if use is not None:
        return not use.negated
    return True if qualifier.default else None


@dataclass
class ParamValue:
    """One value of a parameter, with the qualifiers written after it."""

    text: str
    raw: str
    quoted: bool = False
    qualifiers: dict = field(default_factory=dict)
    value: object = None
    command: ParsedCommand | None = None

    def __post_init__(self) -> None:
        if self.value is None:
            self.value = self.text

    def _use(self, name: str) -> QualifierUse | None:
        if name in self.qualifiers:
            return self.qualifiers[name]
        cmd = self.command
        if cmd is not None:
            qualifier = cmd.verb.qualifier(name)
            if qualifier.placement == POSITIONAL:
                return cmd.qualifiers.get(name)
        return None

    def present(self, name: str) -> bool | None:
        """True / False (negated) / None (absent) for a local or positional qualifier."""
        qualifier = self.command.verb.qualifier(name) if self.command else None
        use = self._use(name)
        if use is not None:
            return not use.negated
        return True if qualifier is not None and qualifier.default else None

    def qualifier_values(self, name: str) -> list:
        use = self._use(name)
        return list(use.values) if use is not None else []

    def qualifier_value(self, name: str, default=None):
        values = self.qualifier_values(name)
        return values[0] if values else default


@dataclass
class ParsedCommand:
    """The result of ``parse``.  Handlers read it and never change it: the interpreter keeps
    the parse of a command line and gives the same object to the handler each time the line
    runs (only the values of expression parameters are set again before each run)."""

    verb: Verb                              # the definition used (after keyword / syntax)
    name: str                               # "SHOW SYMBOL", "DELETE", "@"
    params: dict = field(default_factory=dict)       # label -> list[ParamValue]
    qualifiers: dict = field(default_factory=dict)   # name -> last global QualifierUse
    uses: list = field(default_factory=list)         # every global QualifierUse, in order
    negated: bool = False                   # SET NOON: the NO form of the keyword
    keyword_value: str | None = None        # SET PROMPT=value
    text: str = ""                          # the command text after the verb

    def present(self, name: str) -> bool | None:
        """True when given (or default-present), False when negated, None when absent."""
        return _present(self.qualifiers.get(name), self.verb.qualifier(name))

    def values(self, name: str) -> list:
        self.verb.qualifier(name)
        use = self.qualifiers.get(name)
        if use is None or use.negated:
            return []
        return list(use.values)

    def value(self, name: str, default=None):
        values = self.values(name)
        return values[0] if values else default

    def keyword_arg(self, name: str, keyword: str, default=None):
        """The value given to one keyword of a qualifier (``/PROTECTION=(S:RWED)``)."""
        use = self.qualifiers.get(name)
        if use is None:
            return default
        return use.keyword_values.get(keyword, default)

    def choice(self, group: str) -> str | None:
        """The last qualifier of a group given positively, else the group's default one."""
        given = [u for u in self.uses if u.qualifier.group == group and not u.negated]
        if given:
            return given[-1].qualifier.name
        for q in self.verb.qualifiers:
            if q.group == group and q.default:
                return q.name
        return None

    def params_of(self, label: str) -> list:
        return self.params.get(label, [])

    def param_values(self, label: str) -> list:
        return [p.value for p in self.params.get(label, [])]

    def param(self, label: str, default=None):
        values = self.params.get(label)
        return values[0].value if values else default


class MissingParameter(VMSError):
    """A required parameter was not given (INSFPRM); carries the parameter to prompt for."""

    def __init__(self, parameter: Parameter):
        super().__init__(C.CLI_INSFPRM)
        self.parameter = parameter


# ---------------------------------------------------------------------------------------------
# The scanner.
# ---------------------------------------------------------------------------------------------
class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def eof(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_blanks(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def name(self) -> str:
        m = _NAME.match(self.text, self.pos)
        if not m:
            return ""
        self.pos = m.end()
        return m.group(0).upper()

    def value(self, stops: str) -> tuple[str, str, bool]:
        """A value token: (text, raw, wholly_quoted)."""
        text, pos, start = self.text, self.pos, self.pos
        out: list[str] = []
        quoted = unquoted = False
        depth = 0           # inside [...] or <...> a comma is part of the value ([g,m] UICs)
        while pos < len(text):
            c = text[pos]
            if c == '"':
                quoted = True
                content, pos = quoted_string(text, pos)
                out.append(content)
                continue
            if c in stops and not (depth and c == ","):
                break
            if c in "[<":
                depth += 1
            elif c in "]>" and depth:
                depth -= 1
            unquoted = True
            out.append(c.upper())
            pos += 1
        self.pos = pos
        return "".join(out), text[start:pos], quoted and not unquoted

    def token_for_message(self) -> str:
        """The next blank-delimited token, upper-cased outside quotes (for a segment line)."""
        save = self.pos
        text, _raw, _q = self.value(" \t/")
        self.pos = save
        return text


# ---------------------------------------------------------------------------------------------
# Qualifiers.
# ---------------------------------------------------------------------------------------------
def _find_qualifier(verb: Verb, token: str, extra: Qualifier | None = None):
    """(Qualifier, negated) for a typed name; raises IVQUAL / ABKEYW / NOTNEG."""
    quals = list(verb.qualifiers)
    if extra is not None and all(q.name != extra.name for q in quals):
        quals.append(extra)
    by_name = {q.name: q for q in quals}
    positive = _match_prefix(token, list(by_name))
    if len(positive) == 1 and (positive[0] == token or not token.startswith("NO")):
        return by_name[positive[0]], False
    negative: list[str] = []
    if token.startswith("NO") and len(token) > 2:
        negative = _match_prefix(token[2:], list(by_name))
    candidates = [(n, False) for n in positive] + [(n, True) for n in negative]
    if not candidates:
        raise VMSError(C.CLI_IVQUAL, segment=token)
    exact = [(n, neg) for n, neg in candidates if n == (token[2:] if neg else token)]
    if len(exact) == 1:
        candidates = exact
    if len(candidates) > 1:
        raise VMSError(C.CLI_ABKEYW, segment=token)
    name, negated = candidates[0]
    qualifier = by_name[name]
    if negated and not qualifier.negatable:
        raise VMSError(C.CLI_NOTNEG, segment=token)
    return qualifier, negated


def _find_keyword(token: str, by_name: dict, match: Callable[[str, list[str]], list[str]]):
    """(the keyword, negated) that a typed token names among by_name, as ``match`` compares
    names, or as NOname for a negatable one; raises IVKEYW (none) or ABKEYW (several)."""
    found = match(token, list(by_name))
    negated = False
    if not found and token.startswith("NO") and len(token) > 2:
        found = [n for n in match(token[2:], list(by_name)) if by_name[n].negatable]
        negated = bool(found)
    if not found:
        raise VMSError(C.CLI_IVKEYW, segment=token)
    if len(found) > 1:
        raise VMSError(C.CLI_ABKEYW, segment=token)
    return by_name[found[0]], negated


def _resolve_keyword(qualifier: Qualifier, text: str) -> tuple[str, str | None]:
    """A keyword value -> (canonical name or NOname, its value or None)."""
    head, value = text, None
    for sep in ("=", ":"):
        if sep in text:
            head, value = text.split(sep, 1)
            break
    keyword, negated = _find_keyword(head, {k.name: k for k in qualifier.keywords},
                                     _match_prefix)
    if value is None and keyword.value == REQUIRED and not negated:
        raise VMSError(C.CLI_VALREQ, segment=head)
    if value is not None and (keyword.value == NONE or negated):
        raise VMSError(C.CLI_NOVALU, segment=head)
    return ("NO" + keyword.name if negated else keyword.name), value


def _qualifier_values(scan: _Scanner, qualifier_token: str) -> list[tuple[str, str]]:
    """After ``=``: one value or a parenthesised list; [(text, raw)]."""
    scan.skip_blanks()
    if scan.peek() == "(":
        scan.pos += 1
        values = []
        while True:
            scan.skip_blanks()
            text, raw, _q = scan.value(" \t,)/")
            values.append((text, raw))
            scan.skip_blanks()
            c = scan.peek()
            if c == ",":
                scan.pos += 1
                continue
            if c == ")":
                scan.pos += 1
                break
            raise VMSError(C.CLI_NOPAREN, segment=qualifier_token)
        return values
    text, raw, _q = scan.value(" \t,/")
    return [(text, raw)]


def _parse_qualifier(scan: _Scanner, verb: Verb, extra: Qualifier | None) -> QualifierUse:
    scan.pos += 1  # the slash
    token = scan.name()
    if not token:
        raise VMSError(C.CLI_NOKEYW, segment="/" + scan.token_for_message())
    if not verb.qualifiers and extra is None:
        raise VMSError(C.CLI_NOQUAL, segment=token)
    qualifier, negated = _find_qualifier(verb, token, extra)
    save = scan.pos
    scan.skip_blanks()
    raw_values: list[tuple[str, str]] | None = None
    if scan.peek() in ("=", ":") and scan.peek() != "":
        scan.pos += 1
        raw_values = _qualifier_values(scan, token)
    else:
        scan.pos = save
    use = QualifierUse(qualifier, negated, token=token)
    if raw_values is None:
        if qualifier.value == REQUIRED and not negated:
            raise VMSError(C.CLI_VALREQ, segment=token)
        if qualifier.default_value is not None and not negated:
            use.values.append(qualifier.default_value)
        return use
    if qualifier.value == NONE or negated:
        raise VMSError(C.CLI_NOVALU, segment=raw_values[0][0])
    if len(raw_values) > 1 and not qualifier.list:
        raise VMSError(C.CLI_ONEVAL, segment=raw_values[1][0])
    for text, _raw in raw_values:
        if qualifier.keywords:
            name, value = _resolve_keyword(qualifier, text)
            use.values.append(name)
            if value is not None:
                use.keyword_values[name] = value
        else:
            use.values.append(text)
    return use


# ---------------------------------------------------------------------------------------------
# The parser.
# ---------------------------------------------------------------------------------------------
def _split_top_level(text: str) -> list[str]:
    """Split at commas outside quotes and parentheses."""
    items, depth, quoted, start = [], 0, False, 0
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return items


def syntax_switch(verb: Verb, text: str) -> tuple[Verb, Qualifier | None]:
    """The definition a command text selects (another one when a ``syntax=`` qualifier is
    given) and the qualifier that selected it."""
    switching = [q for q in verb.qualifiers if q.syntax is not None]
    if not switching:
        return verb, None
    quoted = False
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
        elif c == "/" and not quoted:
            m = _NAME.match(text, i + 1)
            if not m:
                continue
            try:
                qualifier, negated = _find_qualifier(verb, m.group(0).upper())
            except VMSError:
                continue
            if qualifier.syntax is not None and not negated:
                return qualifier.syntax, qualifier
    return verb, None


def parse(verb: Verb, text: str, name: str | None = None) -> ParsedCommand:
    """Parse the text after the verb with a definition (a keyword verb selects its own)."""
    scan = _Scanner(text)
    if verb.keywords:
        return _parse_keyword_verb(verb, scan, name or verb.name)
    definition, extra = syntax_switch(verb, text)
    return _parse_body(definition, scan, name or verb.name, extra)


def _parse_keyword_verb(verb: Verb, scan: _Scanner, name: str) -> ParsedCommand:
    scan.skip_blanks()
    if scan.peek() == "/":
        raise VMSError(C.CLI_IVQLOC, segment=scan.token_for_message())
    token = scan.name()
    if not token:
        if scan.eof():
            raise MissingParameter(Parameter("KEYWORD", required=True, prompt="What"))
        raise VMSError(C.CLI_IVKEYW, segment=scan.token_for_message())
    sub, negated = _find_keyword(token, {k.name: k for k in verb.keywords}, _match_significant)
    keyword_value = None
    save = scan.pos
    scan.skip_blanks()
    if scan.peek() == "=" and sub.value != NONE:
        scan.pos += 1
        keyword_value = ",".join(text for text, _raw in _qualifier_values(scan, token))
    else:
        scan.pos = save
        if sub.value == REQUIRED:
            raise VMSError(C.CLI_VALREQ, segment=token)
    rest = scan.text[scan.pos:]
    definition, extra = syntax_switch(sub, rest)
    cmd = _parse_body(definition, _Scanner(rest), f"{name} {sub.name}", extra)
    cmd.negated = negated
    cmd.keyword_value = keyword_value
    return cmd


def _parse_body(verb: Verb, scan: _Scanner, name: str, extra: Qualifier | None) -> ParsedCommand:
    cmd = ParsedCommand(verb, name, text=scan.text)
    params = list(verb.parameters)
    index = 0                       # next parameter to fill
    last: ParamValue | None = None  # last value read (local qualifiers attach to it)
    current: Parameter | None = None
    order = 0

    def add_value(parameter: Parameter, value: ParamValue) -> None:
        value.command = cmd
        cmd.params.setdefault(parameter.label, []).append(value)

    def read_value(parameter: Parameter) -> ParamValue:
        stops = " \t/" if parameter.type == WORD else " \t/,"
        if parameter.concatenate:
            stops += "+"
        text, raw, quoted = scan.value(stops)
        return ParamValue(text, raw, quoted)

    while True:
        scan.skip_blanks()
        if scan.eof():
            break
        c = scan.peek()
        if c == "/":
            use = _parse_qualifier(scan, verb, extra)
            order += 1
            use.order = order
            placement = use.qualifier.placement
            if placement == GLOBAL or (placement == POSITIONAL and last is None):
                cmd.qualifiers[use.qualifier.name] = use
                cmd.uses.append(use)
            elif last is None:
                raise VMSError(C.CLI_IVQLOC, segment=use.token)
            else:
                last.qualifiers[use.qualifier.name] = use
            continue
        if (c == "," or (c == "+" and current is not None and current.concatenate)) \
                and current is not None and last is not None:
            if c == "," and not current.list:
                raise VMSError(C.CLI_NOLIST, segment=scan.token_for_message())
            scan.pos += 1
            scan.skip_blanks()
            last = read_value(current)
            add_value(current, last)
            continue
        if index >= len(params):
            raise VMSError(C.CLI_MAXPARM, segment=scan.token_for_message())
        current = params[index]
        index += 1
        if current.type == REST:
            rest = scan.text[scan.pos:].strip(" \t")
            scan.pos = len(scan.text)
            add_value(current, ParamValue(rest, rest))
            break
        if current.type == EXPRESSION:
            rest = scan.text[scan.pos:]
            scan.pos = len(scan.text)
            items = _split_top_level(rest) if current.list else [rest]
            for item in items:
                item = item.strip(" \t")
                add_value(current, ParamValue(item, item))
            break
        last = read_value(current)
        add_value(current, last)
    for parameter in params:
        if parameter.required and parameter.label not in cmd.params:
            raise MissingParameter(parameter)
    return cmd
