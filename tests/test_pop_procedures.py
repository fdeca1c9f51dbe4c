"""The POP procedures of sys$startup/, run by `dcl` in fresh roots: TCPIP$POP_STARTUP.COM,
TCPIP$POP_RUN.COM (the detached server process, POSTMASTER mail) and TCPIP$POP_SHUTDOWN.COM,
with the site files' templates; and the whole story through vmsenv.testing.pop."""

from __future__ import annotations

import contextlib
import poplib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vmsenv import root as rootmod
from vmsenv.dcl.verbs import load as load_verbs
from vmsenv.mail import store as mailstore
from vmsenv.processes import Registry
from vmsenv.testing import MAIL_PROMPT, DclSession
from vmsenv.testing.pop import free_port, start_pop_server

STARTUP = "@SYS$STARTUP:TCPIP$POP_STARTUP"
SHUTDOWN = "@SYS$STARTUP:TCPIP$POP_SHUTDOWN"
NOPRIV = ["%TCPIP-E-POPNOPRIV, insufficient privilege to start the POP server",
          "-TCPIP-I-POPPRIVREQ, the POP startup requires CMKRNL, IMPERSONATE, SYSNAM, SYSPRV "
          "and WORLD"]
NOT_ENABLED = "%TCPIP-E-POPNOTENABLED, service POP is not enabled; POP server not started"


def mail_verb() -> bool:
    return load_verbs()[0].get("MAIL") is not None


needs_mail = pytest.mark.skipif(not mail_verb(), reason="the MAIL verb is not available yet")


# ---------------------------------------------------------------------------------------------
# Helpers.
# ---------------------------------------------------------------------------------------------
def dcl(vms_root, text: str, user: str = "SYSTEM", privileges: str | None = None,
        timeout: float = 60) -> tuple[str, int]:
    """Run text (command lines) as a procedure on DKA200:; (output, exit code of dcl)."""
    lines = [line if line.startswith("$") else f"$ {line}" for line in text.splitlines()]
    path = vms_root.write_file("T.COM", "\n".join(lines) + "\n")
    args = [sys.executable, "-m", "vmsenv.dcl.cli", "--root", str(vms_root.path),
            "--user", user]
    if privileges is not None:
        args += ["--privileges", privileges]
    done = subprocess.run(args + [str(path)], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    return done.stdout + done.stderr, done.returncode


def root_of(vms_root) -> rootmod.Root:
    return rootmod.Root(vms_root.path)


def host(vms_root, *parts: str) -> Path:
    return Path(vms_root.path, "sys$sysdevice", *parts)


def site_file(vms_root, name: str) -> Path:
    """SYS$SPECIFIC:[SYS$STARTUP]name on the host."""
    return host(vms_root, "sys0", "sys$startup", name.lower())


def pop_processes(vms_root) -> list:
    return [p for p in Registry(root_of(vms_root).store).all() if p.name == "TCPIP$POP"]


def wait_for(predicate, timeout: float = 30.0, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def add_user(vms_root, name: str, uic: str, password: str, privileges: str = "") -> None:
    extra = f"/PRIVILEGES=({privileges})/DEFPRIVILEGES=({privileges})" if privileges else ""
    out, code = dcl(vms_root, f"MCR AUTHORIZE ADD {name}/UIC={uic}/PASSWORD={password}"
                    f"/FLAGS=NODISUSER/DEVICE=SYS$SYSDEVICE/DIRECTORY=[{name}]{extra}")
    assert code == 0, out


def configure_service(vms_root, port: int, logicals: dict[str, str] | None = None) -> None:
    """The POP entry on 127.0.0.1 port, enabled at startup, as vmsenv.testing.pop makes it."""
    names = {"TCPIP$POP_DISABLE_SSL": "TRUE", **(logicals or {})}
    text = "\n".join(
        [f'DEFINE/SYSTEM/NOLOG {k} "{v}"' for k, v in names.items()]
        + ["SET NOON", "TCPIP SET NOSERVICE POP", "SET ON",
           f"TCPIP SET SERVICE POP /PORT={port} /ADDRESS=127.0.0.1 "
           "/FILE=SYS$STARTUP:TCPIP$POP_RUN.COM /USER_NAME=TCPIP$POP /PROCESS_NAME=TCPIP$POP",
           "TCPIP SET CONFIGURATION ENABLE SERVICE POP"])
    out, code = dcl(vms_root, text)
    assert code == 0, out


def newmail(vms_root, user: str) -> list[tuple[mailstore.MessageInfo, bytes]]:
    found = mailstore.find_mail_file(host(vms_root, user.lower()))
    if found is None:
        return []
    with mailstore.MailFile(found, create=False) as mail:
        return [(info, mail.read(info.id)) for info in mail.list(mailstore.NEWMAIL)]


def run_log(vms_root) -> str:
    """The newest SYS$SYSDEVICE:[TCPIP$POP]TCPIP$POP_RUN.LOG (the run procedure's output)."""
    logs = sorted(host(vms_root, "tcpip$pop").glob("tcpip$pop_run.log*"),
                  key=lambda p: p.stat().st_mtime_ns)
    return logs[-1].read_text(encoding="latin-1") if logs else ""


@pytest.fixture(autouse=True)
def no_process_left(vms_root):
    """Whatever a test leaves running in its root is stopped afterwards."""
    yield
    subprocess.run([sys.executable, "-m", "vmsenv.cli", "shutdown", "--root",
                    str(vms_root.path)], capture_output=True, timeout=60)


# ---------------------------------------------------------------------------------------------
# TCPIP$POP_STARTUP.COM
# ---------------------------------------------------------------------------------------------
def test_startup_refuses_without_privileges_and_does_nothing(vms_root):
    add_user(vms_root, "JONES", "[200,201]", "JONESPW1")
    out, code = dcl(vms_root, f"SET NOON\n{STARTUP}\nSHOW SYMBOL $STATUS", user="JONES")
    assert out.splitlines() == NOPRIV + ['  $STATUS == "%X10000024"']
    out, code = dcl(vms_root, STARTUP, user="JONES")
    assert code != 0
    assert not site_file(vms_root, "TCPIP$POP_SYSTARTUP.COM").exists()
    assert pop_processes(vms_root) == []


def test_startup_turns_on_authorized_privileges_for_its_duration_only(vms_root):
    out, code = dcl(vms_root, f"SET NOON\n{STARTUP}\n"
                    'WRITE SYS$OUTPUT "after: ", F$PRIVILEGE("CMKRNL"), F$PRIVILEGE("WORLD"), '
                    'F$PRIVILEGE("TMPMBX")', privileges="TMPMBX,NETMBX")
    lines = out.splitlines()
    assert NOPRIV[0] not in lines
    assert NOT_ENABLED in lines              # it went as far as the service check
    assert lines[-1] == "after: FALSEFALSETRUE"


def test_startup_creates_the_site_templates_once_and_runs_the_site_file(vms_root):
    out, code = dcl(vms_root, STARTUP)
    assert code != 0                         # a fresh root's POP service is not enabled
    systartup = site_file(vms_root, "TCPIP$POP_SYSTARTUP.COM")
    syshutdown = site_file(vms_root, "TCPIP$POP_SYSHUTDOWN.COM")
    assert out.splitlines() == [
        "%TCPIP-I-POPTEMPLATE, created SYS$SPECIFIC:[SYS$STARTUP]TCPIP$POP_SYSTARTUP.COM;1 "
        "from its template",
        "%TCPIP-I-POPTEMPLATE, created SYS$SPECIFIC:[SYS$STARTUP]TCPIP$POP_SYSHUTDOWN.COM;1 "
        "from its template",
        "%TCPIP-I-POPSITE, running SYS$SYSROOT:[SYS$STARTUP]TCPIP$POP_SYSTARTUP.COM;1",
        NOT_ENABLED,
        "-TCPIP-I-POPENABLE, enable it with TCPIP ENABLE SERVICE POP, or for every startup "
        "with TCPIP SET CONFIGURATION ENABLE SERVICE POP"]
    text = systartup.read_text()
    assert text.startswith("$ ! TCPIP$POP_SYSTARTUP.COM -- site-specific POP server startup")
    assert '$ !   $ DEFINE/SYSTEM TCPIP$POP_POSTMASTER "JONES, SMITH"\n' in text
    assert text.endswith("$ EXIT\n")
    assert syshutdown.read_text().startswith("$ ! TCPIP$POP_SYSHUTDOWN.COM -- site-specific")

    # the site's own file: run, never overwritten (neither by the procedure nor by init)
    systartup.write_text("$ DEFINE/SYSTEM/NOLOG SITE_POP_STARTUP \"ran as ''F$USER()'\"\n")
    syshutdown.unlink()
    rootmod.init(vms_root.path)
    out, code = dcl(vms_root, f"SET NOON\n{STARTUP}\n"
                    'WRITE SYS$OUTPUT F$TRNLNM("SITE_POP_STARTUP")')
    lines = out.splitlines()
    assert lines[0] == ("%TCPIP-I-POPTEMPLATE, created SYS$SPECIFIC:[SYS$STARTUP]"
                        "TCPIP$POP_SYSHUTDOWN.COM;1 from its template")
    assert lines[1] == "%TCPIP-I-POPSITE, running SYS$SYSROOT:[SYS$STARTUP]TCPIP$POP_SYSTARTUP.COM;1"
    assert lines[-1] == "ran as [SYSTEM]"
    assert systartup.read_text().startswith("$ DEFINE/SYSTEM/NOLOG SITE_POP_STARTUP")
    assert sorted(p.name for p in systartup.parent.glob("tcpip$pop_sys*")) == [
        "tcpip$pop_syshutdown.com", "tcpip$pop_systartup.com"]


def test_a_site_file_elsewhere_in_the_search_list_gets_no_template(vms_root):
    common = host(vms_root, "sys0", "syscommon", "sys$startup", "tcpip$pop_systartup.com")
    common.write_text("$ EXIT\n")
    out, _ = dcl(vms_root, STARTUP)
    assert not site_file(vms_root, "TCPIP$POP_SYSTARTUP.COM").exists()
    assert "%TCPIP-I-POPSITE, running SYS$COMMON:[SYS$STARTUP]TCPIP$POP_SYSTARTUP.COM;1" in out


def test_startup_needs_the_service_entry(vms_root):
    out, code = dcl(vms_root, "TCPIP SET NOSERVICE POP\nSET NOON\n" + STARTUP +
                    "\nSHOW SYMBOL $STATUS")
    lines = out.splitlines()
    assert "%TCPIP-E-POPNOSERVICE, service POP is not defined; POP server not started" in lines
    assert lines[-1] == '  $STATUS == "%X110D800A"'
    assert pop_processes(vms_root) == []


def sleeper(vms_root) -> int:
    """A detached process named TCPIP$POP in the TCPIP$POP UIC that only waits; its PID."""
    vms_root.write_file("SLEEPER.COM", "$ WAIT 00:05:00\n")
    out, code = dcl(vms_root, 'RUN/DETACHED SYS$SYSTEM:LOGINOUT /INPUT=DKA200:[000000]SLEEPER.COM'
                    ' /PROCESS_NAME=TCPIP$POP /UIC="[3655,2]"')
    assert code == 0, out
    return int(out.split()[-1], 16)


def test_startup_refuses_politely_when_the_server_runs(vms_root):
    configure_service(vms_root, free_port())
    pid = sleeper(vms_root)
    out, code = dcl(vms_root, f"{STARTUP}\nSHOW SYMBOL $STATUS")
    assert code == 0
    lines = out.splitlines()
    assert (f"%TCPIP-I-POPRUNNING, the POP server is already running, process TCPIP$POP "
            f"(PID {pid:08X}); not started again") in lines
    assert lines[-1] == '  $STATUS == "%X10000093"'
    assert not any("PROC_ID" in line or "POPSITE" in line for line in lines)
    assert [p.pid for p in pop_processes(vms_root)] == [pid]


# ---------------------------------------------------------------------------------------------
# TCPIP$POP_SHUTDOWN.COM
# ---------------------------------------------------------------------------------------------
def test_shutdown_is_harmless_when_the_server_is_not_running(vms_root):
    out, code = dcl(vms_root, f"{SHUTDOWN}\nSHOW SYMBOL $STATUS")
    assert code == 0
    assert out.splitlines() == ["%TCPIP-I-POPNOTRUN, the POP server is not running",
                                '  $STATUS == "%X00000001"']
    configure_service(vms_root, free_port())
    out, code = dcl(vms_root, "TCPIP ENABLE SERVICE POP\n" + SHUTDOWN +
                    "\nTCPIP SHOW SERVICE POP")
    assert code == 0
    lines = out.splitlines()
    assert lines[:2] == ["%TCPIP-I-POPDISABLED, service POP disabled",
                         "%TCPIP-I-POPNOTRUN, the POP server is not running"]
    assert lines[-1].endswith("Disabled")


def test_shutdown_refuses_without_privileges(vms_root):
    add_user(vms_root, "JONES", "[200,201]", "JONESPW1")
    out, code = dcl(vms_root, SHUTDOWN, user="JONES")
    assert code != 0
    assert out.splitlines()[0] == ("%TCPIP-E-POPNOPRIV, insufficient privilege to stop the "
                                   "POP server")


def test_shutdown_stops_a_server_that_does_not_stop_by_itself(vms_root):
    configure_service(vms_root, free_port())
    pid = sleeper(vms_root)
    site_file(vms_root, "TCPIP$POP_SYSHUTDOWN.COM").write_text(
        '$ WRITE SYS$OUTPUT "site shutdown"\n')
    started = time.monotonic()
    out, code = dcl(vms_root, f"{SHUTDOWN} 1")
    assert code == 0, out
    assert time.monotonic() - started < 20
    assert out.splitlines() == [
        "%TCPIP-I-POPSITE, running SYS$SYSROOT:[SYS$STARTUP]TCPIP$POP_SYSHUTDOWN.COM;1",
        "site shutdown",
        f"%TCPIP-I-POPSTOPPING, waiting for the POP server, process TCPIP$POP (PID {pid:08X}), "
        "to finish its sessions and stop",
        f"%TCPIP-W-POPFORCED, the POP server did not stop within 1 seconds; stopping process "
        f"{pid:08X}",
        "%TCPIP-I-POPSTOPPED, POP server stopped"]
    assert pop_processes(vms_root) == []


# ---------------------------------------------------------------------------------------------
# TCPIP$POP_RUN.COM: a server that fails.
# ---------------------------------------------------------------------------------------------
@contextlib.contextmanager
def port_taken():
    """A port another socket listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


def expected_failure() -> tuple[str, str]:
    """(hex status, message) of the server's failure at start: its port is busy."""
    return "%X00000094", "%SYSTEM-F-DUPLNAM, duplicate name"


def start_failing_server(vms_root, logicals: dict[str, str]) -> str:
    """Start the server on a busy port; the run procedure's log once the process has ended."""
    with port_taken() as port:
        configure_service(vms_root, port, logicals)
        out, code = dcl(vms_root, STARTUP)
        assert code == 0, out
        assert "%TCPIP-I-POPINSTALLED, SYS$SYSTEM:TCPIP$POP_SERVER.EXE installed, privileges " \
               "SYSPRV and BYPASS" in out
        assert wait_for(lambda: not pop_processes(vms_root)), "the server did not end"
    return run_log(vms_root)


def test_a_failing_server_is_reported_in_the_run_log(vms_root):
    log = start_failing_server(vms_root, {})
    status, message = expected_failure()
    lines = log.splitlines()
    assert lines[0].startswith("%TCPIP-I-POPRUN, process TCPIP$POP (PID ")
    assert lines.count(message) == 1, log          # the image's message, not shown again
    assert any(line.startswith("%TCPIP-E-POPFAIL, the POP server ended with an error at ")
               and line.endswith(f", status {status}") for line in lines)
    assert lines[-1] == ("%TCPIP-I-POPNOPOSTMASTER, TCPIP$POP_POSTMASTER is not defined; "
                         "nobody is mailed")


@needs_mail
def test_postmaster_gets_the_failure_mail(vms_root):
    add_user(vms_root, "JONES", "[200,201]", "JONESPW1")
    add_user(vms_root, "SMITH", "[200,202]", "SMITHPW1")
    log = start_failing_server(vms_root, {"TCPIP$POP_POSTMASTER": "JONES, SMITH"})
    assert "%TCPIP-I-POPMAILED, failure mail sent to JONES" in log.splitlines()
    assert "%TCPIP-I-POPMAILED, failure mail sent to SMITH" in log.splitlines()
    status, message = expected_failure()
    node = root_of(vms_root).node
    pop_run = (host(vms_root, "tcpip$pop") / "pop_run.log").read_text(encoding="latin-1")
    for user in ("JONES", "SMITH"):
        mails = newmail(vms_root, user)
        assert len(mails) == 1, user
        info, body = mails[0]
        assert info.subject == (f"POP server TCPIP$POP on node {node} exited: "
                                f"{message.split(',')[0]} ({status})")
        text = body.decode("latin-1")
        assert f"Exit status {status}:\n{message}\n" in text.replace("\r\n", "\n")
        assert "The last lines of SYS$SYSDEVICE:[TCPIP$POP]POP_RUN.LOG;" in text
        assert pop_run.splitlines()[-1] in text
    assert not list(host(vms_root, "tcpip$pop").glob("tcpip$pop_failure*"))
    # and the POSTMASTER reads it with MAIL, in a DCL session of their own
    with DclSession(vms_root, user="SMITH", timeout=30) as smith:
        smith.send_line("MAIL")
        greeting = smith.expect_prompt(MAIL_PROMPT)
        assert "You have 1 new message" in greeting
        shown = smith.converse("READ", MAIL_PROMPT)
        assert f"POP server TCPIP$POP on node {node} exited: " in shown
        assert f"Exit status {status}:" in shown
        smith.converse("EXIT", "$ ")


# ---------------------------------------------------------------------------------------------
# The whole story.
# ---------------------------------------------------------------------------------------------
def test_startup_serves_pop_and_shutdown_leaves_no_process(vms_root):
    add_user(vms_root, "JONES", "[200,201]", "JONESPW1")
    server = start_pop_server(vms_root, logicals={"TCPIP$POP_POSTMASTER": "JONES",
                                                  "TCPIP$POP_LOG_LEVEL": "DEBUG"}, timeout=60)
    try:
        assert "%TCPIP-I-POPSTARTED, POP server started: process TCPIP$POP" \
            in server.startup_output
        client = poplib.POP3(server.host, server.port, timeout=20)
        assert client.getwelcome().startswith(b"+OK")
        client.user("JONES")
        client.pass_("JONESPW1")
        assert client.stat() == (0, 0)
        client.quit()
    finally:
        output = server.stop()
    assert "%TCPIP-I-POPDISABLED, service POP disabled" in output
    assert "%TCPIP-I-POPSTOPPED, POP server stopped" in output
    assert "POPFORCED" not in output                       # it stopped by itself
    assert pop_processes(vms_root) == []
    lines = run_log(vms_root).splitlines()
    assert lines[-1].startswith("%TCPIP-I-POPEXIT, the POP server ended at ")
    assert lines[-1].endswith(", status %X00000001")
    assert newmail(vms_root, "JONES") == []                 # a clean exit mails nobody
    pop_run = (host(vms_root, "tcpip$pop") / "pop_run.log").read_text(encoding="latin-1")
    assert "service POP is disabled: orderly shutdown" in pop_run


def test_xtnd_shutdown_ends_the_process_and_mails_nobody(vms_root):
    add_user(vms_root, "OPERATOR", "[1,10]", "OPERPW12", privileges="OPER")
    server = start_pop_server(vms_root, logicals={"TCPIP$POP_POSTMASTER": "OPERATOR"})
    try:
        client = poplib.POP3(server.host, server.port, timeout=20)
        client.user("OPERATOR")
        client.pass_("OPERPW12")
        assert client._shortcmd("XTND SHUTDOWN").startswith(b"+OK")
        client.quit()
        assert wait_for(lambda: not pop_processes(vms_root)), "XTND SHUTDOWN did not end it"
    finally:
        output = server.stop()
    assert "%TCPIP-I-POPNOTRUN, the POP server is not running" in output
    assert run_log(vms_root).splitlines()[-1].endswith(", status %X00000001")
    assert newmail(vms_root, "OPERATOR") == []
