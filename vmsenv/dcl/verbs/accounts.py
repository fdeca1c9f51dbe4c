"""SET PASSWORD: change the password of the process's own account.

Prompts as VMS does: `Old password: ` (checked at once, before the new one is asked for),
`New password: `, `Verification: `. On a terminal the answers are not echoed; from a procedure
they are the data lines that follow the command, one per prompt.
"""

from __future__ import annotations

import os
import termios

from vmsenv import authorize
from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.cld import Verb


def _secret(dcl, prompt: str, data: list[str] | None) -> str:
    if data is not None:
        return data.pop(0) if data else ""
    stream = dcl.input
    fd = stream.fileno() if stream is not None and hasattr(stream, "fileno") else -1
    if fd < 0 or not os.isatty(fd):
        answer = dcl.read_line(prompt)
        return "" if answer is None else answer
    old = termios.tcgetattr(fd)
    new = list(old)
    new[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSADRAIN, new)
    try:
        answer = dcl.read_line(prompt)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)
        dcl.out.write("\n")
    return "" if answer is None else answer


def set_password(dcl, cmd) -> int:
    data = None if dcl.depth == 0 else dcl.read_data_lines()
    old = _secret(dcl, "Old password: ", data)
    if not authorize.old_password_ok(dcl.process, old):
        raise VMSError(C.SET_PWDNOTVAL)
    new = _secret(dcl, "New password: ", data)
    verify = _secret(dcl, "Verification: ", data)
    authorize.set_password_command(dcl.process, old, new, verify)
    return C.SS_NORMAL


SET = Verb("SET", keywords=(Verb("PASSWORD", handler=set_password),))

VERBS = [SET]
