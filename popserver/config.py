"""TCPIP$POP_* logical names -> one frozen, validated Settings object, read once at start.

`read_settings(lookup)` asks `lookup(name)` exactly once for each name of Table 19-2 (plus the
emulator's one extension among the logical names, TCPIP$POP_SSL_PORT) and never again; the
caller passes a lookup that follows LNM$FILE_DEV order (e.g. ``lambda n: first value of
process.lnm.trnlnm(n, "LNM$FILE_DEV")``).
A bad value never raises: it becomes a `ConfigWarning` (name, value, reason) in
``Settings.warnings`` and the default is used, so the server always starts.

The names, their values and defaults (manual Table 19-2; "flag" = acts when defined, whatever
the value, as the manual's "If defined" reads -- even ``0`` or ``FALSE`` turn it on):

=============================== =========================================== ===================
name (TCPIP$POP_...)            value                                       default
=============================== =========================================== ===================
SECURITY                        FRIENDLY | SECURE (texts and timing of      FRIENDLY
                                authorization errors)
DISABLE_CLEARTEXT               flag: answer every cleartext connection     not defined
                                with -ERR pointing to the secure port
DISABLE_SSL                     flag: no secure (port 995) listener         not defined
CERT_FILE                       full or partial file spec, merged with      SSL$CERTS:SERVER.CRT
                                SSL$CERTS:SERVER.CRT by $PARSE rules
KEY_FILE                        the same, merged with SSL$KEY:SERVER.KEY    SSL$KEY:SERVER.KEY
TRACE                           flag: every line to/from clients logged     not defined
LOG_LEVEL                       ERROR | INFORMATIONAL | THREAD | DEBUG      INFORMATIONAL
POSTMASTER                      user names separated by commas, for the     none
                                startup procedure's failure mail
MESSAGE_MAXIMUM                 0..65535 messages presented per connection  0 (no maximum)
LINK_IDLE_TIMEOUT               OpenVMS delta time ("0 00:10:00.00")        none (0 00:00:00.00)
PERSONAL_NAME                   flag: sender's personal name in From:       not defined
LEAVE_IN_NEWMAIL                flag: read, undeleted mail stays in NEWMAIL not defined
USE_MAIL_FOLDER                 flag: serve MAIL; all mail moves to MAIL    not defined
FAST_SCAN                       flag: sizes estimated from line counts      not defined
MAXIMUM_THREADS                 1..1024 client threads (1: single-threaded) 15
IGNORE_MAIL11_HEADERS           flag: SMTP mail sent with its own headers   not defined
SEND_ID_HEADERS                 flag: X-POP3-Server and X-POP3-ID headers   not defined
DECNET_REWRITE                  GENERIC | NONE | TRANSFORM                  TRANSFORM
QUOTED_DECNET_REWRITE           GENERIC | NONE | TRANSFORM                  TRANSFORM
SNDBUF                          512..2147483647 (SO_SNDBUF)                 the system's value
DISUSERPASS                     flag: USER and PASS refused; APOP only      not defined
PURGE_RECLAIM                   flag: reclaim the mail file after deleting  not defined
SSL_PORT (emulator extension)   1..65535, the secure POP port               995
=============================== =========================================== ===================

The cleartext port and address are not logical names: they come from the service database
(TCPIP SET SERVICE POP /PORT /ADDRESS) and are the server's business. That port and
TCPIP$POP_SSL_PORT are the emulator's only two extensions to the manual's settings; nothing
else is configured outside Table 19-2 (the password cache of popserver.auth, for one, follows
TCPIP$POP_SECURITY).

Choices where the manual is silent:
- Values are compared after trimming blanks, case-blind; a keyword may be abbreviated to any
  unique prefix (``TRANS``, ``D``), as VMS keywords may.
- Numbers are plain decimal digits (no sign, no radix prefix); anything else is a non-number.
- LINK_IDLE_TIMEOUT is parsed by vmstime.parse_delta; a zero delta means no timeout (None).
- MAXIMUM_THREADS must be 1..1024 (the manual gives no ceiling; V4.2 had 31).
- POSTMASTER keeps the names as written, blanks trimmed, empty items dropped.
- CERT_FILE and KEY_FILE: the value is the primary and the default specification the default of
  $PARSE with SYNTAX_ONLY (vmsenv.filespec.parse_spec), logical names translated through the
  given translator, the process default of the TCPIP$POP account filling what nothing else
  supplies; the result is the expanded text the server opens. The manual's table shows the
  merge before translation (``SSL$CERTS:TCPIP$POP.CRT``); $PARSE shows the translation up to
  the first concealed name (``SSL$ROOT:[CERTS]TCPIP$POP.CRT;`` when SSL$CERTS is
  ``SSL$ROOT:[CERTS]``), exactly as F$PARSE would. A value that does not parse is a warning and
  the default specification is used alone.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from vmsenv import condition as cond
from vmsenv import filespec as fsp
from vmsenv import vmstime

PREFIX = "TCPIP$POP_"
DEFAULT_CERT = "SSL$CERTS:SERVER.CRT"
DEFAULT_KEY = "SSL$KEY:SERVER.KEY"
DEFAULT_PROCESS_DEFAULT = fsp.ProcessDefault("SYS$SYSDEVICE:", "[TCPIP$POP]")

Lookup = Callable[[str], "str | None"]
"""Called with a full logical name: its (first) equivalence string, or None if undefined."""


class Security(enum.Enum):
    FRIENDLY = "FRIENDLY"
    SECURE = "SECURE"


class LogLevel(enum.IntEnum):
    """Ordered: a message at level L is written when L <= the current level."""

    ERROR = 1
    INFORMATIONAL = 2
    THREAD = 3
    DEBUG = 4


class Rewrite(enum.Enum):
    GENERIC = "GENERIC"
    NONE = "NONE"
    TRANSFORM = "TRANSFORM"


@dataclass(frozen=True)
class ConfigWarning:
    """A logical name whose value was refused; the default was used instead."""

    name: str
    value: str
    reason: str
    default: str

    def __str__(self) -> str:
        return f'{self.name} = "{self.value}": {self.reason}; using the default ({self.default})'


@dataclass(frozen=True)
class Settings:
    """Every TCPIP$POP_* setting, validated. Build with read_settings()."""

    security: Security = Security.FRIENDLY
    disable_cleartext: bool = False
    disable_ssl: bool = False
    cert_file: str = DEFAULT_CERT
    key_file: str = DEFAULT_KEY
    trace: bool = False
    log_level: LogLevel = LogLevel.INFORMATIONAL
    postmaster: tuple[str, ...] = ()
    message_maximum: int = 0
    link_idle_timeout: _dt.timedelta | None = None
    personal_name: bool = False
    leave_in_newmail: bool = False
    use_mail_folder: bool = False
    fast_scan: bool = False
    maximum_threads: int = 15
    ignore_mail11_headers: bool = False
    send_id_headers: bool = False
    decnet_rewrite: Rewrite = Rewrite.TRANSFORM
    quoted_decnet_rewrite: Rewrite = Rewrite.TRANSFORM
    sndbuf: int | None = None
    disuserpass: bool = False
    purge_reclaim: bool = False
    ssl_port: int = 995
    defined: frozenset[str] = frozenset()
    """The full names that were defined (good or bad values)."""
    warnings: tuple[ConfigWarning, ...] = field(default=())

    def lines(self) -> list[str]:
        """The effective settings, one ``TCPIP$POP_NAME: value`` line each, for the startup
        log; `(default)` marks names that were not defined (or whose value was refused)."""
        refused = {w.name for w in self.warnings}
        out = []
        for spec in NAMES:
            name = PREFIX + spec.suffix
            shown = spec.show(getattr(self, spec.attr))
            if name in refused:
                mark = " (default; the defined value was refused)"
            elif name not in self.defined:
                mark = " (default)"
            else:
                mark = ""
            out.append(f"{name}: {shown}{mark}")
        return out


# ------------------------------------------------------------------ value parsers
class BadValue(Exception):
    """A refused value; the message is the reason (raised by keyword() and the parsers)."""


def _flag(_text: str, _ctx) -> bool:
    return True


def keyword(text: str, choices: Sequence[str]) -> str:
    """The choice `text` names, exactly or as a unique prefix (case-blind); BadValue if none."""
    word = text.strip().upper()
    if not word:
        raise BadValue("no keyword given")
    if word in choices:
        return word
    hits = [c for c in choices if c.startswith(word)]
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise BadValue(f"ambiguous keyword (one of {', '.join(choices)})")
    raise BadValue(f"unknown keyword (one of {', '.join(choices)})")


def _enum(kind: type[enum.Enum]):
    names = tuple(m.name for m in kind)

    def parse(text: str, _ctx):
        return kind[keyword(text, names)]
    return parse


def _number(low: int, high: int):
    def parse(text: str, _ctx) -> int:
        t = text.strip()
        if not t or not t.isascii() or not t.isdigit():
            raise BadValue("not a number")
        n = int(t)
        if n < low:
            raise BadValue(f"below the minimum of {low}")
        if n > high:
            raise BadValue(f"above the maximum of {high}")
        return n
    return parse


def _delta(text: str, _ctx) -> _dt.timedelta | None:
    try:
        d = vmstime.parse_delta(text)
    except cond.VMSError:
        raise BadValue("not a valid delta time") from None
    return d if d else None


def _names(text: str, _ctx) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


def _file(default: str):
    def parse(text: str, ctx) -> str:
        translator, pd = ctx
        try:
            return fsp.parse_spec(text.strip(), default, process_default=pd,
                                  translator=translator, syntax_only=True).text
        except cond.VMSError:
            raise BadValue("not a valid file specification") from None
    return parse


def _show(value) -> str:
    if isinstance(value, bool):
        return "defined" if value else "not defined"
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, _dt.timedelta):
        return vmstime.format_delta(value).strip()
    if isinstance(value, tuple):
        return ", ".join(value) if value else "none"
    if value is None:
        return "none"
    return str(value)


@dataclass(frozen=True)
class NameSpec:
    """One logical name: suffix after TCPIP$POP_, Settings attribute, parser, doc."""

    suffix: str
    attr: str
    parse: Callable
    doc: str

    def show(self, value) -> str:
        if self.attr == "sndbuf" and value is None:
            return "system default"
        if self.attr == "link_idle_timeout" and value is None:
            return "none"
        if self.attr == "message_maximum" and value == 0:
            return "0 (no maximum)"
        return _show(value)


NAMES: tuple[NameSpec, ...] = (
    NameSpec("SECURITY", "security", _enum(Security), "FRIENDLY | SECURE"),
    NameSpec("DISABLE_CLEARTEXT", "disable_cleartext", _flag, "refuse cleartext clients"),
    NameSpec("DISABLE_SSL", "disable_ssl", _flag, "no secure listener"),
    NameSpec("CERT_FILE", "cert_file", _file(DEFAULT_CERT), "certificate file"),
    NameSpec("KEY_FILE", "key_file", _file(DEFAULT_KEY), "private key file"),
    NameSpec("TRACE", "trace", _flag, "trace every client line"),
    NameSpec("LOG_LEVEL", "log_level", _enum(LogLevel), "ERROR | INFORMATIONAL | THREAD | DEBUG"),
    NameSpec("POSTMASTER", "postmaster", _names, "users mailed on a failure exit"),
    NameSpec("MESSAGE_MAXIMUM", "message_maximum", _number(0, 65535), "0..65535"),
    NameSpec("LINK_IDLE_TIMEOUT", "link_idle_timeout", _delta, "delta time"),
    NameSpec("PERSONAL_NAME", "personal_name", _flag, "personal name in From:"),
    NameSpec("LEAVE_IN_NEWMAIL", "leave_in_newmail", _flag, "read mail stays in NEWMAIL"),
    NameSpec("USE_MAIL_FOLDER", "use_mail_folder", _flag, "serve the MAIL folder"),
    NameSpec("FAST_SCAN", "fast_scan", _flag, "estimated sizes"),
    NameSpec("MAXIMUM_THREADS", "maximum_threads", _number(1, 1024), "1..1024"),
    NameSpec("IGNORE_MAIL11_HEADERS", "ignore_mail11_headers", _flag, "SMTP's own headers"),
    NameSpec("SEND_ID_HEADERS", "send_id_headers", _flag, "X-POP3-Server, X-POP3-ID"),
    NameSpec("DECNET_REWRITE", "decnet_rewrite", _enum(Rewrite), "GENERIC | NONE | TRANSFORM"),
    NameSpec("QUOTED_DECNET_REWRITE", "quoted_decnet_rewrite", _enum(Rewrite),
             "GENERIC | NONE | TRANSFORM"),
    NameSpec("SNDBUF", "sndbuf", _number(512, 2**31 - 1), ">= 512"),
    NameSpec("DISUSERPASS", "disuserpass", _flag, "USER and PASS disabled"),
    NameSpec("PURGE_RECLAIM", "purge_reclaim", _flag, "reclaim after deleting"),
    NameSpec("SSL_PORT", "ssl_port", _number(1, 65535), "secure port (extension)"),
)

LOGICAL_NAMES: tuple[str, ...] = tuple(PREFIX + n.suffix for n in NAMES)


def _translator_from(lookup: Lookup) -> fsp.Translator:
    def translate(name: str):
        value = lookup(name)
        return None if value is None else [(value, 0)]
    return translate


def read_settings(lookup: Lookup, *, translator: fsp.Translator | None = None,
                  process_default: fsp.ProcessDefault = DEFAULT_PROCESS_DEFAULT) -> Settings:
    """Read every TCPIP$POP_* name once through `lookup` and validate it.

    `translator` (vmsenv.filespec.Translator, e.g. process.lnm.translate) translates the
    logical names inside CERT_FILE / KEY_FILE and their defaults; without one, `lookup` is used
    (no attributes, first equivalence only). `process_default` is the server process's
    default device and directory ($PARSE's last source)."""
    if translator is None:
        translator = _translator_from(lookup)
    ctx = (translator, process_default)
    defaults = Settings()
    values: dict[str, object] = {}
    defined: set[str] = set()
    warnings: list[ConfigWarning] = []
    for spec in NAMES:
        name = PREFIX + spec.suffix
        raw = lookup(name)
        is_file = spec.attr in ("cert_file", "key_file")
        if raw is None:
            if is_file:
                values[spec.attr] = _file_default(spec, ctx, warnings, name)
            continue
        defined.add(name)
        try:
            values[spec.attr] = spec.parse(raw, ctx)
        except BadValue as bad:
            if is_file:
                default = values[spec.attr] = _file_default(spec, ctx, warnings, name)
            else:
                default = getattr(defaults, spec.attr)
            warnings.append(ConfigWarning(name, raw, str(bad), spec.show(default)))
    return Settings(**values, defined=frozenset(defined), warnings=tuple(warnings))


def _file_default(spec: NameSpec, ctx, warnings: list[ConfigWarning], name: str) -> str:
    """The default specification alone, through $PARSE (translated like a value would be)."""
    default = DEFAULT_CERT if spec.attr == "cert_file" else DEFAULT_KEY
    try:
        return spec.parse("", ctx)
    except BadValue as bad:  # only when the SSL logical names themselves do not parse
        warnings.append(ConfigWarning(name, default, str(bad), default))
        return default
