"""The POP server's protocol.Authenticator over SYSUAF and POP_SECRET.DAT.

- `find_account(name)`: the SYSUAF record of the name as typed (case-blind; a name VMS cannot
  have is no account), as a protocol.Account: DISUSER and DISMAIL from the record's flags,
  ``expired`` when its expiration date has passed (judged at the call, on the server's clock),
  ``privileges`` the AUTHORIZED privileges (what XTND LOGLEVEL / SHUTDOWN look at: the POP
  session runs no image in the user's process, so the authorized set is what the account may
  do).
- `verify_password(account, password)`: uaf.password_matches -- the salted scrypt check in
  constant time (hmac.compare_digest); an account without a password costs the same work and
  never matches. The flags are not looked at here (the protocol checks them after the password,
  so they are told only to whoever knows it).
- `apop_secret(account)`: the first line of POP_SECRET.DAT in the user's mail directory
  (maildrop.MailDirectories: the login directory, or the SET MAIL_DIRECTORY subdirectory, or
  where a relocated mail file went), the newest version, line end removed, ISO Latin-1. No file, an unreadable file or an empty first line: None (no secret).
  Only the first 1,024 octets are read, enough to show the protocol a line over the manual's
  500-character limit, which it refuses.

Choices where the manual is silent:
- Logins are not recorded in SYSUAF (no LOGFAILS count, no last-login date): a POP session is
  not a VMS login, and the manual says nothing of it. Refusals go to POP_RUN.LOG and OPCOM.
- The password goes through SYSUAF's rule as given: case-blind unless the account had PWDMIX
  when it was set.

Threads: every call may come from any client thread; SYSUAF is read through a Root per thread
(its own database connection).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

from popserver import protocol as P
from popserver.maildrop import MailDirectories, read_secret
from vmsenv import uaf, vmstime
from vmsenv.condition import VMSError


class SysuafAuthenticator:
    """protocol.Authenticator over SYSUAF. Thread-safe."""

    def __init__(self, directories: MailDirectories, *,
                 clock: Callable[[], _dt.datetime] = vmstime.current_time):
        self.directories = directories
        self.clock = clock

    @classmethod
    def for_process(cls, process, **kw) -> SysuafAuthenticator:
        return cls(MailDirectories.for_process(process), **kw)

    @classmethod
    def from_context(cls, context) -> SysuafAuthenticator:
        """For the server: its per-thread roots (server.ServerContext.roots)."""
        return cls(MailDirectories(context.roots.get))

    def find_account(self, username: str) -> P.Account | None:
        record = self.directories.record(username)
        if record is None:
            return None
        return account_of(record, self.clock())

    def verify_password(self, account: P.Account, password: str) -> bool:
        return uaf.password_matches(self.directories.root(), account.username, password)

    def apop_secret(self, account: P.Account) -> str | None:
        record = self.directories.record(account.username)
        if record is None:
            return None
        try:
            directory = self.directories.mail_directory(record)
        except VMSError:
            return None
        if directory is None:
            return None
        return read_secret(directory)


def account_of(record: uaf.Account, now: _dt.datetime | None = None) -> P.Account:
    """The protocol's view of a SYSUAF record."""
    return P.Account(record.username, disuser="DISUSER" in record.flags,
                     dismail="DISMAIL" in record.flags, expired=record.is_expired(now),
                     privileges=frozenset(record.authorized))


__all__ = ["SysuafAuthenticator", "account_of"]
