"""OPCOM: operator messages, OPERATOR.LOG, REPLY/ENABLE and REQUEST.

- the layout: the banner (day blank-padded), the class list wrapped as OPCOM wraps it;
- two in-process sessions: one REPLY/ENABLE (its reports shown at once), the other REQUEST
  "hello": the first shows it within a second, OPERATOR.LOG (host sys0/sysmgr/operator.log)
  has it; classes select what an operator sees; REPLY/DISABLE; a session without OPER is
  refused with %SYSTEM-F-NOPRIV and not registered; the registration goes with the process;
- the send() API of servers; OPC$LOGFILE_NAME; appends from several processes at once never mix;
- two real `dcl` processes: REPLY/ENABLE in an interactive one (pexpect) shows a REQUEST made
  by `dcl -c` in another.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vmsenv import condition as C
from vmsenv import opcom
from vmsenv.dcl.interpreter import Interpreter
from vmsenv.dcl.verbs import opcom as opcom_verbs
from vmsenv.process import Process
from vmsenv.testing import DclSession

TIMEOUT = 30
TIME = re.compile(r"[ \d]\d-[A-Z]{3}-\d{4} \d\d:\d\d:\d\d\.\d\d")
BANNER = "%%%%%%%%%%%  OPCOM  <time>  %%%%%%%%%%%"
ALL_CLASSES = [
    "CENTRAL, PRINTER, TAPES, DISKS, DEVICES, CARDS, NETWORK, CLUSTER, SECURITY,",
    "LICENSE, OPER1, OPER2, OPER3, OPER4, OPER5, OPER6, OPER7, OPER8, OPER9, OPER10,",
    "OPER11, OPER12",
]


def masked(text: str) -> list[str]:
    return TIME.sub("<time>", text).splitlines()


def wait_for(predicate, timeout: float = 1.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


class Session:
    """An in-process `dcl` session writing to a StringIO."""

    def __init__(self, root, **kw):
        self.process = Process(root, **kw)
        self.out = io.StringIO()
        self.dcl = Interpreter(self.process, self.out)

    def run(self, line: str) -> int:
        return self.dcl.run_line(line)

    def text(self) -> str:
        return self.out.getvalue()

    def close(self) -> None:
        opcom_verbs.stop_watching(self.dcl)
        self.process.logout()


@pytest.fixture
def sessions(root):
    made: list[Session] = []

    def make(**kw) -> Session:
        made.append(Session(root, **kw))
        return made[-1]

    yield make
    for s in made:
        s.close()


def log_file(root) -> Path:
    return root.path / "sys$sysdevice" / "sys0" / "sysmgr" / "operator.log"


# ------------------------------------------------------------------------------ layout
def test_banner_and_class_lines():
    assert opcom.banner(" 4-JUN-2025 14:39:01.15") == \
        "%%%%%%%%%%%  OPCOM   4-JUN-2025 14:39:01.15  %%%%%%%%%%%"
    assert opcom.class_lines(opcom.CLASSES) == ALL_CLASSES
    assert opcom.class_lines(["oper2", "CENTRAL"]) == ["CENTRAL, OPER2"]
    with pytest.raises(ValueError):
        opcom.class_lines(["NOSUCH"])


# ------------------------------------------------------------------------------ two sessions
def test_request_reaches_an_enabled_session(root, sessions):
    operator, user = sessions(), sessions()
    assert operator.run("REPLY/ENABLE") == C.SS_NORMAL
    terminal = operator.process.terminal
    assert masked(operator.text()) == [
        "", BANNER, f"Operator {terminal} has been enabled, username SYSTEM",
        "", BANNER, f"Operator status for operator {terminal}", *ALL_CLASSES]
    shown = len(operator.text())
    assert user.run('REQUEST "hello"') == C.SS_NORMAL
    assert user.text() == ""
    assert wait_for(lambda: "hello" in operator.text())
    assert masked(operator.text()[shown:]) == [
        "", BANNER, f"Message from user SYSTEM on {root.node}",
        f"{user.process.terminal}, hello"]
    log = log_file(root).read_text()
    assert masked(log)[-4:] == masked(operator.text()[shown:])
    assert f"Operator {terminal} has been enabled, username SYSTEM" in log


def test_classes_select_the_messages(root, sessions):
    central, oper1, user = sessions(), sessions(), sessions()
    central.run("REPLY/ENABLE=CENTRAL")
    oper1.run("REPLY/ENABLE=(OPER1,TAPES)")
    assert masked(oper1.text())[-2:] == [
        f"Operator status for operator {oper1.process.terminal}", "TAPES, OPER1"]
    mark = len(central.text()), len(oper1.text())
    user.run('REQUEST/TO=OPER1 "for oper1"')
    user.run('REQUEST "for central"')
    assert wait_for(lambda: "for central" in central.text() and "for oper1" in oper1.text())
    time.sleep(0.3)
    assert "for oper1" not in central.text()[mark[0]:]
    assert "for central" not in oper1.text()[mark[1]:]
    # The operator that enabled CENTRAL was told when the other one was enabled.
    assert f"Operator {oper1.process.terminal} has been enabled" in central.text()
    assert "for oper1" in log_file(root).read_text()


def test_disable(root, sessions):
    operator, user = sessions(), sessions()
    operator.run("REPLY/ENABLE")
    operator.run("REPLY/DISABLE=(CENTRAL,SECURITY)")
    terminal = operator.process.terminal
    assert masked(operator.text())[-3:] == [
        f"Operator status for operator {terminal}",
        "PRINTER, TAPES, DISKS, DEVICES, CARDS, NETWORK, CLUSTER, LICENSE, OPER1, OPER2,",
        "OPER3, OPER4, OPER5, OPER6, OPER7, OPER8, OPER9, OPER10, OPER11, OPER12"]
    assert opcom.operator_classes(root, operator.process.pid)[0] == "PRINTER"
    operator.run("REPLY/DISABLE")
    assert masked(operator.text())[-1] == \
        f"Operator {terminal} has been disabled, username SYSTEM"
    assert opcom.operators(root) == []
    mark = len(operator.text())
    user.run('REQUEST "nobody listens"')
    time.sleep(0.3)
    assert operator.text()[mark:] == ""
    assert "nobody listens" in log_file(root).read_text()


def test_status(root, sessions):
    operator = sessions()
    operator.run("REPLY/ENABLE=(NETWORK,CENTRAL)")
    mark = len(operator.text())
    operator.run("REPLY/STATUS")
    assert masked(operator.text()[mark:]) == [
        "", BANNER, f"Operator status for operator {operator.process.terminal}",
        "CENTRAL, NETWORK"]


def test_prompt_written_again_after_the_messages(root, sessions):
    operator, user = sessions(), sessions()
    operator.run("REPLY/ENABLE=CENTRAL")
    operator.dcl.pending_prompt = "$ "      # what the shell exposes while it waits at "$ "
    mark = len(operator.text())
    user.run('REQUEST "while waiting"')
    assert wait_for(lambda: operator.text().endswith("$ "))
    assert operator.text()[mark:].endswith(f"{user.process.terminal}, while waiting\n$ ")


def test_without_oper_privilege(root, sessions):
    plain = sessions(privileges={"TMPMBX", "NETMBX"})
    status = plain.run("REPLY/ENABLE")
    assert plain.text() == \
        "%SYSTEM-F-NOPRIV, insufficient privilege or object protection violation\n"
    assert status == C.SS_NOPRIV
    assert opcom.operators(root) == []
    assert opcom_verbs.watcher(plain.dcl) is None
    # REQUEST needs no privilege.
    assert plain.run('REQUEST "from a plain user"') == C.SS_NORMAL
    assert "from a plain user" in log_file(root).read_text()


def test_security_class_needs_security_privilege(root, sessions):
    oper = sessions(privileges={"OPER"})
    assert oper.run("REPLY/ENABLE=SECURITY") == C.SS_NOPRIV
    oper.run("REPLY/ENABLE")
    assert "SECURITY" not in opcom.operator_classes(root, oper.process.pid)
    assert "CENTRAL" in opcom.operator_classes(root, oper.process.pid)


def test_registration_goes_with_the_process(root):
    s = Session(root)
    s.run("REPLY/ENABLE=CENTRAL")
    assert [o.pid for o in opcom.operators(root)] == [s.process.pid]
    assert opcom.operators(root)[0].classes == ("CENTRAL",)
    s.close()
    assert opcom.operators(root) == []


def test_bad_qualifiers(sessions):
    s = sessions()
    s.run("REPLY/ENABLE=NOSUCH")
    assert s.text().splitlines()[0].startswith("%DCL-W-IVKEYW")
    s.run("REPLY")
    assert "%DCL-W-INSFPRM" in s.text()


# ------------------------------------------------------------------------------ the API
def test_send_from_a_server(root, sessions):
    operator = sessions()
    operator.run("REPLY/ENABLE=(NETWORK)")
    mark = len(operator.text())
    message = opcom.send(root, "%TCPIP-I-POP, connection rejected\nsecond line",
                         classes=("NETWORK",), username="TCPIP$POP")
    assert message.lines == (f"Message from user TCPIP$POP on {root.node}",
                             "%TCPIP-I-POP, connection rejected", "second line")
    assert wait_for(lambda: "second line" in operator.text())
    assert masked(operator.text()[mark:]) == ["", BANNER, *message.lines]
    sender = Process(root, username="POPUSER")
    try:
        assert opcom.send(root, "x", source=sender).lines[0].startswith(
            "Message from user POPUSER on ")
    finally:
        sender.logout()
    with pytest.raises(ValueError):
        opcom.send(root, "x", classes=("NOSUCH",))


def test_log_name_from_the_system_table(root, sessions):
    s = sessions()
    s.run("DEFINE/SYSTEM OPC$LOGFILE_NAME SYS$MANAGER:OTHER.LOG")
    opcom.send(root, "elsewhere")
    other = root.path / "sys$sysdevice" / "sys0" / "sysmgr" / "other.log"
    assert "elsewhere" in other.read_text()
    assert not log_file(root).exists()
    spec, path = opcom.log_path(root)
    assert spec == "SYS$SYSROOT:[SYSMGR]OTHER.LOG;1" and path == other


CHILD = """
import sys
from vmsenv import opcom, root
r = root.Root(sys.argv[1])
for i in range(int(sys.argv[3])):
    opcom.send(r, f"writer {sys.argv[2]} message {i}\\nsecond line", username="W" + sys.argv[2])
"""


def test_writers_at_once_never_mix(root):
    writers, each = 4, 25
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(root.path), str(n), str(each)])
             for n in range(writers)]
    for p in procs:
        assert p.wait(timeout=TIMEOUT) == 0
    text = log_file(root).read_text()
    assert text.startswith("\n") and text.endswith("\n")
    blocks = text[1:-1].split("\n\n")
    assert len(blocks) == writers * each
    for block in blocks:
        lines = block.rstrip("\n").split("\n")
        assert len(lines) == 4
        assert TIME.sub("<time>", lines[0]) == BANNER
        n = re.fullmatch(r"Message from user W(\d) on .*", lines[1]).group(1)
        assert re.fullmatch(rf"writer {n} message \d+", lines[2]) and lines[3] == "second line"
    seqs = [m.seq for m in opcom.messages_after(root.store.db, 0)]
    assert seqs == sorted(seqs) and len(seqs) == writers * each


# ------------------------------------------------------------------------------ real `dcl`
def test_two_dcl_processes(programs, root_dir, tmp_path):
    with DclSession(root_dir, cwd=tmp_path, timeout=TIMEOUT) as dcl:
        dcl.send_line("REPLY/ENABLE")
        dcl.expect(r"Operator (_\S+:) has been enabled, username SYSTEM\r\n")
        terminal = dcl.match.group(1)
        dcl.expect_exact(f"Operator status for operator {terminal}\r\n")
        dcl.expect_exact("OPER11, OPER12\r\n")
        dcl.expect_exact("$ ")
        sent = programs.run(programs.dcl + ["--root", str(root_dir), "-c",
                                            'REQUEST "Please mount volume POP01"'], tmp_path,
                            TIMEOUT)
        assert sent.returncode == 0, sent.stderr
        assert sent.stdout == ""
        dcl.expect(r"%%%%%%%%%%%  OPCOM  [ \d]\d-[A-Z]{3}-\d{4} \d\d:\d\d:\d\d\.\d\d  "
                   r"%%%%%%%%%%%\r\n", timeout=5)
        dcl.expect(r"Message from user SYSTEM on \S+\r\n")
        dcl.expect(r"_\S+:, Please mount volume POP01\r\n")
        # The session goes on.
        dcl.send_line('WRITE SYS$OUTPUT "still here"')
        dcl.expect_exact("still here\r\n")
        dcl.send_control("D")       # the end of input
        dcl.wait_eof()
    assert "Please mount volume POP01" in (
        root_dir / "sys$sysdevice" / "sys0" / "sysmgr" / "operator.log").read_text()
