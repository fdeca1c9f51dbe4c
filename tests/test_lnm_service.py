"""The logical-name services of one process against a real shared store."""

from __future__ import annotations

import pytest

from vmsenv import condition as cond
from vmsenv.lnm import names as N
from vmsenv.process import Process


def values(entry):
    return [text for text, _ in entry.values]


def test_define_translate_and_supersede(process):
    lnm = process.lnm
    assert lnm.crelnm("VPT_ONE", [("first", 0)]) == cond.SS_NORMAL
    assert values(lnm.trnlnm("VPT_ONE")) == ["first"]
    assert lnm.crelnm("VPT_ONE", [("second", 0)]) == cond.SS_SUPERSEDE
    entry = lnm.trnlnm("vpt_one")
    assert values(entry) == ["second"]
    assert entry.mode == N.SUPERVISOR and entry.table == N.PROCESS_TABLE
    assert lnm.trnlnm("vpt_one", case_blind=False) is None


def test_process_hides_job_and_system_until_deassigned(process):
    lnm = process.lnm
    lnm.crelnm("X", [("sys", 0)], "LNM$SYSTEM")
    lnm.crelnm("X", [("job", 0)], "LNM$JOB")
    lnm.crelnm("X", [("proc", 0)])
    assert values(lnm.trnlnm("X")) == ["proc"]
    lnm.dellnm("X")
    assert values(lnm.trnlnm("X")) == ["job"]
    lnm.dellnm("X", "LNM$JOB")
    assert values(lnm.trnlnm("X")) == ["sys"]
    assert values(lnm.trnlnm("X", "LNM$SYSTEM")) == ["sys"]


def test_outermost_mode_wins_and_mode_filter(process):
    lnm = process.lnm
    lnm.crelnm("M", [("exec", 0)], mode=N.EXECUTIVE)
    lnm.crelnm("M", [("super", 0)], mode=N.SUPERVISOR)
    assert values(lnm.trnlnm("M", "LNM$PROCESS_TABLE")) == ["super"]
    assert values(lnm.trnlnm("M", "LNM$PROCESS_TABLE", N.EXECUTIVE)) == ["exec"]
    # LNM$DCL_LOGICAL is a supervisor-mode name: invisible at executive mode.
    assert lnm.trnlnm("M", "LNM$DCL_LOGICAL", N.EXECUTIVE) is None


def test_deassign_only_at_given_or_outer_modes(process):
    lnm = process.lnm
    lnm.crelnm("E", [("exec", 0)], mode=N.EXECUTIVE)
    with pytest.raises(cond.VMSError) as err:
        lnm.dellnm("E")
    assert err.value.status == cond.SS_NOLOGNAM
    lnm.dellnm("E", mode=N.EXECUTIVE)
    assert lnm.trnlnm("E") is None


def test_executive_mode_without_sysnam_is_supervisor(root):
    proc = Process(root, privileges={"SYSPRV"})
    try:
        proc.lnm.crelnm("E", [("x", 0)], mode=N.EXECUTIVE)
        assert proc.lnm.trnlnm("E").mode == N.SUPERVISOR
    finally:
        proc.logout()


@pytest.mark.parametrize("table", ["LNM$SYSTEM", "LNM$GROUP", "LNM$SYSTEM_TABLE"])
def test_shared_tables_need_privilege(root, table):
    proc = Process(root, privileges=set())
    try:
        with pytest.raises(cond.VMSError) as err:
            proc.lnm.crelnm("P", [("x", 0)], table)
        assert err.value.status == cond.SS_NOPRIV
        assert proc.lnm.trnlnm("P") is None
        proc.lnm.crelnm("P", [("x", 0)], "LNM$JOB")   # the job table needs none
    finally:
        proc.logout()


def test_group_needs_grpnam_only(root):
    proc = Process(root, privileges={"GRPNAM"})
    try:
        proc.lnm.crelnm("G", [("x", 0)], "LNM$GROUP")
        assert proc.lnm.trnlnm("G").table == "LNM$GROUP_000001"
        with pytest.raises(cond.VMSError):
            proc.lnm.crelnm("S", [("x", 0)], "LNM$SYSTEM")
    finally:
        proc.logout()


def test_no_alias(process):
    lnm = process.lnm
    lnm.crelnm("NA", [("outer", 0)], mode=N.SUPERVISOR)
    lnm.crelnm("NA", [("inner", 0)], mode=N.EXECUTIVE, attr=N.NO_ALIAS)
    entry = lnm.trnlnm("NA")
    assert values(entry) == ["inner"]     # the outer duplicate was deleted
    with pytest.raises(cond.VMSError) as err:
        lnm.crelnm("NA", [("again", 0)], mode=N.SUPERVISOR)
    assert err.value.status == cond.SS_DUPLNAM


@pytest.mark.parametrize("bad", ["", "x" * 256])
def test_name_and_value_lengths(process, bad):
    with pytest.raises(cond.VMSError) as err:
        process.lnm.crelnm(bad or "OK", [(bad or "", 0)])
    assert err.value.status == cond.SS_IVLOGNAM


def test_search_list_limits(process):
    process.lnm.crelnm("L", [(str(i), 0) for i in range(128)])
    assert len(process.lnm.trnlnm("L").values) == 128
    with pytest.raises(cond.VMSError) as err:
        process.lnm.crelnm("L", [(str(i), 0) for i in range(129)])
    assert err.value.status == cond.SS_BADPARAM
    assert len(process.lnm.trnlnm("L").values) == 128


def test_user_mode_names_vanish_at_image_rundown(process):
    lnm = process.lnm
    lnm.crelnm("U", [("user", 0)], mode=N.USER)
    lnm.crelnm("U", [("super", 0)])
    assert values(lnm.trnlnm("U")) == ["user"]
    lnm.image_rundown()
    assert values(lnm.trnlnm("U")) == ["super"]


def test_user_tables_and_search_order(process):
    lnm = process.lnm
    lnm.crelnt("VPT_TAB")
    lnm.crelnm("IN", [("in table", 0)], "VPT_TAB")
    assert lnm.trnlnm("IN") is None
    assert lnm.trnlnm("IN", "VPT_TAB").table == "VPT_TAB"
    lnm.crelnm("VPT_SEARCH", [("VPT_TAB", 0), ("LNM$PROCESS_TABLE", 0)],
               N.PROCESS_DIRECTORY)
    assert lnm.tables("VPT_SEARCH") == ["VPT_TAB", "LNM$PROCESS_TABLE"]
    # Redefining LNM$FILE_DEV in the process directory changes the order RMS uses.
    lnm.crelnm("LNM$FILE_DEV", [("VPT_TAB", 0), ("LNM$PROCESS", 0)], N.PROCESS_DIRECTORY)
    assert lnm.translate("IN") == [("in table", 0)]
    lnm.dellnm("VPT_TAB", N.PROCESS_DIRECTORY)
    assert lnm.trnlnm("IN", "VPT_TAB") is None


def test_shared_user_table(process, root):
    process.lnm.crelnt("SITE_TAB", "LNM$SYSTEM_TABLE")
    process.lnm.crelnm("S1", [("v", 0)], "SITE_TAB")
    other = Process(root)
    try:
        assert values(other.lnm.trnlnm("S1", "SITE_TAB")) == ["v"]
    finally:
        other.logout()


def test_system_names_exist_from_init(process):
    lnm = process.lnm
    sysroot = lnm.trnlnm("SYS$SYSROOT")
    assert sysroot.table == N.SYSTEM_TABLE and sysroot.mode == N.EXECUTIVE
    assert sysroot.values == (("DKA0:[SYS0.]", N.CONCEALED | N.TERMINAL), ("SYS$COMMON:", 0))
    assert values(lnm.trnlnm("SYS$STARTUP")) == ["SYS$SYSROOT:[SYS$STARTUP]", "SYS$MANAGER"]
    for name in ("SYS$SYSDEVICE", "SYS$COMMON", "SYS$SPECIFIC", "SYS$SYSTEM", "SYS$MANAGER",
                 "SYS$LIBRARY", "SYS$SHARE", "SYS$HELP", "SYS$MESSAGE", "SYS$UPDATE",
                 "SYS$ERRORLOG"):
        assert lnm.trnlnm(name, "LNM$SYSTEM_TABLE").mode == N.EXECUTIVE, name
    assert lnm.trnlnm("SYS$LOGIN").table == lnm.job_table
    assert lnm.trnlnm("SYS$SCRATCH").mode == N.EXECUTIVE
    for name in ("SYS$DISK", "SYS$OUTPUT", "SYS$INPUT", "SYS$ERROR", "SYS$COMMAND"):
        assert lnm.trnlnm(name).table == N.PROCESS_TABLE, name


def test_two_processes_share_system_names(root):
    a, b = Process(root), Process(root)
    try:
        assert b.lnm.trnlnm("SHARED") is None
        a.lnm.crelnm("SHARED", [("one", 0)], "LNM$SYSTEM")
        assert values(b.lnm.trnlnm("SHARED")) == ["one"]
        a.lnm.dellnm("SHARED", "LNM$SYSTEM")
        assert b.lnm.trnlnm("SHARED") is None
        # job tables are per job
        a.lnm.crelnm("J", [("a", 0)], "LNM$JOB")
        assert b.lnm.trnlnm("J") is None
    finally:
        a.logout()
        b.logout()


def test_logout_removes_job_table(root):
    a = Process(root)
    job = a.lnm.job_table
    a.lnm.crelnm("J", [("a", 0)], "LNM$JOB")
    a.logout()
    b = Process(root)
    try:
        assert b.lnm.table_entry(job) is None
        assert b.lnm.trnlnm("J", job) is None
    finally:
        b.logout()


def test_a_name_like_a_cache_marker_translates(process):
    """A logical name such as T must not meet the table-name cache."""
    assert process.lnm.trnlnm("T") is None
    assert process.lnm.translate("T") is None
    process.lnm.crelnm("T", [("tee", 0)])
    assert process.lnm.translate("T") == [("tee", 0)]
    assert process.lnm.tables("LNM$FILE_DEV")[0] == "LNM$PROCESS_TABLE"
