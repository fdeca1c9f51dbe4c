"""SPAWN, ATTACH, STOP process, SHOW SYSTEM / PROCESS / USERS, SET PROCESS, F$PID, F$CONTEXT."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time

import pytest

from vmsenv import boot, hostproc, uaf
from vmsenv.dcl.interpreter import Interpreter
from vmsenv.dcl.verbs import processes as procverbs
from vmsenv.process import Process, for_account
from vmsenv.processes import Registry

SPAWNED = "%DCL-S-SPAWNED, process {} spawned"
ATTACHED = "%DCL-S-ATTACHED, terminal now attached to process {}"
RETURNED = "%DCL-S-RETURNED, control returned to process {}"
NOPRIV = "%SYSTEM-F-NOPRIV, insufficient privilege or object protection violation\n"
NONEXPR = "%SYSTEM-W-NONEXPR, nonexistent process\n"


@pytest.fixture
def sessions(root):
    """Interpreters on in-process Process objects, logged out at the end."""
    made = []

    def make(process=None, lines: str = "", privileges=None):
        process = process or Process(root, privileges=privileges)
        dcl = Interpreter(process, io.StringIO(), input=io.StringIO(lines))
        made.append(dcl)
        return dcl

    yield make
    for dcl in made:
        for sub in list(procverbs.spawn.subprocesses(dcl.process.pid)):
            sub.popen.kill()
            sub.popen.wait(10)
        procverbs.spawn.reap()
        dcl.process.logout()


def run(dcl, *lines) -> str:
    dcl.out.seek(0)
    dcl.out.truncate()
    for line in lines:
        dcl.run_line(line)
    return dcl.out.getvalue()


def sysmgr(root):
    return root.sysdevice / "sys0" / "sysmgr"


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def start_dcl(root, user: str, command: str) -> tuple[subprocess.Popen, int]:
    """A `dcl --user USER -c COMMAND` host process; (popen, its VMS PID) once registered."""
    registry = Registry(root.store)
    before = {p.pid for p in registry.all()}
    popen = subprocess.Popen(
        [sys.executable, "-m", "vmsenv.dcl.cli", "--root", str(root.path), "--user", user,
         "-c", command], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)

    def registered():
        for info in registry.all():
            if info.pid not in before and info.os_pid == popen.pid:
                return info.pid
        assert popen.poll() is None, popen.stdout.read()
        return None
    return popen, wait_for(registered)


def finish(popen: subprocess.Popen) -> None:
    if popen.poll() is None:
        popen.kill()
    popen.wait(10)
    popen.stdout.close()


# ---------------------------------------------------------------------------------------------
# SPAWN.
# ---------------------------------------------------------------------------------------------
def test_spawn_runs_a_command_with_the_symbols_copied(root, sessions):
    dcl = sessions()
    run(dcl, 'X = "local value"', 'G == "global value"', "N == 7")
    text = run(dcl, 'SPAWN WRITE SYS$OUTPUT X, "/", G, "/", N + 1, "/", F$MODE()')
    assert text == "\n".join([
        SPAWNED.format("SYSTEM_1"), ATTACHED.format("SYSTEM_1"),
        "local value/global value/8/INTERACTIVE", RETURNED.format("SYSTEM"), ""])
    # the subprocess is gone, and so is its registration
    assert [p.name for p in dcl.process.registry.all()] == ["SYSTEM"]


def test_spawn_output_file_job_table_and_status(root, sessions):
    dcl = sessions()
    run(dcl, 'X = "from the parent"')
    text = run(dcl, "SPAWN/OUTPUT=RESULT.LOG WRITE SYS$OUTPUT X")
    assert text == "\n".join([SPAWNED.format("SYSTEM_1"), ATTACHED.format("SYSTEM_1"),
                              RETURNED.format("SYSTEM"), ""])
    assert (sysmgr(root) / "result.log").read_text() == "from the parent\n"
    # the subprocess shares the job table, and its final status becomes $STATUS
    run(dcl, "SPAWN DEFINE/JOB/NOLOG FROM_CHILD YES")
    assert dcl.process.lnm.trnlnm("FROM_CHILD", "LNM$JOB").values[0][0] == "YES"
    text = run(dcl, "SPAWN FROBNICATE")
    assert text.count("%DCL-W-IVVERB") == 1          # shown once, by the subprocess
    assert dcl.lookup_symbol("$STATUS") == "%X00038090"


def test_spawn_copies_user_and_supervisor_names_only(root, sessions):
    dcl = sessions()
    run(dcl, "DEFINE/USER_MODE P4_USER X", "DEFINE P4_SUPER X", "DEFINE/EXECUTIVE P4_EXEC X",
        "DEFINE/NAME_ATTRIBUTES=CONFINE P4_CONF X", "SY == 1")
    text = run(dcl, "SPAWN/PROCESS=CHILD SHOW LOGICAL/PROCESS P4_*")
    listing = text.split(ATTACHED.format("CHILD") + "\n")[1]
    assert '"P4_SUPER" = "X"' in listing and '"P4_USER" = "X"' in listing
    assert "P4_EXEC" not in listing and "P4_CONF" not in listing
    text = run(dcl, "SPAWN/NOLOGICAL_NAMES SHOW LOGICAL/PROCESS P4_SUPER")
    assert '"P4_SUPER"' not in text
    text = run(dcl, "SPAWN/NOSYMBOL SHOW SYMBOL SY")
    assert "%DCL-W-UNDSYM" in text


def test_interactive_subprocess_reads_the_parents_input(root, sessions):
    lines = ('WRITE SYS$OUTPUT "child: ", X\n'
             "ATTACH SYSTEM\n"
             'WRITE SYS$OUTPUT "child again"\n'
             "LOGOUT\n"
             "NEXT LINE FOR THE PARENT\n")
    dcl = sessions(lines=lines)
    run(dcl, 'X = "copied"')
    text = run(dcl, "SPAWN")
    assert text.startswith(SPAWNED.format("SYSTEM_1") + "\n" + ATTACHED.format("SYSTEM_1"))
    assert "child: copied\n" in text
    assert text.endswith(RETURNED.format("SYSTEM") + "\n")   # ATTACH SYSTEM handed it back
    sub = procverbs.spawn.find(dcl.process.pid, name="SYSTEM_1")
    assert sub is not None and sub.hibernating
    text = run(dcl, "ATTACH SYSTEM_1")
    assert text.startswith(ATTACHED.format("SYSTEM_1") + "\n")
    assert "child again\n" in text and text.endswith(RETURNED.format("SYSTEM") + "\n")
    # the subprocess read exactly its lines: the rest is still the parent's
    assert dcl.input.readline() == "NEXT LINE FOR THE PARENT\n"
    assert procverbs.spawn.find(dcl.process.pid, name="SYSTEM_1") is None
    assert run(dcl, "ATTACH SYSTEM_1") == NONEXPR


def test_spawn_process_name_in_use(root, sessions):
    dcl = sessions()
    assert run(dcl, "SPAWN/PROCESS=SYSTEM SHOW TIME") == "%SYSTEM-F-DUPLNAM, duplicate name\n"
    assert procverbs.spawn.subprocesses(dcl.process.pid) == []


def test_spawn_on_a_terminal(root):
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, ["-m", "vmsenv.dcl.cli", "--root", str(root.path)],
                          encoding="utf-8", timeout=20, env=dict(os.environ, TERM="dumb"))
    try:
        child.expect_exact("$ ")
        child.sendline('X = "on the terminal"')
        child.expect_exact("$ ")
        child.sendline("SPAWN")
        child.expect_exact(ATTACHED.format("SYSTEM_1"))
        child.expect_exact("$ ")
        child.sendline('WRITE SYS$OUTPUT F$GETJPI("","PRCNAM"), " ", X')
        child.expect_exact("SYSTEM_1 on the terminal")
        child.expect_exact("$ ")
        child.sendline("LOGOUT")
        child.expect_exact(RETURNED.format("SYSTEM"))
        child.expect_exact("$ ")
        child.sendline('WRITE SYS$OUTPUT F$GETJPI("","PRCNAM")')
        child.expect(r"\r\nSYSTEM\r\n")
        child.sendline("LOGOUT")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert Registry(root.store).all() == []


def test_spawn_nowait_show_system_and_stop(root, sessions):
    dcl = sessions()
    assert run(dcl, "SPAWN/NOWAIT/PROCESS=LATER WAIT 00:01:00") == SPAWNED.format("LATER") + "\n"
    later = dcl.process.registry.by_name("LATER")
    assert later is not None and later.owner == dcl.process.pid
    assert later.job == dcl.process.job
    rows = run(dcl, "SHOW SYSTEM/SUBPROCESS").splitlines()
    assert rows[2].startswith(f"{later.pid:08X} LATER ") and rows[2].endswith("  S")
    assert run(dcl, f"STOP/IDENTIFICATION={later.pid:08X}") == ""
    assert not hostproc.alive(later.os_pid, later.os_start)
    assert dcl.process.registry.get(later.pid) is None
    assert len(run(dcl, "SHOW SYSTEM/SUBPROCESS").splitlines()) == 2


# ---------------------------------------------------------------------------------------------
# STOP and SHOW SYSTEM.
# ---------------------------------------------------------------------------------------------
def test_stop_identification_ends_a_detached_process(root, sessions):
    (sysmgr(root) / "loop.com").write_text("$ WAIT 00:02:00\n")
    dcl = sessions()
    text = run(dcl, "RUN/DETACHED/PROCESS_NAME=LOOPER/INPUT=LOOP.COM/OUTPUT=LOOP.LOG "
                    "SYS$SYSTEM:LOGINOUT.EXE")
    pid = int(text.split()[-1], 16)
    info = dcl.process.registry.get(pid)
    listing = run(dcl, "SHOW SYSTEM")
    row = next(line for line in listing.splitlines() if line.startswith(f"{pid:08X}"))
    assert row[9:24] == "LOOPER         " and len(row) == 80 and row.endswith("   ")
    assert run(dcl, f"STOP/ID={pid:08X}") == ""
    assert not hostproc.alive(info.os_pid, info.os_start)
    assert f"{pid:08X}" not in run(dcl, "SHOW SYSTEM")
    assert run(dcl, f"STOP/ID={pid:08X}") == NONEXPR
    assert dcl.lookup_symbol("$STATUS") == "%X000008E8"


def test_stop_needs_group_or_world_for_other_users(root, sessions):
    uaf.add(root, "POPPAL", {"uic": (0o3655, 0o10), "flags": ((False, "DISUSER"),)})
    pop, pop_pid = start_dcl(root, "TCPIP$POP", "WAIT 00:01:00")
    pal, pal_pid = start_dcl(root, "POPPAL", "WAIT 00:01:00")
    try:
        # SYSTEM ([1,4]) without WORLD: another group's process cannot be stopped
        nopriv = sessions(privileges=set())
        group_only = sessions(privileges={"GROUP"})
        for dcl in (nopriv, group_only):
            assert run(dcl, f"STOP/ID={pop_pid:08X}") == NOPRIV
            assert run(dcl, f"SHOW PROCESS/ID={pop_pid:08X}") == NOPRIV
            assert f"{pop_pid:08X} TCPIP$POP" in run(dcl, "SHOW SYSTEM")   # listing is free
        assert pop.poll() is None
        # process names are looked up in the caller's group only
        assert run(sessions(), "SHOW PROCESS TCPIP$POP") == NONEXPR
        # the same group needs GROUP (POPPAL is [3655,10], TCPIP$POP [3655,2])
        pal_nopriv = sessions(for_account(root, "POPPAL", privileges=set()))
        assert run(pal_nopriv, f"STOP/ID={pop_pid:08X}") == NOPRIV
        pal_group = sessions(for_account(root, "POPPAL", privileges={"GROUP"}))
        assert run(pal_group, f"STOP/ID={pop_pid:08X}") == ""
        assert pop.wait(10) is not None
        # WORLD reaches any group
        world = sessions(privileges={"WORLD"})
        assert run(world, f"STOP/IDENTIFICATION={pal_pid:08X}") == ""
        assert pal.wait(10) is not None
        assert Registry(root.store).get(pal_pid) is None
    finally:
        finish(pop)
        finish(pal)


def test_show_system_layout(root, sessions):
    dcl = sessions()
    lines = run(dcl, "SHOW SYSTEM").splitlines()
    assert re.fullmatch(
        rf"OpenVMS {re.escape(boot.VERSION)}  on node {root.node}  "
        r"[ \d]\d-[A-Z]{3}-\d{4} \d\d:\d\d:\d\d\.\d\d  Uptime  \d+ \d\d:\d\d:\d\d", lines[0])
    assert lines[1] == ("  Pid    Process Name    State  Pri      I/O       CPU       "
                        "Page flts  Pages")
    row = lines[2]
    assert len(row) == 80
    assert row[:8] == f"{dcl.process.pid:08X}" and row[9:24] == "SYSTEM         "
    assert row[25:30] == "CUR  " and row[30:35] == "    4"
    assert re.fullmatch(r"[ \d]{4} \d\d:\d\d:\d\d\.\d\d", row[44:60])


def test_system_version_matches_getsyi(root, sessions):
    assert run(sessions(), 'WRITE SYS$OUTPUT F$GETSYI("VERSION")') == f"{boot.VERSION:<8s}\n"


# ---------------------------------------------------------------------------------------------
# SHOW PROCESS, SHOW USERS, SET PROCESS.
# ---------------------------------------------------------------------------------------------
def test_show_process_of_self_and_of_another(root, sessions):
    dcl = sessions()
    other = Process(root, mode="OTHER", terminal="", name="SERVER")
    try:
        lines = run(dcl, "SHOW PROCESS").splitlines()
        assert lines[0] == ""
        assert re.fullmatch(r"[ \d]\d-[A-Z]{3}-\d{4} \d\d:\d\d:\d\d\.\d\d   User: SYSTEM {11}"
                            rf"Process ID:   {dcl.process.pid:08X}", lines[1])
        assert lines[2] == f"{'':26s}Node: {root.node:<17s}Process name: \"SYSTEM\""
        assert lines[4:] == [
            f"Terminal:           {dcl.process.terminal.lstrip('_')}",
            "User Identifier:    [SYSTEM]", "Base priority:      4",
            "Default file spec:  SYS$SYSROOT:[SYSMGR]", "",
            f"Devices allocated:  {root.node}${dcl.process.terminal.lstrip('_')}"]
        lines = run(dcl, f"SHOW PROCESS/ID={other.pid:08X}").splitlines()
        assert lines[2].endswith('Process name: "SERVER"')
        assert lines[4:] == ["Terminal:           ", "User Identifier:    [SYSTEM]",
                             "Base priority:      4", "Default file spec:  Not available"]
        assert run(dcl, "SHOW PROCESS server") == run(dcl, f"SHOW PROCESS/ID={other.pid:X}")
        assert run(dcl, "SHOW PROCESS NOSUCH") == NONEXPR
        assert run(dcl, "SHOW PROCESS/ID=2040FFFF") == NONEXPR
        tree = run(dcl, "SHOW PROCESS/ALL").split("There is 1 process in this job:\n\n")
        assert tree[1] == "  SYSTEM (*)\n"
    finally:
        other.logout()


def test_set_process_privileges_and_show_them(root, sessions):
    process = for_account(root, "TCPIP$POP")
    dcl = sessions(process)
    assert process.privileges == {"TMPMBX", "NETMBX"}
    assert run(dcl, "SET PROCESS/PRIVILEGES=(NOTMPMBX,SYSPRV)") == (
        "%SYSTEM-I-NOTALLPRIV, not all requested privileges authorized\n")
    assert dcl.lookup_symbol("$STATUS") == "%X10000683"
    assert process.privileges == {"NETMBX"}
    assert run(dcl, "SET PROCESS/PRIVILEGES=TMPMBX") == ""
    assert process.privileges == {"NETMBX", "TMPMBX"}
    lines = run(dcl, "SHOW PROCESS/PRIVILEGES").splitlines()
    assert lines[4:] == [
        "Authorized privileges:", " NETMBX    TMPMBX", " ",
        "Process privileges:",
        " NETMBX               may create network device",
        " TMPMBX               may create temporary mailbox", " ",
        "Process rights:", " TCPIP$POP", " INTERACTIVE", " LOCAL", " ",
        "System rights:", f" SYS$NODE_{root.node}"]
    assert run(dcl, "SET PROCESS/PRIVILEGES=NOALL") == ""
    assert process.privileges == set()
    # SETPRV allows what is not authorized
    system = sessions()
    assert run(system, "SET PROCESS/PRIVILEGES=(NOALL,SETPRV)") == ""
    assert run(system, "SET PROCESS/PRIVILEGES=(ALL,NOOPER)") == ""
    assert "OPER" not in system.process.privileges and "CMKRNL" in system.process.privileges
    assert run(system, "SET PROCESS/PRIVILEGES=NOSUCH").startswith("%DCL-W-IVKEYW")


def test_set_process_name(root, sessions):
    dcl = sessions()
    other = Process(root, name="TAKEN")
    try:
        assert run(dcl, "SET PROCESS/NAME=NEWNAME") == ""
        assert dcl.process.name == "NEWNAME"
        assert dcl.process.registry.get(dcl.process.pid).name == "NEWNAME"
        assert run(dcl, "SET PROCESS/NAME=TAKEN") == "%SYSTEM-F-DUPLNAM, duplicate name\n"
        assert run(dcl, 'SET PROCESS/NAME="SIXTEEN_CHARS_XX"').startswith("%SYSTEM-F-IVLOGNAM")
        assert dcl.process.name == "NEWNAME"
    finally:
        other.logout()


def test_show_users(root, sessions):
    dcl = sessions()
    detached = Process(root, mode="OTHER", terminal="")
    sub = Process(root, owner=dcl.process.pid, job=dcl.process.job)
    try:
        lines = run(dcl, "SHOW USERS").splitlines()
        assert re.fullmatch(r" {6}OpenVMS User Processes at [ \d]\d-[A-Z]{3}-\d{4} "
                            r"\d\d:\d\d:\d\d\.\d\d", lines[0])
        assert lines[1:] == ["    Total number of users = 1,  number of processes = 2", "",
                             " Username  Node     Interactive  Subprocess   Batch",
                             f" SYSTEM     {root.node:<6s}          1           1"]
        full = run(dcl, "SHOW USERS/FULL").splitlines()
        assert full[3] == " Username  Node   Process Name    PID     Terminal"
        assert full[4] == (f" SYSTEM     {root.node:<6s}SYSTEM        {dcl.process.pid:08X}  "
                           f"{dcl.process.terminal.lstrip('_')}")
        assert run(dcl, "SHOW USERS NOBODY").splitlines()[1].endswith(
            "users = 0,  number of processes = 0")
    finally:
        sub.logout()
        detached.logout()


# ---------------------------------------------------------------------------------------------
# F$PID and F$CONTEXT.
# ---------------------------------------------------------------------------------------------
def test_f_pid_walks_the_visible_processes(root, sessions):
    others = [Process(root, mode="OTHER", terminal="") for _ in range(2)]
    pop = for_account(root, "TCPIP$POP", mode="OTHER", terminal="")
    (sysmgr(root) / "walk.com").write_text(
        '$ LIST = ""\n'
        "$ LOOP:\n"
        "$   PID = F$PID(CTX)\n"
        '$   IF PID .EQS. "" THEN GOTO DONE\n'
        '$   LIST = LIST + PID + ","\n'
        "$   GOTO LOOP\n"
        "$ DONE:\n"
        "$ WRITE SYS$OUTPUT LIST\n")
    try:
        world = sessions()
        group = sessions(privileges=set())
        everyone = sorted(p.pid for p in Registry(root.store).all())
        assert len(everyone) == 5
        assert run(world, "@WALK") == "".join(f"{p:08X}," for p in everyone) + "\n"
        assert world.lookup_symbol("CTX") is None      # it was local to the procedure
        # a global context symbol is updated where it is, and emptied at the end
        run(world, 'CTX == "SOMETHING ELSE"')
        assert run(world, "@WALK") == "".join(f"{p:08X}," for p in everyone) + "\n"
        assert world.find_symbol("CTX")[1] and world.lookup_symbol("CTX") == ""
        # without WORLD only the caller's UIC group
        expected = [p for p in everyone if p != pop.pid]
        assert run(group, "@WALK") == "".join(f"{p:08X}," for p in expected) + "\n"
        # a selection made with F$CONTEXT (called as the evaluator would, with the name)
        procverbs.f_context(world, ["PROCESS", "CTX", "USERNAME", "TCPIP*", "EQL"])
        assert world.lookup_symbol("CTX").startswith("PROCESS_CONTEXT ")
        assert run(world, 'WRITE SYS$OUTPUT F$PID(CTX), "|", F$PID(CTX)') == f"{pop.pid:08X}|\n"
        procverbs.f_context(world, ["PROCESS", "CTX", "MODE", "INTERACTIVE", "NEQ"])
        procverbs.f_context(world, ["PROCESS", "CTX", "CANCEL"])
        assert world.lookup_symbol("CTX") == ""
    finally:
        for p in (*others, pop):
            p.logout()


def test_stop_without_a_parameter_still_stops_procedures(root, sessions):
    (sysmgr(root) / "halt.com").write_text(
        '$ WRITE SYS$OUTPUT "before"\n$ STOP\n$ WRITE SYS$OUTPUT "after"\n')
    dcl = sessions()
    assert run(dcl, "@HALT") == "before\n"
    assert os.getpid() == dcl.process.registry.get(dcl.process.pid).os_pid
