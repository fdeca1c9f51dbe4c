"""OPCOM: operator messages, the operator log file and enabled operator terminals.

Every operator message is appended to the operator log file and stored in the shared database
(table ``opcom_messages``, numbered by an AUTOINCREMENT sequence), so that every `dcl` session
enabled as an operator terminal (REPLY/ENABLE) shows it at once, whatever process sent it. A
message has classes (CENTRAL, PRINTER, ..., OPER12): an operator terminal shows the messages of
the classes it is enabled for, and the messages addressed to it alone (its REPLY/ENABLE and
REPLY/STATUS reports).

The layout, on the terminal and in the log, is the VMS one:

    %%%%%%%%%%%  OPCOM  29-NOV-2026 11:25:00.00  %%%%%%%%%%%
    Message from user SYSTEM on NODE
    text

(the day blank-padded, as ``!%D`` prints it). ``send()`` is the $SNDOPR of servers: its text
follows the ``Message from user`` line. REQUEST's text follows its terminal name
(``_TNA3:, text``). The reports of REPLY are ``Operator _TNA3: has been enabled, username
SYSTEM``, ``Operator _TNA3: has been disabled, username SYSTEM`` and ``Operator status for
operator _TNA3:`` followed by the classes, in OPCOM's order, as many as fit in 80 columns a line.

The log file is SYS$MANAGER:OPERATOR.LOG (or what the system logical name OPC$LOGFILE_NAME
says), found through the system logical names alone -- OPCOM is a system process: a process's
own names do not move it -- in the newest version, created when missing. Appends are made under
the database's write lock and an exclusive lock on the file, one message at a time, so messages
from several processes never mix and the log is in sequence order.

Operator terminals are registered in the table ``opcom_operators`` (PID, terminal, user name,
classes); a registration goes away with its process (registrations of processes no longer in
the process registry are removed whenever operators are listed or enabled). A session shows
messages through a ``Watcher``: a daemon thread that reads the shared change counter every
POLL seconds (one memory word) and, only when it moved, the messages after the last one seen.

Choices where VMS is silent (all [I]):
- Each message in the log starts with an empty line, as it starts with a new line on a terminal.
- A message from REQUEST (without /REPLY) is a ``Message from user``, not a numbered
  ``Request``; its text is shown as typed, without quotes.
- REPLY/ENABLE without classes enables every class, except SECURITY for a process without the
  SECURITY privilege; messages sent while no operator is enabled are only logged.
- A log that cannot be written does not stop the message from reaching the operators.
- The shared table keeps the last KEEP messages (the log keeps them all).

Not implemented: REQUEST/REPLY (numbered requests, REPLY/TO, /ABORT, /PENDING), REPLY/LOG
(new log versions), broadcasts to users (REPLY/ALL, /USERNAME, /TERMINAL), the terminal's
BROADCAST attribute.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from vmsenv import condition as C
from vmsenv.files import Files
from vmsenv.filespec import ProcessDefault
from vmsenv.lnm import names as N
from vmsenv.lnm.store import SharedStore
from vmsenv.processes import Registry
from vmsenv.vmstime import current_time, format_ftime
from vmsenv.watch import GenerationWatcher

CLASSES = ("CENTRAL", "PRINTER", "TAPES", "DISKS", "DEVICES", "CARDS", "NETWORK", "CLUSTER",
           "SECURITY", "LICENSE") + tuple(f"OPER{n}" for n in range(1, 13))
REQUEST_CLASSES = tuple(c for c in CLASSES if c != "LICENSE")
BANNER_MARK = "%" * 11
LOG_SPEC = "SYS$MANAGER:OPERATOR.LOG"
POLL = 0.1
KEEP = 1000
WIDTH = 80

SCHEMA = """
CREATE TABLE IF NOT EXISTS opcom_messages (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    posted  TEXT NOT NULL,
    classes TEXT NOT NULL,
    target  INTEGER NOT NULL DEFAULT 0,
    body    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS opcom_operators (
    pid      INTEGER PRIMARY KEY,
    terminal TEXT NOT NULL,
    username TEXT NOT NULL,
    classes  TEXT NOT NULL
);
"""

_ready: weakref.WeakSet = weakref.WeakSet()


@dataclass(frozen=True)
class Message:
    """One operator message: its sequence number, time (as shown), classes, the PID it is
    addressed to (0: none) and its lines after the banner."""

    seq: int
    posted: str
    classes: tuple
    target: int
    lines: tuple

    @property
    def banner(self) -> str:
        return banner(self.posted)

    def block(self) -> list[str]:
        return [self.banner, *self.lines]

    def for_operator(self, pid: int, classes: Iterable[str]) -> bool:
        return self.target == pid or bool(set(self.classes) & set(classes))


@dataclass(frozen=True)
class Operator:
    pid: int
    terminal: str
    username: str
    classes: tuple


def banner(posted: str) -> str:
    """``%%%%%%%%%%%  OPCOM  29-NOV-2026 11:25:00.00  %%%%%%%%%%%``."""
    return f"{BANNER_MARK}  OPCOM  {posted}  {BANNER_MARK}"


def ordered(classes: Iterable[str]) -> tuple:
    """Class names in OPCOM's order; ValueError for an unknown one."""
    wanted = {c.upper() for c in classes}
    unknown = wanted - set(CLASSES)
    if unknown:
        raise ValueError(f"unknown operator class {sorted(unknown)[0]}")
    return tuple(c for c in CLASSES if c in wanted)


def class_lines(classes: Iterable[str]) -> list[str]:
    """The class list of an ``Operator status`` report, wrapped at WIDTH columns."""
    names = list(ordered(classes))
    lines: list[str] = []
    line = ""
    for i, name in enumerate(names):
        item = name + ("," if i < len(names) - 1 else "")
        if line and len(line) + 1 + len(item) > WIDTH:
            lines.append(line)
            line = item
        else:
            line = f"{line} {item}" if line else item
    if line:
        lines.append(line)
    return lines


# ---------------------------------------------------------------------------------------------
# The shared tables.
# ---------------------------------------------------------------------------------------------
def _store(root) -> SharedStore:
    store = root.store
    if store not in _ready:
        store.db.executescript(SCHEMA)
        Registry(store)
        _ready.add(store)
    return store


def _row_message(row) -> Message:
    seq, posted, classes, target, body = row
    return Message(seq, posted, tuple(c for c in classes.split(",") if c), target,
                   tuple(body.split("\n")))


def last_seq(root) -> int:
    """The sequence number of the newest message (0 when there is none)."""
    row = _store(root).db.execute("SELECT coalesce(max(seq), 0) FROM opcom_messages").fetchone()
    return row[0]


def messages_after(db: sqlite3.Connection, seq: int) -> list[Message]:
    rows = db.execute("SELECT seq, posted, classes, target, body FROM opcom_messages "
                      "WHERE seq > ? ORDER BY seq", (seq,)).fetchall()
    return [_row_message(r) for r in rows]


def post(root, lines: Iterable[str], classes: Iterable[str] = ("CENTRAL",),
         target: int = 0) -> Message:
    """Store a message (lines after the banner), append it to the log; the stored Message."""
    store = _store(root)
    posted = format_ftime(current_time())
    lines = tuple(lines)
    class_text = ",".join(ordered(classes))

    def work(db):
        cur = db.execute("INSERT INTO opcom_messages (posted, classes, target, body) "
                         "VALUES (?, ?, ?, ?)", (posted, class_text, target, "\n".join(lines)))
        seq = cur.lastrowid
        if seq % 100 == 0:
            db.execute("DELETE FROM opcom_messages WHERE seq <= ?", (seq - KEEP,))
        message = Message(seq, posted, tuple(c for c in class_text.split(",") if c), target,
                          lines)
        try:
            append_log(root, message.block(), db)
        except (OSError, C.VMSError):
            pass
        return message

    return store.change(work)


def send(root, text: str, classes: Iterable[str] = ("CENTRAL",), source=None, *,
         username: str | None = None) -> Message:
    """An operator message from a program ($SNDOPR): ``Message from user USER on NODE`` and
    the text's lines. The user is `username`, else the source process's user, else SYSTEM."""
    user = username or (source.username if source is not None else "SYSTEM")
    body = text.split("\n") if text else [""]
    return post(root, [f"Message from user {user.upper()} on {root.node}", *body], classes)


def request(root, process, text: str, classes: Iterable[str] = ("CENTRAL",)) -> Message:
    """REQUEST "text": from the process's user, with its terminal name before the text."""
    terminal = process.terminal or process.name
    return post(root, [f"Message from user {process.username} on {root.node}",
                       f"{terminal}, {text}"], classes)


# ---------------------------------------------------------------------------------------------
# The log file.
# ---------------------------------------------------------------------------------------------
def _system_translator(db: sqlite3.Connection):
    """Translation through LNM$SYSTEM_TABLE alone (outermost mode first)."""

    def translate(name: str):
        entries = SharedStore.rows(db, N.SYSTEM_TABLE, name.upper())
        if not entries:
            return None
        entry = max(entries, key=lambda e: e.mode)
        return list(entry.values)

    return translate


def log_path(root, db: sqlite3.Connection | None = None) -> tuple[str, Path]:
    """The operator log file (its VMS specification and host path), created when missing."""
    db = db if db is not None else _store(root).db
    translate = _system_translator(db)
    named = translate("OPC$LOGFILE_NAME")
    spec = named[0][0] if named else LOG_SPEC
    files = Files(root.devices(), translate)
    where = ProcessDefault("SYS$SYSDEVICE:", "[000000]")
    try:
        ref = files.lookup(spec, ".LOG", process_default=where)
    except C.VMSError as err:
        if err.status != C.RMS_FNF:
            raise
        ref = files.create(spec, ".LOG", process_default=where)
    return ref.spec, ref.path


def append_log(root, lines: Iterable[str], db: sqlite3.Connection | None = None) -> Path:
    """Append one message (an empty line, then its lines) under an exclusive file lock."""
    _, path = log_path(root, db)
    data = ("\n" + "".join(line + "\n" for line in lines)).encode("latin-1", "replace")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            os.write(fd, data)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    return path


# ---------------------------------------------------------------------------------------------
# Operator terminals.
# ---------------------------------------------------------------------------------------------
def _reap(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM opcom_operators WHERE pid NOT IN (SELECT pid FROM processes)")


def operators(root) -> list[Operator]:
    """The enabled operator terminals of live processes."""
    store = _store(root)
    Registry(store).reap()
    stale = store.db.execute("SELECT count(*) FROM opcom_operators "
                             "WHERE pid NOT IN (SELECT pid FROM processes)").fetchone()[0]
    if stale:
        store.change(_reap)
    rows = store.db.execute("SELECT pid, terminal, username, classes FROM opcom_operators "
                            "ORDER BY pid").fetchall()
    return [Operator(p, t, u, tuple(c for c in k.split(",") if c)) for p, t, u, k in rows]


def operator_classes(root, pid: int) -> tuple:
    """The classes a process's terminal is enabled for (empty: not an operator)."""
    row = _store(root).db.execute("SELECT classes FROM opcom_operators WHERE pid = ?",
                                  (pid,)).fetchone()
    return tuple(c for c in row[0].split(",") if c) if row else ()


def enable(root, process, classes: Iterable[str]) -> tuple[tuple, bool, int]:
    """Enable a process's terminal for more classes: (its classes now, whether it was an
    operator before, the sequence number of the newest message at that moment)."""
    store = _store(root)
    Registry(store).reap()
    add = set(ordered(classes))

    def work(db):
        _reap(db)
        row = db.execute("SELECT classes FROM opcom_operators WHERE pid = ?",
                         (process.pid,)).fetchone()
        before = set(row[0].split(",")) - {""} if row else set()
        now = ordered(before | add)
        db.execute("INSERT OR REPLACE INTO opcom_operators VALUES (?, ?, ?, ?)",
                   (process.pid, process.terminal or process.name, process.username,
                    ",".join(now)))
        seq = db.execute("SELECT coalesce(max(seq), 0) FROM opcom_messages").fetchone()[0]
        return now, row is not None, seq

    return store.change(work)


def disable(root, process, classes: Iterable[str] | None = None) -> tuple:
    """Disable some classes (None: all); the classes left (empty: no longer an operator)."""
    store = _store(root)
    remove = set(CLASSES) if classes is None else set(ordered(classes))

    def work(db):
        row = db.execute("SELECT classes FROM opcom_operators WHERE pid = ?",
                         (process.pid,)).fetchone()
        before = set(row[0].split(",")) - {""} if row else set()
        left = ordered(before - remove)
        if left:
            db.execute("UPDATE opcom_operators SET classes = ? WHERE pid = ?",
                       (",".join(left), process.pid))
        else:
            db.execute("DELETE FROM opcom_operators WHERE pid = ?", (process.pid,))
        return left

    return store.change(work)


def enabled_report(terminal: str, username: str) -> list[str]:
    return [f"Operator {terminal} has been enabled, username {username}"]


def disabled_report(terminal: str, username: str) -> list[str]:
    return [f"Operator {terminal} has been disabled, username {username}"]


def status_report(terminal: str, classes: Iterable[str]) -> list[str]:
    return [f"Operator status for operator {terminal}", *class_lines(classes)]


def display(message: Message) -> str:
    """A message as a terminal shows it: a new line, the banner, the lines."""
    return "\n" + "".join(line + "\n" for line in message.block())


# ---------------------------------------------------------------------------------------------
# Showing messages on a session.
# ---------------------------------------------------------------------------------------------
class Watcher(GenerationWatcher):
    """Shows, through `write`, each new message for an operator terminal.

    ``Watcher(root, pid, classes, write, after=seq)``: messages after `after` that are of one of
    `classes` (``set_classes`` changes them) or addressed to `pid`; ``skip(seq)`` leaves one out
    (a message the session has already shown itself: post and show it while holding
    ``held()``, then skip it). ``redisplay`` is called after the
    messages, to put back a prompt the interpreter is waiting at (it returns the prompt text,
    or None). The thread polls the shared change counter every `interval` seconds with its own
    database connection.
    """

    def __init__(self, root, pid: int, classes: Iterable[str], write: Callable[[str], None], *,
                 after: int = 0, interval: float = POLL,
                 redisplay: Callable[[], str | None] | None = None):
        self.root = root
        self.pid = pid
        self.write = write
        self.redisplay = redisplay
        self.interval = interval
        self.cursor = after
        self._classes = tuple(classes)
        self._skip: set[int] = set()
        self._lock = threading.Lock()
        self._delivery = threading.Lock()
        super().__init__(f"opcom-{self.pid:08X}")

    @property
    def classes(self) -> tuple:
        with self._lock:
            return self._classes

    def set_classes(self, classes: Iterable[str]) -> None:
        with self._lock:
            self._classes = tuple(classes)

    def skip(self, seq: int) -> None:
        with self._lock:
            self._skip.add(seq)

    def held(self) -> threading.Lock:
        """A context manager that keeps the thread from showing anything while held (while
        the session posts and shows its own reports, then skips them)."""
        return self._delivery

    def prepare(self) -> None:
        _store(self.root)

    def poll(self, db: sqlite3.Connection) -> None:
        """Show the messages stored since the last poll (waiting while ``held()`` is held)."""
        with self._delivery:
            self._deliver(messages_after(db, self.cursor))

    def _deliver(self, found: list[Message]) -> None:
        shown = []
        for message in found:
            with self._lock:
                skipped = message.seq in self._skip
                self._skip.discard(message.seq)
                classes = self._classes
            self.cursor = message.seq
            if not skipped and message.for_operator(self.pid, classes):
                shown.append(display(message))
        if shown and not self.stopped:
            text = "".join(shown)
            prompt = self.redisplay() if self.redisplay is not None else None
            self.write(text + (prompt or ""))


__all__ = ["CLASSES", "REQUEST_CLASSES", "Message", "Operator", "Watcher", "send", "request",
           "post", "banner", "class_lines", "operators", "operator_classes", "enable",
           "disable", "log_path", "append_log", "last_seq", "messages_after", "display",
           "enabled_report", "disabled_report", "status_report"]
