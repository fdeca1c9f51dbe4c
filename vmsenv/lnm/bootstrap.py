"""What the system logical-name tables hold from `vmsenv init` on (facts A1, A2 and B).

The system directory and its search lists are as observed on OpenVMS V8.4 (`SHOW LOGICAL/FULL
/TABLE=LNM$SYSTEM_DIRECTORY`). The system disk is DKA0:, and this node's root is [SYS0.], with
the common root [SYS0.SYSCOMMON.] behind it, as on a single-node VMS system.
"""

from __future__ import annotations

from vmsenv.lnm import names as N
from vmsenv.lnm.names import Entry

SYSTEM_DISK = "DKA0"
CT = N.CONCEALED | N.TERMINAL


def directory_entries() -> list[Entry]:
    d = N.SYSTEM_DIRECTORY
    t = N.TERMINAL
    return [
        Entry(N.SYSTEM_DIRECTORY, d, N.KERNEL, N.NO_ALIAS | N.TABLE),
        Entry(N.SYSTEM_TABLE, d, N.KERNEL, N.NO_ALIAS | N.TABLE),
        Entry(N.SYSCLUSTER_TABLE, d, N.KERNEL, N.NO_ALIAS | N.TABLE),
        Entry("LNM$SYSTEM", d, N.KERNEL, N.NO_ALIAS,
              ((N.SYSTEM_TABLE, t), ("LNM$SYSCLUSTER", 0))),
        Entry("LNM$SYSCLUSTER", d, N.KERNEL, N.NO_ALIAS, ((N.SYSCLUSTER_TABLE, t),)),
        Entry("LNM$FILE_DEV", d, N.SUPERVISOR, 0,
              (("LNM$PROCESS", 0), ("LNM$JOB", 0), ("LNM$GROUP", 0), ("LNM$SYSTEM", 0))),
        Entry("LNM$DCL_LOGICAL", d, N.SUPERVISOR, 0, (("LNM$FILE_DEV", 0),)),
        Entry("LNM$DIRECTORIES", d, N.KERNEL, N.NO_ALIAS,
              ((N.PROCESS_DIRECTORY, t), (N.SYSTEM_DIRECTORY, t))),
        Entry("LNM$PERMANENT_MAILBOX", d, N.KERNEL, 0, (("LNM$SYSTEM", 0),)),
        Entry("LNM$TEMPORARY_MAILBOX", d, N.KERNEL, 0, (("LNM$JOB", 0),)),
    ]


def system_names(node: str) -> list[Entry]:
    """The SYS$ names of LNM$SYSTEM_TABLE, executive mode."""
    s = N.SYSTEM_TABLE
    e = N.EXECUTIVE
    disk = f"{SYSTEM_DISK}:"

    def root_dir(directory: str) -> tuple[str, int]:
        return (f"SYS$SYSROOT:[{directory}]", 0)

    return [
        Entry("SYS$SYSDEVICE", s, e, 0, ((disk, CT),)),
        Entry("SYS$SYSROOT", s, e, 0, ((f"{disk}[SYS0.]", CT), ("SYS$COMMON:", 0))),
        Entry("SYS$COMMON", s, e, 0, ((f"{disk}[SYS0.SYSCOMMON.]", CT),)),
        Entry("SYS$SPECIFIC", s, e, 0, ((f"{disk}[SYS0.]", CT),)),
        Entry("SYS$TOPSYS", s, e, 0, (("SYS0", 0),)),
        Entry("SYS$SYSTEM", s, e, 0, (root_dir("SYSEXE"),)),
        Entry("SYS$MANAGER", s, e, 0, (root_dir("SYSMGR"),)),
        Entry("SYS$STARTUP", s, e, 0, (root_dir("SYS$STARTUP"), ("SYS$MANAGER", 0))),
        Entry("SYS$LIBRARY", s, e, 0, (root_dir("SYSLIB"),)),
        Entry("SYS$SHARE", s, e, 0, (root_dir("SYSLIB"),)),
        Entry("SYS$HELP", s, e, 0, (root_dir("SYSHLP"),)),
        Entry("SYS$MESSAGE", s, e, 0, (root_dir("SYSMSG"),)),
        Entry("SYS$UPDATE", s, e, 0, (root_dir("SYSUPD"),)),
        Entry("SYS$ERRORLOG", s, e, 0, (root_dir("SYSERR"),)),
        Entry("SYS$TEST", s, e, 0, (root_dir("SYSTEST"),)),
        Entry("SYS$LOADABLE_IMAGES", s, e, 0, (root_dir("SYS$LDR"),)),
        Entry("SYS$INSTRUCTION", s, e, 0, (root_dir("SYSCBI"),)),
        Entry("SYS$EXAMPLES", s, e, 0, (root_dir("SYSHLP.EXAMPLES"),)),
        Entry("SYS$NODE", s, e, 0, ((f"{node}::", 0),)),
        Entry("SYS$CLUSTER_NODE", s, e, 0, ((f"{node}::", 0),)),
    ]


# The host directories of the system disk that the names above point into.
ROOT_DIRECTORIES = ("SYSEXE", "SYSMGR", "SYS$STARTUP", "SYSLIB", "SYSHLP", "SYSMSG", "SYSUPD",
                    "SYSERR", "SYSTEST", "SYS$LDR", "SYSCBI")
