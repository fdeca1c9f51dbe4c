"""MAIL from DCL: procedures whose data lines drive MAIL, MAIL/SUBJECT one-liners, SET
BROADCAST, and an interactive MAIL session on a pseudo-terminal (pexpect)."""

from __future__ import annotations

import inspect
import io
import textwrap

import pytest

from vmsenv import condition as cond
from vmsenv import uaf
from vmsenv.dcl.interpreter import Interpreter
from vmsenv.mail import notify, profile
from vmsenv.mail import store as ms
from vmsenv.process import for_account
from vmsenv.testing import MAIL_PROMPT, add_account


@pytest.fixture
def users(root):
    add_account(root, "JONES", (0o200, 1))
    add_account(root, "SMITH", (0o200, 2))
    return root


@pytest.fixture
def smith(users):
    process = for_account(users, "SMITH")
    dcl = Interpreter(process, io.StringIO(), input=io.StringIO(""))
    yield dcl
    process.logout()


def home(root, user: str):
    return profile.host_directory(root, uaf.get(root, user))


def output(dcl) -> list[str]:
    text = dcl.out.getvalue()
    dcl.out.seek(0)
    dcl.out.truncate()
    return text.splitlines()


def procedure(dcl, text: str) -> list[str]:
    root = dcl.process.root
    (home(root, "SMITH") / "t.com").write_text(textwrap.dedent(text).lstrip("\n"))
    output(dcl)
    dcl.run_procedure("SYS$SYSDEVICE:[SMITH]T.COM")
    return output(dcl)


def folder(root, user: str, name: str = ms.NEWMAIL) -> list[tuple[ms.MessageInfo, bytes]]:
    mf = profile.open_mail_file(root, uaf.get(root, user))
    if mf is None:
        return []
    try:
        return [(info, mf.read(info.id)) for info in mf.list(name)]
    finally:
        mf.close()


# ------------------------------------------------------------------------------ procedures
def test_a_procedure_drives_mail_with_data_lines(smith):
    root = smith.process.root
    lines = procedure(smith, """
        $ MAIL
        SEND
        JONES
        Weekly report
        All systems nominal.
        Nothing to add.
        $ WRITE SYS$OUTPUT "after send ", $STATUS
        $ MAIL
        SELECT NOSUCH
        SHOW NEW_MAIL_COUNT
        $ WRITE SYS$OUTPUT "after select ", $STATUS
        """)
    assert lines == ["after send %X00000001",
                     "%MAIL-E-NOTEXIST, folder NOSUCH does not exist",
                     "You have no new messages.",
                     "after select %X00000001"]
    [(info, body)] = folder(root, "JONES")
    assert (info.vms_from, info.to, info.subject) == (f"{root.node}::SMITH", "JONES",
                                                       "Weekly report")
    assert body == b"All systems nominal.\nNothing to add.\n"


def test_data_lines_read_move_delete_and_purge(users):
    root = users
    for subject in ("first", "second"):
        process = for_account(root, "SMITH")
        dcl = Interpreter(process, io.StringIO(), input=io.StringIO(""))
        dcl.run_line(f'MAIL/SUBJECT="{subject}" NL: JONES')
        process.logout()
    process = for_account(root, "JONES")
    dcl = Interpreter(process, io.StringIO(), input=io.StringIO(""))
    try:
        (home(root, "JONES") / "r.com").write_text(textwrap.dedent("""
            $ MAIL
            READ
            MOVE ARCHIVE
            YES
            READ
            DELETE
            PURGE
            DIRECTORY/FOLDER
            EXIT
            $ EXIT $STATUS
            """).lstrip("\n"))
        dcl.run_procedure("SYS$SYSDEVICE:[JONES]R.COM")
        lines = dcl.out.getvalue().splitlines()
    finally:
        process.logout()
    assert lines[0] == "You have 2 new messages."
    assert "Folder ARCHIVE does not exist." in lines
    assert "%MAIL-I-NEWFOLDER, folder ARCHIVE created" in lines
    assert "%MAIL-I-DELMSGS, 1 message deleted" in lines
    assert lines[-1] == "ARCHIVE"
    assert [i.subject for i, _ in folder(root, "JONES", "ARCHIVE")] == ["first"]
    assert folder(root, "JONES") == [] and folder(root, "JONES", ms.WASTEBASKET) == []


# ------------------------------------------------------------------------------ one-liners
def test_mail_subject_file_to_several_users(smith):
    root = smith.process.root
    data = b"Line one\nLine \xe9 two\n\nlast\n"
    (home(root, "SMITH") / "report.txt").write_bytes(data)
    smith.run_line('MAIL/SUBJECT="Status report" REPORT JONES,SMITH')
    assert output(smith) == [] and smith.status == cond.SS_NORMAL
    for user in ("JONES", "SMITH"):
        [(info, body)] = folder(root, user)
        assert info.subject == "Status report" and body == data
        assert info.to == "JONES,SMITH"


def test_mail_nl_and_unknown_users(smith):
    root = smith.process.root
    smith.run_line('MAIL/SUBJECT="Empty one" NL: JONES')
    [(info, body)] = folder(root, "JONES")
    assert body == b"" and info.subject == "Empty one"
    smith.run_line("MAIL/SUBJECT=x NL: NOBODY")
    assert output(smith) == ["%MAIL-E-NOSUCHUSR, no such user NOBODY"]
    assert smith.status == cond.MAIL_NOSUCHUSR | cond.INHIB_MSG
    smith.run_line("MAIL/SUBJECT=x NL: JONES,NOBODY")
    assert output(smith) == ["%MAIL-E-NOSUCHUSR, no such user NOBODY"]
    assert not smith.status & 1
    assert len(folder(root, "JONES")) == 1
    smith.run_line("MAIL/SUBJECT=x MISSING JONES")
    assert output(smith) == [
        "%MAIL-E-OPENIN, error opening SYS$SYSDEVICE:[SMITH]MISSING.TXT; as input",
        "-RMS-E-FNF, file not found"]
    assert not smith.status & 1


def test_mail_sys_input_takes_the_data_lines_and_nothing_else(smith):
    root = smith.process.root
    lines = procedure(smith, """
        $ MAIL NL: JONES /SUBJECT=first
        $ MAIL SYS$INPUT JONES /SUBJECT="From the data"
        data line 1
        data line 2
        $ WRITE SYS$OUTPUT "done ", $STATUS
        """)
    assert lines == ["done %X00000001"]
    messages = folder(root, "JONES")
    assert [(i.subject, b) for i, b in messages] == [
        ("FIRST", b""), ("From the data", b"data line 1\ndata line 2\n")]


def test_set_and_show_broadcast(smith):
    smith.run_line("SHOW BROADCAST")
    assert output(smith) == ["Broadcasts are currently enabled for all classes."]
    smith.run_line("SET BROADCAST=(NOMAIL,NOPHONE)")
    smith.run_line("SHOW BROADCAST")
    assert output(smith) == ["Broadcasts are currently disabled for:", "  MAIL", "  PHONE"]
    assert not notify.broadcast_enabled(smith, "MAIL")
    smith.run_line("SET BROADCAST=MAIL")
    assert notify.broadcast_enabled(smith, "MAIL")
    smith.run_line("SET NOBROADCAST")
    assert not notify.broadcast_enabled(smith, "MAIL")
    smith.run_line("SET BROADCAST")
    assert notify.broadcast_enabled(smith, "MAIL")
    smith.run_line("SET BROADCAST=SOMETHING")
    assert output(smith) == ["%DCL-W-IVKEYW, unrecognized keyword - check validity and spelling",
                             " \\SOMETHING\\"]


# ------------------------------------------------------------------------------ a terminal
def shell_starts_mail_notices() -> bool:
    from vmsenv.dcl import shell

    return "mail.notify" in inspect.getsource(shell) or "notify.login" in inspect.getsource(shell)


@pytest.fixture
def terminal_users(vms_root):
    from vmsenv import root as rootmod

    root = rootmod.Root(vms_root.path)
    add_account(root, "JONES", (0o200, 1))
    add_account(root, "SMITH", (0o200, 2))
    return root


def test_interactive_mail_between_two_users(terminal_users, dcl_session_factory):
    root = terminal_users
    smith = dcl_session_factory(user="SMITH")
    smith.send_line("MAIL")
    smith.expect_prompt(MAIL_PROMPT)
    smith.send_line("SEND")
    smith.expect_exact("To:")
    smith.send_line("JONES, NOBODY")
    smith.expect_exact("%MAIL-E-NOSUCHUSR, no such user NOBODY")
    smith.expect_exact("Subj:")
    smith.send_line("Greetings")
    smith.expect_exact("Press CTRL/Z when complete, or CTRL/C to quit:")
    smith.send_line("Hello Jones,")
    smith.send_line("  this came through MAIL.")
    smith.send_control("Z")
    smith.expect_exact("Do you want to send anyway (Y/N, default is N)? ")
    smith.send_line("Y")
    smith.expect_prompt(MAIL_PROMPT)
    assert smith.converse("EXIT", smith.prompt) == ""
    assert smith.read_status() == cond.MAIL_NOSUCHUSR | cond.INHIB_MSG

    jones = dcl_session_factory(user="JONES")
    jones.send_line("MAIL")
    entry = jones.expect_prompt(MAIL_PROMPT)
    assert "You have 1 new message." in entry
    listing = jones.converse("DIRECTORY", MAIL_PROMPT)
    assert "    # From                 Date         Subject" in listing
    assert f"    1 {root.node + '::SMITH':<20}" in listing and listing.rstrip().endswith(
        "Greetings")
    shown = jones.converse("READ", MAIL_PROMPT).splitlines()
    assert shown[0].startswith("    #1 ") and shown[0].endswith("NEWMAIL")
    assert shown[1:] == [f"From:\t{root.node}::SMITH", "To:\tJONES", "CC:\t",
                         "Subj:\tGreetings", "", "Hello Jones,", "  this came through MAIL."]
    jones.send_line("MOVE KEEP")
    jones.expect_exact("Folder KEEP does not exist.")
    jones.expect_exact("Do you want to create it (Y/N, default is N)? ")
    assert jones.converse("Y", MAIL_PROMPT) == "%MAIL-I-NEWFOLDER, folder KEEP created\n"
    assert jones.converse("SELECT KEEP", MAIL_PROMPT) == \
        "%MAIL-I-SELECTED, 1 message selected\n"
    jones.converse("READ 1", MAIL_PROMPT)
    assert jones.converse("DELETE", MAIL_PROMPT) == ""
    assert jones.converse("PURGE", MAIL_PROMPT) == "%MAIL-I-DELMSGS, 1 message deleted\n"
    assert jones.converse("SHOW NEW_MAIL_COUNT", MAIL_PROMPT) == "You have no new messages.\n"
    jones.converse("EXIT", jones.prompt)
    assert folder(root, "JONES", "KEEP") == [] and folder(root, "JONES", ms.WASTEBASKET) == []


def test_new_mail_notice_on_a_logged_in_terminal(terminal_users, dcl_session_factory):
    if not shell_starts_mail_notices():
        pytest.skip("the interactive shell does not call vmsenv.mail.notify.login yet")
    root = terminal_users
    jones = dcl_session_factory(user="JONES")
    smith = dcl_session_factory(user="SMITH")
    smith.run('MAIL/SUBJECT="ping" NL: JONES', check=True)
    jones.expect_exact(f"New mail on node {root.node} from {root.node}::SMITH", timeout=10)
    jones.run("SET BROADCAST=NOMAIL", check=True)
    smith.run('MAIL/SUBJECT="quiet" NL: JONES', check=True)
    output, _ = jones.run("SHOW BROADCAST")
    assert "New mail" not in output
    late = dcl_session_factory(user="JONES")
    late.run("SHOW DEFAULT")
    assert len(folder(root, "JONES")) == 2


def test_mail_foreign_sends_the_file_as_it_is(smith):
    root = smith.process.root
    data = b"\x00\x01binary\xffimage\n"
    (home(root, "SMITH") / "blob.exe").write_bytes(data)
    smith.run_line('MAIL/FOREIGN/SUBJECT="an image" BLOB.EXE JONES')
    assert output(smith) == [] and smith.status == cond.SS_NORMAL
    [(info, body)] = folder(root, "JONES")
    assert body == data and info.flags & ms.F_FOREIGN and info.subject == "an image"
    smith.run_line('MAIL/SUBJECT="plain" BLOB.EXE JONES')
    assert not folder(root, "JONES")[1][0].flags & ms.F_FOREIGN
