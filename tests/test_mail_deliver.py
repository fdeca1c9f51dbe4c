"""SMTP-style delivery: the VMS header lines, the body layouts, the original bytes recovered
exactly, errors that store nothing, many processes at once, and writers killed at random."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vmsenv import condition as cond
from vmsenv.mail import deliver as dv
from vmsenv.mail import store as ms
from vmsenv.mail.deliver import Deliverer, SmtpConfig, build_message, deliver, parse_message

REPO = Path(__file__).resolve().parent.parent
BOTTOM = SmtpConfig(host_name="vms.example.com")
TOP = SmtpConfig(header_control="TOP_HEADERS", host_name="vms.example.com")
NONE = SmtpConfig(header_control="NOHEADERS", host_name="vms.example.com")

SIMPLE = (b"Return-Path: <bounce@lists.example.org>\r\n"
          b"From: Joe Smith <joe@example.com>\r\n"
          b"To: smith@vms.example.com,\r\n\tjones@vms.example.com\r\n"
          b"Cc: boss@example.com\r\n"
          b"Subject: Quarterly\r\n report\r\n"
          b"MIME-Version: 1.0\r\n"
          b"\r\n"
          b"Hello,\r\n.dotted line\r\nFrom the start\r\n\xe9t\xe9\r\n")


@pytest.fixture
def users(tmp_path):
    dirs = {}
    for name in ("SMITH", "JONES"):
        d = tmp_path / name.lower()
        d.mkdir()
        dirs[name] = d
    return dirs


def stored(users, user="SMITH"):
    with ms.MailFile(users[user]) as mf:
        return [(info, mf.read(info.id)) for info in mf.list(ms.NEWMAIL)]


# ------------------------------------------------------------------ the VMS header lines
def test_smtp_delivery_headers(users):
    [d] = deliver(SIMPLE, "smith", mail_directory=users.get, config=BOTTOM)
    assert d.user == "SMITH" and d.path == users["SMITH"] / "mail.mai"
    [(info, body)] = stored(users)
    assert info.vms_from == 'SMTP%"joe@example.com"'
    assert info.to == "smith@vms.example.com,\tjones@vms.example.com"
    assert info.cc == "boss@example.com"
    assert info.subject == "Quarterly report"
    assert info.is_new and info.folder == ms.NEWMAIL


@pytest.mark.parametrize("headers,expected", [
    (b"From: a@x.org\nReply-To: r@x.org\nSender: s@x.org\n", "r@x.org"),
    (b"From: a@x.org\nSender: s@x.org\nResent-From: rf@x.org\n", "rf@x.org"),
    (b"Sender: s@x.org\nFrom: A <a@x.org>\n", "a@x.org"),
    (b"Sender: s@x.org\nFrom: undisclosed-recipients:;\n", "s@x.org"),
    (b"Resent-Reply-To: rr@x.org\nReply-To: r@x.org\n", "rr@x.org"),
    (b"Return-Path: <rp@x.org>\nSubject: none\n", "rp@x.org"),
    (b"From: postmaster\n", "postmaster@vms.example.com"),
    (b'From: "ABCMTS::MRGATE::\\"ABCDEF::VIVALDI\\""@xyz.org\n',
     '\u00a2ABCMTS::MRGATE::\\\u00a2ABCDEF::VIVALDI\\\u00a2\u00a2@xyz.org'),
])
def test_from_address_choice(headers, expected):
    msg = build_message(headers + b"\nbody\n", BOTTOM)
    assert msg.vms_from == f'SMTP%"{expected}"'


def test_explicit_sender_and_envelope():
    msg = build_message(SIMPLE, BOTTOM, sender="<env@example.net>")
    assert msg.vms_from == 'SMTP%"env@example.net"'
    msg = build_message(b"Subject: x\n\nbody\n", BOTTOM, return_path="env@example.net")
    assert msg.vms_from == 'SMTP%"env@example.net"'
    sub = SmtpConfig(substitute_domain="acme.com")
    assert build_message(b"From: joe\n\n", sub).vms_from == 'SMTP%"joe@acme.com"'


def test_subject_to_cc_defaults_and_overrides():
    msg = build_message(b"From: a@x.org\n\nbody\n", BOTTOM, recipients=["SMITH", "JONES"])
    assert (msg.to, msg.cc, msg.subject) == ("SMITH,JONES", "", "")
    msg = build_message(b"From: a@x.org\nTo: one@x\nTo: two@x\nSubject: s\n\n", BOTTOM,
                        subject="other", cc="c@x")
    assert (msg.to, msg.cc, msg.subject) == ("one@x, two@x", "c@x", "other")


@pytest.mark.parametrize("text", ["ORDERS::J_SMITH", 'ORDERS::"j.smith@acme.com"',
                                  'ABCDEF::SMTP%"x@y"', "SMITH", 'NODE::USER "Personal Name"'])
def test_vms_from_verbatim(users, text):
    deliver(SIMPLE, "SMITH", mail_directory=users.get, config=TOP, vms_from=text)
    [(info, body)] = stored(users)
    assert info.vms_from == text and body == SIMPLE and info.subject == "Quarterly report"


def test_pure_vms_message(users):
    body = b"Not an RFC 822 message at all.\n.\nFrom here\n\x00\xff"
    deliver(body, "SMITH,JONES", mail_directory=users.get, config=TOP,
            vms_from="NODE::SYSTEM", subject="Startup failed")
    for user in ("SMITH", "JONES"):
        [(info, got)] = stored(users, user)
        assert got == body
        assert (info.vms_from, info.to, info.subject, info.layout) == (
            "NODE::SYSTEM", "SMITH,JONES", "Startup failed", ms.LAYOUT_NONE)
        with ms.MailFile(users[user]) as mf:
            assert mf.read_original(info.id) is None


# ------------------------------------------------------------------ body layouts
def test_top_headers_layout(users):
    deliver(SIMPLE, "SMITH", mail_directory=users.get, config=TOP)
    [(info, body)] = stored(users)
    assert body == SIMPLE and info.layout == ms.LAYOUT_TOP
    head = SIMPLE[:SIMPLE.index(b"\r\n\r\n") + 2]
    assert (info.head_len, info.sep_len) == (len(head), 2)
    assert ms.original_message(info, body) == SIMPLE
    assert ms.pop_wire(body) == SIMPLE.replace(b"\r\n.", b"\r\n..")


def test_bottom_headers_layout(users):
    deliver(SIMPLE, "SMITH", mail_directory=users.get, config=BOTTOM)
    [(info, body)] = stored(users)
    head, rest = SIMPLE.split(b"\r\n\r\n", 1)
    assert body == rest + b"\r\n" + head + b"\r\n"
    assert info.layout == ms.LAYOUT_BOTTOM
    with ms.MailFile(users["SMITH"]) as mf:
        assert mf.read_original(info.id) == SIMPLE


def test_bottom_layout_joins_a_body_without_final_newline():
    msg = build_message(b"From: a@x.org\n\nno newline", BOTTOM)
    assert msg.body == b"no newline\n\nFrom: a@x.org\n"
    info = ms.MessageInfo(0, "", "", 0, 0, 0, 0, 0, 0, "", "", "", "", msg.layout,
                          msg.head_len, msg.sep_len, msg.body_len, 0)
    assert ms.original_message(info, msg.body) == b"From: a@x.org\n\nno newline"


def test_noheaders_layout():
    msg = build_message(SIMPLE, NONE)
    assert msg.body == SIMPLE.split(b"\r\n\r\n", 1)[1] and msg.layout == ms.LAYOUT_NONE


def test_header_block_without_blank_line():
    p = parse_message(b"From: a@x.org\nSubject: s\nthis line is body\nmore\n")
    assert (p.head, p.sep, p.body) == (b"From: a@x.org\nSubject: s\n", b"",
                                       b"this line is body\nmore\n")
    p = parse_message(b"From: a@x.org")
    assert (p.head, p.sep, p.body) == (b"From: a@x.org", b"", b"")


header_line = st.builds(lambda n, v, eol: n + b": " + v + eol,
                        st.sampled_from([b"From", b"To", b"Subject", b"X-Odd", b"Reply-To"]),
                        st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"")),
                        st.sampled_from([b"\n", b"\r\n"]))


@settings(max_examples=200, deadline=None)
@given(headers=st.lists(header_line, min_size=1, max_size=6).map(b"".join),
       sep=st.sampled_from([b"\n", b"\r\n", b""]),
       body=st.binary(max_size=400),
       control=st.sampled_from(["HEADERS", "TOP_HEADERS"]))
def test_original_bytes_always_recovered(headers, sep, body, control):
    data = b"From: x@example.com\n" + headers + sep + (body if sep else b"")
    config = SmtpConfig(header_control=control, host_name="h.example")
    try:
        msg = build_message(data, config, sender="s@example.com")
    except cond.VMSError as e:
        assert e.status == cond.VMSENV_BADMSG
        return
    info = ms.MessageInfo(0, "", "", 0, 0, 0, 0, 0, 0, "", "", "", "", msg.layout,
                          msg.head_len, msg.sep_len, msg.body_len, 0)
    assert ms.original_message(info, msg.body) == data


@pytest.mark.parametrize("control", ["HEADERS", "TOP_HEADERS"])
def test_odd_messages_round_trip(users, control):
    config = SmtpConfig(header_control=control, host_name="h.example")
    messages = [
        b"From: a@x.org\n\n" + bytes(range(256)),
        b"From: a@x.org\r\nSubject: \xe9\xff\x00\r\n\r\n.\r\n..\r\n.x\r\n",
        b"From: a@x.org\nSubject: mixed\r\n\n\r\nline\rwith cr\n\nlast",
        b"From: a@x.org\n\n" + b"L" * 200_000,                       # one huge line
        b"From: a@x.org\n\n" + (b"." + b"z" * 999 + b"\n") * 300,     # large, external
        b"From: a@x.org\n\n",
        b"From: a@x.org\n",
    ]
    with Deliverer(users.get, config=config) as d:
        for m in messages:
            d.deliver(m, "SMITH")
    with ms.MailFile(users["SMITH"]) as mf:
        got = [mf.read_original(i.id) for i in mf.list(ms.NEWMAIL)]
        assert mf.check(deep=True) == []
    assert got == messages


# ------------------------------------------------------------------ errors: nothing stored
@pytest.mark.parametrize("data,status", [
    (b"", cond.VMSENV_BADMSG),
    (b"just some text\n\nmore\n", cond.VMSENV_BADMSG),
    (b"From somebody Mon Jan  1 00:00:00 2024\nFrom: a@x.org\n\n", cond.VMSENV_BADMSG),
    (b"\nFrom: a@x.org\n", cond.VMSENV_BADMSG),
    (b" continued: x\n\n", cond.VMSENV_BADMSG),
    (b"Subject: no sender\n\nbody\n", cond.VMSENV_NOSENDER),
    (b"From: <>\n\nbody\n", cond.VMSENV_NOSENDER),
    (b"From: not an address@@here\n\n", cond.VMSENV_BADADDR),
])
def test_bad_input_stores_nothing(users, data, status):
    with pytest.raises(cond.VMSError) as e:
        deliver(data, "SMITH", mail_directory=users.get, config=BOTTOM)
    assert e.value.status == status
    assert not (users["SMITH"] / "mail.mai").exists()


@pytest.mark.parametrize("recipients,kw,status", [
    ("SMITH,NOBODY", {}, cond.MAIL_NOSUCHUSR),
    ("SMITH,bad name!", {}, cond.MAIL_NOSUCHUSR),
    ("TOOLONGUSERNAME1", {}, cond.MAIL_NOSUCHUSR),
    (" , ", {}, cond.VMSENV_NORCPT),
    ([], {}, cond.VMSENV_NORCPT),
    ("SMITH", {"sender": "two words@x"}, cond.VMSENV_BADADDR),
    ("SMITH", {"sender": "<>"}, cond.VMSENV_BADADDR),
    ("SMITH", {"vms_from": "NODE::USER\nInjected: x"}, cond.VMSENV_BADADDR),
    ("SMITH", {"vms_from": "  "}, cond.VMSENV_BADADDR),
])
def test_bad_recipients_and_addresses_store_nothing(users, recipients, kw, status):
    with pytest.raises(cond.VMSError) as e:
        deliver(SIMPLE, recipients, mail_directory=users.get, config=BOTTOM, **kw)
    assert e.value.status == status
    assert not (users["SMITH"] / "mail.mai").exists()
    assert e.value.lines()[0].startswith("%")


def test_unknown_user_message_text(users):
    with pytest.raises(cond.VMSError) as e:
        deliver(SIMPLE, "nobody", mail_directory=users.get, config=BOTTOM)
    assert e.value.lines() == ["%MAIL-E-NOSUCHUSR, no such user NOBODY"]


def test_several_recipients_and_keys(users):
    with Deliverer(users.get, config=BOTTOM) as d:
        first = d.deliver(SIMPLE, ["smith", "JONES", "Smith"], key="id-1")
        again = d.deliver(SIMPLE, "SMITH,JONES", key="id-1")
    assert [x.user for x in first] == ["SMITH", "JONES"] and None not in [x.id for x in first]
    assert [x.id for x in again] == [None, None]
    assert len(stored(users, "SMITH")) == 1 and len(stored(users, "JONES")) == 1


def test_delivery_into_a_folder(users):
    deliver(SIMPLE, "SMITH", mail_directory=users.get, config=BOTTOM, folder="INBOX2")
    with ms.MailFile(users["SMITH"]) as mf:
        assert mf.folders() == [("INBOX2", 1)]


def test_follows_set_mail_directory(users, tmp_path):
    mapping = dict(users)
    new = tmp_path / "smith_mail"
    new.mkdir()
    with Deliverer(mapping.get, config=BOTTOM) as d:
        d.deliver(SIMPLE, "SMITH")
        with ms.MailFile(users["SMITH"]) as mf:
            mf.relocate(new)
        mapping["SMITH"] = new
        [x] = d.deliver(SIMPLE, "SMITH")
    assert x.path == new / "mail.mai"
    mapping["SMITH"] = users["SMITH"]         # a stale mapping: the tombstone is followed
    [y] = deliver(SIMPLE, "SMITH", mail_directory=mapping.get, config=BOTTOM)
    assert y.path == new / "mail.mai"
    with ms.MailFile(new) as mf:
        assert mf.count(ms.NEWMAIL) == 3


def test_smtp_configuration_in_the_root(root):
    assert SmtpConfig.load(root) == SmtpConfig()
    SmtpConfig("acme.widgets.com", "TOP_HEADERS").save(root)
    assert root.config(dv.CONFIG_HEADER_CONTROL) == "TOP_HEADERS"
    loaded = SmtpConfig.load(root)
    assert (loaded.substitute_domain, loaded.top_headers) == ("acme.widgets.com", True)
    SmtpConfig(None, "NOHEADERS").save(root)
    assert root.config(dv.CONFIG_SUBSTITUTE_DOMAIN) is None
    assert Deliverer(lambda u: None, root=root).config.header_control == "NOHEADERS"
    with pytest.raises(ValueError):
        SmtpConfig(header_control="SIDEWAYS")


# ------------------------------------------------------------------ processes
WRITER = r"""
import hashlib, os, random, signal, sys, time
from pathlib import Path
from vmsenv.mail.deliver import Deliverer, SmtpConfig
target, tag, count, start_flag = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
rounds = int(sys.argv[5])
while start_flag != "-" and not Path(start_flag).exists():
    time.sleep(0.002)

def message(n):
    size = (n * 7919) % 3 and 200 + (n * 104729) % 3000 or 70_000 + (n * 31) % 9000
    seed = hashlib.sha256(f"{tag}{n}".encode()).digest()
    body = (seed * (size // 32 + 1))[:size]
    digest = hashlib.sha256(body).hexdigest()
    return (f"From: w{tag}@example.com\nSubject: {tag} {n} {size} {digest}\n\n").encode() + body

def churn(d, mf, n):
    [junk] = d.deliver(message(10_000 + n), "SMITH")
    mf.move([junk.id], "JUNK")
    mf.delete([junk.id])
    mf.purge()

def work(forever):
    with Deliverer({"SMITH": target}.get, config=SmtpConfig(host_name="h.example")) as d:
        mf = d.mail_file("SMITH")
        for n in range(count):
            [done] = d.deliver(message(n), "SMITH",
                               key=None if tag == "free" else f"{tag}-{n}")
            if tag == "kill" and done.id is not None:
                churn(d, mf, n)
        while forever:
            churn(d, mf, 5000)

# "kill": fork writers that loop until they are killed at a random moment, then finish.
rng = random.Random(7)
killed = 0
for _ in range(rounds):
    pid = os.fork()
    if pid == 0:
        try:
            work(True)
        finally:
            os._exit(0)
    time.sleep(rng.uniform(0, 0.03))
    os.kill(pid, signal.SIGKILL)
    killed += os.WIFSIGNALED(os.waitpid(pid, 0)[1])
work(False)
print(killed)
"""


def writer(target: Path, tag: str, count: int, start_flag: str = "-", rounds: int = 0,
           **kw) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-c", WRITER, str(target), tag, str(count),
                             start_flag, str(rounds)], env=env, cwd=str(REPO), **kw)


def verify_complete(mf: ms.MailFile) -> list[tuple[str, int]]:
    """Every stored message whole (body = what its subject describes); their (tag, n)."""
    seen = []
    for folder, _ in mf.folders():
        for info in mf.list(folder):
            tag, n, size, digest = info.subject.split()
            original = mf.read_original(info.id)
            body = original.split(b"\n\n", 1)[1]
            assert len(body) == int(size) and hashlib.sha256(body).hexdigest() == digest
            assert info.size == len(mf.read(info.id))
            seen.append((tag, int(n)))
    return seen


def test_sixteen_processes_at_once(users, tmp_path):
    flag = tmp_path / "go"
    procs = [writer(users["SMITH"], "free", 100, str(flag)) for p in range(16)]
    time.sleep(0.3)
    flag.touch()
    assert [p.wait(timeout=120) for p in procs] == [0] * 16
    with ms.MailFile(users["SMITH"]) as mf:
        assert mf.count(ms.NEWMAIL) == 1600
        seen = verify_complete(mf)
        assert mf.check() == []
    assert sorted(seen) == sorted(("free", n) for _ in range(16) for n in range(100))


def test_writers_killed_at_random_points(users):
    rounds, count = 150, 300
    proc = writer(users["SMITH"], "kill", count, rounds=rounds, stdout=subprocess.PIPE,
                  text=True)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0 and int(out) == rounds      # every writer died by SIGKILL
    with ms.MailFile(users["SMITH"]) as mf:
        assert mf.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        seen = verify_complete(mf)
        keyed = sorted(n for tag, n in seen if n < 10_000)
        assert keyed == list(range(count))              # each exactly once
        mf.cleanup()
        assert mf.check(deep=True) == []
