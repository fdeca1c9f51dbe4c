"""TCP/IP Services configuration: the services database, the hosts database, the SMTP and
startup configuration, and the SSL certificate defaults.

Everything lives in the root's shared database, so that a `TCPIP SET ...` in one `dcl` is seen
by every other process at once (the POP server reads it when it starts):

- table ``tcpip_service``: one row per service (name, JSON record), see `Service`;
- table ``tcpip_host``: the LOCAL hosts database (name, address, aliases);
- root configuration keys (``root.config``): the SMTP settings under the keys the mail
  delivery (vmsenv/mail/deliver.py, SmtpConfig) reads, ``smtp.substitute_domain`` (the domain,
  lower case; absent when none) and ``smtp.header_control`` (``HEADERS`` | ``NOHEADERS`` |
  ``TOP_HEADERS``; absent means HEADERS, the SMTP default); and
  ``tcpip.configuration.enable_service`` (the services `SET CONFIGURATION ENABLE SERVICE`
  lists, comma-separated, sorted).

Each change is one transaction through ``root.store.change``. The functions use the caller's
root (its one SQLite connection): call them from one thread, or give each thread its own.

Services (TCPIP SET SERVICE, the Management Command Reference):

- A new entry needs /PORT, /FILE, /PROCESS_NAME and /USER_NAME; the service name, /PORT,
  /ADDRESS and /PROCESS_NAME of an existing entry cannot be changed (SET NOSERVICE and
  re-create it). Service names are 1-16 characters of letters, digits, ``$`` and ``_`` (case
  kept as typed; unquoted DCL text is upper case); process names are cut to 15 characters.
- One entry per service name: a second entry of the same name on another /ADDRESS (allowed
  on VMS for hosts with several interfaces) is refused as a duplicate.
- /ADDRESS defaults to 127.0.0.1, not to VMS's 0.0.0.0: a service of an emulated system is
  reachable from this host only unless the manager asks for more. A port is 1..65535.
- /LIMIT defaults to 1 (the Command Reference's default) and is recorded and shown; the POP
  server is one process that runs its own threads, so the limit does not apply to it.
- /LOG_OPTIONS keywords: [NO]ACCEPT [NO]ACTIVATE [NO]ADDRESS [NO]CONNECT [NO]DEACTIVATE
  [NO]ERROR [NO]EXIT [NO]LOGIN [NO]LOGOUT [NO]MODIFY [NO]REJECT [NO]TIMEOUT, [NO]ALL and
  FILE=spec, applied left to right. A new entry starts with ALL: the manual's POP chapter says
  OPCOM messages on rejections are sent "by default", i.e. REJECT is on until
  `TCPIP SET SERVICE POP/LOG=NOREJECT`. For POP only REJECT has an effect (OPCOM on
  authorization failures); the others are recorded and shown.
- The database starts with the entry TCP/IP Services' configuration procedure makes for POP
  (port 110, user and process TCPIP$POP, file SYS$STARTUP:TCPIP$POP_RUN.COM, disabled), so that
  the manual's `TCPIP SET SERVICE POP/LOG=NOREJECT` works on a fresh root.
- ENABLE / DISABLE SERVICE set the entry's state (shown by SHOW SERVICE). There is no
  auxiliary server here: the state records what the manager asked for, and the POP startup
  procedure acts on it; the POP server itself is started by that procedure.

SHOW SERVICE prints the brief layout observed on VMS (header, blank line, one line per
entry: name, port, protocol, process or "not defined", address, Enabled/Disabled). The /FULL
layout follows the VMS one as remembered from real systems ([I]); the lines for data this
database does not keep (inactivity, active and peak counts, socket options, accept/reject
security) are left out rather than shown with invented values. SHOW HOST (``LOCAL database``,
``Host address    Host name``, aliases after the name), SHOW CONFIGURATION ENABLE SERVICE and
SHOW CONFIGURATION SMTP layouts are [I] as well.

Hosts: a name and an IPv4 address, with aliases; unquoted names and aliases are stored in
lower case (as UCP does), quoted ones as typed. Lookups are case-blind. A DECnet node name
translates to a TCP/IP host (for the POP server's From: rewriting) when a host's name, the
first label of its name, or one of its aliases equals the node name; the answer is the host's
name. Only the LOCAL database is consulted (there is no BIND resolver here).

The local host's full name: the logical names TCPIP$INET_HOST and TCPIP$INET_DOMAIN (which
TCP/IP Services' startup defines on VMS): ``host.domain``, or the host alone when it holds a
dot or no domain is defined; without TCPIP$INET_HOST, the node name in lower case (plus the
domain when defined).

SMTP's local aliases file TCPIP$SMTP_LOCAL_ALIASES.TXT: one domain per line, ``!`` starts a
comment; looked for as TCPIP$SMTP_COMMON:TCPIP$SMTP_LOCAL_ALIASES.TXT, then
SYS$SPECIFIC:[TCPIP$SMTP]TCPIP$SMTP_LOCAL_ALIASES.TXT, then the old UCX$ name in the same two
places (SMTP chapter).

Locality (`is_local_host`): a host is local when it equals, case-blind, the local host's full
name, the SMTP substitute domain, or a domain of the local aliases file. The manual names the
last two and says POP and SMTP call the same routine; the host's own name is local too (the
POP chapter's TRANSFORM example needs it). Nothing else is normalised (no trailing-dot or
subdomain matching).

The SMTP symbiont's view (mail delivery, vmsenv/mail/deliver.py): delivery runs in no process,
so the names it needs are read through `system_names(root)`, a LogicalNames that sees the
shareable tables only -- the system table, and group 1's table (SYSTEM's group; the account
the symbiont runs under is not given [I]) -- with no process or job names and no Process
created or registered. TCPIP$SMTP_JACKET_LOCAL is translated in LNM$SYSTEM_TABLE alone (the
manual says `DEFINE/SYSTEM`) and read as DCL reads a value as true (`logical_true`: an odd
integer such as 1, or a string starting with T or Y; [I], the manual only shows 1). The local
host name and the local aliases file are found through LNM$FILE_DEV of that view, the file
read with no access guard (the symbiont has SYSPRV).

Certificates: `make_self_signed` builds a self-signed certificate (RSA 2048, SHA-256, CN the
given host, subjectAltName DNS:host, DNS:localhost and IP:127.0.0.1 so that loopback clients
can verify it) and `write_certificate` writes it and its unencrypted key as new versions of
SSL$CERTS:SERVER.CRT and SSL$KEY:SERVER.KEY (the defaults the POP server and the SSL
certificate tool share), the key with host mode 0600. Both logical names come from
SYS$STARTUP:SSL$STARTUP.COM; without them the certificate cannot be written.

Messages (facility TCPIP; its number and the message numbers are [I]): NORECORD "information
not found" (with RMS-E-RNF), SERVERROR "error processing service request", HOSTERROR, ...;
the texts of NORECORD and SERVERROR are as remembered from VMS, the others are this module's.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from vmsenv import condition as C
from vmsenv.condition import VMSError

# ---------------------------------------------------------------------------------------------
# Messages (facility TCPIP, number 0x10D [I]).
# ---------------------------------------------------------------------------------------------
_FAC = 0x010D8000
TCPIP_NORECORD = C._m(_FAC | 0x0000, "TCPIP", "NORECORD", "information not found")
TCPIP_SERVERROR = C._m(_FAC | 0x000A, "TCPIP", "SERVERROR", "error processing service request")
TCPIP_HOSTERROR = C._m(_FAC | 0x0012, "TCPIP", "HOSTERROR", "error processing host request")
TCPIP_CONFERROR = C._m(_FAC | 0x001A, "TCPIP", "CONFERROR",
                       "error processing configuration request")
TCPIP_REQUIRED = C._m(_FAC | 0x0022, "TCPIP", "REQUIRED",
                      "a new entry requires /FILE, /PORT, /PROCESS_NAME and /USER_NAME")
TCPIP_NOCHANGE = C._m(_FAC | 0x002A, "TCPIP", "NOCHANGE",
                      "!AS of an existing entry cannot be changed; use SET NOSERVICE first")
TCPIP_DUPLICATE = C._m(_FAC | 0x0032, "TCPIP", "DUPLICATE",
                       "service !AS is already defined on address !AS")
TCPIP_INVPORT = C._m(_FAC | 0x003A, "TCPIP", "INVPORT", "invalid port number !AS")
TCPIP_INVADDR = C._m(_FAC | 0x0042, "TCPIP", "INVADDR", "invalid IP address !AS")
TCPIP_INVNAME = C._m(_FAC | 0x004A, "TCPIP", "INVNAME", "invalid name !AS")
TCPIP_ADDRREQ = C._m(_FAC | 0x0052, "TCPIP", "ADDRREQ", "a new host requires /ADDRESS")
TCPIP_SSLNOTDEF = C._m(_FAC | 0x005A, "TCPIP", "SSLNOTDEF",
                       "!AS is not defined; run @SYS$STARTUP:SSL$STARTUP first")

DEFAULT_ADDRESS = "127.0.0.1"
DEFAULT_POP_PORT = 110
DEFAULT_LIMIT = 1
POP = "POP"

LOG_OPTIONS = ("ACCEPT", "ACTIVATE", "DEACTIVATE", "CONNECT", "ERROR", "EXIT", "LOGIN",
               "LOGOUT", "MODIFY", "REJECT", "TIMEOUT", "ADDRESS")
"""In the order SHOW SERVICE/FULL lists them."""
_LOG_ABBREVIATIONS = {"ACCEPT": "Acpt", "ACTIVATE": "Actv", "DEACTIVATE": "Dactv",
                      "CONNECT": "Conn", "ERROR": "Error", "EXIT": "Exit", "LOGIN": "Logi",
                      "LOGOUT": "Logo", "MODIFY": "Mdfy", "REJECT": "Rjct", "TIMEOUT": "TimO",
                      "ADDRESS": "Addr"}
FLAGS = ("APPLICATION_PROXY", "CASE_INSENSITIVE", "LISTEN", "MULTITHREAD", "PROXY")

SMTP_HEADERS = ("HEADERS", "NOHEADERS", "TOP_HEADERS")
KEY_SUBSTITUTE_DOMAIN = "smtp.substitute_domain"     # as vmsenv/mail/deliver.py
KEY_SMTP_HEADERS = "smtp.header_control"           # as vmsenv/mail/deliver.py
KEY_ENABLE_SERVICE = "tcpip.configuration.enable_service"

LOCAL_ALIASES_FILES = (
    "TCPIP$SMTP_COMMON:TCPIP$SMTP_LOCAL_ALIASES.TXT",
    "SYS$SPECIFIC:[TCPIP$SMTP]TCPIP$SMTP_LOCAL_ALIASES.TXT",
    "TCPIP$SMTP_COMMON:UCX$SMTP_LOCAL_ALIASES.TXT",
    "SYS$SPECIFIC:[TCPIP$SMTP]UCX$SMTP_LOCAL_ALIASES.TXT",
)
DEFAULT_CERT = "SSL$CERTS:SERVER.CRT"
DEFAULT_KEY = "SSL$KEY:SERVER.KEY"

_SERVICE_NAME_RE = re.compile(r"^[A-Za-z0-9$_]{1,16}$")
_HOST_NAME_RE = re.compile(r"^[A-Za-z0-9$_.-]{1,255}$")

SCHEMA = """
CREATE TABLE IF NOT EXISTS tcpip_service (
    name TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tcpip_host (
    name    TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    aliases TEXT NOT NULL
);
"""


KEY_INITIALIZED = "tcpip.initialized"
POP_RUN_FILE = "SYS$STARTUP:TCPIP$POP_RUN.COM"


def _db(root):
    store = root.store
    if store.ensure_schema(SCHEMA) and store.get_config(KEY_INITIALIZED) != "1":
        store.change(_initialize)
    return store.db


def _initialize(db) -> None:
    """The entries TCP/IP Services' configuration (TCPIP$CONFIG) creates: the POP service,
    disabled. Once per root; a manager's later SET NOSERVICE POP stays done."""
    if db.execute("SELECT 1 FROM config WHERE key = ?", (KEY_INITIALIZED,)).fetchone():
        return
    pop = Service(name=POP, port=DEFAULT_POP_PORT, file=POP_RUN_FILE, user_name="TCPIP$POP",
                  process_name="TCPIP$POP")
    db.execute("INSERT OR IGNORE INTO tcpip_service VALUES (?, ?)", (pop.name, _service_json(pop)))
    db.execute("INSERT OR REPLACE INTO config VALUES (?, '1')", (KEY_INITIALIZED,))


def _change(root, work):
    _db(root)
    return root.store.change(work)


# ---------------------------------------------------------------------------------------------
# Services.
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Service:
    """One entry of the services database."""

    name: str
    port: int
    address: str = DEFAULT_ADDRESS
    protocol: str = "TCP"
    file: str = ""
    user_name: str = ""
    process_name: str = ""
    limit: int = DEFAULT_LIMIT
    log_options: frozenset[str] = frozenset(LOG_OPTIONS)
    log_file: str = ""
    flags: frozenset[str] = frozenset()
    enabled: bool = False

    @property
    def log_reject(self) -> bool:
        """The REJECT log option: OPCOM messages on authorization failures."""
        return "REJECT" in self.log_options


def _service_json(s: Service) -> str:
    return json.dumps({
        "name": s.name, "port": s.port, "address": s.address, "protocol": s.protocol,
        "file": s.file, "user_name": s.user_name, "process_name": s.process_name,
        "limit": s.limit, "log_options": sorted(s.log_options), "log_file": s.log_file,
        "flags": sorted(s.flags), "enabled": s.enabled}, sort_keys=True)


def _service_from(data: str) -> Service:
    d = json.loads(data)
    return Service(name=d["name"], port=d["port"], address=d["address"],
                   protocol=d["protocol"], file=d["file"], user_name=d["user_name"],
                   process_name=d["process_name"], limit=d["limit"],
                   log_options=frozenset(d["log_options"]), log_file=d["log_file"],
                   flags=frozenset(d["flags"]), enabled=d["enabled"])


def valid_service_name(name: str) -> str:
    if not _SERVICE_NAME_RE.match(name):
        raise VMSError(TCPIP_INVNAME, name)
    return name


def parse_port(text: str | int) -> int:
    value = str(text).strip()
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise VMSError(TCPIP_INVPORT, value)
    return int(value)


def parse_address(text: str) -> str:
    try:
        return str(ipaddress.IPv4Address(text.strip()))
    except ValueError:
        raise VMSError(TCPIP_INVADDR, text.strip()) from None


def apply_log_options(current: Iterable[str], steps: Iterable[str]) -> frozenset[str]:
    """Log option keywords (``REJECT``, ``NOREJECT``, ``ALL``, ``NOALL``) applied in order."""
    result = set(current)
    for step in steps:
        word = step.upper()
        negated = word.startswith("NO") and word[2:] in LOG_OPTIONS + ("ALL",)
        name = word[2:] if negated else word
        if name == "ALL":
            result = set() if negated else set(LOG_OPTIONS)
        elif name in LOG_OPTIONS:
            (result.discard if negated else result.add)(name)
        else:
            raise VMSError(C.CLI_IVKEYW, segment=word)
    return frozenset(result)


def get_service(root, name: str) -> Service | None:
    """The entry of a service (name case-blind), or None."""
    row = _db(root).execute("SELECT data FROM tcpip_service WHERE upper(name) = ?",
                            (name.upper(),)).fetchone()
    return _service_from(row[0]) if row else None


def services(root) -> list[Service]:
    """Every entry, by name."""
    rows = _db(root).execute("SELECT data FROM tcpip_service ORDER BY upper(name)").fetchall()
    return [_service_from(r[0]) for r in rows]


_FIXED = (("port", "/PORT"), ("address", "/ADDRESS"), ("process_name", "/PROCESS_NAME"))


def set_service(root, name: str, changes: dict) -> Service:
    """SET SERVICE: create an entry (changes must hold port, file, process_name and
    user_name) or modify one. changes: port, address, protocol, file, user_name, process_name,
    limit, log_steps (keywords applied to the log options), log_file, flags (a set)."""
    name = valid_service_name(name)
    changes = dict(changes)
    if "process_name" in changes:
        changes["process_name"] = changes["process_name"][:15]
    steps = changes.pop("log_steps", ())

    def work(db):
        row = db.execute("SELECT data FROM tcpip_service WHERE upper(name) = ?",
                         (name.upper(),)).fetchone()
        if row is None:
            missing = [k for k in ("port", "file", "process_name", "user_name")
                       if not changes.get(k)]
            if missing:
                raise VMSError(TCPIP_SERVERROR, secondary=[TCPIP_REQUIRED])
            entry = Service(name=name, **changes)
        else:
            entry = _service_from(row[0])
            for key, label in _FIXED:
                if key in changes and changes[key] != getattr(entry, key):
                    if key == "address":
                        raise VMSError(TCPIP_SERVERROR, secondary=[
                            VMSError(TCPIP_DUPLICATE, entry.name, entry.address)])
                    raise VMSError(TCPIP_SERVERROR,
                                   secondary=[VMSError(TCPIP_NOCHANGE, label)])
            entry = replace(entry, **changes)
        entry = replace(entry, log_options=apply_log_options(entry.log_options, steps))
        db.execute("INSERT OR REPLACE INTO tcpip_service VALUES (?, ?)",
                   (entry.name, _service_json(entry)))
        return entry
    return _change(root, work)


def remove_services(root, name: str | None = None) -> int:
    """SET NOSERVICE [name]: the number of entries removed (all of them without a name)."""
    def work(db):
        if name is None:
            return db.execute("DELETE FROM tcpip_service").rowcount
        return db.execute("DELETE FROM tcpip_service WHERE upper(name) = ?",
                          (name.upper(),)).rowcount
    count = _change(root, work)
    if name is not None and not count:
        raise VMSError(TCPIP_SERVERROR, secondary=[TCPIP_NORECORD])
    return count


def enable_service(root, name: str, enabled: bool = True) -> Service:
    """ENABLE / DISABLE SERVICE: the entry's state."""
    def work(db):
        row = db.execute("SELECT data FROM tcpip_service WHERE upper(name) = ?",
                         (name.upper(),)).fetchone()
        if row is None:
            raise VMSError(TCPIP_SERVERROR, secondary=[TCPIP_NORECORD])
        entry = replace(_service_from(row[0]), enabled=enabled)
        db.execute("UPDATE tcpip_service SET data = ? WHERE name = ?",
                   (_service_json(entry), entry.name))
        return entry
    return _change(root, work)


@dataclass(frozen=True)
class Endpoint:
    """Where a service listens: from its entry, or the defaults when it has none."""

    address: str
    port: int
    service: Service | None


def pop_endpoint(root) -> Endpoint:
    """The POP service's address and port (default 127.0.0.1 port 110)."""
    entry = get_service(root, POP)
    if entry is None:
        return Endpoint(DEFAULT_ADDRESS, DEFAULT_POP_PORT, None)
    return Endpoint(entry.address, entry.port, entry)


SHOW_SERVICE_HEADER = ("Service             Port  Proto    Process          Address"
                       "            State")


def show_service_lines(entries: Iterable[Service]) -> list[str]:
    """SHOW SERVICE, brief."""
    lines = [SHOW_SERVICE_HEADER, ""]
    for s in entries:
        process = s.process_name or "not defined"
        state = "Enabled" if s.enabled else "Disabled"
        lines.append(f"{s.name:<18}{s.port:>6}  {s.protocol:<9}{process:<17}{s.address:<20}"
                     f"{state}")
    return lines


def show_service_full_lines(s: Service) -> list[str]:
    """SHOW SERVICE/FULL for one entry."""
    state = "Enabled" if s.enabled else "Disabled"
    opts = " ".join(_LOG_ABBREVIATIONS[o] for o in LOG_OPTIONS if o in s.log_options)
    lines = [
        "",
        f"Service: {s.name}",
        "",
        f"{'':26}State:     {state}",
        f"Port:{s.port:>16}     Protocol:  {s.protocol:<16}Address:  {s.address}",
        f"Limit:{s.limit:>15}     User_name: {s.user_name or 'not defined':<16}"
        f"Process:  {s.process_name or 'not defined'}",
        "",
        f"File:         {s.file or 'not defined'}",
    ]
    if s.flags:
        lines.append(f"Flags:        {' '.join(f.capitalize() for f in sorted(s.flags))}")
    lines += ["", f"Log Opts:     {opts or 'None'}",
              f" File:        {s.log_file or 'not defined'}"]
    return lines


# ---------------------------------------------------------------------------------------------
# Configuration: services enabled at startup, SMTP.
# ---------------------------------------------------------------------------------------------
def configured_services(root) -> list[str]:
    """SET CONFIGURATION ENABLE SERVICE: the services enabled at the next startup."""
    value = root.config(KEY_ENABLE_SERVICE) or ""
    return [n for n in value.split(",") if n]


def configure_service(root, name: str, enable: bool = True) -> list[str]:
    """SET CONFIGURATION ENABLE [NO]SERVICE name: the new list."""
    name = valid_service_name(name)

    def work(db):
        row = db.execute("SELECT value FROM config WHERE key = ?",
                         (KEY_ENABLE_SERVICE,)).fetchone()
        current = {n.upper(): n for n in (row[0] if row else "").split(",") if n}
        if enable:
            current[name.upper()] = name
        elif name.upper() not in current:
            raise VMSError(TCPIP_CONFERROR, secondary=[TCPIP_NORECORD])
        else:
            del current[name.upper()]
        names = sorted(current.values(), key=str.upper)
        db.execute("INSERT OR REPLACE INTO config VALUES (?, ?)",
                   (KEY_ENABLE_SERVICE, ",".join(names)))
        return names
    return root.store.change(work)


def show_configured_services_lines(names: list[str]) -> list[str]:
    lines = ["", "Enable service", ""]
    row = "   "
    for i, name in enumerate(names):
        item = f" {name}" + ("," if i < len(names) - 1 else "")
        if len(row) + len(item) > 78:
            lines.append(row)
            row = "   "
        row += item
    if names:
        lines.append(row)
    return lines


@dataclass(frozen=True)
class SmtpConfiguration:
    substitute_domain: str | None = None
    headers: str = "HEADERS"
    """HEADERS (RFC headers at the bottom of the VMS message), NOHEADERS or TOP_HEADERS."""

    @property
    def top_headers(self) -> bool:
        return self.headers == "TOP_HEADERS"


def smtp_configuration(root) -> SmtpConfiguration:
    domain = root.config(KEY_SUBSTITUTE_DOMAIN) or None
    headers = root.config(KEY_SMTP_HEADERS) or "HEADERS"
    return SmtpConfiguration(domain, headers if headers in SMTP_HEADERS else "HEADERS")


def apply_smtp_options(headers: str, steps: Iterable[str]) -> str:
    """SMTP /OPTIONS keywords for header placement, in order: HEADERS, NOHEADERS, TOP_HEADERS,
    NOTOP_HEADERS (back to HEADERS)."""
    for step in steps:
        word = step.upper()
        if word in ("HEADERS", "NOTOP_HEADERS"):
            headers = "HEADERS"
        elif word in ("NOHEADERS", "TOP_HEADERS"):
            headers = word
        else:
            raise VMSError(C.CLI_IVKEYW, segment=word)
    return headers


def set_smtp_configuration(root, *, substitute_domain: str | None | bool = False,
                           option_steps: Iterable[str] = ()) -> SmtpConfiguration:
    """SET CONFIGURATION SMTP. substitute_domain: a domain, None (NONAME: none), or False
    (unchanged)."""
    current = smtp_configuration(root)
    headers = apply_smtp_options(current.headers, option_steps)
    domain = current.substitute_domain or ""
    if substitute_domain is not False:
        domain = (substitute_domain or "").strip().lower()
        if domain and not _HOST_NAME_RE.match(domain):
            raise VMSError(TCPIP_CONFERROR, secondary=[VMSError(TCPIP_INVNAME, domain)])

    def work(db):
        if domain:
            db.execute("INSERT OR REPLACE INTO config VALUES (?, ?)",
                       (KEY_SUBSTITUTE_DOMAIN, domain))
        else:
            db.execute("DELETE FROM config WHERE key = ?", (KEY_SUBSTITUTE_DOMAIN,))
        db.execute("INSERT OR REPLACE INTO config VALUES (?, ?)", (KEY_SMTP_HEADERS, headers))
    root.store.change(work)
    return smtp_configuration(root)


def show_smtp_lines(smtp: SmtpConfiguration) -> list[str]:
    return ["", "SMTP Configuration", "",
            f"Options:            {smtp.headers}",
            f"Substitute domain:  {smtp.substitute_domain or 'not defined'}"]


# ---------------------------------------------------------------------------------------------
# Hosts.
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Host:
    name: str
    address: str
    aliases: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (self.name,) + self.aliases


def valid_host_name(name: str) -> str:
    if not _HOST_NAME_RE.match(name):
        raise VMSError(TCPIP_INVNAME, name)
    return name


def _host_row(row) -> Host:
    return Host(row[0], row[1], tuple(json.loads(row[2])))


def hosts(root) -> list[Host]:
    rows = _db(root).execute("SELECT name, address, aliases FROM tcpip_host "
                             "ORDER BY lower(name)").fetchall()
    return [_host_row(r) for r in rows]


def find_host(root, name: str) -> Host | None:
    """The host whose name or alias is `name` (case-blind), or whose address it is."""
    want = name.lower()
    for host in hosts(root):
        if want in (n.lower() for n in host.names()) or host.address == name:
            return host
    return None


def set_host(root, name: str, address: str | None = None,
             aliases: Iterable[str] | None = None) -> Host:
    """SET HOST: create (address required) or modify an entry; aliases replace the old ones."""
    name = valid_host_name(name)
    alias_list = None if aliases is None else tuple(valid_host_name(a) for a in aliases)
    if address is not None:
        address = parse_address(address)

    def work(db):
        row = db.execute("SELECT name, address, aliases FROM tcpip_host WHERE lower(name) = ?",
                         (name.lower(),)).fetchone()
        if row is None:
            if address is None:
                raise VMSError(TCPIP_HOSTERROR, secondary=[TCPIP_ADDRREQ])
            host = Host(name, address, alias_list or ())
        else:
            old = _host_row(row)
            host = Host(old.name, address or old.address,
                        old.aliases if alias_list is None else alias_list)
            db.execute("DELETE FROM tcpip_host WHERE name = ?", (old.name,))
        db.execute("INSERT INTO tcpip_host VALUES (?, ?, ?)",
                   (host.name, host.address, json.dumps(list(host.aliases))))
        return host
    return _change(root, work)


def remove_host(root, name: str) -> None:
    def work(db):
        return db.execute("DELETE FROM tcpip_host WHERE lower(name) = ?",
                          (name.lower(),)).rowcount
    if not _change(root, work):
        raise VMSError(TCPIP_NORECORD, secondary=[C.RMS_RNF])


def show_host_lines(entries: Iterable[Host]) -> list[str]:
    lines = ["", "        LOCAL database", "", "Host address    Host name", ""]
    for host in entries:
        lines.append(f"{host.address:<16}{', '.join(host.names())}")
    return lines


def node_translator(root) -> Callable[[str], str | None]:
    """DECnet node name -> host name, over a snapshot of the hosts database (safe to call
    from any thread: it touches no database)."""
    table: dict[str, str] = {}
    for host in hosts(root):
        keys = [host.name, host.name.split(".")[0], *host.aliases]
        for key in keys:
            table.setdefault(key.upper(), host.name)

    def translate(node: str) -> str | None:
        return table.get(node.upper())
    return translate


# ---------------------------------------------------------------------------------------------
# The local host and SMTP's local aliases.
# ---------------------------------------------------------------------------------------------
def local_host_name(lookup: Callable[[str], str | None], node: str) -> str:
    """The local host's full name (see the module docstring); lookup(name) translates a
    logical name (LNM$FILE_DEV) or returns None."""
    host = (lookup("TCPIP$INET_HOST") or "").strip()
    domain = (lookup("TCPIP$INET_DOMAIN") or "").strip().strip(".")
    if not host:
        host = node.lower()
    if "." in host or not domain:
        return host.lower()
    return f"{host}.{domain}".lower()


def parse_local_aliases(text: str) -> frozenset[str]:
    """The domains of a TCPIP$SMTP_LOCAL_ALIASES.TXT text."""
    names = set()
    for line in text.splitlines():
        item = line.split("!", 1)[0].strip()
        if item:
            names.add(item.lower())
    return frozenset(names)


def read_local_aliases(process) -> frozenset[str]:
    """SMTP's local aliases, from the first of LOCAL_ALIASES_FILES that exists."""
    return _read_local_aliases(process.files, process.process_default())


def _read_local_aliases(files, process_default) -> frozenset[str]:
    from vmsenv.files import FileError

    for spec in LOCAL_ALIASES_FILES:
        try:
            ref = files.lookup(spec, process_default=process_default)
        except (FileError, VMSError):
            continue
        try:
            return parse_local_aliases(ref.path.read_text(encoding="latin-1"))
        except OSError:
            continue
    return frozenset()


def is_local_host(host: str, *, local_host: str, substitute_domain: str | None = None,
                  local_aliases: Iterable[str] = ()) -> bool:
    """SMTP's locality routine, which the POP server calls too: a host is local when it equals
    (case-blind) the local host's full name, the SMTP substitute domain, or a domain of
    TCPIP$SMTP_LOCAL_ALIASES.TXT."""
    h = host.lower()
    if h == local_host.lower():
        return True
    if substitute_domain and h == substitute_domain.lower():
        return True
    return h in {a.lower() for a in local_aliases}


# ---------------------------------------------------------------------------------------------
# What the SMTP symbiont sees: the system logical names, without a process.
# ---------------------------------------------------------------------------------------------
JACKET_LOCAL = "TCPIP$SMTP_JACKET_LOCAL"
SYMBIONT_GROUP_TABLE = "LNM$GROUP_000001"
"""The group table the symbiont's file names see: that of SYSTEM's group 1 [I]."""


def system_names(root):
    """A vmsenv.lnm LogicalNames that sees the shareable tables only, as a process of the
    SYSTEM account with no names of its own (no process or job names; group 1's table)
    would: what TCP/IP Services' SMTP symbiont sees, with no Process made or registered. It
    caches translations and follows later changes of the shared names."""
    from vmsenv.lnm.service import LogicalNames

    return LogicalNames(root.store, frozenset, "LNM$JOB_00000000", SYMBIONT_GROUP_TABLE)


def system_logical(names, name: str) -> str | None:
    """The first equivalence string of a name of LNM$SYSTEM_TABLE (outermost access mode
    first, as $TRNLNM at user mode), or None; names: a LogicalNames (system_names)."""
    entry = names.trnlnm(name, "LNM$SYSTEM_TABLE")
    if entry is None or entry.is_table or not entry.values:
        return None
    return entry.values[0][0]


def logical_true(text: str | None) -> bool:
    """A logical name's value read as a yes/no switch the way DCL reads a value as true: an
    integer that is odd (``1``), or a string that starts with ``T`` or ``Y`` (case-blind).
    Undefined, ``0``, ``FALSE`` and the like are false."""
    value = (text or "").strip()
    if not value:
        return False
    try:
        return int(value) % 2 == 1
    except ValueError:
        return value[0].upper() in ("T", "Y")


def jacket_local(names) -> bool:
    """TCPIP$SMTP_JACKET_LOCAL in the system table, read as logical_true."""
    return logical_true(system_logical(names, JACKET_LOCAL))


def system_local_host_name(root, names) -> str:
    """local_host_name through the symbiont's LNM$FILE_DEV (system_names)."""
    def lookup(name: str) -> str | None:
        entry = names.trnlnm(name, "LNM$FILE_DEV")
        if entry is None or entry.is_table or not entry.values:
            return None
        return entry.values[0][0]
    return local_host_name(lookup, root.node)


def system_local_aliases(root, names) -> frozenset[str]:
    """read_local_aliases for the symbiont: the files found through the system names, with no
    access guard (the symbiont runs with SYSPRV), default directory SYS$SYSDEVICE:[000000]."""
    from vmsenv.files import Files
    from vmsenv.filespec import ProcessDefault

    files = Files(root.devices(), names.translate)
    return _read_local_aliases(files, ProcessDefault("SYS$SYSDEVICE:", "[000000]"))


# ---------------------------------------------------------------------------------------------
# SSL certificates.
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Certificate:
    cert_pem: bytes
    key_pem: bytes
    common_name: str
    not_after: _dt.datetime = field(compare=False)


def make_self_signed(common_name: str, days: int = 365,
                     now: _dt.datetime | None = None) -> Certificate:
    """A self-signed server certificate and its unencrypted private key (PEM)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    if days < 1:
        raise ValueError("days must be at least 1")
    now = now or _dt.datetime.now(_dt.timezone.utc)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    alt = [x509.DNSName(common_name)]
    if common_name.lower() != "localhost":
        alt.append(x509.DNSName("localhost"))
    alt.append(x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")))
    not_after = now + _dt.timedelta(days=days)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _dt.timedelta(minutes=5))
            .not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    return Certificate(cert.public_bytes(serialization.Encoding.PEM), key_pem, common_name,
                       not_after)


def write_certificate(process, certificate: Certificate, cert_spec: str = DEFAULT_CERT,
                      key_spec: str = DEFAULT_KEY) -> tuple[str, str]:
    """Write the certificate and key as new versions of their files (the key file mode 0600
    before the key is written); returns the two full specifications."""
    for logical in ("SSL$CERTS", "SSL$KEY"):
        spec = cert_spec if logical == "SSL$CERTS" else key_spec
        if spec.upper().startswith(logical + ":") and process.lnm.trnlnm(logical) is None:
            raise VMSError(TCPIP_SSLNOTDEF, logical)
    pd = process.process_default()
    written = []
    for spec, data, mode in ((cert_spec, certificate.cert_pem, 0o644),
                             (key_spec, certificate.key_pem, 0o600)):
        ref = process.files.create(spec, process_default=pd)
        os.chmod(ref.path, mode)
        with open(ref.path, "wb") as f:
            f.write(data)
        written.append(ref.spec)
    return written[0], written[1]


__all__ = [
    "Certificate", "DEFAULT_ADDRESS", "DEFAULT_CERT", "DEFAULT_KEY", "DEFAULT_POP_PORT",
    "Endpoint", "Host", "LOG_OPTIONS", "Service", "SmtpConfiguration", "apply_log_options",
    "configure_service", "configured_services", "enable_service", "find_host", "get_service",
    "hosts", "is_local_host", "jacket_local", "local_host_name", "logical_true",
    "make_self_signed", "node_translator", "parse_local_aliases",
    "pop_endpoint", "read_local_aliases", "remove_host", "remove_services", "services",
    "set_host", "set_service", "set_smtp_configuration", "show_configured_services_lines",
    "show_host_lines", "show_service_full_lines", "show_service_lines", "show_smtp_lines",
    "smtp_configuration", "system_local_aliases", "system_local_host_name", "system_logical",
    "system_names", "write_certificate",
]
