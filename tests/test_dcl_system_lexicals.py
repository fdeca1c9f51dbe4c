"""F$GETSYI, F$GETJPI, F$PRIVILEGE, F$IDENTIFIER and LOGOUT on a real root and process."""

import datetime as dt
import io
import re

import pytest

from vmsenv import condition as C
from vmsenv import vmstime
from vmsenv.dcl.interpreter import Interpreter
from vmsenv.dcl.verbs.system import Logout, logout_line
from vmsenv.process import Process

IVKEYW = "%DCL-W-IVKEYW, unrecognized keyword - check validity and spelling"
NOPRIV = "%SYSTEM-F-NOPRIV, insufficient privilege or object protection violation"


def make(process) -> Interpreter:
    return Interpreter(process, io.StringIO())


@pytest.fixture
def dcl(process):
    return make(process)


@pytest.fixture
def other(root):
    """A second process of the root, in another UIC group (the POP server's account)."""
    proc = Process(root, username="TCPIP$POP", uic=(0o3655, 2), privileges={"TMPMBX"})
    yield proc
    proc.logout()


# ---------------------------------------------------------------------------------------------
# F$GETSYI.
# ---------------------------------------------------------------------------------------------
def test_getsyi_items(dcl, root):
    ev = dcl.evaluate
    assert ev('F$GETSYI("VERSION")') == "V8.4-2L1"
    assert len(ev('F$GETSYI("VERSION")')) == 8
    assert ev('F$GETSYI("arch_name")') == "Alpha"
    assert ev('F$GETSYI("ARCH_TYPE")') == 2
    assert ev('F$GETSYI("HW_NAME")') == "AlphaServer ES40"
    assert ev('F$GETSYI("NODENAME")') == root.node
    assert ev('F$GETSYI("SCSNODE")') == root.node.ljust(6)
    assert ev('F$GETSYI("CLUSTER_MEMBER")') == "FALSE"
    assert ev('F$GETSYI("NODE_SWTYPE")') == "VMS "
    assert ev('F$GETSYI("PAGE_SIZE")') == 8192
    assert ev('F$GETSYI("ACTIVECPU_CNT")') >= 1


def test_getsyi_boottime_is_an_absolute_time_in_the_past(dcl):
    text = dcl.evaluate('F$GETSYI("BOOTTIME")')
    assert re.fullmatch(r"[ \d]\d-[A-Z]{3}-\d{4} \d\d:\d\d:\d\d\.\d\d", text), text
    assert vmstime.parse_absolute(text) <= vmstime.current_time()


def test_getsyi_node_and_bad_items(dcl, root, output):
    assert dcl.evaluate(f'F$GETSYI("VERSION", "{root.node.lower()}")') == "V8.4-2L1"
    assert output(dcl, 'x = F$GETSYI("NOSUCH")') == [IVKEYW, " \\NOSUCH\\"]
    assert output(dcl, 'x = F$GETSYI("VERSION", "ZZZZZ9")') == [
        "%SYSTEM-F-NOSUCHNODE, remote node is unknown", " \\ZZZZZ9\\"]
    assert dcl.status == C.SS_NOSUCHNODE


# ---------------------------------------------------------------------------------------------
# F$GETJPI of the own process.
# ---------------------------------------------------------------------------------------------
def test_getjpi_own_identity(dcl, process):
    ev = dcl.evaluate
    assert ev('F$GETJPI("", "USERNAME")') == "SYSTEM      "
    assert ev('F$GETJPI("", "UIC")') == "[SYSTEM]"
    assert ev('F$GETJPI("", "GRP")') == 1
    assert ev('F$GETJPI("", "MEM")') == 4
    assert ev('F$GETJPI("", "PID")') == f"{process.pid:08X}"
    assert ev(f'F$GETJPI("{process.pid:08X}", "PRCNAM")') == process.name
    assert ev('F$GETJPI("", "MASTER_PID")') == f"{process.pid:08X}"
    assert ev('F$GETJPI("", "OWNER")') == ""
    assert ev('F$GETJPI("", "MODE")') == "INTERACTIVE"
    assert ev('F$GETJPI("", "TERMINAL")') == process.terminal
    assert ev('F$GETJPI("", "IMAGNAME")') == ""
    assert ev('F$GETJPI("", "ACCOUNT")') == "SYSTEM  "
    assert ev('F$GETJPI("", "NODENAME")') == process.root.node
    assert ev('F$GETJPI("", "PRIB")') == 4
    assert ev('F$GETJPI("", "CLINAME")') == "DCL"
    assert ev('F$GETJPI("", "CPUTIM")') >= 0


def test_getjpi_login_time(dcl, process):
    text = dcl.evaluate('F$GETJPI("", "LOGINTIM")')
    assert vmstime.parse_absolute(text) == vmstime.parse_absolute(process.started)
    assert re.fullmatch(r"[ \d]\d-[A-Z]{3}-\d{4} \d\d:\d\d:\d\d\.\d\d", text)


def test_getjpi_privileges_in_bit_order(root):
    proc = Process(root, privileges={"SYSPRV", "WORLD", "CMKRNL", "TMPMBX", "IMPERSONATE"})
    try:
        dcl = make(proc)
        assert dcl.evaluate('F$GETJPI("", "CURPRIV")') == \
            "CMKRNL,IMPERSONATE,TMPMBX,WORLD,SYSPRV"
        proc.privileges.discard("WORLD")
        assert dcl.evaluate('F$GETJPI("", "CURPRIV")') == "CMKRNL,IMPERSONATE,TMPMBX,SYSPRV"
        assert dcl.evaluate('F$GETJPI("", "AUTHPRIV")') == \
            "CMKRNL,IMPERSONATE,TMPMBX,WORLD,SYSPRV"
        assert dcl.evaluate('F$GETJPI("", "PROCPRIV")') == \
            "CMKRNL,IMPERSONATE,TMPMBX,WORLD,SYSPRV"
    finally:
        proc.logout()


def test_getjpi_bad_item_and_process(dcl, output):
    assert output(dcl, 'x = F$GETJPI("", "NOSUCH")') == [IVKEYW, " \\NOSUCH\\"]
    assert output(dcl, 'x = F$GETJPI("7FFFFFF0", "PID")') == [
        "%SYSTEM-W-NONEXPR, nonexistent process", " \\PID\\"]
    assert dcl.status == C.SS_NONEXPR


# ---------------------------------------------------------------------------------------------
# F$GETJPI of another process.
# ---------------------------------------------------------------------------------------------
def test_getjpi_other_group_needs_world(root, other, output):
    plain = Process(root, privileges={"TMPMBX", "GROUP"})
    try:
        dcl = make(plain)
        assert output(dcl, f'x = F$GETJPI("{other.pid:08X}", "USERNAME")') == [
            NOPRIV, " \\USERNAME\\"]
        assert dcl.status == C.SS_NOPRIV
    finally:
        plain.logout()
    world = Process(root, privileges={"WORLD"})
    try:
        dcl = make(world)
        assert dcl.evaluate(f'F$GETJPI("{other.pid:08X}", "USERNAME")') == "TCPIP$POP   "
        assert dcl.evaluate(f'F$GETJPI("{other.pid:08X}", "UIC")') == "[TCPIP$AUX,TCPIP$POP]"
        assert dcl.evaluate(f'F$GETJPI("{other.pid:08X}", "PRCNAM")') == other.name
        assert dcl.evaluate(f'F$GETJPI("{other.pid:08X}", "GRP")') == 0o3655
        assert output(dcl, f'x = F$GETJPI("{other.pid:08X}", "CURPRIV")') == [
            "%SYSTEM-E-UNSUPPORTED, unsupported operation or function", " \\CURPRIV\\"]
    finally:
        world.logout()


def test_getjpi_same_group_needs_no_privilege(root, process):
    plain = Process(root, privileges=set())
    try:
        dcl = make(plain)
        assert dcl.evaluate(f'F$GETJPI("{process.pid:08X}", "PRCNAM")') == process.name
        assert dcl.evaluate(f'F$GETJPI("{process.pid:08X}", "PID")') == f"{process.pid:08X}"
    finally:
        plain.logout()


# ---------------------------------------------------------------------------------------------
# F$PRIVILEGE.
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("SYSPRV", "TRUE"), ("sysprv,tmpmbx", "TRUE"), ("SYSPRV,BYPASS", "FALSE"),
    ("NOBYPASS", "TRUE"), ("SYSPRV,NOBYPASS", "TRUE"), ("NOSYSPRV", "FALSE"),
    ("DETACH", "TRUE"), ("NOACNT", "FALSE"), ("SETPRI", "FALSE"), ("NOSETPRI", "TRUE"),
])
def test_privilege(root, text, expected):
    proc = Process(root, privileges={"SYSPRV", "TMPMBX", "IMPERSONATE"})
    try:
        assert make(proc).evaluate(f'F$PRIVILEGE("{text}")') == expected
    finally:
        proc.logout()


def test_privilege_unknown_name(dcl, output):
    assert output(dcl, 'x = F$PRIVILEGE("SYSPRV,FLY")') == [IVKEYW, " \\FLY\\"]
    assert output(dcl, 'x = F$PRIVILEGE("NOFLY")') == [IVKEYW, " \\NOFLY\\"]


# ---------------------------------------------------------------------------------------------
# F$IDENTIFIER.
# ---------------------------------------------------------------------------------------------
def test_identifier_conversions(dcl):
    ev = dcl.evaluate
    assert ev('F$IDENTIFIER("SYSTEM", "NAME_TO_NUMBER")') == 0x10004
    assert ev('F$IDENTIFIER("system", "name_to_number")') == 0x10004
    assert ev('F$IDENTIFIER("TCPIP$POP", "NAME_TO_NUMBER")') == (0o3655 << 16) | 2
    assert ev('F$IDENTIFIER("TCPIP$AUX", "NAME_TO_NUMBER")') == (0o3655 << 16) | 0xFFFF
    assert ev('F$IDENTIFIER(65540, "NUMBER_TO_NAME")') == "SYSTEM"
    assert ev('F$IDENTIFIER("%X10004", "NUMBER_TO_NAME")') == "SYSTEM"
    assert ev('F$FAO("!%U", F$IDENTIFIER("SYSTEM", "NAME_TO_NUMBER"))') == "[1,4]"
    assert ev('F$IDENTIFIER("NOBODY", "NAME_TO_NUMBER")') == 0
    assert ev('F$IDENTIFIER(12345, "NUMBER_TO_NAME")') == ""


def test_identifier_bad_conversion(dcl, output):
    assert output(dcl, 'x = F$IDENTIFIER("SYSTEM", "NAME")') == [IVKEYW, " \\NAME\\"]


# ---------------------------------------------------------------------------------------------
# LOGOUT.
# ---------------------------------------------------------------------------------------------
def test_logout_line_layout():
    assert logout_line("SYSTEM", dt.datetime(2026, 11, 29, 11, 25)) == \
        "  SYSTEM       logged out at 29-NOV-2026 11:25:00.00"
    assert logout_line("TCPIP$POP", dt.datetime(2026, 8, 7, 18, 51, 27, 240000)) == \
        "  TCPIP$POP    logged out at  7-AUG-2026 18:51:27.24"


def test_logout_ends_the_process_from_any_level(dcl, process, tmp_path):
    dcl.run_line("x = 5")
    with pytest.raises(Logout) as raised:
        dcl.run_line("LOGOUT/BRIEF")
    assert raised.value.status == C.CLI_NORMAL
    lines = dcl.out.getvalue().splitlines()
    assert len(lines) == 1
    assert re.fullmatch(r"  SYSTEM {7}logged out at [ \d]\d-[A-Z]{3}-\d{4} "
                        r"\d\d:\d\d:\d\d\.\d\d", lines[0])


def test_logout_inside_a_procedure(dcl, process):
    path = process.root.sysdevice / "sys0" / "sysmgr" / "bye.com"
    path.write_text('$ WRITE SYS$OUTPUT "before"\n$ LOGOUT\n$ WRITE SYS$OUTPUT "after"\n')
    with pytest.raises(Logout):
        dcl.run_line("@SYS$LOGIN:BYE")
    lines = dcl.out.getvalue().splitlines()
    assert lines[0] == "before"
    assert "logged out at" in lines[1] and "after" not in lines
    assert len(dcl.levels) == 1


def test_logout_full_is_not_offered(dcl, output):
    assert output(dcl, "LOGOUT/FULL") == [
        "%DCL-W-IVQUAL, unrecognized qualifier - check validity, spelling, and placement",
        " \\FULL\\"]
