"""popserver.auth: SYSUAF accounts and POP_SECRET.DAT, through protocol.Session on a real root."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

import pytest

from popserver import headers as H
from popserver import maildrop as M
from popserver import protocol as P
from popserver.auth import (
    CACHE_SECONDS,
    PasswordCache,
    SysuafAuthenticator,
    account_of,
    cache_seconds_for,
)
from popserver.config import Security, Settings
from vmsenv import uaf
from vmsenv.mail import store as ms

HOST = "vms.example.com"
NOW = dt.datetime(2026, 11, 29, 11, 25)
PASSWORD = "SECRET1"
PAST = dt.datetime(2020, 1, 1)
ACCOUNTS = {
    "SMITH": {"authorized": ((True, "OPER"),)},
    "GONE": {"flags": ((True, "DISUSER"),)},
    "NOMAIL": {"flags": ((False, "DISUSER"), (True, "DISMAIL"))},
    "OLD": {"expiration": PAST},
}


@pytest.fixture
def auth(root, process, monkeypatch):
    monkeypatch.setattr(uaf, "SCRYPT_N", 2 ** 4)     # cheap hashes: the tests are about logic
    for name, changes in ACCOUNTS.items():
        base = {"flags": ((False, "DISUSER"),), "password": PASSWORD, "directory": f"[{name}]"}
        base.update(changes)
        uaf.add(root, name, base)
        uaf.create_login_directory(root, uaf.get(root, name))
    return SysuafAuthenticator.for_process(process)


def home(auth: SysuafAuthenticator, user: str):
    return auth.directories.login_directory(auth.directories.record(user))


def session(auth, **options) -> P.Session:
    config = P.SessionConfig.from_settings(Settings(**options), host=HOST, started=NOW,
                                           tls_available=False, failure_delay=0)
    store = M.VmsMailstore(auth.directories, policy=H.HeaderPolicy(),
                           host=H.HostEnvironment(HOST))
    s = P.Session(config, auth, store, None, connection_id=7, now=NOW)
    s.greeting()
    return s


def send(s: P.Session, line: str) -> bytes:
    return s.receive(line.encode("latin-1") + b"\r\n")


def apop(s: P.Session, user: str, secret: str) -> bytes:
    digest = hashlib.md5((s.timestamp + secret).encode("latin-1")).hexdigest()
    return send(s, f"APOP {user} {digest}")


def write_secret(auth, user: str, data: bytes, name: str = "pop_secret.dat") -> None:
    (home(auth, user) / name).write_bytes(data)


# ------------------------------------------------------------------ accounts
def test_find_account_maps_the_record(auth):
    smith = auth.find_account("smith")
    assert smith == P.Account("SMITH", privileges=frozenset({"OPER", "TMPMBX", "NETMBX"}))
    assert auth.find_account("gone").disuser
    nomail = auth.find_account("NoMail")
    assert nomail.dismail and not nomail.disuser
    assert auth.find_account("old").expired
    assert auth.find_account("nobody") is None
    assert auth.find_account("not a name!") is None
    assert auth.find_account("x" * 40) is None


def test_expiry_is_judged_at_the_call(auth):
    uaf.modify(auth.directories.root(), "SMITH", {"expiration": dt.datetime(2030, 1, 1)})
    assert not auth.find_account("SMITH").expired
    later = SysuafAuthenticator(auth.directories, clock=lambda: dt.datetime(2030, 1, 2))
    assert later.find_account("SMITH").expired
    record = uaf.get(auth.directories.root(), "SMITH")
    assert account_of(record, dt.datetime(2029, 12, 31)).expired is False


def test_verify_password(auth):
    smith = auth.find_account("SMITH")
    assert auth.verify_password(smith, "secret1")          # case-blind without PWDMIX
    assert not auth.verify_password(smith, "secret2")
    assert not auth.verify_password(smith, "")
    assert auth.verify_password(auth.find_account("GONE"), PASSWORD)  # flags not judged here


# ------------------------------------------------------------------ through the protocol
def test_user_pass_login(auth):
    s = session(auth)
    assert send(s, "USER smith") == b'+OK Password required for "smith"\r\n'
    assert send(s, "PASS secret1") == b"+OK Username/password combination ok\r\n"
    assert s.logged_in and s.account.username == "SMITH"


def test_wrong_password_and_unknown_user(auth):
    s = session(auth)
    send(s, "USER smith")
    assert send(s, "PASS wrong1") == b'-ERR [AUTH] password supplied for "smith" is incorrect\r\n'
    assert send(s, "USER nobody") == b'-ERR [AUTH] user "nobody" is unknown\r\n'
    assert s.closed                                   # two failures per connection


@pytest.mark.parametrize("user, text", [
    ("gone", b'-ERR [AUTH] account "gone" is disabled\r\n'),
    ("nomail", b'-ERR [AUTH] mail is disabled for account "nomail"\r\n'),
    ("old", b'-ERR [AUTH] account "old" has expired\r\n'),
])
def test_disuser_dismail_expired_refused(auth, user, text):
    s = session(auth)
    send(s, f"USER {user}")
    assert send(s, f"PASS {PASSWORD}") == text
    assert not s.logged_in
    refused = [e for e in s.take_events() if isinstance(e, P.LoginRefused)]
    assert [e.reason.name for e in refused] == [{"gone": "DISUSER", "nomail": "DISMAIL",
                                                  "old": "EXPIRED"}[user]]


def test_secure_refusals_say_nothing(auth):
    s = session(auth, security=Security.SECURE)
    assert send(s, "USER gone") == b'+OK Password required for "gone"\r\n'
    assert send(s, f"PASS {PASSWORD}") == b'-ERR [AUTH] Access to user account "gone" denied\r\n'


# ------------------------------------------------------------------ APOP
def test_apop_with_pop_secret_dat(auth):
    write_secret(auth, "SMITH", b"tanstaaf\r\nsecond line is ignored\n")
    assert auth.apop_secret(auth.find_account("SMITH")) == "tanstaaf"
    s = session(auth)
    assert apop(s, "smith", "tanstaaf") == b"+OK APOP authentication ok\r\n"
    assert s.logged_in


def test_apop_wrong_digest(auth):
    write_secret(auth, "SMITH", b"tanstaaf\n")
    s = session(auth)
    assert apop(s, "smith", "tanstaaF") == b'-ERR [AUTH] digest supplied for "smith" is incorrect\r\n'


def test_apop_without_secret(auth):
    smith = auth.find_account("SMITH")
    assert auth.apop_secret(smith) is None
    write_secret(auth, "SMITH", b"\n")
    assert auth.apop_secret(smith) is None               # an empty line is no secret
    s = session(auth)
    assert apop(s, "smith", "") == b'-ERR [AUTH] no APOP secret (POP_SECRET.DAT) for "smith"\r\n'


def test_apop_secret_limit(auth):
    smith = auth.find_account("SMITH")
    write_secret(auth, "SMITH", b"s" * 500 + b"\n")
    s = session(auth)
    assert apop(s, "smith", "s" * 500).startswith(b"+OK")
    write_secret(auth, "SMITH", b"s" * 501 + b"\n")
    assert len(auth.apop_secret(smith)) == 501
    s = session(auth)
    assert apop(s, "smith", "s" * 501) == \
        b'-ERR [AUTH] APOP secret of "smith" is longer than 500 characters\r\n'
    write_secret(auth, "SMITH", b"s" * 5000)
    assert len(auth.apop_secret(smith)) > 500             # read far enough to refuse


def test_apop_newest_version_any_case(auth):
    write_secret(auth, "SMITH", b"old\n")
    write_secret(auth, "SMITH", b"newer\n", "POP_SECRET.DAT;3")
    write_secret(auth, "SMITH", b"middle\n", "pop_secret.dat;2")
    assert auth.apop_secret(auth.find_account("SMITH")) == "newer"


def test_apop_secret_latin1(auth):
    write_secret(auth, "SMITH", "s\u00e9same".encode("latin-1") + b"\n")
    assert auth.apop_secret(auth.find_account("SMITH")) == "s\u00e9same"
    s = session(auth)
    assert apop(s, "smith", "s\u00e9same").startswith(b"+OK")


def test_apop_refuses_dismail(auth):
    write_secret(auth, "NOMAIL", b"key\n")
    s = session(auth)
    assert apop(s, "nomail", "key") == b'-ERR [AUTH] mail is disabled for account "nomail"\r\n'


def test_apop_secret_follows_relocated_mail(auth):
    write_secret(auth, "SMITH", b"login directory\n")
    target = home(auth, "SMITH") / "mail"
    target.mkdir()
    with ms.MailFile(home(auth, "SMITH")) as mf:
        mf.relocate(target)
    (target / "pop_secret.dat").write_bytes(b"mail directory\n")
    assert auth.apop_secret(auth.find_account("SMITH")) == "mail directory"


def test_from_context_and_threads(auth, process, root):
    class Context:
        roots = M.ThreadRoots(root)
        settings = Settings()
        files_lock = threading.RLock()
        log = None
    Context.process = process
    a = SysuafAuthenticator.from_context(Context)
    write_secret(auth, "SMITH", b"k\n")
    found: list = []

    def work() -> None:
        for _ in range(20):
            found.append((a.find_account("SMITH").username, a.find_account("GONE").disuser,
                          a.apop_secret(a.find_account("SMITH"))))
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert found == [("SMITH", True, "k")] * 80


# ------------------------------------------------------------------ the password cache
class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def scrypts(monkeypatch):
    """The scrypt computations done (one entry per uaf._derive call)."""
    calls: list[str] = []
    real = uaf._derive

    def counting(text, salt, n, r, p):
        calls.append(text)
        return real(text, salt, n, r, p)
    monkeypatch.setattr(uaf, "_derive", counting)
    return calls


@pytest.fixture
def cached(auth):
    clock = Clock()
    a = SysuafAuthenticator(auth.directories, cache_seconds=600, monotonic=clock)
    a.test_clock = clock
    return a


def login(a, user: str, password: str) -> bytes:
    s = session(a)
    send(s, f"USER {user}")
    return send(s, f"PASS {password}")


def test_cache_remembers_successful_checks(cached, scrypts):
    smith = cached.find_account("SMITH")
    assert cached.verify_password(smith, "secret1") and len(scrypts) == 1
    assert cached.verify_password(smith, "secret1") and len(scrypts) == 1     # no scrypt
    assert cached.verify_password(smith, "SECRET1") and len(scrypts) == 2     # as typed
    assert len(cached.cache) == 2
    assert login(cached, "smith", "secret1") == b"+OK Username/password combination ok\r\n"
    assert len(scrypts) == 2


def test_failed_checks_always_pay(cached, scrypts):
    smith = cached.find_account("SMITH")
    for _ in range(3):
        assert not cached.verify_password(smith, "wrong1")
    assert len(scrypts) == 3 and len(cached.cache) == 0
    assert cached.verify_password(smith, PASSWORD)
    assert not cached.verify_password(smith, "wrong1")
    assert len(scrypts) == 5
    assert login(cached, "smith", "wrong1") == \
        b'-ERR [AUTH] password supplied for "smith" is incorrect\r\n'
    assert len(scrypts) == 6


def test_a_changed_password_misses(cached, scrypts):
    smith = cached.find_account("SMITH")
    assert cached.verify_password(smith, PASSWORD)
    uaf.set_password(cached.directories.root(), "SMITH", "newpass")
    scrypts.clear()
    assert not cached.verify_password(smith, PASSWORD)
    assert cached.verify_password(smith, "newpass")
    assert cached.verify_password(smith, "newpass")
    assert len(scrypts) == 2
    uaf.modify(cached.directories.root(), "SMITH", {"password": None})     # no password at all
    assert not cached.verify_password(smith, "newpass")
    assert len(scrypts) == 3


def test_entries_expire(cached, scrypts):
    smith = cached.find_account("SMITH")
    assert cached.verify_password(smith, PASSWORD)
    cached.test_clock.now += 599
    assert cached.verify_password(smith, PASSWORD) and len(scrypts) == 1
    cached.test_clock.now += 1                          # a hit does not extend the entry
    assert cached.verify_password(smith, PASSWORD) and len(scrypts) == 2
    assert len(cached.cache) == 1


@pytest.mark.parametrize("change, text", [
    ({"flags": ((True, "DISUSER"),)}, b'-ERR [AUTH] account "smith" is disabled\r\n'),
    ({"flags": ((True, "DISMAIL"),)}, b'-ERR [AUTH] mail is disabled for account "smith"\r\n'),
    ({"expiration": PAST}, b'-ERR [AUTH] account "smith" has expired\r\n'),
])
def test_flags_and_expiry_are_checked_every_time(cached, scrypts, change, text):
    assert login(cached, "smith", PASSWORD).startswith(b"+OK")
    uaf.modify(cached.directories.root(), "SMITH", change)
    scrypts.clear()
    assert login(cached, "smith", PASSWORD) == text
    assert len(scrypts) == 1                            # not served from the cache


def test_disabled_accounts_are_not_cached(cached, scrypts):
    gone = cached.find_account("GONE")
    for _ in range(2):
        assert cached.verify_password(gone, PASSWORD)
    assert len(scrypts) == 2 and len(cached.cache) == 0
    s = session(cached, security=Security.SECURE)
    send(s, "USER gone")
    assert send(s, f"PASS {PASSWORD}") == b'-ERR [AUTH] Access to user account "gone" denied\r\n'
    assert len(scrypts) == 3


def test_cache_is_bounded():
    clock = Clock()
    cache = PasswordCache(600, entries=3, monotonic=clock)
    keys = [cache.key("U", "h", str(i)) for i in range(5)]
    for k in keys:
        cache.add(k)
        clock.now += 1
    assert len(cache) == 3
    assert [k in cache for k in keys] == [False, False, True, True, True]
    clock.now += 600
    cache.add(keys[0])                                  # expired entries go on the next add
    assert len(cache) == 1 and keys[0] in cache


def test_cache_keys_are_keyed_digests():
    a, b = PasswordCache(600), PasswordCache(600)
    key = a.key("SMITH", "scrypt$U$16$8$1$c2FsdA==$a2V5", "SECRET1")
    assert len(key) == 32 and key != b.key("SMITH", "scrypt$U$16$8$1$c2FsdA==$a2V5", "SECRET1")
    assert key == a.key("SMITH", "scrypt$U$16$8$1$c2FsdA==$a2V5", "SECRET1")
    assert b"SECRET1" not in key and key != hashlib.sha256(b"SECRET1").digest()
    # The parts are length-prefixed: moving text between them gives another key.
    assert a.key("AB", "C", "D") != a.key("A", "BC", "D") != a.key("A", "B", "CD")
    assert a.key("U", "h", "\udcff") != a.key("U", "h", "\u00ff")   # no error, no clash


def test_cache_off(auth, scrypts):
    assert auth.cache is None                           # the constructor's default
    off = SysuafAuthenticator(auth.directories, cache_seconds=0)
    smith = off.find_account("SMITH")
    assert off.verify_password(smith, PASSWORD) and off.verify_password(smith, PASSWORD)
    assert len(scrypts) == 2 and off.cache is None


def test_the_cache_follows_tcpip_pop_security(root):
    """No logical name of its own: on (600 s) under FRIENDLY, the default; off under SECURE."""
    class Context:
        roots = M.ThreadRoots(root)
        settings = Settings()
    assert SysuafAuthenticator.from_context(Context).cache.seconds == CACHE_SECONDS == 600
    assert cache_seconds_for(Settings(security=Security.FRIENDLY)) == 600
    Context.settings = Settings(security=Security.SECURE)
    assert SysuafAuthenticator.from_context(Context).cache is None
    assert cache_seconds_for(Context.settings) == 0


def test_secure_server_pays_scrypt_every_time(root, auth, scrypts):
    class Context:
        roots = M.ThreadRoots(root)
        settings = Settings(security=Security.SECURE)
    secure = SysuafAuthenticator.from_context(Context)
    smith = secure.find_account("SMITH")
    for _ in range(2):
        assert secure.verify_password(smith, PASSWORD)
    assert len(scrypts) == 2
    Context.settings = Settings()
    friendly = SysuafAuthenticator.from_context(Context)
    for _ in range(2):
        assert friendly.verify_password(smith, PASSWORD)
    assert len(scrypts) == 3


def test_cache_across_threads(cached, scrypts):
    smith = cached.find_account("SMITH")
    results: list[bool] = []

    def work() -> None:
        for i in range(10):
            results.append(cached.verify_password(smith, PASSWORD if i % 2 else "wrong1"))
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == results.count(False) == 20
    assert len(cached.cache) == 1
    assert scrypts.count("SECRET1") >= 1 and scrypts.count("WRONG1") == 20
