"""The process registry: every running process of a root, in the shared database.

Each `dcl`, each image run detached and each subprocess is a real host process that registers
here when it starts and removes itself when it ends. A row holds what SHOW SYSTEM, STOP and
F$GETJPI need: the VMS PID (8 hex digits), the unique process name, user, UIC, image, creator,
job, mode, terminal and start time.

PIDs are handed out in sequence from 0x20400100 upward (VMS PIDs of a single node look like
2040011C); a PID is never reused while the registry remembers it. Process names are unique
(case-blind); an interactive process takes its user name, or the terminal name (`_TNA3:`) when
that is taken, and a subprocess `USERNAME_n`.

Registrations of processes that died without removing themselves (killed, crashed) are found
by asking the host whether the process still exists, with its start time compared so that a
reused host PID is not mistaken for the old process; `reap()` removes them, and the job tables
of jobs that no longer have a process. Every listing reaps first, so no help is needed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from vmsenv import condition as cond
from vmsenv.lnm.store import SharedStore
from vmsenv.vmstime import current_time, format_absolute

SCHEMA = """
CREATE TABLE IF NOT EXISTS processes (
    pid       INTEGER PRIMARY KEY,
    os_pid    INTEGER NOT NULL,
    os_start  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    uname     TEXT NOT NULL UNIQUE,
    username  TEXT NOT NULL,
    uic_group INTEGER NOT NULL,
    uic_member INTEGER NOT NULL,
    image     TEXT NOT NULL DEFAULT '',
    owner     INTEGER NOT NULL DEFAULT 0,
    master    INTEGER NOT NULL DEFAULT 0,
    job       INTEGER NOT NULL,
    mode      TEXT NOT NULL,
    terminal  TEXT NOT NULL DEFAULT '',
    started   TEXT NOT NULL
);
"""
FIRST_PID = 0x20400100
MAX_NAME = 15           # a process name is 1 to 15 characters
_FIELDS = ("pid", "os_pid", "os_start", "name", "username", "uic_group", "uic_member", "image",
           "owner", "master", "job", "mode", "terminal", "started")


@dataclass(frozen=True)
class ProcessInfo:
    pid: int
    os_pid: int
    os_start: int
    name: str
    username: str
    uic_group: int
    uic_member: int
    image: str
    owner: int
    master: int
    job: int
    mode: str
    terminal: str
    started: str

    @property
    def uic(self) -> tuple[int, int]:
        return self.uic_group, self.uic_member


def host_start_time(os_pid: int) -> int | None:
    """The host's start time of a process (clock ticks since boot), None when it is gone."""
    try:
        with open(f"/proc/{os_pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2:].split()
    if fields[0] == b"Z":
        return None
    return int(fields[19])


def alive(info: ProcessInfo) -> bool:
    return host_start_time(info.os_pid) == info.os_start


class Registry:
    """The processes of one root."""

    def __init__(self, store: SharedStore):
        self.store = store
        store.db.executescript(SCHEMA)

    def _rows(self, where: str = "", args: tuple = ()) -> list[ProcessInfo]:
        rows = self.store.db.execute(
            f"SELECT {', '.join(_FIELDS)} FROM processes {where} ORDER BY pid", args).fetchall()
        return [ProcessInfo(*r) for r in rows]

    def register(self, *, username: str, uic: tuple[int, int], job: int, mode: str,
                 terminal: str | None = None, name: str | None = None, owner: int = 0,
                 master: int = 0, image: str = "", os_pid: int | None = None) -> ProcessInfo:
        """A new registration; the name is made unique as VMS does when not given.
        A given name already in use raises SS$_DUPLNAM."""
        os_pid = os.getpid() if os_pid is None else os_pid
        os_start = host_start_time(os_pid) or 0
        started = format_absolute(current_time())
        self.reap()

        def work(db):
            top = db.execute("SELECT max(pid) FROM processes").fetchone()[0]
            last = db.execute("SELECT value FROM config WHERE key = 'last_pid'").fetchone()
            pid = max(FIRST_PID - 1, top or 0, int(last[0]) if last else 0) + 1
            db.execute("INSERT OR REPLACE INTO config VALUES ('last_pid', ?)", (str(pid),))
            tty = terminal
            if tty is None:
                tty = f"_TNA{(pid - FIRST_PID) % 10000}:" if mode == "INTERACTIVE" else ""
            taken = {r[0] for r in db.execute("SELECT uname FROM processes")}
            chosen = name
            if chosen is not None and not 1 <= len(chosen) <= MAX_NAME:
                raise cond.VMSError(cond.SS_IVLOGNAM)
            if chosen is None:
                chosen = _free_name(username, tty, owner, taken, mode)
            elif chosen.upper() in taken:
                raise cond.VMSError(cond.SS_DUPLNAM)
            db.execute(f"INSERT INTO processes ({', '.join(_FIELDS[:4])}, uname, "
                       f"{', '.join(_FIELDS[4:])}) VALUES ({', '.join('?' * 15)})",
                       (pid, os_pid, os_start, chosen, chosen.upper(), username.upper(),
                        uic[0], uic[1], image, owner, master or pid, job, mode, tty, started))
            return ProcessInfo(pid, os_pid, os_start, chosen, username.upper(), uic[0], uic[1],
                               image, owner, master or pid, job, mode, tty, started)

        return self.store.change(work)

    def unregister(self, pid: int) -> None:
        def work(db):
            db.execute("DELETE FROM processes WHERE pid = ?", (pid,))
        self.store.change(work)

    def update(self, pid: int, **fields) -> None:
        if not fields:
            return
        names = ", ".join(f"{k} = ?" for k in fields)

        def work(db):
            if "name" in fields:
                clash = db.execute("SELECT pid FROM processes WHERE uname = ? AND pid != ?",
                                   (fields["name"].upper(), pid)).fetchone()
                if clash:
                    raise cond.VMSError(cond.SS_DUPLNAM)
                db.execute("UPDATE processes SET uname = ? WHERE pid = ?",
                           (fields["name"].upper(), pid))
            db.execute(f"UPDATE processes SET {names} WHERE pid = ?", (*fields.values(), pid))
        self.store.change(work)

    def get(self, pid: int) -> ProcessInfo | None:
        found = self._rows("WHERE pid = ?", (pid,))
        if found and alive(found[0]):
            return found[0]
        if found:
            self.reap()
        return None

    def by_name(self, name: str) -> ProcessInfo | None:
        found = self._rows("WHERE uname = ?", (name.upper(),))
        if found and alive(found[0]):
            return found[0]
        return None

    def all(self) -> list[ProcessInfo]:
        self.reap()
        return self._rows()

    def reap(self) -> list[ProcessInfo]:
        """Remove the registrations of processes that are gone, and the job tables of jobs
        left without a process. Returns what was removed."""
        dead = [p for p in self._rows() if not alive(p)]
        if not dead:
            return []

        def work(db):
            db.executemany("DELETE FROM processes WHERE pid = ?", [(p.pid,) for p in dead])
            live_jobs = {r[0] for r in db.execute("SELECT job FROM processes")}
            for job in {p.job for p in dead} - live_jobs:
                table = f"LNM$JOB_{job:08X}"
                SharedStore.delete_table_contents(db, table)
                SharedStore.delete(db, SharedStore.rows(db, "LNM$SYSTEM_DIRECTORY", table))
        self.store.change(work)
        return dead


def _free_name(username: str, terminal: str, owner: int, taken: set[str], mode: str) -> str:
    user = username.upper()
    if owner:
        n = 1
        while f"{user}_{n}" in taken:
            n += 1
        return f"{user}_{n}"
    if user not in taken:
        return user
    if terminal and terminal.upper() not in taken and mode == "INTERACTIVE":
        return terminal
    n = 1
    while f"{user}_{n}" in taken:
        n += 1
    return f"{user}_{n}"
