"""The logical-name services of one process: $CRELNM, $DELLNM, $TRNLNM, $CRELNT.

A process sees two directories. LNM$PROCESS_DIRECTORY and the process-private tables in it
(LNM$PROCESS_TABLE, tables made by CREATE/NAME_TABLE with a private parent) live in this object;
LNM$SYSTEM_DIRECTORY and the shareable tables (system, cluster, group, job, and user tables whose
parent is shareable) live in the shared store (store.py).

Rules (facts A1-A5):
- A table name given to a service is translated through LNM$PROCESS_DIRECTORY, then
  LNM$SYSTEM_DIRECTORY, at the caller's access mode, iteratively (search lists expand in order)
  until names with the TABLE attribute; LNM$FILE_DEV, LNM$DCL_LOGICAL and friends are such
  search lists, and redefining them in the process directory changes the search order.
- At access mode M, entries outer to M (a larger mode number) are invisible; of the rest the
  outermost wins. This applies to the table names too: at EXECUTIVE mode the supervisor-mode
  LNM$DCL_LOGICAL is invisible, so F$TRNLNM(name,,,"EXECUTIVE") finds nothing (as on VMS).
- $TRNLNM translates one level; the first table in the list that holds the name answers.
- CASE_BLIND compares names ignoring case; otherwise the match is exact.
- $CRELNM into a search list uses its first table. Without SYSNAM an inner mode is raised to
  supervisor (the caller's mode), silently. Shareable tables need privilege: system and cluster
  tables (and the system directory) SYSNAM or SYSPRV, group tables GRPNAM, SYSNAM or SYSPRV;
  job and process tables none. NO_ALIAS on an inner-mode name forbids outer duplicates
  (SS$_DUPLNAM); a new NO_ALIAS name deletes outer duplicates.
- /USER_MODE names are process-private and vanish at image rundown (image_rundown()).

Translations are cached per process; the cache is dropped when this process changes a name or
when the shared generation counter moves (one memory read per translation).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable

from vmsenv import condition as cond
from vmsenv.lnm import names as N
from vmsenv.lnm.names import Entry
from vmsenv.lnm.store import SharedStore

# Which privileges let a process write a shareable table (facts A3).
_SYSTEM_PRIVS = frozenset({"SYSNAM", "SYSPRV"})
_GROUP_PRIVS = frozenset({"GRPNAM", "SYSNAM", "SYSPRV"})

Table = dict[str, list[Entry]]    # upper-case name -> entries (any case variant, any mode)


def _outermost(entries: Iterable[Entry], name: str, mode: int, case_blind: bool) -> Entry | None:
    best = None
    for e in entries:
        if e.mode <= mode and (case_blind or e.name == name):
            if best is None or e.mode > best.mode:
                best = e
    return best


class LogicalNames:
    """One process's view of every logical-name table."""

    def __init__(self, store: SharedStore, privileges: Callable[[], set[str]],
                 job_table: str, group_table: str):
        self.store = store
        self._privileges = privileges
        self.job_table = job_table
        self.group_table = group_table
        self._local: dict[str, Table] = {N.PROCESS_DIRECTORY: {}, N.PROCESS_TABLE: {}}
        self._shared: dict[str, Table] = {}
        self._gen = -1
        self._seq = -1
        self._cache: dict[tuple, Entry | None] = {}          # translations
        self._table_cache: dict[tuple, tuple[str, ...]] = {}  # table names of a table name
        self._bootstrap_process_directory()

    # ------------------------------------------------------------------ state
    def _bootstrap_process_directory(self) -> None:
        d = N.PROCESS_DIRECTORY
        term = N.TERMINAL
        for entry in (
            Entry(N.PROCESS_DIRECTORY, d, N.KERNEL, N.NO_ALIAS | N.TABLE),
            Entry(N.PROCESS_TABLE, d, N.KERNEL, N.NO_ALIAS | N.TABLE),
            Entry("LNM$PROCESS", d, N.KERNEL, 0, ((N.PROCESS_TABLE, term),)),
            Entry("LNM$JOB", d, N.KERNEL, 0, ((self.job_table, term),)),
            Entry("LNM$GROUP", d, N.KERNEL, 0, ((self.group_table, term),)),
        ):
            self._put_local(entry)

    def _put_local(self, entry: Entry) -> None:
        bucket = self._local[entry.table].setdefault(entry.key, [])
        bucket[:] = [e for e in bucket if not (e.name == entry.name and e.mode == entry.mode)]
        bucket.append(entry)
        if entry.is_table:
            self._local.setdefault(entry.name, {})
        self._clear_caches()

    def _drop_local(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            bucket = self._local[entry.table].get(entry.key, [])
            bucket[:] = [e for e in bucket if e is not entry]
            if not bucket:
                self._local[entry.table].pop(entry.key, None)
            if entry.is_table:
                for sub in list(self._local.get(entry.name, {}).values()):
                    self._drop_local(list(sub))
                self._local.pop(entry.name, None)
        self._clear_caches()

    def _refresh(self) -> None:
        """Bring the shared tables up to date: the logged changes only, or everything."""
        changes = self.store.changes(self._seq) if self._seq >= 0 else None
        if changes is None:
            gen, seq, entries = self.store.load()
            shared: dict[str, Table] = {N.SYSTEM_DIRECTORY: {}}
            for e in entries:
                self._add_shared(shared, e)
            self._shared = shared
        else:
            gen, seq, changed = changes
            for (table, name, mode), entry in changed:
                self._remove_shared(table, name, mode)
                if entry is not None:
                    self._add_shared(self._shared, entry)
        self._gen, self._seq = gen, seq
        self._clear_caches()

    @staticmethod
    def _add_shared(shared: dict[str, Table], entry: Entry) -> None:
        shared.setdefault(entry.table, {}).setdefault(entry.key, []).append(entry)
        if entry.is_table:
            shared.setdefault(entry.name, {})

    def _remove_shared(self, table: str, name: str, mode: int) -> None:
        bucket = self._shared.get(table, {}).get(name.upper())
        if not bucket:
            return
        gone = [e for e in bucket if e.name == name and e.mode == mode]
        bucket[:] = [e for e in bucket if not (e.name == name and e.mode == mode)]
        if not bucket:
            del self._shared[table][name.upper()]
        for e in gone:
            if e.is_table:
                self._shared.pop(e.name, None)

    def _clear_caches(self) -> None:
        self._cache.clear()
        self._table_cache.clear()

    def _sync(self) -> None:
        if self.store.generation.read() != self._gen:
            self._refresh()

    def privileges(self) -> set[str]:
        return self._privileges()

    # ------------------------------------------------------------ tables
    def _table(self, name: str) -> Table | None:
        table = self._local.get(name)
        return table if table is not None else self._shared.get(name)

    def is_shared(self, table: str) -> bool:
        return table not in self._local

    def _directory_lookup(self, name: str, mode: int, case_blind: bool) -> Entry | None:
        key = name.upper()
        for directory in N.DIRECTORIES:
            table = self._table(directory)
            if table is None:
                continue
            found = _outermost(table.get(key, ()), name, mode, case_blind)
            if found is not None:
                return found
        return None

    def tables(self, tabnam: str, mode: int = N.USER, case_blind: bool = True) -> list[str]:
        """The table names a table name or table search list stands for, in order."""
        self._sync()
        key = (tabnam, mode, case_blind)
        hit = self._table_cache.get(key)
        if hit is None:
            found: list[str] = []
            self._expand(tabnam, mode, case_blind, 0, found)
            hit = self._table_cache[key] = tuple(found)
        return list(hit)

    def _expand(self, name: str, mode: int, case_blind: bool, depth: int,
                found: list[str]) -> None:
        if depth > N.MAX_DEPTH:
            raise cond.VMSError(cond.SS_TOOMANYLNAM)
        if name in N.DIRECTORIES:
            if name not in found:
                found.append(name)
            return
        entry = self._directory_lookup(name, mode, case_blind)
        if entry is None:
            return
        if entry.is_table:
            if entry.name not in found:
                found.append(entry.name)
            return
        for text, _ in entry.values:
            self._expand(text, mode, case_blind, depth + 1, found)

    def table_entry(self, table: str) -> Entry | None:
        """The directory entry that describes a table."""
        self._sync()
        for directory in N.DIRECTORIES:
            t = self._table(directory)
            for e in (t or {}).get(table.upper(), ()):
                if e.is_table and e.name == table:
                    return e
        return None

    # ------------------------------------------------------------ translation
    def trnlnm(self, name: str, tabnam: str = "LNM$FILE_DEV", mode: int = N.USER,
               case_blind: bool = True) -> Entry | None:
        """$TRNLNM: the entry that answers for name (one level), or None."""
        if self.store.generation.read() != self._gen:
            self._refresh()
        key = (name, tabnam, mode, case_blind)
        try:
            return self._cache[key]
        except KeyError:
            pass
        result = None
        upper = name.upper()
        for table_name in self.tables(tabnam, mode, case_blind):
            table = self._table(table_name)
            if table is None:
                continue
            result = _outermost(table.get(upper, ()), name, mode, case_blind)
            if result is not None:
                break
        self._cache[key] = result
        return result

    def translate(self, name: str) -> list[tuple[str, int]] | None:
        """One level through LNM$FILE_DEV, as RMS uses it: equivalences with attributes."""
        entry = self.trnlnm(name)
        if entry is None or entry.is_table:
            return None
        return list(entry.values)

    def matches(self, tabnam: str, pattern: str | None = None, mode: int = N.USER,
                case_blind: bool = True) -> list[tuple[str, list[Entry]]]:
        """Every table of tabnam with its entries matching pattern (wildcards * and %),
        sorted by name, for SHOW LOGICAL. Entries outer to mode are left out."""
        result = []
        for table_name in self.tables(tabnam, mode, case_blind):
            table = self._table(table_name) or {}
            chosen = []
            for key in sorted(table):
                if pattern is not None and not _wild_match(pattern, key, case_blind):
                    continue
                for e in sorted(table[key], key=lambda x: (x.name, -x.mode)):
                    if e.mode <= mode and (pattern is None or case_blind
                                           or _wild_match(pattern, e.name, False)):
                        chosen.append(e)
            result.append((table_name, chosen))
        return result

    # ------------------------------------------------------------ changes
    def _check_write(self, table: str, entry_table: Entry | None) -> None:
        if not self.is_shared(table):
            return
        privs = self.privileges()
        if table == self.job_table or table.startswith("LNM$JOB_"):
            return
        if table.startswith("LNM$GROUP_"):
            if privs & _GROUP_PRIVS:
                return
        elif privs & _SYSTEM_PRIVS:
            return
        raise cond.VMSError(cond.SS_NOPRIV)

    def _target_table(self, tabnam: str, case_blind: bool = True) -> str:
        found = self.tables(tabnam, N.USER, case_blind)
        if not found:
            raise cond.VMSError(cond.SS_NOLOGTAB)
        return found[0]

    def _effective_mode(self, mode: int, table: str) -> int:
        if mode < N.SUPERVISOR and "SYSNAM" not in self.privileges():
            mode = N.SUPERVISOR
        tentry = self.table_entry(table)
        if tentry is not None and mode < tentry.mode:
            mode = tentry.mode
        return mode

    def crelnm(self, name: str, values: Iterable[tuple[str, int]], tabnam: str = "LNM$PROCESS",
               mode: int = N.SUPERVISOR, attr: int = 0, *, system: bool = False) -> int:
        """$CRELNM. Returns SS$_NORMAL, or SS$_SUPERSEDE when a name was replaced.
        system=True is the operating system itself (LOGINOUT, boot): no privilege check."""
        values = tuple(values)
        N.check_name(name)
        N.check_values(values)
        self._sync()
        table = self._target_table(tabnam)
        if not system:
            self._check_write(table, None)
            mode = self._effective_mode(mode, table)
        entry = Entry(name, table, mode, attr & ~N.TABLE, values)
        if self.is_shared(table):
            result = self.store.change(lambda db: self._crelnm_shared(db, entry))
            self._refresh()
            return result
        return self._crelnm_apply(self._local[table].get(entry.key, []), entry, self._put_local,
                                  self._drop_local)

    def _crelnm_shared(self, db, entry: Entry) -> int:
        existing = SharedStore.rows(db, entry.table, entry.name)
        return self._crelnm_apply(existing, entry, lambda e: SharedStore.put(db, e),
                                  lambda es: SharedStore.delete(db, es))

    @staticmethod
    def _crelnm_apply(existing: list[Entry], entry: Entry, put, drop) -> int:
        same = [e for e in existing if e.name == entry.name]
        if any(e.mode < entry.mode and e.attr & N.NO_ALIAS for e in same):
            raise cond.VMSError(cond.SS_DUPLNAM)
        status = cond.SS_NORMAL
        replaced = [e for e in same if e.mode == entry.mode]
        if replaced:
            status = cond.SS_SUPERSEDE
            if replaced[0].is_table:
                raise cond.VMSError(cond.SS_DUPLNAM)
        outer = [e for e in same if e.mode > entry.mode] if entry.attr & N.NO_ALIAS else []
        if replaced or outer:
            drop(list(replaced) + outer)
        put(entry)
        return status

    def dellnm(self, name: str | None, tabnam: str = "LNM$PROCESS",
               mode: int = N.SUPERVISOR, *, system: bool = False) -> int:
        """$DELLNM: delete name (or, with name None, every name) at mode and outer modes."""
        self._sync()
        table = self._target_table(tabnam)
        if not system:
            self._check_write(table, None)
            if mode < N.SUPERVISOR and "SYSNAM" not in self.privileges():
                mode = N.SUPERVISOR

        def pick(entries: Iterable[Entry]) -> list[Entry]:
            return [e for e in entries if e.mode >= mode and (name is None or e.name == name)]

        if self.is_shared(table):
            def work(db):
                doomed = pick(SharedStore.rows(db, table, name))
                for e in doomed:
                    if e.is_table:
                        self._delete_shared_table(db, e.name)
                SharedStore.delete(db, doomed)
                return bool(doomed)
            found = self.store.change(work)
            self._refresh()
        else:
            if name is None:
                doomed = pick(e for bucket in self._local[table].values() for e in bucket)
            else:
                doomed = pick(self._local[table].get(name.upper(), ()))
            self._drop_local(doomed)
            found = bool(doomed)
        if not found and name is not None:
            raise cond.VMSError(cond.SS_NOLOGNAM)
        return cond.SS_NORMAL

    def _delete_shared_table(self, db, table: str) -> None:
        for e in SharedStore.rows(db, table):
            if e.is_table:
                self._delete_shared_table(db, e.name)
        SharedStore.delete_table_contents(db, table)

    def crelnt(self, name: str, parent: str = N.PROCESS_TABLE, mode: int = N.SUPERVISOR,
               attr: int = 0, quota: int = 0, supersede: bool = False, *,
               system: bool = False) -> int:
        """$CRELNT: a new table, in the directory its parent lives in."""
        N.check_table_name(name)
        self._sync()
        parent_table = self._target_table(parent)
        directory = N.SYSTEM_DIRECTORY if self.is_shared(parent_table) else N.PROCESS_DIRECTORY
        if not system:
            self._check_write(directory, None)
            if mode < N.SUPERVISOR and "SYSNAM" not in self.privileges():
                mode = N.SUPERVISOR
        entry = Entry(name, directory, mode, (attr & (N.NO_ALIAS | N.CONFINE)) | N.TABLE, (),
                      parent_table, quota)
        if directory == N.SYSTEM_DIRECTORY:
            def work(db):
                old = [e for e in SharedStore.rows(db, directory, name) if e.mode == mode]
                if old and not supersede:
                    return cond.SS_NORMAL
                for e in old:
                    self._delete_shared_table(db, e.name)
                SharedStore.delete(db, old)
                SharedStore.put(db, entry)
                return cond.SS_SUPERSEDE if old else cond.SS_NORMAL
            status = self.store.change(work)
            self._refresh()
            return status
        old = [e for e in self._local[directory].get(name.upper(), ())
               if e.name == name and e.mode == mode]
        if old and not supersede:
            return cond.SS_NORMAL
        self._drop_local(old)
        self._put_local(entry)
        return cond.SS_SUPERSEDE if old else cond.SS_NORMAL

    def image_rundown(self) -> None:
        """Delete the user-mode names of the process-private tables."""
        doomed = [e for table in self._local.values() for bucket in table.values()
                  for e in bucket if e.mode == N.USER]
        if doomed:
            self._drop_local(doomed)

    def private_entries(self) -> list[Entry]:
        """Every entry of the process-private tables (what SPAWN may copy)."""
        return [e for table in self._local.values() for bucket in table.values() for e in bucket]


def _wild_match(pattern: str, text: str, case_blind: bool) -> bool:
    if case_blind:
        pattern, text = pattern.upper(), text.upper()
    translated = pattern.replace("[", "[[]").replace("%", "?")
    return fnmatch.fnmatchcase(text, translated)
