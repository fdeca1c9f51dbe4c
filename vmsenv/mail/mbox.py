"""Importing an mbox file into a user's mail, message by message, as SMTP delivery would.

Reading the mbox (choices where the formats disagree):

- A message starts at each line beginning with `From ` (at the start of the file or after a
  LF), the "From_" line, which is not part of the message.  Text before the first From_ line
  (a file that is not an mbox, or garbage at its start) is reported as a message that could not
  be imported.
- The blank line a writer puts between messages is removed: when the bytes up to the next From_
  line (or the end of the file) end with an empty line, its line end (LF or CR LF) is dropped.
- `>From ` quoting is undone the mboxrd way: on a line of one or more `>` followed by `From `,
  one `>` is removed.  This restores lines that began with `From ` in both mboxo and mboxrd
  files; only an mboxo file's original `>From ` lines lose their `>` (unescape=False keeps every
  byte as it is in the file).  Content-Length fields (mboxcl) are not used.
- The arrival time is the From_ line's date (taken as local time, the ctime() form Unix mail
  delivery writes), else the message's Date:, else the time of the import.  The From_ line's
  address is the envelope sender, used only when no header names a sender.

Every message goes through vmsenv.mail.deliver.build_message with the root's SMTP settings, so
it is stored exactly as an SMTP delivery of the same bytes.  Messages are stored in batches
(1,000 messages or 32 MB), each batch one transaction.

Identity: each message carries the delivery key `mbox:SHA256:N` -- the SHA-256 of its bytes
(after unquoting) and N, the number of identical messages before it in the same file.  A key is
stored once per mail file (and remembered after the message is purged), so running an import
again, or again after an interruption, stores only what is missing, and an identical message in
another mbox is not stored twice.

Flags: messages imported into NEWMAIL are NEW; into any other folder they arrive read [I].
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import mmap
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import parsedate, parsedate_to_datetime
from pathlib import Path
from typing import TextIO

from vmsenv import condition as cond
from vmsenv.mail import store as ms
from vmsenv.mail.deliver import Deliverer, build_message, parse_message, valid_address

BATCH_MESSAGES = 1000
BATCH_BYTES = 32 * 1024 * 1024
_QUOTED_FROM = re.compile(rb"(?m)^>(>*From )")
_FROM_LINE = re.compile(rb"From (\S*)[ \t]*(.*?)\r?\n?$", re.S)


@dataclass(frozen=True)
class MboxEntry:
    index: int                  # 1-based position in the file
    offset: int                 # byte offset of its From_ line (of the text, for leading text)
    from_line: bytes | None     # None for text before the first From_ line
    data: bytes                 # the message bytes (unquoted when asked)


def _drop_separator(data: bytes) -> bytes:
    if data.endswith(b"\r\n\r\n") or data == b"\r\n":
        return data[:-2]
    if data.endswith(b"\n\n") or data == b"\n":
        return data[:-1]
    return data


def _unquote(data: bytes) -> bytes:
    if b">>From " in data:
        return _QUOTED_FROM.sub(rb"\1", data)
    data = data.replace(b"\n>From ", b"\nFrom ")
    return data[1:] if data.startswith(b">From ") else data


def split_mbox(buf, *, unescape: bool = True) -> Iterator[MboxEntry]:
    """The entries of an mbox held in a bytes-like object (bytes or mmap)."""
    n = len(buf)
    if n == 0:
        return
    if buf[:5] == b"From ":
        first = 0
    else:
        k = buf.find(b"\nFrom ")
        first = n if k < 0 else k + 1
    index = 0
    if first and bytes(buf[:first]).strip():
        index += 1
        yield MboxEntry(index, 0, None, bytes(buf[:first]))
    start = first
    while start < n:
        line_end = buf.find(b"\n", start)
        line_end = n if line_end < 0 else line_end + 1
        k = buf.find(b"\nFrom ", line_end - 1)
        end = n if k < 0 else k + 1
        data = _drop_separator(bytes(buf[line_end:end]))
        if unescape and b">From " in data:
            data = _unquote(data)
        index += 1
        yield MboxEntry(index, start, bytes(buf[start:line_end]), data)
        start = end


def _from_line_parts(line: bytes) -> tuple[str | None, _dt.datetime | None]:
    m = _FROM_LINE.match(line)
    if m is None:
        return None, None
    sender = m.group(1).decode("latin-1")
    if sender == "-" or not valid_address(sender):      # "From - date": sender unknown
        sender = None
    when = None
    parsed = parsedate(m.group(2).decode("latin-1"))
    if parsed is not None:
        try:
            when = _dt.datetime(*parsed[:6])
        except ValueError:
            when = None
    return sender, when


def _date_field(data: bytes) -> _dt.datetime | None:
    try:
        value = parse_message(data).get("date")
        return parsedate_to_datetime(value) if value else None
    except (cond.VMSError, TypeError, ValueError, IndexError, OverflowError):
        return None


@dataclass(frozen=True)
class ImportFailure:
    index: int
    offset: int
    error: cond.VMSError


@dataclass
class ImportResult:
    path: str
    user: str
    folder: str
    messages: int = 0           # stored by this run
    present: int = 0            # already in the mail file (same identity)
    bytes: int = 0              # bytes of the messages stored by this run
    file_bytes: int = 0         # size of the mbox file
    seconds: float = 0.0
    failures: list[ImportFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def failure_errors(self) -> list[cond.VMSError]:
        """One %VMSENV-W-NOTIMPORTED signal per message not imported, its reason below it."""
        return [cond.VMSError(cond.VMSENV_NOTIMPORTED, f.index, self.path, f.offset,
                              secondary=[f.error]) for f in self.failures]

    def summary(self) -> str:
        return cond.format_message(cond.VMSENV_IMPORTED, self.messages, self.bytes,
                                   f"{self.seconds:.2f}", self.present, len(self.failures))


class _Progress:
    """A one-line progress bar, drawn only on a terminal."""

    def __init__(self, stream: TextIO | None, total: int):
        self.stream = stream if stream is not None and _isatty(stream) else None
        self.total = max(total, 1)
        self.last = 0.0

    def update(self, done: int, messages: int, force: bool = False) -> None:
        if self.stream is None:
            return
        now = time.monotonic()
        if not force and now - self.last < 0.1:
            return
        self.last = now
        frac = min(done / self.total, 1.0)
        bar = "#" * int(frac * 30)
        self.stream.write(f"\rImporting [{bar:<30}] {frac * 100:5.1f}%  "
                          f"{done / 1e6:.1f}/{self.total / 1e6:.1f} MB  {messages} messages")
        self.stream.flush()

    def finish(self) -> None:
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def import_mbox(path: Path | str, user: str, deliverer: Deliverer, *,
                folder: str = ms.NEWMAIL, unescape: bool = True,
                progress: TextIO | None = sys.stderr, batch_messages: int = BATCH_MESSAGES,
                batch_bytes: int = BATCH_BYTES) -> ImportResult:
    """Import every message of an mbox into user's folder; see the module docstring.
    Messages that cannot be parsed are listed in the result; store errors raise VMSError
    (batches committed before stay, and a new run continues where this one stopped)."""
    started = time.monotonic()
    path = Path(path)
    ms.check_folder(folder)
    mail = deliverer.mail_file(user)
    result = ImportResult(str(path), user.strip().upper(), folder)
    flags = ms.F_NEW if folder == ms.NEWMAIL else 0
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as e:
        raise cond.VMSError(cond.MAIL_OPENIN, str(path), secondary=[
            cond.VMSError(cond.VMSENV_HOSTERR, e.strerror or str(e))]) from e
    try:
        size = os.fstat(fd).st_size
        result.file_bytes = size
        buf = mmap.mmap(fd, size, access=mmap.ACCESS_READ) if size else b""
    finally:
        os.close(fd)
    bar = _Progress(progress, size)
    seen: dict[bytes, int] = {}
    pending: list[tuple[MboxEntry, str]] = []
    pending_bytes = 0

    def flush() -> None:
        """Build what is not stored yet (so a re-run parses nothing twice) and store it."""
        nonlocal pending, pending_bytes
        known = mail.existing_keys(key for _, key in pending)
        msgs = []
        for entry, key in pending:
            if key in known:
                result.present += 1
                continue
            sender, when = _from_line_parts(entry.from_line)
            try:
                msgs.append(build_message(entry.data, deliverer.config,
                                          recipients=[result.user], return_path=sender,
                                          flags=flags, arrived=when or _date_field(entry.data),
                                          key=key))
            except cond.VMSError as e:
                result.failures.append(ImportFailure(entry.index, entry.offset, e))
        ids = mail.add_many(msgs, folder) if msgs else []
        for msg, mid in zip(msgs, ids, strict=True):
            if mid is None:
                result.present += 1
            else:
                result.messages += 1
                result.bytes += msg.head_len + msg.sep_len + msg.body_len \
                    if msg.layout != ms.LAYOUT_NONE else len(msg.body)
        pending, pending_bytes = [], 0

    try:
        for entry in split_mbox(buf, unescape=unescape):
            if entry.from_line is None:
                result.failures.append(ImportFailure(entry.index, entry.offset, cond.VMSError(
                    cond.VMSENV_BADMSG, "text before the first From line")))
                continue
            digest = hashlib.sha256(entry.data).digest()
            occurrence = seen.get(digest, 0)
            seen[digest] = occurrence + 1
            pending.append((entry, f"mbox:{digest.hex()}:{occurrence}"))
            pending_bytes += len(entry.data)
            if len(pending) >= batch_messages or pending_bytes >= batch_bytes:
                flush()
                bar.update(entry.offset, result.messages + result.present)
        flush()
        bar.update(size, result.messages + result.present, force=True)
    finally:
        bar.finish()
        if isinstance(buf, mmap.mmap):
            buf.close()
    result.seconds = time.monotonic() - started
    return result


__all__ = ["import_mbox", "split_mbox", "MboxEntry", "ImportResult", "ImportFailure"]
