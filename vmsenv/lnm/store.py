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
CREATE TABLE IF NOT EXISTS config (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_GEN = struct.Struct("<Q")


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

    def load(self) -> tuple[int, list[Entry]]:
        """(generation, every shared entry), the generation read before the rows."""
        gen = self.generation.read()
        rows = self.db.execute(
            "SELECT tbl, name, mode, attr, vals, parent, quota FROM lnm").fetchall()
        return gen, [_row_to_entry(r) for r in rows]

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
            cur = db.execute("SELECT tbl, name, mode, attr, vals, parent, quota FROM lnm "
                             "WHERE tbl = ?", (table,))
        else:
            cur = db.execute("SELECT tbl, name, mode, attr, vals, parent, quota FROM lnm "
                             "WHERE tbl = ? AND name = ?", (table, name))
        return [_row_to_entry(r) for r in cur.fetchall()]

    @staticmethod
    def put(db: sqlite3.Connection, entry: Entry) -> None:
        db.execute("INSERT OR REPLACE INTO lnm VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (entry.table, entry.name, entry.mode, entry.attr,
                    json.dumps([list(v) for v in entry.values]), entry.parent, entry.quota))

    @staticmethod
    def delete(db: sqlite3.Connection, entries: Iterable[Entry]) -> None:
        db.executemany("DELETE FROM lnm WHERE tbl = ? AND name = ? AND mode = ?",
                       [(e.table, e.name, e.mode) for e in entries])

    @staticmethod
    def delete_table_contents(db: sqlite3.Connection, table: str) -> None:
        db.execute("DELETE FROM lnm WHERE tbl = ?", (table,))

    def get_config(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM config WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default
