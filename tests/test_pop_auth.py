"""popserver.auth: SYSUAF accounts and POP_SECRET.DAT, through protocol.Session on a real root."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

import pytest

from popserver import headers as H
from popserver import maildrop as M
from popserver import protocol as P
from popserver.auth import SysuafAuthenticator, account_of
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
