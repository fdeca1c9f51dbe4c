"""AUTHORIZE: commands, messages, layouts, privileges, the UAF> prompt; SET PASSWORD."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from types import SimpleNamespace

import pexpect
import pytest

from vmsenv import condition as C
from vmsenv import uaf
from vmsenv.authorize import image_main, run_authorize, set_password_command
from vmsenv.condition import VMSError
from vmsenv.process import Process

REPO = Path(__file__).resolve().parent.parent
EXIT_NOMODS = ["%UAF-I-NOMODS, no modifications made to system authorization file",
               "%UAF-I-RDBNOMODS, no modifications made to rights database"]
EXIT_DONE = ["%UAF-I-DONEMSG, system authorization file modified",
             "%UAF-I-RDBDONEMSG, rights database modified"]


@pytest.fixture
def sysroot(root):
    uaf.ensure_defaults(root)
    return root


@pytest.fixture
def system(sysroot):
    proc = Process(sysroot)
    yield proc
    proc.logout()


def run(proc, lines: str = "", command: str | None = None) -> tuple[int, list[str]]:
    out = io.StringIO()
    status = run_authorize(proc, io.StringIO(lines), out, command)
    return status, out.getvalue().split("\n")[:-1]


def one(proc, command: str) -> tuple[int, list[str]]:
    return run(proc, command=command)


# ------------------------------------------------------------------------------ privileges
def test_unprivileged_user_cannot_open_sysuaf(sysroot):
    joe = Process(sysroot, username="JOE", uic=(0o200, 1), privileges={"TMPMBX", "NETMBX"})
    try:
        status, out = run(joe, "SHOW SYSTEM\n")
    finally:
        joe.logout()
    assert out == ["%UAF-E-NAOFIL, unable to open SYSUAF.DAT",
                   "-RMS-E-PRV, insufficient privilege or file protection violation"]
    assert status & 7 == C.ERROR and status & C.INHIB_MSG


def test_system_uic_group_needs_no_privilege(sysroot):
    oper = Process(sysroot, username="OPERATOR", uic=(0o10, 1), privileges=set())
    try:
        status, out = one(oper, "ADD JOE/UIC=[200,1]")
    finally:
        oper.logout()
    assert out[0] == "%UAF-I-ADDMSG, user record successfully added"
    assert uaf.get(sysroot, "JOE") is not None


def test_sysprv_outside_the_system_group(sysroot):
    mgr = Process(sysroot, username="MGR", uic=(0o200, 9), privileges={"SYSPRV"})
    try:
        _status, out = one(mgr, "MODIFY TCPIP$POP/OWNER=\"POP\"")
    finally:
        mgr.logout()
    assert out == ["%UAF-I-MDFYMSG, user record(s) updated"] + EXIT_DONE[:1] + EXIT_NOMODS[1:]


def test_readall_looks_but_cannot_change(sysroot):
    auditor = Process(sysroot, username="AUDITOR", uic=(0o200, 8), privileges={"READALL"})
    try:
        _status, out = run(auditor, "SHOW/BRIEF SYSTEM\nADD JOE/UIC=[200,1]\n")
    finally:
        auditor.logout()
    assert "%UAF-E-NAOFIL, unable to open SYSUAF.DAT" in out[3]
    assert out[4] == "-RMS-E-PRV, insufficient privilege or file protection violation"
    assert out[2].startswith(" SYSTEM MANAGER        SYSTEM")
    assert uaf.get(sysroot, "JOE") is None


# ------------------------------------------------------------------------------ commands
def test_add_show_modify_remove(system, sysroot):
    status, out = one(system, 'ADD joe /PASSWORD=joespw /UIC=[200,1] /DEVICE=SYS$SYSDEVICE'
                              ' /DIRECTORY=[JOE] /PRIVILEGES=(TMPMBX,OPER,NETMBX) /OWNER="Joe Smith"'
                              ' /ACCOUNT=USERS /FLAGS=NODISUSER')
    assert out == [
        "%UAF-I-ADDMSG, user record successfully added",
        "%UAF-I-RDBADDMSGU, identifier USERS value [000200,177777] added to rights database",
        "%UAF-I-RDBADDMSGU, identifier JOE value [000200,000001] added to rights database",
    ] + EXIT_DONE
    assert status & 1
    assert (sysroot.sysdevice / "joe").is_dir()
    joe = uaf.get(sysroot, "JOE")
    assert (joe.owner, joe.account, joe.login_spec) == ("Joe Smith", "USERS",
                                                        "SYS$SYSDEVICE:[JOE]")
    assert joe.authorized == {"TMPMBX", "OPER", "NETMBX"} and "DISUSER" not in joe.flags
    assert uaf.check_password(sysroot, "JOE", "JOESPW").ok

    _status, out = one(system, "SHOW JOE")
    assert out[:6] == [
        "Username: JOE                              Owner:  Joe Smith",
        "Account:  USERS                            UIC:    [200,1] ([USERS,JOE])",
        "CLI:      DCL                              Tables: DCLTABLES",
        "Default:  SYS$SYSDEVICE:[JOE]",
        "LGICMD:   ",
        "Flags: ",
    ]
    assert "Authorized Privileges: " in out and "  NETMBX    OPER      TMPMBX" in out

    _status, out = one(system, "MODIFY JOE/DEFPRIVILEGES=(NOALL,TMPMBX,OPER)/FLAGS=DISMAIL")
    assert out[0] == "%UAF-I-MDFYMSG, user record(s) updated"
    joe = uaf.get(sysroot, "JOE")
    assert joe.default_privileges == {"TMPMBX", "OPER"} and joe.flags == {"DISMAIL"}

    _status, out = one(system, "REMOVE JOE")
    assert out == ["%UAF-I-REMMSG, record removed from system authorization file",
                   "%UAF-I-RDBREMMSGU, identifier JOE value [000200,000001] removed from "
                   "rights database"] + EXIT_DONE
    assert uaf.get(sysroot, "JOE") is None


def test_add_errors(system):
    one(system, "ADD JOE/UIC=[200,1]")
    _status, out = one(system, "ADD JOE/UIC=[200,2]")
    assert out == ["%UAF-E-UAEERR, invalid user name, user name already exists"] + EXIT_NOMODS
    _status, out = one(system, "ADD ANN/UIC=[200,7]/PASSWORD=abc")
    assert out[:2] == ["%UAF-I-PWDLESSMIN, new password is shorter than minimum password length",
                       "%UAF-I-ADDMSG, user record successfully added"]
    _status, out = one(system, "ADD BOB/UIC=200,3")
    assert out[0].startswith("%CLI-W-")
    _status, out = one(system, "ADD BOB/UIC=[200]")
    assert out[0] == "%CLI-W-INVUIC, invalid UIC - must be of the form [group,member]"
    _status, out = one(system, "ADD BOB/UIC=[200,3]/PRIORITY=x")
    assert out[:2] == ["%CLI-W-NUMBER, invalid numeric value - supply an integer", " \\X\\"]


def test_show_brief_and_specifications(system):
    one(system, 'ADD JOE/UIC=[200,1]/OWNER="Joe Smith"/ACCOUNT=USERS/PRIV=(TMPMBX,OPER)')
    _status, out = one(system, "SHOW/BRIEF *")
    assert out[:6] == [
        " Owner                 Username        UIC           Account    Privs  Pri "
        "Default Directory",
        "",
        "                       DEFAULT         [200,200]                Normal   4 "
        "SYS$SYSDEVICE:[USER]",
        " Joe Smith             JOE             [200,1]       USERS      System   4 "
        "SYS$SYSDEVICE:[USER]",
        " SYSTEM MANAGER        SYSTEM          [1,4]         SYSTEM     All      4 "
        "SYS$SYSROOT:[SYSMGR]",
        " TCPIP$POP             TCPIP$POP       [3655,2]      TCPIP$AUX  Normal   4 "
        "SYS$SYSDEVICE:[TCPIP$POP]",
    ]
    _status, out = one(system, "SHOW/BRIEF [200,*]")
    assert [line[39:53].rstrip() for line in out[2:4]] == ["[200,1]", "[200,200]"]
    _status, out = one(system, "SHOW/BRIEF ADD")
    assert out[0] == "%UAF-W-BADSPC, no user matches specification"
    _status, out = one(system, "SHOW NOSUCH*")
    assert out[0] == "%UAF-W-BADSPC, no user matches specification"
    _status, out = one(system, "MODIFY NOSUCH/OWNER=X")
    assert out[0] == "%UAF-W-BADUSR, user name does not exist"
    _status, out = one(system, "SHOW TCPIP$POP")
    assert out[1] == "Account:  TCPIP$AUX                        UIC:    [3655,2] " \
                     "([TCPIP$AUX,TCPIP$POP])"
    assert out[5] == "Flags:  Restricted"


def test_copy(system, sysroot):
    one(system, "ADD JOE/UIC=[200,1]/PASSWORD=joespw/OWNER=JOE")
    _status, out = one(system, "COPY JOE ANN/UIC=[200,2]/DIRECTORY=ANN")
    assert out == ["%UAF-I-COPMSG, user record copied",
                   "%UAF-W-DEFPWD, copied or renamed records must receive new password",
                   "%UAF-I-RDBADDMSGU, identifier ANN value [000200,000002] added to rights "
                   "database"] + EXIT_DONE
    ann = uaf.get(sysroot, "ANN")
    assert ann.owner == "JOE" and ann.directory == "[ANN]" and not ann.has_password
    assert (sysroot.sysdevice / "ann").is_dir()
    _status, out = one(system, "COPY NOSUCH BOB")
    assert out[0] == "%UAF-W-BADUSR, user name does not exist"


def test_expiration(system, sysroot):
    one(system, "ADD JOE/UIC=[200,1]/PASSWORD=joespw/FLAGS=NODISUSER/EXPIRATION=1-JAN-2001")
    joe = uaf.get(sysroot, "JOE")
    assert joe.expiration.year == 2001
    assert uaf.check_password(sysroot, "JOE", "joespw").reason == "EXPIRED"
    one(system, "MODIFY JOE/NOEXPIRATION")
    assert uaf.check_password(sysroot, "JOE", "joespw").ok
    _status, out = one(system, "MODIFY JOE/EXPIRATION=32-JAN-2001")
    assert out[0].startswith("%CLI-W-IVATIME")


def test_pwdmix_password_keeps_its_case(system, sysroot):
    one(system, 'ADD MIX/UIC=[200,4]/FLAGS=(NODISUSER,PWDMIX)/PASSWORD="MiXeD99"')
    assert uaf.check_password(sysroot, "MIX", "MiXeD99").ok
    assert not uaf.check_password(sysroot, "MIX", "MIXED99").ok


def test_list_writes_sysuaf_lis_in_the_default_directory(system, sysroot):
    status, out = one(system, "LIST")
    assert out == ["%UAF-I-LSTMSG1, writing listing file",
                   "%UAF-I-LSTMSG2, listing file SYSUAF.LIS complete"] + EXIT_NOMODS
    listing = sysroot.sysdevice / "sys0" / "sysmgr" / "sysuaf.lis"
    text = listing.read_text().splitlines()
    assert text[0].startswith(" Owner") and text[1] == ""
    assert [line[23:39].rstrip() for line in text[2:]] == ["DEFAULT", "SYSTEM", "TCPIP$POP"]
    one(system, "LIST/FULL TCPIP$POP")
    newest = sysroot.sysdevice / "sys0" / "sysmgr" / "sysuaf.lis;2"
    assert newest.read_text().startswith("Username: TCPIP$POP")


def test_parse_errors_come_from_the_cli(system):
    _status, out = one(system, "FROB X")
    assert out[:2] == ["%CLI-W-IVVERB, unrecognized command verb - check validity and spelling",
                       " \\FROB\\"]
    _status, out = one(system, "SHOW/WIDE SYSTEM")
    assert out[:2] == ["%CLI-W-IVQUAL, unrecognized qualifier - check validity, spelling, and "
                       "placement", " \\WIDE\\"]
    _status, out = one(system, "SHOW")
    assert out[0] == "%CLI-W-INSFPRM, missing command parameters - supply all required parameters"
    _status, out = one(system, "ADD JOE/PASSWORD=(A,B)")
    assert out[0].startswith("%CLI-W-ONEVAL")


def test_image_entry_point(system):
    out = io.StringIO()
    ctx = SimpleNamespace(process=system, args="SHOW/BRIEF SYSTEM", stdin=io.StringIO(),
                          stdout=out)
    assert image_main(ctx) & 1
    assert out.getvalue().splitlines()[2].startswith(" SYSTEM MANAGER        SYSTEM")
    out = io.StringIO()
    ctx = SimpleNamespace(process=system, args="", stdin=io.StringIO("EXIT\n"), stdout=out)
    image_main(ctx)
    assert out.getvalue().startswith("UAF> %UAF-I-NOMODS")


def test_help_lists_commands_and_qualifiers(system):
    _status, out = one(system, "HELP")
    assert "  ADD        COPY       EXIT       HELP       LIST       MODIFY     REMOVE     SHOW" \
        in out
    _status, out = one(system, "HELP MODIFY")
    assert "  Format:  MODIFY username" in out
    assert any("/PRIVILEGES" in line and "/FLAGS" in line for line in out)


# ------------------------------------------------------------------------------ the prompt
def test_interactive_session(system, sysroot):
    status, out = run(system, "ADD JOE/UIC=[200,1] -\n  /OWNER=JOE  ! a comment\n\n"
                              "SHOW/BRIEF JOE\nEXIT\nSHOW SYSTEM\n")
    assert out[0] == "UAF> _UAF> %UAF-I-ADDMSG, user record successfully added"
    assert out[2] == "UAF> UAF>  Owner                 Username        UIC           Account    " \
                     "Privs  Pri Default Directory"
    assert out[4].startswith(" JOE                   JOE")
    assert out[5:] == ["UAF> " + EXIT_DONE[0], EXIT_DONE[1]]       # stops at EXIT
    assert status & 1


def test_end_of_input_ends_the_session(system):
    _status, out = run(system, "SHOW/BRIEF SYSTEM\n")
    assert out[-2:] == ["UAF> " + EXIT_NOMODS[0], EXIT_NOMODS[1]]


def test_missing_parameter_is_prompted_for(system, sysroot):
    _status, out = run(system, "REMOVE\nTCPIP$POP\nEXIT\n")
    assert out[0] == "UAF> _Username: %UAF-I-REMMSG, record removed from system authorization file"
    assert uaf.get(sysroot, "TCPIP$POP") is None


def test_at_the_uaf_prompt_with_pexpect(sysroot, tmp_path):
    wrapper = ("import sys\n"
               "from vmsenv import root\n"
               "from vmsenv.authorize import run_authorize\n"
               "from vmsenv.process import Process\n"
               "p = Process(root.Root(sys.argv[1]))\n"
               "status = run_authorize(p, sys.stdin, sys.stdout)\n"
               "p.logout()\n"
               "sys.exit(0 if status & 1 else 2)\n")
    child = pexpect.spawn(sys.executable, ["-c", wrapper, str(sysroot.path)], cwd=str(REPO),
                          encoding="utf-8", timeout=30)
    try:
        child.expect_exact("UAF> ")
        child.sendline('ADD POPUSER/PASSWORD=popsecret/UIC=[300,1]/FLAGS=NODISUSER/OWNER="Pop"')
        child.expect_exact("%UAF-I-ADDMSG, user record successfully added")
        child.expect_exact("UAF> ")
        child.sendline("SHOW POPUSER")
        child.expect_exact("Username: POPUSER                          Owner:  Pop")
        child.expect_exact("UAF> ")
        child.sendline("FOO")
        child.expect_exact("%CLI-W-IVVERB, unrecognized command verb")
        child.expect_exact("UAF> ")
        child.sendline("EXIT")
        child.expect_exact("%UAF-I-DONEMSG, system authorization file modified")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert uaf.check_password(sysroot, "popuser", "POPSECRET").ok


# ------------------------------------------------------------------------------ SET PASSWORD
def test_set_password(sysroot):
    uaf.add(sysroot, "JOE", {"uic": (0o200, 1), "password": "oldpass1",
                             "flags": ((False, "DISUSER"),)})
    joe = Process(sysroot, username="JOE", uic=(0o200, 1), privileges={"TMPMBX"})
    try:
        for args, status in ((("wrong", "newpass1", "newpass1"), C.SET_PWDNOTVAL),
                             (("oldpass1", "newpass1", "newpass2"), C.SET_PWDNOTVER),
                             (("oldpass1", "short", "short"), C.SET_INVPWDLEN),
                             (("oldpass1", "x" * 33, "x" * 33), C.SET_INVPWDLEN),
                             (("oldpass1", "bad pass", "bad pass"), C.SET_PWDSYNTAX)):
            with pytest.raises(VMSError) as err:
                set_password_command(joe, *args)
            assert err.value.status == status, args
        assert VMSError(C.SET_PWDNOTVAL).lines() == [
            "%SET-E-PWDNOTVAL, old password validation error - password not changed"]
        assert uaf.check_password(sysroot, "JOE", "oldpass1").ok
        assert set_password_command(joe, "OLDPASS1", "newpass1", "newpass1") == C.SS_NORMAL
        assert uaf.check_password(sysroot, "JOE", "newpass1").ok
        assert not uaf.check_password(sysroot, "JOE", "oldpass1").ok
        assert uaf.get(sysroot, "JOE").pwd_date is not None      # not pre-expired
        uaf.modify(sysroot, "JOE", {"flags": ((True, "LOCKPWD"),)})
        with pytest.raises(VMSError) as err:
            set_password_command(joe, "newpass1", "newpass2", "newpass2")
        assert err.value.status == C.SET_PWDLOCKED
    finally:
        joe.logout()


def test_set_password_without_a_record(sysroot):
    ghost = Process(sysroot, username="GHOST", uic=(0o200, 77), privileges=set())
    try:
        with pytest.raises(VMSError) as err:
            set_password_command(ghost, "", "newpass1", "newpass1")
        assert err.value.status == C.RMS_RNF
    finally:
        ghost.logout()
