"""popserver.maildrop: POP sessions (protocol.Session) over real MAIL.MAI files of a real root."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import types

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from popserver import headers as H
from popserver import maildrop as M
from popserver import protocol as P
from popserver.auth import SysuafAuthenticator
from popserver.config import Rewrite, Settings
from vmsenv import condition as cond
from vmsenv import uaf
from vmsenv.condition import VMSError
from vmsenv.mail import store as ms
from vmsenv.mail.deliver import Deliverer, SmtpConfig

HOST = "vms.example.com"
NOW = dt.datetime(2026, 11, 29, 11, 25)
PASSWORD = "SECRET1"
SECRET = "tanstaaf"

BODIES = {
    "lf": b"one\ntwo\n",
    "crlf": b"one\r\ntwo\r\n",
    "dots": b".\n..\n.x\nmid.dle\n.\r\n",
    "no final newline": b"first\nlast line",
    "bare cr at end": b"text\r",
    "8-bit and NUL": b"\x00\xff\xe9t\xe9\n\x00\n",
    "large with dots": (b"." + b"y" * 1000 + b"\r\n") * 100,
}


def unstuff(wire: bytes) -> bytes:
    lines = wire.split(b"\r\n")
    assert lines[-1] == b""
    return b"".join((ln[1:] if ln.startswith(b".") else ln) + b"\r\n" for ln in lines[:-1])


def crlf_lines(data: bytes) -> bytes:
    """A body with every line end CR LF and a final line end (what POP sends of it)."""
    if not data:
        return b""
    parts = data.split(b"\n")
    last = parts.pop()
    out = b"".join((p[:-1] if p.endswith(b"\r") else p) + b"\r\n" for p in parts)
    return out + (last + b"\r\n" if last else b"")


class Env:
    """A root with users SMITH and JONES (password and APOP secret), mail via Deliverer."""

    def __init__(self, root, process):
        self.root = root
        self.process = process
        for name in ("SMITH", "JONES"):
            uaf.add(root, name, {"flags": ((False, "DISUSER"),), "password": PASSWORD,
                                 "directory": f"[{name}]"})
            uaf.create_login_directory(root, uaf.get(root, name))
        self.host = H.HostEnvironment(HOST, tz=dt.timezone.utc)
        self.auth = SysuafAuthenticator.for_process(process)
        self.dirs = self.auth.directories
        for name in ("SMITH", "JONES"):
            (self.home(name) / "pop_secret.dat").write_text(SECRET + "\n")
        self.deliverer = Deliverer(self.mail_dir, config=SmtpConfig(host_name=HOST))
        self.connections = 0

    def home(self, user: str):
        return self.dirs.login_directory(uaf.get(self.root, user))

    def mail_dir(self, user: str):
        return self.dirs.mail_directory(uaf.get(self.root, user))

    def mail(self, user: str = "SMITH") -> ms.MailFile:
        return self.deliverer.mail_file(user)

    def deliver(self, body: bytes, day: int, user: str = "SMITH", subject: str = "test",
                vms_from: str = "JONES", minute: int = 0, **kw) -> int:
        [d] = self.deliverer.deliver(body, user, vms_from=vms_from, subject=subject,
                                     arrived=dt.datetime(2026, 11, day, 10, minute), **kw)
        return d.id

    def store(self, **options) -> M.VmsMailstore:
        s = Settings(**{k: v for k, v in options.items() if k in Settings.__dataclass_fields__})
        extra = {k: v for k, v in options.items() if k not in Settings.__dataclass_fields__}
        return M.for_process(self.process, s, self.host, **extra)

    def client(self, store: M.VmsMailstore, **options) -> Client:
        self.connections += 1
        config = P.SessionConfig.from_settings(Settings(**options), host=HOST, started=NOW,
                                               tls_available=False, failure_delay=0)
        return Client(P.Session(config, self.auth, store, None,
                                connection_id=self.connections, now=NOW))


class Client:
    def __init__(self, session: P.Session):
        self.s = session
        self.greeting = session.greeting()

    def cmd(self, line: str) -> bytes:
        return self.s.receive(line.encode("latin-1") + b"\r\n")

    def ok(self, line: str) -> str:
        out = self.cmd(line)
        assert out.startswith(b"+OK"), out
        return out.decode("latin-1").strip()

    def multi(self, line: str) -> tuple[str, bytes]:
        out = self.cmd(line)
        assert out.startswith(b"+OK"), out
        first, _, rest = out.partition(b"\r\n")
        assert rest.endswith(b".\r\n")
        return first.decode("latin-1"), rest[:-3]

    def apop(self, user: str = "smith", secret: str = SECRET) -> bytes:
        digest = hashlib.md5((self.s.timestamp + secret).encode()).hexdigest()
        return self.cmd(f"APOP {user} {digest}")

    def login(self, user: str = "smith") -> Client:
        out = self.apop(user)
        assert out.startswith(b"+OK"), out
        return self

    def listing(self, verb: str = "LIST") -> dict[int, str]:
        _, payload = self.multi(verb)
        pairs = (line.split(b" ", 1) for line in payload.split(b"\r\n")[:-1])
        return {int(n): v.decode() for n, v in pairs}

    def retr(self, n: int) -> tuple[int, bytes]:
        first, payload = self.multi(f"RETR {n}")
        return int(first.split()[1]), payload

    def drop(self) -> M.VmsMaildrop:
        return self.s._drop


@pytest.fixture
def env(root, process, monkeypatch):
    monkeypatch.setattr(uaf, "SCRYPT_N", 2 ** 4)     # cheap password hashes
    e = Env(root, process)
    yield e
    e.deliverer.close()


def folder_ids(mf: ms.MailFile, folder: str) -> list[int]:
    return [r.id for r in mf.list(folder)]


# ------------------------------------------------------------------ a whole session
def test_full_session_every_byte_and_deletions_at_quit(env):
    ids = {name: env.deliver(body, 1, subject=name, minute=i)
           for i, (name, body) in enumerate(BODIES.items())}
    store = env.store()
    c = env.client(store)
    assert c.ok("USER smith") == '+OK Password required for "smith"'
    assert c.ok(f"PASS {PASSWORD.lower()}") == "+OK Username/password combination ok"
    count, octets = map(int, c.ok("STAT").split()[1:])
    assert count == len(BODIES)
    sizes = c.listing("LIST")
    uids = c.listing("UIDL")
    assert sum(int(s) for s in sizes.values()) == octets
    mf = env.mail()
    for n, (name, body) in enumerate(BODIES.items(), 1):
        announced, payload = c.retr(n)
        text = unstuff(payload)
        assert announced == len(text) == int(sizes[n])
        head, sep, rest = text.partition(b"\r\n\r\n")
        assert rest == crlf_lines(body), name
        lines = head.decode("latin-1").split("\r\n")
        assert lines[0] == "Date: Sun, 01 Nov 2026 10:%02d:00 +0000" % (n - 1)
        assert f"Subject: {name}" in lines
        assert "X-VMS-From: JONES" in lines and f"From: jones@{HOST}" in lines
        assert uids[n] == P.uidl("SMITH", mf.info(ids[name]).arrival_utc, ids[name])
    assert c.ok("DELE 1") == "+OK message 1 deleted"
    assert c.ok("DELE 3") == "+OK message 3 deleted"
    # nothing happens before QUIT
    assert len(mf.list(ms.NEWMAIL)) == len(BODIES) and mf.count(ms.MAIL) == 0
    assert c.ok("QUIT") == f"+OK POP server at {HOST} signing off."
    assert c.s.closed
    gone = {ids["lf"], ids["dots"]}
    assert not gone & set(folder_ids(mf, ms.NEWMAIL) + folder_ids(mf, ms.MAIL))
    assert mf.count(ms.NEWMAIL) == 0            # every other one was read: moved to MAIL
    assert sorted(folder_ids(mf, ms.MAIL)) == sorted(set(ids.values()) - gone)
    assert not any(r.is_new for r in mf.list(ms.MAIL))
    assert mf.deleted_bytes() > 0               # erased, not reclaimed without PURGE_RECLAIM


def test_unread_mail_stays_in_newmail(env):
    a = env.deliver(b"first\n", 1)
    b = env.deliver(b"second\n", 2)
    c = env.client(env.store()).login()
    c.retr(2)
    c.ok("QUIT")
    mf = env.mail()
    assert folder_ids(mf, ms.NEWMAIL) == [a]
    assert folder_ids(mf, ms.MAIL) == [b]


def test_dropped_session_changes_nothing(env):
    ids = [env.deliver(b"message %d\n" % i, i + 1) for i in range(3)]
    store = env.store(purge_reclaim=True)
    c = env.client(store, purge_reclaim=True).login()
    c.retr(1)
    c.ok("DELE 1")
    c.ok("DELE 2")
    c.s.connection_lost()
    mf = env.mail()
    assert folder_ids(mf, ms.NEWMAIL) == ids
    assert all(r.is_new for r in mf.list(ms.NEWMAIL))
    assert mf.deleted_bytes() == 0
    again = env.client(store).login()            # the lock went with the session
    assert again.ok("STAT").startswith("+OK 3 ")


def test_second_session_is_in_use(env):
    env.deliver(b"x\n", 1)
    store = env.store()
    first = env.client(store).login()
    second = env.client(store)
    out = second.apop()
    assert out == b'-ERR [IN-USE] maildrop of "smith" is in use by another POP session\r\n'
    assert not second.s.logged_in
    other = env.client(env.store()).login("jones")     # another user is not affected
    other.ok("QUIT")
    first.ok("QUIT")
    second.login()


def test_in_use_across_mailstores(env):
    """The lock is an flock: a second server (another Mailstore) is refused as well."""
    env.deliver(b"x\n", 1)
    first = env.client(env.store()).login()
    with pytest.raises(P.MaildropInUse):
        env.store().open(P.Account("SMITH"), (P.NEWMAIL,))
    first.s.connection_lost()
    env.store().open(P.Account("SMITH"), (P.NEWMAIL,)).release()


# ------------------------------------------------------------------ UIDL
def test_uidl_stable_across_sessions_restarts_and_moves(env):
    ids = [env.deliver(b"m%d\n" % i, 1) for i in range(3)]    # the same arrival time
    c = env.client(env.store()).login()
    first = c.listing("UIDL")
    assert len(set(first.values())) == 3
    utc = env.mail().info(ids[0]).arrival_utc
    for n, mid in enumerate(ids, 1):
        uid = first[n]
        assert uid == f"SMITH.{utc:%Y%m%d%H%M%S}000000.{mid}"
        assert 1 <= len(uid) <= 70 and all("!" <= ch <= "~" for ch in uid)
    c.retr(2)
    c.ok("QUIT")                                   # message 2 moves to MAIL
    assert folder_ids(env.mail(), ms.MAIL) == [ids[1]]
    again = env.client(env.store()).login()        # a new Mailstore: a restarted server
    assert again.listing("UIDL") == {1: first[1], 2: first[3]}
    again.ok("QUIT")
    both = env.client(env.store(use_mail_folder=True), use_mail_folder=True).login()
    assert sorted(both.listing("UIDL").values()) == sorted(first.values())


def test_uids_survive_relocation(env):
    env.deliver(b"x\n", 1)
    c = env.client(env.store()).login()
    before = c.listing("UIDL")
    c.ok("QUIT")
    target = env.home("SMITH") / "mail"
    target.mkdir()
    env.mail().relocate(target)
    (target / "pop_secret.dat").write_text(SECRET)   # APOP reads the mail directory
    after = env.client(env.store()).login()
    assert after.listing("UIDL") == before
    assert after.drop()._mf.directory == target.resolve()


# ------------------------------------------------------------------ folders
def test_leave_in_newmail(env):
    ids = [env.deliver(b"m%d\n" % i, i + 1) for i in range(2)]
    c = env.client(env.store(), leave_in_newmail=True).login()
    c.retr(1)
    c.retr(2)
    c.ok("QUIT")
    mf = env.mail()
    assert folder_ids(mf, ms.NEWMAIL) == ids and mf.count(ms.MAIL) == 0


def test_use_mail_folder_serves_mail_and_newmail(env):
    old = env.deliver(b"read before\n", 1, subject="old")
    env.mail().move([old], ms.MAIL)
    new = [env.deliver(b"n%d\n" % i, i + 2) for i in range(2)]
    gone = env.deliver(b"to delete\n", 9)
    store = env.store(use_mail_folder=True)
    c = env.client(store, use_mail_folder=True).login()
    assert c.ok("STAT").startswith("+OK 4 ")
    _, payload = c.retr(1)
    assert b"Subject: old\r\n" in payload          # oldest first, from MAIL
    c.ok("DELE 4")
    c.ok("QUIT")
    mf = env.mail()
    assert mf.count(ms.NEWMAIL) == 0               # all mail moved to MAIL, read or not
    assert sorted(folder_ids(mf, ms.MAIL)) == sorted([old, *new])
    assert gone not in folder_ids(mf, ms.MAIL)


def test_deletion_from_mail_folder(env):
    a = env.deliver(b"a\n", 1)
    env.mail().move([a], ms.MAIL)
    c = env.client(env.store(), use_mail_folder=True).login()
    c.ok("DELE 1")
    c.ok("QUIT")
    assert env.mail().count(ms.MAIL) == 0


def test_message_maximum_presents_the_oldest(env):
    ids = [env.deliver(b"m%d\n" % i, i + 1) for i in range(4)]
    c = env.client(env.store(), message_maximum=2).login()
    assert c.ok("STAT").startswith("+OK 2 ")
    c.ok("DELE 1")
    c.ok("DELE 2")
    c.ok("QUIT")
    assert folder_ids(env.mail(), ms.NEWMAIL) == ids[2:]
    c = env.client(env.store(), message_maximum=2).login()
    assert c.ok("STAT").startswith("+OK 2 ")


def test_foreign_messages_are_noted_and_never_deleted(env):
    fid = env.deliver(b"\x00\x01binary\x02", 1, subject="data file", flags=ms.F_FOREIGN | ms.F_NEW)
    c = env.client(env.store()).login()
    drop = c.drop()
    size, payload = c.retr(1)
    assert drop.reads == 0                          # the body is never read
    head, _, rest = unstuff(payload).partition(b"\r\n\r\n")
    assert rest == H.FOREIGN_NOTE and b"Subject: data file" in head
    assert size == len(unstuff(payload))
    assert c.ok("DELE 1").startswith("+OK message 1 is in foreign format")
    drop.commit(P.Changes(delete=(fid,)))          # even asked directly: never deleted
    assert env.mail().info(fid).folder == ms.NEWMAIL
    c = env.client(env.store()).login()
    c.ok("DELE 1")
    c.ok("QUIT")
    assert folder_ids(env.mail(), ms.MAIL) == [fid]


# ------------------------------------------------------------------ retrieval
def test_wire_bytes_built_once_per_session(env):
    body = b"line 1\n.line 2\nline 3\nline 4\n"
    env.deliver(body, 1)
    c = env.client(env.store()).login()
    drop = c.drop()
    assert drop.reads == 0                          # listing reads no body
    first = c.retr(1)
    top = c.multi("TOP 1 2")[1]
    second = c.retr(1)
    assert first == second and drop.reads == 1
    head = first[1].partition(b"\r\n\r\n")[0] + b"\r\n\r\n"
    assert top == head + b"line 1\r\n..line 2\r\n"
    assert c.multi("TOP 1 0")[1] == head
    assert c.multi("TOP 1 99")[1] == first[1]
    assert drop.reads == 1


def test_top_matches_frame_message(env):
    mid = env.deliver(b"a\n.b\r\nc", 1)
    c = env.client(env.store()).login()
    row = env.mail().info(mid)
    uid = c.listing("UIDL")[1]
    lines = H.build_headers(M._vms_headers(row), H.HeaderPolicy(), env.host, uid)
    for n in range(5):
        assert c.multi(f"TOP 1 {n}")[1] == P.frame_message(lines, b"a\n.b\r\nc", n)


def test_wire_ready_body_sent_as_stored(env):
    body = b"already\r\nin POP form\r\n" * 4000         # external (above 64 KiB)
    mid = env.deliver(body, 1)
    assert env.mail().info(mid).wire_ready and env.mail().info(mid).external
    c = env.client(env.store()).login()
    size, payload = c.retr(1)
    assert payload.endswith(b"\r\n\r\n" + body)
    assert size == len(payload)


def test_session_cache_is_bounded(env):
    for i in range(3):
        env.deliver(b"x" * 1000 + b"\n", i + 1)
    c = env.client(env.store(wire_cache_bytes=2500)).login()
    for n in (1, 2, 3):
        c.retr(n)
    drop = c.drop()
    assert len(drop._wire) == 2 and drop.reads == 3
    c.retr(3)
    assert drop.reads == 3
    c.retr(1)
    assert drop.reads == 4


def test_message_that_vanished_is_sys_temp(env):
    mid = env.deliver(b"x\n", 1)
    c = env.client(env.store()).login()
    env.mail().erase([mid])                          # VMS MAIL is not stopped by the lock
    assert c.cmd("RETR 1") == b"-ERR [SYS/TEMP] message 1 cannot be read\r\n"


# ------------------------------------------------------------------ sizes
def test_exact_sizes_equal_what_retr_sends(env):
    for i, body in enumerate(BODIES.values()):
        env.deliver(body, i + 1, vms_from=["JONES", 'SMTP%"a@b.org"', "NODE::USER",
                                             'NODE::"x@y.org"', "A::B::C"][i % 5],
                    subject="" if i == 2 else f"subject {i}", cc="SMITH" if i % 2 else "")
    for options in ({}, {"send_id_headers": True, "personal_name": True},
                    {"decnet_rewrite": Rewrite.GENERIC}):
        c = env.client(env.store(**options)).login()
        sizes = c.listing()
        for n in sizes:
            size, payload = c.retr(n)
            assert int(sizes[n]) == size == len(unstuff(payload))
        assert c.drop().reads == len(BODIES)
        c.s.connection_lost()


def test_fast_scan_estimates_without_reading(env, monkeypatch):
    bodies = [b"short\n", b"crlf\r\nlines\r\n", b"no end"]
    for i, body in enumerate(bodies):
        env.deliver(body, i + 1, subject=f"s{i}")
    monkeypatch.setattr(ms.MailFile, "read", lambda *a: pytest.fail("body read"))
    c = env.client(env.store(fast_scan=True)).login()
    sizes = c.listing()
    rows = env.mail().list(ms.NEWMAIL)
    for n, row in enumerate(rows, 1):
        want = (M.HEADER_ALLOWANCE + 2 * len(row.vms_from) + len(row.to) + len(row.cc)
                + len(row.subject) + row.size + row.lines)
        assert int(sizes[n]) == want
    assert c.ok("STAT") == f"+OK 3 {sum(int(s) for s in sizes.values())}"
    c.s.connection_lost()
    monkeypatch.undo()
    exact = env.client(env.store()).login()
    sent = [exact.retr(n)[0] for n in (1, 2, 3)]
    assert sent == [int(s) for s in exact.listing().values()]
    assert sent != [int(s) for s in sizes.values()]    # an estimate


def test_ignore_mail11_headers_reads_bodies_to_count(env):
    env.deliverer.config = SmtpConfig(header_control="TOP_HEADERS", host_name=HOST)
    message = (b"From: Ann <ann@example.org>\nSubject: MIME\nMIME-Version: 1.0\n\n"
               b"body\n.dot\n")
    env.deliverer.deliver(message, "SMITH", arrived=dt.datetime(2026, 11, 1))
    env.deliver(b"vms body\n", 2)                  # VMS From: JONES: built headers
    policy = H.HeaderPolicy(use_body_headers=True, send_id_headers=True, server_id="x")
    c = env.client(env.store(policy=policy)).login()
    drop = c.drop()
    assert drop.reads == 1                          # only the SMTP message, at open
    sizes = c.listing()
    size, payload = c.retr(1)
    assert drop.reads == 1                          # kept from the open
    assert int(sizes[1]) == size == len(unstuff(payload))
    assert payload.startswith(b"From: Ann <ann@example.org>\r\nSubject: MIME\r\n"
                              b"MIME-Version: 1.0\r\nX-POP3-Server: x\r\nX-POP3-ID: SMITH.")
    assert payload.endswith(b"\r\n\r\nbody\r\n..dot\r\n")
    size2, payload2 = c.retr(2)
    assert int(sizes[2]) == size2 == len(unstuff(payload2))
    fast = env.client(env.store(policy=policy, fast_scan=True)).s
    c.s.connection_lost()
    fast.receive(b"APOP smith " + hashlib.md5((fast.timestamp + SECRET).encode())
                 .hexdigest().encode() + b"\r\n")
    assert fast._drop.reads == 0


ROW_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=0x17F), max_size=30)


@settings(max_examples=150, deadline=None)
@given(vms_from=st.one_of(ROW_TEXT, st.sampled_from(
           ['SMTP%"a@b.org"', 'SMTP%"\u00a2x\u00a2@y"', "N::U", 'N::"u@h"', "A::B::C",
            'N::SMTP%"q@r"', "USER", 'X::Y "Pers, Name"', "", "  "])),
       to=ROW_TEXT, cc=ROW_TEXT, subject=ROW_TEXT,
       body=st.binary(max_size=60), foreign=st.booleans(),
       send_id=st.booleans(), personal=st.booleans(),
       rewrite=st.sampled_from(list(Rewrite)), newline=st.booleans(),
       year=st.sampled_from([5, 999, 1001, 2026, 9998]))
def test_computed_size_is_the_framed_size(vms_from, to, cc, subject, body, foreign, send_id,
                                          personal, rewrite, newline, year):
    if newline:
        subject += "\nx\r.y"
    host = H.HostEnvironment("h.example.com", substitute_domain="example.com",
                             node_to_host=lambda n: "n.example.com" if n == "N" else None,
                             tz=dt.timezone(dt.timedelta(hours=-5)))
    policy = H.HeaderPolicy(personal_name=personal, decnet_rewrite=rewrite,
                            quoted_decnet_rewrite=rewrite, send_id_headers=send_id,
                            server_id="h.example.com POP server")
    lines, octets, ready = ms.body_stats(body)
    arrived = ms.arrival_us(dt.datetime(year, 7, 1, 12, 0, 0, 123456))
    row = ms.MessageInfo(7, "T.7", ms.NEWMAIL, arrived, ms.F_FOREIGN if foreign else 0,
                         len(body), octets, lines, int(ready), vms_from, to, cc, subject,
                         ms.LAYOUT_NONE, 0, 0, 0, 0)
    uid = P.uidl("SMITH", ms.local_time(arrived), 7)
    built = H.build_message(M._vms_headers(row), body, uid=uid, policy=policy, host=host,
                            foreign=foreign)
    framed = P.frame_message(built.header_lines, built.body)
    assert M._Sizer(policy, host, False).size(row, uid) == P.wire_size(framed)


# ------------------------------------------------------------------ QUIT
def test_purge_reclaim(env):
    for i in range(3):
        env.deliver(b"x" * 5000 + b"\n", i + 1)
    c = env.client(env.store(), purge_reclaim=True).login()
    c.ok("DELE 1")
    c.ok("QUIT")
    mf = env.mail()
    assert mf.count(ms.NEWMAIL) == 2 and mf.deleted_bytes() == 0
    c = env.client(env.store()).login()
    c.ok("DELE 1")
    c.ok("QUIT")
    assert mf.deleted_bytes() > 5000


def test_commit_is_one_transaction(env, monkeypatch):
    ids = [env.deliver(b"m%d\n" % i, i + 1) for i in range(3)]
    store = env.store()
    c = env.client(store).login()
    c.retr(3)
    c.ok("DELE 1")

    def broken(self, *a, **kw):
        raise VMSError(cond.VMSENV_MAILERR, "MAIL.MAI", "disk full")
    monkeypatch.setattr(ms.Batch, "move", broken)
    out = c.cmd("QUIT")
    assert out == b"-ERR [SYS/TEMP] mail file not updated: no message was deleted or moved\r\n"
    monkeypatch.undo()
    assert folder_ids(env.mail(), ms.NEWMAIL) == ids    # the erase was rolled back
    env.client(store).login()                             # and the lock released


def test_concurrent_changes_are_respected(env):
    """Mail moved elsewhere by VMS MAIL during the session is neither erased nor moved."""
    a = env.deliver(b"a\n", 1)
    b = env.deliver(b"b\n", 2)
    c = env.client(env.store()).login()
    c.retr(2)
    c.ok("DELE 1")
    env.mail().move([a, b], "SAVED")
    c.ok("QUIT")
    assert sorted(folder_ids(env.mail(), "SAVED")) == [a, b]


# ------------------------------------------------------------------ where the mail is
def test_user_without_mail_file(env):
    store = env.store()
    c = env.client(store).login("jones")
    assert c.ok("STAT") == "+OK 0 0"
    assert env.client(store).apop("jones").startswith(b"-ERR [IN-USE]")
    c.ok("QUIT")
    assert ms.find_mail_file(env.home("JONES")) is None


def test_user_without_login_directory(env):
    uaf.modify(env.root, "JONES", {"directory": "[NOWHERE]"})
    store = env.store()
    assert store.open(P.Account("JONES"), (P.NEWMAIL,)).messages() == []


def test_directories_follow_system_names_and_the_profile(env):
    from vmsenv.mail import profile

    record = uaf.get(env.root, "SMITH")
    assert env.dirs.login_directory(record) == env.root.sysdevice / "smith"
    assert env.dirs.mail_directory_spec(record) == "SYS$SYSDEVICE:[SMITH]"
    env.process.lnm.crelnm("USERS$DISK", (("SYS$SYSDEVICE:", 0),), "LNM$SYSTEM", system=True)
    uaf.modify(env.root, "SMITH", {"device": "USERS$DISK:"})
    moved = uaf.get(env.root, "SMITH")
    assert env.dirs.login_directory(moved) == env.root.sysdevice / "smith"
    env.deliver(b"x\n", 1)
    (env.home("SMITH") / "mail").mkdir()
    env.mail().relocate(env.home("SMITH") / "mail")  # what SET MAIL_DIRECTORY [.MAIL] does
    profile.update(env.root, "SMITH", sub_directory="[.MAIL]")
    assert env.dirs.mail_directory_spec(moved) == "USERS$DISK:[SMITH.MAIL]"
    assert env.dirs.mail_directory(moved) == (env.home("SMITH") / "mail").resolve()
    (env.home("SMITH") / "mail" / "pop_secret.dat").write_text(SECRET)
    c = env.client(env.store()).login()
    assert c.ok("STAT").startswith("+OK 1 ")


def test_from_context(env):
    env.deliver(b"x\n", 1)
    context = types.SimpleNamespace(
        process=env.process, roots=M.ThreadRoots(env.root), files_lock=threading.RLock(),
        settings=Settings(fast_scan=True), host=env.host, policy=H.HeaderPolicy(), log=None,
        mail_directory=None)
    store = M.from_context(context)
    assert context.mail_directory(uaf.get(env.root, "SMITH")) == "SYS$SYSDEVICE:[SMITH]"
    assert store.fast_scan
    drop = store.open(P.Account("SMITH"), (P.NEWMAIL,))
    assert len(drop.messages()) == 1
    drop.release()


def test_sessions_in_threads(env):
    for user in ("SMITH", "JONES"):
        for i in range(5):
            env.deliver(b"m%d\n" % i, i + 1, user=user)
    store = env.store()
    results: dict[str, list[int]] = {}

    def work(user: str) -> None:
        for _ in range(5):
            drop = store.open(P.Account(user), (P.NEWMAIL,))
            results.setdefault(user, []).append(len(drop.messages()))
            drop.release()
    threads = [threading.Thread(target=work, args=(u,)) for u in ("SMITH", "JONES")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"SMITH": [5] * 5, "JONES": [5] * 5}


def test_listing_cache_reused_and_checked(env, monkeypatch):
    ids = [env.deliver(b"m%d\n" % i, i + 1) for i in range(3)]
    store = env.store()
    first = store.open(P.Account("SMITH"), (P.NEWMAIL,))
    listed = first.messages()
    first.release()
    calls = []
    real = M._Sizer.size
    monkeypatch.setattr(M._Sizer, "size", lambda self, row, uid: calls.append(row.id)
                        or real(self, row, uid))
    env.mail().set_flags([ids[1]], set=ms.F_FOREIGN)
    second = store.open(P.Account("SMITH"), (P.NEWMAIL,))
    assert calls == [ids[1]]                         # only the changed message
    again = second.messages()
    assert [m.uid for m in again] == [m.uid for m in listed]
    assert again[1].foreign and again[1].size != listed[1].size
    assert again[0] is listed[0]


def test_unreadable_body_does_not_close_the_maildrop(env, monkeypatch):
    env.deliverer.config = SmtpConfig(header_control="TOP_HEADERS", host_name=HOST)
    env.deliverer.deliver(b"From: a@b.org\nSubject: x\n\nbody\n", "SMITH",
                          arrived=dt.datetime(2026, 11, 1))
    env.deliver(b"fine\n", 2)

    def damaged(self, mid):
        raise VMSError(cond.VMSENV_MAILDAMAGED, str(mid), str(self.path), "body file missing")
    monkeypatch.setattr(ms.MailFile, "read", damaged)
    store = env.store(policy=H.HeaderPolicy(use_body_headers=True))
    c = env.client(store).login()
    assert c.ok("STAT").startswith("+OK 2 ")
    assert c.cmd("RETR 1") == b"-ERR [SYS/TEMP] message 1 cannot be read\r\n"
    c.s.connection_lost()
    monkeypatch.undo()
    c = env.client(store).login()                  # not remembered: counted again, exactly
    size, payload = c.retr(1)
    assert int(c.listing()[1]) == size == len(unstuff(payload))


# ------------------------------------------------------------------ listing reuse (generation)
@pytest.fixture
def listings(monkeypatch):
    """How often a maildrop read a listing from its mail file."""
    calls: list[tuple[str, ...]] = []
    real = ms.MailFile.listing

    def counting(self, folders):
        calls.append(tuple(folders))
        return real(self, folders)
    monkeypatch.setattr(ms.MailFile, "listing", counting)
    return calls


def opened(store: M.VmsMailstore, user: str = "SMITH", folders=(P.NEWMAIL,)):
    drop = store.open(P.Account(user), folders)
    listed = drop.messages()
    drop.release()
    return listed


def test_unchanged_mail_file_reuses_the_listing(env, listings):
    ids = [env.deliver(b"m%d\n" % i, i + 1) for i in range(3)]
    store = env.store()
    first = opened(store)
    second = opened(store)
    assert len(listings) == 1
    assert second == first and all(a is b for a, b in zip(first, second, strict=True))
    assert [m.key for m in second] == ids
    c = env.client(store, leave_in_newmail=True).login()     # retrieval changes nothing
    c.retr(2)
    c.ok("QUIT")
    opened(store)
    assert len(listings) == 1
    assert [m.key for m in opened(store, folders=(P.MAIL, P.NEWMAIL))] == ids
    assert len(listings) == 2                                # other folders: listed again


def test_delivery_through_another_connection_invalidates(env, listings):
    env.deliver(b"first\n", 1)
    store = env.store()
    assert len(opened(store)) == 1
    new = env.deliver(b"second\n", 2)                # the Deliverer's own MailFile
    listed = opened(store)
    assert [m.key for m in listed][-1] == new and len(listed) == 2
    assert len(listings) == 2
    env.mail().set_flags([new], set=ms.F_MARKED)       # any change counts
    opened(store)
    assert len(listings) == 3


def test_write_by_another_process_invalidates(env, listings):
    import subprocess
    import sys
    env.deliver(b"first\n", 1)
    store = env.store()
    assert len(opened(store)) == 1
    code = ("import sys; from vmsenv.mail import store as ms; "
            "m = ms.MailFile(sys.argv[1], create=False); "
            "m.add(ms.NewMessage(b'from elsewhere\\n', 'JONES', subject='other')); m.close()")
    subprocess.run([sys.executable, "-c", code, str(env.mail().path)], check=True, timeout=60)
    c = env.client(store).login()
    assert c.ok("STAT").startswith("+OK 2 ")
    _, payload = c.retr(2)
    assert b"Subject: other\r\n" in payload and b"from elsewhere" in payload
    assert len(listings) == 2


def test_session_changes_invalidate(env, listings):
    ids = [env.deliver(b"m%d\n" % i, i + 1) for i in range(3)]
    store = env.store()
    c = env.client(store).login()
    c.retr(1)
    c.ok("DELE 2")
    c.ok("QUIT")
    assert [m.key for m in opened(store)] == [ids[2]]        # 1 moved to MAIL, 2 erased
    assert len(listings) == 2


def test_reused_listing_is_not_changed_by_sessions(env, listings):
    ids = [env.deliver(b"m%d\n" % i, i + 1) for i in range(3)]
    store = env.store()
    drop = store.open(P.Account("SMITH"), (P.NEWMAIL,))
    drop.messages().clear()
    drop.release()
    assert [m.key for m in opened(store)] == ids
    c = env.client(store).login()
    c.ok("DELE 1")
    c.s.connection_lost()                                     # dropped: nothing changed
    assert [m.key for m in opened(store)] == ids
    assert len(listings) == 1


def test_listing_cache_is_per_user_and_bounded(env, listings):
    for user in ("SMITH", "JONES"):
        for i in range(3):
            env.deliver(b"m%d\n" % i, i + 1, user=user)
    store = env.store(listing_cache_entries=4)
    opened(store, "SMITH")
    opened(store, "JONES")                  # 6 messages > 4: SMITH's listing went
    opened(store, "JONES")
    assert len(listings) == 2
    opened(store, "SMITH")
    assert len(listings) == 3
