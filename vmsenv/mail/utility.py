"""The MAIL utility: ``MAIL> `` prompts over a user's mail file, and the DCL one-liner.

Entry points:

- ``image_main(ctx)``: the MAIL image (SYS$SYSTEM:MAIL.EXE, vmsenv.images).  Without arguments
  it is the interactive utility on the image's SYS$INPUT (the terminal, or a procedure's data
  lines); with arguments (``MCR MAIL file user``) it is the DCL command ``MAIL file user``.
- ``run_mail(process, stdin, stdout, ...)``: the utility itself, for a process.
- ``vmsenv.mail.commands.one_line(session, cmd)``: ``MAIL/SUBJECT="text" file user,...``
  (``NL:`` sends an empty body, ``SYS$INPUT`` the session's input), for the DCL verb.

The session (commands in vmsenv.mail.commands, declared as CLD data):

- On entry ``You have N new messages.`` (``1 new message``; nothing without new mail).  The
  current folder is NEWMAIL when it holds messages, MAIL otherwise.
- A folder's messages are numbered 1, 2, ... in arrival order when the folder is selected; the
  numbers stay while it is selected (new arrivals are added at the end when DIRECTORY or READ
  look again).  A message deleted or moved away keeps its number and shows ``(Deleted)``.
- Reading a message clears its NEW flag at once.  Messages read in NEWMAIL move to MAIL when
  another folder is selected and at the end of the session (EXIT, QUIT, end of input), as on
  VMS, where NEWMAIL vanishes once emptied.
- DELETE moves messages to WASTEBASKET (in WASTEBASKET it erases them); EXIT empties
  WASTEBASKET when AUTO_PURGE is set (the default), QUIT never does.
- An empty command line reads the next message, as RETURN does at a VMS ``MAIL>`` prompt.

Layouts (80 columns, from VMS MAIL; the READ header line as in a VMS MAIL screen, with the time
in hundredths as VMS MAIL V5 onwards shows it [I]):

    READ           ``    #2          29-NOV-2026 11:25:00.12                              NEWMAIL``
                   (``#`` and the number in 12 columns, the date in 11 right-aligned, a blank,
                   the time in 11, the folder right-aligned to column 80), then ``From:<TAB>``,
                   ``To:<TAB>``, ``CC:<TAB>`` (also when empty [I]), ``Subj:<TAB>`` lines, an
                   empty line and the body
    DIRECTORY      the folder right-aligned to column 80, ``    # From                 Date
                   Subject``, an empty line, then ``{n:>5} {from:<20.20} {date:>11}  {subject}``
                   (the subject cut at column 80); ``{n:>5} (Deleted)`` for a message gone

Prompts (``MAIL> ``, ``To:<TAB>``, ``Subj:<TAB>``, questions) are written only when the input is a
terminal, as LIB$GET_INPUT does; data lines in a procedure are read without them.  The body of
SEND, REPLY and FORWARD runs to the end of the input (CTRL/Z on a terminal), after ``Enter your
message below. Press CTRL/Z when complete, or CTRL/C to quit:`` on a terminal.  CTRL/C leaves
MAIL (the shell's interrupt), without sending; a blank To: line cancels SEND.

Addresses (vmsenv.mail.send) are checked as soon as the To: line is read and each one that fails
is reported (``%MAIL-E-NOSUCHUSR, no such user X``); when none is left nothing more is asked.
When some are good, a terminal is asked ``Do you want to send anyway (Y/N, default is N)?``
after the message; without a terminal nothing is sent.  Either way the status is the failure's.

Choices where VMS is silent or differs (all [I]):
- No paging (``Press RETURN for more...``): a message is shown whole.
- READ beyond the last message, NEXT at the end and BACK at the start give NOMOREMSG; reading
  a deleted message gives DELMSG; an empty folder, or one that does not exist, NOTEXIST.
- SHOW FOLDER says ``Your current folder is NAME.``, SHOW MAIL_DIRECTORY ``Your mail file
  directory is DEV:[DIR].``, SHOW AUTO_PURGE ``Automatic wastebasket purge on EXIT is
  enabled.`` (``disabled``); EXIT's purge is silent; PURGE prints DELMSGS only when it erased
  messages; PURGE/RECLAIM adds RECLPLSWAIT and DELSPACE with the bytes given back.
- EXTRACT writes the header lines (unless /NOHEADER), an empty line and the body bytes exactly,
  into a new version of the file (default type .TXT), and says ``%MAIL-S-CREATED``.
- FORWARD's body is the original message as EXTRACT writes it; its subject the original one
  unless /SUBJECT.  REPLY's subject is ``RE: `` and the original one; the reply goes to the
  From: address (so mail from SMTP or another node cannot be answered here: no transport).
- DELETE, MOVE and FILE clear the NEW flag of the messages they take away.
- MAIL's parse errors are the CLI's (``%CLI-W-IVVERB``), as AUTHORIZE's.

Not implemented: other mail files (SET FILE, the file parameter of MOVE/COPY), SEARCH, MARK,
PRINT, EDIT, SPAWN, ATTACH, SET FORWARD, SET PERSONAL_NAME, SET COPY_SELF, SET CC_PROMPT, the
keypad, DIRECTORY/START/SINCE/BEFORE, READ/EDIT, SEND/EDIT, distribution lists (@file).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from vmsenv import condition as cond
from vmsenv import uaf
from vmsenv.dcl import cld
from vmsenv.dcl.lexer import strip_comment
from vmsenv.mail import messages as mm
from vmsenv.mail import profile as mp
from vmsenv.mail import store as ms
from vmsenv.vmstime import format_ftime

PROMPT = "MAIL> "
WIDTH = 80
BODY_HELP = "Enter your message below. Press CTRL/Z when complete, or CTRL/C to quit:"
NULL_DEVICES = ("NL", "NLA0")
TERMINAL_INPUTS = ("SYS$INPUT", "SYS$COMMAND", "TT")


# ---------------------------------------------------------------------------------------------
# Displays (pure).
# ---------------------------------------------------------------------------------------------
def _date_time(info: ms.MessageInfo) -> tuple[str, str]:
    date, time = format_ftime(info.arrival).rsplit(" ", 1)
    return date, time


def header_lines(info: ms.MessageInfo) -> list[str]:
    """The four header lines MAIL shows and EXTRACT writes."""
    return [f"From:\t{info.vms_from}", f"To:\t{info.to}", f"CC:\t{info.cc}",
            f"Subj:\t{info.subject}"]


def body_lines(body: bytes) -> list[str]:
    """A body as display lines (Latin-1, a CR before LF dropped, a last line without LF kept)."""
    if not body:
        return []
    text = body.decode("latin-1")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def read_lines(info: ms.MessageInfo, body: bytes, number: int, folder: str) -> list[str]:
    """A message as READ shows it."""
    date, time = _date_time(info)
    top = f"    #{number:<11}{date:>11} {time:<11}"
    top += folder.rjust(WIDTH - len(top))
    return [top, *header_lines(info), "", *body_lines(body)]


def directory_lines(folder: str, rows: list[tuple[int, ms.MessageInfo | None]]) -> list[str]:
    """DIRECTORY's listing: rows of (number, info), info None for a message gone."""
    lines = [folder.rjust(WIDTH), "    # From                 Date         Subject", ""]
    for number, info in rows:
        if info is None:
            lines.append(f"{number:>5} (Deleted)")
            continue
        date, _ = _date_time(info)
        line = f"{number:>5} {info.vms_from[:20]:<20} {date:>11}  "
        lines.append(line + info.subject[:max(0, WIDTH - len(line))])
    return lines


def extract_bytes(info: ms.MessageInfo, body: bytes, header: bool = True) -> bytes:
    """A message as EXTRACT writes it."""
    if not header:
        return body
    head = "".join(line + "\n" for line in header_lines(info)) + "\n"
    return head.encode("latin-1", "replace") + body


def new_mail_line(count: int) -> str:
    if count == 0:
        return "You have no new messages."
    return f"You have {count} new message{'' if count == 1 else 's'}."


def folder_columns(names: list[str]) -> list[str]:
    """DIRECTORY/FOLDER: folder names in two columns of 40."""
    lines = []
    for i in range(0, len(names), 2):
        pair = names[i:i + 2]
        lines.append((pair[0].ljust(40) + (pair[1] if len(pair) > 1 else "")).rstrip())
    return lines


# ---------------------------------------------------------------------------------------------
# The session.
# ---------------------------------------------------------------------------------------------
class Session:
    """One MAIL session of a process (see the module docstring)."""

    def __init__(self, process, stdin: TextIO, stdout: TextIO, *, interactive: bool = False,
                 dcl=None):
        self.process = process
        self.root = process.root
        self.username = process.username
        self.stdin = stdin
        self.stdout = stdout
        self.interactive = interactive
        self.dcl = dcl
        self.status = cond.SS_NORMAL
        self.done = False
        self.purge_at_end = True        # EXIT and the end of input purge; QUIT does not
        self._mail: ms.MailFile | None = None
        self.folder = ms.MAIL
        self.selection: list[int] = []
        self.gone: set[int] = set()
        self.current = -1
        self.read_new: set[int] = set()

    # -- the account ------------------------------------------------------------------------
    @property
    def account(self) -> uaf.Account:
        account = uaf.get(self.root, self.username)
        if account is None:
            raise cond.VMSError(cond.MAIL_NOSUCHUSR, self.username)
        return account

    @property
    def profile(self) -> mp.Profile:
        return mp.get(self.root, self.username)

    # -- output -----------------------------------------------------------------------------
    def say(self, line: str = "") -> None:
        self.stdout.write(line + "\n")

    def says(self, lines: list[str]) -> None:
        self.stdout.write("".join(line + "\n" for line in lines))

    def signal(self, err: cond.VMSError | int, *args, cli: bool = False) -> int:
        err = err if isinstance(err, cond.VMSError) else cond.VMSError(err, *args)
        for line in err.lines():
            if cli and line[:5] in ("%DCL-", "-DCL-"):
                line = line[0] + "CLI" + line[4:]
            self.say(line)
        if err.status & 7 in (cond.WARNING, cond.ERROR, cond.SEVERE):
            return err.status | cond.INHIB_MSG
        return err.status

    # -- input ------------------------------------------------------------------------------
    def _terminal_reader(self):
        dcl = self.dcl
        if dcl is not None and self.interactive and self.stdin is getattr(dcl, "input", None):
            return dcl.read_line
        return None

    def read(self, prompt: str) -> str | None:
        """One line (None at the end of input); the prompt only on a terminal."""
        self.stdout.flush()
        reader = self._terminal_reader()
        if reader is not None:
            return reader(prompt)
        if self.interactive:
            self.stdout.write(prompt)
            self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            return None
        return line.rstrip("\n").rstrip("\r")

    def read_body(self) -> list[str]:
        """Message lines up to the end of the input (CTRL/Z)."""
        if self.interactive:
            self.say(BODY_HELP)
        self.stdout.flush()
        lines = []
        while True:
            line = self.stdin.readline()
            if not line:
                return lines
            lines.append(line.rstrip("\n").rstrip("\r"))

    def confirm(self, question: str) -> bool:
        answer = self.read(f"{question} (Y/N, default is N)? ")
        return answer is not None and answer.strip().upper().startswith("Y")

    # -- the mail file ----------------------------------------------------------------------
    def mail(self, create: bool = False) -> ms.MailFile | None:
        if self._mail is None:
            self._mail = mp.open_mail_file(self.root, self.account, create=create)
        return self._mail

    def close(self) -> None:
        if self._mail is not None:
            self._mail.close()
            self._mail = None

    # -- folders and selection --------------------------------------------------------------
    def refresh(self) -> None:
        """Add messages that arrived in the current folder since it was selected."""
        mail = self.mail()
        if mail is None:
            return
        known = set(self.selection)
        self.selection.extend(m.id for m in mail.list(self.folder) if m.id not in known)

    def leave_folder(self) -> None:
        """Read messages of NEWMAIL go to MAIL (when the folder is left)."""
        if self.folder == ms.NEWMAIL and self.read_new and self._mail is not None:
            ids = [m for m in self.selection if m in self.read_new and m not in self.gone]
            if ids:
                self._mail.move(ids, ms.MAIL, source=ms.NEWMAIL)
        self.read_new.clear()

    def select(self, folder: str) -> int:
        """Make a folder current; the number of its messages.  NOTEXIST when it has none."""
        mail = self.mail()
        found = mail.list(folder) if mail is not None else []
        if not found:
            raise cond.VMSError(cond.MAIL_NOTEXIST, folder)
        self.leave_folder()
        self.folder = folder
        self.selection = [m.id for m in found]
        self.gone = set()
        self.current = -1
        return len(found)

    def enter(self) -> None:
        """The state on entry: NEWMAIL when it has messages, else MAIL."""
        mail = self.mail()
        self.folder = ms.MAIL
        if mail is not None:
            for folder in (ms.NEWMAIL, ms.MAIL):
                found = mail.list(folder)
                if found:
                    self.folder = folder
                    self.selection = [m.id for m in found]
                    break

    def live(self) -> list[int]:
        """Indexes of the selection's messages that are still there."""
        return [i for i, mid in enumerate(self.selection) if mid not in self.gone]

    def index_of(self, number_text: str) -> int:
        """A message number (1-based) as an index of the selection."""
        try:
            number = int(str(number_text), 10)
        except ValueError:
            raise cond.VMSError(cond.CLI_NUMBER, segment=str(number_text)) from None
        if not self.selection:
            raise cond.VMSError(cond.MAIL_NOTEXIST, self.folder)
        if number < 1 or number > len(self.selection):
            raise cond.VMSError(mm.MAIL_NOMOREMSG)
        return number - 1

    def current_id(self) -> int:
        if self.current < 0 or self.current >= len(self.selection):
            raise cond.VMSError(mm.MAIL_NOTREADIN)
        mid = self.selection[self.current]
        if mid in self.gone:
            raise cond.VMSError(mm.MAIL_DELMSG)
        return mid

    def show(self, index: int) -> int:
        """READ one message of the selection."""
        mid = self.selection[index]
        if mid in self.gone:
            raise cond.VMSError(mm.MAIL_DELMSG)
        mail = self.mail()
        try:
            info = mail.info(mid)
            body = mail.read(mid)
        except cond.VMSError as err:
            if err.status == cond.MAIL_NOSUCHMSG:
                self.gone.add(mid)
                raise cond.VMSError(cond.MAIL_NOSUCHMSG, str(index + 1)) from None
            raise
        self.current = index
        self.says(read_lines(info, body, index + 1, self.folder))
        if info.is_new:
            mail.mark_read([mid])
        if self.folder == ms.NEWMAIL:
            self.read_new.add(mid)
        return cond.SS_NORMAL

    def take_away(self, ids: list[int]) -> None:
        """Messages deleted or moved out of the current folder."""
        self.gone.update(ids)
        self.read_new.difference_update(ids)

    # -- the end ----------------------------------------------------------------------------
    def finish(self, purge: bool) -> None:
        try:
            self.leave_folder()
            if purge and self._mail is not None and self.profile.auto_purge:
                self._mail.purge()
        finally:
            self.close()


# ---------------------------------------------------------------------------------------------
# Running.
# ---------------------------------------------------------------------------------------------
def execute(session: Session, line: str) -> int:
    """Run one MAIL command line; its status (INHIB_MSG set when a message was shown)."""
    from vmsenv.mail import commands

    text = strip_comment(line).strip()
    if not text:
        text = "READ"
    token, rest = commands.split_verb(text)
    try:
        if not token:
            raise cond.VMSError(cond.CLI_NOCOMD)
        verb = commands.COMMANDS.lookup(token)
        cmd = _parse(session, verb, rest)
    except cond.VMSError as err:
        return session.signal(err, cli=True)
    try:
        status = cmd.verb.handler(session, cmd)
    except cond.VMSError as err:
        return session.signal(err, cli=err.status >> 16 == 3)
    return cond.SS_NORMAL if status is None else status


def _parse(session: Session, verb: cld.Verb, rest: str):
    while True:
        try:
            return cld.parse(verb, rest, verb.name)
        except cld.MissingParameter as missing:
            answer = session.read(f"_{missing.parameter.prompt or missing.parameter.label}: ")
            if answer is None or not answer.strip():
                raise
            rest = rest + " " + strip_comment(answer).strip()


def run_mail(process, stdin: TextIO, stdout: TextIO, *, interactive: bool = False,
             dcl=None) -> int:
    """The MAIL utility until EXIT, QUIT or the end of the input; the last command's status."""
    session = Session(process, stdin, stdout, interactive=interactive, dcl=dcl)
    try:
        try:
            mail = session.mail()
            count = mail.new_mail_count() if mail is not None else 0
            if count:
                session.say(new_mail_line(count))
            session.enter()
        except cond.VMSError as err:
            session.status = session.signal(err)
        while not session.done:
            line = session.read(PROMPT)
            if line is None:
                break
            session.status = execute(session, line)
        session.finish(session.purge_at_end)
    except cond.VMSError as err:
        session.status = session.signal(err)
    finally:
        session.close()         # also when CTRL/C or CTRL/Y leaves MAIL: nothing half done
    stdout.flush()
    return session.status


def is_terminal(stream) -> bool:
    """Whether an input stream is a terminal (prompts are written only then)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def interactive_input(dcl, stdin) -> bool:
    """Whether MAIL run by an interpreter on stdin talks to a terminal: the interactive level
    of an interactive process, reading a terminal."""
    if dcl is not None:
        from vmsenv.dcl.level import INTERACTIVE

        if dcl.level.kind != INTERACTIVE or getattr(dcl, "mode", "") != "INTERACTIVE":
            return False
    return is_terminal(stdin)


def image_main(ctx) -> int:
    """The MAIL image: ``MAIL`` (the utility) or ``MCR MAIL file user`` (one message)."""
    stdin = ctx.stdin if ctx.stdin is not None else sys.stdin
    stdout = ctx.stdout if ctx.stdout is not None else sys.stdout
    interactive = interactive_input(ctx.dcl, stdin)
    if ctx.args and ctx.args.strip():
        from vmsenv.mail import commands

        session = Session(ctx.process, stdin, stdout, interactive=interactive, dcl=ctx.dcl)
        try:
            cmd = cld.parse(commands.DCL_MAIL, ctx.args, "MAIL")
            return commands.one_line(session, cmd)
        except cond.VMSError as err:
            return session.signal(err, cli=err.status >> 16 == 3)
    return run_mail(ctx.process, stdin, stdout, interactive=interactive, dcl=ctx.dcl)


# ---------------------------------------------------------------------------------------------
# Sending a file (MAIL file user).
# ---------------------------------------------------------------------------------------------
def body_source(process, spec: str) -> str:
    """How a MAIL file parameter is read: "null" (NL:), "input" (SYS$INPUT, TT:) or "file"."""
    device = spec.strip().upper().lstrip("_")
    bare = device.rstrip(":")
    if device.endswith(":") and bare in NULL_DEVICES:
        return "null"
    if bare in TERMINAL_INPUTS and (device.endswith(":") or "." not in bare):
        return "input"
    return "file"


def read_file_body(process, spec: str) -> bytes:
    """The bytes of the file a message is sent from (default type .TXT)."""
    from vmsenv.files import FileError

    try:
        name, path = process.resolve_file(spec, ".TXT")
    except FileError as err:
        raise cond.VMSError(cond.MAIL_OPENIN, err.spec, secondary=[err.status]) from None
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise cond.VMSError(cond.MAIL_OPENIN, name,
                            secondary=[cond.VMSError(cond.VMSENV_HOSTERR, str(exc))]) from None


__all__ = ["PROMPT", "Session", "run_mail", "image_main", "execute", "read_lines",
           "directory_lines", "header_lines", "body_lines", "extract_bytes", "new_mail_line",
           "folder_columns", "body_source", "read_file_body", "BODY_HELP", "is_terminal",
           "interactive_input"]
