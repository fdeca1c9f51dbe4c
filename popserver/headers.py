"""The RFC 822 headers the POP server builds from a VMS MAIL message (manual 19.1.6).

Pure: the host environment (local host name, SMTP substitute domain, local aliases, DECnet node
to host translation, SMTP's TOP_HEADERS option, the time zone) comes in as a `HostEnvironment`.

Headers built, in this order (manual table of 19.1.6):

- ``Date:``        the arrival date, RFC 822 form ``Sun, 29 Nov 2026 11:25:00 +0100``
- ``From:``        the VMS From: rebuilt by the rules below
- ``To:``/``CC:``  the VMS To: / CC: unchanged (CC: left out when empty)
- ``Subject:``     the VMS Subj: unchanged (left out when empty)
- ``X-VMS-From:``  the VMS From: unchanged, personal name included
- ``X-POP3-Server:`` / ``X-POP3-ID:`` (host name and server version / the message's UID) only
  when TCPIP$POP_SEND_ID_HEADERS is defined. Table 19-2's extra sentence ("If not defined, the
  ID headers are not sent for any mail from an SMTP address") is read together with 19.1.6
  ("sent only if defined"): without the name no message gets them.

From: rewrite rules (19.1.6.1), by the form of the VMS address (personal name set apart first:
the VMS From: is ``address "personal name"``, the name a quoted string after blanks):

1. SMTP ``SMTP%"addr"``: the text inside the quotes, cent signs (SMTP's stand-in for nested
   quotes) turned back into ``"``.
2. simple DECnet ``node::user``, by TCPIP$POP_DECNET_REWRITE: GENERIC ``"NODE::USER"@domain``
   (case kept); NONE unchanged; TRANSFORM the node translated to a host: a local host gives
   ``user@substitute-domain`` (the host itself when no substitute domain is set), another host
   ``user@host``, user and host lower-cased; a node that does not translate gives the GENERIC
   form.
3. user name only: ``user@domain``, lower-cased.
4. quoted DECnet ``node::"user@host"``, by TCPIP$POP_QUOTED_DECNET_REWRITE: GENERIC
   ``"NODE::\\"user@host\\""@domain``; NONE unchanged; TRANSFORM the text inside the quotes.
5. cluster forwarding ``node::SMTP%"addr"``: as rule 1.
6. anything else: every ``"`` escaped as ``\\"``, the whole in quotes, ``@domain`` appended.

"domain" is the SMTP substitute domain when one is set, else the local host name. A host is
local when it equals (case-blind) the local host name, the substitute domain or a name of
TCPIP$SMTP_LOCAL_ALIASES.TXT (the manual lists the last two; a host's own name is local to
SMTP's locality routine too, and the manual's TRANSFORM example with a substitute domain needs
it).

Choices where the manual is silent or wrong:
- The manual prints the cent-sign example as ``"ABCMTS::MRGATE::\\"ABCDEF::VIVALDI\\""@xyz.org"``:
  the blank before the last ``\\¢`` is dropped and a stray ``"`` ends the line. Both are typos:
  the rule (cent signs back to quotes, nothing else) gives
  ``"ABCMTS::MRGATE::\\"ABCDEF::VIVALDI \\""@xyz.org``, which is what is produced.
- The quoted-DECnet GENERIC example prints ``"ORDER::...`` for the address ``ORDERS::...``: a
  typo; the node is kept as written (``"ORDERS::\\"j_smith@acme.com\\""@widgets.xyzcorp.com``).
- Quoted DECnet means one node and a quoted part holding ``@``; a quoted part without ``@``
  (or several nodes) is "anything else". Node names are letters, digits, ``$``, ``_``, ``-``.
- A user-name-only address is a single word of letters, digits, ``$``, ``_``, ``.``, ``-``.
- With TCPIP$POP_PERSONAL_NAME the name follows the address as an RFC 822 comment,
  ``addr (Personal Name)``, the form TCP/IP Services' SMTP itself writes; ``(``, ``)`` and
  ``\\`` in the name are escaped with ``\\``.
- An empty VMS From: gives no From: header; an empty To: gives ``To:`` with no value (and an
  empty From: ``X-VMS-From:``).
- IGNORE_MAIL11_HEADERS takes effect only when all three conditions hold: the name defined,
  the From: an SMTP address (SMTP% or cluster forwarding), SMTP configured with
  /OPTION=TOP_HEADERS (else `policy_from_settings` returns the log warning and ignores the
  name). The body's leading header block (header fields and continuation lines up to the
  first empty line) then replaces the built headers; the ID headers, when enabled, are added
  at its end. A body that does not start with such a block gets the built headers.
- A foreign-format message gets the built headers and FOREIGN_NOTE as its body.
- Text is str; the body is bytes (as stored). Header lines become bytes as ISO Latin-1 (DEC
  MCS is a near superset for mail text), so body header lines, decoded as Latin-1, go back out
  byte for byte.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from popserver.config import Rewrite, Settings

CENT = "\u00a2"

FOREIGN_NOTE = (
    b"This message is in a foreign (binary) format, which POP cannot send.\r\n"
    b"It has been kept in your MAIL folder on the OpenVMS system. To get it, log in\r\n"
    b"and use the MAIL command EXTRACT to copy the message to a file.\r\n"
)

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_NODE = r"[A-Za-z0-9$_-]+"
_SMTP_RE = re.compile(r"SMTP%(.*)\Z", re.IGNORECASE | re.DOTALL)
_CLUSTER_RE = re.compile(rf"({_NODE})::SMTP%(.*)\Z", re.IGNORECASE | re.DOTALL)
_QUOTED_RE = re.compile(rf'({_NODE})::"(.*)"\Z', re.DOTALL)
_DECNET_RE = re.compile(rf"({_NODE})::([A-Za-z0-9$_.-]+)\Z")
_USER_RE = re.compile(r"[A-Za-z0-9$_.-]+\Z")
_FIELD_RE = re.compile(rb"[\x21-\x39\x3b-\x7e]+[ \t]*:")


@dataclass(frozen=True)
class HostEnvironment:
    """What the header rules need to know about this host and its SMTP configuration."""

    local_host: str
    """The local host's full name (TCP/IP host name)."""
    substitute_domain: str | None = None
    """SET CONFIGURATION SMTP /SUBSTITUTE_DOMAIN=NAME, or None."""
    local_aliases: frozenset[str] = frozenset()
    """The domains of TCPIP$SMTP_LOCAL_ALIASES.TXT."""
    node_to_host: Callable[[str], str | None] = field(default=lambda node: None)
    """DECnet node name -> TCP/IP host name, or None when it does not translate."""
    smtp_top_headers: bool = False
    """SMTP configured with /OPTION=TOP_HEADERS."""
    tz: _dt.tzinfo | None = None
    """The zone of arrival dates (naive local times); None prints ``-0000`` (zone unknown)."""

    @property
    def domain(self) -> str:
        """The domain appended to rebuilt addresses: the substitute domain, else the host."""
        return self.substitute_domain or self.local_host

    def is_local(self, host: str) -> bool:
        """The locality routine SMTP uses too (vmsenv.tcpip.is_local_host)."""
        from vmsenv.tcpip import is_local_host

        return is_local_host(host, local_host=self.local_host,
                             substitute_domain=self.substitute_domain,
                             local_aliases=self.local_aliases)


@dataclass(frozen=True)
class HeaderPolicy:
    """The TCPIP$POP_* settings the header rules use (see policy_from_settings)."""

    personal_name: bool = False
    decnet_rewrite: Rewrite = Rewrite.TRANSFORM
    quoted_decnet_rewrite: Rewrite = Rewrite.TRANSFORM
    send_id_headers: bool = False
    use_body_headers: bool = False
    """IGNORE_MAIL11_HEADERS in effect (defined and SMTP has TOP_HEADERS)."""
    server_id: str = ""
    """The X-POP3-Server value: host name and server version."""


IGNORE_WARNING = ("TCPIP$POP_IGNORE_MAIL11_HEADERS is defined but SMTP is not configured with "
                  "/OPTION=TOP_HEADERS; the logical name is ignored")


def policy_from_settings(settings: Settings, host: HostEnvironment,
                         server_version: str) -> tuple[HeaderPolicy, list[str]]:
    """The header policy and the log warnings (IGNORE_MAIL11_HEADERS without TOP_HEADERS)."""
    warnings = []
    use_body = settings.ignore_mail11_headers
    if use_body and not host.smtp_top_headers:
        warnings.append(IGNORE_WARNING)
        use_body = False
    policy = HeaderPolicy(
        personal_name=settings.personal_name,
        decnet_rewrite=settings.decnet_rewrite,
        quoted_decnet_rewrite=settings.quoted_decnet_rewrite,
        send_id_headers=settings.send_id_headers,
        use_body_headers=use_body,
        server_id=f"{host.local_host} POP server vmsenv Version {server_version}",
    )
    return policy, warnings


@dataclass(frozen=True)
class VmsHeaders:
    """The header fields of a VMS MAIL message."""

    from_: str
    to: str
    cc: str
    subject: str
    arrival: _dt.datetime


# ------------------------------------------------------------------ From: analysis
def split_from(text: str) -> tuple[str, str | None]:
    """A VMS From: as (address, personal name or None). The address ends at the first blank
    outside quotes; a quoted string after it is the personal name (``""`` inside is ``"``)."""
    t = text.strip()
    quoted = False
    end = len(t)
    for i, c in enumerate(t):
        if c == '"':
            quoted = not quoted
        elif c in " \t" and not quoted:
            end = i
            break
    address, rest = t[:end], t[end:].strip()
    if not rest:
        return address, None
    if len(rest) >= 2 and rest[0] == '"' and rest[-1] == '"':
        rest = rest[1:-1].replace('""', '"')
    return address, rest or None


class Kind(enum.StrEnum):
    """The address forms of 19.1.6.1."""

    SMTP = "SMTP"
    DECNET = "DECNET"
    USER = "USER"
    QUOTED_DECNET = "QUOTED_DECNET"
    CLUSTER_SMTP = "CLUSTER_SMTP"
    OTHER = "OTHER"


def classify(address: str) -> Kind:
    """The address form (a Kind value) of a VMS From: address (no personal name)."""
    if _SMTP_RE.match(address):
        return Kind.SMTP
    if _CLUSTER_RE.match(address):
        return Kind.CLUSTER_SMTP
    m = _QUOTED_RE.match(address)
    if m and "@" in m.group(2):
        return Kind.QUOTED_DECNET
    if _DECNET_RE.match(address):
        return Kind.DECNET
    if _USER_RE.match(address):
        return Kind.USER
    return Kind.OTHER


def is_smtp(address: str) -> bool:
    """True for an SMTP or cluster-forwarding SMTP address."""
    return classify(address) in (Kind.SMTP, Kind.CLUSTER_SMTP)


def _smtp_inside(text: str) -> str:
    """The address after SMTP%: quotes removed, cent signs back to quotes."""
    t = text.strip()
    if len(t) >= 2 and t[0] == '"' and t[-1] == '"':
        t = t[1:-1]
    return t.replace(CENT, '"')


def _generic(address: str, host: HostEnvironment) -> str:
    return '"' + address.replace('"', '\\"') + '"@' + host.domain


def rewrite_address(address: str, policy: HeaderPolicy, host: HostEnvironment) -> str:
    """The RFC 822 address for a VMS From: address (rules 1-6 of the module docstring)."""
    kind = classify(address)
    if kind == Kind.SMTP:
        return _smtp_inside(_SMTP_RE.match(address).group(1))
    if kind == Kind.CLUSTER_SMTP:
        return _smtp_inside(_CLUSTER_RE.match(address).group(2))
    if kind == Kind.DECNET:
        mode = policy.decnet_rewrite
        if mode is Rewrite.NONE:
            return address
        if mode is Rewrite.GENERIC:
            return _generic(address, host)
        node, user = _DECNET_RE.match(address).groups()
        target = host.node_to_host(node)
        if not target:
            return _generic(address, host)
        if host.is_local(target) and host.substitute_domain:
            target = host.substitute_domain
        return f"{user}@{target}".lower()
    if kind == Kind.QUOTED_DECNET:
        mode = policy.quoted_decnet_rewrite
        if mode is Rewrite.NONE:
            return address
        if mode is Rewrite.GENERIC:
            return _generic(address, host)
        return _QUOTED_RE.match(address).group(2)
    if kind == Kind.USER:
        return f"{address}@{host.domain}".lower()
    return _generic(address, host)


def _comment(name: str) -> str:
    return "(" + re.sub(r"([()\\])", r"\\\1", name) + ")"


def from_value(vms_from: str, policy: HeaderPolicy, host: HostEnvironment) -> str:
    """The value of the rebuilt From: header ("" when the VMS From: is empty)."""
    address, personal = split_from(vms_from)
    if not address:
        return ""
    value = rewrite_address(address, policy, host)
    if policy.personal_name and personal:
        value += " " + _comment(personal)
    return value


def rfc822_date(arrival: _dt.datetime, tz: _dt.tzinfo | None) -> str:
    """``Sun, 29 Nov 2026 11:25:00 +0100`` (``-0000`` when the zone is unknown)."""
    t = arrival.replace(tzinfo=None)
    if tz is None:
        zone = "-0000"
    else:
        offset = tz.utcoffset(t) or _dt.timedelta(0)
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "-"
        zone = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    return (f"{_DAYS[t.weekday()]}, {t.day:02d} {_MONTHS[t.month - 1]} {t.year} "
            f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} {zone}")


def id_headers(policy: HeaderPolicy, uid: str) -> list[str]:
    if not policy.send_id_headers:
        return []
    return [f"X-POP3-Server: {policy.server_id}", f"X-POP3-ID: {uid}"]


def build_headers(vms: VmsHeaders, policy: HeaderPolicy, host: HostEnvironment,
                  uid: str) -> list[str]:
    """The header lines built from the VMS fields (no line ends)."""
    lines = [f"Date: {rfc822_date(vms.arrival, host.tz)}"]
    sender = from_value(vms.from_, policy, host)
    if sender:
        lines.append(f"From: {sender}")
    lines.append(f"To: {vms.to}".rstrip())
    if vms.cc.strip():
        lines.append(f"CC: {vms.cc}")
    if vms.subject.strip():
        lines.append(f"Subject: {vms.subject}")
    lines.append(f"X-VMS-From: {vms.from_}".rstrip())
    lines.extend(id_headers(policy, uid))
    return lines


def body_headers(body: bytes) -> tuple[list[str], bytes] | None:
    """The RFC 822 header block at the top of a body and the rest after its empty line, or
    None when the body does not start with one. Line ends may be CRLF or LF."""
    lines: list[str] = []
    pos = 0
    n = len(body)
    while pos < n:
        end = body.find(b"\n", pos)
        stop = n if end < 0 else end
        line = body[pos:stop].rstrip(b"\r")
        nxt = n if end < 0 else end + 1
        if not line:
            return (lines, body[nxt:]) if lines else None
        if line[:1] in (b" ", b"\t"):
            if not lines:
                return None
        elif not _FIELD_RE.match(line):
            return None
        lines.append(line.decode("latin-1"))
        pos = nxt
    return (lines, b"") if lines else None


@dataclass(frozen=True)
class BuiltMessage:
    """A message as POP sends it: header lines (str, no line ends) and the body (bytes)."""

    header_lines: tuple[str, ...]
    body: bytes


def build_message(vms: VmsHeaders, body: bytes, *, uid: str, policy: HeaderPolicy,
                  host: HostEnvironment, foreign: bool = False) -> BuiltMessage:
    """Headers and body of one message, by the rules of this module."""
    if foreign:
        return BuiltMessage(tuple(build_headers(vms, policy, host, uid)), FOREIGN_NOTE)
    if policy.use_body_headers and is_smtp(split_from(vms.from_)[0]):
        found = body_headers(body)
        if found is not None:
            lines, rest = found
            return BuiltMessage(tuple(lines + id_headers(policy, uid)), rest)
    return BuiltMessage(tuple(build_headers(vms, policy, host, uid)), body)
