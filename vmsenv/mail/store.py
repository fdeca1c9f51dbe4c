"""The VMS mail file (MAIL.MAI): one transactional store per user.

A mail file is an SQLite database (WAL journal, 60 s busy timeout) named `mail.mai` in the
user's mail directory (host names are lower case, see vmsenv.files; an existing entry whose name
matches ignoring case is used).  The caller chooses the location (the login directory, or what
SET MAIL_DIRECTORY chose): `MailFile(path)` takes the host path of the mail directory or of the
file itself.

Folders (VMS MAIL help "Folders"): a folder exists while it holds a message -- NEWMAIL (new mail
arrives here) vanishes when its last message leaves, MAIL holds read mail, WASTEBASKET deleted
mail, and a user folder appears when a message is moved or copied into it.  Folder names are
1-39 characters; `parse_folder_name` applies MAIL's command syntax (unquoted: alphanumerics, `$`
and `_`, upper-cased; quoted: as given).  The store itself accepts any 1-39 printable characters.

A message keeps the four VMS header lines (From:, To:, CC:, Subj:), its arrival time, the body
bytes exactly as delivered, flags (NEW, REPLIED, MARKED, FOREIGN), and what readers need
without touching the body: its exact size in bytes, its line count, its size in POP form
(`wire_size`) and whether the stored bytes already are the POP form (`wire_ready`), plus the
layout of RFC 822 headers kept in the body (see vmsenv.mail.deliver and `original_message`).

Lines and the POP form: a line ends at LF, and a CR just before that LF is part of the line end;
a last line without LF is still a line.  The POP form of a body is every line followed by CR LF,
with a `.` put before each line that starts with `.`; `wire_size` counts the octets without
those stuffing dots (RFC 1939 sizes).  `pop_wire(body)` produces the form; when `wire_ready` is
true the stored bytes are that form already (CR LF everywhere, no bare LF, no line starting with
`.`, nothing after the last CR LF) and may be sent as they are.

Identity: `id` is an integer never reused in the file (AUTOINCREMENT; a message keeps it across
moves, PURGE/RECLAIM and SET MAIL_DIRECTORY; a copy is a new message).  `uid` is `TAG.ID`, TAG
being 8 hex digits chosen at random when the file is created, so that a recreated file does not
repeat old UIDs: printable, at most 30 characters, suitable for POP UIDL.  Deliveries may carry a
key (`NewMessage.key`): a key seen once in this file is never stored again, even after the
message was purged, which makes retried deliveries and re-run imports idempotent.

Atomicity: every change is one SQLite transaction; writers also hold an exclusive flock on the
mail directory (process-wide, re-entrant per thread), which serialises writers promptly instead of
by the busy handler's sleeps.  Bodies above 64 KiB live in files beside MAIL.MAI, named
`mail$TTTTTTTTIIIIIIII.mai` (TAG and ID in hex, like VMS's MAIL$xxxxxxxxxxxxxxxx.MAI).  Such a
file is written while the writer holds the lock: temp file, fsync, rename, fsync of the
directory, then the row is committed; the file is unlinked only after the commit that erases
its row.  A process killed at any point therefore leaves each message complete or absent; the
only debris is an unreferenced file, which `cleanup()` (also run by reclaim) removes.

Deleted space: erasing a message (PURGE of WASTEBASKET, or `erase`) adds the bytes it held in
the file (inline body and header texts) to the deleted-space count.  `reclaim()` (PURGE/RECLAIM)
returns free pages to the file system (SQLite incremental vacuum, then a WAL checkpoint) and
resets the count; it runs by itself once the count passes 32,767 bytes, as VMS MAIL does.  Unlike
VMS, a delivery during a reclaim waits instead of failing.  Choice where VMS is silent: the
incremental vacuum frees the pages the deleted messages held without rewriting the whole file,
so the automatic reclaim costs time in proportion to what was deleted, not to the file size.

Generation: the `meta` table's `generation` counts the committed write transactions (every
change goes through one; a file without the entry has generation 0).  A reader that remembers
what it derived from the file together with `generation()` may reuse it for as long as the
value is unchanged, in any process: a change made through any connection commits a new value
in the same transaction.  `listing(folders)` reads the generation and the messages in one
transaction.  Choice: reclaiming (which changes no message) and relocating (after which the
old file only names the new one) do not count.  A mail file put back from a copy of an
older state may repeat a generation with other contents: a POP server running at the time
should then be restarted (it keeps what it remembers in memory only).

The new-mail count is the number of messages with the NEW flag (VMS keeps a separate counter in
the user's mail profile; here it is derived from the file, so it cannot drift).

Moving the file (SET MAIL_DIRECTORY): `relocate(directory)` copies the database and the body
files under the writers' locks, renames the copy into place, marks the old file as moved
(`moved_to`), removes the old body files and replaces the old MAIL.MAI by a small tombstone
that only records the new place.  Writers still holding the old file, and anyone opening the
old path later, get VMSENV-E-MAILMOVED naming the new file (a Deliverer follows it by itself).
If a relocation was interrupted before its end the old file stays authoritative, and a later
relocation to the same place replaces the partial copy.

Files beside MAIL.MAI: SQLite's `mail.mai-wal` and `mail.mai-shm`, the body files, and
`mail.mai-pop` once a session lock was taken (`lock_session`).

Threads: one MailFile may be shared by threads (an internal lock serialises its calls); one per
thread works as well.  Processes coordinate through SQLite and the directory lock.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import fcntl
import hashlib
import os
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from vmsenv import condition as cond

MAIL_FILE = "mail.mai"
NEWMAIL = "NEWMAIL"
MAIL = "MAIL"
WASTEBASKET = "WASTEBASKET"

# Message flags (VMS MAIL's NEW, REPLIED, MARKED; FOREIGN for foreign-format messages).
F_NEW = 0x1
F_REPLIED = 0x2
F_MARKED = 0x4
F_FOREIGN = 0x8

# Where RFC 822 headers sit in a stored body (see vmsenv.mail.deliver).
LAYOUT_NONE = 0      # no RFC 822 headers in the body (VMS mail, or SMTP /OPTIONS=NOHEADERS)
LAYOUT_TOP = 1       # body = the original message, headers first (SMTP TOP_HEADERS)
LAYOUT_BOTTOM = 2    # body = original body, line break if needed, blank line, headers (HEADERS)

EXTERNAL_THRESHOLD = 64 * 1024
RECLAIM_THRESHOLD = 32767
PAGE_SIZE = 8192            # bodies of up to 64 KiB are rows: larger pages than SQLite's 4 KiB
SCHEMA_VERSION = 1
MAX_FOLDER = 39
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_FOLDER_CHARS = re.compile(r"[\x20-\x7E\xA0-\xFF]{1,39}")
_UNQUOTED_FOLDER = re.compile(r"[A-Z0-9$_]{1,39}")
_BODY_FILE = re.compile(r"^mail\$([0-9a-f]{8})([0-9a-f]{8,})\.(mai|tmp)$")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    """CREATE TABLE IF NOT EXISTS messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        folder TEXT NOT NULL,
        arrived INTEGER NOT NULL,
        flags INTEGER NOT NULL,
        size INTEGER NOT NULL,
        wire_size INTEGER NOT NULL,
        lines INTEGER NOT NULL,
        wire_ready INTEGER NOT NULL,
        vms_from TEXT NOT NULL,
        vms_to TEXT NOT NULL,
        vms_cc TEXT NOT NULL,
        subject TEXT NOT NULL,
        layout INTEGER NOT NULL,
        head_len INTEGER NOT NULL,
        sep_len INTEGER NOT NULL,
        body_len INTEGER NOT NULL,
        external INTEGER NOT NULL,
        digest BLOB NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS messages_folder ON messages (folder, arrived, id)",
    "CREATE INDEX IF NOT EXISTS messages_new ON messages (id) WHERE (flags & 1) = 1",
    "CREATE TABLE IF NOT EXISTS bodies (id INTEGER PRIMARY KEY, data BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS keys (key TEXT PRIMARY KEY, id INTEGER NOT NULL) WITHOUT ROWID",
)

_LIST_COLUMNS = ("id, ? || '.' || id, folder, arrived, flags, size, wire_size, lines, wire_ready,"
                 " vms_from, vms_to, vms_cc, subject, layout, head_len, sep_len, body_len,"
                 " external")
_INSERT = ("INSERT INTO messages (folder, arrived, flags, size, wire_size, lines, wire_ready,"
           " vms_from, vms_to, vms_cc, subject, layout, head_len, sep_len, body_len, external,"
           " digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_CHUNK = 500
_BUMP_GENERATION = ("INSERT INTO meta VALUES ('generation', '1') ON CONFLICT (key) "
                    "DO UPDATE SET value = CAST(value AS INTEGER) + 1")


# ---------------------------------------------------------------------------------------------
# Pure helpers.
# ---------------------------------------------------------------------------------------------
def body_stats(data: bytes) -> tuple[int, int, bool]:
    """(lines, wire_size, wire_ready) of a body, by the rules in the module docstring."""
    lf = data.count(b"\n")
    crlf = data.count(b"\r\n")
    tail = 1 if data and not data.endswith(b"\n") else 0
    lines = lf + tail
    wire_size = len(data) + (lf - crlf) + 2 * tail
    ready = lf == crlf and not tail and not data.startswith(b".") and b"\n." not in data
    return lines, wire_size, ready


def pop_wire(data: bytes) -> bytes:
    """The POP form of a body: CR LF line ends, dot-stuffed (without the final `.` CR LF)."""
    if not data:
        return b""
    out = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if not out.endswith(b"\n"):
        out += b"\r\n"
    out = out.replace(b"\n.", b"\n..")
    if out.startswith(b"."):
        out = b"." + out
    return out


def check_folder(name: str) -> str:
    """A folder name as the store takes it (1-39 printable characters), or MAIL-E-ILLFOLNAM."""
    if not isinstance(name, str) or not _FOLDER_CHARS.fullmatch(name) or not name.strip():
        raise cond.VMSError(cond.MAIL_ILLFOLNAM, str(name))
    return name


def parse_folder_name(text: str) -> str:
    """A folder name as typed to MAIL: `"Quoted Name"` as given (`""` is one quote), otherwise
    alphanumerics, `$` and `_`, upper-cased."""
    text = text.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return check_folder(text[1:-1].replace('""', '"'))
    name = text.upper()
    if not _UNQUOTED_FOLDER.fullmatch(name):
        raise cond.VMSError(cond.MAIL_ILLFOLNAM, text)
    return name


def arrival_us(when: _dt.datetime | int | float | None = None) -> int:
    """Microseconds since 1970-01-01 UTC.  A naive datetime is local time (as VMS keeps it);
    an int is taken as microseconds already, a float as seconds (time.time())."""
    if when is None:
        return time.time_ns() // 1000
    if isinstance(when, bool):
        raise TypeError("arrival time")
    if isinstance(when, int):
        return when
    if isinstance(when, float):
        return int(round(when * 1_000_000))
    if when.tzinfo is None:
        when = when.astimezone()
    return (when - _EPOCH) // _dt.timedelta(microseconds=1)


def local_time(us: int) -> _dt.datetime:
    """Microseconds since the epoch -> naive local datetime (what MAIL displays)."""
    seconds, micro = divmod(us, 1_000_000)
    return _dt.datetime.fromtimestamp(seconds).replace(microsecond=micro)


@dataclass(frozen=True)
class NewMessage:
    """A message to store.  Texts are str (bytes of 8-bit headers decoded as Latin-1)."""

    body: bytes
    vms_from: str
    to: str = ""
    cc: str = ""
    subject: str = ""
    arrived: _dt.datetime | int | float | None = None
    flags: int = F_NEW
    layout: int = LAYOUT_NONE
    head_len: int = 0
    sep_len: int = 0
    body_len: int = 0
    key: str | None = None


class MessageInfo(NamedTuple):
    """One row of a folder listing: everything but the body."""

    id: int
    uid: str
    folder: str
    arrived_us: int         # microseconds since 1970-01-01 UTC
    flags: int
    size: int               # body bytes, exact
    wire_size: int          # body octets in POP form (CR LF line ends, no stuffing dots)
    lines: int
    wire_ready: int         # 1 when the stored body is its POP form already
    vms_from: str
    to: str
    cc: str
    subject: str
    layout: int             # LAYOUT_NONE / LAYOUT_TOP / LAYOUT_BOTTOM
    head_len: int           # RFC 822 header block length (with its line ends)
    sep_len: int            # the blank line after it (0, 1 or 2 bytes)
    body_len: int           # the original message body length
    external: int           # 1 when the body lives in its own file

    @property
    def arrival(self) -> _dt.datetime:
        """Arrival as a naive local datetime."""
        return local_time(self.arrived_us)

    @property
    def arrival_utc(self) -> _dt.datetime:
        return _EPOCH + _dt.timedelta(microseconds=self.arrived_us)

    @property
    def is_new(self) -> bool:
        return bool(self.flags & F_NEW)


def original_message(info: MessageInfo, body: bytes) -> bytes | None:
    """The RFC 822 message a delivery stored, byte for byte, or None when the body holds no
    RFC 822 headers (VMS mail, NOHEADERS).  TOP: the body itself.  BOTTOM: the body is
    B + J + S + H (original body, a line break J when B does not end with one, the blank line S,
    the header block H); the original is H + S + B."""
    if info.layout == LAYOUT_TOP:
        return body
    if info.layout == LAYOUT_BOTTOM:
        n = len(body)
        head = body[n - info.head_len:] if info.head_len else b""
        sep = body[n - info.head_len - info.sep_len:n - info.head_len]
        return head + sep + body[:info.body_len]
    return None


def _check_layout(msg: NewMessage) -> None:
    size = len(msg.body)
    parts = msg.head_len + msg.sep_len + msg.body_len
    if msg.layout == LAYOUT_NONE:
        ok = parts == 0
    elif msg.layout == LAYOUT_TOP:
        ok = parts == size
    elif msg.layout == LAYOUT_BOTTOM:
        ok = parts <= size <= parts + 2
    else:
        ok = False
    if not ok or min(msg.head_len, msg.sep_len, msg.body_len) < 0:
        raise ValueError("inconsistent RFC 822 layout for the message body")


# ---------------------------------------------------------------------------------------------
# The writers' lock: an flock on the mail directory, re-entrant within a process.
# ---------------------------------------------------------------------------------------------
class _DirLock:
    _registry: dict[str, _DirLock] = {}
    _guard = threading.Lock()

    def __init__(self, path: str):
        self.path = path
        self.mutex = threading.RLock()
        self.depth = 0
        self.fd: int | None = None

    @classmethod
    @contextmanager
    def hold(cls, directory: Path) -> Iterator[None]:
        key = os.path.realpath(directory)
        with cls._guard:
            lock = cls._registry.get(key)
            if lock is None:
                lock = cls._registry[key] = _DirLock(key)
        with lock.mutex:
            if lock.depth == 0:
                fd = os.open(key, os.O_RDONLY | os.O_DIRECTORY)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
                lock.fd = fd
            lock.depth += 1
            try:
                yield
            finally:
                lock.depth -= 1
                if lock.depth == 0 and lock.fd is not None:
                    os.close(lock.fd)
                    lock.fd = None

    @classmethod
    def _after_fork(cls) -> None:
        cls._registry = {}
        cls._guard = threading.Lock()


os.register_at_fork(after_in_child=_DirLock._after_fork)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def find_mail_file(directory: Path | str) -> Path | None:
    """The existing MAIL.MAI of a directory (any case), or None."""
    directory = Path(directory)
    exact = directory / MAIL_FILE
    if exact.is_file():
        return exact
    try:
        for entry in sorted(os.listdir(directory)):
            if entry.lower() == MAIL_FILE and (directory / entry).is_file():
                return directory / entry
    except OSError:
        return None
    return None


def mail_file_path(location: Path | str) -> Path:
    """The host path of the mail file for a mail directory or a mail file path (a path whose
    name ends in `.mai`, any case, and is not a directory; anything else is a directory)."""
    location = Path(location)
    if location.suffix.lower() == ".mai" and not location.is_dir():
        return location
    return find_mail_file(location) or location / MAIL_FILE


# ---------------------------------------------------------------------------------------------
# The mail file.
# ---------------------------------------------------------------------------------------------
@dataclass
class PurgeResult:
    messages: int
    bytes: int                      # deleted space added by this purge
    reclaimed: int | None = None    # bytes returned to the file system, when a reclaim ran


@dataclass
class _Tx:
    db: sqlite3.Connection
    after: list = field(default_factory=list)
    dirsync: bool = False
    erased_bytes: int = 0


class MailFile:
    """One user's mail file.  Raises VMSError; never leaves a change half done."""

    def __init__(self, location: Path | str, *, create: bool = True):
        path = mail_file_path(location)
        self.directory = path.parent.resolve()
        self.path = self.directory / path.name
        if not self.directory.is_dir():
            raise cond.VMSError(cond.MAIL_OPENIN, str(self.path), secondary=[cond.RMS_DNF])
        if not create and not self.path.is_file():
            raise cond.VMSError(cond.MAIL_OPENIN, str(self.path), secondary=[cond.RMS_FNF])
        self._mutex = threading.RLock()
        self._db: sqlite3.Connection | None = None
        self.last_reclaim: int | None = None    # bytes, when the last change reclaimed by itself
        self._open()

    # ------------------------------------------------------------------ opening
    def _open(self) -> None:
        try:
            db = sqlite3.connect(str(self.path), timeout=60, isolation_level=None,
                                 check_same_thread=False)
        except sqlite3.Error as e:
            raise cond.VMSError(cond.MAIL_OPENOUT, str(self.path),
                                secondary=[cond.VMSError(cond.VMSENV_HOSTERR, str(e))]) from e
        try:
            db.execute("PRAGMA busy_timeout = 60000")
            if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                self._create(db)
            db.execute("PRAGMA synchronous = NORMAL")
            row = db.execute("SELECT value FROM meta WHERE key = 'tag'").fetchone()
            moved = db.execute("SELECT value FROM meta WHERE key = 'moved_to'").fetchone()
        except sqlite3.Error as e:
            db.close()
            raise cond.VMSError(cond.MAIL_OPENIN, str(self.path),
                                secondary=[cond.VMSError(cond.VMSENV_HOSTERR, str(e))]) from e
        if moved is not None:
            db.close()
            raise cond.VMSError(cond.VMSENV_MAILMOVED, str(self.path), moved[0])
        if row is None:
            db.close()
            raise cond.VMSError(cond.MAIL_OPENIN, str(self.path), secondary=[
                cond.VMSError(cond.VMSENV_HOSTERR, "not a mail file (no tag)")])
        self.tag = row[0]
        self._db = db

    def _create(self, db: sqlite3.Connection) -> None:
        with _DirLock.hold(self.directory):
            db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            db.execute("PRAGMA auto_vacuum = INCREMENTAL")
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("BEGIN IMMEDIATE")
            try:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version == 0:
                    for statement in _SCHEMA:
                        db.execute(statement)
                    db.execute("INSERT OR IGNORE INTO meta VALUES ('tag', ?)",
                               (secrets.token_hex(4).upper(),))
                    db.execute("INSERT OR IGNORE INTO meta VALUES ('deleted_bytes', '0')")
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                elif version != SCHEMA_VERSION:
                    raise sqlite3.DatabaseError(f"unknown mail file version {version}")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def close(self) -> None:
        with self._mutex:
            if self._db is not None:
                self._db.close()
                self._db = None

    def __enter__(self) -> MailFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MailFile({str(self.path)!r})"

    # ------------------------------------------------------------------ plumbing
    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise cond.VMSError(cond.VMSENV_MAILERR, str(self.path), "mail file is closed")
        return self._db

    def _error(self, e: sqlite3.Error) -> cond.VMSError:
        return cond.VMSError(cond.VMSENV_MAILERR, str(self.path), str(e))

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._mutex:
            try:
                yield self.db
            except sqlite3.Error as e:
                raise self._error(e) from e

    @contextmanager
    def _writing(self) -> Iterator[_Tx]:
        with self._mutex, _DirLock.hold(self.directory):
            db = self.db
            tx = _Tx(db)
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as e:
                raise self._error(e) from e
            try:
                moved = db.execute("SELECT value FROM meta WHERE key = 'moved_to'").fetchone()
                if moved is not None:
                    raise cond.VMSError(cond.VMSENV_MAILMOVED, str(self.path), moved[0])
                yield tx
                db.execute(_BUMP_GENERATION)
                if tx.erased_bytes:
                    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + ? "
                               "WHERE key = 'deleted_bytes'", (tx.erased_bytes,))
                if tx.dirsync:
                    _fsync_dir(self.directory)
                db.execute("COMMIT")
            except BaseException as e:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                if isinstance(e, sqlite3.Error):
                    raise self._error(e) from e
                raise
        for action in tx.after:
            action()
        self.last_reclaim = None
        if tx.erased_bytes and self.deleted_bytes() > RECLAIM_THRESHOLD:
            self.last_reclaim = self.reclaim()

    def body_file(self, mid: int) -> Path:
        """The host path of an external body (whether or not the message has one)."""
        return self.directory / f"mail${self.tag.lower()}{mid:08x}.mai"

    # ------------------------------------------------------------------ reading
    def list(self, folder: str) -> list[MessageInfo]:
        """The messages of a folder in arrival order (no body is read)."""
        with self._reading() as db:
            rows = db.execute(f"SELECT {_LIST_COLUMNS} FROM messages WHERE folder = ? "
                              "ORDER BY arrived, id", (self.tag, folder)).fetchall()
        make = MessageInfo._make
        return [make(r) for r in rows]

    def generation(self) -> int:
        """The change counter of the file (see the module docstring): equal values mean
        that no change was committed in between."""
        with self._reading() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def listing(self, folders: Iterable[str]) -> tuple[int, list[MessageInfo]]:
        """(generation, the messages of the folders in arrival order), both read in one
        transaction, so the generation is exactly that of the messages listed."""
        names = list(dict.fromkeys(folders))
        marks = ",".join("?" * len(names))
        with self._reading() as db:
            db.execute("BEGIN")
            try:
                row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
                rows = db.execute(f"SELECT {_LIST_COLUMNS} FROM messages "
                                  f"WHERE folder IN ({marks}) ORDER BY arrived, id",
                                  (self.tag, *names)).fetchall() if names else []
            finally:
                db.execute("COMMIT")
        make = MessageInfo._make
        return (int(row[0]) if row else 0), [make(r) for r in rows]

    def info(self, mid: int) -> MessageInfo:
        with self._reading() as db:
            row = db.execute(f"SELECT {_LIST_COLUMNS} FROM messages WHERE id = ?",
                             (self.tag, mid)).fetchone()
        if row is None:
            raise cond.VMSError(cond.MAIL_NOSUCHMSG, str(mid))
        return MessageInfo._make(row)

    def folders(self) -> list[tuple[str, int]]:
        """(folder, message count) of every folder, by name (DIRECTORY/FOLDER)."""
        with self._reading() as db:
            return db.execute("SELECT folder, count(*) FROM messages GROUP BY folder "
                              "ORDER BY folder").fetchall()

    def count(self, folder: str) -> int:
        with self._reading() as db:
            return db.execute("SELECT count(*) FROM messages WHERE folder = ?",
                              (folder,)).fetchone()[0]

    def folder_exists(self, folder: str) -> bool:
        with self._reading() as db:
            return db.execute("SELECT 1 FROM messages WHERE folder = ? LIMIT 1",
                              (folder,)).fetchone() is not None

    def new_mail_count(self) -> int:
        with self._reading() as db:
            return db.execute("SELECT count(*) FROM messages WHERE (flags & 1) = 1").fetchone()[0]

    def deleted_bytes(self) -> int:
        with self._reading() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'deleted_bytes'").fetchone()
        return int(row[0]) if row else 0

    def has_key(self, key: str) -> bool:
        with self._reading() as db:
            return db.execute("SELECT 1 FROM keys WHERE key = ?", (key,)).fetchone() is not None

    def existing_keys(self, keys: Iterable[str]) -> set[str]:
        """Those of the keys already stored in this file."""
        found: set[str] = set()
        keys = list(keys)
        with self._reading() as db:
            for i in range(0, len(keys), _CHUNK):
                chunk = keys[i:i + _CHUNK]
                found.update(r[0] for r in db.execute(
                    f"SELECT key FROM keys WHERE key IN ({','.join('?' * len(chunk))})", chunk))
        return found

    def read(self, mid: int) -> bytes:
        """A message's body bytes, exactly as stored."""
        with self._reading() as db:
            row = db.execute("SELECT m.external, m.size, b.data FROM messages m "
                             "LEFT JOIN bodies b ON b.id = m.id WHERE m.id = ?",
                             (mid,)).fetchone()
        if row is None:
            raise cond.VMSError(cond.MAIL_NOSUCHMSG, str(mid))
        external, size, data = row
        if external:
            try:
                with open(self.body_file(mid), "rb") as f:
                    data = f.read()
            except FileNotFoundError:
                with self._reading() as db:
                    gone = db.execute("SELECT 1 FROM messages WHERE id = ?",
                                      (mid,)).fetchone() is None
                if gone:
                    raise cond.VMSError(cond.MAIL_NOSUCHMSG, str(mid)) from None
                raise self._damaged(mid, "body file missing") from None
        if data is None or len(data) != size:
            raise self._damaged(mid, f"body has {0 if data is None else len(data)} bytes "
                                     f"instead of {size}")
        return bytes(data)

    def read_original(self, mid: int) -> bytes | None:
        """The original RFC 822 message of an SMTP delivery (see `original_message`)."""
        info = self.info(mid)
        return original_message(info, self.read(mid))

    def _damaged(self, mid: int, why: str) -> cond.VMSError:
        return cond.VMSError(cond.VMSENV_MAILDAMAGED, str(mid), str(self.path), why)

    # ------------------------------------------------------------------ writing
    @contextmanager
    def batch(self) -> Iterator[Batch]:
        """Several changes in one transaction: all of them, or (on an exception) none."""
        with self._writing() as tx:
            yield Batch(self, tx)

    def add(self, msg: NewMessage, folder: str = NEWMAIL) -> int | None:
        """Store one message; its id, or None when its key was stored before."""
        return self.add_many([msg], folder)[0]

    def add_many(self, msgs: Iterable[NewMessage], folder: str = NEWMAIL) -> list[int | None]:
        """Store messages in one transaction (ids, None for keys seen before)."""
        msgs = list(msgs)
        check_folder(folder)
        known = self.existing_keys(m.key for m in msgs if m.key is not None)
        prepared = [None if m.key in known else _prepare(m) for m in msgs]
        with self.batch() as b:
            return [None if p is None else b._insert(p, folder) for p in prepared]

    def move(self, ids: Iterable[int], folder: str, *, source: str | None = None) -> int:
        with self.batch() as b:
            return b.move(ids, folder, source=source)

    def copy(self, ids: Iterable[int], folder: str) -> list[int]:
        with self.batch() as b:
            return b.copy(ids, folder)

    def delete(self, ids: Iterable[int], *, source: str | None = None) -> int:
        with self.batch() as b:
            return b.delete(ids, source=source)

    def erase(self, ids: Iterable[int], *, source: str | None = None) -> int:
        with self.batch() as b:
            return b.erase(ids, source=source)

    def set_flags(self, ids: Iterable[int], set: int = 0, clear: int = 0) -> int:
        with self.batch() as b:
            return b.set_flags(ids, set=set, clear=clear)

    def mark_read(self, ids: Iterable[int]) -> int:
        return self.set_flags(ids, clear=F_NEW)

    def purge(self, *, reclaim: bool = False) -> PurgeResult:
        """Empty WASTEBASKET (PURGE); with reclaim=True also PURGE/RECLAIM."""
        with self._mutex:
            with self.batch() as b:
                ids = [r[0] for r in b.db.execute(
                    "SELECT id FROM messages WHERE folder = ?", (WASTEBASKET,))]
                n = b.erase(ids)
                added = b.tx.erased_bytes
            result = PurgeResult(n, added, self.last_reclaim)
            if reclaim and result.reclaimed is None:
                result.reclaimed = self.reclaim()
            return result

    def reclaim(self) -> int:
        """PURGE/RECLAIM: give free space back, remove orphaned body files; bytes reclaimed."""
        with self._mutex, _DirLock.hold(self.directory):
            db = self.db
            try:
                page_size = db.execute("PRAGMA page_size").fetchone()[0]
                before = db.execute("PRAGMA page_count").fetchone()[0]
                db.executescript("PRAGMA incremental_vacuum;")
                after = db.execute("PRAGMA page_count").fetchone()[0]
                db.execute("UPDATE meta SET value = '0' WHERE key = 'deleted_bytes'")
                self._cleanup_locked()
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except sqlite3.Error as e:
                raise self._error(e) from e
        return max(0, before - after) * page_size

    def lock_session(self, name: str = "POP") -> SessionLock:
        """An exclusive session lock (a POP session holds its maildrop so), taken at once or
        refused with MAIL-E-OPENIN / RMS-E-FLK.  It is an flock on the file `mail.mai-pop`
        beside the mail file, free again when released or when its process dies; it does not
        stop MAIL or deliveries, only other holders of the same lock."""
        return SessionLock(Path(f"{self.path}-{name.lower()}"), str(self.path))

    # ------------------------------------------------------------------ maintenance
    def _body_files(self) -> dict[int, list[Path]]:
        prefix = self.tag.lower()
        found: dict[int, list[Path]] = {}
        for entry in os.listdir(self.directory):
            m = _BODY_FILE.match(entry)
            if m and m.group(1) == prefix:
                found.setdefault(int(m.group(2), 16), []).append(self.directory / entry)
        return found

    def _cleanup_locked(self) -> list[Path]:
        files = self._body_files()
        if not files:
            return []
        referenced = {r[0] for r in self.db.execute("SELECT id FROM messages WHERE external = 1")}
        removed = []
        for mid, paths in files.items():
            for path in paths:
                if path.suffix == ".tmp" or mid not in referenced:
                    try:
                        path.unlink()
                        removed.append(path)
                    except FileNotFoundError:
                        pass
        return removed

    def cleanup(self) -> list[Path]:
        """Remove body files no committed message refers to (debris of killed writers)."""
        with self._mutex, _DirLock.hold(self.directory):
            return self._cleanup_locked()

    def check(self, *, deep: bool = False) -> list[str]:
        """Problems found: SQLite's integrity check, missing or short bodies (deep=True also
        compares every body with its SHA-256), and unreferenced body files.  [] when sound."""
        problems = []
        with self._mutex, _DirLock.hold(self.directory):
            db = self.db
            for (line,) in db.execute("PRAGMA integrity_check"):
                if line != "ok":
                    problems.append(f"integrity: {line}")
            rows = db.execute("SELECT m.id, m.external, m.size, m.digest, length(b.data) "
                              "FROM messages m LEFT JOIN bodies b ON b.id = m.id").fetchall()
            files = self._body_files()
        referenced = set()
        for mid, external, size, digest, inline_len in rows:
            if external:
                referenced.add(mid)
                try:
                    actual = os.stat(self.body_file(mid)).st_size
                except FileNotFoundError:
                    problems.append(f"message {mid}: body file missing")
                    continue
            else:
                actual = inline_len
            if actual != size:
                problems.append(f"message {mid}: body has {actual} bytes instead of {size}")
            elif deep and hashlib.sha256(self.read(mid)).digest() != digest:
                problems.append(f"message {mid}: body does not match its digest")
        for mid, paths in sorted(files.items()):
            for path in paths:
                if path.suffix == ".tmp" or mid not in referenced:
                    problems.append(f"unreferenced body file {path.name}")
        return problems

    def relocate(self, directory: Path | str) -> Path:
        """Move the mail file and its body files to another directory (SET MAIL_DIRECTORY).
        Returns the new path; this MailFile then works on the new file."""
        dest_dir = Path(directory).resolve()
        if not dest_dir.is_dir():
            raise cond.VMSError(cond.MAIL_OPENOUT, str(dest_dir / MAIL_FILE),
                                secondary=[cond.RMS_DNF])
        if dest_dir == self.directory:
            return self.path
        first, second = sorted([self.directory, dest_dir], key=str)
        with self._mutex, _DirLock.hold(first), _DirLock.hold(second):
            target = dest_dir / MAIL_FILE
            existing = find_mail_file(dest_dir)
            if existing is not None:
                if _file_tag(existing) != self.tag:
                    raise cond.VMSError(cond.MAIL_OPENOUT, str(existing),
                                        secondary=[cond.RMS_FEX])
                _remove_db_files(existing)      # our own copy from an interrupted relocation
            temp = dest_dir / (MAIL_FILE + "-new")
            _remove_db_files(temp)
            try:
                self._copy_to(temp, dest_dir)
                os.replace(temp, target)
                _fsync_dir(dest_dir)
                db = self.db
                db.execute("BEGIN IMMEDIATE")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('moved_to', ?)", (str(target),))
                db.execute("COMMIT")
            except sqlite3.Error as e:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise self._error(e) from e
            except OSError as e:
                raise cond.VMSError(cond.MAIL_OPENOUT, str(target),
                                    secondary=[cond.VMSError(cond.VMSENV_HOSTERR, str(e))]) from e
            old_files = [p for paths in self._body_files().values() for p in paths]
            old_path = self.path
            self.close()
            for path in old_files:
                path.unlink(missing_ok=True)
            _leave_tombstone(old_path, self.tag, target)
            self.directory, self.path = dest_dir, target
            self._open()
            return target

    def _copy_to(self, temp: Path, dest_dir: Path) -> None:
        copy = sqlite3.connect(str(temp))
        try:
            self.db.backup(copy)
        finally:
            copy.close()
        with open(temp, "rb+") as f:
            os.fsync(f.fileno())
        for (mid,) in self.db.execute("SELECT id FROM messages WHERE external = 1").fetchall():
            source = self.body_file(mid)
            target = dest_dir / source.name
            target.unlink(missing_ok=True)
            try:
                os.link(source, target)
            except OSError:
                _write_file(target, source.read_bytes())


class SessionLock:
    """See MailFile.lock_session."""

    def __init__(self, path: Path, display: str):
        self.path = path
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(fd)
            raise cond.VMSError(cond.MAIL_OPENIN, display, secondary=[cond.RMS_FLK]) from e
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> SessionLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


# ---------------------------------------------------------------------------------------------
# Changes inside one transaction.
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Prepared:
    msg: NewMessage
    row: tuple                  # the INSERT values after folder
    external: bool


def _prepare(msg: NewMessage) -> _Prepared:
    """Everything about a message that needs no lock: statistics and digest."""
    if not isinstance(msg.body, (bytes, bytearray, memoryview)):
        raise TypeError("message body must be bytes")
    body = bytes(msg.body)
    _check_layout(msg)
    lines, wire_size, ready = body_stats(body)
    external = len(body) > EXTERNAL_THRESHOLD
    row = (arrival_us(msg.arrived), msg.flags, len(body), wire_size, lines, int(ready),
           msg.vms_from, msg.to, msg.cc, msg.subject, msg.layout, msg.head_len, msg.sep_len,
           msg.body_len, int(external), hashlib.sha256(body).digest())
    if body is not msg.body:
        msg = dataclasses.replace(msg, body=body)
    return _Prepared(msg, row, external)


def _write_file(path: Path, data: bytes) -> None:
    """Write a file completely and durably under a temp name, then rename it into place."""
    temp = path.with_suffix(".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)


def _file_tag(path: Path) -> str | None:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'tag'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def _leave_tombstone(path: Path, tag: str, target: Path) -> None:
    """Replace a moved mail file by a small one that only says where it went."""
    temp = Path(f"{path}-moved")
    _remove_db_files(temp)
    db = sqlite3.connect(str(temp), isolation_level=None)
    try:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("tag", tag), ("moved_to", str(target))])
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    finally:
        db.close()
    with open(temp, "rb+") as f:
        os.fsync(f.fileno())
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(temp, path)
    _fsync_dir(path.parent)


def _remove_db_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    batch: list[int] = []
    for mid in ids:
        batch.append(int(mid))
        if len(batch) == _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


class Batch:
    """Changes applied in the enclosing transaction of `MailFile.batch()`.  Methods take
    message ids and return how many messages they changed; ids that no longer exist (or are
    not in `source`, when given) are left alone."""

    def __init__(self, mail: MailFile, tx: _Tx):
        self.mail = mail
        self.tx = tx
        self.db = tx.db

    def add(self, msg: NewMessage, folder: str = NEWMAIL) -> int | None:
        check_folder(folder)
        return self._insert(_prepare(msg), folder)

    def _insert(self, p: _Prepared, folder: str) -> int | None:
        db = self.db
        key = p.msg.key
        if key is not None and db.execute("SELECT 1 FROM keys WHERE key = ?",
                                          (key,)).fetchone():
            return None
        mid = db.execute(_INSERT, (folder, *p.row)).lastrowid
        if p.external:
            _write_file(self.mail.body_file(mid), p.msg.body)
            self.tx.dirsync = True
        else:
            db.execute("INSERT INTO bodies VALUES (?, ?)", (mid, p.msg.body))
        if key is not None:
            db.execute("INSERT INTO keys VALUES (?, ?)", (key, mid))
        return mid

    def _changes(self, sql: str, params: Iterable[tuple]) -> int:
        before = self.db.total_changes
        self.db.executemany(sql, params)
        return self.db.total_changes - before

    def move(self, ids: Iterable[int], folder: str, *, source: str | None = None) -> int:
        check_folder(folder)
        if source is None:
            return self._changes("UPDATE messages SET folder = ? WHERE id = ?",
                                 ((folder, int(m)) for m in ids))
        return self._changes("UPDATE messages SET folder = ? WHERE id = ? AND folder = ?",
                             ((folder, int(m), source) for m in ids))

    def delete(self, ids: Iterable[int], *, source: str | None = None) -> int:
        """Move to WASTEBASKET (messages already there stay)."""
        if source == WASTEBASKET:
            return 0
        return self._changes(
            "UPDATE messages SET folder = ? WHERE id = ? AND folder <> ? "
            "AND (? IS NULL OR folder = ?)",
            ((WASTEBASKET, int(m), WASTEBASKET, source, source) for m in ids))

    def set_flags(self, ids: Iterable[int], set: int = 0, clear: int = 0) -> int:
        return self._changes("UPDATE messages SET flags = (flags | ?) & ~? WHERE id = ?",
                             ((set, clear, int(m)) for m in ids))

    def copy(self, ids: Iterable[int], folder: str) -> list[int]:
        check_folder(folder)
        db = self.db
        new_ids = []
        for mid in ids:
            mid = int(mid)
            row = db.execute("SELECT external FROM messages WHERE id = ?", (mid,)).fetchone()
            if row is None:
                continue
            new = db.execute(
                "INSERT INTO messages (folder, arrived, flags, size, wire_size, lines, wire_ready,"
                " vms_from, vms_to, vms_cc, subject, layout, head_len, sep_len, body_len,"
                " external, digest) SELECT ?, arrived, flags, size, wire_size, lines, wire_ready,"
                " vms_from, vms_to, vms_cc, subject, layout, head_len, sep_len, body_len,"
                " external, digest FROM messages WHERE id = ?", (folder, mid)).lastrowid
            if row[0]:
                source = self.mail.body_file(mid)
                target = self.mail.body_file(new)
                target.unlink(missing_ok=True)
                try:
                    os.link(source, target)
                except OSError:
                    _write_file(target, source.read_bytes())
                self.tx.dirsync = True
            else:
                db.execute("INSERT INTO bodies SELECT ?, data FROM bodies WHERE id = ?",
                           (new, mid))
            new_ids.append(new)
        return new_ids

    def erase(self, ids: Iterable[int], *, source: str | None = None) -> int:
        """Remove messages for good (their space counts as deleted space)."""
        db = self.db
        count = 0
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            params: list = list(chunk)
            where = f"id IN ({marks})"
            if source is not None:
                where += " AND folder = ?"
                params.append(source)
            rows = db.execute(
                "SELECT id, external, length(vms_from) + length(vms_to) + length(vms_cc)"
                f" + length(subject) + CASE external WHEN 1 THEN 0 ELSE size END "
                f"FROM messages WHERE {where}", params).fetchall()
            if not rows:
                continue
            found = [r[0] for r in rows]
            marks = ",".join("?" * len(found))
            db.execute(f"DELETE FROM bodies WHERE id IN ({marks})", found)
            db.execute(f"DELETE FROM messages WHERE id IN ({marks})", found)
            count += len(found)
            self.tx.erased_bytes += sum(r[2] for r in rows)
            for mid, external, _ in rows:
                if external:
                    path = self.mail.body_file(mid)
                    self.tx.after.append(lambda p=path: p.unlink(missing_ok=True))
        return count


__all__ = [
    "MailFile", "Batch", "NewMessage", "MessageInfo", "PurgeResult", "SessionLock",
    "NEWMAIL", "MAIL", "WASTEBASKET", "F_NEW", "F_REPLIED", "F_MARKED", "F_FOREIGN",
    "LAYOUT_NONE", "LAYOUT_TOP", "LAYOUT_BOTTOM", "EXTERNAL_THRESHOLD", "RECLAIM_THRESHOLD",
    "body_stats", "pop_wire", "original_message", "check_folder", "parse_folder_name",
    "arrival_us", "local_time", "find_mail_file", "mail_file_path",
]
