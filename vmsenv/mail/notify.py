"""New-mail notices: ``New mail on node NODE from NODE::USER`` on the recipients' terminals, and
the new-mail count at login.

Every delivery that stores a message for a user (MAIL's SEND, `vmsenv deliver`) posts a notice
into the shared database (table ``mail_notices``: sequence, user name, text).  Each interactive
`dcl` runs a ``Watcher`` (a daemon thread, like OPCOM's): it reads the shared change counter
every POLL seconds (one memory word) and, only when it moved, the notices after the last one it
saw that are addressed to its user, and writes them on the session's terminal, followed by the
prompt the session waits at, as the VMS terminal driver redisplays an interrupted read.

Broadcast classes (DCL SET BROADCAST): a session shows mail notices unless MAIL (or every
class) is disabled for it: ``SET BROADCAST=NOMAIL``, ``SET BROADCAST=NONE``, or the shorthand
``SET NOBROADCAST`` (all classes off, what SET TERMINAL/NOBROADCAST does on VMS).  The setting
belongs to the session (the interpreter) and ends with it, as the terminal's does.

Login (what the shell calls when an interactive `dcl` starts, see ``login``): unless the account
has DISNEWMAIL, ``    You have N new Mail messages.`` (``1 new Mail message``; nothing when
there is none) -- the LOGINOUT text, indented as LOGINOUT prints it -- then the watcher starts.
Inside MAIL the entry line is MAIL's own ``You have N new messages.``.

Choices where VMS is silent (all [I]):
- A notice is the text alone on a line of its own (an empty line before it, no bell, no time).
- Notices are kept in the shared table for the last KEEP deliveries; a session sees only those
  posted after it started watching.
- `vmsenv import-mbox` posts no notices (a restore of old mail, not arrivals).
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Callable, Iterable

from vmsenv import condition as cond
from vmsenv import uaf
from vmsenv.watch import GenerationWatcher

POLL = 0.1
KEEP = 1000
SCHEMA = """
CREATE TABLE IF NOT EXISTS mail_notices (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    text     TEXT NOT NULL
);
"""
CLASSES = ("DCL", "GENERAL", "MAIL", "PHONE", "QUEUE", "SHUTDOWN", "URGENT",
           *(f"USER{n}" for n in range(1, 17)))

_ready: weakref.WeakSet = weakref.WeakSet()
_watchers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_disabled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _store(root):
    store = root.store
    if store not in _ready:
        store.db.executescript(SCHEMA)
        _ready.add(store)
    return store


def notice_text(node: str, sender: str) -> str:
    """``New mail on node NODE from NODE::USER``."""
    return f"New mail on node {node} from {sender}"


def post(root, users: Iterable[str], sender: str) -> int:
    """Post one notice per user (in one transaction); the last sequence number."""
    store = _store(root)
    text = notice_text(root.node, sender)
    names = [u.strip().upper() for u in users]

    def work(db):
        seq = 0
        for name in names:
            seq = db.execute("INSERT INTO mail_notices (username, text) VALUES (?, ?)",
                             (name, text)).lastrowid
            if seq % 100 == 0:
                db.execute("DELETE FROM mail_notices WHERE seq <= ?", (seq - KEEP,))
        return seq

    return store.change(work) if names else last_seq(root)


def last_seq(root) -> int:
    row = _store(root).db.execute("SELECT coalesce(max(seq), 0) FROM mail_notices").fetchone()
    return row[0]


def notices_after(db: sqlite3.Connection, username: str, seq: int) -> list[tuple[int, str]]:
    return db.execute("SELECT seq, text FROM mail_notices WHERE seq > ? AND username = ? "
                      "ORDER BY seq", (seq, username)).fetchall()


def notices(root, username: str, after: int = 0) -> list[tuple[int, str]]:
    """(sequence, text) of the notices kept for a user, after a sequence number."""
    return notices_after(_store(root).db, username.strip().upper(), after)


def display(texts: Iterable[str]) -> str:
    """Notices as a terminal shows them."""
    return "".join(f"\n{text}\n" for text in texts)


# ---------------------------------------------------------------------------------------------
# Broadcast classes of a session.
# ---------------------------------------------------------------------------------------------
def set_broadcast(dcl, values: Iterable[str] | None, enable_all: bool | None = None) -> None:
    """SET BROADCAST=(class,...) (``NOclass`` disables, ``ALL``/``NONE``), or with values None
    SET [NO]BROADCAST (enable_all True/False).  ValueError for an unknown class."""
    off = set(_disabled.get(dcl, set()))
    if values is None:
        off = set() if enable_all else set(CLASSES)
    else:
        for raw in values:
            value = raw.strip().upper()
            negated = value.startswith("NO") and value[2:] in CLASSES + ("ALL",)
            name = value[2:] if negated else value
            if name == "ALL":
                off = set(CLASSES) if negated else set()
            elif name == "NONE":
                off = set(CLASSES)
            elif name in CLASSES:
                if negated:
                    off.add(name)
                else:
                    off.discard(name)
            else:
                raise ValueError(value)
    _disabled[dcl] = off


def broadcast_enabled(dcl, klass: str = "MAIL") -> bool:
    return klass not in _disabled.get(dcl, set())


def disabled_classes(dcl) -> tuple:
    off = _disabled.get(dcl, set())
    return tuple(c for c in CLASSES if c in off)


# ---------------------------------------------------------------------------------------------
# The watcher.
# ---------------------------------------------------------------------------------------------
class Watcher(GenerationWatcher):
    """Shows, through `write`, each new-mail notice for `username` posted after `after`.

    ``enabled()`` is asked before showing (False: the notice is skipped, not kept for later);
    ``redisplay()`` returns the prompt to write again after the notices (or None).  The thread
    polls the shared change counter every `interval` seconds with its own connection."""

    def __init__(self, root, username: str, write: Callable[[str], None], *, after: int = 0,
                 interval: float = POLL, enabled: Callable[[], bool] | None = None,
                 redisplay: Callable[[], str | None] | None = None):
        self.root = root
        self.username = username.strip().upper()
        self.write = write
        self.cursor = after
        self.interval = interval
        self.enabled = enabled
        self.redisplay = redisplay
        super().__init__(f"mail-{self.username}")

    def prepare(self) -> None:
        _store(self.root)

    def poll(self, db: sqlite3.Connection) -> list[str]:
        """Show the notices posted since the last poll; the texts shown."""
        found = notices_after(db, self.username, self.cursor)
        if not found:
            return []
        self.cursor = found[-1][0]
        if self.stopped or (self.enabled is not None and not self.enabled()):
            return []
        texts = [text for _, text in found]
        prompt = self.redisplay() if self.redisplay is not None else None
        self.write(display(texts) + (prompt or ""))
        return texts


# ---------------------------------------------------------------------------------------------
# Interactive sessions.
# ---------------------------------------------------------------------------------------------
def _terminal_write(dcl):
    def write(text: str) -> None:
        out = dcl.levels[0].out
        try:
            out.write(text)
            if hasattr(out, "flush"):
                out.flush()
        except (OSError, ValueError):
            pass
    return write


def login_lines(root, username: str) -> list[str]:
    """What LOGINOUT says about new mail: ``    You have 2 new Mail messages.`` (nothing
    without new mail, with DISNEWMAIL, or when the mail file cannot be read)."""
    from vmsenv.mail import profile

    account = uaf.get(root, username.strip().upper())
    if account is None or "DISNEWMAIL" in account.flags:
        return []
    try:
        mail = profile.open_mail_file(root, account)
    except cond.VMSError:
        return []
    if mail is None:
        return []
    try:
        count = mail.new_mail_count()
    except cond.VMSError:
        return []
    finally:
        mail.close()
    if not count:
        return []
    return [f"    You have {count} new Mail message{'' if count == 1 else 's'}."]


def login(dcl) -> Watcher | None:
    """Call when an interactive `dcl` starts, before its first prompt: writes the new-mail
    line on the session's output and starts the session's mail watcher (returned). A process
    that belongs to no system root (an interpreter driven on its own) has no mail: None."""
    process = dcl.process
    root = getattr(process, "root", None)
    if root is None:
        return None
    after = last_seq(root)
    write = _terminal_write(dcl)
    lines = login_lines(root, process.username)
    if lines:
        write("".join(line + "\n" for line in lines))
    return watch(dcl, after=after)


def watch(dcl, *, after: int | None = None) -> Watcher:
    """Start (once) the mail watcher of a session; the running Watcher."""
    found = _watchers.get(dcl)
    if found is not None and found.running:
        return found
    process = dcl.process
    root = process.root
    watcher = Watcher(root, process.username, _terminal_write(dcl),
                      after=last_seq(root) if after is None else after,
                      enabled=lambda: broadcast_enabled(dcl, "MAIL"),
                      redisplay=lambda: getattr(dcl, "pending_prompt", None))
    _watchers[dcl] = watcher
    return watcher.start()


def logout(dcl) -> None:
    """Stop the session's mail watcher (call when the session ends)."""
    found = _watchers.pop(dcl, None)
    if found is not None:
        found.stop()


def watcher(dcl) -> Watcher | None:
    found = _watchers.get(dcl)
    return found if found is not None and found.running else None


__all__ = ["Watcher", "post", "notice_text", "last_seq", "notices", "notices_after", "display",
           "set_broadcast", "broadcast_enabled", "disabled_classes", "login", "login_lines",
           "watch", "logout", "watcher", "CLASSES"]
