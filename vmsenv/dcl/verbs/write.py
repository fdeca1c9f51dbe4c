"""WRITE logical-name expression[,...]

The expressions are evaluated and their values joined with nothing between them (integers
in decimal); ``""`` writes an empty record.  SYS$OUTPUT and SYS$ERROR (with or without a
trailing colon) write to this interpreter's output; a logical name that DCL has opened (an
entry of ``dcl.files``, whose object has ``write_record(text)``) writes a record there.
Anything else gives %DCL-W-UNDFIL, or branches to the /ERROR label silently keeping that
status.  $STATUS after a write is %X00010001 (RMS$_NORMAL).

/SYMBOL is accepted: it only changes how VMS buffers long records, which does not arise here.
/UPDATE replaces the last record read from a DCL file (its ``update_record(text)``); it has no
effect on SYS$OUTPUT and SYS$ERROR.
Choices where VMS is silent: SYS$ERROR goes to the same stream as SYS$OUTPUT.
"""

from __future__ import annotations

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.cld import EXPRESSION, REQUIRED, Parameter, Qualifier, Verb
from vmsenv.dcl.values import to_str

TERMINAL_NAMES = ("SYS$OUTPUT", "SYS$ERROR")


def write(dcl, cmd):
    name = cmd.param("LOGICAL_NAME").upper().rstrip(":")
    text = "".join(to_str(v) for v in cmd.param_values("EXPRESSION"))
    try:
        target = dcl.files.get(name)
        if target is not None:
            if cmd.present("UPDATE"):
                target.update_record(text)
            else:
                target.write_record(text)
        elif name in TERMINAL_NAMES:
            dcl.write(text)
        else:
            raise VMSError(C.CLI_UNDFIL)
    except VMSError as err:
        label = cmd.value("ERROR")
        if label is None:
            raise
        dcl.status = err.status
        dcl.goto(label)
        return None
    return C.RMS_NORMAL


VERBS = [
    Verb("WRITE",
         (Parameter("LOGICAL_NAME", required=True, prompt="Log_name"),
          Parameter("EXPRESSION", required=True, list=True, type=EXPRESSION,
                    prompt="Expression")),
         (Qualifier("SYMBOL"), Qualifier("UPDATE"),
          Qualifier("ERROR", value=REQUIRED, negatable=False)),
         handler=write),
]
