"""SYSUAF: the accounts of a system root, and the UIC identifiers of its rights database.

The records live in the root's shared database (tables ``uaf`` and ``uaf_rights``, created on
first use); every change is one transaction through ``root.store.change``, so two processes
running AUTHORIZE at once never lose an update.

A record (``Account``) holds what AUTHORIZE shows: user name (1-12 characters of A-Z, 0-9, ``_``
and ``$``, case-blind: stored upper-cased), owner, account, UIC ``[g,m]`` (octal; group 1-37776,
member 0-177776), CLI and CLI tables, login device and directory, LGICMD, flags, primary days,
authorized and default privileges, expiration, password minimum length and lifetime, the date
of the last password change (``None``: pre-expired), last interactive and non-interactive login,
login failures, and the process quotas.

Passwords are never stored, in clear or reversibly: only a salted scrypt hash (n=2**14, r=8,
p=1, a 16-byte random salt, 32-byte key), written as ``scrypt$U|M$n$r$p$salt$key`` (base64).
The key is computed by ``hashlib.scrypt`` (OpenSSL), which releases the interpreter lock while
it works, so a threaded server checks passwords on several CPUs at once; it gives the same keys
as ``cryptography``'s Scrypt, which is used instead only for parameters needing more working
memory (128 x r x (n + p + 2) bytes) than hashlib accepts (2 GiB). hashlib is allowed
`SCRYPT_MAXMEM` (64 MiB), or what the stored parameters need when that is more. As on VMS a
password is case-blind: it is upper-cased before hashing unless the account has the PWDMIX flag
when the password is set (``M`` records that, so turning PWDMIX on or off later does not break
the stored password). Checks compare in
constant time (``hmac.compare_digest``), and an unknown user name or an account without a
password costs the same scrypt work as a real check.

``check_password`` decides in this order: no such user (``NOSUCHUSER``), wrong password or no
password at all (``BADPASSWORD``), then ``DISUSER`` and ``EXPIRED`` (expiration date reached).
The account's state is told only to whoever knows its password. It changes nothing: the caller
records the outcome with ``record_login`` / ``record_login_failure``. It does not refuse
pre-expired passwords or passwords older than their lifetime, and knows nothing of access
hours: VMS network logins differ there by product, and the POP facts name only DISUSER,
DISMAIL (the caller's check, from ``account.flags``), expiration and the password.

The rights database here holds only UIC identifiers (name and ``[g,m]`` value, both unique), as
AUTHORIZE keeps them beside the records: ADD and COPY add one named after the user (and, when
the record has an account name and its UIC group has no identifier yet, a group identifier
``[g,177777]`` named after the account, listed before the user's);
REMOVE removes the user's; MODIFY/UIC moves it. They name UICs in displays (``[1,4]`` is
``[SYSTEM]``, ``[3655,2]`` is ``[TCPIP$AUX,TCPIP$POP]``). General identifiers, GRANT and REVOKE
do not exist.

Choices where VMS is silent or varies (all [I]):

- ``ensure_defaults`` makes SYSTEM (``[1,4]``, owner SYSTEM MANAGER, every privilege, login
  SYS$SYSROOT:[SYSMGR]), DEFAULT (``[200,200]``, DISUSER, TMPMBX and NETMBX, the template ADD
  copies, so a new account is disabled until ``/FLAGS=NODISUSER``, as on VMS) and TCPIP$POP,
  the POP server's account: UIC ``[3655,2]`` in TCP/IP Services' group 3655, whose group
  identifier TCPIP$AUX is ``[3655,177777]`` on VMS (TCPIP$FTP is ``[3655,1]``; the member of
  TCPIP$POP depends on the order services were configured, 2 is ours), account TCPIP$AUX,
  flag RESTRICTED (the manual's auxiliary-server accounts), TMPMBX and NETMBX, login directory
  SYS$SYSDEVICE:[TCPIP$POP] (where the manual puts POP_RUN.LOG). None of them gets a password:
  an account without one cannot pass ``check_password`` (``dcl --user`` trusts the host user).
- DEFAULT's login directory is SYS$SYSDEVICE:[USER]; quotas are the Alpha defaults of the
  AUTHORIZE manual; they are recorded and shown, not enforced.
- Privilege classes in brief listings: All, System, Files, Devour, Group, Normal, None, after
  the VMS security guide's privilege categories.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from vmsenv import condition as C
from vmsenv import filespec as fsp
from vmsenv import vmstime
from vmsenv.condition import VMSError
from vmsenv.files import Files
from vmsenv.lnm.service import LogicalNames

# ---------------------------------------------------------------------------------------------
# Constants: privileges, flags, days, quotas.
# ---------------------------------------------------------------------------------------------
# The order AUTHORIZE lists privileges in (IMPERSONATE keeps DETACH's place).
PRIVILEGES = (
    "ACNT", "ALLSPOOL", "ALTPRI", "AUDIT", "BUGCHK", "BYPASS", "CMEXEC", "CMKRNL", "IMPERSONATE",
    "DIAGNOSE", "DOWNGRADE", "EXQUOTA", "GROUP", "GRPNAM", "GRPPRV", "IMPORT", "LOG_IO", "MOUNT",
    "NETMBX", "OPER", "PFNMAP", "PHY_IO", "PRMCEB", "PRMGBL", "PRMMBX", "PSWAPM", "READALL",
    "SECURITY", "SETPRV", "SHARE", "SHMEM", "SYSGBL", "SYSLCK", "SYSNAM", "SYSPRV", "TMPMBX",
    "UPGRADE", "VOLPRO", "WORLD",
)
_PRIVILEGE_CLASSES = (  # highest first
    ("All", {"BYPASS", "CMEXEC", "CMKRNL", "DOWNGRADE", "IMPERSONATE", "IMPORT", "LOG_IO",
             "PFNMAP", "PHY_IO", "READALL", "SETPRV", "SHARE", "SYSLCK", "SYSNAM", "SYSPRV",
             "UPGRADE"}),
    ("System", {"ALTPRI", "AUDIT", "OPER", "PSWAPM", "SECURITY", "WORLD"}),
    ("Files", {"DIAGNOSE", "SYSGBL", "VOLPRO"}),
    ("Devour", {"ACNT", "ALLSPOOL", "BUGCHK", "EXQUOTA", "GRPNAM", "PRMCEB", "PRMGBL", "PRMMBX",
                "SHMEM"}),
    ("Group", {"GROUP", "GRPPRV"}),
    ("Normal", {"MOUNT", "NETMBX", "TMPMBX"}),
)

# Flags in UAF$L_FLAGS bit order, with the names SHOW prints.
FLAGS = (
    ("DISCTLY", "DisCtlY"), ("DEFCLI", "DefCLI"), ("LOCKPWD", "LockPwd"),
    ("RESTRICTED", "Restricted"), ("DISUSER", "DisUser"), ("DISWELCOME", "DisWelcome"),
    ("DISNEWMAIL", "DisNewMail"), ("DISMAIL", "DisMail"), ("GENPWD", "GenPwd"),
    ("PWD_EXPIRED", "Pwd_Expired"), ("PWD2_EXPIRED", "Pwd2_Expired"), ("AUDIT", "Audit"),
    ("DISREPORT", "DisReport"), ("DISRECONNECT", "DisReconnect"), ("AUTOLOGIN", "AutoLogin"),
    ("DISFORCE_PWD_CHANGE", "DisForce_Pwd_Change"), ("CAPTIVE", "Captive"),
    ("DISIMAGE", "DisImage"), ("DISPWDDIC", "DisPwdDic"), ("DISPWDHIS", "DisPwdHis"),
    ("DEFCLSVAL", "DefClsVal"), ("EXTAUTH", "ExtAuth"), ("MIGRATEPWD", "MigratePwd"),
    ("VMSAUTH", "VMSAuth"), ("DISPWDSYNCH", "DisPwdSynch"), ("PWDMIX", "PwdMix"),
)
FLAG_NAMES = tuple(name for name, _ in FLAGS)

DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
_DEFAULT_PRIMEDAYS = frozenset(DAYS[:5])

# (qualifier, label, default); the three columns of SHOW, top to bottom.
QUOTAS = (
    (("MAXJOBS", "Maxjobs", 0), ("MAXACCTJOBS", "Maxacctjobs", 0), ("MAXDETACH", "Maxdetach", 0),
     ("PRCLM", "Prclm", 8), ("PRIORITY", "Prio", 4), ("QUEPRIO", "Queprio", 0)),
    (("FILLM", "Fillm", 128), ("SHRFILLM", "Shrfillm", 0), ("BIOLM", "BIOlm", 150),
     ("DIOLM", "DIOlm", 150), ("ASTLM", "ASTlm", 300), ("TQELM", "TQElm", 100),
     ("ENQLM", "Enqlm", 2000)),
    (("BYTLM", "Bytlm", 128000), ("PBYTLM", "Pbytlm", 0), ("JTQUOTA", "JTquota", 4096),
     ("WSDEFAULT", "WSdef", 2000), ("WSQUOTA", "WSquo", 4000), ("WSEXTENT", "WSextent", 16384),
     ("PGFLQUOTA", "Pgflquo", 256000)),
)
QUOTA_NAMES = tuple(q for column in QUOTAS for q, _label, _default in column)
DEFAULT_QUOTAS = {q: d for column in QUOTAS for q, _label, d in column}

MAX_SYSTEM_GROUP = 0o10      # MAXSYSGROUP: UIC groups up to 010 are system UICs
MAX_PASSWORD = 32
GROUP_MEMBER = 0o177777      # the member number of a group identifier

# scrypt work factors (stored with each hash, so they can change without breaking old ones).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
_SALT_BYTES, _KEY_BYTES = 16, 32
SCRYPT_MAXMEM = 64 * 1024 * 1024        # hashlib.scrypt's memory allowance (16 MiB needed now)
_HASHLIB_MAXMEM_LIMIT = 2 ** 31 - 1     # the largest maxmem hashlib.scrypt accepts

_USERNAME_RE = re.compile(r"^[A-Z0-9_$]{1,12}$")
_IDENT_RE = re.compile(r"^[A-Z0-9_$]{1,31}$")
_UIC_RE = re.compile(r"^\[\s*([0-7]+|\*)\s*,\s*([0-7]+|\*)\s*\]$")
_PWD_PLAIN_RE = re.compile(r"^[A-Z0-9_$]*$")
_PWD_MIXED_RE = re.compile(r"^[!-~]*$")


# ---------------------------------------------------------------------------------------------
# The record.
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Account:
    username: str
    uic: tuple[int, int]
    owner: str = ""
    account: str = ""
    cli: str = "DCL"
    tables: str = "DCLTABLES"
    device: str = "SYS$SYSDEVICE:"
    directory: str = "[USER]"
    lgicmd: str = ""
    flags: frozenset = frozenset()
    primedays: frozenset = _DEFAULT_PRIMEDAYS
    authorized: frozenset = frozenset({"TMPMBX", "NETMBX"})
    default_privileges: frozenset = frozenset({"TMPMBX", "NETMBX"})
    expiration: _dt.datetime | None = None
    pwd_minimum: int = 6
    pwd_lifetime: _dt.timedelta | None = _dt.timedelta(days=90)
    pwd_date: _dt.datetime | None = None           # None: pre-expired
    last_interactive: _dt.datetime | None = None
    last_noninteractive: _dt.datetime | None = None
    login_fails: int = 0
    cputime: _dt.timedelta | None = None
    quotas: dict = field(default_factory=lambda: dict(DEFAULT_QUOTAS), compare=False)
    has_password: bool = False

    @property
    def login_spec(self) -> str:
        """SYS$LOGIN: the login device and directory (``SYS$SYSDEVICE:[TCPIP$POP]``)."""
        return self.device + self.directory

    def is_expired(self, now: _dt.datetime | None = None) -> bool:
        now = vmstime.current_time() if now is None else now
        return self.expiration is not None and now >= self.expiration


def _time_out(t: _dt.datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def _time_in(text: str | None) -> _dt.datetime | None:
    return None if text is None else _dt.datetime.fromisoformat(text)


def _delta_out(d: _dt.timedelta | None) -> float | None:
    return None if d is None else d.total_seconds()


def _delta_in(seconds: float | None) -> _dt.timedelta | None:
    return None if seconds is None else _dt.timedelta(seconds=seconds)


def _to_json(a: Account) -> str:
    return json.dumps({
        "owner": a.owner, "account": a.account, "cli": a.cli, "tables": a.tables,
        "device": a.device, "directory": a.directory, "lgicmd": a.lgicmd,
        "flags": sorted(a.flags), "primedays": sorted(a.primedays),
        "authorized": sorted(a.authorized), "default": sorted(a.default_privileges),
        "expiration": _time_out(a.expiration), "pwd_minimum": a.pwd_minimum,
        "pwd_lifetime": _delta_out(a.pwd_lifetime), "pwd_date": _time_out(a.pwd_date),
        "last_interactive": _time_out(a.last_interactive),
        "last_noninteractive": _time_out(a.last_noninteractive),
        "login_fails": a.login_fails, "cputime": _delta_out(a.cputime), "quotas": a.quotas,
    }, sort_keys=True)


def _from_row(row) -> Account:
    username, grp, mem, pwd, data = row
    d = json.loads(data)
    quotas = dict(DEFAULT_QUOTAS)
    quotas.update(d.get("quotas", {}))
    return Account(
        username=username, uic=(grp, mem), owner=d["owner"], account=d["account"],
        cli=d["cli"], tables=d["tables"], device=d["device"], directory=d["directory"],
        lgicmd=d["lgicmd"], flags=frozenset(d["flags"]), primedays=frozenset(d["primedays"]),
        authorized=frozenset(d["authorized"]), default_privileges=frozenset(d["default"]),
        expiration=_time_in(d["expiration"]), pwd_minimum=d["pwd_minimum"],
        pwd_lifetime=_delta_in(d["pwd_lifetime"]), pwd_date=_time_in(d["pwd_date"]),
        last_interactive=_time_in(d["last_interactive"]),
        last_noninteractive=_time_in(d["last_noninteractive"]),
        login_fails=d["login_fails"], cputime=_delta_in(d["cputime"]), quotas=quotas,
        has_password=pwd is not None)


# ---------------------------------------------------------------------------------------------
# Storage.
# ---------------------------------------------------------------------------------------------
SCHEMA = """
CREATE TABLE IF NOT EXISTS uaf (
    username TEXT PRIMARY KEY,
    grp      INTEGER NOT NULL,
    mem      INTEGER NOT NULL,
    pwd      TEXT,
    data     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS uaf_uic ON uaf (grp, mem);
CREATE TABLE IF NOT EXISTS uaf_rights (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL UNIQUE
);
"""
_COLUMNS = "username, grp, mem, pwd, data"


def _db(root):
    store = root.store
    store.ensure_schema(SCHEMA)
    return store.db


def _change(root, work):
    _db(root)
    return root.store.change(work)


def _row(db, username: str):
    return db.execute(f"SELECT {_COLUMNS} FROM uaf WHERE username = ?", (username,)).fetchone()


def _existing_row(db, username: str):
    """The record's row; UAF$_BADUSR when there is none."""
    row = _row(db, username)
    if row is None:
        raise VMSError(C.UAF_BADUSR)
    return row


def _put(db, a: Account, pwd: str | None) -> None:
    db.execute(f"INSERT OR REPLACE INTO uaf ({_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
               (a.username, a.uic[0], a.uic[1], pwd, _to_json(a)))


def _update(db, a: Account) -> None:
    db.execute("UPDATE uaf SET grp = ?, mem = ?, data = ? WHERE username = ?",
               (a.uic[0], a.uic[1], _to_json(a), a.username))


# ---------------------------------------------------------------------------------------------
# Names, UICs and specifications.
# ---------------------------------------------------------------------------------------------
def valid_username(name: str) -> str:
    """The user name upper-cased, or VMSError(UAF$_INVUSR)."""
    upper = name.strip().upper()
    if not _USERNAME_RE.match(upper):
        raise VMSError(C.UAF_INVUSR)
    return upper


def parse_uic(text: str, wild: bool = False) -> tuple:
    """``[g,m]`` in octal -> (g, m); with wild=True either may be ``*`` (None). CLI$_INVUIC."""
    m = _UIC_RE.match(text.strip())
    if not m:
        raise VMSError(C.CLI_INVUIC)
    parts = []
    for token, top in ((m.group(1), 0o37776), (m.group(2), 0o177776)):
        if token == "*":
            if not wild:
                raise VMSError(C.CLI_INVUIC)
            parts.append(None)
            continue
        value = int(token, 8)
        if value > top:
            raise VMSError(C.CLI_INVUIC)
        parts.append(value)
    if parts[0] == 0 and not wild:
        raise VMSError(C.CLI_INVUIC)
    return tuple(parts)


def format_uic(uic: tuple[int, int]) -> str:
    """``[1,4]``: octal, no padding (as SHOW prints a UIC)."""
    return f"[{uic[0]:o},{uic[1]:o}]"


def format_uic_padded(uic: tuple[int, int]) -> str:
    """``[000001,000004]``: the identifier value form."""
    return f"[{uic[0]:06o},{uic[1]:06o}]"


def _uic_value(uic: tuple[int, int]) -> int:
    return (uic[0] << 16) | uic[1]


def is_uic_spec(spec: str) -> bool:
    return spec.strip().startswith("[")


def _wild_regex(pattern: str) -> re.Pattern:
    out = []
    for c in pattern.upper():
        out.append(".*" if c == "*" else "." if c == "%" else re.escape(c))
    return re.compile("^" + "".join(out) + "$")


def is_wild(spec: str) -> bool:
    return is_uic_spec(spec) or "*" in spec or "%" in spec


def find(root, spec: str) -> list[Account]:
    """The accounts a user specification selects: a name (``*`` and ``%`` wildcards, by name)
    or a UIC ``[g,m]`` with ``*`` for either part (by UIC, then name)."""
    db = _db(root)
    spec = spec.strip()
    if is_uic_spec(spec):
        group, member = parse_uic(spec, wild=True)
        rows = db.execute(f"SELECT {_COLUMNS} FROM uaf ORDER BY grp, mem, username").fetchall()
        return [_from_row(r) for r in rows
                if (group is None or r[1] == group) and (member is None or r[2] == member)]
    pattern = _wild_regex(spec)
    rows = db.execute(f"SELECT {_COLUMNS} FROM uaf ORDER BY username").fetchall()
    return [_from_row(r) for r in rows if pattern.match(r[0])]


def get(root, username: str) -> Account | None:
    """The record of a user (any case), or None."""
    row = _row(_db(root), username.strip().upper())
    return _from_row(row) if row else None


def accounts(root) -> list[Account]:
    """Every record, by user name."""
    return find(root, "*")


# ---------------------------------------------------------------------------------------------
# The rights database (UIC identifiers only).
# ---------------------------------------------------------------------------------------------
def identifier_name(root, uic: tuple[int, int]) -> str | None:
    row = _db(root).execute("SELECT name FROM uaf_rights WHERE value = ?",
                            (_uic_value(uic),)).fetchone()
    return row[0] if row else None


def identifiers(root) -> list[tuple[str, tuple[int, int]]]:
    rows = _db(root).execute("SELECT name, value FROM uaf_rights ORDER BY name").fetchall()
    return [(name, (value >> 16, value & 0xFFFF)) for name, value in rows]


def uic_names(root, uic: tuple[int, int]) -> str | None:
    """The UIC in identifier form, ``[SYSTEM]`` or ``[TCPIP$AUX,TCPIP$POP]``; None when the
    member has no identifier."""
    member = identifier_name(root, uic)
    if member is None:
        return None
    group = identifier_name(root, (uic[0], GROUP_MEMBER))
    return f"[{group},{member}]" if group else f"[{member}]"


def _add_identifier(db, name: str, uic: tuple[int, int]) -> VMSError:
    value = format_uic_padded(uic)
    if db.execute("SELECT 1 FROM uaf_rights WHERE name = ?", (name,)).fetchone():
        return VMSError(C.UAF_RDBADDERRU, name, value, secondary=[C.SS_DUPLNAM])
    if db.execute("SELECT 1 FROM uaf_rights WHERE value = ?", (_uic_value(uic),)).fetchone():
        return VMSError(C.UAF_RDBADDERRU, name, value, secondary=[C.SS_DUPIDENT])
    db.execute("INSERT INTO uaf_rights (name, value) VALUES (?, ?)", (name, _uic_value(uic)))
    return VMSError(C.UAF_RDBADDMSGU, name, value)


def _identifiers_for_new(db, a: Account) -> list[VMSError]:
    # A fully numeric user name cannot have an identifier (VMS says so; it adds none).
    notes = [] if a.username.isdigit() else [_add_identifier(db, a.username, a.uic)]
    group = a.account.upper()
    group_uic = (a.uic[0], GROUP_MEMBER)
    if (group and _IDENT_RE.match(group) and not group.isdigit()
            and not db.execute("SELECT 1 FROM uaf_rights WHERE value = ? OR name = ?",
                               (_uic_value(group_uic), group)).fetchone()):
        notes.insert(0, _add_identifier(db, group, group_uic))
    return notes


# ---------------------------------------------------------------------------------------------
# Passwords.
# ---------------------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(text: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    """The scrypt key of text (UTF-8): hashlib's (OpenSSL), which lets other threads run while
    it works, unless the parameters need more memory than hashlib may be allowed to use."""
    if n < 2 or n & (n - 1) or r < 1 or p < 1:
        raise ValueError(f"bad scrypt parameters n={n} r={r} p={p}")
    data = text.encode("utf-8")
    need = 128 * r * (n + p + 2)            # OpenSSL's working memory for these parameters
    if need <= _HASHLIB_MAXMEM_LIMIT:
        return hashlib.scrypt(data, salt=salt, n=n, r=r, p=p, dklen=_KEY_BYTES,
                              maxmem=max(SCRYPT_MAXMEM, need))
    return Scrypt(salt=salt, length=_KEY_BYTES, n=n, r=r, p=p).derive(data)


def hash_password(password: str, mixed_case: bool = False) -> str:
    """The stored form of a password: salted scrypt, the case folded unless mixed_case."""
    text = password if mixed_case else password.upper()
    salt = os.urandom(_SALT_BYTES)
    key = _derive(text, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(("scrypt", "M" if mixed_case else "U", str(SCRYPT_N), str(SCRYPT_R),
                     str(SCRYPT_P), _b64(salt), _b64(key)))


def verify_password(stored: str | None, password: str) -> bool:
    """Whether password matches a stored hash; the same scrypt work when stored is None."""
    try:
        scheme, case, n, r, p, salt, key = (stored or "").split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        salt_b, key_b = base64.b64decode(salt), base64.b64decode(key)
        params = (int(n), int(r), int(p))
    except (ValueError, TypeError):
        # No usable hash: spend the same work on a throw-away key, then fail.
        _derive(password, os.urandom(_SALT_BYTES), SCRYPT_N, SCRYPT_R, SCRYPT_P)
        return False
    text = password if case == "M" else password.upper()
    return hmac.compare_digest(_derive(text, salt_b, *params), key_b)


def password_problem(password: str, mixed_case: bool) -> str | None:
    """None when the password is acceptable, else "LENGTH" (over 32) or "SYNTAX": A-Z, 0-9,
    $ and _ (either case) unless the account has PWDMIX, which allows any printable ASCII
    character but the blank."""
    if len(password) > MAX_PASSWORD:
        return "LENGTH"
    if not (_PWD_MIXED_RE if mixed_case else _PWD_PLAIN_RE).match(
            password if mixed_case else password.upper()):
        return "SYNTAX"
    return None


def password_hash(root, username: str) -> str | None:
    """The stored password hash of a user (any case), as verify_password takes it; None for an
    unknown user, a name VMS cannot have, or an account without a password."""
    name = username.strip().upper()
    row = _row(_db(root), name) if _USERNAME_RE.match(name) else None
    return row[3] if row else None


def password_matches(root, username: str, password: str) -> bool:
    """Whether password is the user's password (False for an unknown user or no password)."""
    return verify_password(password_hash(root, username), password)


@dataclass(frozen=True)
class LoginCheck:
    """The outcome of check_password: ok, or the reason (NOSUCHUSER, BADPASSWORD, DISUSER,
    EXPIRED); account is the record when the password was right."""

    ok: bool
    reason: str | None
    account: Account | None = None


def check_password(root, username: str, password: str,
                   now: _dt.datetime | None = None) -> LoginCheck:
    """Check a user name and password (see the module docstring for the order of reasons)."""
    name = username.strip().upper()
    row = _row(_db(root), name) if _USERNAME_RE.match(name) else None
    good = verify_password(row[3] if row else None, password)
    if row is None:
        return LoginCheck(False, "NOSUCHUSER")
    if not good:
        return LoginCheck(False, "BADPASSWORD")
    account = _from_row(row)
    if "DISUSER" in account.flags:
        return LoginCheck(False, "DISUSER", account)
    if account.is_expired(now):
        return LoginCheck(False, "EXPIRED", account)
    return LoginCheck(True, None, account)


# ---------------------------------------------------------------------------------------------
# Changes.
# ---------------------------------------------------------------------------------------------
def edit_set(old: Iterable[str], steps: Iterable[tuple[bool, str]], every: Iterable[str]) -> frozenset:
    """Apply (on, NAME) steps left to right: ALL / NOALL set or clear every name."""
    result = set(old)
    for on, name in steps:
        names = set(every) if name == "ALL" else {name}
        if on:
            result |= names
        else:
            result -= names
    return frozenset(result)


# The fields a change may set (values already typed); set-valued ones take (on, NAME) steps.
_PLAIN_FIELDS = ("owner", "account", "uic", "cli", "tables", "device", "directory", "lgicmd",
                 "expiration", "pwd_minimum", "pwd_lifetime", "cputime")
_SET_FIELDS = {"flags": FLAG_NAMES, "primedays": DAYS, "authorized": PRIVILEGES,
               "default_privileges": PRIVILEGES}


def _apply(a: Account, changes: dict) -> Account:
    unknown = set(changes) - set(_PLAIN_FIELDS) - set(_SET_FIELDS) - {
        "quotas", "password", "pwd_expired"}
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    values = {k: changes[k] for k in _PLAIN_FIELDS if k in changes}
    for k, every in _SET_FIELDS.items():
        if k in changes:
            values[k] = edit_set(getattr(a, k), changes[k], every)
    if "quotas" in changes:
        values["quotas"] = {**a.quotas, **changes["quotas"]}
    return replace(a, **values)


def _password_change(db, a: Account, changes: dict, now: _dt.datetime,
                     notes: list[VMSError]) -> tuple[Account, str | None, bool]:
    """(record, hash to store or None, whether the hash changes)."""
    if "password" not in changes:
        if "pwd_expired" in changes:
            a = replace(a, pwd_date=None if changes["pwd_expired"] else now)
        return a, None, False
    password = changes["password"]
    if password is None:                      # /NOPASSWORD
        return replace(a, pwd_date=None, has_password=False), None, True
    mixed = "PWDMIX" in a.flags
    if password_problem(password, mixed):
        raise VMSError(C.UAF_INVPWD)
    if len(password) < a.pwd_minimum:
        notes.append(VMSError(C.UAF_PWDLESSMIN))
    expired = changes.get("pwd_expired", True)
    a = replace(a, pwd_date=None if expired else now, has_password=True)
    return a, hash_password(password, mixed), True


def _template(db) -> Account:
    row = _row(db, "DEFAULT")
    return _from_row(row) if row else _default_record()


def _fresh(a: Account, username: str) -> Account:
    return replace(a, username=username, last_interactive=None, last_noninteractive=None,
                   login_fails=0, pwd_date=None, has_password=False)


def add(root, username: str, changes: dict | None = None, *, add_identifier: bool = True,
        now: _dt.datetime | None = None) -> list[VMSError]:
    """ADD: a new record from DEFAULT with changes applied; the messages to show after ADDMSG
    (PWDLESSMIN, identifiers). UAF$_UAEERR when the user exists."""
    name = valid_username(username)
    changes = dict(changes or {})
    now = vmstime.current_time() if now is None else now

    def work(db):
        if _row(db, name):
            raise VMSError(C.UAF_UAEERR)
        notes: list[VMSError] = []
        record = _apply(_fresh(_template(db), name), changes)
        record, pwd, _ = _password_change(db, record, changes, now, notes)
        _put(db, record, pwd)
        if add_identifier:
            notes.extend(_identifiers_for_new(db, record))
        return notes

    return _change(root, work)


def copy(root, old: str, new: str, changes: dict | None = None, *, add_identifier: bool = True,
         now: _dt.datetime | None = None) -> list[VMSError]:
    """COPY: a new record from an existing one; notes as for add (DEFPWD without a password).
    UAF$_BADUSR for a missing source, UAF$_UAEERR for an existing target."""
    source, target = valid_username(old), valid_username(new)
    changes = dict(changes or {})
    now = vmstime.current_time() if now is None else now

    def work(db):
        row = _existing_row(db, source)
        if _row(db, target):
            raise VMSError(C.UAF_UAEERR)
        notes: list[VMSError] = []
        record = _apply(_fresh(_from_row(row), target), changes)
        record, pwd, _ = _password_change(db, record, changes, now, notes)
        if pwd is None:
            notes.append(VMSError(C.UAF_DEFPWD))
        _put(db, record, pwd)
        if add_identifier:
            notes.extend(_identifiers_for_new(db, record))
        return notes

    return _change(root, work)


def modify(root, username: str, changes: dict, *, modify_identifier: bool = True,
           now: _dt.datetime | None = None) -> list[VMSError]:
    """MODIFY one record; notes (PWDLESSMIN, RDBMDFYMSG). UAF$_BADUSR when it does not exist."""
    name = valid_username(username)
    now = vmstime.current_time() if now is None else now

    def work(db):
        row = _existing_row(db, name)
        notes: list[VMSError] = []
        old = _from_row(row)
        record = _apply(old, changes)
        record, pwd, new_pwd = _password_change(db, record, changes, now, notes)
        _put(db, record, pwd if new_pwd else row[3])
        if modify_identifier and record.uic != old.uic:
            ident = db.execute("SELECT name FROM uaf_rights WHERE name = ? AND value = ?",
                               (name, _uic_value(old.uic))).fetchone()
            if ident:
                if db.execute("SELECT 1 FROM uaf_rights WHERE value = ?",
                              (_uic_value(record.uic),)).fetchone():
                    notes.append(VMSError(C.UAF_RDBADDERRU, name, format_uic_padded(record.uic),
                                          secondary=[C.SS_DUPIDENT]))
                else:
                    db.execute("UPDATE uaf_rights SET value = ? WHERE name = ?",
                               (_uic_value(record.uic), name))
                    notes.append(VMSError(C.UAF_RDBMDFYMSG, name))
        return notes

    return _change(root, work)


def remove(root, username: str, *, remove_identifier: bool = True) -> list[VMSError]:
    """REMOVE a record; notes (RDBREMMSGU). UAF$_BADUSR when it does not exist."""
    name = valid_username(username)

    def work(db):
        row = _existing_row(db, name)
        db.execute("DELETE FROM uaf WHERE username = ?", (name,))
        notes: list[VMSError] = []
        value = (row[1] << 16) | row[2]
        if remove_identifier and db.execute(
                "SELECT 1 FROM uaf_rights WHERE name = ? AND value = ?", (name, value)).fetchone():
            db.execute("DELETE FROM uaf_rights WHERE name = ?", (name,))
            notes.append(VMSError(C.UAF_RDBREMMSGU, name, format_uic_padded((row[1], row[2]))))
        return notes

    return _change(root, work)


def set_password(root, username: str, password: str, *, pre_expired: bool = False,
                 now: _dt.datetime | None = None) -> None:
    """Store a new password (hashed; case folded unless the account has PWDMIX). pre_expired
    marks it as AUTHORIZE does; SET PASSWORD stores it current. VMSError(UAF$_BADUSR,
    UAF$_INVPWD)."""
    name = valid_username(username)
    now = vmstime.current_time() if now is None else now

    def work(db):
        row = _existing_row(db, name)
        record = _from_row(row)
        mixed = "PWDMIX" in record.flags
        if password_problem(password, mixed):
            raise VMSError(C.UAF_INVPWD)
        _put(db, replace(record, pwd_date=None if pre_expired else now, has_password=True),
             hash_password(password, mixed))

    _change(root, work)


def record_login(root, username: str, interactive: bool = True,
                 now: _dt.datetime | None = None) -> None:
    """A successful login: its time, and the failure count back to 0."""
    now = vmstime.current_time() if now is None else now

    def work(db):
        row = _existing_row(db, username.strip().upper())
        record = _from_row(row)
        key = "last_interactive" if interactive else "last_noninteractive"
        _update(db, replace(record, login_fails=0, **{key: now}))

    _change(root, work)


def record_login_failure(root, username: str) -> None:
    """A failed login of an existing user: one more in Login Fails (unknown users: nothing)."""
    def work(db):
        row = _row(db, username.strip().upper())
        if row is not None:
            record = _from_row(row)
            _update(db, replace(record, login_fails=record.login_fails + 1))

    _change(root, work)


# ---------------------------------------------------------------------------------------------
# The accounts every root has.
# ---------------------------------------------------------------------------------------------
def _default_record() -> Account:
    return Account(username="DEFAULT", uic=(0o200, 0o200), flags=frozenset({"DISUSER"}))


def system_record() -> Account:
    return Account(username="SYSTEM", uic=(1, 4), owner="SYSTEM MANAGER", account="SYSTEM",
                   device="SYS$SYSROOT:", directory="[SYSMGR]", lgicmd="LOGIN",
                   authorized=frozenset(PRIVILEGES), default_privileges=frozenset(PRIVILEGES),
                   pwd_minimum=8, pwd_lifetime=None)


POP_UIC = (0o3655, 2)
POP_GROUP_IDENTIFIER = "TCPIP$AUX"


def pop_record() -> Account:
    return Account(username="TCPIP$POP", uic=POP_UIC, owner="TCPIP$POP",
                   account=POP_GROUP_IDENTIFIER, device="SYS$SYSDEVICE:",
                   directory="[TCPIP$POP]", flags=frozenset({"RESTRICTED"}), pwd_lifetime=None)


def ensure_defaults(root, create_directories: bool = True) -> None:
    """SYSTEM, DEFAULT and TCPIP$POP with their identifiers (and the TCPIP$AUX group
    identifier), each only when missing; then their login directories. Idempotent."""
    records = (system_record(), _default_record(), pop_record())

    def work(db):
        for record in records:
            if not _row(db, record.username):
                _put(db, record, None)
        for name, uic in ((r.username, r.uic) for r in records):
            _add_identifier(db, name, uic)
        _add_identifier(db, POP_GROUP_IDENTIFIER, (POP_UIC[0], GROUP_MEMBER))

    db = _db(root)
    names = [r.username for r in records]
    have_records = {r[0] for r in db.execute(
        "SELECT username FROM uaf WHERE username IN (?, ?, ?)", names)}
    have_idents = {r[0] for r in db.execute(
        "SELECT name FROM uaf_rights WHERE name IN (?, ?, ?, ?)", [*names, POP_GROUP_IDENTIFIER])}
    if have_records != set(names) or have_idents != {*names, POP_GROUP_IDENTIFIER}:
        _change(root, work)
    if create_directories:
        for record in (system_record(), pop_record()):
            account = get(root, record.username) or record
            try:
                create_login_directory(root, account)
            except VMSError:
                pass  # a login device that is not mounted: the directory waits for it


# ---------------------------------------------------------------------------------------------
# Login directories.
# ---------------------------------------------------------------------------------------------
def create_login_directory(root, account: Account, process=None) -> tuple[str, bool]:
    """Create an account's login directory (every missing level) on its device, through the
    process's logical names (or the system's when process is None). Returns the directory as
    displayed and whether it was created; files.FileError (a VMSError) when it cannot be."""
    if process is not None:
        files = process.files
        pd = process.process_default()
    else:
        lnm = LogicalNames(root.store, frozenset, "LNM$JOB_00000000",
                           f"LNM$GROUP_{account.uic[0]:06o}")
        files = Files(root.devices(), lnm.translate)
        pd = fsp.ProcessDefault("SYS$SYSDEVICE:", "[000000]")
    return files.create_directory(account.login_spec, process_default=pd)


# ---------------------------------------------------------------------------------------------
# Displays.
# ---------------------------------------------------------------------------------------------
def privilege_class(privileges: Iterable[str]) -> str:
    privs = set(privileges)
    for name, members in _PRIVILEGE_CLASSES:
        if privs & members:
            return name
    return "None"


def _date(t: _dt.datetime | None) -> str:
    return "(none)" if t is None else vmstime.format_ftime(t)[:17]


def _delta(d: _dt.timedelta | None) -> str:
    if d is None:
        return "(none)"
    minutes = int(d.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    return f"{days} {rest // 60:02d}:{rest % 60:02d}"


def _privilege_lines(privileges: Iterable[str]) -> list[str]:
    names = [p for p in PRIVILEGES if p in set(privileges)]
    return [("  " + "".join(f"{n[:10]:<10}" for n in names[i:i + 8])).rstrip()
            for i in range(0, len(names), 8)]


def show_lines(root, a: Account) -> list[str]:
    """The SHOW report of one record, line by line, in AUTHORIZE's layout (access hours are
    not kept, so the report always says "No access restrictions")."""
    named = uic_names(root, a.uic)
    uic = format_uic(a.uic) + (f" ({named})" if named else "")
    short_days = [d[:1] + d[1:3].lower() for d in DAYS]
    primary = " ".join(s if d in a.primedays else "   " for d, s in zip(DAYS, short_days, strict=True))
    secondary = " ".join(s if d not in a.primedays else "   " for d, s in zip(DAYS, short_days, strict=True))
    pwdchange = "(pre-expired)" if a.pwd_date is None else _date(a.pwd_date)
    lines = [
        f"Username: {a.username:<32} Owner:  {a.owner}",
        f"Account:  {a.account:<32} UIC:    {uic}",
        f"CLI:      {a.cli:<32} Tables: {a.tables}",
        f"Default:  {a.device}{a.directory}",
        f"LGICMD:   {a.lgicmd}",
        "Flags: " + "".join(" " + shown for name, shown in FLAGS if name in a.flags),
        f"Primary days:   {primary}",
        f"Secondary days: {secondary}",
        "No access restrictions",
        f"Expiration:{_date(a.expiration):>18}    Pwdminimum: {a.pwd_minimum:2d}   "
        f"Login Fails: {a.login_fails:5d}",
        f"Pwdlifetime:{_delta(a.pwd_lifetime):>17}    Pwdchange: {pwdchange:>18} ",
        f"Last Login:{_date(a.last_interactive):>18} (interactive),"
        f"{_date(a.last_noninteractive):>18} (non-interactive)",
    ]
    for row in range(len(QUOTAS[1])):
        cells = []
        for column, width in zip(QUOTAS, (18, 16, 19), strict=True):
            if row < len(column):
                q, label, _default = column[row]
                value = str(a.quotas.get(q, DEFAULT_QUOTAS[q]))
            else:
                label, value = "CPU", _delta(a.cputime)
            cells.append(f"{label}:{value:>{width - len(label) - 1}}")
        lines.append("  ".join(cells))
    lines.append("Authorized Privileges: ")
    lines.extend(_privilege_lines(a.authorized))
    lines.append("Default Privileges: ")
    lines.extend(_privilege_lines(a.default_privileges))
    return lines


BRIEF_HEADING = (" " + f"{'Owner':<21} {'Username':<15} {'UIC':<13} {'Account':<10} "
                 f"{'Privs':<6} Pri Default Directory")


def brief_line(a: Account) -> str:
    """One line of SHOW/BRIEF and LIST."""
    return (f" {a.owner[:21]:<21} {a.username:<15} {format_uic(a.uic):<13} {a.account[:10]:<10} "
            f"{privilege_class(a.authorized):<6} {a.quotas.get('PRIORITY', 4):>3} "
            f"{a.device}{a.directory}")


def database_paths(root) -> list[Path]:
    """The files holding SYSUAF (the shared database and its write-ahead log)."""
    return [root.db_path, Path(str(root.db_path) + "-wal")]
