"""filespec: parsing, printing, $PARSE defaulting and translation, SET DEFAULT, wildcards."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vmsenv import condition as cond
from vmsenv import filespec as fs
from vmsenv.filespec import (
    CONCEALED,
    ELLIPSIS,
    TERMINAL,
    DirSpec,
    FileSpec,
    ProcessDefault,
    expand_spec,
    f_parse,
    match_directory,
    match_name,
    match_version,
    parse,
    parse_directory,
    parse_spec,
    resolve_set_default,
)


def status_of(exc_info) -> int:
    return exc_info.value.status


# ---------------------------------------------------------------- parsing and printing
@pytest.mark.parametrize("text, fields", [
    ("node::dev:[dir.sub]name.type;3", ("NODE::", "DEV:", "[DIR.SUB]", "NAME", ".TYPE", ";3")),
    ("DKA0:[A.B]X.Y", ("", "DKA0:", "[A.B]", "X", ".Y", "")),
    ("<A.B>X.Y", ("", "", "[A.B]", "X", ".Y", "")),
    ("[-]", ("", "", "[-]", "", "", "")),
    ("[-.X]", ("", "", "[-.X]", "", "", "")),
    ("[--.X]", ("", "", "[--.X]", "", "", "")),
    ("[-.-.X]", ("", "", "[--.X]", "", "", "")),
    ("[.sub]", ("", "", "[.SUB]", "", "", "")),
    ("[]x", ("", "", "[]", "X", "", "")),
    ("[000000]x.y", ("", "", "[000000]", "X", ".Y", "")),
    ("DKA200:[T.LNM.]", ("", "DKA200:", "[T.LNM.]", "", "", "")),
    ("DKA200:[T.LNM.][SUB]X.Y", ("", "DKA200:", "[T.LNM.][SUB]", "X", ".Y", "")),
    ("a.b.c.d", ("", "", "", "A^.B^.C", ".D", "")),
    ("x.y;", ("", "", "", "X", ".Y", ";")),
    ("x.y;0", ("", "", "", "X", ".Y", ";0")),
    ("x.y;-1", ("", "", "", "X", ".Y", ";-1")),
    ("x.y;03", ("", "", "", "X", ".Y", ";3")),
    ("x.y.3", ("", "", "", "X", ".Y", ";3")),
    ("x.y.", ("", "", "", "X", ".Y", ";")),
    ("a.b.c.3", ("", "", "", "A^.B", ".C", ";3")),
    ("x.", ("", "", "", "X", ".", "")),
    (".dat", ("", "", "", "", ".DAT", "")),
    ("*.*;*", ("", "", "", "*", ".*", ";*")),
    ("[a...]%x*.t%%", ("", "", "[A...]", "%X*", ".T%%", "")),
    ("[...]x", ("", "", "[...]", "X", "", "")),
    ("[A...B.*]x", ("", "", "[A...B.*]", "X", "", "")),
    ("_dka0:[a]b", ("", "_DKA0:", "[A]", "B", "", "")),
    ("$2$DUA0:[SYS0.SYSCOMMON.]", ("", "$2$DUA0:", "[SYS0.SYSCOMMON.]", "", "", "")),
    ("a::b::c:x", ("A::B::", "C:", "", "X", "", "")),
    ('node"user pw"::dka0:x', ('NODE"user pw"::', "DKA0:", "", "X", "", "")),
    ('node::"task=Mixed"', ("NODE::", "", "", '"task=Mixed"', "", "")),
    ("a^_b^2fc^u00e9.t^;x", ("", "", "", "A^_B^2FC^U00E9", ".T^;X", "")),
    ("  x.y  ", ("", "", "", "X", ".Y", "")),
    ("", ("", "", "", "", "", "")),
    ("TCPIP$POP", ("", "", "", "TCPIP$POP", "", "")),
])
def test_parse_fields(text, fields):
    spec = parse(text)
    assert (spec.node, spec.device, spec.directory, spec.name, spec.type, spec.version) == fields
    assert parse(str(spec)) == spec


def test_ods5_dots_print_escaped():
    spec = parse("a.b.c.d")
    assert str(spec) == "A^.B^.C.D"
    assert parse("A^.B^.C.D") == spec


@pytest.mark.parametrize("text", [
    "bad[spec", "x y", "[a", "[a]]", "[a>", "[a..b]", "[.]", "[-.]", "[....a]", "[a.......b]",
    "[a.*.]", "[a...b.]", "[.a.]", "[a.][.b]", "[a.][b.]", "x.y;z", "x.y;1;2", "dka0:x:", "x[a]",
    "^", "a^", "a^g", "a^u12", "x::y::\"open", "[a][b]", "[-a.-]", "[.-]", "<a]", "x/y", "x\"y",
    "a," + "b",
])
def test_syntax_errors(text):
    with pytest.raises(cond.VMSError) as e:
        parse(text)
    assert status_of(e) == cond.RMS_SYN


def test_version_out_of_range():
    assert parse("x.y;32767").version == ";32767"
    assert parse("x.y;-32767").version == ";-32767"
    with pytest.raises(cond.VMSError) as e:
        parse("x.y;32768")
    assert status_of(e) == cond.RMS_VER


def test_filespec_helpers():
    spec = parse("NODE::DKA0:[A.B]X.Y;3")
    assert spec.dirspec == DirSpec(parts=("A", "B"))
    assert spec.version_number == 3
    assert not spec.wild
    assert parse("[A...]X").wild and parse("X.*").wild and parse("X.Y;*").wild
    assert parse("X.Y;*").version_number is None
    assert parse("X").is_bare_name and not parse("X.").is_bare_name
    assert parse("X").expanded == "X.;"
    assert fs.to_text(spec) == "NODE::DKA0:[A.B]X.Y;3"


def test_directory_structure():
    assert parse_directory("[T.LNM.][SUB]") == DirSpec(parts=("SUB",), root=("T", "LNM"))
    assert parse_directory("[T.LNM.]") == DirSpec(parts=None, root=("T", "LNM"))
    assert parse_directory("[--.A]") == DirSpec(parts=("A",), relative=True, up=2)
    assert parse_directory("[]") == DirSpec(parts=(), relative=True)
    assert parse_directory("[A...B]").parts == ("A", ELLIPSIS, "B")
    assert parse_directory("[000000.A]").components == ("A",)
    assert parse_directory("[000000]").components == ()
    assert parse_directory("[-.X]").resolve(("T", "LNM")).text == "[T.X]"
    assert parse_directory("[-]").resolve(("T",)).text == "[000000]"
    assert parse_directory("[]").resolve(("T",)).text == "[T]"
    with pytest.raises(cond.VMSError) as e:
        parse_directory("[-]").resolve(())
    assert status_of(e) == cond.RMS_DIR
    assert DirSpec(parts=("A", ELLIPSIS)).text == "[A...]"
    assert DirSpec(parts=(ELLIPSIS, "B")).text == "[...B]"


# ---------------------------------------------------------------- hypothesis round trips
_word = st.from_regex(r"[A-Z0-9$_][A-Z0-9$_\-]{0,7}", fullmatch=True)
_wild_word = st.from_regex(r"[A-Z0-9$_*%][A-Z0-9$_\-*%]{0,5}", fullmatch=True)
_escape = st.sampled_from(["^.", "^_", "^2F", "^UABCD", "^;", "^[", "^^", "^!"])


@st.composite
def _name(draw, allow_empty=True):
    parts = draw(st.lists(st.one_of(_wild_word, _escape), min_size=0 if allow_empty else 1,
                          max_size=4))
    return "".join(parts)


@st.composite
def _directory(draw):
    kind = draw(st.sampled_from(["abs", "rel", "up", "cur", "mfd", "root", "rootdir", "none"]))
    comps = draw(st.lists(st.one_of(_word, _wild_word), min_size=1, max_size=4))
    if kind == "none":
        return None
    if kind == "abs":
        parts = list(comps)
        if draw(st.booleans()):
            parts.insert(draw(st.integers(0, len(parts))), ELLIPSIS)
        return DirSpec(parts=tuple(parts))
    if kind == "rel":
        parts = list(comps)
        if draw(st.booleans()):
            parts.append(ELLIPSIS)
        return DirSpec(parts=tuple(parts), relative=True)
    if kind == "up":
        n = draw(st.integers(1, 3))
        return DirSpec(parts=tuple(draw(st.lists(_word, max_size=2))), relative=True, up=n)
    if kind == "cur":
        return DirSpec(parts=(), relative=True)
    if kind == "mfd":
        return DirSpec(parts=("000000",))
    root = tuple(draw(st.lists(_word, min_size=1, max_size=3)))
    if kind == "root":
        return DirSpec(parts=None, root=root)
    return DirSpec(parts=tuple(comps), root=root)


@st.composite
def _spec(draw) -> FileSpec:
    node = draw(st.sampled_from(["", "NODE::", "A1::B2::"]))
    device = draw(st.one_of(st.just(""), st.from_regex(r"_?[A-Z$][A-Z0-9$_]{0,8}:", fullmatch=True)))
    d = draw(_directory())
    name = draw(_name())
    typ = draw(st.one_of(st.just(""), _name().map(lambda n: "." + n)))
    version = draw(st.one_of(st.sampled_from(["", ";", ";*", ";0"]),
                             st.integers(-32767, 32767).map(lambda v: f";{v}")))
    return FileSpec(node, device, d.text if d is not None else "", name, typ, version)


@settings(max_examples=200, deadline=None)
@given(_spec())
def test_roundtrip_parse_of_print(spec):
    assert parse(str(spec)) == spec


@settings(max_examples=200, deadline=None)
@given(_spec())
def test_roundtrip_print_of_parse(spec):
    text = str(spec)
    assert str(parse(text)) == text
    assert str(parse(text.lower())) == str(parse(text)) or "^" in text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab.;:[]<>-^*%_$01 \"", max_size=16))
def test_parse_never_crashes(text):
    try:
        spec = parse(text)
    except cond.VMSError as exc:
        assert exc.status in (cond.RMS_SYN, cond.RMS_VER)
    else:
        assert parse(str(spec)) == spec


# ---------------------------------------------------------------- $PARSE on a model system
DEFAULT = ProcessDefault("DKA200:", "[T.LNM]")
EXISTING = {(), ("T",), ("T", "LNM"), ("T", "LNM", "SUB"), ("T", "DCL")}


def dir_exists(device, dirs):
    if device != "DKA200":
        raise cond.VMSError(cond.RMS_DEV)
    return tuple(dirs) in EXISTING


VPT = {
    "VPT_ROOT": [("DKA200:[T.LNM.]", CONCEALED)],
    "VPT_ROOT2": [("DKA200:[T.LNM.]", 0)],
    "VPT_DEV": [("VPT_ROOT:", 0)],
    "VPT_SUBDIR": [("VPT_ROOT:[SUB]", 0)],
    "VPT_FILE": [("VPT_ROOT:[SUB]Z.DAT", 0)],
    "VPT_PLAIN": [("DKA200:[T.LNM.SUB]", 0)],
    "VPT_CDEV": [("DKA200:", CONCEALED)],
}


def fparse(*args, names=VPT, pd=DEFAULT):
    return f_parse(*args, process_default=pd, translator=names.get, dir_exists=dir_exists)


@pytest.mark.parametrize("args, expected", [
    (("VPT_ROOT:[SUB]X.Y",), "VPT_ROOT:[SUB]X.Y;"),
    (("VPT_ROOT:[SUB]X.Y", "", "", "", "NO_CONCEAL"), "DKA200:[T.LNM.][SUB]X.Y;"),
    (("VPT_ROOT:[SUB]X.Y", "", "", "DEVICE"), "VPT_ROOT:"),
    (("VPT_ROOT:[SUB]X.Y", "", "", "DIRECTORY"), "[SUB]"),
    (("VPT_ROOT:[000000]X.Y",), "VPT_ROOT:[000000]X.Y;"),
    (("VPT_ROOT:X.Y",), ""),
    (("VPT_ROOT:[SUB.NOSUCH]X.Y",), ""),
    (("VPT_ROOT:[SUB.NOSUCH]X.Y", "", "", "", "SYNTAX_ONLY"), "VPT_ROOT:[SUB.NOSUCH]X.Y;"),
    (("VPT_ROOT2:[SUB]X.Y",), "DKA200:[T.LNM.][SUB]X.Y;"),
    (("VPT_ROOT2:[SUB]X.Y", "", "", "", "NO_CONCEAL"), "DKA200:[T.LNM.][SUB]X.Y;"),
    (("VPT_DEV:[SUB]X.Y",), "VPT_ROOT:[SUB]X.Y;"),
    (("VPT_SUBDIR:X.Y",), "VPT_ROOT:[SUB]X.Y;"),
    (("VPT_SUBDIR:X.Y", "", "", "", "NO_CONCEAL"), "DKA200:[T.LNM.][SUB]X.Y;"),
    (("VPT_FILE",), "VPT_ROOT:[SUB]Z.DAT;"),
    (("VPT_FILE", "", "", "", "NO_CONCEAL"), "DKA200:[T.LNM.][SUB]Z.DAT;"),
    (("VPT_PLAIN:X.Y",), "DKA200:[T.LNM.SUB]X.Y;"),
    (("VPT_CDEV:[T.LNM.SUB]X.Y",), "VPT_CDEV:[T.LNM.SUB]X.Y;"),
    (("X.Y;3", "", "", "NAME"), "X"),
    (("X.Y;3", "", "", "TYPE"), ".Y"),
    (("X.Y;3", "", "", "VERSION"), ";3"),
    (("NODE::DKA0:[A.B]X.Y;3", "", "", "NODE"), "NODE::"),
    (("[A.B]X", "", "", "DIRECTORY"), "[A.B]"),
    (("bad[spec",), ""),
    (("bad[spec", "", "", "NAME"), ""),
    (("X", "", "", "TYPE"), "."),
    (("X", "", "", "VERSION"), ";"),
])
def test_f_parse_observed(args, expected):
    assert fparse(*args) == expected


def test_f_parse_process_default_on_concealed_root():
    assert fparse("X.Y", pd=ProcessDefault("VPT_ROOT:", "[SUB]")) == "VPT_ROOT:[SUB]X.Y;"


def test_relative_directory_uses_process_default_not_default_spec():
    pd = ProcessDefault("DKA200:", "[T]")
    assert fparse("[.X]Y", "[A.B]", "", "DIRECTORY", "SYNTAX_ONLY", pd=pd) == "[T.X]"
    assert fparse("Y", "[.X]", "", "", "SYNTAX_ONLY", pd=pd) == "DKA200:[T.X]Y.;"
    assert fparse("[-]Y", "", "", "DIRECTORY", pd=pd) == "[000000]"


def test_f_parse_help_examples():
    pd = ProcessDefault("DISK2:", "[FIRST]")
    assert fparse("JAMES.MAR", "[ROOT]", "", "", "SYNTAX_ONLY", pd=pd) == "DISK2:[ROOT]JAMES.MAR;"
    assert fparse("JAMES.MAR", "[ROOT]", pd=pd) == ""          # no DISK2 here
    pd = ProcessDefault("DB1:", "[VARGO]")
    assert fparse("INFO.COM", "", "", "DIRECTORY", pd=pd) == "[VARGO]"
    assert fparse("DENVER::DB1:[PROD]RUN.DAT", "", "", "TYPE") == ".DAT"


def test_defaulting_order_and_choices():
    pd = ProcessDefault("DKA200:", "[T]")
    # default spec before related spec before process default
    assert fparse("X", "DKA200:[T.DCL].D", "DKA200:[T.LNM]R.R;5", "", "SYNTAX_ONLY", pd=pd) \
        == "DKA200:[T.DCL]X.D;"
    assert fparse("", "", "DKA200:[T.LNM]R.R;5", "", "SYNTAX_ONLY", pd=pd) == "DKA200:[T.LNM]R.R;"
    assert fparse("X", ".D;4", "", "", "SYNTAX_ONLY", pd=pd) == "DKA200:[T]X.D;4"
    assert fparse("X;", ".D;4", "", "VERSION", pd=pd) == ";4"
    assert fparse("X.", ".D", "", "", "SYNTAX_ONLY", pd=pd) == "DKA200:[T]X.;"
    # a node turns the process default off
    assert fparse("NODE::X", "", "", "", "SYNTAX_ONLY", pd=pd) == "NODE::X.;"
    assert fparse("X", "NODE::.D", "", "", "SYNTAX_ONLY", pd=pd) == "NODE::X.D;"
    # wildcards are kept and a wildcard directory is not checked
    assert fparse("*.*;*", pd=pd) == "DKA200:[T]*.*;*"
    assert fparse("[T...]*.TXT", pd=pd) == "DKA200:[T...]*.TXT;"
    assert fparse("DKA300:[T...]*.TXT", pd=pd) == ""


def test_f_parse_bad_keywords():
    with pytest.raises(ValueError):
        fparse("X", "", "", "NAM")
    with pytest.raises(ValueError):
        fparse("X", "", "", "", "SYNTAX")


def test_logicals_recording_behaviour():
    # VPT_DEV concealed rooted at a directory without [SUB]: every parse is ""
    names = {"VPT_DEV": [("DKA200:[T.DCL.]", CONCEALED)],
             "VPT_FILE": [("VPT_DEV:[SUB]NAME.TXT", 0)]}
    pd = ProcessDefault("DKA200:", "[T.DCL]")
    assert fparse("VPT_DEV:[SUB]X.Y", names=names, pd=pd) == ""
    assert fparse("VPT_FILE", names=names, pd=pd) == ""
    assert fparse(".DAT", "VPT_FILE", names=names, pd=pd) == ""
    assert fparse(".DAT", "VPT_FILE", "", "", "SYNTAX_ONLY", names=names, pd=pd) \
        == "VPT_DEV:[SUB]NAME.DAT;"
    assert fparse("VPT_DEV:[000000]VIALOG.TXT", names=names, pd=pd) \
        == "VPT_DEV:[000000]VIALOG.TXT;"


def sysroot_names():
    return {
        "SYS$SYSROOT": [("$2$DUA0:[SYS0.]", CONCEALED | TERMINAL), ("SYS$COMMON:", 0)],
        "SYS$COMMON": [("$2$DUA0:[SYS0.SYSCOMMON.]", CONCEALED | TERMINAL)],
        "SYS$MANAGER": [("SYS$SYSROOT:[SYSMGR]", 0)],
        "SYS$STARTUP": [("SYS$SYSROOT:[SYS$STARTUP]", 0), ("SYS$MANAGER", 0)],
        "SYS$SYSDEVICE": [("$2$DUA0:", CONCEALED | TERMINAL)],
    }


def test_system_root_names():
    names = sysroot_names()
    pd = ProcessDefault("SYS$SYSROOT:", "[SYSMGR]")

    def exists(device, dirs):
        assert device == "$2$DUA0"
        return tuple(dirs) in {("SYS0", "SYSMGR"), ("SYS0", "SYSCOMMON", "SYSMGR")}

    def run(*args):
        return f_parse(*args, process_default=pd, translator=names.get, dir_exists=exists)

    assert run("SYS$MANAGER:STARTUP.COM") == "SYS$SYSROOT:[SYSMGR]STARTUP.COM;"
    assert run("STARTUP.COM") == "SYS$SYSROOT:[SYSMGR]STARTUP.COM;"
    assert run("SYS$MANAGER:STARTUP.COM", "", "", "", "NO_CONCEAL") \
        == "$2$DUA0:[SYS0.][SYSMGR]STARTUP.COM;"
    assert run("SYS$SYSDEVICE:[SYS0.SYSMGR]X.Y") == "SYS$SYSDEVICE:[SYS0.SYSMGR]X.Y;"
    # every search-list alternative, depth first; the second SYS$SYSROOT element is the
    # (not concealed) name SYS$COMMON, itself concealed: DIRECTORY shows SYS$COMMON:[SYSMGR]
    alts = list(expand_spec("SYS$STARTUP:X.COM", process_default=pd, translator=names.get))
    assert [a.text for a in alts] == ["SYS$SYSROOT:[SYS$STARTUP]X.COM;",
                                      "SYS$COMMON:[SYS$STARTUP]X.COM;",
                                      "SYS$SYSROOT:[SYSMGR]X.COM;",
                                      "SYS$COMMON:[SYSMGR]X.COM;"]
    assert [a.dirs for a in alts] == [("SYS0", "SYS$STARTUP"),
                                      ("SYS0", "SYSCOMMON", "SYS$STARTUP"),
                                      ("SYS0", "SYSMGR"), ("SYS0", "SYSCOMMON", "SYSMGR")]
    assert {a.device for a in alts} == {"$2$DUA0"}


# ---------------------------------------------------------------- the seed's certificate files
CERT_DEFAULT = "SSL$CERTS:SERVER.CRT"


def seed_column(result, given):
    """The manual's "File Specification" column: device, directory if written, name, type."""
    s = result.spec
    return s.device + (s.directory if "[" in given else "") + s.name + s.type


@pytest.mark.parametrize("value, seed", [
    ("TCPIP$POP", "SSL$CERTS:TCPIP$POP.CRT"),
    ("SYS$LOGIN:SSL", "SYS$LOGIN:SSL.CRT"),
    ("CLUSTERDEV:[CERTS]", "CLUSTERDEV:[CERTS]SERVER.CRT"),
])
def test_seed_cert_file_syntax_only(value, seed):
    expected = {
        "TCPIP$POP": "SSL$CERTS:[T.LNM]TCPIP$POP.CRT;",
        "SYS$LOGIN:SSL": "SYS$LOGIN:[T.LNM]SSL.CRT;",
        "CLUSTERDEV:[CERTS]": "CLUSTERDEV:[CERTS]SERVER.CRT;",
    }[value]
    assert fparse(value, CERT_DEFAULT, "", "", "SYNTAX_ONLY", names={}) == expected
    result = parse_spec(value, CERT_DEFAULT, process_default=DEFAULT, syntax_only=True)
    assert seed_column(result, value) == seed
    assert "".join(fparse(value, CERT_DEFAULT, "", f, names={}) for f in ("DEVICE", "NAME", "TYPE")) \
        == seed.replace("[CERTS]", "")


@pytest.mark.parametrize("value, seed, expected", [
    ("TCPIP$POP", "SSL$CERTS:TCPIP$POP.CRT", "SSL$CERTS:[000000]TCPIP$POP.CRT;"),
    ("SYS$LOGIN:SSL", "SYS$LOGIN:SSL.CRT", "SYS$LOGIN:[USERS.SMITH]SSL.CRT;"),
    ("CLUSTERDEV:[CERTS]", "CLUSTERDEV:[CERTS]SERVER.CRT", "CLUSTERDEV:[CERTS]SERVER.CRT;"),
])
def test_seed_cert_file_concealed(value, seed, expected):
    names = {
        "SSL$CERTS": [("DKA200:[SSL.CERTS.]", CONCEALED)],
        "SYS$LOGIN": [("DKA200:[USERS.SMITH]", CONCEALED)],
        "CLUSTERDEV": [("DKA200:", CONCEALED)],
    }
    pd = ProcessDefault("DKA200:", "[000000]")
    existing = {(), ("SSL", "CERTS"), ("USERS", "SMITH"), ("CERTS",)}

    def exists(device, dirs):
        return device == "DKA200" and tuple(dirs) in existing

    text = f_parse(value, CERT_DEFAULT, process_default=pd, translator=names.get,
                   dir_exists=exists)
    assert text == expected
    result = parse_spec(value, CERT_DEFAULT, process_default=pd, translator=names.get,
                        dir_exists=exists)
    assert seed_column(result, value) == seed


def test_seed_cert_file_realistic_ssl_root():
    names = {"SSL$ROOT": [("DKA200:[SSL.]", CONCEALED | TERMINAL)],
             "SSL$CERTS": [("SSL$ROOT:[CERTS]", 0)]}

    def exists(device, dirs):
        return tuple(dirs) in {("SSL", "CERTS")}

    assert f_parse("TCPIP$POP", CERT_DEFAULT, process_default=DEFAULT, translator=names.get,
                   dir_exists=exists) == "SSL$ROOT:[CERTS]TCPIP$POP.CRT;"
    assert f_parse("", CERT_DEFAULT, process_default=DEFAULT, translator=names.get,
                   dir_exists=exists) == "SSL$ROOT:[CERTS]SERVER.CRT;"


# ---------------------------------------------------------------- translation rules
def test_only_leftmost_component_translates():
    names = {"PUP": [("DKA200:[T]PUPPY.DAT", 0)], "T": [("DKA300:", 0)]}
    pd = ProcessDefault("DKA200:", "[T]")
    run = lambda *a: f_parse(*a, process_default=pd, translator=names.get)  # noqa: E731
    assert run("PUP", "", "", "", "SYNTAX_ONLY") == "DKA200:[T]PUPPY.DAT;"
    assert run("PUP:", "", "", "", "SYNTAX_ONLY") == "DKA200:[T]PUPPY.DAT;"
    assert run("PUP.DAT", "", "", "", "SYNTAX_ONLY") == "DKA200:[T]PUP.DAT;"
    assert run("[T]PUP", "", "", "", "SYNTAX_ONLY") == "DKA200:[T]PUP.;"
    assert run("_PUP:X", "", "", "", "SYNTAX_ONLY") == "_PUP:[T]X.;"
    assert run("PUP::X", "", "", "", "SYNTAX_ONLY") == "PUP::X.;"


def test_spec_fields_override_translation():
    names = {"F": [("DKA200:[A]NAME.TXT;7", 0)]}
    pd = ProcessDefault("DKA200:", "[T]")
    run = lambda *a: f_parse(*a, process_default=pd, translator=names.get)  # noqa: E731
    assert run("F:[B].DAT", "", "", "", "SYNTAX_ONLY") == "DKA200:[B]NAME.DAT;7"
    assert run("F:X", "", "", "", "SYNTAX_ONLY") == "DKA200:[A]X.TXT;7"


def test_concealed_name_with_plain_directory_shows_the_directory():
    names = {"CDIR": [("DKA200:[T.LNM]", CONCEALED)]}
    assert fparse("CDIR:X.Y", names=names) == "CDIR:[T.LNM]X.Y;"
    assert fparse("CDIR:[T.DCL]X.Y", names=names) == "CDIR:[T.DCL]X.Y;"
    assert fparse("CDIR:X.Y", "", "", "", "NO_CONCEAL", names=names) == "DKA200:[T.LNM]X.Y;"


def test_device_equivalence_without_colon():
    names = {"DISK": [("DKA200", 0)]}
    assert f_parse("DISK:[T]X", process_default=DEFAULT, translator=names.get,
                   dir_exists=dir_exists) == "DKA200:[T]X.;"


def test_terminal_stops_translation():
    names = {"A": [("B:", TERMINAL)], "B": [("DKA200:", 0)]}
    r = parse_spec("A:[T]X", process_default=DEFAULT, translator=names.get, syntax_only=True)
    assert r.text == "B:[T]X.;" and r.device == "B"
    with pytest.raises(cond.VMSError) as e:
        parse_spec("A:[T]X", process_default=DEFAULT, translator=names.get, dir_exists=dir_exists)
    assert status_of(e) == cond.RMS_DEV


def chain(n):
    names = {f"L{i}": [(f"L{i + 1}:", 0)] for i in range(n)}
    names[f"L{n}"] = [("DKA200:[T]", 0)]
    return names


def test_ten_levels_translate_eleven_do_not():
    r = parse_spec("L1:X", process_default=DEFAULT, translator=chain(10).get, syntax_only=True)
    assert r.text == "DKA200:[T]X.;"
    with pytest.raises(cond.VMSError) as e:
        parse_spec("L0:X", process_default=DEFAULT, translator=chain(10).get, syntax_only=True)
    assert status_of(e) == cond.SS_TOOMANYLNAM
    assert fparse("L0:X", "", "", "NAME", names=chain(10)) == ""


@pytest.mark.timeout(10)
def test_loops_end():
    loops = {"A": [("B:", 0)], "B": [("A:", 0)], "SELF": [("SELF", 0)],
             "WIDE": [("WIDE:", 0)] * 128, "MIX": [("DKA200:[T]", 0), ("MIX:", 0)]}
    for spec in ("A:X", "SELF", "WIDE:X"):
        with pytest.raises(cond.VMSError) as e:
            parse_spec(spec, process_default=DEFAULT, translator=loops.get, syntax_only=True)
        assert status_of(e) == cond.SS_TOOMANYLNAM
        with pytest.raises(cond.VMSError):
            list(expand_spec(spec, process_default=DEFAULT, translator=loops.get))
    alts = expand_spec("MIX:X", process_default=DEFAULT, translator=loops.get)
    assert next(alts).text == "DKA200:[T]X.;"
    with pytest.raises(cond.VMSError) as e:
        list(alts)
    assert status_of(e) == cond.SS_TOOMANYLNAM


def test_search_list_first_for_parse_all_for_expand():
    names = {"VPT_SL": [("VPT_NOWHERE:", 0), ("DKA200:[T.DCL]", 0)]}
    assert fparse("VPT_SL:VIALOG.TXT", names=names) == ""           # first element: no device
    assert fparse("VPT_SL:VIALOG.TXT", "", "", "", "SYNTAX_ONLY", names=names) \
        == "VPT_NOWHERE:[T.LNM]VIALOG.TXT;"
    alts = list(expand_spec("VPT_SL:VIALOG.TXT", process_default=DEFAULT, translator=names.get))
    assert [a.text for a in alts] == ["VPT_NOWHERE:[T.LNM]VIALOG.TXT;", "DKA200:[T.DCL]VIALOG.TXT;"]


def test_nested_roots_and_bad_equivalence():
    names = {"SUBROOT": [("VPT_ROOT:[A.]", 0)], **VPT, "BAD": [("not a[spec", 0)]}
    r = parse_spec("SUBROOT:[B]X", process_default=DEFAULT, translator=names.get,
                   syntax_only=True)
    assert r.text == "VPT_ROOT:[A.][B]X.;" and r.dirs == ("T", "LNM", "A", "B")
    with pytest.raises(cond.VMSError) as e:
        parse_spec("BAD:X", process_default=DEFAULT, translator=names.get, syntax_only=True)
    assert status_of(e) == cond.RMS_LNE


def test_parse_result_physical_side():
    r = parse_spec("VPT_ROOT:[SUB]X.Y;2", process_default=DEFAULT, translator=VPT.get,
                   dir_exists=dir_exists)
    assert (r.device, r.root, r.path, r.dirs) == ("DKA200", ("T", "LNM"), ("SUB",),
                                                  ("T", "LNM", "SUB"))
    assert r.with_match(("SUB",), "X", ".Y", 2) == "VPT_ROOT:[SUB]X.Y;2"
    w = parse_spec("VPT_ROOT2:[SUB...]*.*", process_default=DEFAULT, translator=VPT.get,
                   dir_exists=dir_exists)
    assert w.wild and w.dir_wild and w.path == ("SUB", ELLIPSIS)
    assert w.with_match(("SUB", "A"), "X", ".Y", 1) == "DKA200:[T.LNM.][SUB.A]X.Y;1"
    with pytest.raises(TypeError):
        parse_spec("X", process_default=DEFAULT)
    with pytest.raises(ValueError):
        parse_spec("X", process_default=ProcessDefault("DKA200:", "[.A]"), syntax_only=True)


# ---------------------------------------------------------------- SET DEFAULT
@pytest.mark.parametrize("arg, current, expected", [
    ("VPT_ROOT:[SUB]", DEFAULT, ("VPT_ROOT:", "[SUB]")),
    ("[-]", DEFAULT, ("DKA200:", "[T]")),
    ("[-]", ProcessDefault("DKA200:", "[T]"), ("DKA200:", "[000000]")),
    ("[.X]", DEFAULT, ("DKA200:", "[T.LNM.X]")),
    ("[-.X]", DEFAULT, ("DKA200:", "[T.X]")),
    ("[]", DEFAULT, ("DKA200:", "[T.LNM]")),
    ("DKA200:[T.LNM]", ProcessDefault("VPT_ROOT:", "[SUB]"), ("DKA200:", "[T.LNM]")),
    ("VPT_ROOT:", DEFAULT, ("VPT_ROOT:", "[T.LNM]")),
    ("VPT_ROOT", ProcessDefault("DKA200:", "[JDOE]"), ("VPT_ROOT:", "[JDOE]")),
    ("[.X]", ProcessDefault("VPT_ROOT:", "[SUB]"), ("VPT_ROOT:", "[SUB.X]")),
    ("VPT_SUBDIR", DEFAULT, ("VPT_ROOT:", "[SUB]")),
    ("VPT_DEV:[000000]", DEFAULT, ("VPT_ROOT:", "[000000]")),
    ("VPT_PLAIN:", DEFAULT, ("DKA200:", "[T.LNM.SUB]")),
    ("VPT_ROOT2:[SUB]", DEFAULT, ("DKA200:", "[T.LNM.][SUB]")),
    ("[.X]", ProcessDefault("DKA200:", "[T.LNM.][SUB]"), ("DKA200:", "[T.LNM.][SUB.X]")),
    ("vpt_root:[sub]", DEFAULT, ("VPT_ROOT:", "[SUB]")),
])
def test_set_default(arg, current, expected):
    new = resolve_set_default(arg, current, VPT.get)
    assert (new.device, new.directory) == expected
    assert new.text == "".join(expected)


def test_set_default_errors_and_show_default_text():
    for arg, status in (("[-.-.-]", cond.RMS_DIR), ("[*]", cond.RMS_WLD), ("X.Y", cond.RMS_SYN),
                        ("VPT_FILE", cond.RMS_SYN), ("NODE::[A]", cond.RMS_SYN),
                        ("[A]X", cond.RMS_SYN), ("bad[", cond.RMS_SYN)):
        with pytest.raises(cond.VMSError) as e:
            resolve_set_default(arg, DEFAULT, VPT.get)
        assert status_of(e) == status, arg
    new = resolve_set_default("VPT_ROOT:[SUB]", DEFAULT, VPT.get)
    assert "  " + new.text == "  VPT_ROOT:[SUB]"
    # the new default is checked with $PARSE, as DCL does for INVDEF
    bad = resolve_set_default("VPT_ROOT:[NOSUCH]", DEFAULT, VPT.get)
    with pytest.raises(cond.VMSError) as e:
        parse_spec(bad.text, process_default=bad, translator=VPT.get, dir_exists=dir_exists)
    assert status_of(e) == cond.RMS_DNF


# ---------------------------------------------------------------- wildcards
@pytest.mark.parametrize("pattern, text, ok", [
    ("*", "ANYTHING", True), ("*", "", True), ("%", "A", True), ("%", "AB", False),
    ("A*B", "AXXB", True), ("A*B", "AXXC", False), ("a*", "ABC", True), ("NOTES", "notes", True),
    ("X%Z", "X^.Z", True), ("A^.B", "A^.B", True), ("A^.B", "A^2EB", True), ("A^.*", "A^.XYZ", True),
    (".T*", ".TXT", True), (".T*", ".DAT", False), (".", ".", True), ("", "", True), ("", "X", False),
    ("%%%", "ABCD", False), ("*.*", "A.B", True),
])
def test_match_name(pattern, text, ok):
    assert match_name(pattern, text) is ok


@pytest.mark.parametrize("pattern, dirs, ok", [
    (("A", "B"), ("A", "B"), True), (("A", "*"), ("A", "B"), True), (("A", "*"), ("A",), False),
    (("A", ELLIPSIS), ("A",), True), (("A", ELLIPSIS), ("A", "B", "C"), True),
    ((ELLIPSIS,), (), True), ((ELLIPSIS, "C"), ("A", "B", "C"), True),
    ((ELLIPSIS, "C"), ("A", "B", "D"), False), (("A", ELLIPSIS, "C"), ("A", "C"), True),
    (("A", ELLIPSIS, "C"), ("B", "C"), False), (("%",), ("AB",), False),
    (("A*", ELLIPSIS, "B%"), ("AX", "Q", "R", "BZ"), True),
])
def test_match_directory(pattern, dirs, ok):
    assert match_directory(pattern, dirs) is ok


def test_match_version():
    versions = [5, 3, 1]
    assert [v for v in versions if match_version("", v, versions)] == [5]
    assert [v for v in versions if match_version(";", v, versions)] == [5]
    assert [v for v in versions if match_version(";0", v, versions)] == [5]
    assert [v for v in versions if match_version(";-1", v, versions)] == [3]
    assert [v for v in versions if match_version(";-3", v, versions)] == []
    assert [v for v in versions if match_version(";*", v, versions)] == [5, 3, 1]
    assert [v for v in versions if match_version(";3", v, versions)] == [3]


def test_escape_and_unescape():
    assert fs.escape("a.b c/d") == "A^.B^_C^2FD"
    assert fs.unescape("A^.B^_C^2FD") == "A.B C/D"
    assert fs.unescape(fs.escape("x\u00e9\u4e2d;[]")).lower() == "x\u00e9\u4e2d;[]"
    assert parse(fs.escape("mixed.Case name")).name == "MIXED^.CASE^_NAME"
