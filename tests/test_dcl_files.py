"""TYPE, DIRECTORY, COPY, APPEND, RENAME, DELETE, PURGE, SEARCH, DIFFERENCES and
F$FILE_ATTRIBUTES through the DCL interpreter, on a mounted device DKA200: with [T] as default."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest

from vmsenv.dcl.interpreter import Interpreter
from vmsenv.dcl.verbs.files import columns, compare, entry_lines, line_matches


@pytest.fixture
def disk(root, tmp_path):
    host = tmp_path / "disk"
    (host / "t").mkdir(parents=True)
    root.mount("DKA200:", host)
    return host / "t"


@pytest.fixture
def dcl(process, disk):
    interp = Interpreter(process, io.StringIO())
    interp.run_line("SET DEFAULT DKA200:[T]")
    return interp


def status(dcl) -> str:
    return dcl.lookup_symbol("$STATUS")


def put(path, text: str, when: dt.datetime | None = None):
    path.write_text(text, encoding="latin-1")
    if when is not None:
        stamp = when.timestamp()
        os.utime(path, (stamp, stamp))
    return path


# ------------------------------------------------------------------------------ layout helpers
def test_columns_short_names_fill_four_columns_of_twenty():
    assert columns(["A.TXT;1", "B.TXT;1", "C.TXT;1", "D.TXT;1", "E.TXT;1"]) == [
        "A.TXT;1             B.TXT;1             C.TXT;1             D.TXT;1            ",
        "E.TXT;1             ",
    ]


def test_columns_long_names_take_two_columns():
    long20 = "TWENTY_CHARACTERS.X;1"  # 21 characters: two columns
    lines = columns(["A.COM;1", long20, "B.COM;1", "C.COM;1"])
    # the long name is padded to the end of its second column; C.COM wraps
    assert lines[0] == "A.COM;1             " + long20.ljust(40) + "B.COM;1            "
    assert lines[1] == "C.COM;1             "
    # a long name reaching the end of the line is not padded
    assert columns(["A.COM;1", "B.COM;1", long20, "C.COM;1"]) == [
        "A.COM;1             B.COM;1             " + long20, "C.COM;1             "]
    # 19 characters still fit one column (the last one too); 20 need two
    assert columns(["ABCDEFGHIJKLMN.O;12"]) == ["ABCDEFGHIJKLMN.O;12 "]
    assert columns(["X.A;1", "Y.B;1", "Z.C;1", "ABCDEFGHIJKLMN.O;12"]) == [
        "X.A;1               Y.B;1               Z.C;1               ABCDEFGHIJKLMN.O;12"]
    assert columns(["X.A;1", "Y.B;1", "Z.C;1", "ABCDEFGHIJKLMN.OP;12"]) == [
        "X.A;1               Y.B;1               Z.C;1               ",
        "ABCDEFGHIJKLMN.OP;12".ljust(40)]


def test_entry_lines_wrap_names_of_nineteen_characters():
    assert entry_lines("SHORT.TXT;1", ["      2"]) == ["SHORT.TXT;1              2"]
    assert entry_lines("MAIL_ARCHIVES.DIR;1", ["      1"]) == [
        "MAIL_ARCHIVES.DIR;1", " " * 19 + "      1"]


def test_line_matches_modes():
    assert line_matches("Hello World", ["WORLD"], "OR", exact=False)
    assert not line_matches("Hello World", ["WORLD"], "OR", exact=True)
    assert line_matches("a b", ["A", "B"], "AND", exact=False)
    assert not line_matches("a", ["A", "B"], "AND", exact=False)
    assert line_matches("a", ["A", "B"], "NAND", exact=False)
    assert line_matches("c", ["A", "B"], "NOR", exact=False)


def test_compare_resynchronises_on_three_matching_records():
    a = ["x", "integer comint", "integer fd", "p", "q", "r"]
    b = ["x", "integer fd", "p", "q", "r"]
    [sec] = compare(a, b)
    assert (sec.start1, sec.count1, sec.start2, sec.count2) == (1, 1, 1, 0)
    a = ["1", "#ifndef H", "#define H 1", "#endif", "#endif", "s", "t"]
    b = ["1", "#define H 1", "#endif", "s", "t"]
    [sec] = compare(a, b)
    assert (sec.start1, sec.count1, sec.start2, sec.count2) == (1, 3, 1, 1)
    assert compare(["a", "b"], ["a", "b"]) == []


# ------------------------------------------------------------------------------ DIRECTORY
def test_directory_layout_and_totals(dcl, disk, run):
    put(disk / "a.txt", "one\n")
    put(disk / "a.txt;2", "one\ntwo\n")
    put(disk / "b.dat", "x\n")
    assert run(dcl, "DIRECTORY") == (
        "\nDirectory DKA200:[T]\n\n"
        "A.TXT;2             A.TXT;1             B.DAT;1             \n"
        "\nTotal of 3 files.\n")
    assert status(dcl) == "%X00000001"
    assert run(dcl, "DIR B.DAT") == (
        "\nDirectory DKA200:[T]\n\nB.DAT;1             \n\nTotal of 1 file.\n")


def test_directory_size_and_date_columns(dcl, disk, run):
    when = dt.datetime(2001, 5, 9, 22, 18, 51, 690000)
    put(disk / "decus.txt", "x" * 100 + "\n", when)
    put(disk / "readme.txt", "y" * 600 + "\n", when)
    put(disk / "mail_archives.txt", "", when)
    assert run(dcl, "DIRECTORY/SIZE/DATE") == (
        "\nDirectory DKA200:[T]\n\n"
        "DECUS.TXT;1                1   9-MAY-2001 22:18:51.69\n"
        "MAIL_ARCHIVES.TXT;1\n"
        "                           0   9-MAY-2001 22:18:51.69\n"
        "README.TXT;1               2   9-MAY-2001 22:18:51.69\n"
        "\nTotal of 3 files, 3 blocks.\n")
    out = run(dcl, "DIRECTORY/SIZE=ALL README.TXT")
    assert out.splitlines()[3].startswith("README.TXT;1               2/")
    assert "Total of 1 file, 2/" in out


def test_directory_grand_total_and_search_list(dcl, disk, run):
    for sub in ("a", "b"):
        (disk / sub).mkdir()
        put(disk / sub / "x.txt", "x\n")
    put(disk / "b" / "y.txt", "y\n")
    assert run(dcl, "DIRECTORY [T...]*.TXT") == (
        "\nDirectory DKA200:[T.A]\n\nX.TXT;1             \n\nTotal of 1 file.\n"
        "\nDirectory DKA200:[T.B]\n\nX.TXT;1             Y.TXT;1             \n"
        "\nTotal of 2 files.\n"
        "\nGrand total of 2 directories, 3 files.\n")
    run(dcl, "DEFINE SL DKA200:[T.A],DKA200:[T.B]")
    out = run(dcl, "DIRECTORY/SIZE SL:*.TXT")
    assert "Directory DKA200:[T.A]" in out and "Directory DKA200:[T.B]" in out
    assert out.endswith("\nGrand total of 2 directories, 3 files, 3 blocks.\n")
    assert run(dcl, "TYPE SL:Y.TXT") == "y\n"


def test_directory_versions_columns_total_heading(dcl, disk, run):
    for v in (1, 2, 3):
        put(disk / ("f.txt" if v == 1 else f"f.txt;{v}"), f"{v}\n")
    assert run(dcl, "DIRECTORY/VERSIONS=2") == (
        "\nDirectory DKA200:[T]\n\nF.TXT;3             F.TXT;2             \n"
        "\nTotal of 2 files.\n")
    assert run(dcl, "DIRECTORY/COLUMNS=1 F.TXT;1") == (
        "\nDirectory DKA200:[T]\n\nF.TXT;1            \n\nTotal of 1 file.\n")
    assert run(dcl, "DIRECTORY/TOTAL") == "\nDirectory DKA200:[T]\n\nTotal of 3 files.\n"
    assert run(dcl, "DIRECTORY/NOHEADING/NOTRAILING") == (
        "DKA200:[T]F.TXT;3\nDKA200:[T]F.TXT;2\nDKA200:[T]F.TXT;1\n")
    assert run(dcl, "DIRECTORY/BRIEF/SIZE F.TXT;3").splitlines()[3] == "F.TXT;3             "


def test_directory_full(dcl, disk, run):
    when = dt.datetime(2001, 6, 15, 16, 51, 23, 470000)
    put(disk / "essai.f", "program essai\n      end\n", when)
    lines = run(dcl, "DIRECTORY/FULL").splitlines()
    assert lines[3].startswith("ESSAI.F;1                     File ID:  (")
    assert lines[4].startswith("Size:            1/")
    assert lines[4][30:] == "Owner:    [SYSTEM]"
    assert lines[5] == "Created:   15-JUN-2001 16:51:23.47"
    assert lines[6] == "Revised:   15-JUN-2001 16:51:23.47"
    assert "File organization:  Sequential" in lines
    assert "Record format:      Stream_LF, maximum 0 bytes, longest 13 bytes" in lines
    assert lines[-1].startswith("Total of 1 file, 1/")


def test_directory_no_files_and_missing_directory(dcl, disk, run):
    assert run(dcl, "DIRECTORY NOSUCH.TXT") == "%DIRECT-W-NOFILES, no files found\n"
    assert status(dcl) == "%X10798008"
    assert run(dcl, "DIRECTORY [NOSUCH]") == (
        "%DIRECT-E-OPENIN, error opening DKA200:[NOSUCH]*.*;* as input\n"
        "-RMS-E-DNF, directory not found\n"
        "-SYSTEM-W-NOSUCHFILE, no such file\n")


def test_directory_output_and_selection(dcl, disk, run):
    put(disk / "keep.txt", "k\n")
    put(disk / "skip.log", "s\n")
    assert run(dcl, "DIRECTORY/OUTPUT=LIST.OUT/EXCLUDE=*.LOG") == ""
    assert (disk / "list.out").read_text() == (
        "\nDirectory DKA200:[T]\n\nKEEP.TXT;1          LIST.OUT;1          \n"
        "\nTotal of 2 files.\n")
    assert run(dcl, "DIRECTORY/SINCE=TOMORROW") == "%DIRECT-W-NOFILES, no files found\n"


# ------------------------------------------------------------------------------ TYPE
def test_type_files_lists_and_wildcards(dcl, disk, run):
    put(disk / "a.txt", "alpha\n")
    put(disk / "b.txt", "beta\nlast")
    assert run(dcl, "TYPE A.TXT,B.TXT") == "alpha\nbeta\nlast\n"
    assert run(dcl, "TYPE *.TXT") == (
        "\nDKA200:[T]A.TXT;1\n\nalpha\n\nDKA200:[T]B.TXT;1\n\nbeta\nlast\n")
    assert run(dcl, "TYPE/PAGE B.TXT") == "beta\nlast\n"
    assert run(dcl, "TYPE/HEAD=1 B.TXT") == "beta\n"
    assert run(dcl, "TYPE/TAIL=1 B.TXT") == "last\n"
    assert status(dcl) == "%X00000001"


def test_type_missing_file(dcl, disk, run):
    assert run(dcl, "TYPE NOSUCH.TXT") == (
        "%TYPE-W-SEARCHFAIL, error searching for DKA200:[T]NOSUCH.TXT;\n"
        "-RMS-E-FNF, file not found\n")
    assert status(dcl) == "%X10951238"


def test_type_temporary_defaults_and_output(dcl, disk, run):
    (disk / "sub").mkdir()
    put(disk / "sub" / "c.txt", "c\n")
    put(disk / "sub" / "d.txt", "d\n")
    assert run(dcl, "TYPE [.SUB]C.TXT,D.TXT") == "c\nd\n"
    assert run(dcl, "TYPE/OUTPUT=COPY.LIS [.SUB]C.TXT") == ""
    assert (disk / "copy.lis").read_text() == "c\n"


def test_image_verbs_run_down_user_mode_names(dcl, disk, run):
    put(disk / "a.txt", "a\n")
    run(dcl, "DEFINE/USER_MODE XYZ A.TXT", "TYPE XYZ")
    assert run(dcl, 'WRITE SYS$OUTPUT "[", F$TRNLNM("XYZ"), "]"') == "[]\n"


# ------------------------------------------------------------------------------ COPY / APPEND
def test_copy_versions_and_log(dcl, disk, run):
    put(disk / "a.txt", "one\n")
    put(disk / "a.txt;4", "four\n")
    assert run(dcl, "COPY/LOG A.TXT B.TXT") == (
        "%COPY-S-COPIED, DKA200:[T]A.TXT;4 copied to DKA200:[T]B.TXT;4 (1 block)\n")
    assert status(dcl) == "%X00000001"
    run(dcl, "COPY A.TXT;1 B.TXT")
    assert (disk / "b.txt;5").read_text() == "one\n"
    run(dcl, "COPY A.TXT;1 *.BAK")
    assert (disk / "a.bak").read_text() == "one\n"


def test_copy_concatenates_and_reports_errors(dcl, disk, run):
    put(disk / "a.txt", "a\n")
    put(disk / "b.txt", "b1\nb2")
    assert run(dcl, "COPY/LOG A.TXT,B.TXT ALL.LIS") == (
        "%COPY-S-COPIED, DKA200:[T]A.TXT;1 copied to DKA200:[T]ALL.LIS;1 (1 block)\n"
        "%COPY-S-APPENDED, DKA200:[T]B.TXT;1 appended to DKA200:[T]ALL.LIS;1 (2 records)\n")
    assert (disk / "all.lis").read_text() == "a\nb1\nb2\n"
    assert run(dcl, "COPY NOSUCH.TXT X.TXT") == (
        "%COPY-E-OPENIN, error opening DKA200:[T]NOSUCH.TXT; as input\n"
        "-RMS-E-FNF, file not found\n")
    assert status(dcl) == "%X1067109A"
    assert run(dcl, "COPY A.TXT [NOSUCH]").splitlines() == [
        "%COPY-E-OPENOUT, error opening DKA200:[NOSUCH]A.TXT;1 as output",
        "-RMS-E-DNF, directory not found",
        "-SYSTEM-W-NOSUCHFILE, no such file"]


def test_append(dcl, disk, run):
    put(disk / "a.txt", "a1\na2\n")
    put(disk / "log.txt", "start")
    assert run(dcl, "APPEND/LOG A.TXT LOG.TXT") == (
        "%APPEND-S-APPENDED, DKA200:[T]A.TXT;1 appended to DKA200:[T]LOG.TXT;1 (2 records)\n")
    assert (disk / "log.txt").read_text() == "start\na1\na2\n"
    assert run(dcl, "APPEND A.TXT NEW.TXT") == (
        "%APPEND-E-OPENOUT, error opening DKA200:[T]NEW.TXT; as output\n"
        "-RMS-E-FNF, file not found\n")
    run(dcl, "APPEND/NEW_VERSION A.TXT NEW.TXT")
    assert (disk / "new.txt").read_text() == "a1\na2\n"


# ------------------------------------------------------------------------------ RENAME
def test_rename(dcl, disk, run):
    put(disk / "a.txt;3", "a\n")
    put(disk / "b.txt", "old b\n")
    (disk / "sub").mkdir()
    assert run(dcl, "RENAME/LOG A.TXT C.TXT") == (
        "%RENAME-I-RENAMED, DKA200:[T]A.TXT;3 renamed to DKA200:[T]C.TXT;1\n")
    assert status(dcl) == "%X00000001"
    run(dcl, "RENAME C.TXT B.TXT")
    assert (disk / "b.txt;2").read_text() == "a\n" and not (disk / "c.txt").exists()
    run(dcl, "RENAME B.TXT;1 [.SUB]")
    assert (disk / "sub" / "b.txt").read_text() == "old b\n"
    run(dcl, "RENAME *.TXT *.OLD")
    assert (disk / "b.old").read_text() == "a\n"
    assert run(dcl, "RENAME NOSUCH.TXT X") == (
        "%RENAME-W-SEARCHFAIL, error searching for DKA200:[T]NOSUCH.TXT;\n"
        "-RMS-E-FNF, file not found\n")


# ------------------------------------------------------------------------------ DELETE / PURGE
def test_delete_needs_a_version(dcl, disk, run):
    put(disk / "a.txt", "a\n")
    assert run(dcl, "DELETE A.TXT") == (
        "%DELETE-E-DELVER, explicit version number or wild card required\n")
    assert status(dcl) == "%X1093120A"
    assert (disk / "a.txt").exists()


def test_delete_versions_and_log(dcl, disk, run):
    put(disk / "a.txt", "a\n")
    put(disk / "a.txt;2", "a" * 700 + "\n")
    put(disk / "b.txt", "b\n")
    assert run(dcl, "DELETE/LOG A.TXT;") == (
        "%DELETE-I-FILDEL, DKA200:[T]A.TXT;2 deleted (2 blocks)\n")
    assert run(dcl, "DELETE/LOG A.TXT;*,B.TXT;*") == (
        "%DELETE-I-FILDEL, DKA200:[T]A.TXT;1 deleted (1 block)\n"
        "%DELETE-I-FILDEL, DKA200:[T]B.TXT;1 deleted (1 block)\n"
        "%DELETE-I-TOTAL, 2 files deleted (2 blocks)\n")
    assert status(dcl) == "%X00000001"
    assert run(dcl, "DELETE NOSUCH.TXT;*") == (
        "%DELETE-W-SEARCHFAIL, error searching for DKA200:[T]NOSUCH.TXT;*\n"
        "-RMS-E-FNF, file not found\n")
    assert status(dcl) == "%X10931238"


def test_delete_directory_files(dcl, disk, run):
    (disk / "empty").mkdir()
    (disk / "full").mkdir()
    put(disk / "full" / "x.txt", "x\n")
    assert run(dcl, "DELETE FULL.DIR;1") == (
        "%DELETE-W-FILNOTDEL, error deleting DKA200:[T]FULL.DIR;1\n"
        "-RMS-E-MKD, ACP could not mark file for deletion\n"
        "-SYSTEM-F-DIRNOTEMPTY, directory file is not empty\n")
    assert run(dcl, "DELETE EMPTY.DIR;1") == ""
    assert not (disk / "empty").exists()


def test_purge(dcl, disk, run):
    put(disk / "a.txt", "1\n")
    for v in (2, 3, 4):
        put(disk / f"a.txt;{v}", f"{v}\n")
    put(disk / "b.txt", "b\n")
    assert run(dcl, "PURGE/KEEP=2/LOG") == (
        "%PURGE-I-FILPURG, DKA200:[T]A.TXT;2 deleted (1 block)\n"
        "%PURGE-I-FILPURG, DKA200:[T]A.TXT;1 deleted (1 block)\n"
        "%PURGE-I-TOTAL, 2 files deleted (2 blocks)\n")
    run(dcl, "PURGE A.TXT")
    assert sorted(p.name for p in disk.iterdir()) == ["a.txt;4", "b.txt"]
    assert run(dcl, "PURGE NOSUCH.TXT") == (
        "%PURGE-W-SEARCHFAIL, error searching for DKA200:[T]NOSUCH.TXT;*\n"
        "-RMS-E-FNF, file not found\n")


# ------------------------------------------------------------------------------ SEARCH
def test_search_one_file_and_several(dcl, disk, run):
    put(disk / "a.txt", "first line\nSecond Line\nthird\n")
    put(disk / "b.txt", "nothing\nline in b\n")
    assert run(dcl, 'SEARCH A.TXT "line"') == "first line\nSecond Line\n"
    assert status(dcl) == "%X00000001"
    assert run(dcl, 'SEARCH/EXACT A.TXT "Line"') == "Second Line\n"
    assert run(dcl, "SEARCH *.TXT line") == (
        "\n" + "*" * 30 + "\nDKA200:[T]A.TXT;1\n\nfirst line\nSecond Line\n"
        "\n" + "*" * 30 + "\nDKA200:[T]B.TXT;1\n\nline in b\n")
    assert run(dcl, "SEARCH/MATCH=AND A.TXT first,line") == "first line\n"
    assert run(dcl, "SEARCH/NUMBERS A.TXT third") == "     3  third\n"
    assert run(dcl, "SEARCH/WINDOW=(1,1) A.TXT third") == "Second Line\nthird\n"
    assert run(dcl, "SEARCH/WINDOW=0 *.TXT third") == "DKA200:[T]A.TXT;1\n"


def test_search_no_match_and_missing_file(dcl, disk, run):
    put(disk / "a.txt", "abc\n")
    assert run(dcl, "SEARCH A.TXT zzz") == "%SEARCH-I-NOMATCHES, no strings matched\n"
    assert status(dcl) == "%X08D78053"
    assert run(dcl, "SEARCH/NOWARNINGS/NOOUTPUT A.TXT zzz") == ""
    assert status(dcl) == "%X08D78053"
    assert run(dcl, "SEARCH/NOOUTPUT A.TXT abc") == ""
    assert status(dcl) == "%X00000001"
    assert run(dcl, "SEARCH NOSUCH.TXT x") == (
        "%SEARCH-W-OPENIN, error opening DKA200:[T]NOSUCH.TXT; as input\n"
        "-RMS-E-FNF, file not found\n")


# ------------------------------------------------------------------------------ DIFFERENCES
def test_differences_changed_file(dcl, disk, run):
    put(disk / "s.r", "a\ninteger fd\nb\nc\nd\n")
    put(disk / "s.r;2", "a\ninteger comint\ninteger fd\nb\nc\nd\n")
    assert run(dcl, "DIFFERENCES S.R") == (
        "************\n"
        "File DKA200:[T]S.R;2\n"
        "    2   integer comint\n"
        "    3   integer fd\n"
        "******\n"
        "File DKA200:[T]S.R;1\n"
        "    2   integer fd\n"
        "************\n"
        "\n"
        "Number of difference sections found: 1\n"
        "Number of difference records found: 1\n"
        "\n"
        "DIFFERENCES /IGNORE=()/MERGED=1-\n"
        "    DKA200:[T]S.R;2-\n"
        "    DKA200:[T]S.R;1\n")
    assert status(dcl) == "%X006C8013"


def test_differences_identical_and_errors(dcl, disk, run):
    put(disk / "x.txt", "same\n")
    put(disk / "y.txt", "same\n")
    assert run(dcl, "DIFFERENCES X.TXT Y") == (
        "Number of difference sections found: 0\n"
        "Number of difference records found: 0\n"
        "\n"
        "DIFFERENCES /IGNORE=()/MERGED=1-\n"
        "    DKA200:[T]X.TXT;1-\n"
        "    DKA200:[T]Y.TXT;1\n")
    assert status(dcl) == "%X006C8009"
    assert run(dcl, "DIFFERENCES NOSUCH.TXT") == (
        "%DIFF-F-OPENIN, error opening DKA200:[T]NOSUCH.TXT; as input\n"
        "-RMS-E-FNF, file not found\n")
    assert run(dcl, "DIFFERENCES/OUTPUT X.TXT Y.TXT") == ""
    assert (disk / "x.dif").read_text().splitlines()[3] == (
        "DIFFERENCES /IGNORE=()/MERGED=1/OUTPUT=DKA200:[T]X.DIF;1-")


# ------------------------------------------------------------------------------ F$FILE_ATTRIBUTES
def test_file_attributes(dcl, disk, run):
    when = dt.datetime(2026, 8, 7, 18, 51, 27, 240000)
    put(disk / "f.dat", "z" * 600 + "\nab\n", when)
    (disk / "sub").mkdir()

    def lex(expr: str) -> str:
        return run(dcl, f"WRITE SYS$OUTPUT {expr}").rstrip("\n")

    assert lex('F$FILE_ATTRIBUTES("F.DAT","EOF")') == "2"
    assert lex('F$FILE_ATTRIBUTES("F.DAT","FFB")') == str(604 % 512)
    assert int(lex('F$FILE_ATTRIBUTES("F.DAT","ALQ")')) >= 2
    assert lex('F$FILE("F.DAT","LRL")') == "600"
    assert lex('F$FILE("F.DAT","ORG") + F$FILE("F.DAT","RFM") + F$FILE("F.DAT","RAT")') == (
        "SEQSTMLFCR")
    assert lex('F$FILE("F.DAT","RDT")') == " 7-AUG-2026 18:51:27.24"
    assert lex('F$FILE("F.DAT","BDT")') == "17-NOV-1858 00:00:00.00"
    assert lex('F$FILE("SUB.DIR","DIRECTORY") + F$FILE("F.DAT","DIRECTORY")') == "TRUEFALSE"
    assert lex('F$FILE("F.DAT","FILE_LENGTH_HINT")') == "(2,604)"
    assert lex('F$TYPE(X)') == ""
    os.chmod(disk / "f.dat", 0o640)
    assert lex('F$FILE("F.DAT","PRO")') == "SYSTEM=RWD, OWNER=RWD, GROUP=R, WORLD="
    assert run(dcl, 'X = F$FILE("F.DAT","NOSUCH")') == (
        "%DCL-W-IVKEYW, unrecognized keyword - check validity and spelling\n \\NOSUCH\\\n")
    assert run(dcl, 'X = F$FILE("NOSUCH.DAT","EOF")') == "%RMS-E-FNF, file not found\n"


def test_every_write_creates_a_new_version(dcl, disk, run):
    put(disk / "a.txt", "a\n")
    run(dcl, "COPY A.TXT OUT.TXT", "COPY A.TXT OUT.TXT", "COPY A.TXT OUT.TXT")
    assert sorted(p.name for p in disk.iterdir()) == [
        "a.txt", "out.txt", "out.txt;2", "out.txt;3"]
    run(dcl, "PURGE OUT.TXT")
    assert sorted(p.name for p in disk.iterdir()) == ["a.txt", "out.txt;3"]


def test_directory_owner_and_protection_columns(dcl, disk, run):
    os.chmod(put(disk / "essai.f", "x\n"), 0o640)
    (disk / "sub").mkdir()
    os.chmod(disk / "sub", 0o755)
    assert run(dcl, "DIRECTORY/OWNER/PROTECTION").splitlines()[3:5] == [
        "ESSAI.F;1            [SYSTEM]                         (RWD,RWD,R,)",
        "SUB.DIR;1            [SYSTEM]                         (RWE,RWE,RE,RE)"]
    assert run(dcl, "DIRECTORY/PROTECTION ESSAI.F").splitlines()[3] == (
        "ESSAI.F;1            (RWD,RWD,R,)")
    assert run(dcl, "DIRECTORY/OWNER ESSAI.F").splitlines()[3] == (
        "ESSAI.F;1            " + "[SYSTEM]".ljust(31))
