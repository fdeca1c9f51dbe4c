"""The MAIL utility in-process: real roots and accounts, commands fed through io.StringIO."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest

from vmsenv import condition as cond
from vmsenv import uaf
from vmsenv.mail import messages as mm
from vmsenv.mail import notify, profile
from vmsenv.mail import send as msend
from vmsenv.mail import store as ms
from vmsenv.mail import utility as mu
from vmsenv.process import for_account
from vmsenv.testing import add_account

WHEN = dt.datetime(2026, 3, 5, 9, 7, 3, 450000)




@pytest.fixture
def users(root):
    return {name: add_account(root, name, (0o200, n)) for n, name in enumerate(("JONES", "SMITH"), 1)}


def run(root, user: str, text: str, *, interactive: bool = False) -> tuple[str, int]:
    process = for_account(root, user)
    out = io.StringIO()
    try:
        status = mu.run_mail(process, io.StringIO(text), out, interactive=interactive)
    finally:
        process.logout()
    return out.getvalue(), status


def mail_file(root, user: str) -> ms.MailFile:
    found = profile.open_mail_file(root, uaf.get(root, user))
    assert found is not None
    return found


def put(root, user: str, subject: str, body: bytes = b"text\n", *, folder=ms.NEWMAIL,
        sender: str = "ORDERS::SMITH", arrived=WHEN) -> int:
    mf = profile.open_mail_file(root, uaf.get(root, user), create=True)
    try:
        flags = ms.F_NEW if folder == ms.NEWMAIL else 0
        return mf.add(ms.NewMessage(body, sender, user, "", subject, arrived, flags), folder)
    finally:
        mf.close()


# ------------------------------------------------------------------------------ layouts
def info_for(subject="Meeting", sender="ORDERS::SMITH", cc="", when=WHEN) -> ms.MessageInfo:
    return ms.MessageInfo(1, "T.1", ms.NEWMAIL, ms.arrival_us(when), ms.F_NEW, 5, 6, 1, 0,
                          sender, "JONES", cc, subject, 0, 0, 0, 0, 0)


def test_read_layout_is_the_vms_screen():
    lines = mu.read_lines(info_for(cc="BROWN"), b"first\r\nsecond", 3, "NEWMAIL")
    assert lines[0] == ("    #3           5-MAR-2026 09:07:03.45"
                        + " " * 34 + "NEWMAIL")
    assert len(lines[0]) == 80
    assert lines[1:] == ["From:\tORDERS::SMITH", "To:\tJONES", "CC:\tBROWN",
                         "Subj:\tMeeting", "", "first", "second"]


def test_directory_layout():
    long_subject = "S" * 60
    rows = [(1, info_for()), (2, None), (10, info_for(long_subject, "A" * 30))]
    lines = mu.directory_lines("MAIL", rows)
    assert lines[0] == " " * 76 + "MAIL"
    assert lines[1] == "    # From                 Date         Subject"
    assert lines[2] == ""
    assert lines[3] == "    1 ORDERS::SMITH         5-MAR-2026  Meeting"
    assert lines[4] == "    2 (Deleted)"
    assert lines[5] == "   10 " + "A" * 20 + "  5-MAR-2026  " + "S" * 40
    assert len(lines[5]) == 80


def test_new_mail_lines():
    assert mu.new_mail_line(0) == "You have no new messages."
    assert mu.new_mail_line(1) == "You have 1 new message."
    assert mu.new_mail_line(7) == "You have 7 new messages."


# ------------------------------------------------------------------------------ sending
def test_send_then_read_as_the_other_user(root, users):
    out, status = run(root, "SMITH", "SEND\nJones\nLunch?\nAt noon\n\nin the hall\n")
    assert status == cond.SS_NORMAL and out == ""
    mf = mail_file(root, "JONES")
    [info] = mf.list(ms.NEWMAIL)
    assert (info.vms_from, info.to, info.subject) == (f"{root.node}::SMITH", "JONES", "Lunch?")
    assert mf.read(info.id) == b"At noon\n\nin the hall\n"
    date, time = mu._date_time(info)
    out, status = run(root, "JONES", "DIRECTORY\nREAD\nREAD\nEXIT\n")
    lines = out.splitlines()
    assert lines[0] == "You have 1 new message."
    assert lines[1:5] == [" " * 73 + "NEWMAIL",
                          "    # From                 Date         Subject", "",
                          f"    1 {root.node + '::SMITH':<20} {date:>11}  Lunch?"]
    assert lines[5].startswith(f"    #1          {date:>11} {time}")
    assert lines[5].endswith(" NEWMAIL")
    assert lines[6:13] == [f"From:\t{root.node}::SMITH", "To:\tJONES", "CC:\t", "Subj:\tLunch?",
                           "", "At noon", ""]
    assert lines[14] == "%MAIL-E-NOMOREMSG, no more messages"
    assert status & 7 == cond.ERROR
    mf.close()
    mf = mail_file(root, "JONES")
    assert mf.list(ms.NEWMAIL) == []
    [moved] = mf.list(ms.MAIL)
    assert moved.id == info.id and not moved.is_new
    assert mf.new_mail_count() == 0


def test_prompts_only_on_a_terminal(root, users):
    out, _ = run(root, "SMITH", "SEND\nJONES\nHi\nbody\n", interactive=True)
    assert out == "MAIL> To:\tSubj:\t" + mu.BODY_HELP + "\nMAIL> "
    out, _ = run(root, "SMITH", "SHOW FOLDER\n")
    assert out == "Your current folder is MAIL.\n"


def test_unknown_user_disabled_user_and_other_nodes(root, users):
    add_account(root, "NOMAIL", (0o200, 9), "DISMAIL")
    cases = {
        "NOBODY": ["%MAIL-E-NOSUCHUSR, no such user NOBODY"],
        "NOMAIL": ["%MAIL-E-USERDSABL, user NOMAIL is not allowed to receive mail"],
        "FARAWAY::JONES": ["%MAIL-E-LOGLINK, error creating network link to node FARAWAY",
                           "-SYSTEM-F-NOSUCHNODE, remote node is unknown"],
        'SMTP%"joe@example.com"': ["%MAIL-E-ERRACTRNS, error activating transport SMTP"],
    }
    for to, expected in cases.items():
        out, status = run(root, "SMITH", f"SEND\n{to}\n")
        assert out.splitlines() == expected
        assert not status & 1 and status & cond.INHIB_MSG
    assert profile.open_mail_file(root, uaf.get(root, "JONES")) is None
    out, status = run(root, "SMITH", f"SEND\n{root.node.lower()}::jones, nobody\ns\nb\n")
    assert out.splitlines() == ["%MAIL-E-NOSUCHUSR, no such user NOBODY"]
    assert not status & 1
    assert profile.open_mail_file(root, uaf.get(root, "JONES")) is None


def test_send_to_several_and_local_node_form(root, users):
    out, status = run(root, "SMITH", f"SEND\nJONES,{root.node}::SMITH,jones\nBoth\nhi\n")
    assert status == cond.SS_NORMAL, out
    for user in ("JONES", "SMITH"):
        [info] = mail_file(root, user).list(ms.NEWMAIL)
        assert info.to == f"JONES,{root.node}::SMITH"


def test_reply_and_forward(root, users):
    run(root, "SMITH", "SEND\nJONES\nQuestion\nWhy?\n")
    out, status = run(root, "JONES", "READ\nREPLY\nBecause.\n")
    assert status == cond.SS_NORMAL
    assert f"To:\t{root.node}::SMITH\nSubj:\tRE: Question\n" in out
    smith = mail_file(root, "SMITH")
    [answer] = smith.list(ms.NEWMAIL)
    assert answer.subject == "RE: Question" and smith.read(answer.id) == b"Because.\n"
    [original] = mail_file(root, "JONES").list(ms.MAIL)
    assert original.flags & ms.F_REPLIED
    out, status = run(root, "SMITH", "READ\nFORWARD\nJONES\n")
    assert status == cond.SS_NORMAL, out
    jones = mail_file(root, "JONES")
    [fwd] = jones.list(ms.NEWMAIL)
    assert fwd.subject == "RE: Question"
    assert jones.read(fwd.id) == (f"From:\t{root.node}::JONES\nTo:\t{root.node}::SMITH\nCC:\t\n"
                                  "Subj:\tRE: Question\n\nBecause.\n").encode()


def test_reply_to_smtp_mail_cannot_be_sent(root, users):
    put(root, "JONES", "From outside", sender='SMTP%"joe@example.com"')
    out, status = run(root, "JONES", "READ\nREPLY\n")
    assert out.splitlines()[-2:] == ['To:\tSMTP%"joe@example.com"',
                                     "%MAIL-E-ERRACTRNS, error activating transport SMTP"]
    assert not status & 1


# ------------------------------------------------------------------------------ moving around
def test_navigation(root, users):
    for subject in ("one", "two", "three"):
        put(root, "JONES", subject)
    out, status = run(root, "JONES", "CURRENT\nBACK\nLAST\nNEXT\nBACK\nFIRST\nCURRENT\n"
                                      "READ 2\nREAD 9\n")
    subjects = [line[6:] for line in out.splitlines() if line.startswith("Subj:")]
    errors = [line for line in out.splitlines() if line.startswith("%")]
    assert subjects == ["three", "two", "one", "one", "two"]
    assert errors == ["%MAIL-E-NOTREADIN, you aren't reading a message",
                      "%MAIL-E-NOTREADIN, you aren't reading a message",
                      "%MAIL-E-NOMOREMSG, no more messages",
                      "%MAIL-E-NOMOREMSG, no more messages"]
    assert status == (mm.MAIL_NOMOREMSG | cond.INHIB_MSG)


def test_empty_line_reads_the_next_message(root, users):
    put(root, "JONES", "alpha")
    put(root, "JONES", "beta")
    out, _ = run(root, "JONES", "\n\n")
    assert [line for line in out.splitlines() if line.startswith("Subj:")] == \
        ["Subj:\talpha", "Subj:\tbeta"]


def test_move_copy_delete_and_folders(root, users):
    put(root, "JONES", "keep me")
    put(root, "JONES", "copy me")
    put(root, "JONES", "drop me")
    text = ("READ\nMOVE PROJECTS\nN\nMOVE PROJECTS\nY\nREAD\nCOPY PROJECTS\nYES\n"
            "READ\nDELETE\nDIRECTORY\nDIRECTORY/FOLDER\nSELECT PROJECTS\nDIRECTORY\n"
            "SELECT NOWHERE\nSHOW FOLDER\nQUIT\n")
    out, status = run(root, "JONES", text)
    lines = out.splitlines()
    assert lines.count("Folder PROJECTS does not exist.") == 2
    assert lines.count("%MAIL-I-NEWFOLDER, folder PROJECTS created") == 1
    listing = lines[lines.index("    # From                 Date         Subject") + 2:]
    assert listing[0] == "    1 (Deleted)"
    assert listing[1].endswith("copy me")
    assert listing[2] == "    3 (Deleted)"
    spec = "SYS$SYSDEVICE:[JONES]MAIL.MAI;1"
    assert f"Listing of folders in {spec}" in lines
    assert "%MAIL-I-SELECTED, 2 messages selected" in lines
    assert "%MAIL-E-NOTEXIST, folder NOWHERE does not exist" in lines
    assert lines[-1] == "Your current folder is PROJECTS."
    assert status == cond.SS_NORMAL
    mf = mail_file(root, "JONES")
    assert sorted(i.subject for i in mf.list("PROJECTS")) == ["copy me", "keep me"]
    assert [i.subject for i in mf.list(ms.MAIL)] == ["copy me"]
    assert [i.subject for i in mf.list(ms.WASTEBASKET)] == ["drop me"]
    assert mf.list(ms.NEWMAIL) == []


def test_folder_names_as_typed(root, users):
    put(root, "JONES", "x")
    out, _ = run(root, "JONES", 'READ\nMOVE BAD-NAME\nMOVE "Old Stuff"\nY\n')
    assert '%MAIL-I-NEWFOLDER, folder Old Stuff created' in out
    assert "%MAIL-E-ILLFOLNAM, illegal folder name BAD-NAME" in out
    assert [i.subject for i in mail_file(root, "JONES").list("Old Stuff")] == ["x"]


def test_purge_exit_and_quit(root, users):
    for n in range(3):
        put(root, "JONES", f"m{n}", folder=ms.MAIL)
    out, _ = run(root, "JONES", "DELETE/ALL\nQUIT\n")
    assert mail_file(root, "JONES").count(ms.WASTEBASKET) == 3
    out, _ = run(root, "JONES", "SET NOAUTO_PURGE\nSHOW AUTO_PURGE\nEXIT\n")
    assert out == "Automatic wastebasket purge on EXIT is disabled.\n"
    assert mail_file(root, "JONES").count(ms.WASTEBASKET) == 3
    out, _ = run(root, "JONES", "SELECT WASTEBASKET\nDELETE 1\nPURGE/RECLAIM\n")
    lines = out.splitlines()
    assert lines[:3] == ["%MAIL-I-SELECTED, 3 messages selected",
                         "%MAIL-I-DELMSGS, 2 messages deleted",
                         "%MAIL-I-RECLPLSWAIT, reclaiming deleted file space.  Please wait..."]
    assert lines[3].startswith("%MAIL-I-DELSPACE, ") and lines[3].endswith(" reclaimed")
    assert mail_file(root, "JONES").count(ms.WASTEBASKET) == 0
    put(root, "JONES", "again", folder=ms.MAIL)
    run(root, "JONES", "SET AUTO_PURGE\nREAD\nDELETE\nEXIT\n")
    mf = mail_file(root, "JONES")
    assert mf.count(ms.WASTEBASKET) == 0 and mf.count(ms.MAIL) == 0


def test_extract_writes_the_message(root, users):
    body = b"caf\xe9 line\r\nlast line without end"
    put(root, "JONES", "Report", body)
    out, status = run(root, "JONES", "READ\nEXTRACT REPORT\nEXTRACT/NOHEADER BODY.DAT\n")
    assert "%MAIL-S-CREATED, SYS$SYSDEVICE:[JONES]REPORT.TXT;1 created" in out
    home = profile.host_directory(root, uaf.get(root, "JONES"))
    assert (home / "report.txt").read_bytes() == (
        b"From:\tORDERS::SMITH\nTo:\tJONES\nCC:\t\nSubj:\tReport\n\n" + body)
    assert (home / "body.dat").read_bytes() == body
    assert status == cond.SS_NORMAL


def test_show_new_mail_count_and_entry_line(root, users):
    out, _ = run(root, "JONES", "SHOW NEW_MAIL_COUNT\n")
    assert out == "You have no new messages.\n"
    put(root, "JONES", "a")
    put(root, "JONES", "b")
    out, _ = run(root, "JONES", "SHOW NEW_MAIL_COUNT\nREAD\nSHOW NEW_MAIL_COUNT\nQUIT\n")
    lines = out.splitlines()
    assert lines[:2] == ["You have 2 new messages.", "You have 2 new messages."]
    assert lines[-1] == "You have 1 new message."


def test_set_mail_directory_moves_the_mail_file(root, users):
    put(root, "JONES", "before the move")
    out, status = run(root, "JONES", "SET MAIL_DIRECTORY [.MAIL]\nSHOW MAIL_DIRECTORY\n")
    assert out == ("You have 1 new message.\n"
                   "Your mail file directory is SYS$SYSDEVICE:[JONES.MAIL].\n")
    assert status == cond.SS_NORMAL
    assert profile.get(root, "JONES").sub_directory == "[.MAIL]"
    account = uaf.get(root, "JONES")
    new_home = profile.host_directory(root, account)
    assert new_home.name == "mail" and (new_home / "mail.mai").is_file()
    run(root, "SMITH", "SEND\nJONES\nafter the move\nx\n")
    mf = mail_file(root, "JONES")
    assert mf.directory == new_home
    assert [i.subject for i in mf.list(ms.NEWMAIL)] == ["before the move", "after the move"]
    mf.close()
    out, _ = run(root, "JONES", "SET MAIL_DIRECTORY [SMITH]\nSET MAIL_DIRECTORY [-]\n")
    assert out.splitlines()[1:] == ["%MAIL-E-NOTSUBDIR, [SMITH] is not a subdirectory",
                                "%MAIL-E-NOTSUBDIR, [-] is not a subdirectory"]
    out, _ = run(root, "JONES", "SET NOMAIL_DIRECTORY\nSHOW MAIL_DIRECTORY\n")
    assert out.splitlines()[-1] == "Your mail file directory is SYS$SYSDEVICE:[JONES]."
    assert mail_file(root, "JONES").count(ms.NEWMAIL) == 2


def test_commands_are_cld_parsed(root, users):
    out, status = run(root, "JONES", "FROBNICATE\nDIRECTORY/BOGUS\n")
    assert out.splitlines() == [
        "%CLI-W-IVVERB, unrecognized command verb - check validity and spelling",
        " \\FROBNICATE\\",
        "%CLI-W-IVQUAL, unrecognized qualifier - check validity, spelling, and placement",
        " \\BOGUS\\"]
    assert status & cond.INHIB_MSG
    out, _ = run(root, "JONES", "HELP\nHELP MOVE\n")
    assert "  Information available:" in out
    assert "  Format:  MOVE folder" in out


def test_messages_arriving_during_a_session_are_added(root, users):
    put(root, "JONES", "first")
    process = for_account(root, "JONES")
    try:
        stdin = io.StringIO()
        session = mu.Session(process, stdin, io.StringIO())
        session.enter()
        assert len(session.selection) == 1
        put(root, "JONES", "second")
        session.refresh()
        assert len(session.selection) == 2
        session.close()
    finally:
        process.logout()


# ------------------------------------------------------------------------------ sending API
def test_resolve_addresses(root, users):
    found = msend.resolve(root, msend.split_addresses(f'jones, {root.node}::smith, "x,y"'))
    assert [(r.text, r.user) for r in found[:2]] == [("JONES", "JONES"),
                                                     (f"{root.node}::SMITH", "SMITH")]
    assert found[2].user is None and found[2].error.status == cond.MAIL_NOSUCHUSR


# ------------------------------------------------------------------------------ notices
class FakeDcl:
    def __init__(self, process, out):
        self.process = process
        self.pending_prompt = None

        class Level:
            pass
        self.levels = [Level()]
        self.levels[0].out = out


def test_watcher_shows_notices_for_its_user(root, users):
    out = io.StringIO()
    watcher = notify.Watcher(root, "JONES", out.write, after=notify.last_seq(root),
                             redisplay=lambda: "$ ")
    db = root.store.db
    assert watcher.poll(db) == []
    run(root, "SMITH", "SEND\nJONES,SMITH\nhello\nx\n")
    assert watcher.poll(db) == [f"New mail on node {root.node} from {root.node}::SMITH"]
    assert out.getvalue() == f"\nNew mail on node {root.node} from {root.node}::SMITH\n$ "
    assert watcher.poll(db) == []


def test_broadcast_classes(root, users):
    process = for_account(root, "JONES")
    try:
        dcl = FakeDcl(process, io.StringIO())
        assert notify.broadcast_enabled(dcl, "MAIL")
        notify.set_broadcast(dcl, ["NOMAIL"])
        assert not notify.broadcast_enabled(dcl, "MAIL")
        assert notify.disabled_classes(dcl) == ("MAIL",)
        notify.set_broadcast(dcl, ["ALL"])
        assert notify.broadcast_enabled(dcl, "MAIL")
        notify.set_broadcast(dcl, None, enable_all=False)
        assert not notify.broadcast_enabled(dcl, "PHONE")
        with pytest.raises(ValueError):
            notify.set_broadcast(dcl, ["NOSUCHCLASS"])
    finally:
        process.logout()


def test_login_line_and_session_watcher(root, users):
    assert notify.login_lines(root, "JONES") == []
    put(root, "JONES", "a")
    assert notify.login_lines(root, "JONES") == ["    You have 1 new Mail message."]
    put(root, "JONES", "b")
    assert notify.login_lines(root, "JONES") == ["    You have 2 new Mail messages."]
    uaf.modify(root, "JONES", {"flags": ((True, "DISNEWMAIL"),)})
    assert notify.login_lines(root, "JONES") == []
    process = for_account(root, "SMITH")
    out = io.StringIO()
    dcl = FakeDcl(process, out)
    try:
        started = notify.login(dcl)
        assert started.running and notify.watcher(dcl) is started
        notify.logout(dcl)
        assert not started.running and notify.watcher(dcl) is None
        watcher = notify.Watcher(root, "SMITH", out.write, after=notify.last_seq(root),
                                 enabled=lambda: notify.broadcast_enabled(dcl, "MAIL"))
        notify.set_broadcast(dcl, ["NOMAIL"])
        run(root, "JONES", "SEND\nSMITH\nquiet\nx\n")
        db = root.store.db
        watcher.poll(db)
        assert out.getvalue() == ""
        notify.set_broadcast(dcl, ["MAIL"])
        run(root, "JONES", "SEND\nSMITH\nloud\nx\n")
        watcher.poll(db)
        assert out.getvalue() == f"\nNew mail on node {root.node} from {root.node}::JONES\n"
    finally:
        notify.logout(dcl)
        process.logout()


def test_watcher_thread_delivers(root, users):
    out = io.StringIO()
    shown = threading.Event()

    def write(text):
        out.write(text)
        shown.set()

    watcher = notify.Watcher(root, "JONES", write, after=notify.last_seq(root), interval=0.01)
    watcher.start()
    try:
        run(root, "SMITH", "SEND\nJONES\nping\nx\n")
        assert shown.wait(5)
    finally:
        watcher.stop()
    assert out.getvalue() == f"\nNew mail on node {root.node} from {root.node}::SMITH\n"
