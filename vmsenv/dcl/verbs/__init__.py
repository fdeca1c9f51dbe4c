"""DCL verbs, one module per family.

Each module listed in MODULES declares, at module level:

- ``VERBS``: a list of ``vmsenv.dcl.cld.Verb`` (handlers ``handler(dcl, cmd) -> int | None``);
  several modules may declare the same keyword verb (SHOW, SET) or add ``syntax=`` qualifiers
  to the same verb: the command table merges them;
- ``LEXICALS``: a dict ``"F$NAME" -> (function, min_args, max_args)``, functions
  ``function(dcl, args) -> str | int`` with args already evaluated (None when omitted).
"""

from __future__ import annotations

import importlib

from vmsenv.dcl.cld import CommandTable

MODULES = (
    "control",
    "symbols",
    "write",
    "session",
    "strings",
    "times",
    "logicals",
    "directories",
    "images",
    "accounts",
    "files",
    "fileio",
    "telnet",
    "opcom",
    "system",
    "help",
    "tcpip",
    "processes",
    "mail",
)


def load(modules=None) -> tuple[CommandTable, dict]:
    """The command table and the lexical functions of the given modules (default MODULES)."""
    table = CommandTable()
    lexicals: dict = {}
    for name in MODULES if modules is None else modules:
        module = importlib.import_module(f"{__name__}.{name}")
        for verb in getattr(module, "VERBS", ()):
            table.add(verb)
        for fname, entry in getattr(module, "LEXICALS", {}).items():
            if fname in lexicals:
                raise ValueError(f"lexical function {fname} defined twice")
            lexicals[fname] = entry
    return table, lexicals
