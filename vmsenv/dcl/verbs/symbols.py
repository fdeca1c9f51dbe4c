"""Symbol verbs: SHOW SYMBOL, DELETE/SYMBOL; lexical F$TYPE.

SHOW SYMBOL lines (facts C3):

    ``  A = 7   Hex = 00000007  Octal = 00000000007``   an integer (8 hex, 11 octal digits of
                                                         its 32-bit pattern)
    ``  B = "7"``                                         a string
    ``  G == 1   Hex = ...``                              a global
    ``  AB*CD = ...``                                     an abbreviable name

``SHOW SYMBOL name`` searches this level's locals, the outer levels' locals, then the globals;
/LOCAL only this level, /GLOBAL only the globals.  /ALL or a wildcard name (``*``, ``%``) lists
the chosen table in name order (locals of this level by default); the global list includes
the reserved $SEVERITY and $STATUS.  An undefined name gives UNDSYM with no segment line.

DELETE/SYMBOL removes a local symbol of this level (/GLOBAL a global one; /ALL every symbol
of that table).  $STATUS and $SEVERITY cannot be deleted (PERMSYM).

Choices where VMS is silent: DELETE/SYMBOL of an undefined name gives UNDSYM without a segment
line, as SHOW SYMBOL does; a quoted value is shown between quotes as it is, without doubling
inner quotes.
"""

from __future__ import annotations

import fnmatch
import re

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.cld import Parameter, Qualifier, Verb
from vmsenv.dcl.symbols import RESERVED, Symbol
from vmsenv.dcl.values import is_numeric


def format_symbol(name: str, value, is_global: bool) -> str:
    op = "==" if is_global else "="
    if isinstance(value, int):
        bits = value & 0xFFFFFFFF
        return f"  {name} {op} {value}   Hex = {bits:08X}  Octal = {bits:011o}"
    return f'  {name} {op} "{value}"'


def _reserved(dcl) -> list[Symbol]:
    return [Symbol(name, dcl.lookup_symbol(name), len(name)) for name in RESERVED]


def _wildcard(name: str) -> bool:
    return "*" in name or "%" in name


def _table_listing(dcl, scope: str | None, pattern: str) -> list[tuple[Symbol, bool]]:
    if scope == "GLOBAL":
        regex = re.compile(fnmatch.translate(pattern.upper().replace("%", "?")))
        reserved = [s for s in _reserved(dcl) if regex.match(s.name)]
        table = [s for s in dcl.globals.matching(pattern) if s.name not in RESERVED]
        return [(s, True) for s in sorted(reserved + table, key=lambda s: s.name)]
    return [(s, False) for s in dcl.level.locals.matching(pattern)]


def show_symbol(dcl, cmd):
    name = cmd.param("SYMBOL")
    scope = cmd.choice("SCOPE")
    if name is None and not cmd.present("ALL"):
        raise VMSError(C.CLI_INSFPRM)
    if name is None or _wildcard(name) or cmd.present("ALL"):
        listing = _table_listing(dcl, scope, name or "*")
        if not listing and name is not None:
            raise VMSError(C.CLI_UNDSYM)
        for symbol, is_global in listing:
            dcl.write(format_symbol(symbol.display_name, symbol.value, is_global))
        return C.CLI_NORMAL
    key = name.upper()
    found: tuple[Symbol, bool] | None
    if key in RESERVED and scope != "LOCAL":
        found = (Symbol(key, dcl.lookup_symbol(key), len(key)), True)
    elif scope == "LOCAL":
        symbol = dcl.level.locals.lookup(key)
        found = (symbol, False) if symbol is not None else None
    elif scope == "GLOBAL":
        symbol = dcl.globals.lookup(key)
        found = (symbol, True) if symbol is not None else None
    else:
        found = dcl.find_symbol(key)
    if found is None:
        raise VMSError(C.CLI_UNDSYM)
    symbol, is_global = found
    dcl.write(format_symbol(symbol.display_name, symbol.value, is_global))
    return C.CLI_NORMAL


def delete_symbol(dcl, cmd):
    name = cmd.param("SYMBOL")
    table = dcl.globals if cmd.choice("SCOPE") == "GLOBAL" else dcl.level.locals
    if cmd.present("ALL"):
        table.clear()
        return C.CLI_NORMAL
    if name is None:
        raise VMSError(C.CLI_INSFPRM)
    key = name.upper()
    if key in RESERVED:
        raise VMSError(C.CLI_PERMSYM)
    if not table.delete(key):
        raise VMSError(C.CLI_UNDSYM)
    return C.CLI_NORMAL


def f_type(dcl, args):
    value = dcl.lookup_symbol(args[0])
    if value is None:
        return ""
    if isinstance(value, int) or is_numeric(value):
        return "INTEGER"
    return "STRING"


f_type.symbol_name_argument = True

_SCOPE = (Qualifier("LOCAL", group="SCOPE"), Qualifier("GLOBAL", group="SCOPE"),
          Qualifier("ALL"))

DELETE_SYMBOL = Verb(
    "DELETE", (Parameter("SYMBOL", prompt="Symbol"),),
    (Qualifier("SYMBOL", negatable=False),) + _SCOPE, handler=delete_symbol)

VERBS = [
    Verb("SHOW", keywords=(
        Verb("SYMBOL", (Parameter("SYMBOL"),), _SCOPE, handler=show_symbol),
    )),
    Verb("DELETE", qualifiers=(Qualifier("SYMBOL", negatable=False, syntax=DELETE_SYMBOL),)),
]

LEXICALS = {
    "F$TYPE": (f_type, 1, 1),
}
