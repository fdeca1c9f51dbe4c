"""DEFINE, ASSIGN, DEASSIGN, CREATE/NAME_TABLE, SHOW LOGICAL, SHOW TRANSLATION and F$TRNLNM
through the DCL interpreter, with the output formats of a real OpenVMS system."""

from __future__ import annotations

import io

import pytest

from vmsenv.dcl.interpreter import Interpreter
from vmsenv.process import Process


@pytest.fixture
def dcl(process):
    return Interpreter(process, io.StringIO())


def status(dcl) -> str:
    return dcl.lookup_symbol("$STATUS")


def test_define_and_show(dcl, run):
    assert run(dcl, 'DEFINE APP_ONE "first value"', "SHOW LOGICAL APP_ONE",
               "SHOW LOGICAL/FULL APP_ONE") == (
        '   "APP_ONE" = "first value" (LNM$PROCESS_TABLE)\n'
        '   "APP_ONE" [super] = "first value" (LNM$PROCESS_TABLE)\n')
    assert status(dcl) == "%X00030001"


def test_supersede_message_and_nolog(dcl, run):
    run(dcl, "DEFINE APP_ONE x")
    assert run(dcl, 'DEFINE APP_ONE "y"') == (
        "%DCL-I-SUPERSEDE, previous value of APP_ONE has been superseded\n")
    assert status(dcl) == "%X00030001"
    assert run(dcl, "DEFINE/NOLOG APP_ONE z") == ""
    assert run(dcl, "WRITE SYS$OUTPUT F$TRNLNM(\"app_one\")") == "Z\n"


def test_too_many_parameters(dcl, run):
    assert run(dcl, "DEFINE app_up lower value") == (
        "%DCL-W-MAXPARM, too many parameters - reenter command with fewer parameters\n"
        " \\VALUE\\\n")
    assert run(dcl, "SHOW LOGICAL APP_UP") == (
        "%SHOW-S-NOTRAN, no translation for logical name APP_UP\n")
    assert status(dcl) == "%X10788019"


def test_assign_drops_colon(dcl, run):
    run(dcl, 'ASSIGN "assigned" APP_ASG:')
    assert run(dcl, "SHOW LOGICAL APP_ASG") == '   "APP_ASG" = "assigned" (LNM$PROCESS_TABLE)\n'


def test_chain_is_followed(dcl, run):
    run(dcl, 'DEFINE APP_ONE "end"', "DEFINE APP_TWO APP_ONE", "DEFINE APP_THREE APP_TWO:")
    assert run(dcl, "SHOW LOGICAL APP_THREE") == (
        '   "APP_THREE" = "APP_TWO:" (LNM$PROCESS_TABLE)\n'
        '1  "APP_TWO" = "APP_ONE" (LNM$PROCESS_TABLE)\n'
        '2  "APP_ONE" = "end" (LNM$PROCESS_TABLE)\n')


def test_loop_of_names_does_not_hang(dcl, run):
    run(dcl, "DEFINE LOOP_A LOOP_B", "DEFINE LOOP_B LOOP_A")
    lines = run(dcl, "SHOW LOGICAL LOOP_A").splitlines()
    assert lines[0] == '   "LOOP_A" = "LOOP_B" (LNM$PROCESS_TABLE)'
    assert lines[-1].startswith("10  ")
    assert len(lines) == 11


def test_search_list_and_attributes(dcl, run):
    run(dcl, 'DEFINE APP_LIST "alpha","Beta",gamma')
    assert run(dcl, "SHOW LOGICAL/FULL APP_LIST") == (
        '   "APP_LIST" [super] = "alpha" (LNM$PROCESS_TABLE)\n\t= "Beta"\n\t= "GAMMA"\n')
    run(dcl, "DEFINE/TRANSLATION_ATTRIBUTES=TERMINAL APP_TERM APP_LIST")
    assert run(dcl, "SHOW LOGICAL APP_TERM", "SHOW LOGICAL/FULL APP_TERM") == (
        '   "APP_TERM" = "APP_LIST" (LNM$PROCESS_TABLE)\n'
        '   "APP_TERM" [super] = "APP_LIST" [terminal] (LNM$PROCESS_TABLE)\n')
    run(dcl, 'DEFINE APP_MIX "a"/TRANSLATION_ATTRIBUTES=CONCEALED,"b"')
    assert run(dcl, "SHOW LOGICAL/FULL APP_MIX") == (
        '   "APP_MIX" [super] = "a" [concealed] (LNM$PROCESS_TABLE)\n\t= "b"\n')
    run(dcl, 'DEFINE/NAME_ATTRIBUTES=(NO_ALIAS,CONFINE) APP_NA "x"')
    assert run(dcl, "SHOW LOGICAL/FULL APP_NA") == (
        '   "APP_NA" [super,confine,no_alias] = "x" (LNM$PROCESS_TABLE)\n')
    run(dcl, "DEFINE/EXECUTIVE_MODE APP_EXEC exec")
    assert run(dcl, "SHOW LOGICAL/FULL APP_EXEC") == (
        '   "APP_EXEC" [exec] = "EXEC" (LNM$PROCESS_TABLE)\n')


def test_job_group_system_and_shadowing(dcl, run):
    p = dcl.process
    run(dcl, 'DEFINE/JOB APP_J "job value"', 'DEFINE/GROUP APP_G "group value"',
        'DEFINE/SYSTEM APP_BOTH "in system"', 'DEFINE APP_BOTH "in process"')
    assert run(dcl, "SHOW LOGICAL APP_J") == f'   "APP_J" = "job value" ({p.lnm.job_table})\n'
    assert run(dcl, "SHOW LOGICAL APP_G") == '   "APP_G" = "group value" (LNM$GROUP_000001)\n'
    assert run(dcl, "SHOW LOGICAL APP_BOTH") == (
        '   "APP_BOTH" = "in process" (LNM$PROCESS_TABLE)\n'
        '   "APP_BOTH" = "in system" (LNM$SYSTEM_TABLE)\n')
    assert run(dcl, 'WRITE SYS$OUTPUT F$TRNLNM("APP_BOTH")',
               'WRITE SYS$OUTPUT F$TRNLNM("APP_BOTH", "LNM$SYSTEM")') == "in process\nin system\n"
    run(dcl, "DEASSIGN/SYSTEM APP_BOTH")
    assert run(dcl, 'WRITE SYS$OUTPUT "[", F$TRNLNM("APP_BOTH", "LNM$SYSTEM"), "]"') == "[]\n"


def test_wildcard_listing(dcl, run):
    p = dcl.process
    run(dcl, 'DEFINE APP_LA "alpha","Beta"', "DEFINE APP_LB APP_LA", "DEFINE APP_X y")
    assert run(dcl, "SHOW LOGICAL APP_L*") == (
        '\n(LNM$PROCESS_TABLE)\n\n'
        '  "APP_LA" = "alpha"\n\t= "Beta"\n'
        '  "APP_LB" = "APP_LA"\n'
        f'\n({p.lnm.job_table})\n'
        '\n(LNM$GROUP_000001)\n'
        '\n(LNM$SYSTEM_TABLE)\n'
        '\n(LNM$SYSCLUSTER_TABLE)\n')
    assert run(dcl, "SHOW LOGICAL/PROCESS APP_%") == (
        '\n(LNM$PROCESS_TABLE)\n\n  "APP_X" = "Y"\n')


def test_name_tables_and_search_lists(dcl, run):
    run(dcl, "CREATE/NAME_TABLE APP_TAB", 'DEFINE/TABLE=APP_TAB APP_IN "in table"',
        'DEFINE/TABLE=APP_TAB APP_IN2 "also"')
    assert run(dcl, "SHOW LOGICAL/TABLE=APP_TAB") == (
        '\n(APP_TAB)\n\n  "APP_IN" = "in table"\n  "APP_IN2" = "also"\n')
    assert run(dcl, "SHOW LOGICAL/FULL/TABLE=LNM$PROCESS_DIRECTORY APP_TAB") == (
        '   "APP_TAB" [super,table] = "" [terminal] (LNM$PROCESS_DIRECTORY)\n')
    assert run(dcl, 'WRITE SYS$OUTPUT "[", F$TRNLNM("APP_IN"), "]"',
               'WRITE SYS$OUTPUT F$TRNLNM("APP_IN", "APP_TAB")') == "[]\nin table\n"
    run(dcl, "DEFINE/TABLE=LNM$PROCESS_DIRECTORY APP_SEARCH APP_TAB,LNM$PROCESS_TABLE",
        "DEFINE APP_P p")
    assert run(dcl, 'WRITE SYS$OUTPUT F$TRNLNM("APP_P", "APP_SEARCH")',
               'WRITE SYS$OUTPUT F$TRNLNM("APP_IN", "APP_SEARCH",,,, "TABLE_NAME")') == (
        "P\nAPP_TAB\n")
    assert run(dcl, "SHOW LOGICAL/FULL/TABLE=LNM$PROCESS_DIRECTORY APP_SEARCH") == (
        '   "APP_SEARCH" [super] = "APP_TAB" (LNM$PROCESS_DIRECTORY)\n'
        '\t= "LNM$PROCESS_TABLE"\n'
        '1  "APP_TAB" [super,table] = "" [terminal] (LNM$PROCESS_DIRECTORY)\n'
        '1  "LNM$PROCESS_TABLE" [kernel,no_alias,table] = "" [terminal] '
        '(LNM$PROCESS_DIRECTORY)\n')
    run(dcl, "DEASSIGN/TABLE=APP_TAB APP_IN2")
    assert run(dcl, "SHOW LOGICAL/TABLE=APP_TAB") == '\n(APP_TAB)\n\n  "APP_IN" = "in table"\n'


def test_directories(dcl, run):
    out = run(dcl, "SHOW LOGICAL/FULL/TABLE=LNM$SYSTEM_DIRECTORY LNM$DCL_LOGICAL")
    assert out == (
        '   "LNM$DCL_LOGICAL" [super] = "LNM$FILE_DEV" (LNM$SYSTEM_DIRECTORY)\n'
        '1  "LNM$FILE_DEV" [super] = "LNM$PROCESS" (LNM$SYSTEM_DIRECTORY)\n'
        '\t= "LNM$JOB"\n\t= "LNM$GROUP"\n\t= "LNM$SYSTEM"\n'
        '2  "LNM$SYSTEM" [kernel,no_alias] = "LNM$SYSTEM_TABLE" [terminal] '
        '(LNM$SYSTEM_DIRECTORY)\n'
        '\t= "LNM$SYSCLUSTER"\n'
        '3  "LNM$SYSCLUSTER" [kernel,no_alias] = "LNM$SYSCLUSTER_TABLE" [terminal] '
        '(LNM$SYSTEM_DIRECTORY)\n')
    assert run(dcl, "SHOW LOGICAL/FULL/TABLE=LNM$PROCESS_DIRECTORY LNM$PROCESS") == (
        '   "LNM$PROCESS" [kernel] = "LNM$PROCESS_TABLE" [terminal] (LNM$PROCESS_DIRECTORY)\n')
    assert run(dcl, "SHOW LOGICAL/FULL/TABLE=LNM$SYSTEM_DIRECTORY LNM$GROUP") == (
        "%SHOW-S-NOTRAN, no translation for logical name LNM$GROUP\n")


ITEMS = ("VALUE,LENGTH,MAX_INDEX,TABLE,TABLE_NAME,TERMINAL,CONCEALED,CONFINE,NO_ALIAS,"
         "CRELOG,ACCESS_MODE")


@pytest.fixture
def items(run):
    """``items(dcl, name, table="")``: every F$TRNLNM item of a name, each in brackets."""
    def trnlnm_items(dcl, name, table="") -> list[str]:
        table = f'"{table}"' if table else ""
        return [run(dcl, f'WRITE SYS$OUTPUT "[", F$TRNLNM("{name}",{table},,,,"{i}"), "]"')
                .strip() for i in ITEMS.split(",")]
    return trnlnm_items


def test_f_trnlnm_items(dcl, items, run):
    run(dcl, 'DEFINE/TRANSLATION_ATTRIBUTES=(CONCEALED,TERMINAL) APP_CONC "DKA200:[T.X.]"')
    assert items(dcl, "APP_CONC") == [
        "[DKA200:[T.X.]]", "[13]", "[0]", "[FALSE]", "[LNM$PROCESS_TABLE]", "[TRUE]", "[TRUE]",
        "[FALSE]", "[FALSE]", "[FALSE]", "[SUPERVISOR]"]
    assert items(dcl, "APP_NONE") == ["[]"] * 11
    run(dcl, "DEFINE/SYSTEM/EXECUTIVE_MODE APP_SYS v")
    assert items(dcl, "APP_SYS")[-1] == "[EXECUTIVE]"
    assert items(dcl, "LNM$PROCESS_TABLE", "LNM$PROCESS_DIRECTORY")[2:4] == ["[-1]", "[TRUE]"]
    assert items(dcl, "SYS$DISK")[9] == "[TRUE]"      # CRELOG


def test_f_trnlnm_index_mode_case(dcl, run):
    run(dcl, 'DEFINE APP_L "alpha","Beta",gamma', 'DEFINE APP_M "a"/TRANS=CONCEALED,"b"',
        "DEFINE/EXEC APP_E e", 'DEFINE "AppMixed" "mixed"')
    assert run(dcl, 'WRITE SYS$OUTPUT F$TRNLNM("APP_L",,0), F$TRNLNM("APP_L",,1), '
                    'F$TRNLNM("APP_L",,2), "[", F$TRNLNM("APP_L",,3), "]"') == "alphaBetaGAMMA[]\n"
    assert run(dcl, 'WRITE SYS$OUTPUT F$TRNLNM("APP_M",,1,,,"CONCEALED"), " ", '
                    'F$TRNLNM("APP_M",,0,,,"CONCEALED")') == "FALSE TRUE\n"
    # LNM$DCL_LOGICAL is supervisor mode: invisible to an executive-mode translation.
    assert run(dcl, 'WRITE SYS$OUTPUT "[", F$TRNLNM("APP_E",,,"EXECUTIVE"), "]"') == "[]\n"
    assert run(dcl, 'WRITE SYS$OUTPUT F$TRNLNM("APP_E","LNM$PROCESS_TABLE",,"EXEC")') == "E\n"
    assert run(dcl, 'WRITE SYS$OUTPUT F$TRNLNM("appmixed"), "|", '
                    'F$TRNLNM("appmixed",,,,"CASE_SENSITIVE"), "|", '
                    'F$TRNLNM("AppMixed",,,,"CASE_SENSITIVE")') == "mixed||mixed\n"
    assert run(dcl, 'X = F$TRNLNM("APP_L",,,,,"NOSUCH")').startswith("%DCL-W-IVKEYW")


def test_deassign(dcl, run):
    assert run(dcl, "DEASSIGN APP_NONE") == "%SYSTEM-F-NOLOGNAM, no logical name match\n"
    assert status(dcl) == "%X000001BC"
    assert run(dcl, "DEASSIGN/NOLOG APP_NONE") == ""
    assert status(dcl) == "%X100001BC"
    run(dcl, "DEFINE APP_A a", "DEFINE APP_B b", "DEFINE/USER APP_U u")
    run(dcl, "DEASSIGN/ALL")
    assert run(dcl, 'WRITE SYS$OUTPUT "[", F$TRNLNM("APP_A"), F$TRNLNM("APP_U"), "]"') == "[]\n"
    # process-permanent names at executive mode stay
    assert run(dcl, 'WRITE SYS$OUTPUT F$TRNLNM("SYS$OUTPUT",,,,,"ACCESS_MODE")') == (
        "EXECUTIVE\n")


def test_user_mode_names_and_images(dcl, run):
    run(dcl, "DEFINE/USER APP_U u")
    assert run(dcl, "SHOW TRANSLATION APP_U") == '   APP_U = "U" (LNM$PROCESS_TABLE)\n'
    assert run(dcl, "SHOW LOGICAL APP_U") == '   "APP_U" = "U" (LNM$PROCESS_TABLE)\n'
    # SHOW LOGICAL is an image: the user-mode name is gone after it
    assert run(dcl, "SHOW TRANSLATION APP_U") == (
        "%SHOW-S-NOTRAN, no translation for logical name APP_U\n")


def test_privileges_are_enforced(root, run):
    proc = Process(root, privileges=set())
    dcl = Interpreter(proc, io.StringIO())
    try:
        assert run(dcl, "DEFINE/SYSTEM APP_S x") == (
            "%SYSTEM-F-NOPRIV, insufficient privilege or object protection violation\n")
        assert run(dcl, "DEFINE/GROUP APP_S x").startswith("%SYSTEM-F-NOPRIV")
        assert run(dcl, 'WRITE SYS$OUTPUT "[", F$TRNLNM("APP_S"), "]"') == "[]\n"
        run(dcl, "DEFINE/EXECUTIVE_MODE APP_E x")
        assert run(dcl, 'WRITE SYS$OUTPUT F$TRNLNM("APP_E",,,,,"ACCESS_MODE")') == (
            "SUPERVISOR\n")
        assert run(dcl, "DEFINE/JOB APP_J x") == ""
    finally:
        proc.logout()


def test_last_table_and_mode_qualifier_wins(dcl, run):
    run(dcl, "DEFINE/SYSTEM/PROCESS/USER/SUPERVISOR APP_W w")
    assert run(dcl, 'WRITE SYS$OUTPUT F$TRNLNM("APP_W",,,,,"TABLE_NAME"), " ", '
                    'F$TRNLNM("APP_W",,,,,"ACCESS_MODE")') == "LNM$PROCESS_TABLE SUPERVISOR\n"


def test_lexical_numeric_arguments_take_dcl_integer_rules(dcl, run):
    run(dcl, 'DEFINE APP_L "alpha","beta"')
    # A string index that is not a number counts as 0, as everywhere in DCL.
    assert run(dcl, 'WRITE SYS$OUTPUT F$TRNLNM("APP_L",,"abc"), F$TRNLNM("APP_L",,"1")') == (
        "alphabeta\n")
    assert run(dcl, 'WRITE SYS$OUTPUT "[", F$SEARCH("NOSUCH.X","abc"), "]"') == "[]\n"
