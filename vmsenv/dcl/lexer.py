"""Command records: procedure lines, continuation, comments, labels and block structure.

A procedure file is read as records.  A record is a command when its first non-blank
character is ``$``; other lines are data for the image that runs.  A command whose last
character (outside a comment) is ``-`` continues on the next physical line; the record keeps
every physical line, so SET VERIFY can echo them as written.

``!`` outside quotes starts a comment.  A label is the first item of a command: ``$ name:``
(letters, digits, ``$`` and ``_``; not followed by ``=``, which would be an assignment).

The structure of a procedure is indexed as records are added: which THEN / ELSE / ENDIF
records belong together (block IF), which SUBROUTINE / ENDSUBROUTINE records, and for each
record the chain of blocks enclosing it, used to refuse a GOTO into another IF block.
An interactive source has no file: it reads records through a callback as they are needed.
Each command record also keeps its body (without ``$``, label, comments and hyphens) and
whether it holds an apostrophe: a record without one needs no phase 1, and its body is used
as it is each time it runs.

Choices where VMS is silent: a comment may follow the continuation hyphen; a continuation
line's text is joined without removing its leading blanks; quote state does not carry over
from one physical line to the next; structure words are recognised by their first four
characters (``ENDS`` is ENDSUBROUTINE), like verbs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

_LABEL = re.compile(r"\s*([A-Za-z0-9$_]+)\s*:(?!=)")
_WORD = re.compile(r"\s*([A-Za-z$_][A-Za-z0-9$_]*)")
STRUCTURE_WORDS = ("IF", "THEN", "ELSE", "ENDIF", "SUBROUTINE", "ENDSUBROUTINE")


def strip_comment(line: str) -> str:
    """The line up to its first ``!`` outside quotes."""
    quoted = False
    for i, c in enumerate(line):
        if c == '"':
            quoted = not quoted
        elif c == "!" and not quoted:
            return line[:i]
    return line


def quoted_string(text: str, pos: int) -> tuple[str, int]:
    """The quoted string whose opening ``"`` is at ``text[pos]``: its content (``""`` inside
    read as one ``"``) and the index after its closing quote (the end of the text when it is
    not closed)."""
    out: list[str] = []
    end = pos + 1
    while end < len(text):
        if text[end] == '"':
            if text[end + 1:end + 2] != '"':
                return "".join(out), end + 1
            out.append('"')
            end += 2
            continue
        out.append(text[end])
        end += 1
    return "".join(out), end


def continues(line: str) -> bool:
    """True when a physical line ends (before any comment) with the ``-`` continuation."""
    return strip_comment(line).rstrip(" \t").endswith("-")


def join_lines(lines: list[str]) -> str:
    """Physical lines of one command -> one command text, comments and hyphens removed."""
    parts = []
    for n, line in enumerate(lines):
        text = strip_comment(line)
        if n < len(lines) - 1:
            text = text.rstrip(" \t")
            if text.endswith("-"):
                text = text[:-1]
        parts.append(text)
    return "".join(parts)


def command_body(text: str) -> str:
    """A joined command text without its leading blanks and ``$``."""
    text = text.lstrip(" \t")
    if text.startswith("$"):
        text = text[1:]
    return text


def split_label(body: str) -> tuple[str | None, str]:
    """(LABEL or None, the rest of the command)."""
    m = _LABEL.match(body)
    if not m:
        return None, body
    return m.group(1).upper(), body[m.end():]


def find_keyword(text: str, keyword: str) -> int:
    """Index of a keyword (e.g. THEN) as a word outside quotes, or -1."""
    quoted = False
    upper = text.upper()
    n = len(keyword)
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
            continue
        if quoted or upper[i:i + n] != keyword:
            continue
        before = text[i - 1] if i else " "
        after = text[i + n] if i + n < len(text) else " "
        if not (before.isalnum() or before in "$_") and not (after.isalnum() or after in "$_"):
            return i
    return -1


def structure_word(body: str) -> str:
    """IF / THEN / ELSE / ENDIF / SUBROUTINE / ENDSUBROUTINE when the command starts with one."""
    m = _WORD.match(body)
    if not m:
        return ""
    word = m.group(1).upper()
    rest = body[m.end():].lstrip(" \t")
    if rest.startswith("=") or rest.startswith(":=") or rest.startswith("["):
        return ""  # an assignment to a symbol of that name
    for keyword in STRUCTURE_WORDS:
        if keyword == word or (len(word) >= 4 and keyword.startswith(word[:4])
                               and keyword.startswith(word[:len(keyword)])):
            return keyword
    return ""


def foreign_command_line(text: str) -> str:
    """The command line a foreign command's image gets (LIB$GET_FOREIGN): upper-cased and with
    blank runs squeezed outside quotes; quoted parts kept as written, quotes included."""
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == '"':
            _, end = quoted_string(text, i)
            out.append(text[i:end])
            i = end
        elif c in " \t":
            while i < len(text) and text[i] in " \t":
                i += 1
            out.append(" ")
        else:
            out.append(c.upper())
            i += 1
    return "".join(out).strip(" ")


def squeeze_text(text: str) -> str:
    """The value of ``sym := text``: upper-cased, blanks squeezed, quoted parts kept."""
    out: list[str] = []
    i = 0
    blank = False
    while i < len(text):
        c = text[i]
        if c == '"':
            if blank and out:
                out.append(" ")
            blank = False
            content, i = quoted_string(text, i)
            out.append(content)
            continue
        if c in " \t":
            blank = True
        else:
            if blank and out:
                out.append(" ")
            blank = False
            out.append(c.upper())
        i += 1
    return "".join(out)


@dataclass
class Record:
    lines: list[str]
    command: bool = True
    label: str | None = None
    word: str = ""            # structure word, see structure_word()
    block_if: bool = False    # IF without THEN on the line: a block IF follows
    chain: tuple = ()         # indices of the THEN records of the blocks enclosing this one
    body: str = ""            # the command without $, label, comments and hyphens
    apostrophes: bool = False  # holds an apostrophe: phase 1 must run before ``body`` is used

    def __post_init__(self) -> None:
        if self.command:
            label, body = split_label(command_body(join_lines(self.lines)))
            self.label = label
            self.body = body
            self.apostrophes = any("'" in line for line in self.lines)
            self.word = structure_word(body)
            self.block_if = self.word == "IF" and find_keyword(body, "THEN") < 0

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def make_record(lines: list[str], command: bool = True) -> Record:
    return Record(list(lines), command)


def split_records(text: str) -> list[Record]:
    """A procedure file's text -> its records."""
    physical = text.split("\n")
    if physical and physical[-1] == "":
        physical.pop()
    records: list[Record] = []
    i = 0
    while i < len(physical):
        line = physical[i].rstrip("\r")
        i += 1
        if not line.lstrip(" \t").startswith("$"):
            records.append(make_record([line], command=False))
            continue
        lines = [line]
        while continues(lines[-1]) and i < len(physical):
            lines.append(physical[i].rstrip("\r"))
            i += 1
        records.append(make_record(lines))
    return records


@dataclass
class Source:
    """The records of one procedure file (or of the interactive level), with their structure."""

    spec: str = ""
    records: list = field(default_factory=list)
    reader: Callable[[], Record | None] | None = None
    else_of: dict = field(default_factory=dict)     # THEN index -> ELSE index
    endif_of: dict = field(default_factory=dict)    # THEN index -> ENDIF index
    then_of: dict = field(default_factory=dict)     # ELSE / ENDIF index -> THEN index
    endsub_of: dict = field(default_factory=dict)   # SUBROUTINE index -> ENDSUBROUTINE index
    _blocks: list = field(default_factory=list)
    _subs: list = field(default_factory=list)

    @classmethod
    def from_text(cls, spec: str, text: str) -> Source:
        source = cls(spec)
        for record in split_records(text):
            source.append(record)
        return source

    def append(self, record: Record) -> int:
        index = len(self.records)
        self.records.append(record)
        if record.command:
            word = record.word
            if word == "THEN":
                self._blocks.append(index)
            record.chain = tuple(self._blocks)
            if word == "ELSE" and self._blocks:
                self.else_of[self._blocks[-1]] = index
                self.then_of[index] = self._blocks[-1]
            elif word == "ENDIF" and self._blocks:
                then = self._blocks.pop()
                self.endif_of[then] = index
                self.then_of[index] = then
            elif word == "SUBROUTINE":
                self._subs.append(index)
            elif word == "ENDSUBROUTINE" and self._subs:
                self.endsub_of[self._subs.pop()] = index
        else:
            record.chain = tuple(self._blocks)
        return index

    def get(self, index: int) -> Record | None:
        """Record ``index``, reading more from an interactive reader when needed."""
        while index >= len(self.records):
            if self.reader is None:
                return None
            record = self.reader()
            if record is None:
                return None
            self.append(record)
        return self.records[index]

    def find_end(self, table: dict, start: int) -> int | None:
        """Read on until ``table[start]`` is known (or the input ends)."""
        n = start
        while start not in table:
            n += 1
            if self.get(n) is None:
                return None
        return table[start]
