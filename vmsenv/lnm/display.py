"""SHOW LOGICAL and SHOW TRANSLATION output, byte for byte as OpenVMS prints it (facts A6).

Single-name form (three spaces, then the iteration level and two spaces for names reached by
following an equivalence):
       "VPT_THREE" = "VPT_TWO" (LNM$PROCESS_TABLE)
    1  "VPT_TWO" = "VPT_ONE" (LNM$PROCESS_TABLE)
    <TAB>= "next value of a search list"
/FULL adds the mode and name attributes after the name ([super,confine,no_alias]) and the
translation attributes after each value ([concealed,terminal]); a table shows the value "" with
[terminal]. Without /FULL a [mode] tag appears only when the same name exists at several modes
of one table.

Following: after a name's values, each value that is a bare name (an optional trailing colon
allowed) and not TERMINAL is looked up again in the same table list, one level deeper, depth
first, at most 10 levels (a loop cannot hang).

Listing form (SHOW LOGICAL with a wildcard or no name): each table as a blank line and
"(TABLE)", then, when it has entries, a blank line and the entries indented two spaces, sorted;
no following.
"""

from __future__ import annotations

import re

from vmsenv.lnm import names as N
from vmsenv.lnm.names import Entry

_BARE = re.compile(r"^[A-Za-z0-9$_-]+:?$")
_NAME_ATTR_TAGS = ((N.CLUSTERWIDE, "clusterwide"), (N.CONFINE, "confine"), (N.CRELOG, "crelog"),
                   (N.NO_ALIAS, "no_alias"), (N.TABLE, "table"))
_VALUE_ATTR_TAGS = ((N.CONCEALED, "concealed"), (N.TERMINAL, "terminal"))


def _name_tags(entry: Entry, full: bool, mode_tag: bool) -> str:
    if not full:
        return f" [{N.MODE_TAGS[entry.mode]}]" if mode_tag else ""
    tags = [N.MODE_TAGS[entry.mode]] + [t for bit, t in _NAME_ATTR_TAGS if entry.attr & bit]
    return f" [{','.join(tags)}]"


def _value_tags(attr: int, full: bool) -> str:
    if not full:
        return ""
    tags = [t for bit, t in _VALUE_ATTR_TAGS if attr & bit]
    return f" [{','.join(tags)}]" if tags else ""


def _values(entry: Entry) -> tuple[tuple[str, int], ...]:
    return entry.values if entry.values else (("", N.TERMINAL),)


def entry_lines(entry: Entry, *, full: bool = False, level: int | None = None,
                listing: bool = False, mode_tag: bool = False) -> list[str]:
    values = _values(entry)
    first_text, first_attr = values[0]
    if listing:
        head = "  "
        tail = ""
    else:
        head = "   " if level is None or level == 0 else f"{level}  "
        tail = f" ({entry.table})"
    lines = [f'{head}"{entry.name}"{_name_tags(entry, full, mode_tag)} = '
             f'"{first_text}"{_value_tags(first_attr, full)}{tail}']
    lines += [f'\t= "{text}"{_value_tags(attr, full)}' for text, attr in values[1:]]
    return lines


def followed(entry: Entry, lookup, *, full: bool, level: int = 0,
             mode_tag: bool = False) -> list[str]:
    """The lines of entry and of every name its equivalences lead to (single-name form).
    lookup(name) returns the Entry that answers for name in the same table list, or None."""
    lines = entry_lines(entry, full=full, level=level, mode_tag=mode_tag)
    if level >= N.MAX_DEPTH:
        return lines
    for text, attr in entry.values:
        if attr & N.TERMINAL or not _BARE.match(text):
            continue
        target = lookup(text[:-1] if text.endswith(":") else text)
        if target is not None:
            lines += followed(target, lookup, full=full, level=level + 1)
    return lines


def table_listing(table: str, entries: list[Entry], *, full: bool = False) -> list[str]:
    lines = ["", f"({table})"]
    if entries:
        lines.append("")
        modes: dict[str, int] = {}
        for e in entries:
            modes[e.name] = modes.get(e.name, 0) + 1
        for e in entries:
            lines += entry_lines(e, full=full, listing=True, mode_tag=modes[e.name] > 1)
    return lines


def translation_line(name: str, entry: Entry) -> str:
    """SHOW TRANSLATION: the first match, one level, the name unquoted."""
    text = _values(entry)[0][0]
    return f'   {name} = "{text}" ({entry.table})'
