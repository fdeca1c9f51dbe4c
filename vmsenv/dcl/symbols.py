"""DCL symbol tables: one global table and one local table per procedure level.

Names are stored upper-case.  A name defined with an asterisk, ``SAY*IT``, may be abbreviated:
it answers to SAY, SAYI and SAYIT.  Lookup prefers an exact name, then an abbreviable one.

Choices where VMS is silent:
- assigning to a name that only matches an abbreviable symbol (``SAY = 1`` after ``SAY*IT``)
  creates a separate, exact symbol; the abbreviable one is kept;
- defining an abbreviable name replaces any symbol with the same full name.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from vmsenv.dcl.values import Value

RESERVED = ("$STATUS", "$SEVERITY")   # global strings DCL keeps itself
NAME_RE = re.compile(r"[A-Za-z$_][A-Za-z0-9$_]*\Z")
MAX_NAME = 255


@dataclass(slots=True)
class Symbol:
    name: str           # full name, upper-case, without the asterisk
    value: Value
    min_length: int     # shortest accepted abbreviation (len(name) when not abbreviable)

    @property
    def display_name(self) -> str:
        if self.min_length < len(self.name):
            return self.name[: self.min_length] + "*" + self.name[self.min_length:]
        return self.name


def split_definition(name: str) -> tuple[str, int]:
    """``"ab*cd"`` -> ("ABCD", 2); ``"x"`` -> ("X", 1).  Raises ValueError on a bad name."""
    upper = name.upper()
    if upper.count("*") > 1:
        raise ValueError(name)
    star = upper.find("*")
    full = upper.replace("*", "")
    if not NAME_RE.match(full) or star == 0:
        raise ValueError(name)
    return full, (star if star > 0 else len(full))


class SymbolTable:
    """One scope's symbols."""

    def __init__(self) -> None:
        self._symbols: dict[str, Symbol] = {}
        self._abbreviable: dict[str, Symbol] = {}

    def __len__(self) -> int:
        return len(self._symbols)

    def lookup(self, name: str) -> Symbol | None:
        """The symbol a name refers to (exact, then abbreviation), or None.

        The name is used as given: callers upper-case it (``&`` substitution does not).
        """
        found = self._symbols.get(name)
        if found is not None or not self._abbreviable:
            return found
        for symbol in self._abbreviable.values():
            if (symbol.min_length <= len(name) < len(symbol.name)
                    and symbol.name.startswith(name)):
                return symbol
        return None

    def get(self, name: str) -> Value | None:
        symbol = self.lookup(name)
        return None if symbol is None else symbol.value

    def define(self, name: str, value: Value) -> Symbol:
        """Define or replace a symbol; the name may carry an abbreviation asterisk."""
        full, min_length = split_definition(name)
        return self.define_split(full, min_length, value)

    def assign(self, full: str, min_length: int, value: Value) -> None:
        """``define`` with the name already split (split_definition): a symbol of that name
        and abbreviation gets the new value in place."""
        symbol = self._symbols.get(full)
        if symbol is not None and symbol.min_length == min_length:
            symbol.value = value
            return
        self.define_split(full, min_length, value)

    def define_split(self, full: str, min_length: int, value: Value) -> Symbol:
        symbol = Symbol(full, value, min_length)
        self._symbols[full] = symbol
        if min_length < len(full):
            self._abbreviable[full] = symbol
        else:
            self._abbreviable.pop(full, None)
        return symbol

    def delete(self, name: str) -> bool:
        symbol = self.lookup(name)
        if symbol is None:
            return False
        del self._symbols[symbol.name]
        self._abbreviable.pop(symbol.name, None)
        return True

    def clear(self) -> None:
        self._symbols.clear()
        self._abbreviable.clear()

    def matching(self, pattern: str = "*") -> list[Symbol]:
        """Symbols whose full name matches a wildcard pattern (``*`` and ``%``), sorted."""
        regex = fnmatch.translate(pattern.upper().replace("%", "?"))
        match = re.compile(regex).match
        return [s for _, s in sorted(self._symbols.items()) if match(s.name)]
