"""OPEN, READ, WRITE to files, CLOSE, INQUIRE, WAIT and CREATE through the interpreter, with
the messages and $STATUS values of a real OpenVMS system (facts C9)."""

from __future__ import annotations

import io
import os
import signal
import textwrap
import threading
import time

import pytest

from vmsenv.dcl.interpreter import Interpreter
from vmsenv.process import Process

EOF = "%RMS-E-EOF, end of file detected"
UNDFIL = "%DCL-W-UNDFIL, file has not been opened by DCL - check logical name"
FNF = "-RMS-E-FNF, file not found"


@pytest.fixture
def disk(tmp_path):
    host = tmp_path / "dka200"
    (host / "t" / "io").mkdir(parents=True)
    return host


@pytest.fixture
def dcl(root, disk):
    root.mount("DKA200:", disk)
    process = Process(root)
    interpreter = Interpreter(process, io.StringIO(), input=io.StringIO(""))
    interpreter.run_line("SET DEFAULT DKA200:[T.IO]")
    yield interpreter
    for opened in interpreter.files.values():
        opened.close()
    process.logout()


def lines_of(dcl) -> list[str]:
    text = dcl.out.getvalue()
    dcl.out.seek(0)
    dcl.out.truncate()
    return text.splitlines()


def proc(dcl, disk, text: str, name: str = "TEST.COM") -> list[str]:
    """Run a procedure written in DKA200:[T.IO]; returns its output lines."""
    (disk / "t" / "io" / name.lower()).write_text(textwrap.dedent(text).lstrip("\n"))
    lines_of(dcl)
    dcl.run_procedure(f"DKA200:[T.IO]{name}")
    return lines_of(dcl)


def status(dcl) -> str:
    return dcl.lookup_symbol("$STATUS")


def host(disk, name: str) -> str:
    return (disk / "t" / "io" / name).read_text(encoding="latin-1")


# ---------------------------------------------------------------------------------------------
# OPEN / WRITE / READ / CLOSE.
# ---------------------------------------------------------------------------------------------
def test_records_written_are_read_back(dcl, disk):
    out = proc(dcl, disk, """
        $ SET NOON
        $ OPEN/WRITE log RECORDS.TXT
        $ WRITE log "alpha beta"
        $ WRITE log "has ""double"" quotes", 7
        $ WRITE log ""
        $ WRITE log "omega"
        $ CLOSE log
        $ OPEN/READ src RECORDS.TXT
        $ i = 0
        $next:
        $ READ/END_OF_FILE=finished src rec
        $ i = i + 1
        $ WRITE SYS$OUTPUT "#", i, " <", rec, "> ", F$LENGTH(rec)
        $ GOTO next
        $finished:
        $ WRITE SYS$OUTPUT "at end ", $STATUS
        $ CLOSE src
    """)
    assert out == ['#1 <alpha beta> 10', '#2 <has "double" quotes7> 20', "#3 <> 0",
                   "#4 <omega> 5", "at end %X0001827A"]
    assert host(disk, "records.txt") == 'alpha beta\nhas "double" quotes7\n\nomega\n'


def test_read_past_end_without_label_signals_eof(dcl, disk):
    (disk / "t" / "io" / "one.dat").write_text("only\n")
    out = proc(dcl, disk, """
        $ SET NOON
        $ OPEN f ONE
        $ READ f x
        $ READ f x
        $ WRITE SYS$OUTPUT "after ", $STATUS, " x=", x
        $ CLOSE f
    """)
    assert out == [EOF, "after %X0001827A x=only"]


def test_end_of_file_obeys_on_error(dcl, disk, output):
    (disk / "t" / "io" / "empty.dat").write_text("")
    out = proc(dcl, disk, """
        $ OPEN f EMPTY
        $ READ f x
        $ WRITE SYS$OUTPUT "not reached"
    """)
    assert out == [EOF]
    assert status(dcl) == "%X1001827A"
    output(dcl, "CLOSE f")


def test_open_missing_file(dcl, disk):
    out = proc(dcl, disk, """
        $ SET NOON
        $ OPEN/READ f ABSENT.TXT
        $ WRITE SYS$OUTPUT "status ", $STATUS
        $ OPEN/ERROR=missing f ABSENT.TXT
        $ WRITE SYS$OUTPUT "skipped"
        $missing:
        $ WRITE SYS$OUTPUT "label ", $STATUS, " ", F$TRNLNM("F")
        $ OPEN/READ f ABSENT
    """)
    assert out == [
        "%DCL-E-OPENIN, error opening DKA200:[T.IO]ABSENT.TXT; as input", FNF,
        "status %X10018292",
        "label %X10018292 ",
        "%DCL-E-OPENIN, error opening DKA200:[T.IO]ABSENT.DAT; as input", FNF,
    ]
    assert dcl.files == {}


def test_open_missing_directory_and_wildcard(dcl, output):
    assert output(dcl, "OPEN/WRITE f [.NOWHERE]X.TXT") == [
        "%DCL-E-OPENOUT, error opening DKA200:[T.IO.NOWHERE]X.TXT; as output",
        "-RMS-E-DNF, directory not found"]
    assert status(dcl) == "%X1001C04A"
    assert output(dcl, "OPEN f *.TXT") == [
        "%DCL-E-OPENIN, error opening DKA200:[T.IO]*.TXT; as input",
        "-RMS-F-WLD, invalid wildcard operation"]


def test_unopened_names(dcl, output):
    assert output(dcl, "CLOSE nothing") == [UNDFIL]
    assert status(dcl) == "%X00038188"
    assert output(dcl, "READ nothing: x") == [UNDFIL]
    assert output(dcl, 'WRITE nothing "x"') == [UNDFIL]
    assert output(dcl, "CLOSE/NOLOG nothing") == []
    assert status(dcl) == "%X10038188"


def test_error_labels_on_unopened_names(dcl, disk):
    out = proc(dcl, disk, """
        $ READ/ERROR=r1 nothing x
        $ WRITE SYS$OUTPUT "skipped"
        $r1:
        $ WRITE SYS$OUTPUT "read ", $STATUS
        $ CLOSE/ERROR=c1 nothing
        $ WRITE SYS$OUTPUT "skipped"
        $c1:
        $ WRITE SYS$OUTPUT "close ", $STATUS
    """)
    assert out == ["read %X00038188", "close %X00038188"]


def test_write_creates_versions_append_adds_and_default_type(dcl, disk):
    out = proc(dcl, disk, """
        $ OPEN/WRITE f LIST
        $ WRITE f "v1 first"
        $ CLOSE f
        $ OPEN/APPEND f LIST.DAT
        $ WRITE f "v1 second"
        $ CLOSE f
        $ OPEN/WRITE f LIST
        $ WRITE f "v2"
        $ CLOSE f
        $ WRITE SYS$OUTPUT F$SEARCH("LIST.DAT;*")
        $ WRITE SYS$OUTPUT F$SEARCH("LIST.DAT;*")
    """)
    assert out == ["DKA200:[T.IO]LIST.DAT;2", "DKA200:[T.IO]LIST.DAT;1"]
    assert host(disk, "list.dat") == "v1 first\nv1 second\n"
    assert host(disk, "list.dat;2") == "v2\n"


def test_append_after_last_record_without_line_feed(dcl, disk, output):
    (disk / "t" / "io" / "tail.dat").write_bytes(b"one\ntwo")
    output(dcl, "OPEN/APPEND f TAIL", 'WRITE f "three"', "CLOSE f")
    assert host(disk, "tail.dat") == "one\ntwo\nthree\n"
    out = output(dcl, "OPEN f TAIL", "READ f a", "READ f b", "READ f c",
                 'WRITE SYS$OUTPUT a, "|", b, "|", c', "CLOSE f")
    assert out == ["one|two|three"]


def test_logical_name_of_an_open_file(dcl, output):
    out = output(dcl, "OPEN/WRITE outfile: NOTE.TXT", "SHOW LOGICAL/FULL OUTFILE",
                 'IF F$TRNLNM("OUTFILE") .NES. "" THEN CLOSE OUTFILE',
                 "SHOW LOGICAL OUTFILE")
    assert out == ['   "OUTFILE" [super] = "_DKA200:" (LNM$PROCESS_TABLE)',
                   "%SHOW-S-NOTRAN, no translation for logical name OUTFILE"]
    assert "OUTFILE" not in dcl.files


def test_files_stay_open_across_procedure_levels(dcl, disk):
    (disk / "t" / "io" / "inner.com").write_text(
        '$ OPEN/WRITE shared SHARED.TXT\n$ WRITE shared "from inner"\n$ EXIT\n')
    out = proc(dcl, disk, """
        $ @INNER
        $ WRITE shared "from outer"
        $ CLOSE shared
        $ OPEN r SHARED.TXT
        $ READ r a
        $ READ r b
        $ WRITE SYS$OUTPUT a, "+", b
        $ CLOSE r
    """)
    assert out == ["from inner+from outer"]


def test_second_open_of_a_name_keeps_the_first_file(dcl, disk, output):
    (disk / "t" / "io" / "a.dat").write_text("from a\n")
    (disk / "t" / "io" / "b.dat").write_text("from b\n")
    out = output(dcl, "OPEN f A", "OPEN f B", "READ f x", "WRITE SYS$OUTPUT x", "CLOSE f")
    assert out == ["from a"]


def test_write_and_append_conflict(dcl, output):
    assert output(dcl, "OPEN/WRITE/APPEND f X") == [
        "%DCL-W-CONFLICT, illegal combination of command elements - check documentation",
        " \\APPEND\\"]
    assert dcl.files == {}


def test_access_is_checked(dcl, disk, output):
    (disk / "t" / "io" / "ro.dat").write_text("r\n")
    out = output(dcl, "OPEN f RO", 'WRITE f "no"', "CLOSE f", "OPEN/WRITE w WO", "READ w x",
                 "CLOSE w")
    fac = "%RMS-F-FAC, record operation not permitted by specified file access (FAC)"
    assert out == [fac, fac]
    assert status(dcl) == "%X00010001"


def test_update_replaces_the_last_record_read(dcl, disk, output):
    (disk / "t" / "io" / "upd.dat").write_text("aaa\nbbb\nccc\n")
    out = output(dcl, "OPEN/READ/WRITE f UPD", 'WRITE/UPDATE f "zzz"', "READ f x", "READ f x",
                 'WRITE/UPDATE f "BBB"', 'WRITE/UPDATE f "BBB"', "READ f x",
                 'WRITE/UPDATE f "too long"', "CLOSE f")
    assert out == [
        "%RMS-F-CUR, no current record (operation not preceded by $GET/$FIND)",
        "%RMS-F-CUR, no current record (operation not preceded by $GET/$FIND)",
        "%RMS-F-RSZ, invalid record size"]
    assert host(disk, "upd.dat") == "aaa\nBBB\nccc\n"


def test_read_write_file_adds_records_at_its_end(dcl, disk, output):
    (disk / "t" / "io" / "rw.dat").write_text("one\n")
    out = output(dcl, "OPEN/READ/WRITE f RW", "READ f x", 'WRITE f "two"', "READ f y",
                 "SHOW SYMBOL $STATUS", "CLOSE f")
    assert out == [EOF, '  $STATUS == "%X0001827A"']
    assert host(disk, "rw.dat") == "one\ntwo\n"


def test_keyed_access_is_refused(dcl, disk, output):
    (disk / "t" / "io" / "seq.dat").write_text("rec\n")
    iop = "%RMS-F-IOP, operation invalid for file organization or device"
    out = output(dcl, "OPEN/READ/WRITE f SEQ", 'READ/KEY="rec" f x', "READ/INDEX=1 f x",
                 "READ/DELETE f x", "READ/NOLOCK f x", "WRITE SYS$OUTPUT x", "CLOSE f")
    assert out == [iop, iop, iop, "rec"]


def test_close_disposition_delete(dcl, disk, output):
    output(dcl, "OPEN/WRITE t SCRATCH.TMP", 'WRITE t "x"', "CLOSE/DISPOSITION=DELETE t")
    assert not (disk / "t" / "io" / "scratch.tmp").exists()
    assert status(dcl) == "%X00010001"
    out = output(dcl, "OPEN/WRITE t SCRATCH.TMP", "CLOSE/DISPOSITION=PRINT t")
    assert out[0] == "%DCL-W-IVKEYW, unrecognized keyword - check validity and spelling"


# ---------------------------------------------------------------------------------------------
# SYS$INPUT, SYS$COMMAND, INQUIRE.
# ---------------------------------------------------------------------------------------------
def test_read_sys_input_takes_the_procedure_data_lines(dcl, disk):
    out = proc(dcl, disk, """
        $ SET NOON
        $ READ SYS$INPUT first
        line one
        $ READ SYS$INPUT: second
          Line Two
        $ WRITE SYS$OUTPUT "[", first, "][", second, "]"
        $ READ SYS$INPUT none
        $ WRITE SYS$OUTPUT "eof ", $STATUS
        $ READ/END_OF_FILE=done SYS$INPUT none
        $ WRITE SYS$OUTPUT "skipped"
        $done:
        $ WRITE SYS$OUTPUT "done ", $STATUS
    """)
    assert out == ["[line one][  Line Two]", EOF, "eof %X0001827A", "done %X0001827A"]


def test_read_sys_input_data_is_verified_with_image_verify(dcl, disk):
    out = proc(dcl, disk, """
        $ SET VERIFY=(NOPROCEDURE,IMAGE)
        $ READ SYS$INPUT x
        echoed data
        $ SET NOVERIFY
        $ WRITE SYS$OUTPUT x
    """)
    assert out == ["echoed data", "echoed data"]


def test_read_sys_command_prompts(dcl, output):
    dcl.input = io.StringIO("typed text\nsecond\n")
    out = output(dcl, "READ SYS$COMMAND a", 'READ/PROMPT="Name? " SYS$INPUT b',
                 'WRITE SYS$OUTPUT a, "|", b', "READ SYS$COMMAND c")
    assert out == ["DATA:Name? typed text|second", "DATA:" + EOF]
    assert status(dcl) == "%X0001827A"


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs setitimer")
def test_read_time_out_on_a_silent_terminal(dcl, disk, output):
    reader, writer = os.pipe()
    try:
        dcl.input = os.fdopen(reader, "r")
        start = time.monotonic()
        out = output(dcl, 'READ/TIME_OUT=0/PROMPT="> " SYS$COMMAND x')
        assert time.monotonic() - start < 2
        assert out == ["> %SYSTEM-F-TIMEOUT, device timeout"]
        assert status(dcl) == "%X0000022C"
        assert output(dcl, "READ/TIME_OUT=256/PROMPT=x SYS$COMMAND x") == [
            "%DCL-W-IVVALU, invalid value syntax - see command documentation", " \\256\\"]
    finally:
        os.close(writer)
        dcl.input.close()


def test_inquire(dcl, output):
    dcl.input = io.StringIO('  yes   please \n"Keep Case"  too\nglobal\nraw: text\n')
    out = output(dcl, "INQUIRE answer")
    assert status(dcl) == "%X00030001"
    out += output(dcl, "INQUIRE q2 Proceed   with  it?", "INQUIRE/GLOBAL g3 \"Global one\"",
                  "INQUIRE/NOPUNCTUATION n4 \"Plain> \"", "SHOW SYMBOL answer", "SHOW SYMBOL q2",
                  "SHOW SYMBOL/GLOBAL g3", "SHOW SYMBOL/LOCAL n4")
    assert out == ["ANSWER: ",
                   'PROCEED WITH IT?: Global one: Plain>   ANSWER = "YES PLEASE"',
                   '  Q2 = "Keep Case TOO"',
                   '  G3 == "GLOBAL"',
                   '  N4 = "RAW: TEXT"']
    assert output(dcl, "INQUIRE late") == ["LATE: " + EOF]
    assert status(dcl) == "%X0001827A"


# ---------------------------------------------------------------------------------------------
# WAIT.
# ---------------------------------------------------------------------------------------------
def test_wait(dcl, output):
    start = time.monotonic()
    assert output(dcl, "WAIT 00:00:00.05") == []
    assert time.monotonic() - start >= 0.04
    assert status(dcl) == "%X00000001"
    assert output(dcl, "WAIT 0-0:0:0.01") == []
    assert output(dcl, "WAIT 1:2:xx") == [
        "%DCL-W-IVDTIME, invalid delta time - use DDDD-HH:MM:SS.CC format", " \\1:2:XX\\"]
    assert status(dcl) == "%X00038298"


def test_wait_is_interruptible(dcl):
    timer = threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            dcl.run_line("WAIT 00:01:00")
    finally:
        timer.cancel()
    assert time.monotonic() - start < 10


# ---------------------------------------------------------------------------------------------
# CREATE.
# ---------------------------------------------------------------------------------------------
def test_create_from_procedure_data(dcl, disk):
    out = proc(dcl, disk, """
        $ CREATE/LOG MADE.TXT
        First line
          indented, with $ inside

        $ CREATE MADE.TXT
        second version
        $ CREATE EMPTY.
        $ WRITE SYS$OUTPUT F$SEARCH("MADE.TXT;*"), " ", $STATUS
    """)
    assert out == ["%CREATE-I-CREATED, DKA200:[T.IO]MADE.TXT;1 created",
                   "DKA200:[T.IO]MADE.TXT;2 %X00000001"]
    assert host(disk, "made.txt") == "First line\n  indented, with $ inside\n\n"
    assert host(disk, "made.txt;2") == "second version\n"
    assert host(disk, "empty") == ""


def test_create_interactively_reads_to_end_of_input(dcl, disk, output):
    dcl.input = io.StringIO("typed one\ntyped two\n")
    assert output(dcl, "CREATE TYPED.TXT") == []
    assert host(disk, "typed.txt") == "typed one\ntyped two\n"


def test_create_errors_and_directory_syntax(dcl, disk, output):
    out = output(dcl, "CREATE [.NOWHERE]X.TXT")
    assert out == ["%CREATE-E-OPENOUT, error opening DKA200:[T.IO.NOWHERE]X.TXT; as output",
                   "-RMS-E-DNF, directory not found"]
    assert status(dcl) == "%X1001C04A"
    assert output(dcl, "CREATE/DIRECTORY [.NOWHERE]") == []
    assert (disk / "t" / "io" / "nowhere").is_dir()
    assert output(dcl, "CREATE *.TXT")[1] == "-RMS-F-WLD, invalid wildcard operation"


def test_bad_symbol_name_reads_nothing(dcl, disk, output):
    (disk / "t" / "io" / "keep.dat").write_text("first\nsecond\n")
    out = output(dcl, "OPEN f KEEP", "READ f 9lives", "READ f ok", "WRITE SYS$OUTPUT ok", "CLOSE f")
    assert out == ["%DCL-W-IVSYMB, invalid symbol name - start name with an alphabetic character",
                   " \\9LIVES\\", "first"]
