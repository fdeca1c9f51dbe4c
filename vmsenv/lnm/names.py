"""The vocabulary of logical names: access modes, attribute bits, one entry, validation.

Values follow LNMDEF (facts A5): name attributes NO_ALIAS 1, CONFINE 2, CRELOG 4, TABLE 8,
CLUSTERWIDE 0x20000; translation (per value) attributes CONCEALED 0x100, TERMINAL 0x200.

An entry is one logical name at one access mode in one table. A logical-name *table* is itself an
entry (TABLE attribute, no equivalence strings) in one of the two directories. Entries are
immutable; a change replaces the entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from vmsenv import condition as cond

KERNEL, EXECUTIVE, SUPERVISOR, USER = 0, 1, 2, 3
MODE_NAMES = ("KERNEL", "EXECUTIVE", "SUPERVISOR", "USER")
MODE_TAGS = ("kernel", "exec", "super", "user")

NO_ALIAS = 0x1
CONFINE = 0x2
CRELOG = 0x4
TABLE = 0x8
CLUSTERWIDE = 0x20000
CONCEALED = 0x100
TERMINAL = 0x200

NAME_ATTRIBUTES = {"NO_ALIAS": NO_ALIAS, "CONFINE": CONFINE, "CRELOG": CRELOG, "TABLE": TABLE,
                   "CLUSTERWIDE": CLUSTERWIDE}
VALUE_ATTRIBUTES = {"CONCEALED": CONCEALED, "TERMINAL": TERMINAL}

PROCESS_DIRECTORY = "LNM$PROCESS_DIRECTORY"
SYSTEM_DIRECTORY = "LNM$SYSTEM_DIRECTORY"
PROCESS_TABLE = "LNM$PROCESS_TABLE"
SYSTEM_TABLE = "LNM$SYSTEM_TABLE"
SYSCLUSTER_TABLE = "LNM$SYSCLUSTER_TABLE"
DIRECTORIES = (PROCESS_DIRECTORY, SYSTEM_DIRECTORY)

MAX_LENGTH = 255          # LNM$C_NAMLENGTH
MAX_INDEX = 127           # LNM$_MAX_INDEX: 128 equivalence strings
MAX_DEPTH = 10            # LNM$C_MAXDEPTH
TABLE_NAME_LENGTH = 31    # LNM$C_TABNAMLEN


def mode_from_name(text: str) -> int:
    """USER, SUPERVISOR, EXECUTIVE, KERNEL (abbreviable, as F$TRNLNM accepts them)."""
    key = text.strip().upper()
    for number, name in enumerate(MODE_NAMES):
        if key and name.startswith(key):
            return number
    raise cond.VMSError(cond.CLI_IVKEYW, segment=key)


@dataclass(frozen=True, slots=True)
class Entry:
    """One logical name at one access mode in one table."""

    name: str
    table: str
    mode: int
    attr: int = 0
    values: tuple[tuple[str, int], ...] = ()
    parent: str | None = None     # tables only: the parent table
    quota: int = 0                # tables only

    @property
    def is_table(self) -> bool:
        return bool(self.attr & TABLE)

    @property
    def key(self) -> str:
        return self.name.upper()


def check_name(name: str) -> None:
    if not 1 <= len(name) <= MAX_LENGTH:
        raise cond.VMSError(cond.SS_IVLOGNAM)


def check_values(values: tuple[tuple[str, int], ...]) -> None:
    if len(values) > MAX_INDEX + 1:
        raise cond.VMSError(cond.SS_BADPARAM)
    for text, _ in values:
        if not 1 <= len(text) <= MAX_LENGTH:
            raise cond.VMSError(cond.SS_IVLOGNAM)


def check_table_name(name: str) -> None:
    if not 1 <= len(name) <= TABLE_NAME_LENGTH or not all(
            c.isalnum() or c in "$_" for c in name):
        raise cond.VMSError(cond.SS_IVLOGTAB)
