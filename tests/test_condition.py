"""Condition values, the message table and message formatting (vmsenv.condition)."""

from __future__ import annotations

import pytest

from vmsenv import condition as cond
from vmsenv.condition import VMSError, f_message, format_message

# Symbol values printed by OpenVMS Alpha V8.4 ($SSDEF, $RMSDEF), in decimal as printed there.
SSDEF = {
    "NORMAL": 1, "ACCVIO": 12, "BADPARAM": 20, "EXQUOTA": 28, "NOPRIV": 36, "ABORT": 44,
    "DEVMOUNT": 108, "DEVNOTMOUNT": 124, "DEVOFFLINE": 132, "DUPLNAM": 148, "FILALRACC": 164,
    "FILNOTACC": 172, "INSFARG": 276, "INSFMEM": 292, "IVCHAN": 316, "IVDEVNAM": 324,
    "IVLOGNAM": 340, "IVLOGTAB": 348, "IVTIME": 388, "NOIOCHAN": 436, "NOLOGNAM": 444,
    "RESULTOVF": 532, "TIMEOUT": 556, "WRITLCK": 604, "NOSUCHNODE": 652, "REJECT": 660,
    "BUGCHECK": 676, "HANGUP": 716, "IVBUFLEN": 844, "IVMODE": 852, "TOOMANYLNAM": 884,
    "EXDISKQUOTA": 1004, "BUFFEROVF": 1537, "CONTROLO": 1545, "CONTROLY": 1553, "CREATED": 1561,
    "MSGNOTFND": 1569, "NOTRAN": 1577, "SUPERSEDE": 1585, "CONTROLC": 1617, "FILEPURGED": 1657,
    "NOTALLPRIV": 1665, "CONCEALED": 1681, "LNMCREATED": 1713, "NOMOREITEMS": 1777,
    "ACCONFLICT": 2048, "BADFILENAME": 2072, "BADFILEVER": 2080, "BADIRECTORY": 2088,
    "CANCEL": 2096, "DEVALLOC": 2112, "DEVICEFULL": 2128, "DIRFULL": 2144, "DUPFILENAME": 2152,
    "ENDOFFILE": 2160, "FILELOCKED": 2216, "MBFULL": 2264, "NONEXPR": 2280, "NOSUCHDEV": 2312,
    "NOSUCHFILE": 2320, "NOMOREFILES": 2352, "NOMOREPROC": 2472, "ITEMNOTFOUND": 2640,
    "NOSUCHOBJECT": 2696, "UNSUPPORTED": 3658, "NOSUCHVOL": 3882, "INVARG": 4042,
    "NOSUCHUSER": 8324, "INVLOGIN": 8348, "IVCHAR": 8396, "CONNECFAIL": 8412, "LINKABORT": 8420,
    "LINKDISCON": 8428, "DIRNOTEMPTY": 8564, "NOSUCHID": 8684, "IVIDENT": 8740,
    "DUPIDENT": 8748, "EXLNMQUOTA": 8780, "PARENT_DEL": 8788, "NOLOGTAB": 8852,
}
RMSDEF = {
    "NORMAL": 65537, "RTB": 98728, "TMO": 98736, "ACT": 98906, "DNR": 98930, "EOF": 98938,
    "FEX": 98946, "FLK": 98954, "FNF": 98962, "PRV": 98970, "RLK": 98986, "RNF": 98994,
    "NMF": 99018, "CUR": 99508, "DEV": 99524, "DIR": 99532, "DME": 99540, "ESS": 99588,
    "FAC": 99604, "FNM": 99628, "FUL": 99652, "IFI": 99684, "IOP": 99700, "ISI": 99716,
    "LNE": 99772, "NOD": 99828, "QUO": 99892, "RSS": 99988, "RSZ": 100004, "SYN": 100052,
    "TYP": 100068, "VER": 100092, "WLD": 100164, "ACC": 114690, "CRE": 114698, "DNF": 114762,
    "RER": 114932, "WER": 114964, "CREATED": 67097, "SUPERSEDE": 67121, "FILEPURGED": 67193,
}


@pytest.mark.parametrize("name,value", sorted(SSDEF.items()))
def test_ss_values_match_ssdef(name, value):
    assert getattr(cond, "SS_" + name) == value


@pytest.mark.parametrize("name,value", sorted(RMSDEF.items()))
def test_rms_values_match_rmsdef(name, value):
    assert getattr(cond, "RMS_" + name) == value


# CLI$ values observed on VMS (facts A8, C6-C10).
CLI_OBSERVED = {
    "NORMAL": 0x00030001, "ABVERB": 0x38008, "ABKEYW": 0x38010, "INSFPRM": 0x38048,
    "IVKEYW": 0x38060, "IVVALU": 0x38088, "IVVERB": 0x38090, "MAXPARM": 0x38098,
    "NOCOMD": 0x380B0, "UNDSYM": 0x38140, "VALREQ": 0x38150, "UNDFIL": 0x38188,
    "IVFNAM": 0x381C0, "IVQUAL": 0x38240, "SYMDEL": 0x38130, "IMAGEFNF": 0x388B2,
}


@pytest.mark.parametrize("name,value", sorted(CLI_OBSERVED.items()))
def test_cli_values_observed(name, value):
    assert getattr(cond, "CLI_" + name) == value


def test_other_observed_values():
    assert cond.SHOW_NOTRAN | cond.INHIB_MSG == 0x10788019
    assert cond.SS_FILNOTPUR == 0x1234
    assert cond.CLI_OPENIN == 0x3109A
    assert cond.CLI_SUPERSEDE & 7 == cond.INFO


def test_severity_helpers():
    assert [cond.WARNING, cond.SUCCESS, cond.ERROR, cond.INFO, cond.SEVERE] == [0, 1, 2, 3, 4]
    assert cond.severity(cond.RMS_FNF) == cond.ERROR
    assert cond.severity(0x10788019) == cond.SUCCESS
    assert cond.severity_letter(cond.SS_NOPRIV) == "F"
    assert [cond.severity_letter(n) for n in range(5)] == list("WSEIF")
    assert cond.is_success(cond.CLI_SUPERSEDE) and cond.is_success(1)
    assert not cond.is_success(cond.CLI_IVVERB) and not cond.is_success(cond.SS_NOLOGNAM)
    assert cond.facility_number(cond.RMS_FNF) == 1
    assert cond.facility_number(0x10788019) == 0x78
    assert cond.facility_number(cond.SS_NOPRIV) == 0
    assert cond.message_number(cond.RMS_FNF) == 0x8292 >> 3
    assert cond.message_number(cond.SS_NOPRIV) == 4


def test_status_hex():
    assert cond.status_hex(1) == "%X00000001"
    assert cond.status_hex(cond.CLI_IVVERB) == "%X00038090"
    assert cond.status_hex(0x10018292) == "%X10018292"
    assert cond.status_hex(-1) == "%XFFFFFFFF"


@pytest.mark.parametrize("status,args,line", [
    (cond.SS_NOPRIV, (), "%SYSTEM-F-NOPRIV, insufficient privilege or object protection violation"),
    (cond.SS_NOLOGNAM, (), "%SYSTEM-F-NOLOGNAM, no logical name match"),
    (cond.SS_ABORT, (), "%SYSTEM-F-ABORT, abort"),
    (cond.SS_FILNOTPUR, (), "%SYSTEM-F-FILNOTPUR, error deleting !AS"),
    (cond.CLI_IVVERB, (), "%DCL-W-IVVERB, unrecognized command verb - check validity and spelling"),
    (cond.CLI_ABVERB, (), "%DCL-W-ABVERB, ambiguous command verb - supply more characters"),
    (cond.CLI_IVQUAL, (), "%DCL-W-IVQUAL, unrecognized qualifier - check validity, spelling, and placement"),
    (cond.CLI_UNDSYM, (), "%DCL-W-UNDSYM, undefined symbol - check validity and spelling"),
    (cond.CLI_IVFNAM, (), "%DCL-W-IVFNAM, invalid lexical function name - check validity and spelling"),
    (cond.CLI_SYMDEL, (), "%DCL-W-SYMDEL, invalid symbol or value delimiter - check command syntax"),
    (cond.CLI_IVATIME, (), "%DCL-W-IVATIME, invalid absolute time - use DD-MMM-YYYY:HH:MM:SS.CC format"),
    (cond.CLI_IVDTIME, (), "%DCL-W-IVDTIME, invalid delta time - use DDDD-HH:MM:SS.CC format"),
    (cond.CLI_USGOTO, (), "%DCL-W-USGOTO, target of GOTO not found - check spelling and presence of label"),
    (cond.CLI_UNDFIL, (), "%DCL-W-UNDFIL, file has not been opened by DCL - check logical name"),
    (cond.CLI_SUPERSEDE, ("VPT_ONE",), "%DCL-I-SUPERSEDE, previous value of VPT_ONE has been superseded"),
    (cond.SHOW_NOTRAN, ("VPT_NOSUCH",), "%SHOW-S-NOTRAN, no translation for logical name VPT_NOSUCH"),
    (cond.CLI_OPENIN, ("DKA200:[T.DCL]NOSUCH.TXT;",),
     "%DCL-E-OPENIN, error opening DKA200:[T.DCL]NOSUCH.TXT; as input"),
    (cond.RMS_EOF, (), "%RMS-E-EOF, end of file detected"),
    (cond.CLI_PROC_ID, (0x104,), "%RUN-S-PROC_ID, identification of created process is 00000104"),
    (cond.CLI_SPAWNED, ("SYSTEM_1",), "%DCL-S-SPAWNED, process SYSTEM_1 spawned"),
])
def test_observed_message_lines(status, args, line):
    assert format_message(status, *args) == line


def test_continuation_lines():
    assert format_message(cond.RMS_DNF, continuation=True) == "-RMS-E-DNF, directory not found"
    assert format_message(cond.SS_NOSUCHFILE, continuation=True) == "-SYSTEM-W-NOSUCHFILE, no such file"
    imagefnf = cond.CLI_IMAGEFNF | cond.INHIB_MSG
    assert (format_message(imagefnf, "DUA1:[000000]NOSUCH.EXE;", continuation=True)
            == "-CLI-E-IMAGEFNF, image file not found DUA1:[000000]NOSUCH.EXE;")


def test_f_message_observed():
    assert f_message(1) == "%SYSTEM-S-NORMAL, normal successful completion"
    assert f_message(0x18292) == "%RMS-E-FNF, file not found"
    assert f_message(0x18292, "TEXT") == "file not found"
    assert f_message(0x0FFF8012) == "%NONAME-E-NOMSG, Message number 0FFF8012"
    assert f_message(0x1234) == "%SYSTEM-F-FILNOTPUR, error deleting !AS"


def test_f_message_ignores_control_bits_and_takes_severity_from_code():
    assert f_message(0x10018292) == "%RMS-E-FNF, file not found"
    assert f_message(0xF0018292) == "%RMS-E-FNF, file not found"
    assert f_message(0x18294) == "%RMS-F-FNF, file not found"
    assert f_message(0x0FFF8013) == "%NONAME-I-NOMSG, Message number 0FFF8013"
    assert f_message(0x3DDE8) == "%DCL-W-SUPERSEDE, previous value of !AS has been superseded"


def test_f_message_items():
    code = cond.RMS_FNF
    assert f_message(code, "ident") == "%FNF"
    assert f_message(code, "SEVERITY") == "%E"
    assert f_message(code, "FACILITY") == "%RMS"
    assert f_message(code, "FACILITY,IDENT") == "%RMS-FNF"
    assert f_message(code, ["TEXT", "SEVERITY"]) == "%E, file not found"
    with pytest.raises(VMSError) as err:
        f_message(code, "NOSUCH")
    assert err.value.status == cond.CLI_IVKEYW
    assert err.value.lines()[-1] == " \\NOSUCH\\"


def test_shared_messages_use_the_facility_name():
    assert f_message(cond.RMS_SUPERSEDE) == "%RMS-S-SUPERSEDE, logical name superseded"
    assert f_message(cond.CLI_OPENOUT) == "%DCL-E-OPENOUT, error opening !AS as output"
    # A facility-specific code not in the table is unknown even if the number exists in SYSTEM.
    assert f_message(0x00018609) == "%NONAME-S-NOMSG, Message number 00018609"


@pytest.mark.parametrize("flags,line", [
    (cond.ALL_PARTS, "%SYSTEM-F-NOPRIV, insufficient privilege or object protection violation"),
    (cond.ALL_PARTS & ~cond.MSG_FACILITY, "%F-NOPRIV, insufficient privilege or object protection violation"),
    (cond.ALL_PARTS & ~cond.MSG_SEVERITY, "%SYSTEM-NOPRIV, insufficient privilege or object protection violation"),
    (cond.ALL_PARTS & ~cond.MSG_IDENT, "%SYSTEM-F, insufficient privilege or object protection violation"),
    (cond.ALL_PARTS & ~cond.MSG_TEXT, "%SYSTEM-F-NOPRIV"),
    (cond.MSG_TEXT, "insufficient privilege or object protection violation"),
    (0, ""),
])
def test_set_message_flags(flags, line):
    assert format_message(cond.SS_NOPRIV, flags=flags) == line


def test_vmserror_lines():
    err = VMSError(cond.CLI_IVVERB, segment="NOSUCHVERB")
    assert err.status == cond.CLI_IVVERB
    assert err.lines() == [
        "%DCL-W-IVVERB, unrecognized command verb - check validity and spelling",
        " \\NOSUCHVERB\\",
    ]
    assert str(err) == err.lines()[0]
    assert err.severity == cond.WARNING


def test_vmserror_secondary_conditions():
    inner = VMSError(cond.RMS_DNF, secondary=[cond.SS_NOSUCHFILE])
    err = VMSError(cond.CLI_OPENIN, "X.DAT;", secondary=[inner, cond.SS_NOPRIV])
    assert err.lines() == [
        "%DCL-E-OPENIN, error opening X.DAT; as input",
        "-RMS-E-DNF, directory not found",
        "-SYSTEM-W-NOSUCHFILE, no such file",
        "-SYSTEM-F-NOPRIV, insufficient privilege or object protection violation",
    ]
    assert err.lines(flags=cond.MSG_FACILITY | cond.MSG_IDENT) == [
        "%DCL-OPENIN", "-RMS-DNF", "-SYSTEM-NOSUCHFILE", "-SYSTEM-NOPRIV"]


def test_vmserror_segment_hidden_without_text_and_nothing_when_all_off():
    err = VMSError(cond.CLI_UNDSYM, segment="x")
    assert err.lines() == ["%DCL-W-UNDSYM, undefined symbol - check validity and spelling", " \\x\\"]
    assert err.lines(flags=cond.ALL_PARTS & ~cond.MSG_TEXT) == ["%DCL-W-UNDSYM"]
    assert err.lines(flags=0) == []


def test_vmserror_is_an_exception():
    with pytest.raises(VMSError) as err:
        raise VMSError(cond.SS_NOLOGNAM)
    assert err.value.status == 0x1BC
    assert "NOLOGNAM" in repr(err.value) or "%X000001BC" in repr(err.value)


def test_table_keys_are_unique_and_texts_nonempty():
    for status in (cond.SS_NORMAL, cond.RMS_NORMAL, cond.CLI_NORMAL):
        assert cond.lookup(status).text == "normal successful completion"
    assert cond.lookup(0x7FFF0008) is None
    assert cond.lookup(cond.CLI_IVVERB | 2).ident == "IVVERB"
