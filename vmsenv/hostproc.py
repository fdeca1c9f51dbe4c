"""The host side of processes: what /proc says about them, and ending them.

A registered process (processes.py) is a host process; SHOW SYSTEM, SHOW PROCESS and F$GETJPI
read its accounting figures here, STOP and `vmsenv shutdown` end it here.

Figures (Linux /proc, read fresh on every call):

- CPU time: user plus system time of /proc/PID/stat, in hundredths of a second (VMS
  JPI$_CPUTIM counts 10 ms ticks).
- I/O: the read and write system calls of /proc/PID/io (VMS counts direct and buffered I/O
  operations; the host does not tell them apart, so direct I/O is reported as 0 and every call
  counts as buffered I/O). A process of another host user may hide its /proc/PID/io: then 0.
- Page faults: minor plus major faults.
- Pages: the resident set in 512-byte pagelets, the unit OpenVMS Alpha shows in SHOW SYSTEM.
- State: the scheduler state letter (R running, S sleeping, D disk wait, T stopped, ...).

`terminate` sends SIGTERM, waits (bounded) for the process to go, then SIGKILL and waits again.
A process is known by its host PID and host start time together, so a recycled host PID is
never signalled by mistake.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass

from vmsenv.processes import host_start_time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
PAGELET = 512
TERM_WAIT = 5.0
KILL_WAIT = 5.0


@dataclass(frozen=True)
class HostStats:
    state: str          # scheduler state letter
    cpu: int            # hundredths of a second
    io: int             # read + write system calls
    faults: int
    pagelets: int       # resident set, 512-byte pagelets


def _stat_fields(os_pid: int) -> list[bytes] | None:
    try:
        with open(f"/proc/{os_pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    return data[data.rindex(b")") + 2:].split()


def _io_calls(os_pid: int) -> int:
    try:
        with open(f"/proc/{os_pid}/io", "rb") as f:
            text = f.read().decode("ascii", "replace")
    except OSError:
        return 0
    total = 0
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("syscr", "syscw"):
            total += int(value.strip() or 0)
    return total


def stats(os_pid: int) -> HostStats | None:
    """The figures of a host process, None when it is gone."""
    fields = _stat_fields(os_pid)
    if fields is None:
        return None
    state = fields[0].decode("ascii", "replace")
    ticks = int(fields[11]) + int(fields[12])
    cpu = ticks * 100 // CLOCK_TICKS
    faults = int(fields[7]) + int(fields[9])
    pagelets = int(fields[21]) * PAGE_BYTES // PAGELET
    return HostStats(state, cpu, _io_calls(os_pid), faults, pagelets)


def format_cpu(hundredths: int) -> str:
    """CPU time as SHOW SYSTEM prints it: ``   0 00:00:00.05`` (days in 4 columns)."""
    seconds, cc = divmod(max(0, hundredths), 100)
    minutes, ss = divmod(seconds, 60)
    hours, mm = divmod(minutes, 60)
    days, hh = divmod(hours, 24)
    return f"{days:4d} {hh:02d}:{mm:02d}:{ss:02d}.{cc:02d}"


def alive(os_pid: int, os_start: int) -> bool:
    return host_start_time(os_pid) == os_start


def _wait_gone(os_pid: int, os_start: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    delay = 0.005
    while alive(os_pid, os_start):
        _reap_child(os_pid)
        if time.monotonic() >= deadline:
            return False
        time.sleep(delay)
        delay = min(delay * 2, 0.1)
    return True


def _reap_child(os_pid: int) -> None:
    """Collect a child of ours that has exited, so that it does not linger as a zombie."""
    try:
        os.waitpid(os_pid, os.WNOHANG)
    except ChildProcessError:
        pass
    except OSError:
        pass


def terminate(os_pid: int, os_start: int, term_wait: float = TERM_WAIT,
              kill_wait: float = KILL_WAIT) -> bool:
    """End a host process: SIGTERM, a bounded wait, then SIGKILL and another bounded wait.
    True when it is gone (or was already)."""
    for sig, wait in ((signal.SIGTERM, term_wait), (signal.SIGKILL, kill_wait)):
        if not alive(os_pid, os_start):
            _reap_child(os_pid)
            return True
        try:
            os.kill(os_pid, sig)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        if _wait_gone(os_pid, os_start, wait):
            return True
    return not alive(os_pid, os_start)


def host_boot_time() -> float | None:
    """When the host booted (seconds since the epoch), from /proc/stat."""
    try:
        with open("/proc/stat", "rb") as f:
            for line in f:
                if line.startswith(b"btime "):
                    return float(line.split()[1])
    except OSError:
        return None
    return None


def host_boot_id() -> str:
    """An identifier of the host's current boot (changes at every host reboot)."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
            return f.read().strip()
    except OSError:
        btime = host_boot_time()
        return "" if btime is None else f"btime-{int(btime)}"


def _listening_inodes(port: int) -> set[str] | None:
    """The inodes of this host's sockets listening on TCP port (/proc/net/tcp and tcp6);
    None when the host does not tell."""
    inodes: set[str] = set()
    seen = False
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as f:
                next(f, None)
                for line in f:
                    fields = line.split()
                    if len(fields) > 9 and fields[3] == "0A" and \
                            int(fields[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(fields[9])
            seen = True
        except OSError:
            continue
    return inodes if seen else None


def listening(port: int) -> bool | None:
    """Whether a socket of this host listens on TCP port, found without connecting to it (a
    connection would count as a client of the server); None when the host does not tell."""
    inodes = _listening_inodes(port)
    return None if inodes is None else bool(inodes)


def listens(os_pid: int, port: int) -> bool:
    """Whether the host process os_pid itself holds a socket listening on TCP port."""
    inodes = _listening_inodes(port) or set()
    try:
        fds = os.listdir(f"/proc/{os_pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{os_pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            return True
    return False
