"""Boot and shutdown of a root, the boot time, and the SHOW SYSTEM listing.

`vmsenv boot`:

1. If the root is already booted (a boot time is recorded for the host's current boot), it
   says so and does nothing else: booting twice is harmless.
2. It records the boot time in the root's configuration (keys ``boot_time``, an absolute VMS
   time, and ``boot_id``, the host's boot identifier, so that a root whose host has rebooted
   since counts as not booted). F$GETSYI("BOOTTIME") and SHOW SYSTEM's uptime use it.
3. The site procedures get templates when they are missing anywhere in their search lists:
   SYS$SPECIFIC:[SYS$STARTUP]SYSTARTUP_VMS.COM (found as SYS$STARTUP:SYSTARTUP_VMS.COM) and
   SYS$SPECIFIC:[SYSMGR]SYSHUTDWN.COM (found as SYS$MANAGER:SYSHUTDWN.COM). An existing file
   is never touched.
4. It prints ``%STDRV-I-STARTUP, OpenVMS startup begun at <time>`` and the site-phase line as
   VMS does, and runs SYS$STARTUP:SYSTARTUP_VMS.COM as SYSTEM in a process named STARTUP,
   mode OTHER (as the STARTUP process of VMS), with its output on the console (stdout).
   Detached processes the procedure creates outlive it.

`vmsenv shutdown` runs SYS$MANAGER:SYSHUTDWN.COM when it exists (process SHUTDOWN, as
SYSTEM), prints ``%SHUTDOWN-I-STOPUSER, all user processes will now be stopped``, stops the
root's processes one after the other -- the detached ones (modes OTHER, NETWORK, BATCH) first,
newest first, then the rest, newest first -- each with SIGTERM, a bounded wait, SIGKILL and a
bounded wait, removes their registrations, forgets the boot time and prints
``SYSTEM SHUTDOWN COMPLETE``. It runs even when the root is not booted (a shutdown can always
clean up). The host process running the shutdown and its host ancestors are never signalled
(a registration they hold is left alone).

Choices where VMS is silent (the emulation's own):

- The boot time of a root that is not booted is the host's boot time (the emulated system is
  up whenever the host is).
- `boot` exits 1 when the site procedure ends with a failure status (the boot itself is
  recorded all the same); `shutdown` exits 1 when a process could not be stopped.
- The STOPUSER line, the STDRV line and the final line are the texts VMS prints; the
  ``%VMSENV-I-BOOTED`` line for a second boot is the environment's own.

SHOW SYSTEM (system_lines): the header ``OpenVMS V8.4-2L1  on node NODE  29-NOV-2026
11:25:00.00  Uptime  0 01:02:03`` and the column heading of VMS, then one row per process in
VMS geometry (Pid %08X, name in 15 columns, state in 5, Pri 5, I/O 9, CPU 16, page faults 10,
pages 7, then the process-type column: ``  S`` subprocess, ``  B`` batch, ``  N`` network,
blanks otherwise; rows are 80 columns). Pri is the account's base priority (SYSUAF PRIORITY):
the emulation has no scheduler. State: the process running the command is CUR; otherwise the
host state maps R to COM, T to SUSP and every wait to LEF.
"""

from __future__ import annotations

import datetime as _dt
import os
from typing import TextIO

from vmsenv import condition as cond
from vmsenv import hostproc, images, uaf, vmstime
from vmsenv.processes import ProcessInfo, Registry

VERSION = "V8.4-2L1"   # as F$GETSYI("VERSION") reports it (verbs/system.py SYSTEM_VERSION)
STARTUP_PROCEDURE = "SYS$STARTUP:SYSTARTUP_VMS.COM"
SHUTDOWN_PROCEDURE = "SYS$MANAGER:SYSHUTDWN.COM"
STARTUP_TEMPLATE_SPEC = "SYS$SPECIFIC:[SYS$STARTUP]SYSTARTUP_VMS.COM"
SHUTDOWN_TEMPLATE_SPEC = "SYS$SPECIFIC:[SYSMGR]SYSHUTDWN.COM"
DETACHED_MODES = ("OTHER", "NETWORK", "BATCH")

HEADING = "  Pid    Process Name    State  Pri      I/O       CPU       Page flts  Pages"

STARTUP_TEMPLATE = """\
$ ! SYSTARTUP_VMS.COM -- site-specific startup commands.
$ !
$ ! `vmsenv boot` runs this procedure as SYSTEM, in the process STARTUP, each
$ ! time the system boots.  It was created from a template because the site had
$ ! none; it is the site's own file from now on and is never overwritten.
$ !
$ SET NOON
$ !
$ ! SSL for OpenVMS: its logical names, and its two shareable images installed
$ ! (the POP server offers TLS only when both are known images).
$ @SYS$STARTUP:SSL$STARTUP.COM
$ INSTALL CREATE SYS$LIBRARY:SSL$LIBCRYPTO_SHR32.EXE
$ INSTALL CREATE SYS$LIBRARY:SSL$LIBSSL_SHR.EXE
$ !
$ ! TCP/IP Services: the POP server, when its service is enabled
$ ! (TCPIP SET CONFIGURATION ENABLE SERVICE POP).
$ @SYS$STARTUP:TCPIP$POP_STARTUP.COM
$ !
$ EXIT 1
"""

SHUTDOWN_TEMPLATE = """\
$ ! SYSHUTDWN.COM -- site-specific shutdown commands.
$ !
$ ! `vmsenv shutdown` runs this procedure as SYSTEM before it stops the
$ ! system's processes.  It was created from a template because the site had
$ ! none; it is the site's own file from now on and is never overwritten.
$ !
$ SET NOON
$ ! Stop the POP server in an orderly way (harmless when it does not run).
$ @SYS$STARTUP:TCPIP$POP_SHUTDOWN.COM
$ !
$ EXIT 1
"""


# ---------------------------------------------------------------------------------------------
# The boot time.
# ---------------------------------------------------------------------------------------------
def booted_at(root) -> _dt.datetime | None:
    """The recorded boot time when the root is booted (for the host's current boot)."""
    recorded = root.config("boot_time")
    if not recorded or root.config("boot_id") != hostproc.host_boot_id():
        return None
    try:
        return vmstime.parse_absolute(recorded)
    except cond.VMSError:
        return None


def boot_time(root) -> _dt.datetime:
    """F$GETSYI("BOOTTIME"): the recorded boot time, else the host's boot time."""
    recorded = booted_at(root)
    if recorded is not None:
        return recorded
    btime = hostproc.host_boot_time()
    if btime is None:
        return vmstime.current_time()
    return vmstime.truncate(_dt.datetime.fromtimestamp(btime))


def format_uptime(delta: _dt.timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hh, rest = divmod(rest, 3600)
    mm, ss = divmod(rest, 60)
    return f"{days} {hh:02d}:{mm:02d}:{ss:02d}"


def _claim_boot(root, now: _dt.datetime) -> _dt.datetime | None:
    """Record the boot atomically; the time of an existing boot when there is one."""
    boot_id = hostproc.host_boot_id()

    def work(db):
        rows = dict(db.execute("SELECT key, value FROM config WHERE key IN "
                               "('boot_time', 'boot_id')").fetchall())
        if rows.get("boot_time") and rows.get("boot_id") == boot_id:
            return rows["boot_time"]
        db.execute("INSERT OR REPLACE INTO config VALUES ('boot_time', ?)",
                   (vmstime.format_absolute(now),))
        db.execute("INSERT OR REPLACE INTO config VALUES ('boot_id', ?)", (boot_id,))
        return None

    existing = root.store.change(work)
    return None if existing is None else vmstime.parse_absolute(existing)


def _forget_boot(root) -> None:
    def work(db):
        db.execute("DELETE FROM config WHERE key IN ('boot_time', 'boot_id')")
    root.store.change(work)


# ---------------------------------------------------------------------------------------------
# SHOW SYSTEM.
# ---------------------------------------------------------------------------------------------
_STATES = {"R": "COM", "T": "SUSP", "t": "SUSP"}


def process_state(info: ProcessInfo, stats: hostproc.HostStats, current: int | None) -> str:
    if current is not None and info.pid == current:
        return "CUR"
    return _STATES.get(stats.state, "LEF")


def process_type(info: ProcessInfo) -> str:
    """The letter of SHOW SYSTEM's last column: S subprocess, B batch, N network."""
    if info.owner:
        return "S"
    return {"BATCH": "B", "NETWORK": "N"}.get(info.mode, "")


def base_priority(root, username: str, cache: dict | None = None) -> int:
    """The account's base priority (SYSUAF PRIORITY), 4 when the account is gone."""
    if cache is not None and username in cache:
        return cache[username]
    account = uaf.get(root, username)
    value = int(account.quotas.get("PRIORITY", 4)) if account is not None else 4
    if cache is not None:
        cache[username] = value
    return value


def system_row(root, info: ProcessInfo, current: int | None = None,
               cache: dict | None = None) -> str | None:
    """One SHOW SYSTEM row; None when the host process is gone."""
    stats = hostproc.stats(info.os_pid)
    if stats is None:
        return None
    state = process_state(info, stats, current)
    pri = base_priority(root, info.username, cache)
    return (f"{info.pid:08X} {info.name[:15]:<15s} {state:<5s}{pri:5d}{stats.io:9d}"
            f"{hostproc.format_cpu(stats.cpu)}{stats.faults:10d}{stats.pagelets:7d}"
            f"{process_type(info):>3s}")


def system_header(root, now: _dt.datetime | None = None) -> str:
    now = vmstime.current_time() if now is None else now
    uptime = format_uptime(now - boot_time(root))
    return (f"OpenVMS {VERSION}  on node {root.node}  {vmstime.format_ftime(now)}"
            f"  Uptime  {uptime}")


def system_lines(root, current: int | None = None, now: _dt.datetime | None = None,
                 select=None) -> list[str]:
    """SHOW SYSTEM: header, heading and a row per process (select(info) filters)."""
    lines = [system_header(root, now), HEADING]
    cache: dict = {}
    for info in Registry(root.store).all():
        if select is not None and not select(info):
            continue
        row = system_row(root, info, current, cache)
        if row is not None:
            lines.append(row)
    return lines


# ---------------------------------------------------------------------------------------------
# Boot.
# ---------------------------------------------------------------------------------------------
def _system_process(root, name: str):
    from vmsenv.process import for_account

    try:
        return for_account(root, "SYSTEM", name=name, mode="OTHER", terminal="")
    except cond.VMSError as err:
        if err.status != cond.SS_DUPLNAM:
            raise
        return for_account(root, "SYSTEM", mode="OTHER", terminal="")


def _exists(process, spec: str) -> bool:
    from vmsenv.files import FileError

    try:
        process.files.lookup(spec, process_default=process.process_default())
        return True
    except FileError:
        return False


def ensure_templates(process) -> list[str]:
    """Create the site procedures' templates where none exists; the specs created."""
    created = []
    for search, target, text in ((STARTUP_PROCEDURE, STARTUP_TEMPLATE_SPEC, STARTUP_TEMPLATE),
                                 (SHUTDOWN_PROCEDURE, SHUTDOWN_TEMPLATE_SPEC,
                                  SHUTDOWN_TEMPLATE)):
        if _exists(process, search):
            continue
        ref = process.files.create(target, process_default=process.process_default())
        with open(ref.path, "w", encoding="latin-1", newline="\n") as f:
            f.write(text)
        created.append(ref.spec)
    return created


def _run_site_procedure(process, spec: str, out: TextIO) -> int:
    """Run a site procedure in process (mode OTHER); its final status. LOGOUT ends it; an
    internal error is a message on the console, never a traceback."""
    from vmsenv.dcl.interpreter import Interpreter

    try:
        from vmsenv.dcl.verbs.system import Logout
    except ImportError:
        Logout = ()  # noqa: N806 - no LOGOUT verb to catch
    dcl = Interpreter(process, out, mode="OTHER")
    try:
        status = dcl.run_procedure(spec)
    except Logout as end:
        status = end.status
    except Exception as exc:  # noqa: BLE001 - the console shows a message, not a traceback
        out.write(cond.format_message(cond.VMSENV_HOSTERR, repr(exc)) + "\n")
        status = cond.SS_ABORT
    out.flush()
    return status


def boot(root, out: TextIO) -> int:
    """`vmsenv boot`; returns the exit code."""
    now = vmstime.current_time()
    existing = _claim_boot(root, now)
    if existing is not None:
        out.write(f"%VMSENV-I-BOOTED, node {root.node} is already booted "
                  f"(since {vmstime.format_ftime(existing)})\n")
        return 0
    try:
        process = _system_process(root, "STARTUP")
    except BaseException:
        _forget_boot(root)
        raise
    try:
        try:
            ensure_templates(process)
        except BaseException:
            _forget_boot(root)
            raise
        out.write(f"%STDRV-I-STARTUP, OpenVMS startup begun at {vmstime.format_ftime(now)}\n")
        out.write("\nThe OpenVMS system is now executing the site-specific startup commands."
                  "\n\n")
        out.flush()
        status = _run_site_procedure(process, STARTUP_PROCEDURE, out)
    finally:
        process.logout()
    return 0 if cond.is_success(status) else 1


# ---------------------------------------------------------------------------------------------
# Shutdown.
# ---------------------------------------------------------------------------------------------
def _host_ancestors() -> set[int]:
    """This host process and its ancestors (never signalled by a shutdown)."""
    found = set()
    pid = os.getpid()
    while pid > 1 and pid not in found:
        found.add(pid)
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                data = f.read()
        except OSError:
            break
        pid = int(data[data.rindex(b")") + 2:].split()[1])
    return found


def shutdown_order(processes: list[ProcessInfo]) -> list[ProcessInfo]:
    """Detached processes first, then the others; newest first in each group."""
    detached = [p for p in processes if p.mode in DETACHED_MODES and not p.owner]
    others = [p for p in processes if p not in detached]
    return sorted(detached, key=lambda p: -p.pid) + sorted(others, key=lambda p: -p.pid)


def stop_processes(root, keep: set[int] = frozenset(), term_wait: float = hostproc.TERM_WAIT,
                   kill_wait: float = hostproc.KILL_WAIT) -> list[ProcessInfo]:
    """Stop every process of the root but those of the host processes in keep (and the
    caller's host ancestors); the processes that could not be stopped."""
    registry = Registry(root.store)
    spared = _host_ancestors() | set(keep)
    failed = []
    for info in shutdown_order(registry.all()):
        if info.os_pid in spared:
            continue
        if hostproc.terminate(info.os_pid, info.os_start, term_wait, kill_wait):
            registry.unregister(info.pid)
        else:
            failed.append(info)
    registry.reap()
    return failed


def shutdown(root, out: TextIO, term_wait: float = hostproc.TERM_WAIT,
             kill_wait: float = hostproc.KILL_WAIT) -> int:
    """`vmsenv shutdown`; returns the exit code."""
    process = _system_process(root, "SHUTDOWN")
    try:
        if _exists(process, SHUTDOWN_PROCEDURE):
            _run_site_procedure(process, SHUTDOWN_PROCEDURE, out)
        out.write("%SHUTDOWN-I-STOPUSER, all user processes will now be stopped\n")
        out.flush()
        failed = stop_processes(root, term_wait=term_wait, kill_wait=kill_wait)
    finally:
        process.logout()
    for info in failed:
        out.write(cond.format_message(cond.VMSENV_HOSTERR,
                                      f"process {info.name} ({info.pid:08X}) did not stop")
                  + "\n")
    _forget_boot(root)
    images.forget_known(root)       # known images do not survive a reboot
    out.write("SYSTEM SHUTDOWN COMPLETE\n")
    out.flush()
    return 1 if failed else 0
