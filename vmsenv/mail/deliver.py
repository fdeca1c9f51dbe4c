"""Delivery into VMS MAIL, as the TCP/IP Services SMTP server (or DECnet MAIL-11) would do it.

An RFC 822 message (bytes) becomes a VMS MAIL message with four header lines and a body:

- From: `SMTP%"addr"`.  addr is the explicit sender when one is given (`vmsenv deliver
  --from`); otherwise the first address found in the message's headers in the order SMTP uses
  for the VMS From: (Compaq TCP/IP Services Management 17.1.3 lists Resent-Reply-To:,
  Resent-From:, Reply-To:, Resent-Sender:, Sender:, Return-Path:, taking the first it finds; the
  list as printed leaves From: out, and we put it after Reply-To: [I]).  A Return-Path missing
  from the message may be supplied by the caller as the envelope sender (`return_path`, e.g.
  the address of an mbox "From " line).  Double quotes inside the address are stored as cent
  signs (SMTP hides nested quotes so; the POP server turns them back).  An address with no
  domain gets the SMTP substitute domain, or the host's name if none is set [I].
- The SMTP jacket and local senders (SMTP chapter; POP facts 9 and 10): SMTP% is the "jacket"
  the symbiont wraps mail in.  Unless the system logical name TCPIP$SMTP_JACKET_LOCAL is
  defined true (1; read by vmsenv.tcpip.jacket_local in LNM$SYSTEM_TABLE), mail whose sender's
  domain is local -- the locality routine vmsenv.tcpip.is_local_host that the POP server uses:
  the local host's full name, the substitute domain, a domain of TCPIP$SMTP_LOCAL_ALIASES.TXT
  -- is delivered as plain VMS mail: From: ``NODE::USER``, NODE this system's node name and
  USER the address's local part upper-cased [I: VMS does not say how the symbiont maps the
  local part; VMS user names are upper case].  A local part that the simple DECnet form
  cannot hold (anything but letters, digits, ``$ _ . -``, e.g. a quoted local part) keeps
  the jacket [I].  The locality, the logical name and the aliases file are read when the
  configuration is made (SmtpConfig.from_system; once per Deliverer given a root), as the
  symbiont reads them at its start; a config made by hand, or by SmtpConfig.load (the stored
  settings alone), has the jacket on and so behaves as before.
- To:, CC:, Subj: the message's To:, Cc: and Subject: fields, unfolded, trimmed, not rebuilt
  (several To:/Cc: fields are joined with ", "); with no To: field, the recipients' user names.
  Texts are the header bytes decoded as Latin-1 (DEC MCS), so 8-bit bytes survive.
- `vms_from`: any VMS From: text stored verbatim instead (`NODE::USER`, `ORDERS::"j@acme.com"`,
  `ABCDEF::SMTP%"x@y"`), as mail arriving over DECnet MAIL-11.  Given together with `subject`
  the input is not parsed as RFC 822 at all: the bytes are the body of a pure VMS message (To:
  from `to` or the recipients, CC: from `cc`).

The body, by the SMTP configuration's header control (SET CONFIGURATION SMTP /OPTIONS):

    original message  M = H + S + B   H the header block (each line with its own line end),
                                      S the blank line ending it (LF or CR LF; empty when the
                                      message has none), B the rest
    TOP_HEADERS       body = M, unchanged                               layout TOP
    HEADERS (default) body = B + J + S + H, J a line end (that of H's   layout BOTTOM
                      first line) only when B is not empty and does
                      not end with LF, so that the headers start a line
    NOHEADERS         body = B                                          layout NONE

The stored row records len(H), len(S) and len(B), so a reader recovers M byte for byte from
either layout: `vmsenv.mail.store.original_message(info, body)` (TOP: the body; BOTTOM: H + S + B
taken from the end and the start of the body).  Nothing is re-encoded: line ends, 8-bit bytes,
NULs and lines beginning with `.` are stored as given.  The POP server reaches the original
headers through `head_len`; where they sit follows the message, not the configuration at the
time of reading.

Parsing: the message must start with a header field (`name:`, the name printable ASCII without
blanks or colons); continuation lines start with a blank or tab; the header block ends at the
first empty line, or, leniently, at the first line that is neither (then S is empty).  Empty
input, a first line that is not a field, no usable sender address, an invalid address, an
unknown user or a user name VMS cannot have (1-12 of A-Z 0-9 _ $) raise VMSError and store
nothing.  With several recipients every user is resolved before anything is stored; each
recipient's mail file then takes its copy in its own transaction.

The user -> mail directory mapping is a callable (`mail_directory(USERNAME)` -> host path, or
None for an unknown user) so the account database can provide it.  The SMTP settings live in the
root's shared configuration: keys `smtp.substitute_domain` (absent: none) and
`smtp.header_control` (`HEADERS`, `NOHEADERS` or `TOP_HEADERS`; absent: HEADERS); the host's
name, TCPIP$SMTP_JACKET_LOCAL and the local aliases come from the system logical names and
files (vmsenv.tcpip's symbiont view: `system_names`, `system_local_host_name`, `jacket_local`,
`system_local_aliases`; SmtpConfig.from_system), so the host name a Deliverer given a root
uses to qualify a bare address is the one the POP server uses (TCPIP$INET_HOST and
TCPIP$INET_DOMAIN, else the node name in lower case).
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from email.utils import getaddresses
from pathlib import Path

from vmsenv import condition as cond
from vmsenv import tcpip
from vmsenv.mail import store as ms

CONFIG_SUBSTITUTE_DOMAIN = "smtp.substitute_domain"
CONFIG_HEADER_CONTROL = "smtp.header_control"
HEADER_CONTROLS = ("HEADERS", "NOHEADERS", "TOP_HEADERS")
FROM_ORDER = ("resent-reply-to", "resent-from", "reply-to", "from", "resent-sender", "sender",
              "return-path")
CENT = "\u00a2"

_FIELD = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]*:")
_USERNAME = re.compile(r"[A-Z0-9_$]{1,12}")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf'(?:{_ATOM}(?:\.{_ATOM})*|"(?:[^"\\\r\n]|\\.)*")')
_DOMAIN = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
                     r"(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?|\[[^\[\]\\\s]+\])")
_VMS_FROM_BAD = re.compile(r"[\x00-\x1f\x7f]")
_PLAIN_USER = re.compile(r"[A-Za-z0-9$_.-]+")


# ---------------------------------------------------------------------------------------------
# SMTP configuration.
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SmtpConfig:
    """The SMTP settings delivery depends on (TCPIP SET CONFIGURATION SMTP)."""

    substitute_domain: str | None = None
    header_control: str = "HEADERS"
    host_name: str | None = None        # the host's name; looked up when first needed
    jacket_local: bool = True
    """TCPIP$SMTP_JACKET_LOCAL in effect: every sender gets the SMTP jacket. A config made by
    hand keeps it on (it knows nothing of the system); `from_system` reads the logical name."""
    node: str = ""
    """The DECnet node name of the plain form NODE::USER (needed when jacket_local is off)."""
    local_aliases: frozenset[str] = frozenset()
    """The domains of TCPIP$SMTP_LOCAL_ALIASES.TXT."""

    def __post_init__(self):
        if self.header_control not in HEADER_CONTROLS:
            raise ValueError(f"header control {self.header_control!r}")
        if not self.jacket_local and not self.node:
            raise ValueError("a node name is needed without the SMTP jacket")

    @property
    def top_headers(self) -> bool:
        return self.header_control == "TOP_HEADERS"

    @classmethod
    def load(cls, root) -> SmtpConfig:
        """The settings kept in the root's configuration (what `save` writes) and nothing
        else: the other fields keep their defaults."""
        control = (root.config(CONFIG_HEADER_CONTROL) or "HEADERS").upper()
        if control not in HEADER_CONTROLS:
            control = "HEADERS"
        return cls(root.config(CONFIG_SUBSTITUTE_DOMAIN) or None, control)

    @classmethod
    def from_system(cls, root) -> SmtpConfig:
        """What delivery uses: `load`, plus what the SMTP symbiont reads from the system
        logical names (vmsenv.tcpip.system_names): TCPIP$SMTP_JACKET_LOCAL, the local host
        name (TCPIP$INET_HOST and TCPIP$INET_DOMAIN, else the node) and the local aliases
        file."""
        names = tcpip.system_names(root)
        return replace(cls.load(root), host_name=tcpip.system_local_host_name(root, names),
                       jacket_local=tcpip.jacket_local(names), node=root.node,
                       local_aliases=tcpip.system_local_aliases(root, names))

    def save(self, root) -> None:
        def work(db):
            if self.substitute_domain:
                db.execute("INSERT OR REPLACE INTO config VALUES (?, ?)",
                           (CONFIG_SUBSTITUTE_DOMAIN, self.substitute_domain))
            else:
                db.execute("DELETE FROM config WHERE key = ?", (CONFIG_SUBSTITUTE_DOMAIN,))
            db.execute("INSERT OR REPLACE INTO config VALUES (?, ?)",
                       (CONFIG_HEADER_CONTROL, self.header_control))
        root.store.change(work)

    @property
    def local_host(self) -> str:
        """The host's full name (a config made by hand without one: the host's FQDN)."""
        return self.host_name or socket.getfqdn().lower()

    def local_domain(self) -> str:
        """The substitute domain, else the host's fully qualified name."""
        return self.substitute_domain or self.local_host

    def is_local(self, host: str) -> bool:
        """SMTP's locality routine (vmsenv.tcpip.is_local_host, shared with the POP server)."""
        return tcpip.is_local_host(host, local_host=self.local_host,
                                   substitute_domain=self.substitute_domain,
                                   local_aliases=self.local_aliases)


# ---------------------------------------------------------------------------------------------
# RFC 822 parsing (bytes exact).
# ---------------------------------------------------------------------------------------------
def _bad(why: str) -> cond.VMSError:
    return cond.VMSError(cond.VMSENV_BADMSG, why)


@dataclass(frozen=True)
class ParsedMessage:
    """An RFC 822 message split as M = head + sep + body, with its unfolded fields."""

    head: bytes
    sep: bytes
    body: bytes
    fields: tuple[tuple[str, str], ...]     # (lower-case name, unfolded value), in order

    def get_all(self, name: str) -> list[str]:
        return [v for n, v in self.fields if n == name]

    def get(self, name: str) -> str | None:
        for n, v in self.fields:
            if n == name:
                return v
        return None

    @property
    def eol(self) -> bytes:
        first = self.head.find(b"\n")
        return b"\r\n" if first > 0 and self.head[first - 1:first] == b"\r" else b"\n"


def _line_content(line: bytes) -> bytes:
    if line.endswith(b"\r\n"):
        return line[:-2]
    if line.endswith(b"\n"):
        return line[:-1]
    return line


def parse_message(data: bytes) -> ParsedMessage:
    """Split an RFC 822 message; VMSENV-E-BADMSG when it does not start with a header."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("message must be bytes")
    data = bytes(data)
    if not data:
        raise _bad("empty message")
    fields: list[list] = []
    pos, n = 0, len(data)
    head_end, sep = n, b""
    while pos < n:
        nl = data.find(b"\n", pos)
        end = n if nl < 0 else nl + 1
        content = _line_content(data[pos:end])
        if not content:
            if not fields:
                raise _bad("no header before the first blank line")
            head_end, sep = pos, data[pos:end]
            break
        if content[:1] in (b" ", b"\t"):
            if not fields:
                raise _bad("first line is a continuation line")
            fields[-1][1].append(content)
        else:
            m = _FIELD.match(content)
            if m is None:
                if not fields:
                    raise _bad("first line is not a header field")
                head_end = pos
                break
            fields.append([m.group(1).decode("ascii").lower(), [content[m.end():]]])
        pos = end
    head = data[:head_end]
    body = data[head_end + len(sep):]
    unfolded = tuple((name, b"".join(parts).decode("latin-1").strip())
                     for name, parts in fields)
    return ParsedMessage(head, sep, body, unfolded)


# ---------------------------------------------------------------------------------------------
# Addresses.
# ---------------------------------------------------------------------------------------------
def valid_address(addr: str) -> bool:
    """local@domain (dot-atom or quoted local part; domain name or [literal]) or a bare local
    part."""
    if not addr or len(addr) > 512:
        return False
    at = addr.rfind("@")
    if at < 0:
        return _LOCAL.fullmatch(addr) is not None
    return (_LOCAL.fullmatch(addr[:at]) is not None
            and _DOMAIN.fullmatch(addr[at + 1:]) is not None)


def _qualify(addr: str, config: SmtpConfig) -> str:
    if not valid_address(addr):
        raise cond.VMSError(cond.VMSENV_BADADDR, addr)
    if "@" not in addr:
        addr = f"{addr}@{config.local_domain()}"
    return addr


def sender_address(parsed: ParsedMessage | None, config: SmtpConfig, *,
                   sender: str | None = None, return_path: str | None = None) -> str:
    """The address for the VMS From: (see the module docstring)."""
    if sender is not None:
        text = sender.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1].strip()
        if not text:
            raise cond.VMSError(cond.VMSENV_BADADDR, sender or '""')
        return _qualify(text, config)
    invalid = None
    for name in FROM_ORDER:
        values = parsed.get_all(name) if parsed is not None else []
        if name == "return-path" and not values and return_path:
            values = [return_path]
        for value in values:
            for _, addr in getaddresses([value]):
                if not addr:
                    continue
                if valid_address(addr):
                    return _qualify(addr, config)
                invalid = invalid or addr
    if invalid is not None:
        raise cond.VMSError(cond.VMSENV_BADADDR, invalid)
    raise cond.VMSError(cond.VMSENV_NOSENDER)


def smtp_from(addr: str) -> str:
    """The VMS From: of an SMTP delivery: SMTP%"addr", nested quotes as cent signs."""
    return 'SMTP%"' + addr.replace('"', CENT) + '"'


def plain_from(addr: str, config: SmtpConfig) -> str | None:
    """The VMS From: of a local sender's mail delivered without the SMTP jacket,
    ``NODE::USER``; None when the jacket applies (TCPIP$SMTP_JACKET_LOCAL in effect, a domain
    that is not local, or a local part the plain form cannot hold)."""
    if config.jacket_local:
        return None
    at = addr.rfind("@")
    if at <= 0:
        return None
    user, domain = addr[:at], addr[at + 1:]
    if not config.is_local(domain) or not _PLAIN_USER.fullmatch(user):
        return None
    return f"{config.node.upper()}::{user.upper()}"


def check_vms_from(text: str) -> str:
    if not isinstance(text, str) or not text.strip() or _VMS_FROM_BAD.search(text):
        raise cond.VMSError(cond.VMSENV_BADADDR, repr(text))
    return text


def check_username(name: str) -> str:
    user = name.strip().upper()
    if not _USERNAME.fullmatch(user):
        raise cond.VMSError(cond.MAIL_NOSUCHUSR, name.strip() or '""')
    return user


def split_recipients(recipients: str | Iterable[str]) -> list[str]:
    """`"A, b"` or ["A", "b"] -> ["A", "B"] (checked, duplicates dropped, order kept)."""
    items = recipients.split(",") if isinstance(recipients, str) else list(recipients)
    users: list[str] = []
    for item in items:
        if not item.strip():
            continue
        user = check_username(item)
        if user not in users:
            users.append(user)
    if not users:
        raise cond.VMSError(cond.VMSENV_NORCPT)
    return users


# ---------------------------------------------------------------------------------------------
# Building the stored message.
# ---------------------------------------------------------------------------------------------
def build_message(data: bytes, config: SmtpConfig, *, recipients: Sequence[str] = (),
                  sender: str | None = None, return_path: str | None = None,
                  vms_from: str | None = None, subject: str | None = None,
                  to: str | None = None, cc: str | None = None, arrived=None,
                  key: str | None = None, flags: int = ms.F_NEW) -> ms.NewMessage:
    """The NewMessage a delivery stores (pure: no I/O)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("message must be bytes")
    data = bytes(data)
    if vms_from is not None and subject is not None:
        return ms.NewMessage(data, check_vms_from(vms_from), to if to is not None
                             else ",".join(recipients), cc or "", subject, arrived, flags,
                             key=key)
    parsed = parse_message(data)
    if vms_from is None:
        addr = sender_address(parsed, config, sender=sender, return_path=return_path)
        vms_from = plain_from(addr, config) or smtp_from(addr)
    else:
        check_vms_from(vms_from)
    if to is None:
        to = ", ".join(v for v in parsed.get_all("to") if v) or ",".join(recipients)
    if cc is None:
        cc = ", ".join(v for v in parsed.get_all("cc") if v)
    if subject is None:
        subject = parsed.get("subject") or ""
    head, sep, body = parsed.head, parsed.sep, parsed.body
    if config.header_control == "TOP_HEADERS":
        stored, layout = data, ms.LAYOUT_TOP
    elif config.header_control == "HEADERS":
        joint = parsed.eol if body and not body.endswith(b"\n") else b""
        stored, layout = body + joint + sep + head, ms.LAYOUT_BOTTOM
    else:
        stored, layout = body, ms.LAYOUT_NONE
    lengths = (len(head), len(sep), len(body)) if layout != ms.LAYOUT_NONE else (0, 0, 0)
    return ms.NewMessage(stored, vms_from, to, cc, subject, arrived, flags, layout, *lengths,
                         key=key)


# ---------------------------------------------------------------------------------------------
# Delivering.
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Delivery:
    user: str
    path: Path                  # the mail file
    id: int | None              # None: the key was delivered before, nothing stored


class Deliverer:
    """Delivers to users' mail files; keeps them open between deliveries (close() when done)."""

    def __init__(self, mail_directory: Callable[[str], Path | str | None], *,
                 config: SmtpConfig | None = None, root=None):
        if config is None:
            config = SmtpConfig.from_system(root) if root is not None else SmtpConfig()
        self.config = config
        self.mail_directory = mail_directory
        self._files: dict[Path, ms.MailFile] = {}

    def resolve(self, user: str) -> Path:
        """The host directory of a user's mail, or MAIL-E-NOSUCHUSR."""
        user = check_username(user)
        where = self.mail_directory(user)
        if where is None:
            raise cond.VMSError(cond.MAIL_NOSUCHUSR, user)
        return Path(where)

    def mail_file(self, user: str) -> ms.MailFile:
        """The user's mail file, opened once; a file moved by SET MAIL_DIRECTORY is followed
        to its new place."""
        path = ms.mail_file_path(self.resolve(user))
        mf = self._files.get(path)
        if mf is None:
            try:
                mf = ms.MailFile(path)
            except cond.VMSError as e:
                if e.status != cond.VMSENV_MAILMOVED:
                    raise
                mf = ms.MailFile(e.fao_args[1])
            self._files[path] = mf
        return mf

    def deliver(self, data: bytes, recipients: str | Iterable[str], *, folder: str = ms.NEWMAIL,
                **options) -> list[Delivery]:
        """Deliver one message to each recipient.  Options: sender, return_path, vms_from,
        subject, to, cc, arrived, key, flags (see build_message)."""
        users = split_recipients(recipients)
        ms.check_folder(folder)
        msg = build_message(data, self.config, recipients=users, **options)
        for user in users:             # every user known, then every mail file open,
            self.resolve(user)          # before anything is stored
        for user in users:
            self.mail_file(user)
        return [self._deliver_one(user, msg, folder) for user in users]

    def _deliver_one(self, user: str, msg: ms.NewMessage, folder: str) -> Delivery:
        mf = self.mail_file(user)
        try:
            return Delivery(user, mf.path, mf.add(msg, folder))
        except cond.VMSError as e:
            if e.status != cond.VMSENV_MAILMOVED:
                raise
        # moved since it was opened (SET MAIL_DIRECTORY): ask where the user's mail is now
        self._files = {p: f for p, f in self._files.items() if f is not mf}
        mf.close()
        mf = self.mail_file(user)
        return Delivery(user, mf.path, mf.add(msg, folder))

    def close(self) -> None:
        for mf in self._files.values():
            mf.close()
        self._files.clear()

    def __enter__(self) -> Deliverer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def deliver(data: bytes, recipients: str | Iterable[str], *,
            mail_directory: Callable[[str], Path | str | None], root=None,
            config: SmtpConfig | None = None, folder: str = ms.NEWMAIL,
            **options) -> list[Delivery]:
    """One delivery (`vmsenv deliver`): see Deliverer.deliver."""
    with Deliverer(mail_directory, config=config, root=root) as d:
        return d.deliver(data, recipients, folder=folder, **options)


__all__ = [
    "SmtpConfig", "ParsedMessage", "Delivery", "Deliverer", "deliver", "build_message",
    "parse_message", "plain_from", "sender_address", "smtp_from", "valid_address", "check_vms_from",
    "check_username", "split_recipients",
    "CONFIG_SUBSTITUTE_DOMAIN", "CONFIG_HEADER_CONTROL", "HEADER_CONTROLS", "FROM_ORDER",
]
