"""TELNET [host [port]] [/PORT=n]: the TCP/IP Services TELNET client (see vmsenv.telnet).

The port is the second parameter or /PORT (the parameter wins when both are given [I]); the
default is 23. TELNET runs as an image: user-mode logical names are run down after it. At the
interactive level it reads the interpreter's input (the terminal, a pipe); in a procedure its
SYS$INPUT is the procedure, so the data lines after the command are what the user types. It
writes to the interpreter's output.
"""

from __future__ import annotations

from vmsenv import telnet as tn
from vmsenv.dcl.cld import REQUIRED, Parameter, Qualifier, Verb
from vmsenv.dcl.level import INTERACTIVE


def telnet(dcl, cmd) -> int:
    host = cmd.param("HOST")
    port = cmd.param("PORT")
    if port is None:
        port = cmd.value("PORT")
    port = tn.parse_port(port)
    lines = dcl.read_data_lines() if dcl.level.kind != INTERACTIVE else None
    return tn.telnet(dcl, None if host is None else str(host), port, lines)


VERBS = [
    Verb("TELNET",
         (Parameter("HOST"), Parameter("PORT")),
         (Qualifier("PORT", value=REQUIRED, negatable=False),),
         handler=telnet, image=True),
]
