"""The shared store: system, group, cluster and job tables and the system directory.

All shareable logical names of a root live in one SQLite database on the system disk
(`sys$sysdevice/vmsenv.db`, WAL mode), so that a DEFINE/SYSTEM in one process is seen by every
other process. Each change is one transaction (BEGIN IMMEDIATE: writers are serialised and a
read-modify-write such as a supersede or a NO_ALIAS check is atomic).

Readers never touch the database while nothing changed. Beside the database lies an 8-byte
generation counter (`vmsenv.gen`), mapped into memory by every process. A writer increments it
after its commit, under an exclusive file lock, so no increment is lost; a reader compares one
memory word with the value it last loaded and reloads the shared rows only when it differs. A
reader that sees a new value reloads after that increment's commit, so it can never cache old
rows under a new generation.

Reloading is incremental: every write also appends the key it touched to a change log
(`lnm_log`, an AUTOINCREMENT sequence), and a reader fetches only the rows of the keys logged
since the sequence it last saw. The log is pruned to its last LOG_KEEP entries; a reader that
fell further behind reloads everything.
"""

from __future__ import annotations

import fcntl
import json
import mmap
import os
import sqlite3
import struct
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from vmsenv.lnm.names import Entry

SCHEMA = """
CREATE TABLE IF NOT EXISTS lnm (
    tbl    TEXT NOT NULL,
    name   TEXT NOT NULL,
    mode   INTEGER NOT NULL,
    attr   INTEGER NOT NULL,
    vals   TEXT NOT NULL,
    parent TEXT,
    quota  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tbl, name, mode)
);
CREATE TABLE IF NOT EXISTS lnm_log (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    tbl  TEXT NOT NULL,
    name TEXT NOT NULL,
    mode INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS config (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_GEN = struct.Struct("<Q")
LOG_KEEP = 20000
_COLUMNS = "tbl, name, mode, attr, vals, parent, quota"


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, patient with locks."""
    db = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA busy_timeout = 30000")
    mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal":
        db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.executescript(SCHEMA)
    return db


@contextmanager
def transaction(db: sqlite3.Connection):
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _row_to_entry(row) -> Entry:
    tbl, name, mode, attr, vals, parent, quota = row
    values = tuple((text, vattr) for text, vattr in json.loads(vals))
    return Entry(name, tbl, mode, attr, values, parent, quota)


class Generation:
    """The shared change counter, one memory-mapped 8-byte word."""

    def __init__(self, path: Path):
        self.path = path
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            if os.fstat(fd).st_size < _GEN.size:
                os.pwrite(fd, b"\0" * _GEN.size, 0)
            self._map = mmap.mmap(fd, _GEN.size)
        finally:
            os.close(fd)

    def read(self) -> int:
        return _GEN.unpack_from(self._map, 0)[0]

    def bump(self) -> int:
        with open(self.path, "rb+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            value = _GEN.unpack_from(self._map, 0)[0] + 1
            _GEN.pack_into(self._map, 0, value)
            return value


class SharedStore:
    """Rows of the shareable tables, with the change counter that tells readers to reload."""

    def __init__(self, db_path: Path, gen_path: Path):
        self.db = connect(db_path)
        self.generation = Generation(gen_path)
        self._schemas: set[str] = set()

    def ensure_schema(self, schema: str) -> bool:
        """Run a module's schema script (``CREATE TABLE IF NOT EXISTS ...``) on this store's
        database once; True the first time (the module may then initialise its tables)."""
        if schema in self._schemas:
            return False
        self.db.executescript(schema)
        self._schemas.add(schema)
        return True

    def load(self) -> tuple[int, int, list[Entry]]:
        """(generation, log sequence, every shared entry), the generation read first."""
        gen = self.generation.read()
        db = self.db
        db.execute("BEGIN")
        try:
            seq = db.execute("SELECT coalesce(max(seq), 0) FROM lnm_log").fetchone()[0]
            rows = db.execute(f"SELECT {_COLUMNS} FROM lnm").fetchall()
        finally:
            db.execute("COMMIT")
        return gen, seq, [_row_to_entry(r) for r in rows]

    def changes(self, since: int):
        """(generation, log sequence, [((table, name, mode), Entry or None)]) for the keys
        written after sequence `since`, or None when the log no longer reaches back that far."""
        gen = self.generation.read()
        db = self.db
        db.execute("BEGIN")
        try:
            first = db.execute("SELECT min(seq) FROM lnm_log").fetchone()[0]
            if first is not None and first > since + 1:
                return None
            logged = db.execute("SELECT seq, tbl, name, mode FROM lnm_log WHERE seq > ? "
                                "ORDER BY seq", (since,)).fetchall()
            seq = logged[-1][0] if logged else since
            keys = list(dict.fromkeys((t, n, m) for _, t, n, m in logged))
            result = []
            for tbl, name, mode in keys:
                row = db.execute(f"SELECT {_COLUMNS} FROM lnm WHERE tbl = ? AND name = ? "
                                 "AND mode = ?", (tbl, name, mode)).fetchone()
                result.append(((tbl, name, mode), _row_to_entry(row) if row else None))
        finally:
            db.execute("COMMIT")
        return gen, seq, result

    def change(self, work: Callable[[sqlite3.Connection], object]) -> object:
        """Run work(db) in one write transaction, then announce the change."""
        with transaction(self.db) as db:
            result = work(db)
        self.generation.bump()
        return result

    # Row helpers, for use inside change().
    @staticmethod
    def rows(db: sqlite3.Connection, table: str, name: str | None = None) -> list[Entry]:
        if name is None:
            cur = db.execute(f"SELECT {_COLUMNS} FROM lnm WHERE tbl = ?", (table,))
        else:
            cur = db.execute(f"SELECT {_COLUMNS} FROM lnm WHERE tbl = ? AND name = ?",
                             (table, name))
        return [_row_to_entry(r) for r in cur.fetchall()]

    @staticmethod
    def _log(db: sqlite3.Connection, keys: list[tuple[str, str, int]]) -> None:
        if not keys:
            return
        db.executemany("INSERT INTO lnm_log (tbl, name, mode) VALUES (?, ?, ?)", keys)
        last = db.execute("SELECT last_insert_rowid()").fetchone()[0]
        if last % 1000 < len(keys):
            db.execute("DELETE FROM lnm_log WHERE seq <= ?", (last - LOG_KEEP,))

    @staticmethod
    def put(db: sqlite3.Connection, entry: Entry) -> None:
        db.execute("INSERT OR REPLACE INTO lnm VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (entry.table, entry.name, entry.mode, entry.attr,
                    json.dumps([list(v) for v in entry.values]), entry.parent, entry.quota))
        SharedStore._log(db, [(entry.table, entry.name, entry.mode)])

    @staticmethod
    def delete(db: sqlite3.Connection, entries: Iterable[Entry]) -> None:
        keys = [(e.table, e.name, e.mode) for e in entries]
        db.executemany("DELETE FROM lnm WHERE tbl = ? AND name = ? AND mode = ?", keys)
        SharedStore._log(db, keys)

    @staticmethod
    def delete_table_contents(db: sqlite3.Connection, table: str) -> None:
        keys = db.execute("SELECT tbl, name, mode FROM lnm WHERE tbl = ?", (table,)).fetchall()
        db.execute("DELETE FROM lnm WHERE tbl = ?", (table,))
        SharedStore._log(db, [tuple(k) for k in keys])

    def get_config(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM config WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default
