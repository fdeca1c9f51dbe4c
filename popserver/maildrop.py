"""The POP view of a user's VMS mail: a protocol.Mailstore over MAIL.MAI (vmsenv.mail.store).

`VmsMailstore.open(account, folders)` finds the user's mail file, takes its POP session lock,
lists the folders the session asked for (NEWMAIL; MAIL and NEWMAIL under
TCPIP$POP_USE_MAIL_FOLDER) and returns a `VmsMaildrop` for that one session. Build the store
with `from_context(context)` (the server's MAILSTORE_FACTORY, ``popserver.maildrop:from_context``)
or `for_process(process, settings, host)`.

Where the mail is
-----------------
The user's mail directory is vmsenv.mail.profile's: the SYSUAF login directory, or the
subdirectory SET MAIL_DIRECTORY chose, translated through the system logical names (as a
delivery finds it, so POP reads mail where it was delivered; the server process's own names do
not move it). A mail file moved elsewhere (`MailFile.relocate` leaves a tombstone naming its new
place) is followed, at most 8 hops; the directory the file is found in is then the mail
directory, also for POP_SECRET.DAT. A user without a mail file has an empty maildrop, and
nothing is created for it (only the lock file, when the directory exists); without a mail
directory at all the maildrop is empty and unlocked.

The session
-----------
- Lock: `MailFile.lock_session()` (an flock on ``mail.mai-pop``): a second POP session for the
  same mail file gets protocol.MaildropInUse, which the protocol answers with ``[IN-USE]``. The
  lock does not stop VMS MAIL or deliveries; mail delivered during the session waits for the
  next one. A maildrop without a mail file locks the same ``mail.mai-pop`` name.
- Listing: one query for the folders (`MailFile.listing`, which also gives the mail file's
  generation, read in the same transaction); no body is read to list (see Sizes for the one
  exception). Messages come oldest first, arrival time then message id.
- TCPIP$POP_MESSAGE_MAXIMUM is applied by the protocol (it keeps the n oldest); the maildrop
  lists everything.
- UIDL: `protocol.uidl(user, arrival, id)`: the SYSUAF user name, the arrival date (in UTC, so
  that a change of the server's time zone or of daylight saving time never changes a UID) and
  the message's permanent id in the mail file, always appended. The id is kept by moves
  between folders, PURGE/RECLAIM and relocation, and never reused, so a UID stays the same in
  every session and after server restarts, and two messages arriving in the same microsecond
  still differ. ``SMITH.20261129102500123456.42``: at most 32 + 1 + 20 + 1 + 15 characters.
- Retrieval: the wire form (headers.build_message + protocol.frame_message) is built once per
  message and kept for the session, so a second RETR, or a TOP after a RETR, sends the same
  framed bytes without rebuilding or re-stuffing them; TOP cuts them after the header block and
  n body lines. The cache holds at most `wire_cache_bytes` (16 MiB) per session, least recently
  used first out (the newest message is always kept, however large). A body stored in its POP
  form already (the store's ``wire_ready``) is sent as it is, behind the framed headers.
- Foreign messages (flag FOREIGN): the built headers and headers.FOREIGN_NOTE; the body is
  never read, and they are never deleted, whatever the protocol asks.
- QUIT: `commit(Changes)` applies everything in ONE mail-file transaction: the deleted messages
  are erased (removed for good, their space counted as deleted space; a message is only erased
  from the folder it was listed in, so one that VMS MAIL moved meanwhile is left alone), the
  moves go from NEWMAIL to MAIL (only messages still in NEWMAIL) and clear the NEW flag (the
  MAIL folder holds read mail). With TCPIP$POP_PURGE_RECLAIM (Changes.reclaim) the mail file is
  then reclaimed (`MailFile.reclaim`, unless the store's automatic reclaim past 32,767 deleted
  bytes just ran); a failed reclaim is logged and does not undo the commit. The lock is
  released either way.
- A session that ends without QUIT calls `release()`: the lock goes, nothing changes.

Sizes (LIST, STAT)
------------------
Exact by default: the octets RETR sends, CRLF line ends, without stuffing dots -- what
``wire_size(frame_message(build_message(...)))`` gives -- computed without reading bodies: the
built header block is counted from the stored VMS header texts (the From: rewrite is done once
per distinct VMS From: and remembered; texts holding CR or LF, and years before 1001, are
counted by building the header lines) and the body's POP size is stored with the message
(``wire_size``). The exception is TCPIP$POP_IGNORE_MAIL11_HEADERS in effect
(HeaderPolicy.use_body_headers): a message with an SMTP From: is then sent with the header block
found at the top of its body, and an exact size needs that body, so such messages are read and
built when the maildrop opens (as the manual implies the VMS server does for every message
without FAST_SCAN),
and their wire form is kept for the session. A body that cannot be read then is listed with
the size of the built headers and its stored body (its RETR answers [SYS/TEMP]), so one damaged
message does not close the maildrop.

TCPIP$POP_FAST_SCAN: an estimate, never reading a body:
``body octets + body lines`` (one CR per line, as if every line ended in a bare LF) ``+ 80``
(the fixed parts of the built header block: field names, the Date: line, line ends and the
empty line) ``+ 2 x length of the VMS From:`` (the rebuilt From: and X-VMS-From:) ``+ lengths
of To:, CC: and Subj:`` (+ the X-POP3-Server: and X-POP3-ID: lines when SEND_ID_HEADERS);
foreign messages count the note instead of their body. The estimate is high for bodies stored
with CR LF line ends and for rewritten addresses shorter than their VMS form, low for long
rewrites. RETR always sends the real message (its +OK line repeats the listed size, as LIST
gave it; the Retrieved event, hence XTND STATS, counts the octets really sent).

Listings are also remembered by the Mailstore between sessions, for at most
`listing_cache_entries` messages over all mail files (the least recently opened files go
first), with the mail file's generation (vmsenv.mail.store: a counter every committed change
of the file bumps, whichever process or connection made it). When the next session of the
same user opens the same mail file (same tag) for the same folders and the generation is
unchanged, the remembered listing is the listing: one small query instead of reading and
sizing every message. Otherwise the file is listed again, and the sizes and UIDs of messages
listed before are reused (a message's listed texts, arrival and body never change; the FOREIGN
flag is checked), so only new messages are formatted. A listing holding a message whose size
could not be computed (an unreadable body) is not reused as a whole.

Threads: a Mailstore serves every client thread; a Maildrop belongs to one session (one thread
at a time) and has its own connection to the mail file. SYSUAF, profiles and the system logical
names are read through a Root per thread (each with its own database connection).
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import NamedTuple

from popserver import headers as H
from popserver import protocol as P
from popserver.config import Settings
from vmsenv import condition as cond
from vmsenv import uaf
from vmsenv.condition import VMSError
from vmsenv.mail import profile
from vmsenv.mail import store as ms
from vmsenv.root import ThreadRoots

HEADER_ALLOWANCE = 80
"""FAST_SCAN: octets counted for the fixed parts of the built header block."""
WIRE_CACHE_BYTES = 16 * 1024 * 1024
"""Wire bytes kept per session (least recently used out; the newest is always kept)."""
LISTING_CACHE_ENTRIES = 100_000
"""Messages whose listing (store row, UID and size) the Mailstore remembers between
sessions."""
MAX_HOPS = 8
"""Tombstones of relocated mail files followed at most."""
SECRET_FILE = "POP_SECRET.DAT"
SECRET_READ = 1024
"""Octets of POP_SECRET.DAT read: enough to see a first line over the 500-character limit."""

_UTC = _dt.timezone.utc
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_UTC)
_YEAR_1001_US = (_dt.datetime(1001, 1, 1, tzinfo=_UTC) - _EPOCH) // _dt.timedelta(microseconds=1)
"""Arrivals before this may print a year of fewer than 4 digits in Date: (counted the long way)."""


def _has_status(err: VMSError, status: int) -> bool:
    if err.status == status:
        return True
    return any((s.status if isinstance(s, VMSError) else s) == status for s in err.secondary)


# ======================================================================= mail directories
class MailDirectories:
    """Where each user's mail is (vmsenv.mail.profile), for any thread.

    roots: () -> a Root for the calling thread (its own database connection)."""

    def __init__(self, roots: Callable[[], object]):
        self._roots = roots

    @classmethod
    def for_root(cls, root) -> MailDirectories:
        return cls(ThreadRoots(root).get)

    @classmethod
    def for_process(cls, process) -> MailDirectories:
        return cls.for_root(process.root)

    def root(self):
        """The calling thread's Root."""
        return self._roots()

    def record(self, username: str) -> uaf.Account | None:
        """The SYSUAF record of a user name as typed, or None."""
        try:
            name = uaf.valid_username(username)
        except VMSError:
            return None
        return uaf.get(self._roots(), name)

    def _host(self, record: uaf.Account, spec: str | None) -> Path | None:
        try:
            return profile.host_directory(self._roots(), record, spec)
        except VMSError as exc:
            if any(_has_status(exc, s) for s in (cond.RMS_DNF, cond.RMS_DEV)):
                return None
            raise

    def login_directory(self, record: uaf.Account) -> Path | None:
        """The host directory of the account's login directory; None when it does not exist.
        Other failures raise VMSError."""
        return self._host(record, record.login_spec)

    def mail_directory_spec(self, record: uaf.Account) -> str:
        """The VMS directory of the user's mail (``SYS$SYSDEVICE:[JONES.MAIL]``)."""
        return profile.mail_directory_spec(self._roots(), record)

    def open_mail_file(self, record: uaf.Account) -> tuple[Path | None, ms.MailFile | None]:
        """(mail directory, mail file) of an account: the file None when there is none, the
        directory None when it does not exist either. Follows relocated mail files."""
        location: Path | None = self._host(record, None)
        if location is None:
            return None, None
        for _ in range(MAX_HOPS):
            try:
                mf = ms.MailFile(location, create=False)
            except VMSError as exc:
                if exc.status == cond.VMSENV_MAILMOVED:
                    location = Path(exc.fao_args[1])
                    continue
                if _has_status(exc, cond.RMS_FNF):
                    return _directory_of(location), None
                if _has_status(exc, cond.RMS_DNF):
                    return None, None
                raise
            return mf.directory, mf
        raise VMSError(cond.VMSENV_MAILERR, str(location), "too many relocations")

    def mail_directory(self, record: uaf.Account) -> Path | None:
        """The host directory holding the user's mail (and POP_SECRET.DAT), or None."""
        directory, mf = self.open_mail_file(record)
        if mf is not None:
            mf.close()
        return directory


def _directory_of(location: Path) -> Path:
    return location if location.suffix.lower() != ".mai" else location.parent


def read_secret(directory: Path) -> str | None:
    """The first line of the newest POP_SECRET.DAT in a host directory (name matched
    ignoring case, versions as vmsenv.files names them), line end removed; None when there is
    no such file, it cannot be read or the line is empty. Decoded as ISO Latin-1."""
    from vmsenv.files import split_version

    best: tuple[int, Path] | None = None
    want = SECRET_FILE.lower()
    try:
        entries = list(directory.iterdir())
    except OSError:
        return None
    for path in entries:
        base, version = split_version(path.name)
        if base.lower() != want or not path.is_file():
            continue
        if best is None or version > best[0]:
            best = (version, path)
    if best is None:
        return None
    try:
        with open(best[1], "rb") as f:
            data = f.read(SECRET_READ)
    except OSError:
        return None
    line = data.split(b"\n", 1)[0]
    if line.endswith(b"\r"):
        line = line[:-1]
    return line.decode("latin-1") or None


# ======================================================================= sizes
class _Sizer:
    """Listed sizes (see the module docstring). One per Mailstore; thread-safe (the memo is a
    dict filled with immutable values)."""

    def __init__(self, policy: H.HeaderPolicy, host: H.HostEnvironment, fast_scan: bool):
        self.policy = policy
        self.host = host
        self.fast_scan = fast_scan
        sample = H.rfc822_date(_dt.datetime(2000, 1, 1), host.tz)
        self._fixed = len("Date: ") + len(sample) + 2 + 2     # Date: line and the empty line
        self._server = (len(f"X-POP3-Server: {policy.server_id}") + 2
                        if policy.send_id_headers else 0)
        self._from: dict[str, tuple[int, bool]] = {}
        self.note_octets = ms.body_stats(H.FOREIGN_NOTE)[1]

    def _sender(self, vms_from: str) -> tuple[int, bool]:
        """(octets of the From: and X-VMS-From: lines, whether the body's headers are used)."""
        known = self._from.get(vms_from)
        if known is None:
            value = H.from_value(vms_from, self.policy, self.host)
            octets = (len("From: ") + len(value) + 2 if value else 0) + \
                len(f"X-VMS-From: {vms_from}".rstrip()) + 2
            body_headers = (self.policy.use_body_headers
                            and H.is_smtp(H.split_from(vms_from)[0]))
            known = (octets, body_headers)
            if len(self._from) < 100_000:
                self._from[vms_from] = known
        return known

    def needs_body(self, row: ms.MessageInfo) -> bool:
        """True when the exact size needs the body (headers taken from the body)."""
        return (self.policy.use_body_headers and not self.fast_scan
                and not row.flags & ms.F_FOREIGN and self._sender(row.vms_from)[1])

    def _id_octets(self, uid: str) -> int:
        return self._server + len("X-POP3-ID: ") + len(uid) + 2 if self._server else 0

    def header_octets(self, row: ms.MessageInfo, uid: str) -> int:
        """The framed built header block's octets (headers.build_headers, framed)."""
        texts = row.vms_from + row.to + row.cc + row.subject
        if "\n" in texts or "\r" in texts or row.arrived_us < _YEAR_1001_US:
            lines = H.build_headers(_vms_headers(row), self.policy, self.host, uid)
            return P.wire_size(P.frame_message(lines, b""))
        n = self._fixed + self._sender(row.vms_from)[0]
        n += len(f"To: {row.to}".rstrip()) + 2
        if row.cc.strip():
            n += len("CC: ") + len(row.cc) + 2
        if row.subject.strip():
            n += len("Subject: ") + len(row.subject) + 2
        return n + self._id_octets(uid)

    def size(self, row: ms.MessageInfo, uid: str) -> int:
        """The listed size of a message whose size needs no body."""
        foreign = row.flags & ms.F_FOREIGN
        if self.fast_scan:
            body = self.note_octets if foreign else row.size + row.lines
            return (HEADER_ALLOWANCE + 2 * len(row.vms_from) + len(row.to) + len(row.cc)
                    + len(row.subject) + self._id_octets(uid) + body)
        return self.header_octets(row, uid) + (self.note_octets if foreign else row.wire_size)


def _vms_headers(row: ms.MessageInfo) -> H.VmsHeaders:
    return H.VmsHeaders(row.vms_from, row.to, row.cc, row.subject, row.arrival)


# ======================================================================= the listing cache
_Entries = dict[int, tuple[ms.MessageInfo, P.MessageInfo]]


class _Listing(NamedTuple):
    """What a session listed from one mail file: shared by later sessions, never changed."""

    generation: int | None
    """The mail file's generation when it was read; None when the listing may not be reused
    as a whole (a message whose size could not be computed)."""
    folders: tuple[str, ...]
    entries: _Entries
    """id -> (store row, protocol.MessageInfo), the messages whose info may be reused."""
    messages: list[P.MessageInfo]


class _ListingCache:
    """(mail file tag, user) -> the last _Listing, LRU over files, bounded by the number of
    messages."""

    def __init__(self, limit: int):
        self.limit = limit
        self._files: OrderedDict[tuple[str, str], _Listing] = OrderedDict()
        self._count = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> _Listing | None:
        with self._lock:
            listing = self._files.get(key)
            if listing is not None:
                self._files.move_to_end(key)
            return listing

    def put(self, key: tuple[str, str], listing: _Listing) -> None:
        if self.limit <= 0:
            return
        with self._lock:
            old = self._files.pop(key, None)
            if old is not None:
                self._count -= len(old.entries)
            if len(listing.entries) > self.limit:
                return
            self._files[key] = listing
            self._count += len(listing.entries)
            while self._count > self.limit:
                _, dropped = self._files.popitem(last=False)
                self._count -= len(dropped.entries)


# ======================================================================= the store
class VmsMailstore:
    """protocol.Mailstore over the users' MAIL.MAI files."""

    def __init__(self, directories: MailDirectories, *, policy: H.HeaderPolicy,
                 host: H.HostEnvironment, fast_scan: bool = False,
                 log: Callable[[str], None] | None = None,
                 wire_cache_bytes: int = WIRE_CACHE_BYTES,
                 listing_cache_entries: int = LISTING_CACHE_ENTRIES):
        self.directories = directories
        self.policy = policy
        self.host = host
        self.fast_scan = fast_scan
        self.log = log
        self.wire_cache_bytes = wire_cache_bytes
        self.sizer = _Sizer(policy, host, fast_scan)
        self.listings = _ListingCache(listing_cache_entries)

    def open(self, account: P.Account, folders: tuple[str, ...]) -> VmsMaildrop:
        record = self.directories.record(account.username)
        if record is None:
            raise P.MaildropError(f"no SYSUAF record for {account.username}")
        try:
            directory, mf = self.directories.open_mail_file(record)
        except VMSError as exc:
            raise P.MaildropError(str(exc)) from exc
        lock: ms.SessionLock | None = None
        try:
            if mf is not None:
                lock = mf.lock_session()
            elif directory is not None:
                path = ms.mail_file_path(directory)
                lock = ms.SessionLock(Path(f"{path}-pop"), str(path))
            drop = VmsMaildrop(self, record.username, mf, lock)
            drop._list(folders)
        except VMSError as exc:
            if lock is not None:
                lock.release()
            if mf is not None:
                mf.close()
            if _has_status(exc, cond.RMS_FLK):
                raise P.MaildropInUse(str(exc)) from exc
            raise P.MaildropError(str(exc)) from exc
        except BaseException:
            if lock is not None:
                lock.release()
            if mf is not None:
                mf.close()
            raise
        return drop


class VmsMaildrop:
    """One session's maildrop (protocol.Maildrop)."""

    def __init__(self, store: VmsMailstore, username: str, mf: ms.MailFile | None,
                 lock: ms.SessionLock | None):
        self._store = store
        self.username = username
        self._mf = mf
        self._lock = lock
        self._entries: dict[int, tuple[ms.MessageInfo, P.MessageInfo]] = {}
        self._list_: list[P.MessageInfo] = []
        self._wire: OrderedDict[int, tuple[bytes, int]] = OrderedDict()
        self._wire_bytes = 0
        self.reads = 0
        """Bodies read from the mail file in this session (for tests and statistics)."""

    # ------------------------------------------------------------------ listing
    def _list(self, folders: Sequence[str]) -> None:
        mf = self._mf
        if mf is None:
            return
        store = self._store
        key = (mf.tag, self.username)
        folders = tuple(dict.fromkeys(folders))
        previous = store.listings.get(key)
        if (previous is not None and previous.generation is not None
                and previous.folders == folders and previous.generation == mf.generation()):
            self._entries = previous.entries        # shared: this session only reads them
            self._list_ = previous.messages
            return
        generation, rows = mf.listing(folders)
        sizer = store.sizer
        known = previous.entries if previous is not None else {}
        fresh: _Entries = {}
        entries: _Entries = {}
        listing: list[P.MessageInfo] = []
        foreign_flag = ms.F_FOREIGN
        uidl = P.uidl
        user = self.username
        make = P.MessageInfo
        epoch = _EPOCH
        td = _dt.timedelta
        for row in rows:
            mid = row.id
            arrived = row.arrived_us
            foreign = bool(row.flags & foreign_flag)
            cached = known.get(mid)
            info = cached[1] if cached is not None and cached[0].arrived_us == arrived \
                and bool(cached[0].flags & foreign_flag) == foreign else None
            remember = True
            if info is None:
                arrival = epoch + td(microseconds=arrived)
                uid = uidl(user, arrival, mid)
                size = None
                if sizer.needs_body(row):
                    try:
                        size = P.wire_size(self._build(row, uid))
                    except P.MaildropError:     # listed as built, not remembered
                        remember = False
                if size is None:
                    size = sizer.size(row, uid)
                info = make(mid, uid, size, arrival, row.folder, foreign)
            elif info.folder != row.folder:     # moved since: the same UID and size
                info = make(mid, info.uid, info.size, info.arrival, row.folder, foreign)
            entry = (row, info)
            if remember:
                fresh[mid] = entry
            entries[mid] = entry
            listing.append(info)
        self._entries = entries
        self._list_ = listing
        if len(fresh) == len(entries):
            store.listings.put(key, _Listing(generation, folders, entries, listing))
        else:
            store.listings.put(key, _Listing(None, folders, fresh, []))

    def messages(self) -> Sequence[P.MessageInfo]:
        return list(self._list_)

    # ------------------------------------------------------------------ retrieval
    def _entry(self, key: Hashable) -> tuple[ms.MessageInfo, P.MessageInfo]:
        entry = self._entries.get(key)  # type: ignore[call-overload]
        if entry is None:
            raise P.MaildropError(f"message {key!r} is not in this maildrop")
        return entry

    def _build(self, row: ms.MessageInfo, uid: str) -> bytes:
        """The full wire form of a message, kept in the session's cache."""
        cached = self._wire.get(row.id)
        if cached is not None:
            self._wire.move_to_end(row.id)
            return cached[0]
        store = self._store
        vms = _vms_headers(row)
        if row.flags & ms.F_FOREIGN:
            built = H.build_message(vms, b"", uid=uid, policy=store.policy, host=store.host,
                                    foreign=True)
            body = built.body
        else:
            assert self._mf is not None
            try:
                body = self._mf.read(row.id)
            except VMSError as exc:
                raise P.MaildropError(str(exc)) from exc
            self.reads += 1
            built = H.build_message(vms, body, uid=uid, policy=store.policy, host=store.host)
        head = P.frame_message(built.header_lines, b"")
        if built.body is body and row.wire_ready and not row.flags & ms.F_FOREIGN:
            wire = head + body
        else:
            wire = P.frame_message(built.header_lines, built.body)
        self._keep(row.id, wire, len(head))
        return wire

    def _keep(self, mid: int, wire: bytes, head_len: int) -> None:
        cache = self._wire
        cache[mid] = (wire, head_len)
        self._wire_bytes += len(wire)
        while self._wire_bytes > self._store.wire_cache_bytes and len(cache) > 1:
            _, (old, _) = cache.popitem(last=False)
            self._wire_bytes -= len(old)

    def wire_bytes(self, key: Hashable, body_lines: int | None) -> bytes:
        row, info = self._entry(key)
        wire = self._build(row, info.uid)
        if body_lines is None:
            return wire
        head_len = self._wire[row.id][1]     # _build keeps the newest message
        return _first_lines(wire, head_len, body_lines)

    # ------------------------------------------------------------------ the end
    def commit(self, changes: P.Changes) -> None:
        mf = self._mf
        try:
            if mf is None:
                return
            by_folder: dict[str, list[int]] = {}
            for key in changes.delete:
                row, info = self._entry(key)
                if info.foreign:
                    continue                    # never deleted
                by_folder.setdefault(row.folder, []).append(row.id)
            moves = [self._entry(key)[0].id for key in changes.move_to_mail]
            if by_folder or moves:
                try:
                    with mf.batch() as batch:
                        for folder, ids in by_folder.items():
                            batch.erase(ids, source=folder)
                        if moves:
                            batch.move(moves, P.MAIL, source=P.NEWMAIL)
                            batch.set_flags(moves, clear=ms.F_NEW)
                except VMSError as exc:
                    raise P.MaildropError(str(exc)) from exc
            if changes.reclaim and by_folder and mf.last_reclaim is None:
                try:
                    mf.reclaim()
                except VMSError as exc:
                    if self._store.log is not None:
                        self._store.log(f"mail file {mf.path} not reclaimed: {exc}")
        finally:
            self.release()

    def release(self) -> None:
        self._wire.clear()
        self._wire_bytes = 0
        lock, self._lock = self._lock, None
        mf, self._mf = self._mf, None
        try:
            if lock is not None:
                lock.release()
        finally:
            if mf is not None:
                mf.close()


def _first_lines(wire: bytes, start: int, n: int) -> bytes:
    """The framed header block (wire[:start]) and the first n lines after it."""
    pos = start
    for _ in range(n):
        i = wire.find(b"\r\n", pos)
        if i < 0:
            return wire
        pos = i + 2
    return wire[:pos]


# ======================================================================= construction
def for_process(process, settings: Settings, host: H.HostEnvironment, *,
                policy: H.HeaderPolicy | None = None,
                log: Callable[[str], None] | None = None, **options) -> VmsMailstore:
    """A Mailstore for a server running in `process` (the users of its root)."""
    if policy is None:
        policy = H.policy_from_settings(settings, host, P.VERSION)[0]
    return VmsMailstore(MailDirectories.for_process(process), policy=policy, host=host,
                        fast_scan=settings.fast_scan, log=log, **options)


def from_context(context) -> VmsMailstore:
    """The server's mail store factory (server.MAILSTORE_FACTORY =
    ``"popserver.maildrop:from_context"``): uses the context's per-thread roots, header policy
    and host, and sets ``context.mail_directory``."""
    directories = MailDirectories(context.roots.get)
    context.mail_directory = directories.mail_directory_spec
    log = context.log.error if context.log is not None else None
    return VmsMailstore(directories, policy=context.policy, host=context.host,
                        fast_scan=context.settings.fast_scan, log=log)


__all__ = [
    "HEADER_ALLOWANCE", "LISTING_CACHE_ENTRIES", "MailDirectories", "ThreadRoots",
    "VmsMaildrop", "VmsMailstore", "WIRE_CACHE_BYTES", "for_process",
    "from_context", "read_secret",
]
