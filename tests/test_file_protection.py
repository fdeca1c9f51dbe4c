"""File protection (vmsenv.files FileAccess, as vmsenv.process gives it to each process): files
under a login directory belong to the account, with the default protection (S:RWED,O:RWED,G:RE,W:;
directory files W:E), and privileges as VMS grants them. Users: JONES [200,1] and SMITH [200,2]
(one group), BROWN [300,1] (another group)."""

from __future__ import annotations

import io
import os

import pytest

from vmsenv import uaf
from vmsenv.dcl.interpreter import Interpreter
from vmsenv.files import (
    DIRECTORY_PROTECTION,
    FILE_PROTECTION,
    FileAccess,
    Files,
    Protection,
    granted,
)
from vmsenv.process import Process, for_account, login_owners

PRV = "-RMS-E-PRV, insufficient privilege or file protection violation"
HOME = "SYS$SYSDEVICE:[JONES]"


def make_user(root, name: str, uic: tuple[int, int], directory: bool = True) -> None:
    uaf.add(root, name, {"uic": uic, "directory": f"[{name}]",
                         "flags": ((False, "DISUSER"),)})
    if directory:
        uaf.create_login_directory(root, uaf.get(root, name))


@pytest.fixture
def users(root):
    make_user(root, "JONES", (0o200, 1))
    make_user(root, "SMITH", (0o200, 2))
    make_user(root, "BROWN", (0o300, 1))
    (root.sysdevice / "jones" / "notes.txt").write_text("secret\n")
    return root


@pytest.fixture
def shell(users):
    """``shell(user, privileges=None)``: an in-process DCL of the user (the account's default
    privileges unless given); ``sh(*lines)`` runs lines and returns what they wrote."""
    processes = []

    def make(user: str, privileges: set[str] | None = None):
        process = for_account(users, user, privileges)
        processes.append(process)
        dcl = Interpreter(process, io.StringIO())

        def sh(*lines: str) -> str:
            start = len(dcl.out.getvalue())
            for line in lines:
                dcl.run_line(line)
            return dcl.out.getvalue()[start:]
        sh.dcl = dcl
        return sh

    yield make
    for process in processes:
        process.logout()


def notes(root) -> str:
    return (root.sysdevice / "jones" / "notes.txt").read_text()


# ------------------------------------------------------------------------ the rules alone
def test_granted_follows_the_categories():
    owner = (0o200, 1)
    assert granted(FILE_PROTECTION, owner, owner, set(), 0o10) == set("RWED")
    assert granted(FILE_PROTECTION, owner, (0o200, 2), set(), 0o10) == set("RE")
    assert granted(FILE_PROTECTION, owner, (0o300, 1), set(), 0o10) == set()
    assert granted(DIRECTORY_PROTECTION, owner, (0o300, 1), set(), 0o10) == {"E"}
    assert granted(FILE_PROTECTION, owner, (1, 4), set(), 0o10) == set("RWED")
    assert granted(FILE_PROTECTION, owner, (0o11, 1), set(), 0o10) == set()
    assert granted(FILE_PROTECTION, owner, (0o300, 1), {"SYSPRV"}, 0o10) == set("RWED")
    assert granted(FILE_PROTECTION, owner, (0o300, 1), {"BYPASS"}, 0o10) == set("RWED")
    assert granted(FILE_PROTECTION, owner, (0o300, 1), {"READALL"}, 0o10) == set("RE")
    assert granted(FILE_PROTECTION, owner, (0o300, 1), {"GRPPRV"}, 0o10) == set()
    assert granted(FILE_PROTECTION, owner, (0o200, 2), {"GRPPRV"}, 0o10) == set("RWED")


def test_read_includes_execute_and_categories_add_up():
    only_read = Protection("", "R", "", "W")
    assert granted(only_read, (5, 5), (5, 5), set(), 0) == set("REW")
    assert granted(only_read, (5, 5), (6, 5), set(), 0) == {"W"}


def test_a_guard_reads_identity_and_owners_when_asked(tmp_path):
    home = tmp_path / "jones"
    (home / "sub").mkdir(parents=True)
    (home / "sub" / "f.txt").write_text("x")
    (tmp_path / "free.txt").write_text("x")
    asked = []
    privileges: set[str] = set()

    def owners():
        asked.append(1)
        return {os.path.realpath(home): (0o200, 1)}

    guard = FileAccess(lambda: (0o300, 1), lambda: privileges, owners, 0o10)
    assert asked == []
    assert guard.owner(home / "sub" / "f.txt") == (0o200, 1)
    assert guard.owner(home) == (0o200, 1)
    assert guard.owner(tmp_path / "free.txt") is None
    assert guard.security(home / "sub") == ((0o200, 1), DIRECTORY_PROTECTION)
    assert guard.security(home / "sub" / "f.txt") == ((0o200, 1), FILE_PROTECTION)
    assert not guard.permits(home / "sub" / "f.txt", "R")
    assert guard.permits(home / "sub", "E")
    assert guard.permits(tmp_path / "free.txt", "RWED")
    privileges.add("READALL")
    assert guard.permits(home / "sub" / "f.txt", "R")
    assert not guard.permits(home / "sub" / "f.txt", "RW")
    assert asked == [1]


def test_files_without_a_guard_are_free(users):
    files = Files(users.devices())
    assert files.access is None
    ref = files.lookup("DKA0:[JONES]NOTES.TXT",
                       process_default=Process(users).process_default())
    assert files.security(ref) is None


# ------------------------------------------------------------------------ the owner map
def test_owner_map_from_sysuaf(users):
    owners = login_owners(users)
    disk = users.sysdevice
    assert owners[os.path.realpath(disk / "jones")] == (0o200, 1)
    assert owners[os.path.realpath(disk / "brown")] == (0o300, 1)
    assert owners[os.path.realpath(disk / "tcpip$pop")] == uaf.POP_UIC
    # SYS$SYSROOT:[SYSMGR] is both of SYS$SYSROOT's elements
    assert owners[os.path.realpath(disk / "sys0" / "sysmgr")] == (1, 4)
    assert owners[os.path.realpath(disk / "sys0" / "syscommon" / "sysmgr")] == (1, 4)
    assert os.path.realpath(disk / "sys0") not in owners


def test_a_login_directory_not_yet_created_is_owned_once_it_exists(users, shell):
    make_user(users, "LATE", (0o400, 1), directory=False)
    brown = shell("BROWN")
    system = shell("SYSTEM")
    assert system("CREATE/DIRECTORY SYS$SYSDEVICE:[LATE]") == ""
    (users.sysdevice / "late" / "plan.txt").write_text("p\n")
    assert brown("TYPE SYS$SYSDEVICE:[LATE]PLAN.TXT") == (
        "%TYPE-E-OPENIN, error opening SYS$SYSDEVICE:[LATE]PLAN.TXT;1 as input\n" + PRV + "\n")


def test_a_new_account_protects_its_directory_in_running_processes(users, shell):
    (users.sysdevice / "newbie").mkdir()
    (users.sysdevice / "newbie" / "a.txt").write_text("a\n")
    brown = shell("BROWN")
    assert brown("TYPE SYS$SYSDEVICE:[NEWBIE]A.TXT") == "a\n"
    make_user(users, "NEWBIE", (0o500, 1), directory=False)
    assert PRV in brown("TYPE SYS$SYSDEVICE:[NEWBIE]A.TXT")


# ------------------------------------------------------------------------ another group
def test_another_group_can_do_nothing(users, shell):
    brown = shell("BROWN")
    (users.sysdevice / "brown" / "mine.txt").write_text("mine\n")
    assert brown(f"TYPE {HOME}NOTES.TXT") == (
        f"%TYPE-E-OPENIN, error opening {HOME}NOTES.TXT;1 as input\n{PRV}\n")
    assert brown(f"DIRECTORY {HOME}") == (
        f"%DIRECT-E-OPENIN, error opening {HOME}*.*;* as input\n{PRV}\n")
    assert brown(f"TYPE {HOME}*.TXT") == (
        f"%TYPE-W-SEARCHFAIL, error searching for {HOME}*.TXT;\n{PRV}\n")
    assert brown(f"DELETE {HOME}NOTES.TXT;*") == (
        f"%DELETE-W-FILNOTDEL, error deleting {HOME}NOTES.TXT;1\n{PRV}\n")
    assert brown(f"COPY MINE.TXT {HOME}") == (
        f"%COPY-E-OPENOUT, error opening {HOME}MINE.TXT;1 as output\n{PRV}\n")
    assert brown(f"COPY {HOME}NOTES.TXT []") == (
        f"%COPY-E-OPENIN, error opening {HOME}NOTES.TXT;1 as input\n{PRV}\n")
    assert brown(f"RENAME {HOME}NOTES.TXT {HOME}OTHER.TXT") == (
        f"%RENAME-E-OPENOUT, error opening {HOME}OTHER.TXT;1 as output\n{PRV}\n")
    assert brown(f"CREATE/DIRECTORY {HOME.rstrip(']')}.SUB]") == (
        f"%CREATE-E-DIRNOTCRE, {HOME.rstrip(']')}.SUB] directory file not created\n{PRV}\n")
    assert brown(f"@{HOME}NOTES.TXT") == (
        f"%DCL-E-OPENIN, error opening {HOME}NOTES.TXT;1 as input\n{PRV}\n")
    assert brown(f"OPEN/APPEND F {HOME}NOTES.TXT") == (
        f"%DCL-E-OPENOUT, error opening {HOME}NOTES.TXT;1 as output\n{PRV}\n")
    assert brown(f'X = F$FILE_ATTRIBUTES("{HOME}NOTES.TXT","EOF")') == "%" + PRV[1:] + "\n"
    assert brown.dcl.lookup_symbol("$STATUS") == "%X0001829A"
    assert notes(users) == "secret\n"
    assert sorted(os.listdir(users.sysdevice / "jones")) == ["notes.txt"]


def test_a_known_name_can_be_looked_up(users, shell):
    """World E on the directory: a missing file is FNF, not a protection violation."""
    assert shell("BROWN")(f"TYPE {HOME}NOSUCH.TXT") == (
        f"%TYPE-W-SEARCHFAIL, error searching for {HOME}NOSUCH.TXT;\n"
        "-RMS-E-FNF, file not found\n")


def test_wildcard_directories_report_each_protected_one(users, shell):
    (users.sysdevice / "brown" / "b.txt").write_text("b\n")
    out = shell("BROWN")("DIRECTORY SYS$SYSDEVICE:[*]*.TXT")
    assert out.startswith(
        "%DIRECT-E-OPENIN, error opening SYS$SYSDEVICE:[JONES]*.TXT;* as input\n" + PRV + "\n"
        "%DIRECT-E-OPENIN, error opening SYS$SYSDEVICE:[SMITH]*.TXT;* as input\n" + PRV + "\n"
        "%DIRECT-E-OPENIN, error opening SYS$SYSDEVICE:[TCPIP$POP]*.TXT;* as input\n" + PRV
        + "\n")
    assert "Directory SYS$SYSDEVICE:[BROWN]\n\nB.TXT;1" in out


def test_f_search_leaves_protected_directories_out(users, shell):
    (users.sysdevice / "brown" / "b.txt").write_text("b\n")
    brown = shell("BROWN")
    assert brown('WRITE SYS$OUTPUT F$SEARCH("SYS$SYSDEVICE:[*]*.TXT")',
                 'WRITE SYS$OUTPUT F$SEARCH("SYS$SYSDEVICE:[*]*.TXT")') == (
        "SYS$SYSDEVICE:[BROWN]B.TXT;1\n\n")
    assert brown(f'X = F$SEARCH("{HOME}*.TXT")') == "%" + PRV[1:] + "\n"


def test_a_symbolic_link_does_not_get_round_it(users, shell):
    os.symlink(users.sysdevice / "jones" / "notes.txt", users.sysdevice / "brown" / "link.txt")
    assert shell("BROWN")("TYPE LINK.TXT") == (
        "%TYPE-E-OPENIN, error opening SYS$SYSDEVICE:[BROWN]LINK.TXT;1 as input\n"
        + PRV + "\n")


def test_process_logical_names_do_not_move_login_directories(users, shell):
    brown = shell("BROWN")
    brown("DEFINE/TRANSLATION=CONCEALED SYS$SYSDEVICE DKA0:[BROWN.]")
    assert PRV in brown("TYPE DKA0:[JONES]NOTES.TXT")


# ------------------------------------------------------------------------ the same group
def test_the_group_reads_but_does_not_write(users, shell):
    smith = shell("SMITH")
    assert smith(f"TYPE {HOME}NOTES.TXT") == "secret\n"
    assert smith(f"DIRECTORY/OWNER/PROTECTION {HOME}").splitlines()[3] == (
        "NOTES.TXT;1          [JONES]                          (RWED,RWED,RE,)")
    assert smith(f"COPY {HOME}NOTES.TXT []COPIED.TXT") == ""
    assert smith("TYPE COPIED.TXT") == "secret\n"
    assert smith(f"APPEND COPIED.TXT {HOME}NOTES.TXT") == (
        f"%APPEND-E-OPENOUT, error opening {HOME}NOTES.TXT;1 as output\n{PRV}\n")
    assert smith(f"COPY COPIED.TXT {HOME}NOTES.TXT") == (
        f"%COPY-E-OPENOUT, error opening {HOME}NOTES.TXT; as output\n{PRV}\n")
    assert smith(f"DELETE {HOME}*.*;*") == (
        f"%DELETE-W-FILNOTDEL, error deleting {HOME}NOTES.TXT;1\n{PRV}\n")
    assert smith(f"OPEN/READ/WRITE F {HOME}NOTES.TXT") == (
        f"%DCL-E-OPENIN, error opening {HOME}NOTES.TXT;1 as input\n{PRV}\n")
    assert smith(f"OPEN/READ F {HOME}NOTES.TXT", "READ F X", "CLOSE F",
                 "WRITE SYS$OUTPUT X") == "secret\n"
    assert notes(users) == "secret\n"


def test_grpprv_is_system_access_in_its_own_group_only(users, shell):
    assert shell("SMITH", {"GRPPRV"})(f"APPEND {HOME}NOTES.TXT {HOME}NOTES.TXT") == ""
    assert notes(users) == "secret\nsecret\n"
    assert PRV in shell("BROWN", {"GRPPRV"})(f"TYPE {HOME}NOTES.TXT")


# ------------------------------------------------------------------------ the owner
def test_the_owner_does_everything(users, shell):
    jones = shell("JONES")
    assert jones("TYPE NOTES.TXT", "COPY NOTES.TXT N2.TXT", "RENAME N2.TXT N3.TXT",
                 "CREATE/DIRECTORY [.SUB]", "COPY N3.TXT [.SUB]", "DELETE [.SUB]N3.TXT;*",
                 "DELETE SUB.DIR;", "DELETE N3.TXT;") == "secret\n"
    assert sorted(os.listdir(users.sysdevice / "jones")) == ["notes.txt"]
    assert jones('WRITE SYS$OUTPUT F$FILE_ATTRIBUTES("NOTES.TXT","UIC")',
                 'WRITE SYS$OUTPUT F$FILE_ATTRIBUTES("NOTES.TXT","GRP")',
                 'WRITE SYS$OUTPUT F$FILE_ATTRIBUTES("NOTES.TXT","PRO")') == (
        "[JONES]\n128\nSYSTEM=RWED, OWNER=RWED, GROUP=RE, WORLD=\n")
    assert jones("DIRECTORY/OWNER/PROTECTION [000000]JONES.DIR").splitlines()[3] == (
        "JONES.DIR;1          [JONES]                          (RWED,RWED,RE,E)")


def test_owner_in_identifier_form(users, shell):
    (users.sysdevice / "tcpip$pop" / "pop_run.log").write_text("x\n")
    (users.sysdevice / "sys0" / "sysmgr" / "site.com").write_text("$ exit\n")
    system = shell("SYSTEM")
    assert system('WRITE SYS$OUTPUT F$FILE("SYS$SYSDEVICE:[TCPIP$POP]POP_RUN.LOG","UIC")',
                  'WRITE SYS$OUTPUT F$FILE("SYS$MANAGER:SITE.COM","UIC")') == (
        "[TCPIP$AUX,TCPIP$POP]\n[SYSTEM]\n")
    assert PRV in shell("BROWN")("TYPE SYS$MANAGER:SITE.COM")


# ------------------------------------------------------------------------ privileges
def test_system_uic_without_privileges_is_the_system_category(users, shell):
    assert shell("SYSTEM", set())(f"TYPE {HOME}NOTES.TXT", f"DELETE {HOME}NOTES.TXT;") == (
        "secret\n")
    assert not (users.sysdevice / "jones" / "notes.txt").exists()


def test_sysprv_and_bypass_do_everything(users, shell):
    assert shell("BROWN", {"SYSPRV"})(f"APPEND {HOME}NOTES.TXT {HOME}NOTES.TXT") == ""
    assert shell("BROWN", {"BYPASS"})(f"TYPE {HOME}NOTES.TXT",
                                      f"DELETE {HOME}NOTES.TXT;") == "secret\nsecret\n"
    assert not (users.sysdevice / "jones" / "notes.txt").exists()


def test_readall_reads_only(users, shell):
    brown = shell("BROWN", {"READALL"})
    assert brown(f"TYPE {HOME}NOTES.TXT") == "secret\n"
    assert brown(f"DIRECTORY {HOME}").splitlines()[1:4] == [
        f"Directory {HOME}", "", "NOTES.TXT;1".ljust(20)]
    assert brown(f"DELETE {HOME}NOTES.TXT;") == (
        f"%DELETE-W-FILNOTDEL, error deleting {HOME}NOTES.TXT;1\n{PRV}\n")


def test_privileges_count_when_they_change(users, shell):
    brown = shell("BROWN")
    assert PRV in brown(f"TYPE {HOME}NOTES.TXT")
    brown.dcl.process.privileges.add("READALL")
    assert brown(f"TYPE {HOME}NOTES.TXT") == "secret\n"


# ------------------------------------------------------------------------ outside login dirs
def test_files_outside_login_directories_are_free(users, shell):
    assert shell("BROWN")("CREATE/DIRECTORY SYS$SYSDEVICE:[PUBLIC]",
                          "COPY SYS$SYSDEVICE:[BROWN]*.* SYS$SYSDEVICE:[PUBLIC]") == (
        "%COPY-E-OPENIN, error opening SYS$SYSDEVICE:[BROWN]*.*; as input\n"
        "-RMS-E-FNF, file not found\n")
    (users.sysdevice / "public" / "p.txt").write_text("p\n")
    jones = shell("JONES")
    assert jones("TYPE SYS$SYSDEVICE:[PUBLIC]P.TXT", "DELETE SYS$SYSDEVICE:[PUBLIC]P.TXT;",
                 "DELETE SYS$SYSDEVICE:[000000]PUBLIC.DIR;") == "p\n"
    assert not (users.sysdevice / "public").exists()


# ------------------------------------------------------------------------ a real dcl
def test_dcl_user_process(users, programs, tmp_path):
    done = programs.run(programs.dcl + ["--root", str(users.path), "--user", "BROWN", "-c",
                                        f"TYPE {HOME}NOTES.TXT"], tmp_path, 30)
    assert done.stdout == f"%TYPE-E-OPENIN, error opening {HOME}NOTES.TXT;1 as input\n{PRV}\n"
    assert done.returncode != 0
    done = programs.run(programs.dcl + ["--root", str(users.path), "--user", "SMITH", "-c",
                                        f"TYPE {HOME}NOTES.TXT"], tmp_path, 30)
    assert (done.stdout, done.returncode) == ("secret\n", 0)
