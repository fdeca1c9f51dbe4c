"""The interactive shell around the interpreter: the terminal, CTRL/Y, CTRL/C, CTRL/Z,
logging out, and the last line of defence against internal errors.

The terminal (when standard input is one; the host layer of the shell):

- Line editing and recall of earlier commands (up arrow) come from GNU readline when both
  standard input and output are terminals.  The recall list belongs to this process and holds
  only commands typed at the ``$`` prompt, a continued command as one joined line; answers to
  INQUIRE, READ, HELP or SET PASSWORD are not kept.  Tab inserts a tab: there is no completion.
  With TERM=dumb readline writes no escape sequences.
- The continuation prompt is ``_`` followed by the prompt (``_$ ``; after SET PROMPT="X> ",
  ``_X> ``) [I].
- While dcl runs, the terminal's QUIT character is CTRL/Y (so CTRL/Y raises SIGQUIT, as CTRL/C
  raises SIGINT), its end-of-file character is CTRL/Z, and CTRL/Z no longer suspends the
  process.  CTRL/D also ends input at the ``$`` prompt (a readline binding), so that tools
  which send the host's EOF character still end the session.  Echo is left as it is: the host
  echoes type-ahead (readline shows it again at the next prompt), and a verb may turn echo off
  for a password.  The settings are restored when dcl ends, also after SIGTERM or SIGHUP.

CTRL/Y and CTRL/C (the two are equivalent while DCL interprets commands, as on VMS):

- At a prompt: the line typed so far is dropped and the prompt comes back; $STATUS is kept.
- While a command or procedure runs: when the current procedure level has an ON CONTROL_Y
  action, the command completes and the action then runs at that level (VMS: "If the command
  currently executing is a command executed within the command interpreter, the command
  completes and the Ctrl/Y action is taken"); the action stays in force.  Otherwise the command
  and every procedure level are abandoned at once (a WAIT is cut short) and the ``$`` prompt
  comes back, with $STATUS %X1000002C (SS$_ABORT, message inhibited: an interrupted procedure
  cannot be resumed here, so CTRL/Y followed by CONTINUE is not available -- it is what VMS
  does for CTRL/Y followed by STOP).  ON CONTROL_Y typed at the interactive level is recorded
  but has no effect.
- The terminal shows ``Interrupt`` for CTRL/Y and ``Cancel`` for CTRL/C, on a line of its
  own followed by an empty line (written over the ``^Y`` the host echoed while a command ran),
  and ``Exit`` for CTRL/Z at a prompt [I: the mixed-case echo strings of the OpenVMS terminal
  driver as recalled, not from a recording].  CTRL/Y during a read at a procedure level
  (INQUIRE, READ) abandons the procedures even when ON CONTROL_Y is set.
- In ``dcl -c`` and ``dcl FILE.COM`` the same keys end the command or procedure, and dcl exits
  with status 1.

Ending: CTRL/Z (end of input) or LOGOUT prints the VMS logout line
``  SYSTEM       logged out at 29-NOV-2026 11:25:00.00`` and the shell ends; its exit status
follows the final $STATUS.  LOGOUT inside a procedure ends the process too.

Internal errors: a Python exception that escapes a command (a defect of vmsenv, never a DCL
error) is shown as ``%SYSTEM-F-BUGCHECK, internal consistency failure`` followed by
``-VMSENV-F-HOSTERR, host system error: <exception>``; the command's procedure levels are
left, $STATUS becomes %X100002A4 (BUGCHECK, message inhibited) and the shell carries on.  No
traceback is printed.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import TextIO

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.level import INTERACTIVE
from vmsenv.dcl.lexer import join_lines
from vmsenv.dcl.verbs.system import Logout, logout_line

CTRL_Y, CTRL_Z = 0x19, 0x1A
ECHO_TEXT = {"Y": "Interrupt", "C": "Cancel"}
INTERRUPTED = C.SS_ABORT | C.INHIB_MSG
BUGCHECK = C.SS_BUGCHECK | C.INHIB_MSG


class Interrupt(BaseException):  # noqa: N818 - a keyboard event, not an error
    """CTRL/Y ("Y") or CTRL/C ("C") pressed while no ON CONTROL_Y action applies."""

    def __init__(self, key: str, at_prompt: bool = False):
        super().__init__(key)
        self.key = key
        self.at_prompt = at_prompt     # pressed while the interactive level read a line


HANGUP_GRACE = 5.0


def _leave_now(terminal) -> None:
    """The end after SIGTERM/SIGHUP when unwinding took too long: terminal settings back."""
    try:
        if terminal is not None:
            terminal.close()
    finally:
        os._exit(1)


class Hangup(BaseException):  # noqa: N818 - the end of the process, not an error
    """SIGTERM or SIGHUP: end the process, restoring the terminal."""


class Terminal:
    """The shell's input: prompts with line editing and recall, raw reads, and the terminal
    settings while dcl runs.  It is what ``Interpreter.input`` holds in the shell: the
    interpreter calls ``read_line(prompt)``, verbs and images call ``readline()``."""

    def __init__(self, stdin: TextIO, stdout: TextIO):
        self.stdin = stdin
        self.stdout = stdout
        self.fd = _fileno(stdin)
        self.is_tty = self.fd is not None and os.isatty(self.fd)
        self.editing = self.is_tty and _isatty(stdout)
        self.saved = None
        self.reading = False
        self.gone = False
        self.command_prompts = lambda: ()   # the prompts whose lines are recalled
        self.reads = 0
        self._command: list[str] = []
        self._readline = None

    # -- terminal settings --------------------------------------------------------------------
    def open(self) -> None:
        if not self.is_tty:
            return
        import termios

        try:
            self.saved = termios.tcgetattr(self.fd)
        except termios.error:
            self.is_tty = self.editing = False
            return
        attrs = termios.tcgetattr(self.fd)
        cc = attrs[6]
        cc[termios.VQUIT] = bytes([CTRL_Y])
        cc[termios.VEOF] = bytes([CTRL_Z])
        cc[termios.VSUSP] = b"\0"
        termios.tcsetattr(self.fd, termios.TCSANOW, attrs)
        if self.editing:
            self._setup_readline()

    def close(self) -> None:
        if self.saved is None:
            return
        import termios

        try:
            termios.tcsetattr(self.fd, termios.TCSANOW, self.saved)
        except termios.error:
            pass
        self.saved = None

    def _setup_readline(self) -> None:
        try:
            import readline
        except ImportError:
            self.editing = False
            return
        readline.set_auto_history(False)
        readline.parse_and_bind("tab: tab-insert")
        readline.parse_and_bind('"\\C-d": "\\C-z"')
        self._readline = readline

    # -- reading ------------------------------------------------------------------------------
    def read_line(self, prompt: str) -> str | None:
        """Prompt and read one line (None at end of input)."""
        self.stdout.flush()
        self.reading = True
        try:
            if self._readline is not None:
                try:
                    line = self._read(lambda: input(prompt))
                except EOFError:
                    line = ""
                else:
                    self._remember(prompt, line)
                    return line
            else:
                self.stdout.write(prompt)
                self.stdout.flush()
                line = self._read(self.stdin.readline)
            if not line:
                _quiet_write(self.stdout, "Exit\n" if self.is_tty else "\n")
                return None
            return line.rstrip("\n").rstrip("\r")
        finally:
            self.reading = False

    def _read(self, read) -> str:
        """A read from the input; a terminal that is gone (EIO, a closed file) is the end of
        input, now and for every later read."""
        if self.gone:
            return ""
        self.reads += 1
        try:
            return read()
        except UnicodeError:
            raise
        except (OSError, ValueError):
            self.gone = True
            return ""

    def _remember(self, prompt: str, line: str) -> None:
        """Command lines go to the recall list; a continued command as one joined line."""
        primary, continuation = self.command_prompts() or (None, None)
        readline = self._readline
        if prompt == primary:
            self._command = [line] if line.strip() else []
            if self._command:
                readline.add_history(line)
        elif prompt == continuation and self._command:
            self._command.append(line)
            last = readline.get_current_history_length() - 1
            readline.replace_history_item(last, join_lines(self._command))

    def readline(self) -> str:
        """One line as a file's readline() gives it ('' at end of input)."""
        self.stdout.flush()
        self.reading = True
        try:
            return self._read(self.stdin.readline)
        finally:
            self.reading = False

    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def read(self) -> str:
        return "".join(self)

    def isatty(self) -> bool:
        return self.is_tty

    def fileno(self) -> int:
        if self.fd is None:
            raise OSError("no file descriptor")
        return self.fd


def _quiet_write(stream, text: str) -> None:
    """Write and flush, ignoring a terminal that is gone."""
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):
        pass


def _fileno(stream) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _isatty(stream) -> bool:
    fd = _fileno(stream)
    return fd is not None and os.isatty(fd)


# ---------------------------------------------------------------------------------------------
# Signals.
# ---------------------------------------------------------------------------------------------
def install_signals(dcl, terminal: Terminal | None) -> dict:
    """CTRL/C (SIGINT), CTRL/Y (SIGQUIT, when the terminal delivers it), SIGTERM and SIGHUP;
    returns the previous handlers for ``restore_signals``."""

    def keyboard(key: str):
        def handler(signum, frame):
            level = dcl.levels[-1]
            busy = terminal is None or not terminal.reading
            if busy and level.kind != INTERACTIVE and level.on_control_y is not None:
                tty = terminal is not None and terminal.is_tty
                dcl.pending_ast = _control_y_action(dcl, level, key, tty)
                return
            reading = terminal is not None and terminal.reading
            raise Interrupt(key, at_prompt=reading and len(dcl.levels) == 1)
        return handler

    def hangup(signum, frame):
        # The process must end: if the orderly way (unwinding, logout) has not finished within
        # HANGUP_GRACE seconds, leave at once; a dead process's registration is reaped anyway.
        watchdog = threading.Timer(HANGUP_GRACE, _leave_now, args=(terminal,))
        watchdog.daemon = True
        watchdog.start()
        raise Hangup()

    previous = {}
    wanted = {signal.SIGINT: keyboard("C"), signal.SIGTERM: hangup, signal.SIGHUP: hangup}
    if terminal is not None and terminal.saved is not None:
        wanted[signal.SIGQUIT] = keyboard("Y")
    for signum, handler in wanted.items():
        previous[signum] = signal.signal(signum, handler)
    return previous


def restore_signals(previous: dict) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def echo_key(out: TextIO, key: str, at_prompt: bool, tty: bool) -> None:
    """What the terminal shows for CTRL/Y or CTRL/C: the word on a line of its own (at a
    prompt after the line being typed; while a command runs over the ``^Y`` the host
    terminal echoed), then an empty line."""
    lead = "\n" if at_prompt else "\r" if tty else ""
    out.write(lead + ECHO_TEXT[key] + "\n\n")
    out.flush()


def _control_y_action(dcl, level, key: str, tty: bool):
    """The AST run between two commands: echo the key, then the level's ON CONTROL_Y action."""
    def deliver():
        echo_key(dcl.levels[0].out, key, False, tty)
        if dcl.levels[-1] is level and level.on_control_y is not None:
            dcl.execute(level.on_control_y)
    return deliver


# ---------------------------------------------------------------------------------------------
# Running.
# ---------------------------------------------------------------------------------------------
def _bugcheck(dcl, exc: BaseException) -> None:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    err = VMSError(C.SS_BUGCHECK, secondary=(VMSError(C.VMSENV_HOSTERR, text),))
    try:
        dcl.levels[0].out.write("\n".join(err.lines(dcl.message_flags)) + "\n")
    except Exception:  # noqa: BLE001 - the terminal itself failed: nothing left to tell
        pass
    dcl.status = BUGCHECK


def _reset_levels(dcl) -> None:
    """Back to the interactive level (levels already left close their own output)."""
    del dcl.levels[1:]
    dcl.pending_ast = None


def run_interactive(dcl, stdin: TextIO = None, stdout: TextIO = None) -> int:
    """The interactive shell until CTRL/Z or LOGOUT; returns the final $STATUS."""
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    terminal = Terminal(stdin, stdout)
    terminal.open()
    previous = install_signals(dcl, terminal)
    terminal.command_prompts = lambda: (dcl.prompt, "_" + dcl.prompt)
    dcl.levels[0].out = stdout
    from vmsenv.mail import notify

    notify.login(dcl)          # "You have N new Mail messages." and new-mail notices
    failed_at = -1
    try:
        while True:
            try:
                dcl.interactive(terminal, stdout)
            except Interrupt as intr:
                _reset_levels(dcl)
                echo_key(stdout, intr.key, intr.at_prompt, terminal.is_tty)
                if not intr.at_prompt:
                    dcl.status = INTERRUPTED
                continue
            except Logout:
                return dcl.status
            except (Hangup, SystemExit):
                raise
            except Exception as exc:  # noqa: BLE001 - the shell must survive its own defects
                _reset_levels(dcl)
                _bugcheck(dcl, exc)
                if terminal.reads == failed_at:
                    break                   # failing again before reading: give up
                failed_at = terminal.reads
                continue
            break
        _quiet_write(stdout, logout_line(dcl.process.username) + "\n")
        return dcl.status
    finally:
        notify.logout(dcl)
        _quiet_write(stdout, "")
        restore_signals(previous)
        terminal.close()


def run_once(dcl, work) -> int:
    """``dcl -c`` and ``dcl FILE.COM``: run work() with the same keys and defences; returns
    the final $STATUS (an interrupted run gives SS$_ABORT)."""
    terminal = Terminal(sys.stdin, sys.stdout)
    terminal.open()
    previous = install_signals(dcl, terminal)
    try:
        work()
    except Interrupt as intr:
        _reset_levels(dcl)
        echo_key(dcl.levels[0].out, intr.key, intr.at_prompt, terminal.is_tty)
        dcl.status = INTERRUPTED
    except Logout:
        pass
    except (Hangup, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - no traceback reaches the user
        _reset_levels(dcl)
        _bugcheck(dcl, exc)
    finally:
        sys.stdout.flush()
        restore_signals(previous)
        terminal.close()
    return dcl.status
