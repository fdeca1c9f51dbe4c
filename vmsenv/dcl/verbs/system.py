"""The system and the process as lexical functions, and LOGOUT: F$GETSYI, F$GETJPI,
F$PRIVILEGE, F$IDENTIFIER.

What the emulated system claims to be: OpenVMS Alpha V8.4-2L1, the release the recorded
fixtures come from, on an AlphaServer ES40 (the HW_NAME observed on a real Alpha, facts C12).

F$GETSYI(item[,node]) -- items of this node only; another node name gives
%SYSTEM-W-NOSUCHNODE.  Items:

- ARCH_NAME "Alpha", ARCH_TYPE 2 (1 VAX, 2 Alpha, 3 IA64, 4 x86_64), HW_NAME
  "AlphaServer ES40", PAGE_SIZE 8192 (the Alpha page);
- VERSION and NODE_SWVERS: "V8.4-2L1" (VERSION is always 8 characters, blank-padded; this one
  fills them); NODE_SWTYPE "VMS " (4 characters);
- NODENAME: the root's node name; SCSNODE the same, blank-padded to 6 characters [I: scripts
  trim it with F$EDIT, which only makes sense if it is padded];
- BOOTTIME: when `vmsenv boot` booted the root (vmsenv.boot.boot_time), else when the host
  booted, as $ASCTIM
  prints an absolute time (day blank-padded);
- CLUSTER_MEMBER "FALSE" (no cluster); ACTIVECPU_CNT and AVAILCPU_CNT: the host's CPUs.

F$GETJPI(pid,item) -- pid "" (or 0) is the calling process, else 8 hex digits of a process in
the root's process registry (SS$_NONEXPR when it is not there).  Reading a process of another
UIC group needs WORLD, else SS$_NOPRIV with the item as segment; a process of the caller's
group needs nothing (OX-PRIV, measured).  Items:

- USERNAME (blank-padded to 12), ACCOUNT (the SYSUAF account, blank-padded to 8), UIC (as an
  identifier, ``[SYSTEM]``, ``[TCPIP$AUX,TCPIP$POP]``, else ``[g,m]`` in octal), GRP and MEM
  (integers), PID, MASTER_PID, OWNER ("" for a process that has no owner), PRCNAM, MODE,
  NODENAME, TERMINAL (as the registry has it, ``_TNA3:``), IMAGNAME ("" while no image runs),
  LOGINTIM (the start time, $ASCTIM form), CLINAME "DCL", PRIB the account's base priority
  (vmsenv.boot.base_priority; priorities are shown, not emulated), CPUTIM (CPU time used, in 10 ms
  units, from the host);
- CURPRIV, PROCPRIV, AUTHPRIV: privilege names joined by commas, in the order of the
  privilege bits (PRVDEF: CMKRNL, CMEXEC, SYSNAM, ...).  PROCPRIV (the permanent mask) is the
  authorized mask here: SET PROCESS/PRIVILEGES changes only the current one.  Another
  process's privileges are not in the registry: these items give SS$_UNSUPPORTED for it.

Any other item gives CLI$_IVKEYW with the item as segment.

F$PRIVILEGE("priv[,NOpriv...]"): "TRUE" when every named privilege is enabled and every
NO-prefixed one is not (current privileges); names are exact, with the VMS aliases DETACH
(IMPERSONATE), NOACNT (ACNT) and SETPRI (ALTPRI); an unknown name gives IVKEYW.

F$IDENTIFIER(identifier,"NAME_TO_NUMBER"|"NUMBER_TO_NAME"): through the rights database of
SYSUAF, which holds UIC identifiers only (value ``group * 65536 + member``); an unknown
identifier gives 0 or "" (HELP LEXICALS F$IDENTIFIER).  An unknown conversion type gives IVKEYW.

LOGOUT [/BRIEF]: prints ``  USERNAME     logged out at dd-MMM-yyyy hh:mm:ss.cc`` (two blanks,
the user name padded to 12, the time as $ASCTIM gives it) on the terminal and ends the
process, from any procedure level, by raising ``Logout``; the shell catches it.  /BRIEF is the
interactive default and changes nothing.  /FULL (the accounting summary) and /HANGUP are not
implemented.
"""

from __future__ import annotations

import datetime as _dt
import os

from vmsenv import boot, uaf, vmstime
from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.cld import Qualifier, Verb
from vmsenv.dcl.values import parse_number, to_int, to_str

SYSTEM_VERSION = boot.VERSION
ARCH_NAME = "Alpha"
ARCH_TYPE = 2
HW_NAME = "AlphaServer ES40"
PAGE_SIZE = 8192

# Privileges in PRVDEF bit order (bit 0 first), with the names DCL prints.
PRIVILEGE_BITS = (
    "CMKRNL", "CMEXEC", "SYSNAM", "GRPNAM", "ALLSPOOL", "IMPERSONATE", "DIAGNOSE", "LOG_IO",
    "GROUP", "ACNT", "PRMCEB", "PRMMBX", "PSWAPM", "ALTPRI", "SETPRV", "TMPMBX", "WORLD",
    "MOUNT", "OPER", "EXQUOTA", "NETMBX", "VOLPRO", "PHY_IO", "BUGCHK", "PRMGBL", "SYSGBL",
    "PFNMAP", "SHMEM", "SYSPRV", "BYPASS", "SYSLCK", "SHARE", "UPGRADE", "DOWNGRADE", "GRPPRV",
    "READALL", "IMPORT", "AUDIT", "SECURITY",
)
PRIVILEGE_ALIASES = {"DETACH": "IMPERSONATE", "NOACNT": "ACNT", "SETPRI": "ALTPRI"}


class Logout(BaseException):  # noqa: N818 - the end of the process, not an error
    """LOGOUT: leave every procedure level and end the process (the shell catches it)."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def privilege_list(names) -> str:
    """Privilege names as F$GETJPI returns them: comma-separated, in bit order."""
    have = set(names)
    return ",".join(p for p in PRIVILEGE_BITS if p in have)


def uic_text(root, uic: tuple[int, int]) -> str:
    """A UIC as VMS shows it: the identifier form when the rights database names it."""
    return uaf.uic_names(root, uic) or uaf.format_uic(uic)


def logout_line(username: str, when: _dt.datetime | None = None) -> str:
    """``  SYSTEM       logged out at 29-NOV-2026 11:25:00.00``."""
    when = vmstime.current_time() if when is None else when
    return f"  {username:<12} logged out at {vmstime.format_ftime(when)}"


# ---------------------------------------------------------------------------------------------
# F$GETSYI.
# ---------------------------------------------------------------------------------------------
def _cpus(dcl) -> int:
    return os.cpu_count() or 1


_SYI = {
    "ARCH_NAME": lambda dcl: ARCH_NAME,
    "ARCH_TYPE": lambda dcl: ARCH_TYPE,
    "HW_NAME": lambda dcl: HW_NAME,
    "PAGE_SIZE": lambda dcl: PAGE_SIZE,
    "VERSION": lambda dcl: SYSTEM_VERSION.ljust(8),
    "NODE_SWVERS": lambda dcl: SYSTEM_VERSION,
    "NODE_SWTYPE": lambda dcl: "VMS ",
    "NODENAME": lambda dcl: dcl.process.root.node,
    "SCSNODE": lambda dcl: dcl.process.root.node.ljust(6),
    "BOOTTIME": lambda dcl: vmstime.format_ftime(boot.boot_time(dcl.process.root)),
    "CLUSTER_MEMBER": lambda dcl: "FALSE",
    "ACTIVECPU_CNT": _cpus,
    "AVAILCPU_CNT": _cpus,
}


def f_getsyi(dcl, args):
    item = to_str(args[0]).strip(" \t").upper()
    node = args[1] if len(args) > 1 else None
    if item not in _SYI:
        raise VMSError(C.CLI_IVKEYW, segment=item)
    if node is not None:
        name = to_str(node).strip(" \t").upper().rstrip(":")
        if name and name != dcl.process.root.node.upper():
            raise VMSError(C.SS_NOSUCHNODE, segment=name)
    return _SYI[item](dcl)


# ---------------------------------------------------------------------------------------------
# F$GETJPI.
# ---------------------------------------------------------------------------------------------
class _Target:
    """What F$GETJPI knows of a process: the caller's own Process, or a registry row."""

    def __init__(self, dcl, info, own: bool):
        process = dcl.process
        self.own = own
        self.root = process.root
        self.info = info
        if own:
            self.pid, self.name, self.username = process.pid, process.name, process.username
            self.uic, self.mode, self.terminal = process.uic, process.mode, process.terminal
            self.owner, self.master = process.owner, process.master
            self.started = process.started
            self.os_pid = os.getpid()
        else:
            self.pid, self.name, self.username = info.pid, info.name, info.username
            self.uic, self.mode, self.terminal = info.uic, info.mode, info.terminal
            self.owner, self.master = info.owner, info.master
            self.started = info.started
            self.os_pid = info.os_pid
        self.privileges = set(process.privileges) if own else None
        self.authorized = set(process.authorized) if own else None

    def image(self, dcl) -> str:
        info = self.info if self.info is not None else dcl.process.registry.get(self.pid)
        return info.image if info is not None else ""

    def cpu_time(self) -> int:
        if self.own:
            times = os.times()
            return int((times.user + times.system) * 100)
        try:
            with open(f"/proc/{self.os_pid}/stat", "rb") as f:
                data = f.read()
        except OSError:
            return 0
        fields = data[data.rindex(b")") + 2:].split()
        ticks = int(fields[11]) + int(fields[12])
        return ticks * 100 // os.sysconf("SC_CLK_TCK")


def _account(target) -> str:
    record = uaf.get(target.root, target.username)
    return (record.account if record is not None else "").ljust(8)


def _privileges(kind: str):
    def item(dcl, target):
        if target.privileges is None:
            raise VMSError(C.SS_UNSUPPORTED, segment=kind)
        return privilege_list(target.privileges if kind == "CURPRIV" else target.authorized)
    return item


def _login_time(dcl, target) -> str:
    try:
        started = vmstime.parse_absolute(target.started)
    except VMSError:
        return target.started
    return vmstime.format_ftime(started)


_JPI = {
    "ACCOUNT": lambda dcl, t: _account(t),
    "AUTHPRIV": _privileges("AUTHPRIV"),
    "CLINAME": lambda dcl, t: "DCL",
    "CPUTIM": lambda dcl, t: t.cpu_time(),
    "CURPRIV": _privileges("CURPRIV"),
    "GRP": lambda dcl, t: t.uic[0],
    "IMAGNAME": lambda dcl, t: t.image(dcl),
    "LOGINTIM": _login_time,
    "MASTER_PID": lambda dcl, t: f"{t.master:08X}",
    "MEM": lambda dcl, t: t.uic[1],
    "MODE": lambda dcl, t: t.mode,
    "NODENAME": lambda dcl, t: t.root.node,
    "OWNER": lambda dcl, t: f"{t.owner:08X}" if t.owner else "",
    "PID": lambda dcl, t: f"{t.pid:08X}",
    "PRCNAM": lambda dcl, t: t.name,
    "PRIB": lambda dcl, t: boot.base_priority(t.root, t.username),
    "PROCPRIV": _privileges("PROCPRIV"),
    "TERMINAL": lambda dcl, t: t.terminal,
    "UIC": lambda dcl, t: uic_text(t.root, t.uic),
    "USERNAME": lambda dcl, t: t.username.ljust(12),
}


def _target(dcl, pid_arg, item: str) -> _Target:
    process = dcl.process
    text = to_str(pid_arg).strip(" \t") if pid_arg is not None else ""
    if text in ("", "0"):
        return _Target(dcl, None, own=True)
    try:
        pid = int(text, 16)
    except ValueError:
        raise VMSError(C.SS_NONEXPR, segment=item) from None
    if pid == process.pid:
        return _Target(dcl, None, own=True)
    info = process.registry.get(pid)
    if info is None:
        raise VMSError(C.SS_NONEXPR, segment=item)
    if info.uic_group != process.uic[0] and "WORLD" not in process.privileges:
        raise VMSError(C.SS_NOPRIV, segment=item)
    return _Target(dcl, info, own=False)


def f_getjpi(dcl, args):
    item = to_str(args[1]).strip(" \t").upper()
    if item not in _JPI:
        raise VMSError(C.CLI_IVKEYW, segment=item)
    return _JPI[item](dcl, _target(dcl, args[0], item))


# ---------------------------------------------------------------------------------------------
# F$PRIVILEGE and F$IDENTIFIER.
# ---------------------------------------------------------------------------------------------
def _privilege_name(word: str) -> str | None:
    if word in PRIVILEGE_BITS:
        return word
    return PRIVILEGE_ALIASES.get(word)


def f_privilege(dcl, args):
    held = dcl.process.privileges
    result = True
    for item in to_str(args[0]).split(","):
        word = item.strip(" \t").upper()
        name, wanted = _privilege_name(word), True
        if name is None and word.startswith("NO"):
            name, wanted = _privilege_name(word[2:]), False
        if name is None:
            raise VMSError(C.CLI_IVKEYW, segment=word)
        if (name in held) != wanted:
            result = False
    return "TRUE" if result else "FALSE"


_CONVERSIONS = ("NAME_TO_NUMBER", "NUMBER_TO_NAME")


def f_identifier(dcl, args):
    conversion = to_str(args[1]).strip(" \t").upper()
    if conversion not in _CONVERSIONS:
        raise VMSError(C.CLI_IVKEYW, segment=conversion)
    root = dcl.process.root
    if conversion == "NAME_TO_NUMBER":
        name = to_str(args[0]).strip(" \t").upper()
        for ident, uic in uaf.identifiers(root):
            if ident == name:
                return (uic[0] << 16) | uic[1]
        return 0
    value = args[0]
    number = value if isinstance(value, int) else parse_number(value)
    if number is None:
        number = to_int(value)
    number &= 0xFFFFFFFF
    return uaf.identifier_name(root, (number >> 16, number & 0xFFFF)) or ""


# ---------------------------------------------------------------------------------------------
# LOGOUT.
# ---------------------------------------------------------------------------------------------
def logout(dcl, cmd):
    terminal = dcl.levels[0].out
    terminal.write(logout_line(dcl.process.username) + "\n")
    terminal.flush()
    raise Logout(dcl.status)


VERBS = [
    Verb("LOGOUT", qualifiers=(Qualifier("BRIEF", negatable=False),), handler=logout),
]

LEXICALS = {
    "F$GETSYI": (f_getsyi, 1, 2),
    "F$GETJPI": (f_getjpi, 2, 2),
    "F$PRIVILEGE": (f_privilege, 1, 1),
    "F$IDENTIFIER": (f_identifier, 2, 2),
}
