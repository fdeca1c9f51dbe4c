"""vmsenv.testing: DclSession driving a real dcl on a pseudo-terminal, and the pytest plugin.

The plugin's fixtures are exercised through pytester with plugin autoloading off and the plugin
given with -p, so the tests hold whether or not the pytest11 entry point is installed; the
session tests use the same make_root the vms_root fixture uses.
"""

from __future__ import annotations

import gc
import os
import re
import signal
import socket
import threading
import time
import tomllib
from pathlib import Path

import pytest

from vmsenv.testing import (
    UAF_PROMPT,
    DclCommandError,
    DclSession,
    DclSessionError,
    DclTimeout,
    configure_pop_service,
    free_port,
    make_root,
)
from vmsenv.testing.roots import VmsRoot

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parent.parent
LOGOUT_LINE = re.compile(r"  SYSTEM       logged out at \d{1,2}-[A-Z]{3}-\d{4} "
                         r"\d\d:\d\d:\d\d\.\d\d$")


@pytest.fixture
def system(tmp_path) -> VmsRoot:
    return make_root(tmp_path / "root", dka200=tmp_path / "dka200")


@pytest.fixture
def dcl(system):
    session = DclSession(system, cwd=system.dka200, timeout=20)
    yield session
    session.close()


def gone(pid: int) -> bool:
    """True when no process has that pid any more (the session reaped its child)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


# ------------------------------------------------------------------------------ run
def test_run_returns_the_output_without_echo_or_prompt(dcl, system):
    assert dcl.run("SHOW DEFAULT") == ("  DKA200:[000000]\n", 0x30001)
    assert dcl.run('WRITE SYS$OUTPUT "one"') == ("one\n", 0x10001)
    assert dcl.run('WRITE SYS$OUTPUT ""') == ("\n", 0x10001)
    assert dcl.run("X = 5") == ("", 0x30001)
    assert dcl.run("WRITE SYS$OUTPUT X*2") == ("10\n", 0x10001)
    # a "$ " at the start of a line of output is not taken for the prompt
    system.write_file("SHOWN.COM", '$ WRITE SYS$OUTPUT "a"\n$ EXIT\n')
    output, status = dcl.run("TYPE SHOWN.COM")
    assert output == '$ WRITE SYS$OUTPUT "a"\n$ EXIT\n'
    assert status & 1
    # continuation lines, each after the _$ prompt
    assert dcl.run('WRITE SYS$OUTPUT "a", -\n  "b"') == ("ab\n", 0x10001)
    with pytest.raises(ValueError):
        dcl.run('WRITE SYS$OUTPUT "a"\nSHOW DEFAULT')
    with pytest.raises(ValueError):
        dcl.run("WRITE SYS$OUTPUT -")
    # another prompt, announced to the session first
    dcl.prompt = "NODE$ "
    assert dcl.run('SET PROMPT="NODE$ "') == ("", 0x30001)
    assert dcl.run('WRITE SYS$OUTPUT "a", -\n  "c"') == ("ac\n", 0x10001)


def test_status_of_a_failing_command_and_status_kept(dcl):
    output, status = dcl.run("NOSUCHVERB")
    assert output == ("%DCL-W-IVVERB, unrecognized command verb - check validity and spelling\n"
                      " \\NOSUCHVERB\\\n")
    assert status == 0x38090
    # the hidden status query left $STATUS and $SEVERITY as the command made them
    assert dcl.run("SHOW SYMBOL $STATUS") == ('  $STATUS == "%X00038090"\n', 0x30001)
    dcl.run("NOSUCHVERB")
    assert dcl.run("SHOW SYMBOL $SEVERITY") == ('  $SEVERITY == "0"\n', 0x30001)
    dcl.run("EXIT %X1000002C")
    assert dcl.read_status() == 0x1000002C
    assert dcl.run("WRITE SYS$OUTPUT $STATUS") == ("%X1000002C\n", 0x10001)
    with pytest.raises(DclCommandError) as err:
        dcl.run("NOSUCHVERB", check=True)
    assert err.value.status == 0x38090
    assert "IVVERB" in err.value.output


def test_procedure_with_an_error(dcl, system):
    system.write_file("FAILS.COM", '$ WRITE SYS$OUTPUT "start"\n'
                                   "$ OPEN/READ IN NOSUCH.TXT\n"
                                   '$ WRITE SYS$OUTPUT "not reached"\n')
    output, status = dcl.run("@FAILS")
    assert output == ("start\n"
                      "%DCL-E-OPENIN, error opening DKA200:[000000]NOSUCH.TXT; as input\n"
                      "-RMS-E-FNF, file not found\n")
    assert status == 0x10018292
    system.write_file("ABORTS.COM", "$ EXIT 44\n")
    assert dcl.run("@ABORTS") == ("%SYSTEM-F-ABORT, abort\n", 0x2C)
    # restoring a status whose message is not yet shown shows nothing to the caller
    assert dcl.run("SHOW SYMBOL $STATUS") == ('  $STATUS == "%X0000002C"\n', 0x30001)


def test_a_command_that_reads_the_terminal_times_out_then_interrupt(dcl):
    with pytest.raises(DclTimeout):
        dcl.run("INQUIRE ANSWER", timeout=0.3)
    assert "Interrupt" in dcl.interrupt()
    assert dcl.run('WRITE SYS$OUTPUT "back"') == ("back\n", 0x10001)
    dcl.start("WAIT 00:01:00")
    time.sleep(0.1)         # past the shell's own end of reading, so WAIT is what is cut short
    assert "Interrupt" in dcl.interrupt(timeout=10)
    assert dcl.run("SHOW SYMBOL $STATUS") == ('  $STATUS == "%X1000002C"\n', 0x30001)


# ------------------------------------------------------------------------------ other prompts
def test_mcr_authorize_at_its_prompt_and_a_session_for_the_new_user(dcl, system):
    dcl.send_line("MCR AUTHORIZE")
    dcl.expect_prompt(UAF_PROMPT)
    added = dcl.converse('ADD JONES/UIC=[200,201]/OWNER="Jones"', UAF_PROMPT)
    assert added.splitlines()[0] == "%UAF-I-ADDMSG, user record successfully added"
    shown = dcl.converse("SHOW JONES", UAF_PROMPT)
    assert shown.startswith("Username: JONES ")
    assert dcl.converse("EXIT", dcl.prompt) == (
        "%UAF-I-DONEMSG, system authorization file modified\n"
        "%UAF-I-RDBDONEMSG, rights database modified\n")
    assert dcl.read_status() & 1
    with DclSession(system, user="JONES", privileges="TMPMBX,NETMBX", cwd=system.dka200) as jones:
        assert jones.run('WRITE SYS$OUTPUT F$GETJPI("","USERNAME")') == ("JONES       \n", 0x10001)
        assert jones.run('WRITE SYS$OUTPUT F$PRIVILEGE("SYSPRV")') == ("FALSE\n", 0x10001)


@pytest.fixture
def line_server():
    """A loopback line server: greets, answers each line with +OK line, QUIT closes."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as lines:
                conn.sendall(b"+OK ready\r\n")
                for line in lines:
                    if line.strip() == b"QUIT":
                        conn.sendall(b"+OK bye\r\n")
                        break
                    conn.sendall(b"+OK " + line.strip() + b"\r\n")

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()


def test_telnet_sessions(dcl, line_server):
    assert dcl.telnet("localhost", line_server) == "%TELNET-I-TRYING, Trying ... 127.0.0.1\n"
    dcl.expect_exact("+OK ready")
    dcl.send_line("NOOP")
    dcl.expect(r"\+OK NOOP\r\n")
    dcl.send_line("QUIT")
    dcl.expect_exact("+OK bye")
    closed = dcl.expect_prompt()
    assert "%TELNET-S-REMCLOSED, Remote connection closed" in closed
    dcl.telnet("127.0.0.1", line_server)
    dcl.expect_exact("+OK ready")
    dcl.telnet_quit()
    assert dcl.read_status() == 1
    with pytest.raises(DclSessionError) as err:
        dcl.telnet("127.0.0.1", free_port())
    assert err.value.text.endswith("-SYSTEM-F-REJECT, connect to network object rejected\n")
    assert dcl.run("SHOW DEFAULT")[0] == "  DKA200:[000000]\n"


def test_an_unknown_user_cannot_start(system):
    with pytest.raises(DclSessionError) as err:
        DclSession(system, user="NOBODY", timeout=20)
    assert "%VMSENV-E-NOSUCHUSER" in err.value.text


# ------------------------------------------------------------------------------ the end
def test_logout(dcl):
    pid = dcl.pid
    line = dcl.logout()
    assert LOGOUT_LINE.match(line), line
    assert not dcl.alive and dcl.exitstatus == 0
    assert gone(pid)


def test_logout_after_a_failure_exits_non_zero(system):
    with DclSession(system, timeout=20) as session:
        session.run("NOSUCHVERB")
        assert LOGOUT_LINE.match(session.logout())
        assert session.exitstatus == 1


def test_run_after_the_end_of_the_session(dcl):
    dcl.send_control("Z")
    assert "logged out at" in dcl.wait_eof()
    with pytest.raises(DclSessionError):
        dcl.run("SHOW DEFAULT")


def test_close_ends_a_busy_child(system):
    session = DclSession(system, timeout=20, grace=60)
    pid = session.pid
    session.start("WAIT 00:10:00")
    session.close()
    assert gone(pid)
    # SIGTERM ended it: no SIGKILL was needed
    assert session.signalstatus != signal.SIGKILL
    assert session.signalstatus is not None or session.exitstatus is not None
    session.close()                                 # closing twice is harmless


def test_context_manager_and_garbage_collection_end_the_child(system):
    with DclSession(system, timeout=20) as session:
        pid = session.pid
    assert gone(pid)
    session = DclSession(system, timeout=20)
    pid = session.pid
    del session
    gc.collect()
    assert gone(pid)


# ------------------------------------------------------------------------------ POP setup
def test_the_pop_service_is_configured_in_dcl(dcl):
    port = free_port()
    configure_pop_service(dcl, port, {"TCPIP$POP_TRACE": 'say "yes"'})
    shown, status = dcl.run("TCPIP SHOW SERVICE POP")
    assert status & 1
    assert re.search(rf"^POP\s+{port}\s+TCP\s+TCPIP\$POP\s+127\.0\.0\.1\s+Enabled$", shown,
                     re.MULTILINE), shown
    assert dcl.run('WRITE SYS$OUTPUT F$TRNLNM("TCPIP$POP_TRACE","LNM$SYSTEM")') == (
        'say "yes"\n', 0x10001)
    assert dcl.run('WRITE SYS$OUTPUT F$TRNLNM("TCPIP$POP_DISABLE_SSL")') == ("TRUE\n", 0x10001)


# ------------------------------------------------------------------------------ the plugin
def test_the_entry_point_registers_the_plugin():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    # named as the module, so that -p or pytest_plugins naming it too do not register it twice
    assert project["entry-points"]["pytest11"] == {"vmsenv.testing.plugin": "vmsenv.testing.plugin"}


PLUGIN_TESTS = '''
import os
from pathlib import Path

def test_root(vms_root):
    assert (vms_root.path / "sys$sysdevice" / "vmsenv.root").is_file()
    assert vms_root.dka200.is_dir() and not vms_root.dka200.is_relative_to(vms_root.path)

def test_session(dcl_session, vms_root):
    vms_root.write_file("HELLO.COM", "$ WRITE SYS$OUTPUT \\"hello ''P1'\\"\\n")
    assert dcl_session.run("@HELLO WORLD") == ("hello WORLD\\n", 0x10010001)
    assert dcl_session.run("SHOW DEFAULT")[0] == "  DKA200:[000000]\\n"
    Path(os.environ["PID_FILE"]).write_text(str(dcl_session.pid))

def test_factory(dcl_session_factory):
    first = dcl_session_factory()
    first.run("DEFINE/SYSTEM/NOLOG SHARED_NAME SEEN")
    second = dcl_session_factory(privileges="NONE")
    assert second.run('WRITE SYS$OUTPUT F$TRNLNM("SHARED_NAME")') == ("SEEN\\n", 0x10001)

def test_pop(pop_server):
    import poplib
    client = poplib.POP3(pop_server.host, pop_server.port, timeout=30)
    assert client.getwelcome().startswith(b"+OK POP server")
    client.quit()
'''


def test_plugin_fixtures(pytester, monkeypatch, tmp_path):
    pid_file = tmp_path / "pid"
    monkeypatch.setenv("PID_FILE", str(pid_file))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(test_fixtures=PLUGIN_TESTS)
    result = pytester.runpytest("-p", "vmsenv.testing.plugin", "-rs")
    result.assert_outcomes(passed=4)
    assert gone(int(pid_file.read_text()))          # dcl_session was closed after its test
