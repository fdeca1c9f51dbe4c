"""The interactive shell: a real `dcl` on a pseudo-terminal (prompt, continuation, recall,
CTRL/Y out of a long WAIT, ON CONTROL_Y, an error inside a procedure, CTRL/C, LOGOUT, CTRL/Z),
and the shell's defences run in-process (CTRL/C and ON CONTROL_Y by real signals, an internal
error, LOGOUT from a procedure)."""

from __future__ import annotations

import io
import os
import re
import signal
import time
from pathlib import Path

import pexpect
import pytest

from vmsenv import condition as C
from vmsenv.dcl import shell
from vmsenv.dcl.cld import Verb
from vmsenv.dcl.interpreter import Interpreter

TIMEOUT = 20
LOGGED_OUT = re.compile(rb"  SYSTEM {7}logged out at [ \d]\d-[A-Z]{3}-\d{4} "
                        rb"\d\d:\d\d:\d\d\.\d\d\r\n")


def login_file(root_dir: Path, name: str, text: str) -> None:
    """A procedure in SYS$LOGIN (SYS$SYSROOT:[SYSMGR])."""
    (root_dir / "sys$sysdevice" / "sys0" / "sysmgr" / name.lower()).write_text(text)


@pytest.fixture
def session(programs, spawn_dcl, root_dir):
    child = spawn_dcl(root_dir, timeout=TIMEOUT,
                      env=dict(programs.env, TERM="dumb", INPUTRC="/dev/null"))
    child.logfile_read = io.BytesIO()
    return child


def expect(child, text: str) -> bytes:
    """Everything up to the text (CR LF left as they are)."""
    child.expect_exact(text.encode())
    return child.before


def test_an_interactive_session(session, root_dir):
    login_file(root_dir, "FAIL.COM", '$ WRITE SYS$OUTPUT "in fail"\n$ NOSUCHVERB\n'
                                     '$ EXIT %X2C\n$ WRITE SYS$OUTPUT "not reached"\n')
    login_file(root_dir, "CATCH.COM", "$ ON CONTROL_Y THEN GOTO caught\n"
                                      '$ WRITE SYS$OUTPUT "armed"\n'
                                      "$ WAIT 00:00:02\n$ EXIT\n"
                                      '$ caught: WRITE SYS$OUTPUT "caught ", $STATUS\n')
    child = session
    expect(child, "$ ")
    # continuation
    child.sendline("WRITE SYS$OUTPUT -")
    expect(child, "_$ ")
    child.sendline('"con" + "tinued"')
    assert expect(child, "$ ").endswith(b"continued\r\n")
    # recall of the whole command with the up arrow
    child.send("\x1b[A")
    child.sendline("")
    assert expect(child, "$ ") == b'WRITE SYS$OUTPUT "con" + "tinued"\r\ncontinued\r\n'
    # CTRL/Y out of a one-minute WAIT
    child.sendline("WAIT 00:01:00")
    expect(child, "WAIT 00:01:00\r\n")
    time.sleep(0.3)
    started = time.monotonic()
    child.send("\x19")
    expect(child, "Interrupt\r\n\r\n$ ")
    assert time.monotonic() - started < 10
    child.sendline("WRITE SYS$OUTPUT $STATUS")
    assert expect(child, "$ ").endswith(b"%X1000002C\r\n")
    # an error inside a procedure ends the procedure, not the shell
    child.sendline("@FAIL")
    out = expect(child, "$ ")
    assert b"in fail\r\n%DCL-W-IVVERB" in out
    assert out.endswith(b"%SYSTEM-F-ABORT, abort\r\n") and b"not reached" not in out
    # ON CONTROL_Y in a procedure: the action runs at its level
    child.sendline("@CATCH")
    expect(child, "armed\r\n")
    child.send("\x19")
    assert expect(child, "$ ").endswith(b"Interrupt\r\n\r\ncaught %X00000001\r\n")
    # CTRL/C at the prompt drops the line
    child.send("DELETE\x03")
    expect(child, "Cancel\r\n\r\n$ ")
    child.sendline("LOGOUT")
    child.expect(LOGGED_OUT)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert b"\x1b" not in child.logfile_read.getvalue()


def test_ctrl_z_ends_the_session(session):
    expect(session, "$ ")
    session.sendline("SET PROMPT=\"OK> \"")
    expect(session, "\r\nOK> ")
    session.sendline("WRITE SYS$OUTPUT 6 * 7")
    assert expect(session, "OK> ").endswith(b"42\r\n")
    session.send("\x1b[A")
    session.sendline("")
    assert expect(session, "OK> ") == b"WRITE SYS$OUTPUT 6 * 7\r\n42\r\n"
    session.send("\x1a")
    session.expect(b"Exit\r\n")
    session.expect(LOGGED_OUT)
    session.expect(pexpect.EOF)
    session.close()
    assert session.exitstatus == 0


# ---------------------------------------------------------------------------------------------
# In-process: the shell loop with a plain (non-terminal) input.
# ---------------------------------------------------------------------------------------------
def _signal(signum):
    def handler(dcl, cmd):
        os.kill(os.getpid(), signum)
        time.sleep(0.01)
        return C.SS_NORMAL
    return handler


@pytest.fixture
def dcl(fake_process, tmp_path):
    interp = Interpreter(fake_process(tmp_path, username="SMITH"), io.StringIO(),
                         modules=("control", "write", "session", "system"))
    interp.table.add(Verb("KICK", handler=_signal(signal.SIGINT)))

    def boom(dcl, cmd):
        raise ZeroDivisionError("division by zero")
    interp.table.add(Verb("BOOM", handler=boom))
    return interp


def run(dcl, typed: str) -> tuple[int, list[str]]:
    out = io.StringIO()
    status = shell.run_interactive(dcl, io.StringIO(typed), out)
    return status, out.getvalue().split("\n")


def test_ctrl_c_abandons_the_procedures(dcl, tmp_path):
    (tmp_path / "p.com").write_text('$ KICK\n$ WRITE SYS$OUTPUT "not reached"\n')
    status, lines = run(dcl, "@P\nWRITE SYS$OUTPUT $STATUS\n")
    assert lines[:4] == ["$ Cancel", "", "$ %X1000002C", "$ "]
    assert re.fullmatch(r"  SMITH {8}logged out at .*", lines[4])
    assert len(dcl.levels) == 1
    assert status == C.RMS_NORMAL


def test_on_control_y_runs_the_action_after_the_command(dcl, tmp_path):
    (tmp_path / "p.com").write_text(
        "$ ON CONTROL_Y THEN GOTO caught\n$ KICK\n$ WRITE SYS$OUTPUT \"next\"\n$ EXIT\n"
        "$ caught: WRITE SYS$OUTPUT \"caught\"\n"
        "$ ON CONTROL_Y THEN EXIT 3\n$ KICK\n$ WRITE SYS$OUTPUT \"not reached\"\n")
    _status, lines = run(dcl, "@P\nWRITE SYS$OUTPUT $STATUS\n")
    assert lines[:7] == ["$ Cancel", "", "caught", "Cancel", "", "$ %X00000003", "$ "]


def test_an_internal_error_is_a_bugcheck_not_a_traceback(dcl, tmp_path):
    (tmp_path / "p.com").write_text('$ BOOM\n$ WRITE SYS$OUTPUT "not reached"\n')
    status, lines = run(dcl, "@P\nWRITE SYS$OUTPUT $STATUS\n")
    assert lines[:4] == [
        "$ %SYSTEM-F-BUGCHECK, internal consistency failure",
        "-VMSENV-F-HOSTERR, host system error: ZeroDivisionError: division by zero",
        "$ %X100002A4",
        "$ "]
    assert len(dcl.levels) == 1
    assert status == C.RMS_NORMAL


def test_logout_in_a_procedure_ends_the_shell(dcl, tmp_path):
    (tmp_path / "p.com").write_text("$ LOGOUT\n")
    status, lines = run(dcl, "x = 1\n@P\nWRITE SYS$OUTPUT \"not reached\"\n")
    assert re.fullmatch(r"\$ \$   SMITH {8}logged out at .*", lines[0])
    assert lines[1:] == [""]
    assert status == C.CLI_NORMAL


def test_end_of_input_logs_out(dcl):
    status, lines = run(dcl, 'WRITE SYS$OUTPUT "hi"\nEXIT 44\n')
    assert lines[:3] == ["$ hi", "$ %SYSTEM-F-ABORT, abort", "$ "]
    assert re.fullmatch(r"  SMITH {8}logged out at .*", lines[3])
    assert lines[4:] == [""]
    assert status == 44


def test_a_shell_that_keeps_failing_gives_up(dcl):
    def broken(stdin, stdout):
        raise RuntimeError("broken")
    dcl.interactive = broken
    status, lines = run(dcl, "WRITE SYS$OUTPUT 1\n")
    assert lines[:4] == ["%SYSTEM-F-BUGCHECK, internal consistency failure",
                         "-VMSENV-F-HOSTERR, host system error: RuntimeError: broken"] * 2
    assert re.fullmatch(r"  SMITH {8}logged out at .*", lines[4])
    assert status == C.SS_BUGCHECK | C.INHIB_MSG


def test_signal_handlers_are_restored(dcl):
    before = signal.getsignal(signal.SIGINT)
    run(dcl, "")
    assert signal.getsignal(signal.SIGINT) is before
