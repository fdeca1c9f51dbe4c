"""A scripted interactive DCL session, driven through a pseudo-terminal with pexpect.

    from vmsenv.testing import DclSession

    with DclSession("/path/to/root", user="SYSTEM") as dcl:
        output, status = dcl.run("SHOW DEFAULT")
        dcl.send_line("MCR AUTHORIZE")
        dcl.expect_prompt("UAF> ")
        text = dcl.converse("SHOW SYSTEM", "UAF> ")
        dcl.converse("EXIT", dcl.prompt)
        dcl.logout()

The child is the ``dcl`` shell of this very installation (``python -m vmsenv.dcl.cli`` with the
interpreter and the ``vmsenv`` package the caller uses), on a pseudo-terminal of 24 x 80
characters, with ``TERM=dumb`` so that no escape sequences appear: what a session returns is the
plain text a terminal would show, lines ending in ``\\n`` (the terminal's CR LF made one
newline).

How ``run(command)`` works, and what it costs (choices of this module):

1. The command line is sent and the ``$ `` prompt awaited: a prompt is ``$ `` at the start of a
   line.  A command that itself reads from the terminal (INQUIRE, MCR AUTHORIZE, MAIL, TELNET)
   never brings the prompt back and ``run`` times out with ``DclTimeout``: drive such programs
   with ``send_line`` and ``expect_prompt`` / ``converse``.
2. The final $STATUS is then read by a hidden ``WRITE SYS$OUTPUT`` of a marker, a random token
   and ``$STATUS``, and parsed as the integer it shows (``%X00038090`` -> 0x38090).
3. That WRITE itself sets $STATUS (to %X00010001), so a hidden ``EXIT %Xnnnnnnnn`` follows: at the
   interactive level EXIT only stores its value in $STATUS (and $SEVERITY), so the next command
   sees exactly the $STATUS the user's command left, bit 28 (message inhibited) included.  An
   error or warning value without bit 28 makes that EXIT display its message again; the hidden
   commands' output is dropped, so the caller never sees it.
4. The output returned is everything the terminal showed after the echo of the command line and
   before the next prompt: the command's output only, with its final newline (``""`` when the
   command printed nothing).  A ``$ `` at the start of a line inside the output (TYPE of a
   procedure) cannot fool it: the status marker, not the prompt, ends the output.

So the session's symbols, logical names, default directory and $STATUS / $SEVERITY are what the
user's commands made them.  What the hidden commands do leave behind: they are command lines
typed at the ``$`` prompt, so they are in the recall list (up arrow, RECALL); and they need the
verbs WRITE and EXIT to mean themselves (no symbols named WRITE or EXIT) and SYS$OUTPUT to be the
terminal.  After ``SET PROMPT``, set ``session.prompt`` to the new prompt (before running the
SET PROMPT command, since its own completion shows the new prompt).

Other methods: ``start(command)`` (type a command and return while it runs), ``send_line``,
``send``, ``send_control("Z")``, ``expect_prompt(prompt)``, ``expect(regex)``,
``expect_exact(text)``, ``converse(line, prompt)`` (a line to a program at its prompt, its
answer without the echo), ``read_status()``, ``interrupt()`` (CTRL/Y), ``logout()``,
``wait_eof()``, ``telnet(host, port)`` / ``telnet_quit()``, ``close()``.

A multi-line ``run("A -\\nB")`` sends continuation lines one by one, each after the ``_$ ``
prompt; every line but the last must end with the ``-`` continuation, the last must not.

Closing (``close()``, the end of a ``with`` block, garbage collection or the end of the Python
process) ends the child if it still runs: SIGTERM first (the shell restores the terminal and
logs the process out), SIGKILL after ``grace`` seconds.  Detached processes the session started
(RUN/DETACHED) are VMS processes of their own and outlive it, as on VMS.

Output is decoded as UTF-8 with ``surrogateescape``, so bytes that are not UTF-8 (8-bit text
relayed by TELNET) survive as lone surrogates and can be recovered with
``text.encode("utf-8", "surrogateescape")``.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import sys
import time
import weakref
from pathlib import Path

import pexpect

from vmsenv.dcl.lexer import continues

PROMPT = "$ "
CONTINUATION_PROMPT = "_$ "
UAF_PROMPT = "UAF> "
MAIL_PROMPT = "MAIL> "
TELNET_PROMPT = "TELNET> "

LOGOUT_RE = re.compile(r"  (\S+) +logged out at +(\d{1,2}-[A-Z]{3}-\d{4} \d\d:\d\d:\d\d\.\d\d)\r?\n")
TELNET_SESSION_RE = re.compile(r"%TELNET-I-SESSION, Session \d+, host [^\r\n]*, port \d+\r?\n")

_PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent.parent)
_CRLF = re.compile(r"\r+\n")
_LINE_END = re.compile(r"\r*\n")
_CONTROL_KEYS = {"Y": "\x19", "C": "\x03", "Z": "\x1a"}


class DclSessionError(Exception):
    """The session did not behave as expected; ``text`` is what the terminal showed."""

    def __init__(self, message: str, text: str = ""):
        super().__init__(f"{message}\n--- terminal ---\n{text}" if text else message)
        self.text = text


class DclTimeout(DclSessionError):
    """An expected prompt or text did not come in time (``interrupt()`` may recover)."""


class DclCommandError(DclSessionError):
    """``run(..., check=True)`` of a command whose final $STATUS is not a success."""

    def __init__(self, command: str, output: str, status: int):
        super().__init__(f"{command!r} ended with $STATUS %X{status:08X}", output)
        self.command = command
        self.output = output
        self.status = status


def normalize(text: str) -> str:
    """Terminal text as lines: CR LF (and CR CR LF) -> ``\\n``."""
    return _CRLF.sub("\n", text)


def _drop_first_line(text: str) -> str:
    cut = text.find("\n")
    return "" if cut < 0 else text[cut + 1:]


def _drop_last_line(text: str) -> str:
    """Text up to and including the newline before its last line (the last line ends it)."""
    if text.endswith("\n"):
        text = text[:-1]
    text = text.rstrip("\r")
    cut = text.rfind("\n")
    return "" if cut < 0 else text[:cut + 1]


def _wait_exit(child: pexpect.spawn, seconds: float) -> bool:
    """Poll until the child has exited (True) or seconds have passed (False)."""
    deadline = time.monotonic() + seconds
    while child.isalive():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)
    return True


def _reap(child: pexpect.spawn, grace: float) -> None:
    """End the child: SIGTERM, then SIGKILL after grace seconds; close the terminal."""
    try:
        if child.isalive():
            for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
                try:
                    os.kill(child.pid, sig)
                except ProcessLookupError:
                    pass
                if _wait_exit(child, wait):
                    break
        child.close(force=True)
    except Exception:  # noqa: BLE001 - cleanup of a child that is gone or going
        pass


def dcl_command(root: str | os.PathLike, user: str = "SYSTEM",
                privileges: str | None = None) -> list[str]:
    """The argument vector that starts this installation's dcl shell."""
    argv = [sys.executable, "-m", "vmsenv.dcl.cli", "--root", os.fspath(root), "--user", user]
    if privileges is not None:
        argv.append(f"--privileges={privileges}")
    return argv


class DclSession:
    """An interactive ``dcl`` for one user of a root, on a pseudo-terminal.

    ``DclSession(root, user="SYSTEM", privileges=None, env=None, timeout=30, cwd=None,
    dimensions=(24, 80), logfile=None, grace=2.0)``

    - root: the system root directory (a path, or a ``VmsRoot``);
    - privileges: ``"ALL"``, ``"NONE"`` or a comma list, as ``dcl --privileges``;
    - env: further environment variables for the child (TERM is always ``dumb``);
    - timeout: seconds any single wait may take (each method also takes ``timeout=``);
    - cwd: the host directory the child starts in; when it lies on a device of the root, the
      default directory starts there (``dcl`` does that), else at SYS$LOGIN;
    - logfile: a text stream that receives everything the terminal shows (debugging).

    The constructor returns once the first ``$ `` prompt is shown; a shell that cannot start
    (an unknown user, not a root) raises ``DclSessionError`` with dcl's message.
    """

    def __init__(self, root: str | os.PathLike, user: str = "SYSTEM",
                 privileges: str | None = None, env: dict[str, str] | None = None,
                 timeout: float = 30.0, cwd: str | os.PathLike | None = None,
                 dimensions: tuple[int, int] = (24, 80), logfile=None, grace: float = 2.0):
        self.root = Path(os.fspath(root))
        self.user = user
        self.timeout = timeout
        self.prompt = PROMPT
        self.last_status: int | None = None
        self.exitstatus: int | None = None
        self.signalstatus: int | None = None
        self.match = None
        self._token = secrets.token_hex(6).upper()
        self._count = 0
        child_env = dict(os.environ)
        child_env.update(env or {})
        child_env["TERM"] = "dumb"
        child_env.pop("VMSENV_ROOT", None)
        path = child_env.get("PYTHONPATH")
        child_env["PYTHONPATH"] = _PACKAGE_PARENT + (os.pathsep + path if path else "")
        argv = dcl_command(self.root, user, privileges)
        self.child = pexpect.spawn(argv[0], argv[1:], env=child_env,
                                   cwd=None if cwd is None else os.fspath(cwd),
                                   encoding="utf-8", codec_errors="surrogateescape",
                                   timeout=timeout, dimensions=dimensions, echo=True)
        self.child.delaybeforesend = None
        self.child.delayafterclose = 0.0
        self.child.delayafterterminate = 0.05
        if logfile is not None:
            self.child.logfile_read = logfile
        self._finalizer = weakref.finalize(self, _reap, self.child, grace)
        self.grace = grace
        try:
            self._wait_prompt(timeout)
        except DclSessionError:
            self.close()
            raise

    # -- context manager --------------------------------------------------------------------
    def __enter__(self) -> DclSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "running" if self.alive else "ended"
        return f"<DclSession {self.user} in {self.root} ({state})>"

    @property
    def alive(self) -> bool:
        return self.child.isalive()

    @property
    def pid(self) -> int:
        """The host process id of the dcl child."""
        return self.child.pid

    # -- waiting ----------------------------------------------------------------------------
    def _prompt_re(self, prompt: str) -> re.Pattern:
        return re.compile(r"(?:\A|\n)" + re.escape(prompt))

    def _expect(self, patterns, timeout: float | None, what: str) -> int:
        """Wait for one of patterns (compiled regexes or exact strings); text before stays in
        ``child.before``.  EOF and TIMEOUT become DclSessionError / DclTimeout."""
        compiled = [p if isinstance(p, re.Pattern) else re.compile(re.escape(p))
                    for p in patterns]
        wait = self.timeout if timeout is None else timeout
        try:
            index = self.child.expect(compiled + [pexpect.EOF, pexpect.TIMEOUT], timeout=wait)
        except pexpect.ExceptionPexpect as exc:
            raise DclSessionError(f"the terminal failed while waiting for {what}: {exc}") from None
        text = normalize(self.child.before or "")
        if index == len(compiled):
            self._ended()
            raise DclSessionError(f"dcl ended while waiting for {what}", text)
        if index == len(compiled) + 1:
            raise DclTimeout(f"no {what} within {wait} seconds", text)
        self.match = self.child.match
        return index

    def _ended(self) -> None:
        """The child closed its terminal: collect its exit status."""
        _wait_exit(self.child, self.grace)
        _reap(self.child, self.grace)
        self.exitstatus = self.child.exitstatus
        self.signalstatus = self.child.signalstatus
        self._finalizer.detach()

    def _wait_prompt(self, timeout: float | None = None, prompt: str | None = None) -> str:
        prompt = self.prompt if prompt is None else prompt
        self._expect([self._prompt_re(prompt)], timeout, f"the {prompt!r} prompt")
        return self.child.before

    def expect_prompt(self, prompt: str | None = None, timeout: float | None = None) -> str:
        """Wait for a prompt and return the text shown before it, with the echo of the line
        typed, lines ending in ``\\n``.  The DCL prompts (``$ ``, ``_$ `` or ``session.prompt``)
        count only at the start of a line; any other prompt (``UAF> ``, ``MAIL> ``,
        ``TELNET> ``, ``_Username: ``) wherever it appears."""
        prompt = self.prompt if prompt is None else prompt
        if prompt in (self.prompt, "_" + self.prompt):
            self._wait_prompt(timeout, prompt)
            # the newline that starts the prompt's line ends the text before it
            return normalize(self.child.before + self.child.after[:-len(prompt)])
        self._expect([prompt], timeout, f"the {prompt!r} prompt")
        return normalize(self.child.before)

    def expect(self, pattern: str | re.Pattern, timeout: float | None = None) -> str:
        """Wait for a regular expression (a string or compiled) in the terminal's text; return
        the text before it.  ``session.match`` is the match (CR LF not yet normalised)."""
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern)
        self._expect([regex], timeout, f"/{regex.pattern}/")
        return normalize(self.child.before)

    def expect_exact(self, text: str, timeout: float | None = None) -> str:
        """Wait for an exact text; return the text before it."""
        self._expect([text], timeout, repr(text))
        return normalize(self.child.before)

    # -- sending ----------------------------------------------------------------------------
    def send_line(self, line: str) -> None:
        """Type one line and RETURN (nothing is awaited)."""
        if "\n" in line or "\r" in line:
            raise ValueError("send_line sends one line: no newline in it")
        self.send(line + "\n")

    def send(self, text: str) -> None:
        """Type text as it is (control characters included)."""
        if self.child.closed:
            raise DclSessionError("the session has ended")
        try:
            self.child.send(text)
        except OSError as exc:
            raise DclSessionError(f"the session's terminal is gone: {exc}") from None

    def send_control(self, key: str) -> None:
        """Press CTRL/key (``"Y"``, ``"C"``, ``"Z"``, ``"]"`` ...)."""
        if len(key) != 1:
            raise ValueError("send_control takes one character")
        self.send(chr(ord(key.upper()) & 0x1F))

    def converse(self, line: str, prompt: str, timeout: float | None = None) -> str:
        """Type a line to a program waiting at a prompt, wait for ``prompt`` (the program's
        next prompt, or the DCL prompt when the line ends it) and return the output between,
        without the echo of the line."""
        self.send_line(line)
        return _drop_first_line(self.expect_prompt(prompt, timeout))

    # -- DCL commands -----------------------------------------------------------------------
    def run(self, command: str, timeout: float | None = None,
            check: bool = False) -> tuple[str, int]:
        """Run one DCL command line at the ``$`` prompt; return (output, final $STATUS).

        The output is what the command showed (with its final newline; "" for nothing) and the
        status the integer value of $STATUS (``status & 1`` is success).  $STATUS is left as the
        command left it (see the module documentation for how).  With check=True a failure
        status raises DclCommandError."""
        lines = command.split("\n")
        for n, line in enumerate(lines):
            if continues(line) != (n < len(lines) - 1):
                raise ValueError("run() takes one command: every line but the last must end "
                                 "with the '-' continuation, the last must not")
        for line in lines[:-1]:
            self.send_line(line)
            self._wait_prompt(timeout, "_" + self.prompt)
        self.send_line(lines[-1])
        self._wait_prompt(timeout)
        seen = self.child.before + self.child.after
        extra, status = self._query_status(timeout)
        output = normalize(_drop_first_line(_drop_last_line(seen + extra)))
        self._restore_status(status, timeout)
        if check and not status & 1:
            raise DclCommandError(command, output, status)
        return output, status

    def start(self, command: str, timeout: float | None = None) -> None:
        """Type a command line at the ``$`` prompt and return once dcl has read it (its echo
        is shown), while it runs: then ``expect`` its output, ``interrupt()`` it, or answer
        its prompts.  (A CTRL/Y typed before the line is read would drop the line instead,
        as at a terminal.)"""
        if "\n" in command or continues(command):
            raise ValueError("start() takes one command on one line")
        self.send_line(command)
        self._expect([_LINE_END], timeout, "the echo of the command")

    def read_status(self, timeout: float | None = None) -> int:
        """The current $STATUS, read at the ``$`` prompt (after ``converse(..., "$ ")`` that
        left a program, say) and left unchanged."""
        _, status = self._query_status(timeout)
        self._restore_status(status, timeout)
        return status

    def _query_status(self, timeout: float | None) -> tuple[str, int]:
        """Show $STATUS after a marker; returns (the text shown before the marker line, the
        status).  The text ends with the prompt line that carried the echo of the query."""
        self._count += 1
        tag = f"{self._token}-{self._count}"
        self.send_line(f'WRITE SYS$OUTPUT "VMSENV-","STATUS-{tag}:",$STATUS')
        marker = re.compile(rf"VMSENV-STATUS-{tag}:%X([0-9A-Fa-f]{{8}})\r*\n"
                            + re.escape(self.prompt))
        self._expect([marker], timeout, "the $STATUS marker")
        status = int(self.match.group(1), 16)
        self.last_status = status
        return self.child.before, status

    def _restore_status(self, status: int, timeout: float | None) -> None:
        self.send_line(f"EXIT %X{status:08X}")
        self._wait_prompt(timeout)

    # -- keys and the end of the session ----------------------------------------------------
    def interrupt(self, key: str = "Y", timeout: float | None = None) -> str:
        """Press CTRL/Y (key "C": CTRL/C) and wait for the ``$`` prompt; return what the
        terminal showed meanwhile (``Interrupt`` and the end of the command's output)."""
        if key.upper() not in ("Y", "C"):
            raise ValueError("interrupt() presses CTRL/Y or CTRL/C")
        self.send(_CONTROL_KEYS[key.upper()])
        return self.expect_prompt(self.prompt, timeout)

    def logout(self, timeout: float | None = None) -> str:
        """LOGOUT: wait for the logout line and the end of the process; return the line
        (``  SYSTEM       logged out at 29-NOV-2026 11:25:00.00``).  ``exitstatus`` is then
        dcl's exit status (0 when the final $STATUS was a success)."""
        self.send_line("LOGOUT")
        self._expect([LOGOUT_RE], timeout, "the logout line")
        line = self.match.group(0).rstrip("\r\n")
        self._expect_eof(timeout)
        return line

    def _expect_eof(self, timeout: float | None) -> None:
        wait = self.timeout if timeout is None else timeout
        try:
            self.child.expect(pexpect.EOF, timeout=wait)
        except pexpect.TIMEOUT:
            raise DclTimeout(f"dcl did not end within {wait} seconds",
                             normalize(self.child.before or "")) from None
        self._ended()

    def wait_eof(self, timeout: float | None = None) -> str:
        """Wait for the shell to end (after CTRL/Z, or a LOGOUT inside a procedure); return
        the text shown meanwhile."""
        self._expect_eof(timeout)
        return normalize(self.child.before or "")

    def close(self) -> None:
        """End the child if it still runs (SIGTERM, then SIGKILL) and release the terminal."""
        if self._finalizer.alive:
            self._finalizer()
        self.exitstatus = self.child.exitstatus
        self.signalstatus = self.child.signalstatus

    # -- TELNET -----------------------------------------------------------------------------
    def telnet(self, host: str, port: int = 23, timeout: float | None = None) -> str:
        """``TELNET host port`` at the ``$`` prompt; return once the session line
        (``%TELNET-I-SESSION, Session 01, host ..., port ...``) is shown, with the text shown
        before it.  A connection that fails brings the ``$`` prompt back: DclSessionError with
        TELNET's messages.  Then talk to the server with ``send_line`` and ``expect``."""
        self.send_line(f'TELNET "{host}" {int(port)}')
        index = self._expect([TELNET_SESSION_RE, self._prompt_re(self.prompt)], timeout,
                             "the TELNET session")
        if index == 1:
            text = normalize(self.child.before + self.child.after[:-len(self.prompt)])
            raise DclSessionError(f"TELNET to {host} port {port} did not connect", text)
        return _drop_first_line(normalize(self.child.before))

    def telnet_quit(self, timeout: float | None = None) -> str:
        """Leave a TELNET session that is still open: CTRL/] then QUIT at ``TELNET> ``; wait
        for the ``$`` prompt.  Returns the server output shown before ``TELNET> ``."""
        self.send_control("]")
        before = self.expect_prompt(TELNET_PROMPT, timeout)
        self.send_line("QUIT")
        self._wait_prompt(timeout)
        return before
