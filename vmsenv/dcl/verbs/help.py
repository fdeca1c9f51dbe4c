"""HELP, generated from the command table: one screen a verb, with its parameters and
qualifiers, in the layout of the VMS HELP utility.

``HELP`` alone lists the topics; ``HELP verb`` shows the verb's format and lists its
subtopics; ``HELP verb /QUALIFIER``, ``HELP verb QUALIFIERS``, ``HELP verb PARAMETERS`` show
those; ``HELP SET PROMPT`` the sub-command of a keyword verb; ``HELP LEXICALS [F$NAME]`` the
lexical functions.  Topic names may be abbreviated (an ambiguous abbreviation shows every
match, as VMS HELP does) and may hold the ``*`` and ``%`` wildcards.  An unknown topic gives
``  Sorry, no documentation on TOPIC`` and the topics of that level.

The layout follows a real HELP listing: a blank line, each level's topic name indented two
blanks more than its parent's, the text indented five, then ``  Additional information
available:`` and the subtopics in 11-column cells (a name of 11 or more characters takes as
many cells as it needs; a row ends before a name would pass column 77).  A verb lists
``Parameters Qualifiers`` on one row and its qualifiers (``/NAME``) on the next ones, and those
qualifiers can be asked for directly (``HELP COPY /LOG``), as in HELPLIB.

Interactively (at the interactive level of an interactive shell, unless /NOPROMPT) HELP then
prompts ``Topic? `` or ``VERB Subtopic? ``: a topic name shows it, a blank line goes up one
level (and leaves HELP from ``Topic?``), ``?`` shows the current topic again, CTRL/Z leaves.

The texts are what the command table says of each verb (parameters, their types, whether
required, the prompt; qualifiers, their values, keywords, negation, defaults, placement); the
command table holds no prose, so there are no descriptions or examples.  Not implemented:
/OUTPUT, /LIBRARY and other help libraries, HELP/MESSAGE, paging with "Press RETURN".
HELP runs as an image (user-mode logical names run down after it) and leaves %X00000001.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from vmsenv import condition as C
from vmsenv.dcl import cld
from vmsenv.dcl.cld import Parameter, Qualifier, Verb
from vmsenv.dcl.level import INTERACTIVE

CELL = 11
INDENT = 2
LAST_COLUMN = 77


@dataclass
class Topic:
    name: str
    text: list = field(default_factory=list)
    children: list = field(default_factory=list)
    rows: list | None = None            # how the children are listed (groups of rows)

    def listing(self) -> list[list[Topic]]:
        return self.rows if self.rows is not None else [self.children]


def columns(names: list[str]) -> list[str]:
    """Names in HELP's 11-column cells, two blanks in, as many as fit on a line."""
    lines: list[str] = []
    line, col = "", 0
    for name in names:
        if col and INDENT + col + len(name) > LAST_COLUMN:
            lines.append(" " * INDENT + line.rstrip())
            line, col = "", 0
        cells = len(name) // CELL + 1
        line += name.ljust(cells * CELL)
        col += cells * CELL
    if line:
        lines.append(" " * INDENT + line.rstrip())
    return lines


# ---------------------------------------------------------------------------------------------
# Texts generated from the command table.
# ---------------------------------------------------------------------------------------------
_TYPES = {
    cld.TEXT: "text, upper-cased unless quoted",
    cld.FILE: "a file specification",
    cld.WORD: "a word, ended by a blank or a slash",
    cld.EXPRESSION: "an expression, evaluated",
    cld.REST: "the rest of the command line",
}


def _param_name(p: Parameter) -> str:
    name = p.label.lower().replace("_", "-")
    if p.list:
        return name + "[,...]"
    return name + "[+...]" if p.concatenate else name


def _param_form(p: Parameter) -> str:
    return _param_name(p) if p.required else f"[{_param_name(p)}]"


def _wrap(text: str) -> list[str]:
    """Prose at the text indentation, ended before column 77."""
    return textwrap.wrap(text, width=LAST_COLUMN - 1, initial_indent="     ",
                         subsequent_indent="     ") or [""]


def _verb_name(name: str, sub: Verb | None) -> str:
    if sub is None:
        return name
    return f"{name} {'[NO]' if sub.negatable else ''}{sub.name}"


def _format_line(name: str, verb: Verb) -> str:
    if verb.keywords:
        return f"{name}  keyword"
    head = name
    if verb.value == cld.OPTIONAL:
        head += "[=value]"
    elif verb.value == cld.REQUIRED:
        head += "=value"
    params = " ".join(_param_form(p) for p in verb.parameters)
    return f"{head}  {params}".rstrip()


def _format_text(name: str, verb: Verb) -> list[str]:
    return ["     Format", "", "       " + _format_line(name, verb)]


def _parameter_text(p: Parameter) -> list[str]:
    lines = [" " + _param_name(p), ""]
    facts = ["Required" if p.required else "Optional"]
    if p.prompt:
        facts.append(f'prompted for as "_{p.prompt}:" when omitted interactively'
                     if p.required else f'prompt "{p.prompt}"')
    lines.extend(_wrap("; ".join(facts) + "."))
    lines.extend(_wrap(f"Value: {_TYPES.get(p.type, p.type)}."))
    if p.list:
        separator = "commas or plus signs" if p.concatenate else "commas"
        lines.extend(_wrap(f"A list of values separated by {separator}."))
    elif p.concatenate:
        lines.extend(_wrap("Values may be joined with plus signs."))
    lines.append("")
    return lines


def _value_form(q: Qualifier) -> str:
    if q.value == cld.NONE:
        return ""
    value = "keyword" if q.keywords else "value"
    if q.list:
        value = f"({value}[,...])"
    return f"[={value}]" if q.value == cld.OPTIONAL else f"={value}"


def _keyword_text(k: cld.Keyword) -> str:
    text = ("[NO]" if k.negatable else "") + k.name
    if k.value == cld.REQUIRED:
        text += "=value"
    elif k.value == cld.OPTIONAL:
        text += "[=value]"
    return text


def _qualifier_text(q: Qualifier, verb: Verb, name: str) -> list[str]:
    default = " (default)" if q.default else ""
    lines = [f"        /{q.name}{_value_form(q)}{default}"]
    if q.negatable:
        lines.append(f"        /NO{q.name}")
    lines.append("")
    facts = []
    if q.keywords:
        facts.append("Keywords: " + ", ".join(_keyword_text(k) for k in q.keywords) + ".")
    if q.value == cld.OPTIONAL and q.default_value is not None:
        facts.append(f"Without a value: {q.default_value}.")
    if q.placement == cld.LOCAL:
        facts.append("Local: applies to the parameter it follows.")
    elif q.placement == cld.POSITIONAL:
        facts.append("Positional: after the verb it applies to the whole command, after a "
                     "parameter only to that parameter.")
    if q.group is not None:
        others = [f"/{o.name}" for o in verb.qualifiers if o.group == q.group and o is not q]
        if others:
            facts.append("Excludes " + ", ".join(others) + "; the last one given counts.")
    for fact in facts:
        lines.extend(_wrap(fact))
    if q.syntax is not None:
        lines.extend(_wrap("Selects another form of the command:"))
        lines.extend(["", "       " + _format_line(f"{name}/{q.name}", q.syntax)])
    if facts or q.syntax is not None:
        lines.append("")
    return lines


def _verb_topic(name: str, verb: Verb, shown: str | None = None) -> Topic:
    """The topic of a verb, or of a keyword verb's sub-command (shown: its full name)."""
    shown = shown or name
    topic = Topic(name, _format_text(shown, verb) + [""])
    if verb.keywords:
        topic.children = [_verb_topic(k.name, k, _verb_name(shown, k))
                          for k in sorted(verb.keywords, key=lambda v: v.name)]
        return topic
    first_row: list[Topic] = []
    if verb.parameters:
        text = []
        for p in verb.parameters:
            text.extend(_parameter_text(p))
        first_row.append(Topic("Parameters", text))
    quals = [Topic(f"/{q.name}", _qualifier_text(q, verb, shown.replace("[NO]", "")))
             for q in sorted(verb.qualifiers, key=lambda q: q.name)]
    if quals:
        text = []
        for q in quals:
            text.extend([q.name, ""] + q.text)
        first_row.append(Topic("Qualifiers", text, children=quals))
    topic.children = first_row + quals
    topic.rows = [row for row in (first_row, quals) if row]
    return topic


def _lexicals_topic(lexicals: dict) -> Topic:
    subs = []
    for fname in sorted(lexicals):
        _function, low, high = lexicals[fname]
        args = ",".join(["argument"] * low)
        if high - low > 3:
            args += ("[," if args else "[") + "argument...]"
        else:
            for _n in range(high - low):
                args += "[,argument]" if args else "[argument]"
        count = f"{low}" if low == high else f"{low} to {high}"
        text = ["     Format", "", f"       {fname}({args})", "",
                f"     Takes {count} argument{'' if high == 1 else 's'}.", ""]
        subs.append(Topic(fname, text))
    text = ["     Lexical functions return information about strings, symbols, times,",
            "     files, logical names, the process and the system.  Their names begin",
            "     with F$; they are used in expressions.", ""]
    return Topic("Lexicals", text, children=subs)


def topics(dcl) -> Topic:
    """The whole help tree of an interpreter's command table."""
    children = [_verb_topic(name, dcl.table.get(name)) for name in dcl.table.names()]
    if dcl.lexicals:
        children.append(_lexicals_topic(dcl.lexicals))
    children.sort(key=lambda t: t.name.upper())
    return Topic("HELP", children=children)


# ---------------------------------------------------------------------------------------------
# Showing topics.
# ---------------------------------------------------------------------------------------------
_TOKEN = re.compile(r"/?[^\s/]+")


def _tokens(text: str) -> list[str]:
    return [t.upper() for t in _TOKEN.findall(text or "")]


def _matches(topic: Topic, token: str) -> list[Topic]:
    if "*" in token or "%" in token:
        pattern = re.compile("".join(".*" if c == "*" else "." if c == "%" else re.escape(c)
                                     for c in token) + r"\Z")
        return [c for c in topic.children if pattern.match(c.name.upper())]
    exact = [c for c in topic.children if c.name.upper() == token]
    if exact:
        return exact[:1]
    return [c for c in topic.children if c.name.upper().startswith(token)]


def _additional(topic: Topic, heading: str = "Additional information available:") -> list[str]:
    lines = ["", f"  {heading}", ""]
    for row in topic.listing():
        lines.extend(columns([c.name for c in row]))
    lines.append("")
    return lines


def _screen(path: list[Topic]) -> list[str]:
    lines = [""]
    for depth, topic in enumerate(path[1:]):
        lines.append(" " * (INDENT * depth) + topic.name)
        lines.append("")
    topic = path[-1]
    lines.extend(topic.text)
    while lines and lines[-1] == "":
        lines.pop()
    if topic.children:
        lines.extend(_additional(topic))
    else:
        lines.append("")
    return lines


class _Help:
    def __init__(self, dcl):
        self.dcl = dcl
        self.root = topics(dcl)

    def write(self, lines: list[str]) -> None:
        for line in lines:
            self.dcl.write(line)

    def show(self, path: list[Topic], tokens: list[str]) -> list[Topic]:
        """Show what the tokens name below path; the path to prompt at afterwards."""
        if not tokens:
            self.write(_screen(path) if len(path) > 1 else self.top_screen())
            return path
        found = _matches(path[-1], tokens[0])
        if not found:
            names = " ".join([t.name for t in path[1:]] + tokens)
            self.write(["", f"  Sorry, no documentation on {names}"] + _additional(path[-1]))
            return path
        last = path
        for topic in found:
            last = self.show(path + [topic], tokens[1:])
        if len(found) > 1:
            return path
        return last if last[-1].children else last[:-1]

    def top_screen(self) -> list[str]:
        return _additional(self.root, "Information available:")

    def prompt_loop(self, path: list[Topic]) -> None:
        while True:
            names = " ".join(t.name for t in path[1:])
            prompt = f"{names} Subtopic? " if names else "Topic? "
            answer = self.dcl.read_line(prompt)
            if answer is None:
                return
            answer = answer.strip(" \t")
            if not answer:
                if len(path) == 1:
                    return
                path = path[:-1]
                continue
            if answer == "?":
                self.write(_screen(path) if len(path) > 1 else self.top_screen())
                continue
            path = self.show(path, _tokens(answer))


def _prompting(dcl, cmd) -> bool:
    if cmd.present("PROMPT") is False:
        return False
    return (dcl.level.kind == INTERACTIVE and dcl.mode == "INTERACTIVE"
            and dcl.input is not None and dcl.levels[0].source.reader is not None)


def help_(dcl, cmd):
    helper = _Help(dcl)
    path = helper.show([helper.root], _tokens(cmd.param("TOPICS")))
    if _prompting(dcl, cmd):
        helper.prompt_loop(path)
    return C.SS_NORMAL


VERBS = [
    Verb("HELP", (Parameter("TOPICS", type=cld.REST),),
         (Qualifier("PROMPT", default=True),), handler=help_, image=True),
]
