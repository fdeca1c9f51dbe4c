"""A process: who it is, what it may do, its logical names and its default directory.

Until accounts exist, a process runs as SYSTEM, UIC [1,4], with every privilege (or those given
with `dcl --privileges=`). Starting a process does what LOGINOUT does on VMS:
- the group table LNM$GROUP_gggggg (UIC group in octal) is created when missing;
- a new job gets the table LNM$JOB_xxxxxxxx (8 hex digits, an invented job information block
  address) with SYS$LOGIN, SYS$LOGIN_DEVICE and SYS$SCRATCH at executive mode;
- the process table gets SYS$DISK (supervisor), SYS$OUTPUT and SYS$ERROR (supervisor and
  executive), SYS$INPUT and SYS$COMMAND (executive, concealed and terminal) and TT.
The job table goes away when the process that created the job ends.

Each process registers in the root's process registry (processes.py): `pid` is its VMS PID
(an integer shown as 8 hex digits), `name` its unique process name.

Files: the process reaches them through `files` (vmsenv.files), whose access guard knows the
process's UIC and current privileges and the owner map: each account's login directory (its
host directory, every search-list element, existing or not yet created) -> the account's UIC,
the login specification translated through the system's logical names only (no process or job
table: a process cannot move another user's login directory by defining SYS$SYSDEVICE). The map
is built when first needed and again after the shared generation moves (a SYSUAF change, a
mount, a system logical name). When two accounts share a login directory, the first by user
name owns it.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from vmsenv import filespec as fsp
from vmsenv.files import READ, FileAccess, Files
from vmsenv.lnm import names as N
from vmsenv.lnm.service import LogicalNames
from vmsenv.processes import Registry
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


def for_account(root: Root, username: str, privileges: set[str] | None = None,
                **kwargs) -> Process:
    """A process logged in to an account of SYSUAF (its UIC, privileges and login directory);
    privileges, when given, replace the account's default privileges. Raises
    VMSError(VMSENV_NOSUCHUSER) for an unknown user."""
    from vmsenv import uaf
    from vmsenv.condition import VMSENV_NOSUCHUSER as NOSUCHUSER
    from vmsenv.condition import VMSError

    account = uaf.get(root, username)
    if account is None:
        raise VMSError(NOSUCHUSER, username.upper())
    spec = account.login_spec
    device, _, rest = spec.partition(":")
    return Process(root, username=account.username, uic=account.uic,
                   privileges=set(account.default_privileges) if privileges is None
                   else privileges,
                   authorized=set(account.authorized), login=(device + ":", rest), **kwargs)


def login_owners(root: Root) -> dict[str, tuple[int, int]]:
    """The owner map: host login directory (resolved, as a string) -> the account's UIC."""
    from vmsenv import uaf
    from vmsenv.condition import VMSError

    devices = root.devices()
    names: dict[int, Files] = {}
    owners: dict[str, tuple[int, int]] = {}
    where = fsp.ProcessDefault("SYS$SYSDEVICE:", "[000000]")
    for account in uaf.accounts(root):
        group = account.uic[0]
        files = names.get(group)
        if files is None:
            system = LogicalNames(root.store, frozenset, "LNM$JOB_00000000",
                                  f"LNM$GROUP_{group:06o}")
            files = names[group] = Files(devices, system.translate)
        try:
            paths = files.locations(account.login_spec, process_default=where)
        except (VMSError, ValueError):
            continue
        for path in paths:
            owners.setdefault(str(path), account.uic)
    return owners


class Process:
    """The identity and logical names of one running `dcl` (or image)."""

    def __init__(self, root: Root, username: str = "SYSTEM", uic: tuple[int, int] = (1, 4),
                 privileges: set[str] | None = None, terminal: str | None = None,
                 job: int | None = None, mode: str = "INTERACTIVE", name: str | None = None,
                 owner: int = 0, master: int = 0, authorized: set[str] | None = None,
                 login: tuple[str, str] = ("SYS$SYSROOT:", "[SYSMGR]")):
        self.root = root
        self.username = username.upper()
        self.uic = uic
        self.privileges = set(ALL_PRIVILEGES) if privileges is None else set(privileges)
        self.authorized = set(self.privileges) if authorized is None else set(authorized)
        self.owns_job = job is None
        self.job = job if job is not None else 0x80000000 | random.randrange(0, 1 << 24) << 6
        self.lnm = LogicalNames(root.store, lambda: self.privileges,
                                f"LNM$JOB_{self.job:08X}", f"LNM$GROUP_{uic[0]:06o}")
        self.login_device, self.login_directory = login
        self.default_directory = self.login_directory
        self._files: Files | None = None
        self._files_gen = -1
        self.registry = Registry(root.store)
        info = self.registry.register(username=self.username, uic=uic, job=self.job,
                                      mode=mode, terminal=terminal, name=name, owner=owner,
                                      master=master)
        self.pid = info.pid
        self.name = info.name
        self.terminal = info.terminal
        self.mode = mode
        self.owner = owner
        self.master = info.master
        self.started = info.started
        self._login()

    # ------------------------------------------------------------ files
    @property
    def files(self) -> Files:
        """File access through this process's logical names and the root's devices, guarded
        by the protection of files in login directories (rebuilt when the shared state
        changed, e.g. after `vmsenv mount` or AUTHORIZE)."""
        gen = self.root.store.generation.read()
        if self._files is None or gen != self._files_gen:
            from vmsenv.uaf import MAX_SYSTEM_GROUP

            access = FileAccess(lambda: self.uic, lambda: self.privileges,
                                lambda: login_owners(self.root), MAX_SYSTEM_GROUP)
            self._files = Files(self.root.devices(), self.lnm.translate, access)
            self._files_gen = gen
        return self._files

    def process_default(self) -> fsp.ProcessDefault:
        """The default device (what SYS$DISK holds) and directory."""
        entry = self.lnm.trnlnm("SYS$DISK")
        device = entry.values[0][0] if entry is not None and entry.values else self.login_device
        return fsp.ProcessDefault(device, self.default_directory)

    def default_spec(self) -> str:
        """F$ENVIRONMENT("DEFAULT"): e.g. VPT_ROOT:[SUB]."""
        return self.process_default().text

    def set_default(self, device: str, directory: str) -> None:
        """SET DEFAULT: SYS$DISK gets the device, the process keeps the directory."""
        if device != self.process_default().device:
            self.lnm.crelnm("SYS$DISK", ((device, 0),), "LNM$PROCESS", N.SUPERVISOR, N.CRELOG,
                            system=True)
        self.default_directory = directory

    def resolve_file(self, spec: str, default_type: str = "",
                     for_write: bool = False, access: str = READ) -> tuple[str, Path]:
        """An existing file for the access asked for (READ, WRITE, READ + WRITE), or a new
        version of it (for_write): the full VMS specification to display and the host path.
        Raises files.FileError (a VMSError)."""
        default = default_type if default_type.startswith(".") or not default_type \
            else "." + default_type
        pd = self.process_default()
        if for_write:
            ref = self.files.create(spec, default, process_default=pd)
        else:
            ref = self.files.lookup(spec, default, process_default=pd, access=access)
        return ref.spec, ref.path

    def start_in_host_directory(self, cwd: Path | None = None) -> None:
        """Start in the host's current directory when it lies on a mounted device."""
        here = Path(os.path.abspath(cwd or os.getcwd()))
        for device, top in self.root.devices().items():
            top = Path(os.path.abspath(top))
            if here == top or here.is_relative_to(top):
                parts = tuple(fsp.escape(c) for c in here.relative_to(top).parts)
                self.set_default(f"{device}:", fsp.DirSpec(parts=parts or ("000000",)).text)
                return

    def _login(self) -> None:
        lnm = self.lnm
        lnm.crelnt(lnm.group_table, N.SYSTEM_TABLE, N.KERNEL, N.NO_ALIAS, system=True)
        if self.owns_job:
            lnm.crelnt(lnm.job_table, N.SYSTEM_TABLE, N.KERNEL, N.NO_ALIAS, system=True)
            login = self.login_device + self.login_directory
            for name, value in (("SYS$LOGIN", login), ("SYS$LOGIN_DEVICE", self.login_device),
                                ("SYS$SCRATCH", login)):
                lnm.crelnm(name, ((value, 0),), "LNM$JOB", N.EXECUTIVE, system=True)
        tt = self.terminal or "_NLA0:"
        for name, mode, attr in (("SYS$OUTPUT", N.SUPERVISOR, 0), ("SYS$OUTPUT", N.EXECUTIVE, 0),
                                 ("SYS$ERROR", N.SUPERVISOR, 0), ("SYS$ERROR", N.EXECUTIVE, 0),
                                 ("SYS$INPUT", N.EXECUTIVE, N.CONCEALED | N.TERMINAL),
                                 ("SYS$COMMAND", N.EXECUTIVE, N.CONCEALED | N.TERMINAL),
                                 ("TT", N.SUPERVISOR, 0)):
            lnm.crelnm(name, ((tt, attr),), "LNM$PROCESS", mode, system=True)
        lnm.crelnm("SYS$DISK", ((self.login_device, 0),), "LNM$PROCESS", N.SUPERVISOR,
                   N.CRELOG, system=True)

    def logout(self) -> None:
        """End of the process: it leaves the registry; its job table goes if it created the
        job."""
        self.registry.unregister(self.pid)
        if self.owns_job:
            try:
                self.lnm.dellnm(self.lnm.job_table, N.SYSTEM_DIRECTORY, N.KERNEL, system=True)
            except Exception:  # noqa: BLE001 - a missing job table is already what we want
                pass
