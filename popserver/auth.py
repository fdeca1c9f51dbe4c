"""The POP server's protocol.Authenticator over SYSUAF and POP_SECRET.DAT.

- `find_account(name)`: the SYSUAF record of the name as typed (case-blind; a name VMS cannot
  have is no account), as a protocol.Account: DISUSER and DISMAIL from the record's flags,
  ``expired`` when its expiration date has passed (judged at the call, on the server's clock),
  ``privileges`` the AUTHORIZED privileges (what XTND LOGLEVEL / SHUTDOWN look at: the POP
  session runs no image in the user's process, so the authorized set is what the account may
  do).
- `verify_password(account, password)`: the salted scrypt check of SYSUAF in constant time
  (uaf.verify_password, hmac.compare_digest); an account without a password costs the same
  work and never matches. The flags are not decided here (the protocol checks them after the
  password, so they are told only to whoever knows it); they only keep the cache out of play.
- `apop_secret(account)`: the first line of POP_SECRET.DAT in the user's mail directory
  (maildrop.MailDirectories: the login directory, or the SET MAIL_DIRECTORY subdirectory, or
  where a relocated mail file went), the newest version, line end removed, ISO Latin-1. No
  file, an unreadable file or an empty first line: None (no secret). Only the first 1,024
  octets are read, enough to show the protocol a line over the manual's
  500-character limit, which it refuses.

Choices where the manual is silent:
- Logins are not recorded in SYSUAF (no LOGFAILS count, no last-login date): a POP session is
  not a VMS login, and the manual says nothing of it. Refusals go to POP_RUN.LOG and OPCOM.
- The password goes through SYSUAF's rule as given: case-blind unless the account had PWDMIX
  when it was set.

The password cache (on under TCPIP$POP_SECURITY FRIENDLY, off under SECURE)
---------------------------------------------------------------------------
A scrypt check costs about 25 ms of CPU by design, and a mail client logs in every few minutes
with the same password. Like Dovecot's auth_cache, the authenticator remembers SUCCESSFUL
checks for a while: the cache holds, for each, HMAC-SHA256(secret, user name + stored hash +
password as typed) and the time it expires. The secret is 32 random octets drawn when the
authenticator is made (once per server run) and never stored or logged.

- A login whose key is in the cache and not expired is accepted without scrypt. Anything else
  pays the full check: a wrong password is never in the cache (only successes are put there),
  so guessing costs scrypt's work every time.
- The stored hash is part of the key, so a changed password (SET PASSWORD, AUTHORIZE) misses at
  once; the old entries can no longer match and simply expire.
- An entry lives `CACHE_SECONDS` (600 seconds, fixed) from the check that made it (a hit does
  not extend it); at most `CACHE_ENTRIES` (10,000) are kept, the oldest dropped first.
- The cache is used only for accounts that may log in now: an account that is DISUSER, DISMAIL
  or expired at the time of the call is checked in full and not remembered. Its refusal then
  takes as long whether the password was right or not, so neither the text nor the timing
  tells a guesser that the password of a disabled account was right. The flags and the
  expiration date are read from SYSUAF at every login (find_account), never cached.

Which setting turns it on. The manual has no name for such a cache, and the emulator adds no
logical name for it (its only two extensions are the service database's port and
TCPIP$POP_SSL_PORT). It follows TCPIP$POP_SECURITY, the manual's setting for how much the
server may give away about authorization:

- FRIENDLY (the default): on, for CPU. Without it a server pays about 25 ms of CPU for every
  login of every client polling every few minutes; with it a repeated login costs an HMAC.
- SECURE: off; every USER/PASS and SASL PLAIN login pays the full scrypt check, and the
  server's memory holds nothing derived from a password after the check.

The trade-off SECURE settles the other way: the entries are derived from the passwords and the
secret is in the same memory, so whoever obtains a memory dump of the running server can test
guesses for the passwords used in the last 600 seconds at the speed of HMAC-SHA256 instead of
scrypt's (the same exposure as Dovecot's cache); and a right password answered from the cache
is answered sooner than one checked in full, a timing difference SECURE, which makes every
refusal wait the same fixed interval, is there to avoid. A site that chose SECURE asked for the
least exposure and even timing, and pays for it in CPU (scrypt bounds it at some tens of
logins a second per core).

Threads: every call may come from any client thread; SYSUAF is read through a Root per thread
(its own database connection); the cache has its own lock.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from popserver import protocol as P
from popserver.config import Security, Settings
from popserver.maildrop import MailDirectories, read_secret
from vmsenv import uaf, vmstime
from vmsenv.condition import VMSError

CACHE_ENTRIES = 10_000
"""Successful password checks remembered at most (the oldest go first)."""

CACHE_SECONDS = 600
"""How long a successful password check is remembered (when the cache is on)."""


class PasswordCache:
    """Keyed digests of successful password checks, each until it expires (see the module
    docstring). Thread-safe. `monotonic` gives seconds (time.monotonic by default)."""

    def __init__(self, seconds: float, *, entries: int = CACHE_ENTRIES,
                 monotonic: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.entries = entries
        self._monotonic = monotonic
        self._secret = os.urandom(32)
        self._expiry: OrderedDict[bytes, float] = OrderedDict()    # oldest first
        self._lock = threading.Lock()

    def key(self, username: str, stored: str, password: str) -> bytes:
        mac = hmac.new(self._secret, digestmod=hashlib.sha256)
        for part in (username.encode("utf-8"), stored.encode("utf-8"),
                     password.encode("utf-8", "surrogatepass")):
            mac.update(len(part).to_bytes(4, "big"))
            mac.update(part)
        return mac.digest()

    def __contains__(self, key: bytes) -> bool:
        now = self._monotonic()
        with self._lock:
            expires = self._expiry.get(key)
            if expires is None:
                return False
            if now < expires:
                return True
            del self._expiry[key]
            return False

    def add(self, key: bytes) -> None:
        now = self._monotonic()
        with self._lock:
            expiry = self._expiry
            expiry.pop(key, None)
            expiry[key] = now + self.seconds
            while expiry and (len(expiry) > self.entries or next(iter(expiry.values())) <= now):
                expiry.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._expiry)


class SysuafAuthenticator:
    """protocol.Authenticator over SYSUAF. Thread-safe.

    cache_seconds: how long a successful password check is remembered (0: never; the server
    passes `cache_seconds_for(settings)`: CACHE_SECONDS under FRIENDLY, 0 under SECURE)."""

    def __init__(self, directories: MailDirectories, *,
                 clock: Callable[[], _dt.datetime] = vmstime.current_time,
                 cache_seconds: float = 0, monotonic: Callable[[], float] = time.monotonic):
        self.directories = directories
        self.clock = clock
        self.cache = PasswordCache(cache_seconds, monotonic=monotonic) \
            if cache_seconds > 0 else None

    @classmethod
    def for_process(cls, process, **kw) -> SysuafAuthenticator:
        return cls(MailDirectories.for_process(process), **kw)

    @classmethod
    def from_context(cls, context) -> SysuafAuthenticator:
        """For the server: its per-thread roots (server.ServerContext.roots), the cache on or
        off as its TCPIP$POP_SECURITY says (cache_seconds_for)."""
        return cls(MailDirectories(context.roots.get),
                   cache_seconds=cache_seconds_for(context.settings))

    def find_account(self, username: str) -> P.Account | None:
        record = self.directories.record(username)
        if record is None:
            return None
        return account_of(record, self.clock())

    def verify_password(self, account: P.Account, password: str) -> bool:
        stored = uaf.password_hash(self.directories.root(), account.username)
        cache = self.cache
        if (cache is None or stored is None
                or account.disuser or account.dismail or account.expired):
            return uaf.verify_password(stored, password)
        key = cache.key(account.username, stored, password)
        if key in cache:
            return True
        if not uaf.verify_password(stored, password):
            return False
        cache.add(key)
        return True

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


def cache_seconds_for(settings: Settings) -> int:
    """How long the server remembers a successful password check: CACHE_SECONDS under
    TCPIP$POP_SECURITY FRIENDLY, 0 (no cache) under SECURE (see the module docstring)."""
    return CACHE_SECONDS if settings.security is Security.FRIENDLY else 0


def account_of(record: uaf.Account, now: _dt.datetime | None = None) -> P.Account:
    """The protocol's view of a SYSUAF record."""
    return P.Account(record.username, disuser="DISUSER" in record.flags,
                     dismail="DISMAIL" in record.flags, expired=record.is_expired(now),
                     privileges=frozenset(record.authorized))


__all__ = ["CACHE_ENTRIES", "CACHE_SECONDS", "PasswordCache", "SysuafAuthenticator",
           "account_of", "cache_seconds_for"]
