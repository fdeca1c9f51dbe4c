"""MAIL, SET BROADCAST and SHOW BROADCAST.

``MAIL`` alone runs the MAIL image (SYS$SYSTEM:MAIL.EXE, vmsenv.mail.utility) on the image's
SYS$INPUT: the terminal at the interactive level, the data lines that follow ``$ MAIL`` in a
procedure (its commands, as on VMS).  ``MAIL file recipient[,...] [/SUBJECT=text]`` sends the
file in one line, without entering the utility; ``NL:`` as the file sends an empty message and
``SYS$INPUT`` the data lines that follow (the terminal up to CTRL/Z when interactive).  A file
without recipients prompts ``_To: `` interactively (INSFPRM otherwise).  The command's status
is the utility's (%MAIL-E-NOSUCHUSR and the like, message inhibited).

``SET BROADCAST=(class[,...])`` enables or (``NOclass``) disables broadcast classes of the
session (ALL, NONE, DCL, GENERAL, MAIL, PHONE, QUEUE, SHUTDOWN, URGENT, USER1-USER16); with MAIL
disabled the session shows no ``New mail on node ...`` notices.  ``SET NOBROADCAST`` disables
every class and ``SET BROADCAST`` (without a value) enables them all again -- a vmsenv shorthand
for what SET TERMINAL/[NO]BROADCAST does on VMS.  ``SHOW BROADCAST`` lists the disabled classes
(``Broadcasts are currently disabled for:`` and the classes, or ``Broadcasts are currently
enabled for all classes.``) [I].
"""

from __future__ import annotations

import io

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.cld import OPTIONAL, Verb
from vmsenv.dcl.level import INTERACTIVE
from vmsenv.dcl.verbs.images import run_image
from vmsenv.mail import commands as mc
from vmsenv.mail import notify
from vmsenv.mail import utility as mu


class _DataLines:
    """A procedure's data lines as a file, read from the procedure only when first needed
    (MAIL file user must not eat the lines after it unless it reads SYS$INPUT)."""

    def __init__(self, dcl):
        self._dcl = dcl
        self._buffer: io.StringIO | None = None

    def _open(self) -> io.StringIO:
        if self._buffer is None:
            lines = self._dcl.read_data_lines()
            self._buffer = io.StringIO("".join(line + "\n" for line in lines))
        return self._buffer

    def readline(self) -> str:
        return self._open().readline()

    def isatty(self) -> bool:
        return False


def mail(dcl, cmd) -> int:
    if not cmd.params_of("FILE"):
        return run_image(dcl, "MAIL", default="SYS$SYSTEM:.EXE")
    stdin = dcl.input if dcl.level.kind == INTERACTIVE else _DataLines(dcl)
    if stdin is None:
        stdin = io.StringIO("")
    interactive = mu.interactive_input(dcl, stdin)
    session = mu.Session(dcl.process, stdin, dcl.out, interactive=interactive, dcl=dcl)
    try:
        return mc.one_line(session, cmd)
    except VMSError as err:
        if err.status >> 16 == 3:
            raise
        return session.signal(err)


def set_broadcast(dcl, cmd) -> int:
    if cmd.keyword_value is None:
        notify.set_broadcast(dcl, None, enable_all=not cmd.negated)
        return C.SS_NORMAL
    if cmd.negated:
        raise VMSError(C.CLI_NOVALU, segment="NOBROADCAST")
    try:
        notify.set_broadcast(dcl, cmd.keyword_value.split(","))
    except ValueError as bad:
        raise VMSError(C.CLI_IVKEYW, segment=str(bad)) from None
    return C.SS_NORMAL


def show_broadcast(dcl, cmd) -> int:
    off = notify.disabled_classes(dcl)
    if not off:
        dcl.write("Broadcasts are currently enabled for all classes.")
    else:
        dcl.write("Broadcasts are currently disabled for:")
        for name in off:
            dcl.write(f"  {name}")
    return C.SS_NORMAL


VERBS = [
    Verb("MAIL", mc.DCL_MAIL.parameters, mc.DCL_MAIL.qualifiers, handler=mail, image=True),
    Verb("SET", keywords=(Verb("BROADCAST", handler=set_broadcast, negatable=True,
                               value=OPTIONAL),)),
    Verb("SHOW", keywords=(Verb("BROADCAST", handler=show_broadcast),)),
]
