"""Procedure levels: what DCL keeps for the interactive level, each ``@`` and each CALL.

A level runs records of a source within a region: the whole file for ``@`` (minus the bodies
of its subroutines), the body of the subroutine for CALL.  It owns its local symbols (P1..P8
among them), its ON setting (default ``ON ERROR THEN EXIT``, SET ON), its GOSUB return stack,
the labels it has seen, and its SYS$OUTPUT.

Control leaves a level by ``LevelExit`` (EXIT, ON ... THEN EXIT, end of the region) and all
levels at once by ``StopAll`` (STOP).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TextIO

from vmsenv.dcl.lexer import Source
from vmsenv.dcl.symbols import SymbolTable

INTERACTIVE, PROCEDURE, CALL = "interactive", "procedure", "call"
ON_THRESHOLDS = {"WARNING": 1, "ERROR": 2, "SEVERE_ERROR": 3}
# rank of a severity for ON: W=0 -> 1, E=2 -> 2, F=4 -> 3; S and I never fire
SEVERITY_RANK = {0: 1, 2: 2, 4: 3}


class LevelExit(Exception):  # noqa: N818 - a control transfer, not an error
    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


class StopAll(Exception):  # noqa: N818 - a control transfer, not an error
    pass


@dataclass
class Level:
    depth: int
    kind: str
    source: Source
    out: TextIO
    start: int = 0
    end: int | None = None              # record index that ends the region (ENDSUBROUTINE)
    pc: int = 0                         # next record to run
    current: int = -1                   # record being run
    procedure: str = ""                 # full spec of the procedure file
    scopes: list = field(default_factory=list)   # [(start, end)], innermost first, for CALL
    locals: SymbolTable = field(default_factory=SymbolTable)
    on_condition: str = "ERROR"
    on_action: str | None = None        # None: EXIT
    on_enabled: bool = True
    on_control_y: str | None = None
    gosubs: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)
    owns_out: bool = False
    in_data: bool = False               # SKPDAT already said for this run of data lines
    entering_else: int | None = None    # ELSE record a false block IF jumped to

    def on_severity(self) -> str:
        """F$ENVIRONMENT("ON_SEVERITY"): NONE under SET NOON, else the ON condition."""
        return self.on_condition if self.on_enabled else "NONE"
