"""A process: who it is, what it may do, its logical names and its default directory.

Until accounts exist, a process runs as SYSTEM, UIC [1,4], with every privilege (or those given
with `dcl --privileges=`). Starting a process does what LOGINOUT does on VMS:
- the group table LNM$GROUP_gggggg (UIC group in octal) is created when missing;
- a new job gets the table LNM$JOB_xxxxxxxx (8 hex digits, an invented job information block
  address) with SYS$LOGIN, SYS$LOGIN_DEVICE and SYS$SCRATCH at executive mode;
- the process table gets SYS$DISK (supervisor), SYS$OUTPUT and SYS$ERROR (supervisor and
  executive), SYS$INPUT and SYS$COMMAND (executive, concealed and terminal) and TT.
The job table goes away when the process that created the job ends.
"""

from __future__ import annotations

import os
import random

from vmsenv.lnm import names as N
from vmsenv.lnm.service import LogicalNames
from vmsenv.root import Root

ALL_PRIVILEGES = (
    "ACNT", "ALLSPOOL", "ALTPRI", "AUDIT", "BUGCHK", "BYPASS", "CMEXEC", "CMKRNL", "DIAGNOSE",
    "DOWNGRADE", "EXQUOTA", "GROUP", "GRPNAM", "GRPPRV", "IMPERSONATE", "IMPORT", "LOG_IO",
    "MOUNT", "NETMBX", "OPER", "PFNMAP", "PHY_IO", "PRMCEB", "PRMGBL", "PRMMBX", "PSWAPM",
    "READALL", "SECURITY", "SETPRV", "SHARE", "SHMEM", "SYSGBL", "SYSLCK", "SYSNAM", "SYSPRV",
    "TMPMBX", "UPGRADE", "VOLPRO", "WORLD",
)


def parse_privileges(text: str) -> set[str]:
    """ALL, NONE, or a comma list of privilege names (abbreviations not accepted here)."""
    result: set[str] = set()
    for item in (p.strip().upper() for p in text.split(",")):
        if item == "ALL":
            result |= set(ALL_PRIVILEGES)
        elif item in ("NONE", ""):
            continue
        elif item in ALL_PRIVILEGES:
            result.add(item)
        else:
            raise ValueError(item)
    return result


class Process:
    """The identity and logical names of one running `dcl` (or image)."""

    def __init__(self, root: Root, username: str = "SYSTEM", uic: tuple[int, int] = (1, 4),
                 privileges: set[str] | None = None, terminal: str = "_TNA0:",
                 job: int | None = None):
        self.root = root
        self.pid = os.getpid()
        self.username = username.upper()
        self.uic = uic
        self.privileges = set(ALL_PRIVILEGES) if privileges is None else set(privileges)
        self.authorized = set(self.privileges)
        self.terminal = terminal
        self.owns_job = job is None
        self.job = job if job is not None else 0x80000000 | random.randrange(0, 1 << 24) << 6
        self.lnm = LogicalNames(root.store, lambda: self.privileges,
                                f"LNM$JOB_{self.job:08X}", f"LNM$GROUP_{uic[0]:06o}")
        self.login_device = "SYS$SYSROOT:"
        self.login_directory = "[SYSMGR]"
        self.default_directory = self.login_directory
        self._login()

    def _login(self) -> None:
        lnm = self.lnm
        lnm.crelnt(lnm.group_table, N.SYSTEM_TABLE, N.KERNEL, N.NO_ALIAS, system=True)
        if self.owns_job:
            lnm.crelnt(lnm.job_table, N.SYSTEM_TABLE, N.KERNEL, N.NO_ALIAS, system=True)
            login = self.login_device + self.login_directory
            for name, value in (("SYS$LOGIN", login), ("SYS$LOGIN_DEVICE", self.login_device),
                                ("SYS$SCRATCH", login)):
                lnm.crelnm(name, ((value, 0),), "LNM$JOB", N.EXECUTIVE, system=True)
        tt = self.terminal
        for name, mode, attr in (("SYS$OUTPUT", N.SUPERVISOR, 0), ("SYS$OUTPUT", N.EXECUTIVE, 0),
                                 ("SYS$ERROR", N.SUPERVISOR, 0), ("SYS$ERROR", N.EXECUTIVE, 0),
                                 ("SYS$INPUT", N.EXECUTIVE, N.CONCEALED | N.TERMINAL),
                                 ("SYS$COMMAND", N.EXECUTIVE, N.CONCEALED | N.TERMINAL),
                                 ("TT", N.SUPERVISOR, 0)):
            lnm.crelnm(name, ((tt, attr),), "LNM$PROCESS", mode, system=True)
        lnm.crelnm("SYS$DISK", ((self.login_device, 0),), "LNM$PROCESS", N.SUPERVISOR,
                   N.CRELOG, system=True)

    def logout(self) -> None:
        """End of the process: its job table goes if it created the job."""
        if self.owns_job:
            try:
                self.lnm.dellnm(self.lnm.job_table, N.SYSTEM_DIRECTORY, N.KERNEL, system=True)
            except Exception:  # noqa: BLE001 - a missing job table is already what we want
                pass
