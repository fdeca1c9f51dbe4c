"""The null device NL:, SYS$INPUT and the terminal read as files, and an image's SYS$OUTPUT and
SYS$ERROR redirected by logical names (vmsenv.dcl.redirection, the null device of vmsenv.files),
through the interpreter on a mounted device DKA200: with [T] as default."""

from __future__ import annotations

import io
import os
import stat
import textwrap
import time

import pytest

from vmsenv import condition as C
from vmsenv import images
from vmsenv.condition import VMSError
from vmsenv.dcl import redirection
from vmsenv.dcl.interpreter import Interpreter
from vmsenv.files import NULL_PATH
from vmsenv.lnm import names as N

DEV = "-RMS-F-DEV, error in device name or inappropriate device type for operation"


@pytest.fixture
def disk(root, tmp_path):
    host = tmp_path / "disk"
    (host / "t").mkdir(parents=True)
    root.mount("DKA200:", host)
    return host / "t"


def session(process, input_text: str | None = None) -> Interpreter:
    stdin = None if input_text is None else io.StringIO(input_text)
    dcl = Interpreter(process, io.StringIO(), input=stdin)
    dcl.run_line("SET DEFAULT DKA200:[T]")
    return dcl


@pytest.fixture
def dcl(process, disk):
    interp = session(process)
    yield interp
    for opened in interp.files.values():
        opened.close()


def written(dcl, *lines: str) -> str:
    start = len(dcl.out.getvalue())
    for line in lines:
        dcl.run_line(line)
    return dcl.out.getvalue()[start:]


def procedure(dcl, disk, text: str, name: str = "x") -> str:
    """Run the procedure text as @name; what it wrote."""
    (disk / f"{name}.com").write_text(textwrap.dedent(text).lstrip("\n"), encoding="latin-1")
    return written(dcl, f"@{name.upper()}")


def status(dcl) -> str:
    return dcl.lookup_symbol("$STATUS")


def user_mode_output(dcl):
    """The user-mode SYS$OUTPUT of the process table, or None."""
    entry = dcl.process.lnm.trnlnm("SYS$OUTPUT", N.PROCESS_TABLE, N.USER)
    return entry if entry is not None and entry.mode == N.USER else None


def probe(root) -> None:
    sysexe = root.sysdevice / "sys0" / "syscommon" / "sysexe"
    (sysexe / "probe.exe").write_text(f"{images.HEADER} image_probe:image_main\n")


# ------------------------------------------------------------------------------ the null device
def test_files_layer_names_the_null_device(process, disk):
    files = process.files
    pd = process.process_default()
    for spec in ("NL:", "_NL:", "NLA0:", "_NLA0:X.Y;3", "nl:"):
        ref = files.lookup(spec, ".DAT", process_default=pd)
        assert ref.null and ref.path == NULL_PATH and ref.version == 0
    assert files.lookup("NL:", process_default=pd).spec == "NL:"
    assert files.lookup("_NLA0:X.Y;3", process_default=pd).spec == "_NLA0:"
    created = files.create("NL:X.LIS", process_default=pd)
    assert created.null and created.path == NULL_PATH
    assert [r.spec for r in files.search("NL:*.*;*", process_default=pd)] == ["NL:"]
    with pytest.raises(VMSError) as info:
        files.delete(created)
    assert info.value.status == C.RMS_DEV
    assert files.devices.vms_spec(NULL_PATH) == "NLA0:"
    # a file named NL is not the device
    (disk / "nl").write_text("a file\n")
    assert not files.lookup("DKA200:[T]NL", process_default=pd).null


def test_null_device_through_a_logical_name(dcl, process):
    assert written(dcl, "DEFINE/NOLOG QUIET NL:",
                   'WRITE SYS$OUTPUT F$PARSE("QUIET:")',
                   'WRITE SYS$OUTPUT F$PARSE("QUIET")') == "NL:\nNL:\n"
    assert process.files.lookup("QUIET", process_default=process.process_default()).null


def test_type_nl_shows_nothing(dcl):
    assert written(dcl, "TYPE NL:") == ""
    assert status(dcl) == "%X00000001"


def test_copy_nl_makes_an_empty_file(dcl, disk):
    assert written(dcl, "COPY NL: E.TXT") == ""
    assert (disk / "e.txt").read_bytes() == b""
    assert written(dcl, "COPY/LOG NL: E.TXT") == (
        "%COPY-S-COPIED, NL: copied to DKA200:[T]E.TXT;2 (0 blocks)\n")
    assert (disk / "e.txt;2").read_bytes() == b""


def test_copy_and_append_to_nl_discard(dcl, disk):
    (disk / "a.txt").write_text("alpha\n")
    assert written(dcl, "COPY/LOG A.TXT NL:") == (
        "%COPY-S-COPIED, DKA200:[T]A.TXT;1 copied to NL: (1 block)\n")
    assert written(dcl, "APPEND A.TXT NL:") == ""
    assert sorted(os.listdir(disk)) == ["a.txt"]
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_open_nl_reads_end_of_file_and_discards_writes(dcl, disk):
    text = procedure(dcl, disk, """
        $ OPEN/WRITE OUT NL:
        $ WRITE SYS$OUTPUT F$TRNLNM("OUT")
        $ WRITE OUT "thrown away"
        $ CLOSE/DISPOSITION=DELETE OUT
        $ OPEN/READ IN NL:
        $ READ/END_OF_FILE=done IN LINE
        $ WRITE SYS$OUTPUT "not at end"
        $ done:
        $ WRITE SYS$OUTPUT "end ", $STATUS
        $ CLOSE IN
        """)
    assert text == "_NLA0:\nend %X0001827A\n"
    assert sorted(os.listdir(disk)) == ["x.com"]
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_procedure_output_to_nl(dcl, disk):
    (disk / "child.com").write_text('$ WRITE SYS$OUTPUT "hidden"\n$ DIRECTORY\n')
    assert written(dcl, "@CHILD/OUTPUT=NL:", 'WRITE SYS$OUTPUT "shown"') == "shown\n"
    assert sorted(os.listdir(disk)) == ["child.com"]


def test_output_qualifier_nl(dcl, disk):
    (disk / "a.txt").write_text("alpha\n")
    assert written(dcl, "TYPE/OUTPUT=NL: A.TXT", "DIRECTORY/OUTPUT=NL:") == ""
    assert sorted(os.listdir(disk)) == ["a.txt"]


def test_f_parse_and_f_search_of_nl(dcl):
    lines = written(dcl, *(f"WRITE SYS$OUTPUT \"[\" + {e} + \"]\"" for e in (
        'F$PARSE("NL:")', 'F$PARSE("NL:",,,"DEVICE")', 'F$PARSE("NL:",,,"NAME")',
        'F$PARSE("NL:",,,"TYPE")', 'F$PARSE("_NLA0:X.Y;2")', 'F$PARSE("NL:","A.B",,,"SYNTAX_ONLY")',
        'F$SEARCH("NL:")', 'F$SEARCH("NL:")', 'F$SEARCH("NL:")'))).splitlines()
    assert lines == ["[NL:]", "[NL:]", "[]", "[]", "[_NLA0:]", "[NL:]", "[NL:]", "[]", "[NL:]"]


def test_directory_delete_and_rename_of_nl_refuse_the_device(dcl, disk):
    assert written(dcl, "DIRECTORY NL:") == (
        f"%DIRECT-E-OPENIN, error opening NL: as input\n{DEV}\n")
    assert written(dcl, "DELETE NL:;*") == f"%DELETE-W-FILNOTDEL, error deleting NL:\n{DEV}\n"
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_detached_process_output_to_nl(dcl, disk, process):
    (disk / "quiet.com").write_text(
        '$ WRITE SYS$OUTPUT "nobody sees this"\n$ DEFINE/SYSTEM/NOLOG QUIET_DONE 1\n')
    text = written(dcl, "RUN/DETACHED/INPUT=QUIET.COM/OUTPUT=NL:/ERROR=NL: SYS$SYSTEM:LOGINOUT")
    assert text.startswith("%RUN-S-PROC_ID")
    deadline = time.monotonic() + 30
    while process.lnm.trnlnm("QUIET_DONE") is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert sorted(os.listdir(disk)) == ["quiet.com"]


# ------------------------------------------------------------------------------ SYS$INPUT
def test_type_sys_input_reads_the_data_lines(dcl, disk):
    assert procedure(dcl, disk, """
        $ TYPE SYS$INPUT
        first data line
          second, indented
        $ WRITE SYS$OUTPUT "after"
        """) == "first data line\n  second, indented\nafter\n"


def test_copy_append_and_search_sys_input(dcl, disk):
    text = procedure(dcl, disk, """
        $ COPY SYS$INPUT Y.TXT
        one
        two
        $ APPEND SYS$INPUT: Y.TXT
        three
        $ SEARCH SYS$INPUT "b"
        abc
        xyz
        bcd
        $ COPY/LOG SYS$INPUT Z.TXT
        $ TYPE Y.TXT
        """)
    assert text == ("abc\nbcd\n"
                    "%COPY-S-COPIED, SYS$INPUT: copied to DKA200:[T]Z.TXT;1 (0 blocks)\n"
                    "one\ntwo\nthree\n")
    assert (disk / "z.txt").read_bytes() == b""


def test_open_read_sys_input_reads_the_record_after_each_read(dcl, disk):
    text = procedure(dcl, disk, """
        $ OPEN/READ IN SYS$INPUT
        $ READ IN FIRST
        record one
        $ READ IN SECOND
        record two
        $ READ/END_OF_FILE=done IN THIRD
        $ WRITE SYS$OUTPUT "no end"
        $ done:
        $ CLOSE IN
        $ WRITE SYS$OUTPUT FIRST, "|", SECOND, "|", $STATUS
        """)
    assert text == "record one|record two|%X00010001\n"


def test_open_write_sys_output_writes_to_the_terminal(dcl):
    assert written(dcl, "OPEN/WRITE OUT SYS$OUTPUT", 'WRITE OUT "via OPEN"', "CLOSE OUT",
                   "OPEN/APPEND ERR SYS$ERROR:", 'WRITE ERR "error"', "CLOSE ERR") == (
        "via OPEN\nerror\n")


def test_open_read_write_of_a_permanent_file_is_refused(dcl):
    text = written(dcl, "OPEN/READ/WRITE F SYS$OUTPUT")
    assert text.splitlines()[1] == (
        "-RMS-F-IOP, operation invalid for file organization or device")


def test_sys_input_at_the_interactive_level_is_the_terminal(process, disk):
    dcl = session(process, "typed one\ntyped two\n")
    assert written(dcl, "TYPE SYS$INPUT") == "typed one\ntyped two\n"
    dcl = session(process, "to a file\n")
    assert written(dcl, "COPY SYS$INPUT: T.TXT") == ""
    assert (disk / "t.txt").read_text() == "to a file\n"
    dcl = session(process, "by name\n")
    assert written(dcl, "TYPE TT:") == "by name\n"


def test_terminal_in_a_procedure_is_the_interpreter_input(process, disk):
    dcl = session(process, "from the terminal\n")
    assert procedure(dcl, disk, """
        $ TYPE SYS$COMMAND
        $ TYPE SYS$INPUT
        data line
        """) == "from the terminal\ndata line\n"


def test_sys_input_redirected_to_a_file_is_that_file(dcl, disk):
    (disk / "in.txt").write_text("from the file\n")
    assert procedure(dcl, disk, """
        $ DEFINE/USER SYS$INPUT IN.TXT
        $ TYPE SYS$INPUT
        $ TYPE SYS$INPUT
        data again
        """) == "from the file\ndata again\n"


def test_image_sys_input_follows_a_user_mode_name(root, dcl, disk):
    probe(root)
    (disk / "in.txt").write_text("line for the image\n")
    text = written(dcl, "DEFINE/USER SYS$INPUT IN.TXT", "MCR PROBE")
    assert text.endswith("input=line for the image\n")
    assert written(dcl, "DEFINE/USER SYS$INPUT NL:", "MCR PROBE").endswith("input=\n")


# ------------------------------------------------------------------------------ SYS$OUTPUT
def test_define_user_sys_output_sends_an_image_listing_to_a_file(dcl, disk):
    (disk / "a.txt").write_text("alpha\n")
    assert written(dcl, "DEFINE/USER SYS$OUTPUT DIR.LIS", "DIRECTORY") == ""
    listing = (disk / "dir.lis").read_text()
    assert "Directory DKA200:[T]" in listing and "DIR.LIS;1" in listing
    assert user_mode_output(dcl) is None
    shown = written(dcl, "DIRECTORY")
    assert "Directory DKA200:[T]" in shown
    assert written(dcl, "DEFINE/USER SYS$OUTPUT DIR.LIS", "TYPE A.TXT") == ""
    assert (disk / "dir.lis;2").read_text() == "alpha\n"


def test_define_user_sys_output_nl_silences_the_next_image_only(dcl, disk):
    (disk / "a.txt").write_text("alpha\n")
    assert written(dcl, "DEFINE/USER SYS$OUTPUT NL:", "TYPE A.TXT") == ""
    assert written(dcl, "TYPE A.TXT") == "alpha\n"
    assert sorted(os.listdir(disk)) == ["a.txt"]


def test_dcl_commands_keep_the_permanent_output(dcl, disk):
    (disk / "a.txt").write_text("alpha\n")
    assert written(dcl, "DEFINE/USER SYS$OUTPUT NL:", 'WRITE SYS$OUTPUT "dcl writes"',
                   "SHOW TRANSLATION SYS$OUTPUT") == (
        'dcl writes\n   SYS$OUTPUT = "NL:" (LNM$PROCESS_TABLE)\n')
    assert written(dcl, "TYPE A.TXT", "TYPE A.TXT") == "alpha\n"


def test_image_messages_go_to_sys_output_and_sys_error(dcl, disk):
    failure = ("%TYPE-W-SEARCHFAIL, error searching for DKA200:[T]NOSUCH.X;\n"
               "-RMS-E-FNF, file not found\n")
    assert written(dcl, "DEFINE/USER SYS$OUTPUT OUT.LIS", "TYPE NOSUCH.X") == failure
    assert (disk / "out.lis").read_text() == failure
    assert status(dcl) == "%X10951238"
    assert written(dcl, "DEFINE/USER SYS$OUTPUT NL:", "DEFINE/USER SYS$ERROR NL:",
                   "TYPE NOSUCH.X") == ""
    assert status(dcl) == "%X10951238"
    assert written(dcl, "DEFINE/USER SYS$ERROR ERR.LIS", "TYPE NOSUCH.X") == failure
    assert (disk / "err.lis").read_text() == failure


def test_a_raised_image_error_goes_to_the_redirected_output(dcl):
    assert written(dcl, "DEFINE/USER SYS$OUTPUT NL:", "DEFINE/USER SYS$ERROR NL:",
                   "TYPE/HEAD=X A.TXT") == ""
    assert status(dcl) == f"%X{C.CLI_NUMBER:08X}"
    assert user_mode_output(dcl) is None
    assert written(dcl, "TYPE/HEAD=X A.TXT") == (
        "%DCL-W-NUMBER, invalid numeric value - supply an integer\n \\X\\\n")


def test_install_is_an_image(root, dcl):
    probe(root)
    assert written(dcl, "INSTALL ADD SYS$SYSTEM:PROBE.EXE") == ""
    assert "PROBE.EXE;1" in written(dcl, "INSTALL LIST")
    assert written(dcl, "DEFINE/USER SYS$OUTPUT NL:", "INSTALL LIST") == ""
    assert user_mode_output(dcl) is None


def test_foreign_command_output_is_redirected(root, dcl, disk):
    probe(root)
    assert written(dcl, "PR*OBE :== $PROBE", "DEFINE/USER SYS$OUTPUT P.LIS", "PROBE x") == ""
    assert (disk / "p.lis").read_text().splitlines()[1] == "args=X"
    assert user_mode_output(dcl) is None


def test_redirection_that_cannot_be_opened(dcl, disk):
    (disk / "a.txt").write_text("alpha\n")
    assert written(dcl, "DEFINE/USER SYS$OUTPUT [.NOSUCH]X.LIS", "TYPE A.TXT") == (
        "%DCL-E-OPENOUT, error opening DKA200:[T.NOSUCH]X.LIS; as output\n"
        "-RMS-E-DNF, directory not found\n")
    assert user_mode_output(dcl) is None
    assert written(dcl, "TYPE A.TXT") == "alpha\n"


def test_output_to_the_terminal_name_and_sys_output_qualifier(dcl, disk):
    (disk / "a.txt").write_text("alpha\n")
    assert written(dcl, "DEFINE/USER SYS$OUTPUT TT:", "TYPE A.TXT") == "alpha\n"
    assert written(dcl, "DEFINE/USER SYS$OUTPUT L.LIS", "TYPE/OUTPUT=SYS$OUTPUT A.TXT") == ""
    assert sorted(os.listdir(disk)) == ["a.txt", "l.lis"]
    assert (disk / "l.lis").read_text() == "alpha\n"


def test_procedure_output_sys_output_is_the_callers(dcl, disk):
    (disk / "child.com").write_text('$ WRITE SYS$OUTPUT "child"\n')
    assert written(dcl, "@CHILD/OUTPUT=SYS$OUTPUT") == "child\n"
    assert sorted(os.listdir(disk)) == ["child.com"]


# ------------------------------------------------------------------------------ the helpers
def test_leftmost_name():
    assert redirection.leftmost_name("SYS$INPUT") == "SYS$INPUT"
    assert redirection.leftmost_name(" sys$input: ") == "SYS$INPUT"
    assert redirection.leftmost_name("SYS$INPUT:X.DAT") == "SYS$INPUT"
    assert redirection.leftmost_name("_TNA0:") is None
    assert redirection.leftmost_name("X.DAT") is None
    assert redirection.leftmost_name("NODE::SYS$INPUT") is None
    assert redirection.leftmost_name("bad[spec") is None


def test_permanence_follows_the_translation(dcl, process):
    assert redirection.is_permanent(process, "SYS$OUTPUT")
    dcl.run_line("DEFINE/USER/NOLOG SYS$OUTPUT X.LIS")
    assert not redirection.is_permanent(process, "SYS$OUTPUT")
    assert redirection.is_permanent(process, "SYS$ERROR")
    dcl.run_line("DEFINE/USER/NOLOG SYS$ERROR TT:")
    assert not redirection.is_permanent(process, "SYS$ERROR")
    assert redirection.names_terminal(dcl, "SYS$ERROR")
    assert not redirection.names_terminal(dcl, "SYS$OUTPUT")


def test_tcpip_is_an_image_whose_output_can_be_redirected(root):
    import io

    from vmsenv.dcl.interpreter import Interpreter
    from vmsenv.process import Process

    process = Process(root)
    dcl = Interpreter(process, io.StringIO())
    try:
        dcl.run_line("DEFINE/USER SYS$OUTPUT SERVICES.LIS")
        dcl.run_line("TCPIP SHOW SERVICE POP")
        assert dcl.out.getvalue() == ""
        listing = root.sysdevice / "sys0" / "sysmgr" / "services.lis"
        assert "POP" in listing.read_text()
        dcl.run_line("TCPIP SHOW SERVICE POP")
        assert "POP" in dcl.out.getvalue()          # the user-mode name ran down
    finally:
        process.logout()
