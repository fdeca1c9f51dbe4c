"""Mail profiles (VMS keeps them in SYS$SYSTEM:VMSMAIL_PROFILE.DATA) and where users' mail is.

A user's profile is a row of the table ``mail_profile`` in the root's shared database (one
transaction per change through ``root.store.change``), created on first use with VMS MAIL's
defaults: no mail subdirectory, AUTO_PURGE set.

The mail directory of a user is the login directory of the account (SYSUAF device and
directory), or the subdirectory of it that SET MAIL_DIRECTORY chose, kept in the profile as
VMS keeps it, relative to the login directory (``[.MAIL]``; MAIL$_USER_SUB_DIRECTORY).  Only a
subdirectory of the login directory can be chosen (``%MAIL-E-NOTSUBDIR`` otherwise), as on VMS.

Translation: the VMS directory (``SYS$SYSDEVICE:[JONES.MAIL]``) is turned into a host directory
through the system logical names alone (LNM$SYSTEM and the user's group table), the way a
delivery, which runs in no process of the user, finds it; a process's own names do not move a
user's mail.  A search list (SYS$SYSROOT) gives its first element.

``host_mail_directory(root, user)`` is the mapping vmsenv.mail.deliver.Deliverer takes: None for
an unknown user, the host directory otherwise; a directory that does not exist (yet) raises
``%MAIL-E-OPENOUT`` with ``-RMS-E-DNF`` (or the RMS status found), so that a delivery stores
nothing anywhere.  ``recipient_directory`` adds the DISMAIL check (``%MAIL-E-USERDSABL``).

The translations go through a LogicalNames kept per root store and UIC group (it caches, and
reloads when the shared names change); threads that need these functions at once should each
have their own Root, as the POP server's threads do.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

from vmsenv import condition as cond
from vmsenv import filespec as fsp
from vmsenv import uaf
from vmsenv.files import Files
from vmsenv.lnm.service import LogicalNames
from vmsenv.mail import messages as mm
from vmsenv.mail import store as ms

SCHEMA = """
CREATE TABLE IF NOT EXISTS mail_profile (
    username      TEXT PRIMARY KEY,
    sub_directory TEXT NOT NULL DEFAULT '',
    auto_purge    INTEGER NOT NULL DEFAULT 1
);
"""

_ready: weakref.WeakSet = weakref.WeakSet()
_names: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_names_lock = threading.Lock()


@dataclass(frozen=True)
class Profile:
    username: str
    sub_directory: str = ""     # "" or a relative directory such as "[.MAIL]"
    auto_purge: bool = True


def _db(root):
    store = root.store
    if store not in _ready:
        store.db.executescript(SCHEMA)
        _ready.add(store)
    return store.db


def get(root, username: str) -> Profile:
    """The user's profile (the defaults when the user has none yet)."""
    name = username.strip().upper()
    row = _db(root).execute("SELECT sub_directory, auto_purge FROM mail_profile "
                            "WHERE username = ?", (name,)).fetchone()
    if row is None:
        return Profile(name)
    return Profile(name, row[0], bool(row[1]))


def update(root, username: str, *, sub_directory: str | None = None,
           auto_purge: bool | None = None) -> Profile:
    """Change fields of the user's profile (creating it); the profile as stored."""
    name = username.strip().upper()
    _db(root)

    def work(db):
        db.execute("INSERT OR IGNORE INTO mail_profile (username) VALUES (?)", (name,))
        if sub_directory is not None:
            db.execute("UPDATE mail_profile SET sub_directory = ? WHERE username = ?",
                       (sub_directory, name))
        if auto_purge is not None:
            db.execute("UPDATE mail_profile SET auto_purge = ? WHERE username = ?",
                       (int(auto_purge), name))

    root.store.change(work)
    return get(root, name)


# ---------------------------------------------------------------------------------------------
# Directories.
# ---------------------------------------------------------------------------------------------
def _login_default(account: uaf.Account) -> fsp.ProcessDefault:
    return fsp.ProcessDefault(account.device, account.directory)


def mail_directory_spec(root, account: uaf.Account, profile: Profile | None = None) -> str:
    """The VMS device and directory of an account's mail (``SYS$SYSDEVICE:[JONES.MAIL]``)."""
    profile = get(root, account.username) if profile is None else profile
    if not profile.sub_directory:
        return account.login_spec
    result = fsp.parse_spec(profile.sub_directory, process_default=_login_default(account),
                            syntax_only=True)
    return result.spec.device + result.spec.directory


def subdirectory(account: uaf.Account, text: str) -> str:
    """SET MAIL_DIRECTORY's argument as kept in the profile: ``[.SUB]`` relative to the login
    directory.  ``[.MAIL]`` and ``[JONES.MAIL]`` (login [JONES]) are the same; anything that is
    not below the login directory gives %MAIL-E-NOTSUBDIR."""
    login = _login_default(account)
    try:
        result = fsp.parse_spec(text.strip(), process_default=login, syntax_only=True)
        base = fsp.parse_spec(login.text, process_default=login, syntax_only=True)
    except cond.VMSError:
        raise cond.VMSError(mm.MAIL_NOTSUBDIR, text.strip().upper()) from None
    spec = result.spec
    below = result.dirs[:len(base.dirs)] == base.dirs and len(result.dirs) > len(base.dirs)
    if (not below or spec.node or spec.name or spec.type or spec.version
            or result.device != base.device or result.dir_wild):
        raise cond.VMSError(mm.MAIL_NOTSUBDIR, text.strip().upper())
    return fsp.DirSpec(parts=tuple(result.dirs[len(base.dirs):]), relative=True).text


def _system_names(root, uic_group: int) -> LogicalNames:
    """A LogicalNames that sees only shareable tables (cached per store and UIC group)."""
    store = root.store
    with _names_lock:
        per_store = _names.get(store)
        if per_store is None:
            per_store = _names[store] = {}
        names = per_store.get(uic_group)
        if names is None:
            names = per_store[uic_group] = LogicalNames(store, frozenset, "LNM$JOB_00000000",
                                                        f"LNM$GROUP_{uic_group:06o}")
        return names


def host_directory(root, account: uaf.Account, spec: str | None = None) -> Path:
    """The host directory of a VMS directory of the account (default: its mail directory);
    VMSError with the RMS status when it cannot be reached."""
    spec = mail_directory_spec(root, account) if spec is None else spec
    files = Files(root.devices(), _system_names(root, account.uic[0]).translate)
    try:
        result = files.parse(spec, process_default=_login_default(account), syntax_only=True)
        return files.devices.host_directory(result.device, result.dirs)
    except cond.VMSError as err:
        raise cond.VMSError(cond.MAIL_OPENOUT, spec + "MAIL.MAI",
                            secondary=[err.status]) from None


def create_directory(root, account: uaf.Account, spec: str) -> tuple[str, bool]:
    """Create a directory of the account (every missing level) through the system names."""
    files = Files(root.devices(), _system_names(root, account.uic[0]).translate)
    return files.create_directory(spec, process_default=_login_default(account))


def host_mail_directory(root, username: str) -> Path | None:
    """The host directory of a user's mail; None for a user SYSUAF does not know."""
    try:
        account = uaf.get(root, uaf.valid_username(username))
    except cond.VMSError:
        return None
    if account is None:
        return None
    return host_directory(root, account)


def recipient_directory(root, username: str) -> Path:
    """Where mail for a local user goes: %MAIL-E-NOSUCHUSR for an unknown user,
    %MAIL-E-USERDSABL for an account with DISMAIL, OPENOUT when the directory is missing."""
    name = username.strip().upper()
    try:
        account = uaf.get(root, uaf.valid_username(name))
    except cond.VMSError:
        account = None
    if account is None:
        raise cond.VMSError(cond.MAIL_NOSUCHUSR, name or '""')
    if "DISMAIL" in account.flags:
        raise cond.VMSError(mm.MAIL_USERDSABL, account.username)
    return host_directory(root, account)


def open_mail_file(root, account: uaf.Account, *, create: bool = False) -> ms.MailFile | None:
    """The account's mail file (following a file moved by SET MAIL_DIRECTORY elsewhere), or
    None when there is none and create is False."""
    directory = host_directory(root, account)
    path = ms.mail_file_path(directory)
    if not create and not path.is_file():
        return None
    try:
        return ms.MailFile(path, create=create)
    except cond.VMSError as err:
        if err.status != cond.VMSENV_MAILMOVED:
            raise
        return ms.MailFile(err.fao_args[1], create=False)


__all__ = ["Profile", "get", "update", "mail_directory_spec", "subdirectory", "host_directory",
           "create_directory", "host_mail_directory", "recipient_directory", "open_mail_file",
           "SCHEMA"]
