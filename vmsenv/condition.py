"""VMS condition values, the message table and message formatting.

A condition value (status) is a longword:

    bits 0-2    severity: 0 W(arning), 1 S(uccess), 2 E(rror), 3 I(nformational), 4 F (severe)
    bit  0      success bit: odd values are successes
    bits 3-15   message number; bit 15 set means "facility specific"
    bits 16-27  facility number
    bits 28-31  control bits; bit 28 (INHIB_MSG) means "already displayed"

The message table below plays the part of SYS$MESSAGE: one line per message, as in a .MSG
file, each defining the module constant that names it (``SS_NOPRIV``, ``CLI_IVVERB``, ...).
Values and texts come from the facts sheet ([O]), from the symbol values printed by a real
OpenVMS Alpha V8.4 (SSDEF, RMSDEF) and from a real system message listing.  Marked ``# [I]`` are
values or texts that could not be confirmed there and are inferred:

- CLI_NORMAL's and RMS_NORMAL's text ("normal successful completion", as every NORMAL).
- Severities of the DCL messages not observed in output: every message of the %X38xxx block is
  taken as a warning (the observed ones all are), INVCALL/INVIFNEST/MSNGENDS as errors.
- The facility name printed for a message is the message's own: most facility-3 messages print
  as "DCL", the CLI$ service messages (IMAGEFNF, observed) as "CLI", PROC_ID as "RUN".
- SHR_OPENOUT's text ("error opening !AS as output", by analogy with the observed OPENIN).
- CLI$_UNDEFSYM and CLI$_NOTNUM do not exist: DCL uses UNDSYM and NUMBER/IVCHAR.

- The VMSENV facility (2049, a customer facility) holds the environment's own messages; they
  are not VMS messages.

Lookup ignores the severity and control bits.  A code of another facility with bit 15 clear
(a *shared* message: RMS$_SUPERSEDE, CLI$_OPENIN) falls back to the system message of the same
number, printed with the using facility's name, as VMS does.  The severity letter always comes
from the code's own low 3 bits.  A code with no message gives
``%NONAME-E-NOMSG, Message number 0FFF8012`` ([O] for an unknown facility; we print NONAME for
every code without a message, with the code as given, 8 hex digits [I]).

SET MESSAGE flags (``MSG_TEXT|MSG_IDENT|MSG_SEVERITY|MSG_FACILITY``, the $GETMSG flag bits)
choose the parts.  Chosen rendering where parts are off ([I], $GETMSG behaviour as recalled):
the prefix ``%`` (``-`` on continuation lines) and the dash-joined facility/severity/ident parts
appear only when at least one of them is on; ``, `` joins prefix and text; text only gives the
bare text; all parts off gives nothing (no line at all).  The ` \\SEGMENT\\` line after a parse
error is a message text of its own and is printed only while text is on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

WARNING, SUCCESS, ERROR, INFO, SEVERE = 0, 1, 2, 3, 4
SEVERITY_LETTERS = "WSEIF???"
INHIB_MSG = 0x10000000
STS_M_FAC_SP = 0x8000

MSG_TEXT, MSG_IDENT, MSG_SEVERITY, MSG_FACILITY = 1, 2, 4, 8
ALL_PARTS = MSG_TEXT | MSG_IDENT | MSG_SEVERITY | MSG_FACILITY


def severity(status: int) -> int:
    """The severity code (0-7) of a condition value."""
    return status & 7


def severity_letter(status: int) -> str:
    return SEVERITY_LETTERS[status & 7]


def is_success(status: int) -> bool:
    """True for odd condition values (S and I severities)."""
    return bool(status & 1)


def facility_number(status: int) -> int:
    return (status >> 16) & 0xFFF


def message_number(status: int) -> int:
    """Bits 3-15: the message number, including the facility-specific bit."""
    return (status >> 3) & 0x1FFF


def status_hex(status: int) -> str:
    """$STATUS as DCL stores it: "%X" and 8 upper-case hex digits."""
    return f"%X{status & 0xFFFFFFFF:08X}"


@dataclass(frozen=True)
class Message:
    facility: str
    ident: str
    text: str


_TABLE: dict[int, Message] = {}
_KEY_MASK = 0x0FFFFFF8

# Names printed for shared messages used by a facility, and for NOMSG.
FACILITY_NAMES = {0: "SYSTEM", 1: "RMS", 3: "DCL", 0x77: "SET", 0x78: "SHOW", 0xA3: "CREATE", 0xCB: "INSTALL",
                  0xB3: "UAF",
                  # file utilities (see the FILE UTILITIES section below)
                  0x67: "COPY", 0x68: "APPEND", 0x69: "RENAME", 0x6C: "DIFF", 0x79: "DIRECT",
                  0x93: "DELETE", 0x94: "PURGE", 0x95: "TYPE", 0x8D7: "SEARCH",
                  0x764: "TCPIP", 0x766: "TELNET",  # TCP/IP Services (TELNET's number [I])
                  0x7E: "MAIL",  # [I] number
                  0x801: "VMSENV"}


def _m(value: int, facility: str, ident: str, text: str) -> int:
    key = value & _KEY_MASK
    if key in _TABLE:
        raise ValueError(f"duplicate message %X{value:08X}")
    _TABLE[key] = Message(facility, ident, text)
    return value


# ---------------------------------------------------------------------------------------------
# The message table.  SYSTEM (facility 0): values as SSDEF.
# ---------------------------------------------------------------------------------------------
SS_NORMAL = _m(0x00000001, "SYSTEM", "NORMAL", "normal successful completion")
SS_ACCVIO = _m(0x0000000C, "SYSTEM", "ACCVIO", "access violation, reason mask=!XB, virtual address=!XH, PC=!XH, PS=!XL")
SS_BADPARAM = _m(0x00000014, "SYSTEM", "BADPARAM", "bad parameter value")
SS_EXQUOTA = _m(0x0000001C, "SYSTEM", "EXQUOTA", "process quota exceeded")
SS_NOPRIV = _m(0x00000024, "SYSTEM", "NOPRIV", "insufficient privilege or object protection violation")
SS_ABORT = _m(0x0000002C, "SYSTEM", "ABORT", "abort")
SS_DEVMOUNT = _m(0x0000006C, "SYSTEM", "DEVMOUNT", "device is already mounted")
SS_DEVNOTMOUNT = _m(0x0000007C, "SYSTEM", "DEVNOTMOUNT", "device is not mounted")
SS_DEVOFFLINE = _m(0x00000084, "SYSTEM", "DEVOFFLINE", "device is not in configuration or not available")
SS_DUPLNAM = _m(0x00000094, "SYSTEM", "DUPLNAM", "duplicate name")
SS_FILALRACC = _m(0x000000A4, "SYSTEM", "FILALRACC", "file already accessed on channel")
SS_FILNOTACC = _m(0x000000AC, "SYSTEM", "FILNOTACC", "file not accessed on channel")
SS_INSFARG = _m(0x00000114, "SYSTEM", "INSFARG", "insufficient call arguments")
SS_INSFMEM = _m(0x00000124, "SYSTEM", "INSFMEM", "insufficient dynamic memory")
SS_IVCHAN = _m(0x0000013C, "SYSTEM", "IVCHAN", "invalid I/O channel")
SS_IVDEVNAM = _m(0x00000144, "SYSTEM", "IVDEVNAM", "invalid device name")
SS_IVLOGNAM = _m(0x00000154, "SYSTEM", "IVLOGNAM", "invalid logical name")
SS_IVLOGTAB = _m(0x0000015C, "SYSTEM", "IVLOGTAB", "invalid logical name table")
SS_IVTIME = _m(0x00000184, "SYSTEM", "IVTIME", "invalid time")
SS_NOIOCHAN = _m(0x000001B4, "SYSTEM", "NOIOCHAN", "no I/O channel available")
SS_NOLOGNAM = _m(0x000001BC, "SYSTEM", "NOLOGNAM", "no logical name match")
SS_RESULTOVF = _m(0x00000214, "SYSTEM", "RESULTOVF", "resultant string overflow")
SS_TIMEOUT = _m(0x0000022C, "SYSTEM", "TIMEOUT", "device timeout")
SS_WRITLCK = _m(0x0000025C, "SYSTEM", "WRITLCK", "write lock error")
SS_NOSUCHNODE = _m(0x0000028C, "SYSTEM", "NOSUCHNODE", "remote node is unknown")
SS_REJECT = _m(0x00000294, "SYSTEM", "REJECT", "connect to network object rejected")
SS_BUGCHECK = _m(0x000002A4, "SYSTEM", "BUGCHECK", "internal consistency failure")
SS_HANGUP = _m(0x000002CC, "SYSTEM", "HANGUP", "data set hang-up")
SS_IVBUFLEN = _m(0x0000034C, "SYSTEM", "IVBUFLEN", "invalid buffer length")
SS_IVMODE = _m(0x00000354, "SYSTEM", "IVMODE", "invalid mode for requested function")
SS_TOOMANYLNAM = _m(0x00000374, "SYSTEM", "TOOMANYLNAM", "logical name translation exceeded allowed depth")
SS_EXDISKQUOTA = _m(0x000003EC, "SYSTEM", "EXDISKQUOTA", "disk quota exceeded")
SS_BUFFEROVF = _m(0x00000601, "SYSTEM", "BUFFEROVF", "output buffer overflow")
SS_CONTROLO = _m(0x00000609, "SYSTEM", "CONTROLO", "output completed under CTRL/O")
SS_CONTROLY = _m(0x00000611, "SYSTEM", "CONTROLY", "operation completed under CTRL/Y")
SS_CREATED = _m(0x00000619, "SYSTEM", "CREATED", "file or section did not exist; has been created")
SS_MSGNOTFND = _m(0x00000621, "SYSTEM", "MSGNOTFND", "message not in system message file")
SS_NOTRAN = _m(0x00000629, "SYSTEM", "NOTRAN", "no string translation performed")
SS_SUPERSEDE = _m(0x00000631, "SYSTEM", "SUPERSEDE", "logical name superseded")
SS_CONTROLC = _m(0x00000651, "SYSTEM", "CONTROLC", "operation completed under CTRL/C")
SS_FILEPURGED = _m(0x00000679, "SYSTEM", "FILEPURGED", "oldest file version purged")
SS_NOTALLPRIV = _m(0x00000681, "SYSTEM", "NOTALLPRIV", "not all requested privileges authorized")
SS_CONCEALED = _m(0x00000691, "SYSTEM", "CONCEALED", "logical device name concealed physical device name")
SS_LNMCREATED = _m(0x000006B1, "SYSTEM", "LNMCREATED", "logical name table did not exist; has been created")
SS_NOMOREITEMS = _m(0x000006F1, "SYSTEM", "NOMOREITEMS", "no more items to be returned")
SS_ACCONFLICT = _m(0x00000800, "SYSTEM", "ACCONFLICT", "file access conflict")
SS_BADFILENAME = _m(0x00000818, "SYSTEM", "BADFILENAME", "bad file name syntax")
SS_BADFILEVER = _m(0x00000820, "SYSTEM", "BADFILEVER", "bad file version number")
SS_BADIRECTORY = _m(0x00000828, "SYSTEM", "BADIRECTORY", "bad directory file format")
SS_CANCEL = _m(0x00000830, "SYSTEM", "CANCEL", "operation canceled")
SS_DEVALLOC = _m(0x00000840, "SYSTEM", "DEVALLOC", "device already allocated to another user")
SS_DEVICEFULL = _m(0x00000850, "SYSTEM", "DEVICEFULL", "device full; allocation failure")
SS_DIRFULL = _m(0x00000860, "SYSTEM", "DIRFULL", "directory is full")
SS_DUPFILENAME = _m(0x00000868, "SYSTEM", "DUPFILENAME", "duplicate file name")
SS_ENDOFFILE = _m(0x00000870, "SYSTEM", "ENDOFFILE", "end of file")
SS_FILELOCKED = _m(0x000008A8, "SYSTEM", "FILELOCKED", "file is deaccess locked")
SS_MBFULL = _m(0x000008D8, "SYSTEM", "MBFULL", "mailbox is full")
SS_NONEXPR = _m(0x000008E8, "SYSTEM", "NONEXPR", "nonexistent process")
SS_NOSUCHDEV = _m(0x00000908, "SYSTEM", "NOSUCHDEV", "no such device available")
SS_NOSUCHFILE = _m(0x00000910, "SYSTEM", "NOSUCHFILE", "no such file")
SS_NOMOREFILES = _m(0x00000930, "SYSTEM", "NOMOREFILES", "no more files")
SS_NOMOREPROC = _m(0x000009A8, "SYSTEM", "NOMOREPROC", "no more processes")
SS_ITEMNOTFOUND = _m(0x00000A50, "SYSTEM", "ITEMNOTFOUND", "requested item cannot be returned")
SS_NOSUCHOBJECT = _m(0x00000A88, "SYSTEM", "NOSUCHOBJECT", "specified object does not exist")
SS_UNSUPPORTED = _m(0x00000E4A, "SYSTEM", "UNSUPPORTED", "unsupported operation or function")
SS_NOSUCHVOL = _m(0x00000F2A, "SYSTEM", "NOSUCHVOL", "no such volume")
SS_INVARG = _m(0x00000FCA, "SYSTEM", "INVARG", "invalid argument")
SS_NOSUCHUSER = _m(0x00002084, "SYSTEM", "NOSUCHUSER", "login information not recognized at remote node")
SS_INVLOGIN = _m(0x0000209C, "SYSTEM", "INVLOGIN", "login information invalid at remote node")
SS_IVCHAR = _m(0x000020CC, "SYSTEM", "IVCHAR", "invalid character")
SS_CONNECFAIL = _m(0x000020DC, "SYSTEM", "CONNECFAIL", "connect to network object timed-out or failed")
SS_LINKABORT = _m(0x000020E4, "SYSTEM", "LINKABORT", "network partner aborted logical link")
SS_LINKDISCON = _m(0x000020EC, "SYSTEM", "LINKDISCON", "network partner disconnected logical link")
SS_DIRNOTEMPTY = _m(0x00002174, "SYSTEM", "DIRNOTEMPTY", "directory file is not empty")
SS_NOSUCHID = _m(0x000021EC, "SYSTEM", "NOSUCHID", "unknown rights identifier")
SS_IVIDENT = _m(0x00002224, "SYSTEM", "IVIDENT", "invalid identifier format")
SS_DUPIDENT = _m(0x0000222C, "SYSTEM", "DUPIDENT", "duplicate identifier")
SS_EXLNMQUOTA = _m(0x0000224C, "SYSTEM", "EXLNMQUOTA", "logical name table is full")
SS_PARENT_DEL = _m(0x00002254, "SYSTEM", "PARENT_DEL", "illegal attempt to delete parent logical name table")
SS_NOLOGTAB = _m(0x00002294, "SYSTEM", "NOLOGTAB", "no logical name table name match")
# Shared messages (SHR$, facility 0, facility-specific bit clear); a facility ORs in its number
# and a severity.  FILNOTPUR's value and text are observed ([O] RETURN %X1234).
SHR_OPENIN = _m(0x00001098, "SYSTEM", "OPENIN", "error opening !AS as input")
SHR_OPENOUT = _m(0x000010A0, "SYSTEM", "OPENOUT", "error opening !AS as output")  # [I] text
SS_FILNOTPUR = _m(0x00001234, "SYSTEM", "FILNOTPUR", "error deleting !AS")
# Shared messages of the file utilities (COPY, APPEND, DELETE, PURGE, TYPE, ...).  Numbers as
# the system message file orders them (OPENIN 531 -> %X1098 fits); DELVER's %X120A is documented
# with the DELETE facility; texts as the utilities print them.  [I]: every number but OPENIN's,
# FILNOTDEL's number, and the texts of APPENDEDB, COPIEDR and TOTAL.  The block and record
# forms of APPENDED and COPIED print the same ident.
SHR_APPENDEDB = _m(0x00001000, "SYSTEM", "APPENDED", "!AS appended to !AS (!UL block!%S)")  # [I]
SHR_APPENDEDR = _m(0x00001008, "SYSTEM", "APPENDED", "!AS appended to !AS (!UL record!%S)")  # [I]
SHR_COPIEDB = _m(0x00001060, "SYSTEM", "COPIED", "!AS copied to !AS (!UL block!%S)")  # [I]
SHR_COPIEDR = _m(0x00001068, "SYSTEM", "COPIED", "!AS copied to !AS (!UL record!%S)")  # [I]
SHR_DELVER = _m(0x00001208, "SYSTEM", "DELVER", "explicit version number or wild card required")
SHR_FILNOTDEL = _m(0x00001228, "SYSTEM", "FILNOTDEL", "error deleting !AS")  # [I] number
SHR_SEARCHFAIL = _m(0x00001238, "SYSTEM", "SEARCHFAIL", "error searching for !AS")  # [I]
SHR_TOTAL = _m(0x00001310, "SYSTEM", "TOTAL", "!UL file!%S deleted (!UL block!%S)")  # [I]
SHR_FILPURG = _m(0x00001318, "SYSTEM", "FILPURG", "!AS deleted (!UL block!%S)")  # [I]
SHR_FILDEL = _m(0x00001320, "SYSTEM", "FILDEL", "!AS deleted (!UL block!%S)")  # [I]

# ---------------------------------------------------------------------------------------------
# RMS (facility 1): values as RMSDEF.
# ---------------------------------------------------------------------------------------------
RMS_NORMAL = _m(0x00010001, "RMS", "NORMAL", "normal successful completion")  # [I] text
RMS_RTB = _m(0x000181A8, "RMS", "RTB", "!UL byte record too large for user's buffer")
RMS_TMO = _m(0x000181B0, "RMS", "TMO", "timeout period expired")
RMS_ACT = _m(0x0001825A, "RMS", "ACT", "file activity precludes operation")
RMS_DNR = _m(0x00018272, "RMS", "DNR", "device not ready, not mounted, or unavailable")
RMS_EOF = _m(0x0001827A, "RMS", "EOF", "end of file detected")
RMS_FEX = _m(0x00018282, "RMS", "FEX", "file already exists, not superseded")
RMS_FLK = _m(0x0001828A, "RMS", "FLK", "file currently locked by another user")
RMS_FNF = _m(0x00018292, "RMS", "FNF", "file not found")
RMS_PRV = _m(0x0001829A, "RMS", "PRV", "insufficient privilege or file protection violation")
RMS_RLK = _m(0x000182AA, "RMS", "RLK", "target record currently locked by another stream")
RMS_RNF = _m(0x000182B2, "RMS", "RNF", "record not found")
RMS_NMF = _m(0x000182CA, "RMS", "NMF", "no more files found")
RMS_CUR = _m(0x000184B4, "RMS", "CUR", "no current record (operation not preceded by $GET/$FIND)")
RMS_DEV = _m(0x000184C4, "RMS", "DEV", "error in device name or inappropriate device type for operation")
RMS_DIR = _m(0x000184CC, "RMS", "DIR", "error in directory name")
RMS_DME = _m(0x000184D4, "RMS", "DME", "dynamic memory exhausted")
RMS_ESS = _m(0x00018504, "RMS", "ESS", "expanded string area too small")
RMS_FAC = _m(0x00018514, "RMS", "FAC", "record operation not permitted by specified file access (FAC)")
RMS_FNM = _m(0x0001852C, "RMS", "FNM", "error in file name")
RMS_FUL = _m(0x00018544, "RMS", "FUL", "device full (insufficient space for allocation)")
RMS_IFI = _m(0x00018564, "RMS", "IFI", "invalid internal file identifier (IFI) value")
RMS_IOP = _m(0x00018574, "RMS", "IOP", "operation invalid for file organization or device")
RMS_ISI = _m(0x00018584, "RMS", "ISI", "invalid internal stream identifier (ISI) value")
RMS_LNE = _m(0x000185BC, "RMS", "LNE", "logical name translation error")
RMS_NOD = _m(0x000185F4, "RMS", "NOD", "error in node name")
RMS_QUO = _m(0x00018634, "RMS", "QUO", "error in quoted string")
RMS_RSS = _m(0x00018694, "RMS", "RSS", "invalid resultant string size")
RMS_RSZ = _m(0x000186A4, "RMS", "RSZ", "invalid record size")
RMS_SYN = _m(0x000186D4, "RMS", "SYN", "file specification syntax error")
RMS_TYP = _m(0x000186E4, "RMS", "TYP", "error in file type")
RMS_VER = _m(0x000186FC, "RMS", "VER", "error in version number")
RMS_WLD = _m(0x00018744, "RMS", "WLD", "invalid wildcard operation")
RMS_ACC = _m(0x0001C002, "RMS", "ACC", "ACP file access failed")
RMS_CRE = _m(0x0001C00A, "RMS", "CRE", "ACP file create failed")
RMS_MKD = _m(0x0001C032, "RMS", "MKD", "ACP could not mark file for deletion")
RMS_DNF = _m(0x0001C04A, "RMS", "DNF", "directory not found")
RMS_RER = _m(0x0001C0F4, "RMS", "RER", "file read error")
RMS_WER = _m(0x0001C114, "RMS", "WER", "file write error")
# RMS codes that are shared system messages (no entry of their own).
RMS_CREATED = 0x00010619
RMS_SUPERSEDE = 0x00010631
RMS_FILEPURGED = 0x00010679

# ---------------------------------------------------------------------------------------------
# DCL / CLI (facility 3).
# ---------------------------------------------------------------------------------------------
CLI_NORMAL = _m(0x00030001, "DCL", "NORMAL", "normal successful completion")  # [I] text
CLI_ABVERB = _m(0x00038008, "DCL", "ABVERB", "ambiguous command verb - supply more characters")
CLI_ABKEYW = _m(0x00038010, "DCL", "ABKEYW", "ambiguous qualifier or keyword - supply more characters")
CLI_BUFOVF = _m(0x00038018, "DCL", "BUFOVF", "command buffer overflow - shorten expression or command line")
CLI_COMPLX = _m(0x00038020, "DCL", "COMPLX", "expression too complex - simplify")
CLI_DEFOVF = _m(0x00038028, "DCL", "DEFOVF", "too many command procedure parameters - limit to eight")
CLI_DIRECT = _m(0x00038030, "DCL", "DIRECT", "invalid directory syntax - check brackets and other delimiters")
CLI_EXPSYN = _m(0x00038038, "DCL", "EXPSYN", "invalid expression syntax - check operators and operands")
CLI_IMCHNG = _m(0x00038040, "DCL", "IMCHNG", "two images requested in one command")
CLI_INSFPRM = _m(0x00038048, "DCL", "INSFPRM", "missing command parameters - supply all required parameters")
CLI_IVCHAR = _m(0x00038050, "DCL", "IVCHAR", "invalid numeric value - check for invalid digits")
CLI_IVKEYW = _m(0x00038060, "DCL", "IVKEYW", "unrecognized keyword - check validity and spelling")
CLI_IVOPER = _m(0x00038068, "DCL", "IVOPER", "unrecognized operator in expression - check spelling and syntax")
CLI_IVPROT = _m(0x00038070, "DCL", "IVPROT", "invalid protection code")
CLI_IVQLOC = _m(0x00038078, "DCL", "IVQLOC", "invalid qualifier location - place after a parameter")
CLI_IVSYMB = _m(0x00038080, "DCL", "IVSYMB", "invalid symbol name - start name with an alphabetic character")
CLI_IVVALU = _m(0x00038088, "DCL", "IVVALU", "invalid value syntax - see command documentation")
CLI_IVVERB = _m(0x00038090, "DCL", "IVVERB", "unrecognized command verb - check validity and spelling")
CLI_MAXPARM = _m(0x00038098, "DCL", "MAXPARM", "too many parameters - reenter command with fewer parameters")
CLI_NOATFIL = _m(0x000380A0, "DCL", "NOATFIL", "no file name for command procedure")
CLI_NOCCAT = _m(0x000380A8, "DCL", "NOCCAT", "parameter concatenation not allowed - check use of plus (+)")
CLI_NOCOMD = _m(0x000380B0, "DCL", "NOCOMD", "no command on line - reenter with alphabetic first character")
CLI_NOKEYW = _m(0x000380B8, "DCL", "NOKEYW", "qualifier name is missing - append the name to the slash")
CLI_NOLIST = _m(0x000380C0, "DCL", "NOLIST", "list of parameter values not allowed - check use of comma (,)")
CLI_NOQUAL = _m(0x000380C8, "DCL", "NOQUAL", "qualifiers not allowed - supply only verb and parameters")
CLI_NOVALU = _m(0x000380D0, "DCL", "NOVALU", "value not allowed - remove value specification")
CLI_NOTNEG = _m(0x000380D8, "DCL", "NOTNEG", 'qualifier or keyword not negatable - remove "NO" or omit')
CLI_NULFIL = _m(0x000380E0, "DCL", "NULFIL", "missing or invalid file specification - respecify")
CLI_NUMBER = _m(0x000380E8, "DCL", "NUMBER", "invalid numeric value - supply an integer")
CLI_ONCOMD = _m(0x000380F0, "DCL", "ONCOMD", "ON command too large - decrease the length of the THEN clause")
CLI_ONERR = _m(0x000380F8, "DCL", "ONERR", "invalid ON condition - use WARNING, SEVERE, ERROR, or CONTROL_Y")
CLI_ONLEVL = _m(0x00038100, "DCL", "ONLEVL", "invalid ON context - use only within command procedures")
CLI_ONOVF = _m(0x00038108, "DCL", "ONOVF", "no room for ON command - symbol overflow, delete some symbols")
CLI_PARMDEL = _m(0x00038110, "DCL", "PARMDEL", "invalid parameter delimiter - check use of special characters")
CLI_RSLOVF = _m(0x00038118, "DCL", "RSLOVF", "buffer overflow - specify fewer command elements")
CLI_SKPDAT = _m(0x00038120, "DCL", "SKPDAT", 'image data (records not beginning with "$") ignored')
CLI_STKOVF = _m(0x00038128, "DCL", "STKOVF", "command procedures too deeply nested - limit to 32 levels")
CLI_SYMDEL = _m(0x00038130, "DCL", "SYMDEL", "invalid symbol or value delimiter - check command syntax")
CLI_SYMOVF = _m(0x00038138, "DCL", "SYMOVF", "no room for symbol definitions - delete some symbols")
CLI_UNDSYM = _m(0x00038140, "DCL", "UNDSYM", "undefined symbol - check validity and spelling")
CLI_USGOTO = _m(0x00038148, "DCL", "USGOTO", "target of GOTO not found - check spelling and presence of label")
CLI_VALREQ = _m(0x00038150, "DCL", "VALREQ", "missing qualifier or keyword value - supply all required values")
CLI_ONEVAL = _m(0x00038158, "DCL", "ONEVAL", "list of values not allowed - check use of comma (,)")
CLI_OVRFLW = _m(0x00038160, "DCL", "OVRFLW", "too much data - modify size of field or size of data")
CLI_INVKEY = _m(0x00038178, "DCL", "INVKEY", "invalid keyword")
CLI_UNDFIL = _m(0x00038188, "DCL", "UNDFIL", "file has not been opened by DCL - check logical name")
CLI_FILOPN = _m(0x00038190, "DCL", "FILOPN", "file is already open")
CLI_BADRET = _m(0x00038198, "DCL", "BADRET", "RETURN was issued without a subroutine")
CLI_ABSYMD = _m(0x000381A0, "DCL", "ABSYMD", "abbreviated symbol definition conflict - rename symbol")
CLI_INVUIC = _m(0x000381A8, "DCL", "INVUIC", "invalid UIC - must be of the form [group,member]")
CLI_ABFNAM = _m(0x000381B8, "DCL", "ABFNAM", "ambiguous lexical function name - supply more characters")
CLI_IVFNAM = _m(0x000381C0, "DCL", "IVFNAM", "invalid lexical function name - check validity and spelling")
CLI_BADBLK = _m(0x000381D8, "DCL", "BADBLK", "END issued without corresponding BEGIN")
CLI_NOLBLS = _m(0x000381E0, "DCL", "NOLBLS", "label ignored - use only within command procedures")
CLI_ABSENT = _m(0x000381F0, "DCL", "ABSENT", "entity or value absent from command string")
CLI_NEGATED = _m(0x000381F8, "DCL", "NEGATED", "entity explicitly negated in command string")
CLI_INVFILSPE = _m(0x00038200, "DCL", "INVFILSPE", "input or output file specification too long - shorten")
CLI_NOTHEN = _m(0x00038210, "DCL", "NOTHEN", "IF or ON statement syntax error - check placement of THEN keyword")
CLI_SYMTOOLNG = _m(0x00038218, "DCL", "SYMTOOLNG", "symbol !AS is too long to copy to subprocess")
CLI_INVRANGE = _m(0x00038228, "DCL", "INVRANGE", "field specification is out of bounds - check sign and size")
CLI_LOCNEG = _m(0x00038230, "DCL", "LOCNEG", "entity explicitly and locally negated in command string")
CLI_IVQUAL = _m(0x00038240, "DCL", "IVQUAL", "unrecognized qualifier - check validity, spelling, and placement")
CLI_CMDSEG = _m(0x00038248, "DCL", "CMDSEG", " \\!AS\\")
CLI_CONFLICT = _m(0x00038258, "DCL", "CONFLICT", "illegal combination of command elements - check documentation")
CLI_ARGREQ = _m(0x00038268, "DCL", "ARGREQ", "missing argument - supply all required arguments")
CLI_SYMLNG = _m(0x00038270, "DCL", "SYMLNG", "symbol name is too long - shorten the name")
CLI_SYMABR = _m(0x00038278, "DCL", "SYMABR", 'abbreviated symbols not allowed - remove "*" from symbol name')
CLI_NOPAREN = _m(0x00038288, "DCL", "NOPAREN", "value improperly delimited - supply parenthesis")
CLI_IVATIME = _m(0x00038290, "DCL", "IVATIME", "invalid absolute time - use DD-MMM-YYYY:HH:MM:SS.CC format")
CLI_IVDTIME = _m(0x00038298, "DCL", "IVDTIME", "invalid delta time - use DDDD-HH:MM:SS.CC format")
CLI_TKNOVF = _m(0x000382A0, "DCL", "TKNOVF", "command element is too long - shorten")
CLI_PERMSYM = _m(0x000382B8, "DCL", "PERMSYM", "deletion of permanent symbols not allowed")
CLI_GBLNDF = _m(0x000382C0, "DCL", "GBLNDF", "cannot define symbol - symbol scope set to NOGLOBAL")
CLI_INVGOSUB = _m(0x000382C8, "DCL", "INVGOSUB", "invalid use of the GOSUB command")
CLI_GOSUBMAX = _m(0x000382D0, "DCL", "GOSUBMAX", "GOSUB procedures too deeply nested - limit to 16 levels")
CLI_USCALL = _m(0x000382D8, "DCL", "USCALL", "CALL target !AC either missing, misspelled, or inaccessible")
CLI_USGOSUB = _m(0x000382E0, "DCL", "USGOSUB", "target of GOSUB not found - check spelling and presence of label")
CLI_UNSUPITEM = _m(0x00038368, "DCL", "UNSUPITEM", "item not supported by lexical function")
CLI_IMAGEFNF = _m(0x000388B2, "CLI", "IMAGEFNF", "image file not found !AS")
CLI_INVCALL = _m(0x00038942, "DCL", "INVCALL", "invalid CALL nesting structure or data inconsistency detected")  # [I] sev.
CLI_INVIFNEST = _m(0x0003894A, "DCL", "INVIFNEST", "invalid IF-THEN-ELSE nesting structure or data inconsistency")  # [I]
CLI_SUPERSEDE = _m(0x0003DDEB, "DCL", "SUPERSEDE", "previous value of !AS has been superseded")
CLI_IGNQUAL = _m(0x0003DE03, "DCL", "IGNQUAL", "qualifiers appearing before this item were ignored")
CLI_SYMTRUNC = _m(0x0003DE2B, "DCL", "SYMTRUNC", "preceding symbol value has been truncated")
CLI_MSNGENDS = _m(0x0003DE4A, "DCL", "MSNGENDS", "missing or misspelled ENDSUBROUTINE statement detected while scanning for label")  # [I]
CLI_SPAWNED = _m(0x0003FD01, "DCL", "SPAWNED", "process !AS spawned")
CLI_ATTACHED = _m(0x0003FD09, "DCL", "ATTACHED", "terminal now attached to process !AS")
CLI_RETURNED = _m(0x0003FD11, "DCL", "RETURNED", "control returned to process !AS")
CLI_PRESENT = _m(0x0003FD19, "DCL", "PRESENT", "entity value is present in command string")
CLI_DEFAULTED = _m(0x0003FD21, "DCL", "DEFAULTED", "entity defaulted present in command string")
CLI_CONCAT = _m(0x0003FD29, "DCL", "CONCAT", "requested value is terminated by a plus sign")
CLI_LOCPRES = _m(0x0003FD31, "DCL", "LOCPRES", "entity value is locally present in command string")
CLI_COMMA = _m(0x0003FD39, "DCL", "COMMA", "requested value is terminated by a comma")
CLI_PROC_ID = _m(0x0003FFF1, "RUN", "PROC_ID", "identification of created process is !XL")
# Shared messages as DCL signals them ([O] %DCL-E-OPENIN).
CLI_OPENIN = SHR_OPENIN | 0x00030002
CLI_OPENOUT = SHR_OPENOUT | 0x00030002

# INSTALL (facility number [I]).
INSTALL_FILEXISTS = _m(0x00CB8000, "INSTALL", "FILEXISTS", "!AS already exists in the known file list")  # [I]
INSTALL_NOKFEFND = _m(0x00CB800A, "INSTALL", "NOKFEFND", "Known File Entry not found !AS")  # [I]

# Image activation: ACTIMAGE's number [I]; a shareable image run as a program [I].
CLI_ACTIMAGE = _m(0x0003FE00, "DCL", "ACTIMAGE", "error activating image !AS")
CLI_IMGNAME = _m(0x000388BA, "CLI", "IMGNAME", "image file !AS is not executable")  # [I]

# [I] text and number: SET DEFAULT to a directory that does not exist.
CLI_INVDEF = _m(0x0003FDF3, "DCL", "INVDEF", "!AS does not exist")

# ---------------------------------------------------------------------------------------------
# CREATE (facility 0xA3 [I]: texts as VMS prints them, numbers inferred).
# ---------------------------------------------------------------------------------------------
CREATE_CREATED = _m(0x00A38013, "CREATE", "CREATED", "!AS created")
CREATE_EXISTS = _m(0x00A3801B, "CREATE", "EXISTS", "!AS already exists")
CREATE_DIRNOTCRE = _m(0x00A38022, "CREATE", "DIRNOTCRE", "!AS directory file not created")

# ---------------------------------------------------------------------------------------------
# SHOW (facility 0x78).
# ---------------------------------------------------------------------------------------------
SHOW_NOTRAN = _m(0x00788019, "SHOW", "NOTRAN", "no translation for logical name !AS")

# ---------------------------------------------------------------------------------------------
# SET (facility 0x77 [I]): SET PASSWORD.  Texts of PWDNOTVAL as printed by VMS; the others and
# every number [I].
# ---------------------------------------------------------------------------------------------
SET_PWDNOTVAL = _m(0x0077800A, "SET", "PWDNOTVAL", "old password validation error - password not changed")
SET_PWDNOTVER = _m(0x00778012, "SET", "PWDNOTVER", "new password verification error - password not changed")  # [I]
SET_INVPWDLEN = _m(0x0077801A, "SET", "INVPWDLEN", "invalid password length - password not changed")  # [I]
SET_PWDSYNTAX = _m(0x00778022, "SET", "PWDSYNTAX", "illegal password syntax - password not changed")  # [I]
SET_PWDLOCKED = _m(0x0077802C, "SET", "PWDLOCKED", "password is locked to prevent change")  # [I]

# ---------------------------------------------------------------------------------------------
# UAF (AUTHORIZE, facility 0xB3 [I]).  Texts as AUTHORIZE prints them (ADDMSG, COPMSG, MDFYMSG,
# REMMSG, NOMODS, BADSPC, BADUSR, UAEERR, DEFPWD, NAOFIL, PWDLESSMIN, RDBADDMSGU, RDBADDERRU,
# RDBDONEMSG, LSTMSG2 seen in VMS output); every number and the other texts [I].
# ---------------------------------------------------------------------------------------------
UAF_ADDMSG = _m(0x00B38003, "UAF", "ADDMSG", "user record successfully added")
UAF_COPMSG = _m(0x00B3800B, "UAF", "COPMSG", "user record copied")
UAF_MDFYMSG = _m(0x00B38013, "UAF", "MDFYMSG", "user record(s) updated")
UAF_REMMSG = _m(0x00B3801B, "UAF", "REMMSG", "record removed from system authorization file")
UAF_NOMODS = _m(0x00B38023, "UAF", "NOMODS", "no modifications made to system authorization file")
UAF_DONEMSG = _m(0x00B3802B, "UAF", "DONEMSG", "system authorization file modified")  # [I] text
UAF_RDBNOMODS = _m(0x00B38033, "UAF", "RDBNOMODS", "no modifications made to rights database")  # [I]
UAF_RDBDONEMSG = _m(0x00B3803B, "UAF", "RDBDONEMSG", "rights database modified")
UAF_PWDLESSMIN = _m(0x00B38043, "UAF", "PWDLESSMIN", "new password is shorter than minimum password length")
UAF_LSTMSG1 = _m(0x00B3804B, "UAF", "LSTMSG1", "writing listing file")  # [I] text
UAF_LSTMSG2 = _m(0x00B38053, "UAF", "LSTMSG2", "listing file !AS complete")
UAF_RDBADDMSGU = _m(0x00B3805B, "UAF", "RDBADDMSGU", "identifier !AS value !AS added to rights database")
UAF_RDBREMMSGU = _m(0x00B38063, "UAF", "RDBREMMSGU", "identifier !AS value !AS removed from rights database")  # [I]
UAF_RDBMDFYMSG = _m(0x00B3806B, "UAF", "RDBMDFYMSG", "identifier !AS modified")  # [I] text
UAF_BADSPC = _m(0x00B38070, "UAF", "BADSPC", "no user matches specification")
UAF_BADUSR = _m(0x00B38078, "UAF", "BADUSR", "user name does not exist")
UAF_DEFPWD = _m(0x00B38080, "UAF", "DEFPWD", "copied or renamed records must receive new password")
UAF_UAEERR = _m(0x00B3808A, "UAF", "UAEERR", "invalid user name, user name already exists")
UAF_NAOFIL = _m(0x00B38092, "UAF", "NAOFIL", "unable to open !AS")
UAF_RDBADDERRU = _m(0x00B3809A, "UAF", "RDBADDERRU", "unable to add !AS value !AS to rights database")
UAF_INVUSR = _m(0x00B380A2, "UAF", "INVUSR", "invalid user name")  # [I]
UAF_INVPWD = _m(0x00B380AA, "UAF", "INVPWD", "invalid password syntax or length")  # [I]
UAF_NOTSAME = _m(0x00B380B2, "UAF", "NOTSAME", "user name and new user name are the same")  # [I]


# ---------------------------------------------------------------------------------------------
# VMSENV (facility 2049, a customer facility: bit 27 set): the environment's own messages,
# not VMS ones.
# ---------------------------------------------------------------------------------------------
VMSENV_NOTROOT = _m(0x0801800C, "VMSENV", "NOTROOT", "!AS is not a vmsenv system root")
VMSENV_HOSTERR = _m(0x08018014, "VMSENV", "HOSTERR", "host system error: !AS")
VMSENV_NOSUCHUSER = _m(0x08018022, "VMSENV", "NOSUCHUSER", "no such user !AS in SYSUAF")
VMSENV_NOTONDEV = _m(0x0801801A, "VMSENV", "NOTONDEV",
                     "!AS is on no device of this root (see vmsenv mount)")


# ---------------------------------------------------------------------------------------------
# FILE UTILITIES.  Facility numbers: DIFF 0x6C and SEARCH 0x8D7 from status values procedures
# test for ([O] %X006C8009, %X006C8013, %X08D78053); COPY 103 and DELETE 147 as documented with
# the ODS-2 tools; DIRECT 0x79, APPEND 0x68, RENAME 0x69, PURGE 0x94 and TYPE 0x95 [I].  The
# utilities print the shared messages above under their own facility names.
# ---------------------------------------------------------------------------------------------
DIRECT_NOFILES = _m(0x00798008, "DIRECT", "NOFILES", "no files found")  # [I] number
SEARCH_NOMATCHES = _m(0x08D78053, "SEARCH", "NOMATCHES", "no strings matched")
RENAME_RENAMED = _m(0x0069800B, "RENAME", "RENAMED", "!AS renamed to !AS")  # [I] number
# DIFFERENCES' final statuses (successes, never displayed); their message texts are unknown.
DIFF_NODIFF = 0x006C8009        # the files are identical
DIFF_DIFFERENT = 0x006C8013     # differences were found


# ---------------------------------------------------------------------------------------------
# TCP/IP Services: TELNET (facility 0x766 [I]) and TCPIP (0x764, the facility of TCPIP$MSG).
# Texts of TRYING, SESSION, REMCLOSED and IVHOST as TELNET prints them; CONNECTFAIL's text and
# every TELNET number [I].  EAI_AGAIN's text is observed; its number and EAI_NONAME's number and
# text [I] (the EAI_* group starts at %X07649630).
# ---------------------------------------------------------------------------------------------
TELNET_TRYING = _m(0x07668003, "TELNET", "TRYING", "Trying ... !AS")
TELNET_SESSION = _m(0x0766800B, "TELNET", "SESSION", "Session !2ZL, host !AS, port !UL")
TELNET_REMCLOSED = _m(0x07668011, "TELNET", "REMCLOSED", "Remote connection closed")
TELNET_IVHOST = _m(0x0766801A, "TELNET", "IVHOST", "Invalid or unknown host !AS")
TELNET_CONNECTFAIL = _m(0x07668022, "TELNET", "CONNECTFAIL", "Failed to connect to remote host")  # [I]
TCPIP_EAI_AGAIN = _m(0x07649630, "TCPIP", "EAI_AGAIN", "temporary failure")
TCPIP_EAI_NONAME = _m(0x07649658, "TCPIP", "EAI_NONAME", "unknown name or service")  # [I]


# ---------------------------------------------------------------------------------------------
# MAIL (facility 0x7E [I]): texts as VMS MAIL prints them; every number [I], and ILLFOLNAM's and
# NOSUCHMSG's texts [I].  The VMSENV messages 0x100-0x10F (customer facility below) belong to the
# mail store, delivery and mbox import of vmsenv.mail.
# ---------------------------------------------------------------------------------------------
MAIL_NOTEXIST = _m(0x007E80DA, "MAIL", "NOTEXIST", "folder !AS does not exist")
MAIL_NOSUCHUSR = _m(0x007E802A, "MAIL", "NOSUCHUSR", "no such user !AS")
MAIL_ILLFOLNAM = _m(0x007E80F2, "MAIL", "ILLFOLNAM", "illegal folder name !AS")  # [I] text
MAIL_NOSUCHMSG = _m(0x007E8022, "MAIL", "NOSUCHMSG", "message !AS does not exist")  # [I] text
MAIL_OPENIN = SHR_OPENIN | 0x007E0002
MAIL_OPENOUT = SHR_OPENOUT | 0x007E0002
VMSENV_BADMSG = _m(0x08018802, "VMSENV", "BADMSG", "message is not in RFC 822 format: !AS")
VMSENV_BADADDR = _m(0x0801880A, "VMSENV", "BADADDR", "invalid mail address !AS")
VMSENV_NOSENDER = _m(0x08018812, "VMSENV", "NOSENDER", "no sender address in the message")
VMSENV_NORCPT = _m(0x0801881A, "VMSENV", "NORCPT", "no recipient given")
VMSENV_MAILDAMAGED = _m(0x08018822, "VMSENV", "MAILDAMAGED", "message !AS of mail file !AS is damaged: !AS")
VMSENV_MAILMOVED = _m(0x0801882A, "VMSENV", "MAILMOVED", "mail file !AS has moved to !AS")
VMSENV_MAILERR = _m(0x08018832, "VMSENV", "MAILERR", "error in mail file !AS: !AS")
VMSENV_NOTIMPORTED = _m(0x08018838, "VMSENV", "NOTIMPORTED", "message !UL of !AS (at byte !UL) not imported")
VMSENV_IMPORTED = _m(0x08018843, "VMSENV", "IMPORTED",
                     "!UL message!%S imported (!UL byte!%S, !AS seconds), !UL already present, !UL not imported")


# ---------------------------------------------------------------------------------------------
# Lookup and formatting.
# ---------------------------------------------------------------------------------------------
def lookup(status: int) -> Message | None:
    """The message for a condition value (severity and control bits ignored), or None."""
    status &= 0xFFFFFFFF
    found = _TABLE.get(status & _KEY_MASK)
    if found is not None:
        return found
    facility = facility_number(status)
    if facility and not status & STS_M_FAC_SP and facility in FACILITY_NAMES:
        shared = _TABLE.get(status & 0x7FF8)
        if shared is not None:
            return Message(FACILITY_NAMES[facility], shared.ident, shared.text)
    return None


def _parts(status: int, message: Message | None) -> tuple[str, str, str]:
    if message is None:
        return "NONAME", "NOMSG", f"Message number {status & 0xFFFFFFFF:08X}"
    return message.facility, message.ident, message.text


def _assemble(status: int, text: str, facility: str, ident: str, lead: str, flags: int) -> str | None:
    head = []
    if flags & MSG_FACILITY:
        head.append(facility)
    if flags & MSG_SEVERITY:
        head.append(severity_letter(status))
    if flags & MSG_IDENT:
        head.append(ident)
    show_text = bool(flags & MSG_TEXT)
    if not head:
        return text if show_text else None
    prefix = lead + "-".join(head)
    return f"{prefix}, {text}" if show_text else prefix


def _fill(text: str, fao_args: tuple) -> str:
    if not fao_args:
        return text
    from vmsenv.fao import fao  # local import: fao itself raises VMSError

    return fao(text, *fao_args)


def format_message(status: int, *fao_args, continuation: bool = False, flags: int = ALL_PARTS) -> str:
    """One message line, "%FAC-L-IDENT, text" ("-FAC-..." with continuation=True).

    FAO arguments fill the text's directives; with none the text is left as it is.  Returns ""
    when flags turn every part off.
    """
    facility, ident, text = _parts(status, lookup(status))
    line = _assemble(status, _fill(text, fao_args), facility, ident, "-" if continuation else "%", flags)
    return line if line is not None else ""


_ITEMS = {"TEXT": MSG_TEXT, "IDENT": MSG_IDENT, "SEVERITY": MSG_SEVERITY, "FACILITY": MSG_FACILITY}


def f_message(status: int, item: str | Iterable[str] | None = None) -> str:
    """F$MESSAGE(code[,component]): the message with FAO directives left unfilled.

    item may be one of TEXT, IDENT, SEVERITY, FACILITY (case-blind), a comma-separated list of
    them or an iterable of them; an unknown keyword raises CLI$_IVKEYW.
    """
    flags = ALL_PARTS
    if item is not None:
        names = item.split(",") if isinstance(item, str) else list(item)
        flags = 0
        for name in names:
            key = name.strip().upper()
            if key not in _ITEMS:
                raise VMSError(CLI_IVKEYW, segment=name.strip().upper())
            flags |= _ITEMS[key]
    return format_message(status, flags=flags)


class VMSError(Exception):
    """A VMS condition raised by any vmsenv layer and caught where DCL prints messages.

    VMSError(status, *fao_args, segment=None, secondary=()) -- secondary conditions are
    VMSError instances or plain status values, printed as "-FAC-L-IDENT, text" lines; segment is
    the command text DCL shows after parse errors as " \\SEGMENT\\".
    """

    def __init__(self, status: int, *fao_args, segment: str | None = None,
                 secondary: Iterable[VMSError | int] = ()):
        self.status = status & 0xFFFFFFFF
        self.fao_args = fao_args
        self.segment = segment
        self.secondary = tuple(secondary)
        super().__init__(self.status, *fao_args)

    def __str__(self) -> str:
        lines = self.lines()
        return lines[0] if lines else status_hex(self.status)

    @property
    def severity(self) -> int:
        return self.status & 7

    def _signal_lines(self, flags: int, first: bool) -> list[str]:
        lines = []
        line = format_message(self.status, *self.fao_args, continuation=not first, flags=flags)
        if line:
            lines.append(line)
        for sub in self.secondary:
            if isinstance(sub, VMSError):
                lines.extend(sub._signal_lines(flags, first=False))
            else:
                line = format_message(sub, continuation=True, flags=flags)
                if line:
                    lines.append(line)
        return lines

    def lines(self, flags: int = ALL_PARTS) -> list[str]:
        """The whole signal as DCL prints it, one string per line."""
        lines = self._signal_lines(flags, first=True)
        if self.segment is not None and flags & MSG_TEXT:
            lines.append(f" \\{self.segment}\\")
        return lines

    def __repr__(self) -> str:
        return f"VMSError({status_hex(self.status)}, segment={self.segment!r})"
