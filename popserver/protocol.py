"""A sans-IO POP3 session: bytes in, reply bytes out; storage and accounts behind interfaces.

The session never touches a socket, a file, a clock or a thread. The server creates one
`Session` per connection, writes `session.greeting()`, then feeds what it reads to
`session.receive(data)` and writes back what that returns. Everything else the session needs
comes through four interfaces (typing.Protocol classes below): `Authenticator` (SYSUAF and
POP_SECRET.DAT), `Mailstore`/`Maildrop` (the user's mail file) and `ServerControl` (XTND).
What the session has to tell the server comes back as events (`take_events()`).

Rules (RFC 1939, 2449, 2595, 3206, 5034; the TCP/IP Services manual, chapter 19)
--------------------------------------------------------------------------------
1. A command line ends with LF (CRLF or a bare LF); with its line end it may be 255 octets
   (RFC 2449). A longer line gets ``-ERR`` once and is discarded up to its line end.
2. The keyword is case-blind and ends at the first blank or tab (a tab separates as a blank
   does); arguments are separated by blanks or tabs. PASS takes everything after the one
   separator that follows ``PASS`` as the password, blanks included. Octets are read as ISO
   Latin-1, so every byte string is a valid line.
3. Lines are answered strictly in order, however many arrive in one read (PIPELINING).
4. States and what moves between them (the only place the state changes is `_move`):

   ============== ===================================== ==============
   state          step                                  next state
   ============== ===================================== ==============
   AUTHORIZATION  LOGIN (PASS, APOP, AUTH ok + lock)     TRANSACTION
   AUTHORIZATION  SASL_START (AUTH PLAIN, no response)  SASL
   SASL           LOGIN                                 TRANSACTION
   SASL           SASL_END (refused or cancelled)       AUTHORIZATION
   AUTHORIZATION  STLS (+OK Begin TLS negotiation)      TLS_PENDING
   TLS_PENDING    TLS_UP (tls_established())            AUTHORIZATION
   AUTHORIZATION  QUIT                                  CLOSED
   AUTHORIZATION  GIVE_UP (second failed attempt)       CLOSED
   SASL           GIVE_UP                               CLOSED
   TRANSACTION    QUIT                                  UPDATE
   UPDATE         UPDATED (commit done or failed)       CLOSED
   any            LOST (connection_lost())              CLOSED
   ============== ===================================== ==============

5. Commands by state (COMMANDS): CAPA and QUIT in both; USER PASS APOP AUTH STLS in
   AUTHORIZATION; STAT LIST RETR DELE NOOP RSET TOP UIDL XTND in TRANSACTION. A known
   command in the wrong state, an unknown command and bad arguments each get their own -ERR.
6. Deletion happens only in UPDATE, after QUIT in TRANSACTION, in one `Maildrop.commit`
   call (one transaction). A connection that ends any other way commits nothing: the server
   calls `connection_lost()`, which only releases the maildrop.
7. At most two failed authorization attempts (USER refused, PASS, APOP or AUTH refused) per
   connection; the second failure is answered and the connection is closed.
8. TCPIP$POP_SECURITY: FRIENDLY names the cause of each refusal. SECURE answers USER for an
   unknown user with +OK and every refusal with the one text ``Access to user account "x"
   denied``, delayed: the session holds the reply, sets `delay`, and the server waits that
   long before calling `resume()` (later pipelined commands wait too).
9. STLS (cleartext connection with TLS available, AUTHORIZATION state): after ``+OK Begin TLS
   negotiation`` input still buffered is thrown away (no plaintext injection), the session
   waits in TLS_PENDING (`wants_tls`) for the server's handshake and `tls_established()`.
10. AUTH PLAIN (RFC 5034) only on an encrypted connection (TLS or port 995).

Replies (the texts are in the table _TEXT)
------------------------------------------
Greeting ``+OK POP server vmsenv Version 0.1, OpenVMS emulation at HOST, up since
2026-11-29 11:25:00 <0000002A._6_APR_1999_06_02_31_15@HOST>``: the timestamp is built like the
manual's (8 hex digits, the VMS date and time with blanks, ``-``, ``:`` and ``.`` turned into
``_``), a valid RFC 822 msg-id. The hex digits are the server's connection number, so the
timestamp is unique per connection. ``+OK Password required for "jones"``, ``+OK
Username/password combination ok`` and the ``+OK POP server at HOST signing off.`` are the
manual's; the FRIENDLY bad-password text is the manual's with the RFC 3206 ``[AUTH]`` code in
front (`-ERR [AUTH] password supplied for "jones" is incorrect`).

Choices where the manual and the RFCs leave room
------------------------------------------------
- SECURE: the manual says one text answers every refusal ("Access to user account "jones"
  denied") and an unknown user learns of it only after PASS, with "the -ERR access denied
  message" -- read as that same message, since a different text would tell the client the
  very thing SECURE hides. FRIENDLY refuses an unknown user at USER already. The account
  flags (DISUSER, DISMAIL, expired) are checked only after the password or digest proved
  right, so they are never revealed to someone without it.
- TCPIP$POP_DISUSERPASS refuses USER and PASS (not counted as attempts) and also SASL PLAIN,
  which is a password login too: APOP is left.
- Retrieval means RETR. TOP does not count as reading (no move to MAIL, not in the
  statistics), so clients that peek with TOP leave mail where it was.
- Folders: NEWMAIL is the maildrop; a message read (RETR) and not deleted moves to MAIL at QUIT
  unless TCPIP$POP_LEAVE_IN_NEWMAIL. With TCPIP$POP_USE_MAIL_FOLDER the maildrop is MAIL and
  NEWMAIL together (oldest first), and at QUIT every presented NEWMAIL message not deleted
  moves to MAIL -- at QUIT, so a dropped connection still changes nothing.
- Foreign-format messages: sent as headers plus a note (built by the maildrop, see
  headers.FOREIGN_NOTE). DELE is answered +OK (clients stop on a refused DELE) and hides the
  message for the session, but it is never deleted: at QUIT a foreign message that was
  retrieved or DELEted moves from NEWMAIL to MAIL, whatever LEAVE_IN_NEWMAIL says.
- TCPIP$POP_MESSAGE_MAXIMUM n > 0: only the n oldest messages are presented; the others stay
  for a later connection.
- CAPA advertises ``EXPIRE NEVER`` when read mail stays in the maildrop (LEAVE_IN_NEWMAIL or
  USE_MAIL_FOLDER) and ``EXPIRE 0`` otherwise, because then read mail leaves the maildrop (to
  MAIL) at QUIT, which RFC 2449 says must not be advertised as NEVER.
- XTND needs a login (the manual's procedure logs in first). XTND LOGLEVEL and XTND SHUTDOWN
  need OPER or SYSPRV in `Account.privileges`; CLIENT and STATS need none. Levels may be
  abbreviated. XTND STATS ends with a ``.`` line; labels are followed by `` : `` (the
  manual's padding was lost).
- The trace (TCPIP$POP_TRACE) gets every command line as `_shown` gives it, and every reply
  line except message text, which is summarised as one ``[message text, N octets]`` entry.
  The same text names the command in CommandRejected and InternalError events, so no
  password reaches POP_RUN.LOG at any level:

  * USER, PASS, APOP and AUTH are recognised by their first four characters, whatever
    follows them (a blank, a tab, another control character, or nothing: ``PASSsecret``):
    PASS keeps no argument (``PASS ***``), USER and APOP keep the user name, AUTH the
    mechanism, capped at 40 characters; anything further is ``***``.
  * A line sent while the session waits for SASL data is ``[SASL response]``.
  * A line that is not a command is, in the AUTHORIZATION state, only ``[not a command, N
    octets]`` and its reply ``-ERR unknown command`` echoes nothing: before login such a line
    may be a password sent bare after USER, or SASL PLAIN data sent after AUTH PLAIN was
    refused. After login the reply echoes its first word, upper-cased, when that word has
    the shape of a POP keyword (1 to 4 ASCII letters; RFC 1939's keywords have three or
    four), and the trace shows that word with ``***`` for the rest; any other line is
    ``[not a command, N octets]`` with the plain reply.
- User names echoed in replies (``Password required for "x"``, every ``[AUTH]`` refusal, the
  maildrop errors) are shown as `_user_text` makes them: control characters and ``"`` as
  ``?``, at most 12 characters (the longest VMS user name), then ``...``; a longer name is
  never an account, so nothing of use is cut.
- A failing maildrop: [SYS/TEMP]. An exception escaping an interface is answered with
  ``-ERR [SYS/TEMP] internal server error`` and reported as an InternalError event; it never
  reaches the client as a traceback and never ends the session by itself.
- SASL response lines may be 2048 octets (RFC 5034 leaves the size to the server).
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import enum
import hashlib
import hmac
import re
import traceback
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from popserver.config import BadValue, LogLevel, Security, Settings, keyword
from vmsenv import vmstime

VERSION = "0.1"
MAX_LINE = 255          # octets of a command line, line end included (RFC 2449)
MAX_SASL_LINE = 2048    # octets of a SASL response line
MAX_ATTEMPTS = 2        # failed authorization attempts per connection
APOP_SECRET_MAX = 500   # characters of POP_SECRET.DAT
USERNAME_ECHO = 12      # characters of a user name echoed in a reply (VMS: at most 12)
ARG_ECHO = 40           # characters of a user name or mechanism shown in the trace (RFC 1939)
NEWMAIL = "NEWMAIL"
MAIL = "MAIL"
CRLF = b"\r\n"


# ======================================================================= interfaces
@dataclass(frozen=True)
class Account:
    """A SYSUAF account as the POP server sees it."""

    username: str
    """The SYSUAF user name (upper case)."""
    disuser: bool = False
    dismail: bool = False
    expired: bool = False
    """True when the account's expiration date has passed (judged by the authenticator)."""
    privileges: frozenset[str] = frozenset()
    """Privilege names (``OPER``, ``SYSPRV`` ...) that XTND LOGLEVEL / SHUTDOWN look for."""


class Authenticator(Protocol):
    """SYSUAF and POP_SECRET.DAT. User names arrive as the client typed them."""

    def find_account(self, username: str) -> Account | None:
        """The account, or None when there is no such user."""

    def verify_password(self, account: Account, password: str) -> bool:
        """True when `password` is the account's password (whatever its flags say)."""

    def apop_secret(self, account: Account) -> str | None:
        """The first line of POP_SECRET.DAT in the user's mail directory (line end removed),
        or None when there is no readable secret file."""


@dataclass(frozen=True)
class MessageInfo:
    """One message of the maildrop as listed when the session opens it."""

    key: Hashable
    """The store's identity for the message (passed back in wire_bytes and Changes)."""
    uid: str
    """The UIDL (see uidl())."""
    size: int
    """Octets as RETR sends them, line ends as CRLF, before dot-stuffing (an estimate from
    line counts under TCPIP$POP_FAST_SCAN)."""
    arrival: _dt.datetime
    folder: str = NEWMAIL
    """NEWMAIL or MAIL."""
    foreign: bool = False
    """A foreign-format (MAIL/FOREIGN) message."""


@dataclass(frozen=True)
class Changes:
    """What QUIT applies, all in one transaction."""

    delete: tuple[Hashable, ...] = ()
    move_to_mail: tuple[Hashable, ...] = ()
    """Messages to move from NEWMAIL to MAIL."""
    reclaim: bool = False
    """TCPIP$POP_PURGE_RECLAIM and something was deleted: reclaim the mail file afterwards."""


class MaildropInUse(Exception):
    """Mailstore.open: another POP session holds the user's maildrop."""


class MaildropError(Exception):
    """Any other failure of the mail file (str(exc) is logged, not shown to the client)."""


class Maildrop(Protocol):
    """A user's mail file, locked for one session."""

    def messages(self) -> Sequence[MessageInfo]:
        """Every message of the folders asked for (any order; the session sorts by arrival)."""

    def wire_bytes(self, key: Hashable, body_lines: int | None) -> bytes:
        """The message framed for the wire: CRLF line ends, dot-stuffed, ending with CRLF
        (or empty), without the final ``.`` line -- see frame_message(). body_lines None:
        the whole message; n: the headers, the empty line and the first n body lines (TOP).
        Raises MaildropError."""

    def commit(self, changes: Changes) -> None:
        """Apply the changes in one transaction and release the lock. Raises MaildropError
        when nothing could be applied (the lock is released either way)."""

    def release(self) -> None:
        """Release the lock, changing nothing. Called once when the session ends without
        QUIT; must not raise."""


class Mailstore(Protocol):
    def open(self, account: Account, folders: tuple[str, ...]) -> Maildrop:
        """Lock the account's mail file for this session and list `folders` (("NEWMAIL",) or
        ("MAIL", "NEWMAIL")). Raises MaildropInUse or MaildropError."""


@dataclass(frozen=True)
class Statistics:
    """The server-wide figures of XTND STATS (manual 19.6, in its order)."""

    version: str
    log_level: LogLevel
    current_time: _dt.datetime
    start_time: _dt.datetime
    cpu_seconds: float
    current_threads: int
    total_threads: int
    max_threads: int
    too_many_threads: int
    normal_disconnects: int
    abnormal_disconnects: int
    client_timeouts: int
    blocked_socket_count: int
    retrieved_messages: int
    retrieved_octets: int
    minimum_octets: int
    maximum_octets: int
    auth_failures: int
    current_users: tuple[str, ...]


class ServerControl(Protocol):
    """What XTND asks of the server."""

    def statistics(self) -> Statistics: ...

    def set_log_level(self, level: LogLevel) -> None: ...

    def request_shutdown(self) -> None:
        """Orderly shutdown: no new connections; exit when the current clients have left."""


# ======================================================================= events
class Reason(enum.Enum):
    """Why an authorization attempt was refused."""

    UNKNOWN_USER = "no such user"
    BAD_PASSWORD = "wrong password"
    BAD_DIGEST = "wrong APOP digest"
    NO_SECRET = "no APOP secret file"
    SECRET_TOO_LONG = "APOP secret longer than 500 characters"
    DISUSER = "account disabled (DISUSER)"
    DISMAIL = "mail disabled (DISMAIL)"
    EXPIRED = "account expired"
    MALFORMED = "malformed SASL PLAIN response"
    AUTHZID = "SASL authorization identity differs from the user"


@dataclass(frozen=True)
class LoginAccepted:
    user: str
    method: str          # "USER/PASS", "APOP" or "SASL PLAIN"


@dataclass(frozen=True)
class LoginRefused:
    """Counts as an Auth Failure; the server sends OPCOM unless /LOG_OPTIONS=NOREJECT."""

    user: str
    method: str          # "USER", "USER/PASS", "APOP" or "SASL PLAIN"
    reason: Reason


@dataclass(frozen=True)
class MaildropRefused:
    user: str
    in_use: bool
    detail: str


@dataclass(frozen=True)
class Retrieved:
    """One RETR: Retrieved Messages / Octets, Minimum / Maximum Octets."""

    number: int
    octets: int


@dataclass(frozen=True)
class CommandRejected:
    """A command answered with -ERR (for the log: "command error")."""

    command: str         # the line, passwords masked
    reply: str


@dataclass(frozen=True)
class ClientInfo:
    text: str


@dataclass(frozen=True)
class LogLevelChanged:
    user: str
    level: LogLevel


@dataclass(frozen=True)
class ShutdownRequested:
    user: str


@dataclass(frozen=True)
class SessionEnded:
    """how: QUIT (normal), FAILURES (closed after two failed attempts), LOST (no QUIT:
    dropped, timed out or shut down -- the server knows which)."""

    how: str
    committed: bool = False
    deleted: int = 0
    moved: int = 0
    detail: str = ""


@dataclass(frozen=True)
class Trace:
    """One line for the trace log: direction "<" from the client, ">" to it."""

    direction: str
    text: str


@dataclass(frozen=True)
class InternalError:
    command: str
    detail: str


Event = (LoginAccepted | LoginRefused | MaildropRefused | Retrieved | CommandRejected
         | ClientInfo | LogLevelChanged | ShutdownRequested | SessionEnded | Trace
         | InternalError)


# ======================================================================= pure helpers
def uidl(username: str, arrival: _dt.datetime, tiebreak: int = 0) -> str:
    """The UIDL of a message: the user name and the arrival date (manual 19.1), e.g.
    ``JONES.20261129112500000000`` (date and time to the microsecond), with ``.N`` added
    when tiebreak N > 0.

    tiebreak: 0 when the store's arrival times are unique per user (VMS MAIL's binary dates
    are), else a number the store keeps with the message for good (its row number), so the
    UIDL never changes. The user name is upper-cased; characters outside 0x21-0x7E and ``.``
    become ``_`` and it is cut at 32 characters, so the UIDL is 1-70 characters of
    0x21-0x7E and unique within the maildrop."""
    if not 0 <= tiebreak < 10**15:
        raise ValueError("tiebreak out of range")
    user = "".join(c if "!" <= c <= "~" and c != "." else "_" for c in username.upper())[:32]
    uid = f"{user or '_'}.{arrival:%Y%m%d%H%M%S}{arrival.microsecond:06d}"
    return f"{uid}.{tiebreak}" if tiebreak else uid


def apop_timestamp(connection_id: int, now: _dt.datetime, host: str) -> str:
    """``<0000002A._6_APR_1999_06_02_31_15@host>`` (the manual's layout)."""
    stamp = vmstime.format_ftime(now)
    for c in " -:.":
        stamp = stamp.replace(c, "_")
    return f"<{connection_id & 0xFFFFFFFF:08X}.{stamp}@{host}>"


_DOT_AFTER_LF = re.compile(rb"\n\.")
_DOTS_CHECKED = 32


def _has_dot_line(text: bytes) -> bool:
    """Whether a line of text starts with ``.``: the first dots are looked at one by one (a
    fast byte search; most bodies have few dots, base64 none), then the rest of the text is
    searched for LF + ``.`` (the regular expression engine's literal search, faster there
    than ``in``)."""
    if text[:1] == b".":
        return True
    find = text.find
    pos = find(b".")
    for _ in range(_DOTS_CHECKED):
        if pos < 0:
            return False
        if text[pos - 1] == 10:                     # LF; pos > 0 here
            return True
        pos = find(b".", pos + 1)
    return pos >= 0 and _DOT_AFTER_LF.search(text, pos - 1) is not None


def _normalise(body: bytes) -> bytes:
    """CRLF line ends, a final CRLF, and dot-stuffing. A body without CR needs one
    replacement; without a line starting with ``.`` there is nothing to stuff."""
    if not body:
        return b""
    if b"\r" in body:
        text = body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    else:
        text = body.replace(b"\n", b"\r\n")
    if not text.endswith(CRLF):
        text += CRLF
    if _has_dot_line(text):
        if text.startswith(b"."):
            text = b"." + text
        text = _DOT_AFTER_LF.sub(b"\n..", text)     # faster than bytes.replace here
    return text


def _first_lines(text: bytes, n: int) -> bytes:
    pos = 0
    for _ in range(n):
        i = text.find(CRLF, pos)
        if i < 0:
            return text
        pos = i + 2
    return text[:pos]


def frame_message(header_lines: Sequence[str], body: bytes, body_lines: int | None = None,
                  encoding: str = "latin-1") -> bytes:
    """The wire form of a message (what Maildrop.wire_bytes returns): the header lines, an
    empty line and the body (or its first `body_lines` lines), CRLF line ends, dot-stuffed,
    no final ``.`` line. Header lines are encoded with `encoding`; body line ends may be LF or
    CRLF."""
    head = ("\r\n".join(header_lines) + "\r\n\r\n").encode(encoding, "replace") \
        if header_lines else CRLF
    head = _normalise(head)
    text = _normalise(body)
    if body_lines is not None:
        text = _first_lines(text, body_lines)
    return head + text


def wire_size(framed: bytes) -> int:
    """The octets a framed message stands for: its length less the stuffing dots (what LIST
    and STAT report)."""
    if not _has_dot_line(framed):
        return len(framed)
    return len(framed) - framed.count(b"\r\n..") - (1 if framed.startswith(b"..") else 0)


def format_statistics(s: Statistics) -> list[str]:
    """The XTND STATS lines after ``+OK Statistics follow`` (manual 19.6; no final ``.``)."""
    cpu = max(0.0, s.cpu_seconds)
    average = s.retrieved_octets // s.retrieved_messages if s.retrieved_messages else 0
    lines = [
        f"Version Number : {s.version}",
        f"Logging Level : {s.log_level.name}",
        f"Current Time : {s.current_time:%Y-%m-%d %H:%M:%S}",
        f"Start Time : {s.start_time:%Y-%m-%d %H:%M:%S}",
        f"CPU Seconds : {cpu:.2f} ({int(cpu // 60)} mins, {int(cpu % 60)} secs)",
        f"Current Threads : {s.current_threads}",
        f"Total Threads : {s.total_threads}",
        f"Max Threads : {s.max_threads}",
        f"Too Many Threads : {s.too_many_threads}",
        f"Normal Disconnects : {s.normal_disconnects}",
        f"Abnormal Disconnects : {s.abnormal_disconnects}",
        f"Client Timeouts : {s.client_timeouts}",
        f"Blocked Socket Count : {s.blocked_socket_count}",
        f"Retrieved Messages : {s.retrieved_messages}",
        f"Retrieved Octets : {s.retrieved_octets}",
        f"Average Octets : {average}",
        f"Minimum Octets : {s.minimum_octets}",
        f"Maximum Octets : {s.maximum_octets}",
        f"Auth Failures : {s.auth_failures}",
        "Current Users :",
    ]
    lines.extend(f"{i}. {user}" for i, user in enumerate(s.current_users))
    return lines


def cleartext_refusal(host: str, ssl_port: int) -> bytes:
    """What a cleartext connection gets under TCPIP$POP_DISABLE_CLEARTEXT before the close."""
    return _line("-ERR " + _TEXT["cleartext_disabled"].format(host=host, port=ssl_port))


def _line(text: str) -> bytes:
    return text.encode("latin-1", "replace") + CRLF


# ======================================================================= texts
_TEXT = {
    # +OK
    "greeting": "POP server vmsenv Version {version}, OpenVMS emulation at {host}, "
                "up since {since} {stamp}",
    "user_ok": 'Password required for "{user}"',
    "pass_ok": "Username/password combination ok",
    "apop_ok": "APOP authentication ok",
    "plain_ok": "SASL PLAIN authentication ok",
    "signoff": "POP server at {host} signing off.",
    "stat": "{count} {octets}",
    "list": "{count} message{s} ({octets} octets)",
    "uidl": "unique-id listing follows",
    "retr": "{octets} octets",
    "top": "top of message {n} follows",
    "dele": "message {n} deleted",
    "dele_foreign": "message {n} is in foreign format: it is kept in the MAIL folder",
    "rset": "maildrop has {count} message{s} ({octets} octets)",
    "capa": "Capability list follows",
    "stls": "Begin TLS negotiation",
    "auth_list": "SASL mechanisms follow",
    "client": "client information logged",
    "loglevel": "logging level changed to {level}",
    "stats": "Statistics follow",
    "shutdown": "POP server shutting down; it waits for current clients to disconnect",
    # -ERR
    "too_long": f"command line too long (the limit is {MAX_LINE} octets)",
    "empty": "empty command line",
    "unknown": 'unknown command "{verb}"',
    "not_command": "unknown command",
    "state": 'command "{verb}" is not valid in the {state} state',
    "usage": "usage: {usage}",
    "bad_number": 'invalid message number "{arg}"',
    "no_message": "message {n} does not exist",
    "deleted": "message {n} already deleted",
    "bad_count": 'invalid line count "{arg}"',
    "no_user": "PASS must follow a successful USER",
    "userpass_off": "[AUTH] USER and PASS are disabled on this server; use APOP",
    "plain_off": "[AUTH] SASL PLAIN is disabled on this server; use APOP",
    "plain_clear": "[AUTH] SASL PLAIN is offered only on an encrypted connection",
    "mechanism": 'unsupported SASL mechanism "{mech}"',
    "cancelled": "[AUTH] authentication cancelled",
    "stls_active": "Command not permitted when TLS active",
    "stls_none": "TLS is not available on this connection",
    "secure": '[AUTH] Access to user account "{user}" denied',
    Reason.UNKNOWN_USER: '[AUTH] user "{user}" is unknown',
    Reason.BAD_PASSWORD: '[AUTH] password supplied for "{user}" is incorrect',
    Reason.BAD_DIGEST: '[AUTH] digest supplied for "{user}" is incorrect',
    Reason.NO_SECRET: '[AUTH] no APOP secret (POP_SECRET.DAT) for "{user}"',
    Reason.SECRET_TOO_LONG: '[AUTH] APOP secret of "{user}" is longer than 500 characters',
    Reason.DISUSER: '[AUTH] account "{user}" is disabled',
    Reason.DISMAIL: '[AUTH] mail is disabled for account "{user}"',
    Reason.EXPIRED: '[AUTH] account "{user}" has expired',
    Reason.MALFORMED: "[AUTH] malformed SASL PLAIN response",
    Reason.AUTHZID: '[AUTH] authorization identity "{authz}" is not "{user}"',
    "in_use": '[IN-USE] maildrop of "{user}" is in use by another POP session',
    "unavailable": '[SYS/TEMP] maildrop of "{user}" cannot be opened',
    "unreadable": "[SYS/TEMP] message {n} cannot be read",
    "not_updated": "[SYS/TEMP] mail file not updated: no message was deleted or moved",
    "xtnd_unknown": 'unknown XTND command "{sub}"',
    "xtnd_usage": "usage: XTND CLIENT text | LOGLEVEL level | STATS | SHUTDOWN",
    "privilege": "XTND {sub} requires OPER or SYSPRV privilege",
    "bad_level": 'unknown logging level "{level}" (ERROR, INFORMATIONAL, THREAD or DEBUG)',
    "internal": "[SYS/TEMP] internal server error",
    "cleartext_disabled": "cleartext POP is disabled at {host}; use secure POP on port {port}",
}


def _plural(n: int) -> str:
    return "" if n == 1 else "s"


# ======================================================================= states
class State(enum.Enum):
    AUTHORIZATION = "AUTHORIZATION"
    SASL = "SASL"
    TLS_PENDING = "TLS_PENDING"
    TRANSACTION = "TRANSACTION"
    UPDATE = "UPDATE"
    CLOSED = "CLOSED"


class Step(enum.Enum):
    LOGIN = "LOGIN"
    SASL_START = "SASL_START"
    SASL_END = "SASL_END"
    STLS = "STLS"
    TLS_UP = "TLS_UP"
    QUIT = "QUIT"
    GIVE_UP = "GIVE_UP"
    UPDATED = "UPDATED"
    LOST = "LOST"


_TRANSITIONS: dict[tuple[State, Step], State] = {
    (State.AUTHORIZATION, Step.LOGIN): State.TRANSACTION,
    (State.AUTHORIZATION, Step.SASL_START): State.SASL,
    (State.SASL, Step.LOGIN): State.TRANSACTION,
    (State.SASL, Step.SASL_END): State.AUTHORIZATION,
    (State.AUTHORIZATION, Step.STLS): State.TLS_PENDING,
    (State.TLS_PENDING, Step.TLS_UP): State.AUTHORIZATION,
    (State.AUTHORIZATION, Step.QUIT): State.CLOSED,
    (State.AUTHORIZATION, Step.GIVE_UP): State.CLOSED,
    (State.SASL, Step.GIVE_UP): State.CLOSED,
    (State.TRANSACTION, Step.QUIT): State.UPDATE,
    (State.UPDATE, Step.UPDATED): State.CLOSED,
    **{(s, Step.LOST): State.CLOSED for s in State},
}


class ProtocolStateError(RuntimeError):
    """A transition missing from _TRANSITIONS: a bug in this module, never a client error."""


# ======================================================================= configuration
@dataclass(frozen=True)
class SessionConfig:
    """What every session of one server shares (see from_settings)."""

    host: str
    """The local host's full name, for the greeting, the timestamp and the sign-off."""
    started: _dt.datetime
    """When the server started ("up since")."""
    security: Security = Security.FRIENDLY
    disuserpass: bool = False
    message_maximum: int = 0
    leave_in_newmail: bool = False
    use_mail_folder: bool = False
    purge_reclaim: bool = False
    trace: bool = False
    tls_available: bool = False
    """A TLS context exists, so STLS can be offered on cleartext connections."""
    failure_delay: float = 2.0
    """Seconds a refusal waits under SECURE."""
    fast_scan: bool = False
    """TCPIP$POP_FAST_SCAN: listed sizes are estimates, so RETR counts the octets it sends for
    the statistics (otherwise the listed size is that count already)."""
    version: str = VERSION

    @classmethod
    def from_settings(cls, settings: Settings, *, host: str, started: _dt.datetime,
                      tls_available: bool, failure_delay: float = 2.0) -> SessionConfig:
        return cls(host=host, started=started, security=settings.security,
                   disuserpass=settings.disuserpass,
                   message_maximum=settings.message_maximum,
                   leave_in_newmail=settings.leave_in_newmail,
                   use_mail_folder=settings.use_mail_folder,
                   purge_reclaim=settings.purge_reclaim, trace=settings.trace,
                   tls_available=tls_available, failure_delay=failure_delay,
                   fast_scan=settings.fast_scan)


# ======================================================================= commands
_A = frozenset({State.AUTHORIZATION})
_T = frozenset({State.TRANSACTION})
_BOTH = _A | _T


@dataclass(frozen=True)
class Command:
    name: str
    handler: Callable[[Session, list[str], str], None]
    states: frozenset[State]
    usage: str
    min_args: int = 0
    max_args: int = 0


# ======================================================================= the session
class Session:
    """One POP3 connection, sans IO. See the module docstring for the rules."""

    def __init__(self, config: SessionConfig, authenticator: Authenticator,
                 mailstore: Mailstore, control: ServerControl, *, connection_id: int,
                 now: _dt.datetime, encrypted: bool = False):
        self.config = config
        self.auth = authenticator
        self.mailstore = mailstore
        self.control = control
        self.encrypted = encrypted
        self.timestamp = apop_timestamp(connection_id, now, config.host)
        self.state = State.AUTHORIZATION
        self.delay = 0.0
        """Seconds the server must wait before resume() (SECURE refusals)."""
        self.account: Account | None = None
        self.user = ""
        """The user name as typed, once logged in."""
        self.events: list[Event] = []
        self._inbuf = bytearray()
        self._discarding = False
        self._held: list[bytes] = []
        self._out: list[bytes] = []
        self._command = ""
        self._pending_user: str | None = None
        self._failures = 0
        self._sasl_mech = ""
        self._drop: Maildrop | None = None
        self._msgs: list[MessageInfo] = []
        self._deleted: set[int] = set()
        self._retrieved: set[int] = set()
        self._count = 0
        self._octets = 0

    # ------------------------------------------------------------------ transport side
    def greeting(self) -> bytes:
        """The first line to send on the connection."""
        c = self.config
        text = _TEXT["greeting"].format(version=c.version, host=c.host,
                                        since=f"{c.started:%Y-%m-%d %H:%M:%S}",
                                        stamp=self.timestamp)
        self._out = []
        self._ok(text)
        return self._flush()

    def receive(self, data: bytes) -> bytes:
        """Feed bytes read from the client; returns the reply bytes to send now."""
        if self.state in (State.CLOSED, State.TLS_PENDING):
            return b""
        self._inbuf += data
        if self.delay:
            return b""
        return self._run()

    def resume(self) -> bytes:
        """After waiting `delay` seconds: the held reply and whatever input was waiting."""
        self.delay = 0.0
        self._out = self._held
        self._held = []
        return self._run(keep=True)

    def tls_established(self) -> None:
        """The server finished the TLS handshake that STLS asked for."""
        self._move(Step.TLS_UP)
        self.encrypted = True
        self._inbuf.clear()
        self._discarding = False
        self._pending_user = None

    def connection_lost(self) -> None:
        """The connection ended without QUIT (closed, reset, timed out, server shutdown):
        nothing is committed; the maildrop is released."""
        if self.state is State.CLOSED:
            return
        self._move(Step.LOST)
        self._release()
        self.events.append(SessionEnded("LOST"))

    @property
    def closed(self) -> bool:
        """True once the server should close the connection (after sending the output)."""
        return self.state is State.CLOSED

    @property
    def wants_tls(self) -> bool:
        """True after STLS was accepted: start the TLS handshake, then tls_established()."""
        return self.state is State.TLS_PENDING

    @property
    def logged_in(self) -> bool:
        return self.state is State.TRANSACTION

    def take_events(self) -> list[Event]:
        """The events since the last call (oldest first)."""
        events, self.events = self.events, []
        return events

    # ------------------------------------------------------------------ line handling
    def _run(self, keep: bool = False) -> bytes:
        if not keep:
            self._out = []
        while not self.delay and self.state not in (State.CLOSED, State.TLS_PENDING):
            line = self._next_line()
            if line is None:
                break
            self._handle(line)
        if self.state in (State.CLOSED, State.TLS_PENDING):
            self._inbuf.clear()
        return self._flush()

    def _flush(self) -> bytes:
        out = b"".join(self._out)
        self._out = []
        return out

    def _next_line(self) -> str | None:
        """The next complete line, or None when more input is needed. A line over the limit
        is answered (once) and skipped, and scanning goes on with what follows it."""
        buf = self._inbuf
        while True:
            if self._discarding:
                i = buf.find(b"\n")
                if i < 0:
                    buf.clear()
                    return None
                del buf[:i + 1]
                self._discarding = False
            limit = MAX_SASL_LINE if self.state is State.SASL else MAX_LINE
            i = buf.find(b"\n", 0, limit)
            if i >= 0:
                break
            if len(buf) < limit:
                return None
            self._too_long()
        raw = bytes(buf[:i])
        del buf[:i + 1]
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        return raw.decode("latin-1")

    def _too_long(self) -> None:
        self._discarding = True
        self._trace("<", "[command line longer than the limit]")
        self._err(_TEXT["too_long"], command="[command line too long]")
        self._leave_sasl()

    def _handle(self, line: str) -> None:
        if self.state is State.SASL:
            self._command = "[SASL response]"
            self._trace("<", self._command)
            self._guarded("[SASL response]", self._sasl_response, line)
            return
        verb, sep, rest = _split_command(line)
        key = verb.upper()
        cmd = COMMANDS.get(key)
        echo = self.state is not State.AUTHORIZATION and _KEYWORD.fullmatch(verb) is not None
        masked = _shown(line, known=cmd is not None, echo=echo)
        self._trace("<", masked)
        self._command = masked
        if not key.strip():
            self._err(_TEXT["empty"], command=masked)
            return
        if cmd is None:
            text = _TEXT["unknown"].format(verb=key) if echo else _TEXT["not_command"]
            self._err(text, command=masked)
            return
        if self.state not in cmd.states:
            self._err(_TEXT["state"].format(verb=key, state=self.state.value), command=masked)
            return
        args = rest.split()
        if (not sep if key == "PASS" else not cmd.min_args <= len(args) <= cmd.max_args):
            self._err(_TEXT["usage"].format(usage=cmd.usage), command=masked)
            return
        self._guarded(masked, cmd.handler, self, args, rest)

    def _guarded(self, command: str, fn, *args) -> None:
        try:
            fn(*args)
        except Exception:  # an interface failed: report, answer, carry on
            self.events.append(InternalError(command, traceback.format_exc()))
            self._err(_TEXT["internal"], command=command)
            self._leave_sasl()

    # ------------------------------------------------------------------ replies
    def _emit(self, data: bytes) -> None:
        self._out.append(data)

    def _trace(self, direction: str, *texts: str) -> None:
        """Lines for the trace log, when TCPIP$POP_TRACE is on."""
        if self.config.trace:
            self.events.extend(Trace(direction, text) for text in texts)

    def _ok(self, text: str = "", lines: Iterable[str] | None = None,
            payload: bytes | None = None) -> None:
        first = "+OK " + text if text else "+OK"
        self._trace(">", first)
        if lines is None and payload is None:
            self._emit(_line(first))
            return
        parts = [first]
        if lines is not None:
            body = ["." + ln if ln.startswith(".") else ln for ln in lines]
            self._trace(">", *body)
            parts.extend(body)
        if payload is None:
            parts.append(".")
            self._emit(("\r\n".join(parts) + "\r\n").encode("latin-1", "replace"))
            return
        if self.config.trace:       # wire_size only when it is traced
            self._trace(">", f"[message text, {wire_size(payload)} octets]", ".")
        self._emit(_line(first))
        self._emit(payload)
        self._emit(CRLF + b".\r\n" if payload and not payload.endswith(CRLF) else b".\r\n")

    def _err(self, text: str, *, command: str | None = None, hold: bool = False) -> None:
        reply = "-ERR " + text
        self._trace(">", reply)
        self.events.append(CommandRejected(self._command if command is None else command,
                                           reply))
        if hold:
            self._held.append(_line(reply))
        else:
            self._emit(_line(reply))

    # ------------------------------------------------------------------ state
    def _move(self, step: Step) -> None:
        new = _TRANSITIONS.get((self.state, step))
        if new is None:
            raise ProtocolStateError(f"{step.value} in state {self.state.value}")
        self.state = new

    def _leave_sasl(self) -> None:
        """An AUTH PLAIN exchange that failed or was cancelled: back to AUTHORIZATION."""
        if self.state is State.SASL:
            self._move(Step.SASL_END)

    def _release(self) -> None:
        drop, self._drop = self._drop, None
        if drop is not None:
            try:
                drop.release()
            except Exception:
                self.events.append(InternalError("release", traceback.format_exc()))

    # ------------------------------------------------------------------ authorization
    def _refuse(self, user: str, method: str, reason: Reason, **fmt) -> None:
        self.events.append(LoginRefused(user, method, reason))
        self._pending_user = None
        self._failures += 1
        secure = self.config.security is Security.SECURE
        shown = _user_text(user)
        if secure:
            text = _TEXT["secure"].format(user=shown)
        else:
            text = _TEXT[reason].format(user=shown, **fmt)
        hold = secure and self.config.failure_delay > 0
        self._err(text, hold=hold)
        if hold:
            self.delay = self.config.failure_delay
        if self._failures >= MAX_ATTEMPTS:
            self._move(Step.GIVE_UP)
            self.events.append(SessionEnded("FAILURES",
                                            detail="too many failed authorization attempts"))
        else:
            self._leave_sasl()

    @staticmethod
    def _flags(account: Account) -> Reason | None:
        if account.disuser:
            return Reason.DISUSER
        if account.dismail:
            return Reason.DISMAIL
        if account.expired:
            return Reason.EXPIRED
        return None

    def _login(self, account: Account, user: str, method: str, text: str) -> None:
        self._pending_user = None
        folders = (MAIL, NEWMAIL) if self.config.use_mail_folder else (NEWMAIL,)
        try:
            drop = self.mailstore.open(account, folders)
        except (MaildropInUse, MaildropError) as exc:
            in_use = isinstance(exc, MaildropInUse)
            self.events.append(MaildropRefused(user, in_use, str(exc)))
            self._err(_TEXT["in_use" if in_use else "unavailable"].format(
                user=_user_text(user)))
            self._leave_sasl()
            return
        self._drop = drop
        try:
            msgs = sorted(drop.messages(), key=lambda m: m.arrival)
        except Exception:
            self._release()
            raise
        if self.config.message_maximum:
            msgs = msgs[:self.config.message_maximum]
        self._msgs = msgs
        self._deleted = set()
        self._retrieved = set()
        self._count = len(msgs)
        self._octets = sum(m.size for m in msgs)
        self.account = account
        self.user = user
        self._move(Step.LOGIN)
        self.events.append(LoginAccepted(user, method))
        self._ok(text)

    def _authorize(self, user: str, method: str, verify: Callable[[Account], Reason | None],
                   ok_text: str) -> None:
        account = self.auth.find_account(user)
        if account is None:
            self._refuse(user, method, Reason.UNKNOWN_USER)
            return
        reason = verify(account) or self._flags(account)
        if reason is not None:
            self._refuse(user, method, reason)
            return
        self._login(account, user, method, ok_text)

    def cmd_user(self, args: list[str], rest: str) -> None:
        if self.config.disuserpass:
            self._err(_TEXT["userpass_off"])
            return
        user = args[0]
        if self.config.security is Security.FRIENDLY and self.auth.find_account(user) is None:
            self._refuse(user, "USER", Reason.UNKNOWN_USER)
            return
        self._pending_user = user
        self._ok(_TEXT["user_ok"].format(user=_user_text(user)))

    def cmd_pass(self, args: list[str], rest: str) -> None:
        if self.config.disuserpass:
            self._err(_TEXT["userpass_off"])
            return
        user = self._pending_user
        if user is None:
            self._err(_TEXT["no_user"])
            return
        self._pending_user = None

        def verify(account: Account) -> Reason | None:
            return None if self.auth.verify_password(account, rest) else Reason.BAD_PASSWORD
        self._authorize(user, "USER/PASS", verify, _TEXT["pass_ok"])

    def cmd_apop(self, args: list[str], rest: str) -> None:
        user, digest = args
        self._pending_user = None

        def verify(account: Account) -> Reason | None:
            secret = self.auth.apop_secret(account)
            if secret is None:
                return Reason.NO_SECRET
            if len(secret) > APOP_SECRET_MAX:
                return Reason.SECRET_TOO_LONG
            want = hashlib.md5((self.timestamp + secret).encode("latin-1", "replace"))
            # As octets: compare_digest refuses str with non-ASCII characters, and a digest
            # of any octets is an ordinary wrong digest.
            got = digest.encode("latin-1", "replace").lower()
            if not hmac.compare_digest(want.hexdigest().encode("ascii"), got):
                return Reason.BAD_DIGEST
            return None
        self._authorize(user, "APOP", verify, _TEXT["apop_ok"])

    def _plain_offered(self) -> bool:
        return self.encrypted and not self.config.disuserpass

    def cmd_auth(self, args: list[str], rest: str) -> None:
        self._pending_user = None
        if not args:
            self._ok(_TEXT["auth_list"], lines=["PLAIN"] if self._plain_offered() else [])
            return
        mech = args[0].upper()
        if mech != "PLAIN":
            self._err(_TEXT["mechanism"].format(mech=_printable(mech)))
            return
        if self.config.disuserpass:
            self._err(_TEXT["plain_off"])
            return
        if not self.encrypted:
            self._err(_TEXT["plain_clear"])
            return
        if len(args) == 2:
            self._plain("" if args[1] == "=" else args[1])
            return
        self._move(Step.SASL_START)
        self._trace(">", "+ ")
        self._emit(b"+ \r\n")

    def _sasl_response(self, line: str) -> None:
        if line.strip() == "*":
            self._move(Step.SASL_END)
            self._err(_TEXT["cancelled"], command="[SASL response]")
            return
        self._plain(line.strip())

    def _plain(self, data: str) -> None:
        try:
            raw = base64.b64decode(data, validate=True).decode("utf-8")
            authz, user, password = raw.split("\0")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            self._refuse("", "SASL PLAIN", Reason.MALFORMED)
            return
        if not user:
            self._refuse("", "SASL PLAIN", Reason.MALFORMED)
            return
        if authz and authz.upper() != user.upper():
            self._refuse(user, "SASL PLAIN", Reason.AUTHZID, authz=_user_text(authz))
            return

        def verify(account: Account) -> Reason | None:
            ok = self.auth.verify_password(account, password)
            return None if ok else Reason.BAD_PASSWORD
        self._authorize(user, "SASL PLAIN", verify, _TEXT["plain_ok"])

    def cmd_stls(self, args: list[str], rest: str) -> None:
        if self.encrypted:
            self._err(_TEXT["stls_active"])
            return
        if not self.config.tls_available:
            self._err(_TEXT["stls_none"])
            return
        self._pending_user = None
        self._ok(_TEXT["stls"])
        self._move(Step.STLS)

    def cmd_capa(self, args: list[str], rest: str) -> None:
        c = self.config
        auth = self.state is State.AUTHORIZATION
        caps = ["TOP", "UIDL"]
        if auth and not c.disuserpass:
            caps.append("USER")
        caps += ["RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"]
        caps.append("EXPIRE NEVER" if c.leave_in_newmail or c.use_mail_folder else "EXPIRE 0")
        caps.append(f"IMPLEMENTATION vmsenv POP server Version {c.version}")
        if auth and c.tls_available and not self.encrypted:
            caps.append("STLS")
        if auth and self._plain_offered():
            caps.append("SASL PLAIN")
        self._ok(_TEXT["capa"], lines=caps)

    def cmd_quit(self, args: list[str], rest: str) -> None:
        signoff = _TEXT["signoff"].format(host=self.config.host)
        if self.state is State.AUTHORIZATION:
            self._move(Step.QUIT)
            self._ok(signoff)
            self.events.append(SessionEnded("QUIT"))
            return
        changes = self._changes()
        self._move(Step.QUIT)
        drop, self._drop = self._drop, None
        try:
            assert drop is not None
            drop.commit(changes)
        except MaildropError as exc:
            self._move(Step.UPDATED)
            self._err(_TEXT["not_updated"])
            self.events.append(SessionEnded("QUIT", detail=str(exc)))
            return
        except Exception:
            self._move(Step.UPDATED)
            self.events.append(InternalError("QUIT", traceback.format_exc()))
            self._err(_TEXT["not_updated"])
            self.events.append(SessionEnded("QUIT", detail="commit failed"))
            return
        self._move(Step.UPDATED)
        self._ok(signoff)
        self.events.append(SessionEnded("QUIT", True, len(changes.delete),
                                        len(changes.move_to_mail)))

    def _changes(self) -> Changes:
        c = self.config
        delete = []
        move = []
        for i, m in enumerate(self._msgs):
            if i in self._deleted and not m.foreign:
                delete.append(m.key)
                continue
            if m.folder != NEWMAIL:
                continue
            read = i in self._retrieved
            if (c.use_mail_folder or (m.foreign and (read or i in self._deleted))
                    or (read and not c.leave_in_newmail)):
                move.append(m.key)
        return Changes(tuple(delete), tuple(move), c.purge_reclaim and bool(delete))

    # ------------------------------------------------------------------ transaction
    def _message(self, arg: str) -> int | None:
        """The index of message number `arg`, or None after answering -ERR."""
        if not arg.isascii() or not arg.isdigit():
            self._err(_TEXT["bad_number"].format(arg=_printable(arg)))
            return None
        n = int(arg)
        if not 1 <= n <= len(self._msgs):
            self._err(_TEXT["no_message"].format(n=n))
            return None
        if n - 1 in self._deleted:
            self._err(_TEXT["deleted"].format(n=n))
            return None
        return n - 1

    def cmd_stat(self, args: list[str], rest: str) -> None:
        self._ok(_TEXT["stat"].format(count=self._count, octets=self._octets))

    def _scan_listing(self, args: list[str], field: Callable[[MessageInfo], object],
                      text: str) -> None:
        """LIST and UIDL: ``+OK n field`` for the message asked for, else ``+OK text`` and a
        ``n field`` line for each message not deleted."""
        if args:
            i = self._message(args[0])
            if i is not None:
                self._ok(f"{i + 1} {field(self._msgs[i])}")
            return
        deleted = self._deleted
        self._ok(text, lines=[f"{i + 1} {field(m)}" for i, m in enumerate(self._msgs)
                              if i not in deleted])

    def cmd_list(self, args: list[str], rest: str) -> None:
        self._scan_listing(args, lambda m: m.size, _TEXT["list"].format(
            count=self._count, s=_plural(self._count), octets=self._octets))

    def cmd_uidl(self, args: list[str], rest: str) -> None:
        self._scan_listing(args, lambda m: m.uid, _TEXT["uidl"])

    def _wire(self, i: int, body_lines: int | None) -> bytes | None:
        assert self._drop is not None
        try:
            return self._drop.wire_bytes(self._msgs[i].key, body_lines)
        except MaildropError as exc:
            self._err(_TEXT["unreadable"].format(n=i + 1))
            self.events.append(InternalError(f"message {i + 1}", str(exc)))
            return None

    def cmd_retr(self, args: list[str], rest: str) -> None:
        i = self._message(args[0])
        if i is None:
            return
        data = self._wire(i, None)
        if data is None:
            return
        self._retrieved.add(i)
        size = self._msgs[i].size
        self.events.append(Retrieved(i + 1, wire_size(data) if self.config.fast_scan else size))
        self._ok(_TEXT["retr"].format(octets=size), payload=data)

    def cmd_top(self, args: list[str], rest: str) -> None:
        i = self._message(args[0])
        if i is None:
            return
        count = args[1]
        if not count.isascii() or not count.isdigit():
            self._err(_TEXT["bad_count"].format(arg=_printable(count)))
            return
        data = self._wire(i, int(count))
        if data is None:
            return
        self._ok(_TEXT["top"].format(n=i + 1), payload=data)

    def cmd_dele(self, args: list[str], rest: str) -> None:
        i = self._message(args[0])
        if i is None:
            return
        m = self._msgs[i]
        self._deleted.add(i)
        self._count -= 1
        self._octets -= m.size
        self._ok(_TEXT["dele_foreign" if m.foreign else "dele"].format(n=i + 1))

    def cmd_noop(self, args: list[str], rest: str) -> None:
        self._ok()

    def cmd_rset(self, args: list[str], rest: str) -> None:
        self._deleted.clear()
        self._count = len(self._msgs)
        self._octets = sum(m.size for m in self._msgs)
        self._ok(_TEXT["rset"].format(count=self._count, s=_plural(self._count),
                                      octets=self._octets))

    # ------------------------------------------------------------------ XTND
    def _privileged(self) -> bool:
        assert self.account is not None
        return bool({"OPER", "SYSPRV"} & {p.upper() for p in self.account.privileges})

    def cmd_xtnd(self, args: list[str], rest: str) -> None:
        sub = args[0].upper()
        handler = _XTND.get(sub)
        if handler is None:
            self._err(_TEXT["xtnd_unknown"].format(sub=_printable(sub)))
            return
        handler(self, args[1:], rest.lstrip(" \t")[len(args[0]):].strip())

    def _xtnd_client(self, args: list[str], text: str) -> None:
        if not text:
            self._err(_TEXT["xtnd_usage"])
            return
        self.events.append(ClientInfo(text))
        self._ok(_TEXT["client"])

    def _xtnd_loglevel(self, args: list[str], text: str) -> None:
        if not self._privileged():
            self._err(_TEXT["privilege"].format(sub="LOGLEVEL"))
            return
        if len(args) != 1:
            self._err(_TEXT["xtnd_usage"])
            return
        try:
            level = LogLevel[keyword(args[0], tuple(lv.name for lv in LogLevel))]
        except BadValue:
            self._err(_TEXT["bad_level"].format(level=_printable(args[0])))
            return
        self.control.set_log_level(level)
        self.events.append(LogLevelChanged(self.user, level))
        self._ok(_TEXT["loglevel"].format(level=level.name.lower()))

    def _xtnd_stats(self, args: list[str], text: str) -> None:
        if args:
            self._err(_TEXT["xtnd_usage"])
            return
        self._ok(_TEXT["stats"], lines=format_statistics(self.control.statistics()))

    def _xtnd_shutdown(self, args: list[str], text: str) -> None:
        if not self._privileged():
            self._err(_TEXT["privilege"].format(sub="SHUTDOWN"))
            return
        if args:
            self._err(_TEXT["xtnd_usage"])
            return
        self.control.request_shutdown()
        self.events.append(ShutdownRequested(self.user))
        self._ok(_TEXT["shutdown"])


def _printable(text: str, limit: int = 40) -> str:
    """Client text fit to be echoed: printable ASCII, at most `limit` characters."""
    clean = "".join(c if " " <= c <= "~" and c != '"' else "?" for c in text)
    return clean[:limit] + ("..." if len(clean) > limit else "")


def _user_text(user: str) -> str:
    """A user name as the replies echo it: control characters (C0, DEL, C1) and ``"`` as
    ``?``, at most USERNAME_ECHO characters, then ``...``."""
    clean = "".join("?" if c == '"' or c < " " or "\x7f" <= c <= "\x9f" else c
                    for c in user[:USERNAME_ECHO])
    return clean + ("..." if len(user) > USERNAME_ECHO else "")


_SEPARATOR = re.compile(r"[ \t]")
_KEYWORD = re.compile(r"[A-Za-z]{1,4}")
_SECRET_VERBS = {"PASS": 0, "USER": 1, "APOP": 1, "AUTH": 1}
"""Commands whose lines are masked: the number of words kept after the keyword."""


def _split_command(line: str) -> tuple[str, str, str]:
    """(keyword, separator, rest): leading blanks and tabs skipped, the keyword ends at the
    first blank or tab (rule 2)."""
    text = line.lstrip(" \t")
    m = _SEPARATOR.search(text)
    if m is None:
        return text, "", ""
    return text[:m.start()], m.group(), text[m.end():]


def _mask(line: str) -> str:
    """A command line for logs, with whatever may be secret replaced by ``***``.

    USER, PASS, APOP and AUTH are recognised by their first four characters (case-blind,
    leading white space skipped) whatever follows -- a blank, a tab, another control
    character or more letters -- so no separator can smuggle a password past the mask. PASS
    keeps nothing; USER and APOP keep the user name, AUTH the mechanism (the first word after
    the keyword, at most ARG_ECHO characters); anything more is ``***``. Other lines are
    returned as they are."""
    text = line.lstrip()
    verb = text[:4]
    keep = _SECRET_VERBS.get(verb.upper())
    if keep is None:
        return line
    after = text[4:]
    words = after.split()
    if not words:
        return verb
    if not after[0].isspace():          # glued to the keyword: all of it may be the secret
        return f"{verb} ***"
    shown = [w[:ARG_ECHO] + ("..." if len(w) > ARG_ECHO else "") for w in words[:keep]]
    if len(words) > keep:
        shown.append("***")
    return " ".join([verb, *shown])


def _shown(line: str, *, known: bool, echo: bool) -> str:
    """How a command line appears in the trace and the log. A known command: `_mask`. A
    line that is not one: its first word and ``***`` when `echo` (it has a keyword's shape and
    the session is past AUTHORIZATION), else only its length -- it may be a password sent
    bare or SASL data sent after a refused AUTH."""
    if not line.strip():
        return line
    if known:
        return _mask(line)
    verb, _, rest = _split_command(line)
    if echo:
        return f"{verb} ***" if rest.strip() else verb
    return f"[not a command, {len(line)} octets]"


COMMANDS: dict[str, Command] = {c.name: c for c in (
    Command("USER", Session.cmd_user, _A, "USER name", 1, 1),
    Command("PASS", Session.cmd_pass, _A, "PASS password", 0, 1 << 16),
    Command("APOP", Session.cmd_apop, _A, "APOP name digest", 2, 2),
    Command("AUTH", Session.cmd_auth, _A, "AUTH [mechanism [initial-response]]", 0, 2),
    Command("STLS", Session.cmd_stls, _A, "STLS", 0, 0),
    Command("CAPA", Session.cmd_capa, _BOTH, "CAPA", 0, 0),
    Command("QUIT", Session.cmd_quit, _BOTH, "QUIT", 0, 0),
    Command("STAT", Session.cmd_stat, _T, "STAT", 0, 0),
    Command("LIST", Session.cmd_list, _T, "LIST [msg]", 0, 1),
    Command("UIDL", Session.cmd_uidl, _T, "UIDL [msg]", 0, 1),
    Command("RETR", Session.cmd_retr, _T, "RETR msg", 1, 1),
    Command("TOP", Session.cmd_top, _T, "TOP msg n", 2, 2),
    Command("DELE", Session.cmd_dele, _T, "DELE msg", 1, 1),
    Command("NOOP", Session.cmd_noop, _T, "NOOP", 0, 0),
    Command("RSET", Session.cmd_rset, _T, "RSET", 0, 0),
    Command("XTND", Session.cmd_xtnd, _T, "XTND CLIENT text | LOGLEVEL level | STATS | SHUTDOWN",
            1, 1 << 16),
)}

_XTND: dict[str, Callable[[Session, list[str], str], None]] = {
    "CLIENT": Session._xtnd_client,
    "LOGLEVEL": Session._xtnd_loglevel,
    "STATS": Session._xtnd_stats,
    "SHUTDOWN": Session._xtnd_shutdown,
}

__all__ = [
    "Account", "Authenticator", "Changes", "ClientInfo", "CommandRejected", "COMMANDS",
    "Event", "InternalError", "LogLevelChanged", "LoginAccepted", "LoginRefused", "Maildrop",
    "MaildropError", "MaildropInUse", "MaildropRefused", "Mailstore", "MessageInfo",
    "Reason", "Retrieved", "ServerControl", "Session", "SessionConfig", "SessionEnded",
    "ShutdownRequested", "State", "Statistics", "Trace", "VERSION", "apop_timestamp",
    "cleartext_refusal", "format_statistics", "frame_message", "uidl", "wire_size",
]
