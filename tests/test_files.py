"""files: devices as host directories, versions, lookups, creation, $SEARCH, confinement."""

from __future__ import annotations

import os

import pytest

from vmsenv import condition as cond
from vmsenv.files import (
    DeviceTable,
    FileError,
    Files,
    SearchContexts,
    host_file_name,
    split_version,
    vms_name_type,
)
from vmsenv.filespec import (
    CONCEALED,
    TERMINAL,
    ProcessDefault,
    parse_spec,
    resolve_set_default,
)

DEFAULT = ProcessDefault("DKA200:", "[T.LNM]")


@pytest.fixture
def disk(tmp_path):
    top = tmp_path / "dka200"
    for d in ("t/lnm/sub", "t/dcl"):
        (top / d).mkdir(parents=True)
    (tmp_path / "dka0").mkdir()
    return top


@pytest.fixture
def names():
    return {
        "VPT_ROOT": [("DKA200:[T.LNM.]", CONCEALED)],
        "VPT_ROOT2": [("DKA200:[T.LNM.]", 0)],
        "VPT_DEV": [("DKA200:[T.DCL.]", CONCEALED)],
        "VPT_SL": [("VPT_NOWHERE:", 0), ("DKA200:[T.DCL]", 0)],
        "VPT_BOTH": [("DKA200:[T.DCL]", 0), ("DKA200:[T.LNM]", 0)],
        "VPT_MISSING": [("DKA200:[NOSUCH]", 0), ("DKA200:[T.LNM]", 0)],
    }


@pytest.fixture
def files(disk, names):
    return Files({"DKA200": disk, "_DKA0:": disk.parent / "dka0"}, names.get)


def write(files, spec, text="", pd=DEFAULT):
    ref = files.create(spec, process_default=pd)
    ref.path.write_text(text)
    return ref


def specs(iterator):
    return [r.spec for r in iterator]


# ---------------------------------------------------------------- host naming
def test_host_naming_helpers():
    assert host_file_name("NOTES", ".TXT") == "NOTES.TXT"
    assert host_file_name("A^.B", ".C") == "A.B.C"
    assert host_file_name("MAKEFILE", ".") == "MAKEFILE"
    assert host_file_name("MAKEFILE", "") == "MAKEFILE"
    assert host_file_name("", ".PROFILE") == ".PROFILE"
    assert vms_name_type("a.b.txt") == ("A^.B", ".TXT")
    assert vms_name_type("makefile") == ("MAKEFILE", ".")
    assert vms_name_type(".profile") == ("", ".PROFILE")
    assert vms_name_type("with space.x") == ("WITH^_SPACE", ".X")
    assert split_version("notes.txt;12") == ("notes.txt", 12)
    assert split_version("notes.txt") == ("notes.txt", 1)
    assert split_version("notes.txt;0") == ("notes.txt;0", 1)
    assert split_version("notes.txt;99999") == ("notes.txt;99999", 1)
    for bad in (("^.", ""), ("^.^.", ""), ("A^2FB", ".C"), ("", "."), ("", "")):
        with pytest.raises(cond.VMSError) as e:
            host_file_name(*bad)
        assert e.value.status == cond.RMS_FNM


def test_directory_mapping(disk):
    table = DeviceTable({"DKA200:": disk})
    assert table.host_directory("DKA200", ("T", "LNM")) == disk / "t" / "lnm"
    assert table.host_directory("_dka200:", ()) == disk.resolve()
    assert table.directory_exists("DKA200", ("T", "LNM", "SUB"))
    assert not table.directory_exists("DKA200", ("T", "NOSUCH"))
    (disk / "Mixed" / "CaSe").mkdir(parents=True)
    assert table.host_directory("DKA200", ("MIXED", "CASE")) == disk / "Mixed" / "CaSe"
    with pytest.raises(cond.VMSError) as e:
        table.directory_exists("DKA300", ())
    assert e.value.status == cond.RMS_DEV
    with pytest.raises(cond.VMSError) as e:
        table.host_directory("DKA200", ("T", "NOSUCH"))
    assert e.value.status == cond.RMS_DNF
    assert table.create_directory("DKA200", ("NEW", "Deep", "ER")) is True
    assert (disk / "new" / "deep" / "er").is_dir()
    assert table.create_directory("DKA200", ("NEW", "DEEP")) is False
    assert table.create_directory("DKA200", ("MIXED", "CASE", "X")) is True
    assert (disk / "Mixed" / "CaSe" / "x").is_dir()


def test_host_path_of_physical_spec(disk):
    table = DeviceTable({"DKA200": disk})
    lnm = disk / "t" / "lnm"
    (lnm / "Notes.TXT").write_text("")
    assert table.host_path("DKA200", ("T", "LNM"), "NOTES", ".TXT") == lnm / "Notes.TXT"
    assert table.host_path("DKA200", ("T", "LNM"), "NOTES", ".TXT", 2) == lnm / "notes.txt;2"
    assert table.host_path("DKA200", ("T", "LNM"), "A^.B", ".") == lnm / "a.b"
    assert table.host_path("DKA200", (), "TOP", ".DAT") == disk.resolve() / "top.dat"
    with pytest.raises(cond.VMSError) as e:
        table.host_path("DKA200", ("NOSUCH",), "X", ".Y")
    assert e.value.status == cond.RMS_DNF


def test_vms_spec_from_host_path(disk):
    table = DeviceTable({"DKA200": disk})
    (disk / "t" / "lnm" / "notes.txt;3").write_text("")
    (disk / "top.dat").write_text("")
    assert table.vms_spec(disk / "t" / "lnm" / "notes.txt;3") == "DKA200:[T.LNM]NOTES.TXT;3"
    assert table.vms_spec(disk / "top.dat") == "DKA200:[000000]TOP.DAT;1"
    assert table.vms_spec(disk / "t" / "lnm" / "sub") == "DKA200:[T.LNM]SUB.DIR;1"
    assert table.vms_spec(disk) == "DKA200:[000000]000000.DIR;1"
    assert table.vms_spec(disk / "t" / "a.b.c") == "DKA200:[T]A^.B.C;1"
    with pytest.raises(cond.VMSError) as e:
        table.vms_spec(disk.parent / "elsewhere.txt")
    assert e.value.status == cond.RMS_DEV


# ---------------------------------------------------------------- versions
def test_create_and_read_versions(files, disk):
    r1 = write(files, "NOTES.TXT", "one")
    assert (r1.spec, r1.version, r1.path.name) == ("DKA200:[T.LNM]NOTES.TXT;1", 1, "notes.txt")
    r2 = write(files, "notes.txt", "two")
    assert (r2.spec, r2.path.name) == ("DKA200:[T.LNM]NOTES.TXT;2", "notes.txt;2")
    write(files, "NOTES.TXT;5", "five")
    assert (disk / "t" / "lnm" / "notes.txt;5").read_text() == "five"

    def read(spec):
        ref = files.lookup(spec, process_default=DEFAULT)
        return ref.spec, ref.path.read_text()

    assert read("NOTES.TXT") == ("DKA200:[T.LNM]NOTES.TXT;5", "five")
    assert read("NOTES.TXT;") == ("DKA200:[T.LNM]NOTES.TXT;5", "five")
    assert read("NOTES.TXT;0") == ("DKA200:[T.LNM]NOTES.TXT;5", "five")
    assert read("NOTES.TXT;-1") == ("DKA200:[T.LNM]NOTES.TXT;2", "two")
    assert read("NOTES.TXT;-2") == ("DKA200:[T.LNM]NOTES.TXT;1", "one")
    assert read("NOTES.TXT;1") == ("DKA200:[T.LNM]NOTES.TXT;1", "one")
    assert read("notes.txt.2") == ("DKA200:[T.LNM]NOTES.TXT;2", "two")
    assert write(files, "NOTES.TXT").version == 6
    for spec, status in (("NOTES.TXT;-9", cond.RMS_FNF), ("NOTES.TXT;4", cond.RMS_FNF),
                         ("NOSUCH.TXT", cond.RMS_FNF), ("[T.NOSUCH]NOTES.TXT", cond.RMS_DNF),
                         ("DKA300:[T]X.Y", cond.RMS_DEV), ("*.TXT", cond.RMS_WLD),
                         ("NOTES.TXT;*", cond.RMS_WLD)):
        with pytest.raises(FileError) as e:
            files.lookup(spec, process_default=DEFAULT)
        assert e.value.status == status, spec


def test_create_errors(files):
    write(files, "X.DAT;3")
    for spec, status in (("X.DAT;3", cond.RMS_FEX), ("X.DAT;-1", cond.RMS_VER),
                         ("[NOSUCH]X.DAT", cond.RMS_DNF), ("NOWHERE:[T]X.DAT", cond.RMS_DEV),
                         ("*.DAT", cond.RMS_WLD), ("NODE::X.DAT", cond.SS_UNSUPPORTED)):
        with pytest.raises(cond.VMSError) as e:
            files.create(spec, process_default=DEFAULT)
        assert e.value.status == status, spec
    write(files, "LAST.DAT;32767")
    with pytest.raises(FileError) as e:
        files.create("LAST.DAT", process_default=DEFAULT)
    assert e.value.status == cond.RMS_VER


def test_case_blind_lookup_and_host_files(files, disk):
    lnm = disk / "t" / "lnm"
    (lnm / "ReadMe.Txt").write_text("mixed")
    (lnm / "a.b.c").write_text("dots")
    (lnm / "makefile").write_text("null type")
    assert files.lookup("readme.txt", process_default=DEFAULT).path == lnm / "ReadMe.Txt"
    assert files.lookup("A^.B.C", process_default=DEFAULT).spec == "DKA200:[T.LNM]A^.B.C;1"
    assert files.lookup("a.b.c", process_default=DEFAULT).path.read_text() == "dots"
    assert files.lookup("MAKEFILE.", process_default=DEFAULT).spec == "DKA200:[T.LNM]MAKEFILE.;1"
    ref = write(files, "README.TXT", "new")
    assert (ref.version, ref.path.name) == (2, "readme.txt;2")
    assert files.lookup("SUB.DIR", process_default=DEFAULT).is_directory


def test_error_carries_expanded_spec(files):
    pd = ProcessDefault("DKA200:", "[T.DCL]")
    with pytest.raises(FileError) as e:
        files.lookup("NOSUCH.TXT", process_default=pd)
    assert e.value.status == cond.RMS_FNF
    assert e.value.spec == "DKA200:[T.DCL]NOSUCH.TXT;"
    assert e.value.lines()[0] == "%RMS-E-FNF, file not found"


# ---------------------------------------------------------------- logical names and search lists
def test_concealed_root_create_and_read(files, disk):
    ref = write(files, "VPT_DEV:[000000]VIALOG.TXT", "via a logical")
    assert ref.spec == "VPT_DEV:[000000]VIALOG.TXT;1"
    assert ref.path == disk / "t" / "dcl" / "vialog.txt"
    pd = ProcessDefault("DKA200:", "[T.DCL]")
    assert files.lookup("VIALOG.TXT", process_default=pd).path.read_text() == "via a logical"
    assert files.f_parse("VPT_ROOT:[SUB]X.Y", process_default=DEFAULT) == "VPT_ROOT:[SUB]X.Y;"
    assert files.f_parse("VPT_ROOT:X.Y", process_default=DEFAULT) == ""
    assert files.parse("VPT_ROOT:[SUB]X.Y", process_default=DEFAULT,
                       no_conceal=True).text == "DKA200:[T.LNM.][SUB]X.Y;"


def test_search_list_lookup_skips_missing(files):
    write(files, "VPT_DEV:[000000]VIALOG.TXT")
    ref = files.lookup("VPT_SL:VIALOG.TXT", process_default=DEFAULT)
    assert ref.spec == "DKA200:[T.DCL]VIALOG.TXT;1"
    write(files, "[T.LNM]BOTH.TXT", "lnm")
    assert files.lookup("VPT_BOTH:BOTH.TXT", process_default=DEFAULT).spec \
        == "DKA200:[T.LNM]BOTH.TXT;1"
    write(files, "[T.DCL]BOTH.TXT", "dcl")
    assert files.lookup("VPT_BOTH:BOTH.TXT", process_default=DEFAULT).spec \
        == "DKA200:[T.DCL]BOTH.TXT;1"
    assert files.lookup("VPT_MISSING:BOTH.TXT", process_default=DEFAULT).spec \
        == "DKA200:[T.LNM]BOTH.TXT;1"
    with pytest.raises(FileError) as e:
        files.lookup("VPT_SL:NOSUCH.TXT", process_default=DEFAULT)
    assert (e.value.status, e.value.spec) == (cond.RMS_FNF, "VPT_NOWHERE:[T.LNM]NOSUCH.TXT;")
    # creating uses the first element only
    with pytest.raises(FileError) as e:
        files.create("VPT_SL:NEW.TXT", process_default=DEFAULT)
    assert e.value.status == cond.RMS_DEV
    assert files.create("VPT_BOTH:NEW.TXT", process_default=DEFAULT).spec \
        == "DKA200:[T.DCL]NEW.TXT;1"


def test_create_directory(files, disk):
    assert files.create_directory("[.A.B]", process_default=DEFAULT) == ("DKA200:[T.LNM.A.B]", True)
    assert (disk / "t" / "lnm" / "a" / "b").is_dir()
    assert files.create_directory("VPT_ROOT:[A]", process_default=DEFAULT) == ("VPT_ROOT:[A]", False)
    for spec, status in (("[A...]", cond.RMS_WLD), ("[A]X.Y", cond.RMS_SYN),
                         ("NOWHERE:[A]", cond.RMS_DEV), ("[A^2FB]", cond.RMS_DIR)):
        with pytest.raises(FileError) as e:
            files.create_directory(spec, process_default=DEFAULT)
        assert e.value.status == status, spec


# ---------------------------------------------------------------- confinement
def test_escapes_are_refused(files, disk, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    os.symlink(outside, disk / "t" / "evil")
    os.symlink(outside / "secret.txt", disk / "t" / "lnm" / "link.txt")
    os.symlink(disk / "t" / "dcl", disk / "t" / "lnm" / "inside")
    pd = DEFAULT
    for spec, status in (("[T.EVIL]SECRET.TXT", cond.RMS_PRV), ("LINK.TXT", cond.RMS_PRV),
                         ("[^.^.]X.Y", cond.RMS_DIR), ("[T.^.^.]X", cond.RMS_DIR),
                         ("[A^2F^.^.]X", cond.RMS_DIR), ("^.^.", cond.RMS_FNF)):
        with pytest.raises(cond.VMSError) as e:
            files.lookup(spec, process_default=pd)
        assert e.value.status == status, spec
    for spec in ("[T.EVIL]NEW.TXT", "[^.^.]NEW.TXT", "^.^."):
        with pytest.raises(cond.VMSError):
            files.create(spec, process_default=pd)
    assert not (outside / "new.txt").exists()
    assert files.f_parse("[T.EVIL]X.Y", process_default=pd) == ""
    assert not files.devices.directory_exists("DKA200", ("T", "EVIL"))
    with pytest.raises(cond.VMSError):
        files.create_directory("[T.EVIL.SUB]", process_default=pd)
    assert not (outside / "sub").exists()
    found = specs(files.search("[T...]*.*;*", process_default=pd))
    assert not any("SECRET" in s or "EVIL" in s or "LINK" in s for s in found)
    # a symlink that stays inside the device is followed
    write(files, "[T.DCL]IN.TXT", "in")
    assert files.lookup("[T.LNM.INSIDE]IN.TXT", process_default=pd).path.read_text() == "in"


def test_symlink_loop_does_not_hang(files, disk):
    os.symlink(disk / "t", disk / "t" / "lnm" / "loop")
    found = specs(files.search("[T...]*.DIR", process_default=DEFAULT))
    assert "DKA200:[T.LNM]LOOP.DIR;1" in found
    assert not any("LOOP.LNM" in s for s in found)


# ---------------------------------------------------------------- $SEARCH
@pytest.fixture
def populated(files):
    pd = ProcessDefault("DKA200:", "[T.DCL]")
    for spec in ("NOTES.TXT", "NOTES.TXT", "OTHER.DAT", "A-B.TXT", "[.SUB1]X.TXT",
                 "[.SUB1.DEEP]Y.TXT", "[.SUB1.DEEP]Y.TXT", "[.SUB2]Z.TXT"):
        if spec.startswith("[."):
            files.create_directory(spec.split("]")[0] + "]", process_default=pd)
        write(files, spec, pd=pd)
    return pd


def test_search_versions_and_order(files, populated):
    pd = populated
    assert specs(files.search("NOTES.TXT;*", process_default=pd)) == [
        "DKA200:[T.DCL]NOTES.TXT;2", "DKA200:[T.DCL]NOTES.TXT;1"]
    assert specs(files.search("*.*", process_default=pd)) == [
        "DKA200:[T.DCL]A-B.TXT;1", "DKA200:[T.DCL]NOTES.TXT;2", "DKA200:[T.DCL]OTHER.DAT;1",
        "DKA200:[T.DCL]SUB1.DIR;1", "DKA200:[T.DCL]SUB2.DIR;1"]
    assert specs(files.search("NOTES.TXT", process_default=pd)) == ["DKA200:[T.DCL]NOTES.TXT;2"]
    assert specs(files.search("NOTES.TXT;-1", process_default=pd)) == ["DKA200:[T.DCL]NOTES.TXT;1"]
    assert specs(files.search("NOTES.TXT;1", process_default=pd)) == ["DKA200:[T.DCL]NOTES.TXT;1"]
    assert specs(files.search("N%TES.*", process_default=pd)) == ["DKA200:[T.DCL]NOTES.TXT;2"]
    assert specs(files.search("NOSUCH.*", process_default=pd)) == []
    assert specs(files.search("[...]*.TXT;*", process_default=pd)) == [
        "DKA200:[T.DCL]A-B.TXT;1", "DKA200:[T.DCL]NOTES.TXT;2", "DKA200:[T.DCL]NOTES.TXT;1",
        "DKA200:[T.DCL.SUB1]X.TXT;1", "DKA200:[T.DCL.SUB1.DEEP]Y.TXT;2",
        "DKA200:[T.DCL.SUB1.DEEP]Y.TXT;1", "DKA200:[T.DCL.SUB2]Z.TXT;1"]
    assert specs(files.search("[T.DCL.*]*.TXT", process_default=pd)) == [
        "DKA200:[T.DCL.SUB1]X.TXT;1", "DKA200:[T.DCL.SUB2]Z.TXT;1"]
    assert specs(files.search("[T...DEEP]*.*", process_default=pd)) == [
        "DKA200:[T.DCL.SUB1.DEEP]Y.TXT;2"]
    assert specs(files.search("[.SUB%]*.TXT", process_default=pd)) == [
        "DKA200:[T.DCL.SUB1]X.TXT;1", "DKA200:[T.DCL.SUB2]Z.TXT;1"]


def test_search_keeps_concealed_names_and_lists(files, populated, names):
    pd = populated
    assert specs(files.search("VPT_DEV:[000000]*.DAT", process_default=pd)) == [
        "VPT_DEV:[000000]OTHER.DAT;1"]
    assert specs(files.search("VPT_DEV:[SUB1...]*.TXT", process_default=pd)) == [
        "VPT_DEV:[SUB1]X.TXT;1", "VPT_DEV:[SUB1.DEEP]Y.TXT;2"]
    assert specs(files.search("VPT_SL:OTHER.DAT", process_default=pd)) == [
        "DKA200:[T.DCL]OTHER.DAT;1"]
    names["VPT_ROOTED2"] = [("DKA200:[T.DCL.]", 0)]
    assert specs(files.search("VPT_ROOTED2:[SUB1...]*.TXT", process_default=pd)) == [
        "DKA200:[T.DCL.][SUB1]X.TXT;1", "DKA200:[T.DCL.][SUB1.DEEP]Y.TXT;2"]
    write(files, "[T.LNM]NOTES.TXT")
    assert specs(files.search("VPT_BOTH:NOTES.TXT", process_default=pd)) == [
        "DKA200:[T.DCL]NOTES.TXT;2", "DKA200:[T.LNM]NOTES.TXT;1"]
    assert specs(files.search("VPT_MISSING:NOTES.TXT", process_default=pd)) == [
        "DKA200:[T.LNM]NOTES.TXT;1"]
    for spec, status in (("[NOSUCH]*.*", cond.RMS_DNF), ("NOWHERE:[T]*.*", cond.RMS_DEV)):
        with pytest.raises(FileError) as e:
            list(files.search(spec, process_default=pd))
        assert e.value.status == status


def test_search_system_root_search_list(tmp_path):
    sysdisk = tmp_path / "sys"
    for d in ("sys0/sysmgr", "sys0/syscommon/sysmgr"):
        (sysdisk / d).mkdir(parents=True)
    (sysdisk / "sys0/sysmgr/operator.log").write_text("")
    (sysdisk / "sys0/sysmgr/operator.log;2").write_text("")
    (sysdisk / "sys0/syscommon/sysmgr/startup.com").write_text("")
    names = {
        "SYS$SYSROOT": [("DKA0:[SYS0.]", CONCEALED | TERMINAL), ("SYS$COMMON:", 0)],
        "SYS$COMMON": [("DKA0:[SYS0.SYSCOMMON.]", CONCEALED | TERMINAL)],
        "SYS$MANAGER": [("SYS$SYSROOT:[SYSMGR]", 0)],
    }
    files = Files({"DKA0": sysdisk}, names.get)
    pd = ProcessDefault("SYS$SYSROOT:", "[SYSMGR]")
    assert specs(files.search("SYS$SYSROOT:[SYSMGR]*.*;*", process_default=pd)) == [
        "SYS$SYSROOT:[SYSMGR]OPERATOR.LOG;2", "SYS$SYSROOT:[SYSMGR]OPERATOR.LOG;1",
        "SYS$COMMON:[SYSMGR]STARTUP.COM;1"]
    assert files.lookup("SYS$MANAGER:STARTUP.COM", process_default=pd).spec \
        == "SYS$COMMON:[SYSMGR]STARTUP.COM;1"
    assert files.lookup("STARTUP.COM", process_default=pd).path \
        == sysdisk / "sys0/syscommon/sysmgr/startup.com"
    assert files.f_parse("SYS$MANAGER:STARTUP.COM", process_default=pd) \
        == "SYS$SYSROOT:[SYSMGR]STARTUP.COM;"
    # a new file goes to the first element, SYS$SPECIFIC's [SYSMGR]
    assert files.create("SYS$MANAGER:NEW.COM", process_default=pd).path \
        == sysdisk / "sys0/sysmgr/new.com"


# ---------------------------------------------------------------- F$SEARCH streams
def test_f_search_streams(files, populated):
    pd = populated
    ctx = SearchContexts()

    def f_search(spec, stream=0):
        return files.f_search(ctx, spec, stream, process_default=pd)

    assert f_search("NOTES.TXT;*") == "DKA200:[T.DCL]NOTES.TXT;2"
    assert f_search("NOTES.TXT;*") == "DKA200:[T.DCL]NOTES.TXT;1"
    assert f_search("NOTES.TXT;*") == ""
    assert f_search("NOTES.TXT;*") == "DKA200:[T.DCL]NOTES.TXT;2"      # restarted after ""
    assert f_search("OTHER.DAT") == "DKA200:[T.DCL]OTHER.DAT;1"         # new spec restarts
    assert f_search("OTHER.DAT") == ""
    assert f_search("NOSUCH.TXT") == ""
    # separate streams keep separate contexts
    assert f_search("*.TXT", 1) == "DKA200:[T.DCL]A-B.TXT;1"
    assert f_search("*.DAT", 2) == "DKA200:[T.DCL]OTHER.DAT;1"
    assert f_search("*.TXT", 1) == "DKA200:[T.DCL]NOTES.TXT;2"
    assert f_search("*.DAT", 2) == ""
    assert f_search("*.TXT", 1) == ""
    # a missing directory or device is "", syntax errors propagate
    assert f_search("[NOSUCH]*.*") == ""
    assert f_search("NOWHERE:*.*") == ""
    with pytest.raises(cond.VMSError) as e:
        f_search("bad[spec")
    assert e.value.status == cond.RMS_SYN


def test_files_recording_sequence(files):
    """The FILES procedure: NOTES.TXT twice, OTHER.DAT, then F$SEARCH and *.* newest only."""
    pd = ProcessDefault("DKA200:", "[T.DCL]")
    write(files, "NOTES.TXT", "first line\n", pd)
    write(files, "NOTES.TXT", "version 2\n", pd)
    write(files, "OTHER.DAT", "", pd)
    ctx = SearchContexts()
    got = []
    while (f := files.f_search(ctx, "NOTES.TXT;*", process_default=pd)):
        r = parse_spec(f, process_default=pd, syntax_only=True)
        got.append(r.field("NAME") + r.field("TYPE") + r.field("VERSION"))
    assert got == ["NOTES.TXT;2", "NOTES.TXT;1"]
    wild = []
    while (f := files.f_search(ctx, "*.*", process_default=pd)):
        r = parse_spec(f, process_default=pd, syntax_only=True)
        wild.append(r.field("NAME") + r.field("TYPE") + r.field("VERSION"))
    assert wild == ["NOTES.TXT;2", "OTHER.DAT;1"]
    assert files.lookup("NOTES.TXT", process_default=pd).path.read_text() == "version 2\n"
    assert files.lookup("NOTES.TXT;1", process_default=pd).path.read_text() == "first line\n"


def test_search_contexts_generic():
    ctx = SearchContexts()
    started = []

    def start(items):
        def go():
            started.append(items)
            return iter(items)
        return go

    assert ctx.next("A", 0, start(["a1", "a2"])) == "a1"
    assert ctx.next("A", 0, start(["x"])) == "a2"
    assert ctx.next("A", 0, start(["x"])) == ""
    assert ctx.next("A", 0, start(["b1"])) == "b1"
    ctx.reset(0)
    assert ctx.next("A", 0, start(["c1"])) == "c1"
    assert len(started) == 3

    def failing():
        raise cond.VMSError(cond.RMS_DNF)
        yield "never"

    with pytest.raises(cond.VMSError):
        ctx.next("B", 3, failing)
    assert ctx.next("B", 3, start(["ok"])) == "ok"


def test_with_a_system_root(root, process):
    """The system root's devices and the process's logical names, as the shell will use them."""
    files = Files(root.devices(), process.lnm.translate)
    pd = ProcessDefault("SYS$DISK:", "[SYSMGR]")
    assert files.f_parse("X.COM", process_default=pd) == "SYS$SYSROOT:[SYSMGR]X.COM;"
    assert files.f_parse("SYS$STARTUP:X.COM", "", "", "", "NO_CONCEAL",
                         process_default=pd) == "DKA0:[SYS0.][SYS$STARTUP]X.COM;"
    ref = files.create("SYS$MANAGER:SYSTARTUP_VMS.COM", process_default=pd)
    assert ref.spec == "SYS$SYSROOT:[SYSMGR]SYSTARTUP_VMS.COM;1"
    assert ref.path == root.sysdevice / "sys0" / "sysmgr" / "systartup_vms.com"
    assert "SYS$SYSROOT:[SYSMGR]SYSTARTUP_VMS.COM;1" in [
        r.spec for r in files.search("SYS$STARTUP:*.COM", process_default=pd)]
    assert resolve_set_default("SYS$MANAGER", pd, process.lnm.translate) \
        == ProcessDefault("SYS$SYSROOT:", "[SYSMGR]")


def test_ellipsis_alone_searches_below_the_default_directory(tmp_path):
    from vmsenv.files import Files
    from vmsenv.filespec import ProcessDefault

    for d in ("t/a", "other"):
        (tmp_path / d).mkdir(parents=True)
    for f in ("t/x.txt", "t/a/x.txt", "other/x.txt"):
        (tmp_path / f).write_text("x\n")
    found = [r.spec for r in Files({"DKA200": tmp_path}).search(
        "[...]X.TXT", process_default=ProcessDefault("DKA200:", "[T]"))]
    assert found == ["DKA200:[T]X.TXT;1", "DKA200:[T.A]X.TXT;1"]
