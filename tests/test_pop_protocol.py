"""The sans-IO POP3 session (popserver.protocol): every command, state and error, with fakes."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from popserver import config as cfgmod
from popserver import protocol as P
from popserver.config import LogLevel, Security

HOST = "ucxsys.acme.com"
STARTED = dt.datetime(2026, 11, 29, 11, 25)
NOW = dt.datetime(1999, 4, 6, 6, 2, 31, 150000)
SIGNOFF = b"+OK POP server at ucxsys.acme.com signing off.\r\n"
GREETING = (b"+OK POP server vmsenv Version 0.1, OpenVMS emulation at ucxsys.acme.com, "
            b"up since 2026-11-29 11:25:00 <0000002A._6_APR_1999_06_02_31_15@ucxsys.acme.com>"
            b"\r\n")


# ------------------------------------------------------------------ fakes
class FakeAuth:
    def __init__(self):
        self.accounts = {
            "JONES": (P.Account("JONES"), "secret word", "tanstaaf"),
            "SMITH": (P.Account("SMITH", privileges=frozenset({"OPER"})), "pw", None),
            "SYSMGR": (P.Account("SYSMGR", privileges=frozenset({"SYSPRV"})), "pw", None),
            "GONE": (P.Account("GONE", disuser=True), "pw", "s"),
            "NOMAIL": (P.Account("NOMAIL", dismail=True), "pw", None),
            "OLD": (P.Account("OLD", expired=True), "pw", None),
            "LONG": (P.Account("LONG"), "pw", "x" * 501),
        }

    def find_account(self, username):
        entry = self.accounts.get(username.upper())
        return entry[0] if entry else None

    def verify_password(self, account, password):
        return self.accounts[account.username][1] == password

    def apop_secret(self, account):
        return self.accounts[account.username][2]


def T(day, hour=0):
    return dt.datetime(2026, 11, day, hour, 0)


class Msg:
    def __init__(self, key, arrival, body, folder=P.NEWMAIL, foreign=False, subject="s"):
        self.key, self.arrival, self.body = key, arrival, body
        self.folder, self.foreign = folder, foreign
        self.headers = [f"Subject: {subject}"]

    def wire(self, n=None):
        return P.frame_message(self.headers, self.body, n)

    def info(self, user):
        return P.MessageInfo(self.key, P.uidl(user, self.arrival), P.wire_size(self.wire()),
                             self.arrival, self.folder, self.foreign)


class FakeDrop:
    def __init__(self, store, user, folders):
        self.store, self.user, self.folders = store, user, folders

    def messages(self):
        return [m.info(self.user) for m in self.store.mail[self.user] if m.folder in self.folders]

    def wire_bytes(self, key, body_lines):
        if self.store.unreadable:
            raise P.MaildropError("bad block")
        return next(m for m in self.store.mail[self.user] if m.key == key).wire(body_lines)

    def commit(self, changes):
        self.store.commits.append(changes)
        self.store.locked.discard(self.user)
        if self.store.commit_error:
            raise P.MaildropError("disk full")

    def release(self):
        self.store.releases += 1
        self.store.locked.discard(self.user)


class FakeStore:
    def __init__(self):
        self.mail = {
            "JONES": [
                Msg(1, T(2), b"second\r\n.starts with a dot\r\n..two\r\nend\r\n", subject="b"),
                Msg(0, T(1), b"first line\nsecond line\nthird line\n", subject="a"),
                Msg(2, T(3), b"old one\n", folder=P.MAIL, subject="c"),
            ],
            "SMITH": [], "SYSMGR": [],
        }
        self.locked = set()
        self.commits = []
        self.releases = 0
        self.opened = []
        self.error = False
        self.commit_error = False
        self.unreadable = False

    def open(self, account, folders):
        if self.error:
            raise P.MaildropError("RMS-E-FNF")
        if account.username in self.locked:
            raise P.MaildropInUse("locked")
        self.locked.add(account.username)
        self.opened.append((account.username, folders))
        return FakeDrop(self, account.username, folders)


STATS = P.Statistics(
    version="vmsenv Version 0.1, OpenVMS emulation", log_level=LogLevel.DEBUG,
    current_time=dt.datetime(1999, 4, 6, 6, 13, 46), start_time=dt.datetime(1999, 4, 4, 6, 42, 17),
    cpu_seconds=7.89, current_threads=1, total_threads=6, max_threads=1, too_many_threads=0,
    normal_disconnects=5, abnormal_disconnects=0, client_timeouts=0, blocked_socket_count=0,
    retrieved_messages=4, retrieved_octets=1102, minimum_octets=222, maximum_octets=319,
    auth_failures=1, current_users=("smith",))


class FakeControl:
    def __init__(self):
        self.levels = []
        self.shutdowns = 0

    def statistics(self):
        return STATS

    def set_log_level(self, level):
        self.levels.append(level)

    def request_shutdown(self):
        self.shutdowns += 1


def make(store=None, *, conn=42, encrypted=False, **kw):
    kw.setdefault("trace", True)
    config = P.SessionConfig(host=HOST, started=STARTED, **kw)
    store = store or FakeStore()
    s = P.Session(config, FakeAuth(), store, FakeControl(), connection_id=conn, now=NOW,
                  encrypted=encrypted)
    s.store = store
    greeting = s.greeting()
    if conn == 42:
        assert greeting == GREETING
    return s


def send(s, *lines):
    return s.receive(b"".join(x.encode("latin-1") + b"\r\n" for x in lines))


def logged_in(store=None, user="jones", password="secret word", **kw):
    s = make(store, **kw)
    assert send(s, f"USER {user}", f"PASS {password}") == (
        f'+OK Password required for "{user}"\r\n'.encode()
        + b"+OK Username/password combination ok\r\n")
    assert s.state is P.State.TRANSACTION
    s.take_events()
    return s


def events(s, kind):
    return [e for e in s.take_events() if isinstance(e, kind)]


# ------------------------------------------------------------------ greeting, APOP timestamp
def test_greeting_layout_and_timestamp():
    s = make()
    assert re.fullmatch(r"<[0-9A-F]{8}\.[A-Za-z0-9_]+@ucxsys\.acme\.com>", s.timestamp)
    other = make(conn=43)
    assert other.timestamp != s.timestamp
    assert P.apop_timestamp(0x24A00E61, NOW, HOST) == \
        "<24A00E61._6_APR_1999_06_02_31_15@ucxsys.acme.com>"


def test_apop_rfc_vector():
    s = make()
    s.timestamp = "<1896.697170952@dbc.mtview.ca.us>"
    assert send(s, "APOP jones c4c9334bac560ecc979e58001b3e22fb") == \
        b"+OK APOP authentication ok\r\n"
    assert s.logged_in
    assert events(s, P.LoginAccepted) == [P.LoginAccepted("jones", "APOP")]


def test_apop_uppercase_digest_and_failures():
    s = make()
    digest = hashlib.md5((s.timestamp + "tanstaaf").encode()).hexdigest().upper()
    assert send(s, f"APOP JONES {digest}") == b"+OK APOP authentication ok\r\n"
    s = make()
    assert send(s, "APOP jones 00000000000000000000000000000000") == \
        b'-ERR [AUTH] digest supplied for "jones" is incorrect\r\n'
    assert send(s, "APOP smith 00000000000000000000000000000000") == \
        b'-ERR [AUTH] no APOP secret (POP_SECRET.DAT) for "smith"\r\n'
    assert s.closed
    s = make()
    assert send(s, "APOP long 0") == \
        b'-ERR [AUTH] APOP secret of "long" is longer than 500 characters\r\n'
    assert send(s, "APOP nobody 0") == b'-ERR [AUTH] user "nobody" is unknown\r\n'
    s = make()
    assert send(s, "APOP jones") == b"-ERR usage: APOP name digest\r\n"


def test_apop_flags_only_after_right_digest():
    s = make()
    good = hashlib.md5((s.timestamp + "s").encode()).hexdigest()
    assert send(s, "APOP gone 0") == b'-ERR [AUTH] digest supplied for "gone" is incorrect\r\n'
    assert send(s, f"APOP gone {good}") == b'-ERR [AUTH] account "gone" is disabled\r\n'


@pytest.mark.parametrize("digest", [b"\xe9\xe9\xe9", b"\xe9" * 32, b"\x00\xff", "\u00c9".encode("latin-1")])
def test_apop_non_ascii_digest_is_a_failed_login(digest):
    s = make()
    wrong = b'-ERR [AUTH] digest supplied for "jones" is incorrect\r\n'
    assert s.receive(b"APOP jones " + digest + b"\r\n") == wrong
    evs = s.take_events()
    assert not [e for e in evs if isinstance(e, P.InternalError)]
    assert [e for e in evs if isinstance(e, P.LoginRefused)] == [
        P.LoginRefused("jones", "APOP", P.Reason.BAD_DIGEST)]       # counted, OPCOM
    assert not s.closed
    assert s.receive(b"APOP jones " + digest + b"\r\n") == wrong
    assert s.closed                                                   # the two-attempt limit


def test_apop_non_ascii_digest_under_secure_is_delayed():
    s = make(security=Security.SECURE)
    assert s.receive(b"APOP jones \xe9\xe9\xe9\r\n") == b""
    assert s.delay == 2.0
    assert s.resume() == b'-ERR [AUTH] Access to user account "jones" denied\r\n'
    assert events(s, P.LoginRefused) == [P.LoginRefused("jones", "APOP", P.Reason.BAD_DIGEST)]


# ------------------------------------------------------------------ USER / PASS
def test_user_pass_and_case_blind_commands():
    s = make()
    assert s.receive(b"user jones\r\npAsS secret word\r\n") == (
        b'+OK Password required for "jones"\r\n+OK Username/password combination ok\r\n')
    assert s.user == "jones" and s.account.username == "JONES"
    assert s.store.opened == [("JONES", ("NEWMAIL",))]


def test_password_keeps_blanks():
    s = make()
    assert send(s, "USER jones", "PASS secret  word") == (
        b'+OK Password required for "jones"\r\n'
        b'-ERR [AUTH] password supplied for "jones" is incorrect\r\n')


def test_pass_needs_user_and_argument():
    s = make()
    assert send(s, "PASS x") == b"-ERR PASS must follow a successful USER\r\n"
    assert send(s, "USER jones", "PASS") == (
        b'+OK Password required for "jones"\r\n-ERR usage: PASS password\r\n')
    assert send(s, "USER", "USER a b") == b"-ERR usage: USER name\r\n" * 2
    assert not s.closed  # none of these is an authorization attempt


def test_friendly_texts():
    s = make()
    assert send(s, "USER nobody") == b'-ERR [AUTH] user "nobody" is unknown\r\n'
    assert send(s, "USER jones", "PASS wrong") == (
        b'+OK Password required for "jones"\r\n'
        b'-ERR [AUTH] password supplied for "jones" is incorrect\r\n')
    assert s.closed
    for user, text in (("gone", b'account "gone" is disabled'),
                       ("nomail", b'mail is disabled for account "nomail"'),
                       ("old", b'account "old" has expired')):
        s = make()
        assert send(s, f"USER {user}", "PASS wrong").endswith(
            b'-ERR [AUTH] password supplied for "' + user.encode() + b'" is incorrect\r\n')
        assert send(s, f"USER {user}", "PASS pw").endswith(b"-ERR [AUTH] " + text + b"\r\n")


def test_two_failed_attempts_close_the_connection():
    s = make()
    out = send(s, "USER jones", "PASS a", "USER jones", "PASS b", "USER jones", "NOOP")
    assert out == (b'+OK Password required for "jones"\r\n'
                   b'-ERR [AUTH] password supplied for "jones" is incorrect\r\n') * 2
    assert s.closed and s.state is P.State.CLOSED
    evs = s.take_events()
    refused = [e for e in evs if isinstance(e, P.LoginRefused)]
    assert refused == [P.LoginRefused("jones", "USER/PASS", P.Reason.BAD_PASSWORD)] * 2
    assert P.SessionEnded("FAILURES", detail="too many failed authorization attempts") in evs
    assert s.receive(b"USER jones\r\n") == b""
    s.connection_lost()
    assert not events(s, P.SessionEnded)


def test_secure_texts_and_delay():
    s = make(security=Security.SECURE)
    assert send(s, "USER nobody") == b'+OK Password required for "nobody"\r\n'
    assert send(s, "PASS x", "NOOP") == b""
    assert s.delay == 2.0
    assert s.receive(b"CAPA\r\n") == b""  # still waiting
    assert s.resume() == (b'-ERR [AUTH] Access to user account "nobody" denied\r\n'
                          b'-ERR command "NOOP" is not valid in the AUTHORIZATION state\r\n'
                          + send_capa_expected())
    assert s.delay == 0
    assert send(s, "USER jones", "PASS wrong") == b'+OK Password required for "jones"\r\n'
    assert s.resume() == b'-ERR [AUTH] Access to user account "jones" denied\r\n'
    assert s.closed
    s = make(security=Security.SECURE)
    assert send(s, "USER gone", "PASS pw") == b'+OK Password required for "gone"\r\n'
    assert s.resume() == b'-ERR [AUTH] Access to user account "gone" denied\r\n'
    s = make(security=Security.SECURE, failure_delay=0)
    assert send(s, "USER x", "PASS y") == (b'+OK Password required for "x"\r\n'
                                          b'-ERR [AUTH] Access to user account "x" denied\r\n')


def send_capa_expected(auth=True, expire=b"EXPIRE 0", extra=b""):
    return (b"+OK Capability list follows\r\nTOP\r\nUIDL\r\n" + (b"USER\r\n" if auth else b"")
            + b"RESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n" + expire + b"\r\n"
            + b"IMPLEMENTATION vmsenv POP server Version 0.1\r\n" + extra + b".\r\n")


def test_secure_success_is_not_delayed():
    s = make(security=Security.SECURE)
    assert send(s, "USER jones", "PASS secret word", "STAT") == (
        b'+OK Password required for "jones"\r\n+OK Username/password combination ok\r\n'
        b"+OK 2 105\r\n")


def test_disuserpass():
    s = make(disuserpass=True)
    off = b"-ERR [AUTH] USER and PASS are disabled on this server; use APOP\r\n"
    assert send(s, "USER jones", "PASS x", "USER jones", "PASS x") == off * 4
    assert not s.closed
    assert send(s, "CAPA") == send_capa_expected(auth=False)
    digest = hashlib.md5((s.timestamp + "tanstaaf").encode()).hexdigest()
    assert send(s, f"APOP jones {digest}") == b"+OK APOP authentication ok\r\n"


def test_maildrop_in_use_and_unavailable():
    store = FakeStore()
    first = logged_in(store)
    s = make(store)
    assert send(s, "USER jones", "PASS secret word") == (
        b'+OK Password required for "jones"\r\n'
        b'-ERR [IN-USE] maildrop of "jones" is in use by another POP session\r\n')
    assert s.state is P.State.AUTHORIZATION
    assert events(s, P.MaildropRefused) == [P.MaildropRefused("jones", True, "locked")]
    first.connection_lost()
    assert send(s, "USER jones", "PASS secret word").endswith(
        b"+OK Username/password combination ok\r\n")
    store = FakeStore()
    store.error = True
    s = make(store)
    assert send(s, "USER jones", "PASS secret word").endswith(
        b'-ERR [SYS/TEMP] maildrop of "jones" cannot be opened\r\n')
    assert not s.closed


def test_no_password_in_any_event():
    s = make(trace=True)
    send(s, "USER jones", "PASS wrong horse", "USER jones", "PASS secret word")
    s2 = make(encrypted=True)
    send(s2, "AUTH PLAIN " + base64.b64encode(b"\0jones\0wrong horse").decode())
    send(s2, "AUTH PLAIN", base64.b64encode(b"\0jones\0secret word").decode())
    text = repr(s.take_events()) + repr(s2.take_events())
    assert "wrong horse" not in text and "secret word" not in text
    assert "PASS ***" in text and "AUTH PLAIN ***" in text and "[SASL response]" in text
    assert base64.b64encode(b"\0jones\0wrong horse").decode() not in text


def traced(s) -> str:
    """Every text of the session's events that reaches POP_RUN.LOG (trace, command errors,
    internal errors, refusals), one string."""
    return repr(s.take_events())


@pytest.mark.parametrize("line", [
    b"PASS\tsecret1", b"pass\tsecret1", b"\tPASS\tsecret1", b"PASS\x0bsecret1",
    b"PASSsecret1", b"PASS:secret1", b"PASS  secret1", b"Pass\x00secret1",
])
def test_pass_is_masked_whatever_separates_it(line):
    s = make()
    out = send(s, "USER jones") + s.receive(line + b"\r\n")
    text = traced(s)
    assert "secret1" not in text.lower() and b"secret1" not in out.lower()
    assert "PASS ***" in text.upper() or "[not a command, " in text


def test_pass_with_a_tab_is_a_password():
    s = make()
    assert s.receive(b"USER jones\r\nPASS\tsecret word\r\n") == (
        b'+OK Password required for "jones"\r\n+OK Username/password combination ok\r\n')
    assert "secret word" not in traced(s)
    s = make()
    assert s.receive(b"USER\tjones\r\n") == b'+OK Password required for "jones"\r\n'


@pytest.mark.parametrize("line, shown", [
    ("USER jones", "USER jones"),
    ("USER jones secret1", "USER jones ***"),
    ("USER\tjones\tsecret1", "USER jones ***"),
    ("USERjones", "USER ***"),
    ("APOP jones c4c9334bac560ecc979e58001b3e22fb", "APOP jones ***"),
    ("APOP\tjones\tc4c9334bac560ecc979e58001b3e22fb", "APOP jones ***"),
    ("AUTH PLAIN AGpvbmVzAHNlY3JldDE=", "AUTH PLAIN ***"),
    ("AUTH\tPLAIN\tAGpvbmVzAHNlY3JldDE=", "AUTH PLAIN ***"),
    ("auth plain", "auth plain"),
    ("PASS", "PASS"),
    ("STAT", "STAT"),
    ("LIST 1", "LIST 1"),
])
def test_mask(line, shown):
    assert P._mask(line) == shown


def test_bare_password_line_is_neither_logged_nor_echoed():
    s = make()
    out = send(s, "USER jones", "secret1", "abc")
    assert out == (b'+OK Password required for "jones"\r\n'
                   + b"-ERR unknown command\r\n" * 2)
    text = traced(s)
    assert "secret1" not in text.lower() and "abc" not in text.lower()
    assert "[not a command, 7 octets]" in text and "[not a command, 3 octets]" in text


def test_sasl_data_after_a_refused_auth_plain_is_not_logged():
    data = base64.b64encode(b"\0jones\0secret word").decode()
    s = make()                                          # cleartext: AUTH PLAIN refused
    out = send(s, "AUTH PLAIN", data, "AUTH PLAIN " + data)
    assert out == (b"-ERR [AUTH] SASL PLAIN is offered only on an encrypted connection\r\n"
                   b"-ERR unknown command\r\n"
                   b"-ERR [AUTH] SASL PLAIN is offered only on an encrypted connection\r\n")
    text = traced(s)
    assert data not in text and data[:8] not in text and "AUTH PLAIN ***" in text


def test_any_line_while_waiting_for_sasl_data_is_masked():
    data = base64.b64encode(b"\0jones\0secret word").decode()
    for line in (data, "PASS secret word", "*", "\tsecret word", "USER jones"):
        s = make(encrypted=True)
        out = send(s, "AUTH PLAIN", line)
        assert out.startswith(b"+ \r\n")
        text = traced(s)
        assert "secret word" not in text and data not in text and "USER jones" not in text
        assert "[SASL response]" in text


_ANY_SEPARATOR = [" ", "\t", "\x0b", "\x00", "", ":", "  ", "\t "]
_WHITE = [" ", "\t", "\x0b", "  ", "\t "]


@given(password=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789$_", min_size=3,
                        max_size=30),
       form=st.one_of(
           st.tuples(st.sampled_from(["PASS", "pass", "Pass", ""]),
                     st.sampled_from(_ANY_SEPARATOR)),
           # after the user name or the mechanism, which are shown: a further word
           st.tuples(st.sampled_from(["USER jones", "APOP jones", "AUTH PLAIN", "auth\tplain"]),
                     st.sampled_from(_WHITE))),
       logged=st.booleans())
def test_no_password_in_events_or_replies_whatever_the_form(password, form, logged):
    keyword, separator = form
    password = "QZ" + password                  # text found nowhere else in the session
    s = logged_in() if logged else make()
    if not logged:
        send(s, "USER jones")
    s.take_events()
    out = s.receive(f"{keyword}{separator}{password}".encode("latin-1") + b"\r\n")
    text = repr(s.take_events()).upper() + out.decode("latin-1").upper()
    assert password[:4] not in text


def test_unknown_commands_echo_only_a_keyword_after_login():
    s = logged_in()
    assert s.receive(b"FROB\tsecret1\r\n") == b'-ERR unknown command "FROB"\r\n'
    assert s.receive(b"FROB secret1\r\n") == b'-ERR unknown command "FROB"\r\n'
    assert s.receive(b"FROB\x0bsecret1\r\n") == b"-ERR unknown command\r\n"
    assert s.receive(b"secret1\r\n") == b"-ERR unknown command\r\n"
    assert s.receive(b"a001 LOGIN jones secret1\r\n") == b"-ERR unknown command\r\n"
    assert s.receive(b"PASS\tsecret1\r\n") == \
        b'-ERR command "PASS" is not valid in the TRANSACTION state\r\n'
    assert s.receive(b"FR\x1bB\r\n") == b"-ERR unknown command\r\n"
    text = traced(s)
    assert "secret1" not in text.lower() and "jones" not in text
    assert "'FROB ***'" in text and "PASS ***" in text


def test_user_names_echoed_are_filtered_and_capped():
    s = make()
    assert s.receive(b'USER jo"n\x1b[2Jes\r\n') == b'-ERR [AUTH] user "jo?n?[2Jes" is unknown\r\n'
    assert s.receive(b"USER " + b"x" * 40 + b"\r\n") == \
        b'-ERR [AUTH] user "xxxxxxxxxxxx..." is unknown\r\n'
    s = make(security=Security.SECURE, failure_delay=0)
    assert s.receive(b"USER abc\x9b\x07def\x7fghijklmnop\r\n") == \
        b'+OK Password required for "abc??def?ghi..."\r\n'
    assert s.receive(b"PASS x\r\n") == \
        b'-ERR [AUTH] Access to user account "abc??def?ghi..." denied\r\n'
    s = make()
    assert s.receive(b"APOP \x00\x01\x02 0\r\n") == b'-ERR [AUTH] user "???" is unknown\r\n'
    assert s.receive(b"USER j\xf6nes\r\n") == b'-ERR [AUTH] user "j\xf6nes" is unknown\r\n'
    s = make(encrypted=True)
    plain = base64.b64encode("\0jo\x1bnes\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\0pw".encode()).decode()
    assert send(s, "AUTH PLAIN " + plain) == \
        '-ERR [AUTH] user "jo?nes\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9..." is unknown\r\n'.encode("latin-1")


# ------------------------------------------------------------------ states and framing
def test_wrong_state_unknown_and_empty():
    s = make()
    assert send(s, "STAT") == b'-ERR command "STAT" is not valid in the AUTHORIZATION state\r\n'
    assert send(s, "FROB x") == b"-ERR unknown command\r\n"     # echoes nothing before login
    assert send(s, "", "   ") == b"-ERR empty command line\r\n" * 2
    s = logged_in()
    assert send(s, "FROB x") == b'-ERR unknown command "FROB"\r\n'
    assert send(s, "last") == b'-ERR unknown command "LAST"\r\n'
    assert send(s, "FROBNICATE", "X-FOO 1") == b"-ERR unknown command\r\n" * 2
    s.take_events()
    assert send(s, "USER jones") == \
        b'-ERR command "USER" is not valid in the TRANSACTION state\r\n'
    assert send(s, "STLS") == b'-ERR command "STLS" is not valid in the TRANSACTION state\r\n'
    rejected = events(s, P.CommandRejected)
    assert rejected[0] == P.CommandRejected(
        "USER jones", '-ERR command "USER" is not valid in the TRANSACTION state')


def test_line_length_limit():
    s = make()
    ok = b"NOOP" + b" " * 249 + b"\r\n"       # 255 octets with CRLF
    assert len(ok) == 255
    assert s.receive(ok) == b'-ERR command "NOOP" is not valid in the AUTHORIZATION state\r\n'
    long = b"NOOP" + b" " * 250 + b"\r\n"     # 256
    too_long = b"-ERR command line too long (the limit is 255 octets)\r\n"
    assert s.receive(long + b"QUIT\r\n") == too_long + SIGNOFF
    s = make()
    assert s.receive(b"X" * 300) == too_long
    assert s.receive(b"Y" * 5000) == b""
    assert s.receive(b"tail\r\nCAPA\r\n").startswith(b"+OK Capability list follows\r\n")
    s = make()
    assert s.receive(b"A" * 100000 + b"\nQUIT\n") == too_long + SIGNOFF


def test_pipelining_in_order_and_bytewise_feeding():
    burst = b"USER jones\r\nPASS secret word\r\nSTAT\r\nUIDL 2\r\nQUIT\r\n"
    expected = (b'+OK Password required for "jones"\r\n'
                b"+OK Username/password combination ok\r\n+OK 2 105\r\n"
                b"+OK 2 JONES.20261102000000000000\r\n" + SIGNOFF)
    s = make()
    assert s.receive(burst) == expected
    s = make()
    assert b"".join(s.receive(burst[i:i + 1]) for i in range(len(burst))) == expected
    s = make()
    assert s.receive(burst.replace(b"\r\n", b"\n")) == expected


def test_latin1_and_nul_never_crash():
    s = make()
    assert s.receive(b"\xff\xfe\x00\r\n") == b"-ERR unknown command\r\n"
    assert s.receive(b"USER j\xf6nes\r\n") == b'-ERR [AUTH] user "j\xf6nes" is unknown\r\n'


def test_quit_in_authorization():
    s = make()
    assert send(s, "QUIT", "USER jones") == SIGNOFF
    assert s.closed and s.store.opened == []
    assert events(s, P.SessionEnded) == [P.SessionEnded("QUIT")]


# ------------------------------------------------------------------ transaction commands
def test_stat_list_uidl():
    s = logged_in()
    assert send(s, "STAT") == b"+OK 2 105\r\n"
    assert send(s, "LIST") == b"+OK 2 messages (105 octets)\r\n1 51\r\n2 54\r\n.\r\n"
    assert send(s, "LIST 2", "UIDL 1") == b"+OK 2 54\r\n+OK 1 JONES.20261101000000000000\r\n"
    assert send(s, "UIDL") == (b"+OK unique-id listing follows\r\n"
                               b"1 JONES.20261101000000000000\r\n"
                               b"2 JONES.20261102000000000000\r\n.\r\n")
    assert send(s, "LIST 1 2") == b"-ERR usage: LIST [msg]\r\n"


def test_message_number_errors():
    s = logged_in()
    for arg, text in (("0", b"message 0 does not exist"), ("3", b"message 3 does not exist"),
                      ("-1", b'invalid message number "-1"'),
                      ("1x", b'invalid message number "1x"'),
                      ("+1", b'invalid message number "+1"'),
                      ("99999999999999999999", b"message 99999999999999999999 does not exist")):
        for verb in ("LIST", "UIDL", "RETR", "DELE"):
            assert send(s, f"{verb} {arg}") == b"-ERR " + text + b"\r\n", (verb, arg)
    assert send(s, "DELE 1", "RETR 1", "LIST 1", "DELE 1", "TOP 1 0") == (
        b"+OK message 1 deleted\r\n" + b"-ERR message 1 already deleted\r\n" * 4)


def test_retr_exact_bytes_and_size():
    s = logged_in()
    out = send(s, "RETR 2")
    assert out == (b"+OK 54 octets\r\nSubject: b\r\n\r\nsecond\r\n..starts with a dot\r\n"
                   b"...two\r\nend\r\n.\r\n")
    body = out.split(b"\r\n", 1)[1][:-3]
    unstuffed = b"\r\n".join(ln[1:] if ln.startswith(b".") else ln
                             for ln in body.split(b"\r\n"))
    assert len(unstuffed) == 54
    assert events(s, P.Retrieved) == [P.Retrieved(2, 54)]
    assert send(s, "RETR 1") == (b"+OK 51 octets\r\nSubject: a\r\n\r\n"
                                 b"first line\r\nsecond line\r\nthird line\r\n.\r\n")


def test_top():
    s = logged_in()
    assert send(s, "TOP 1 0") == b"+OK top of message 1 follows\r\nSubject: a\r\n\r\n.\r\n"
    assert send(s, "TOP 1 2") == (b"+OK top of message 1 follows\r\nSubject: a\r\n\r\n"
                                  b"first line\r\nsecond line\r\n.\r\n")
    whole = send(s, "TOP 2 99999999")
    assert whole.split(b"\r\n", 1)[1] == send(s, "RETR 2").split(b"\r\n", 1)[1]
    for line, text in (("TOP", b"usage: TOP msg n"), ("TOP 1", b"usage: TOP msg n"),
                       ("TOP 1xyz 2", b'invalid message number "1xyz"'),
                       ("TOP 1 2xyz", b'invalid line count "2xyz"'),
                       ("TOP 1 -1", b'invalid line count "-1"'),
                       ("TOP 1 2 3", b"usage: TOP msg n")):
        assert send(s, line) == b"-ERR " + text + b"\r\n", line
    s.take_events()
    send(s, "TOP 1 1")
    assert not events(s, P.Retrieved)  # TOP is not retrieval


def test_dele_rset_noop_and_commit_at_quit_only():
    store = FakeStore()
    s = logged_in(store)
    assert send(s, "DELE 1", "STAT", "LIST") == (
        b"+OK message 1 deleted\r\n+OK 1 54\r\n+OK 1 message (54 octets)\r\n2 54\r\n.\r\n")
    assert store.commits == []
    assert send(s, "RSET", "STAT", "NOOP") == (
        b"+OK maildrop has 2 messages (105 octets)\r\n+OK 2 105\r\n+OK\r\n")
    assert send(s, "NOOP x") == b"-ERR usage: NOOP\r\n"
    assert send(s, "RETR 1", "DELE 2", "QUIT") == (
        b"+OK 51 octets\r\nSubject: a\r\n\r\nfirst line\r\nsecond line\r\nthird line\r\n.\r\n"
        b"+OK message 2 deleted\r\n" + SIGNOFF)
    assert store.commits == [P.Changes(delete=(1,), move_to_mail=(0,), reclaim=False)]
    assert s.closed and store.releases == 0
    assert events(s, P.SessionEnded) == [P.SessionEnded("QUIT", True, 1, 1)]


def test_dropped_connection_changes_nothing():
    store = FakeStore()
    s = logged_in(store)
    send(s, "RETR 1", "DELE 1", "DELE 2")
    s.connection_lost()
    assert store.commits == [] and store.releases == 1 and not store.locked
    assert s.closed and s.receive(b"QUIT\r\n") == b""
    assert events(s, P.SessionEnded) == [P.SessionEnded("LOST")]
    s.connection_lost()
    assert store.releases == 1


def test_commit_failure():
    store = FakeStore()
    store.commit_error = True
    s = logged_in(store)
    assert send(s, "DELE 1", "QUIT") == (
        b"+OK message 1 deleted\r\n"
        b"-ERR [SYS/TEMP] mail file not updated: no message was deleted or moved\r\n")
    assert s.closed
    assert events(s, P.SessionEnded) == [P.SessionEnded("QUIT", detail="disk full")]


def test_leave_in_newmail_and_purge_reclaim():
    store = FakeStore()
    s = logged_in(store, leave_in_newmail=True, purge_reclaim=True)
    send(s, "RETR 1", "RETR 2", "QUIT")
    assert store.commits == [P.Changes((), (), False)]
    store = FakeStore()
    s = logged_in(store, purge_reclaim=True)
    send(s, "RETR 1", "DELE 2", "QUIT")
    assert store.commits == [P.Changes((1,), (0,), True)]


def test_use_mail_folder():
    store = FakeStore()
    s = logged_in(store, use_mail_folder=True)
    assert store.opened == [("JONES", ("MAIL", "NEWMAIL"))]
    assert send(s, "STAT", "UIDL 3") == b"+OK 3 128\r\n+OK 3 JONES.20261103000000000000\r\n"
    send(s, "DELE 1", "QUIT")
    assert store.commits == [P.Changes(delete=(0,), move_to_mail=(1,), reclaim=False)]
    s = logged_in(use_mail_folder=True)
    assert send(s, "CAPA") == send_capa_expected(auth=False, expire=b"EXPIRE NEVER")


def test_message_maximum_oldest_first():
    store = FakeStore()
    store.mail["JONES"].append(Msg(3, T(1, 12), b"noon\n"))
    s = logged_in(store, message_maximum=2)
    assert send(s, "UIDL") == (b"+OK unique-id listing follows\r\n"
                               b"1 JONES.20261101000000000000\r\n"
                               b"2 JONES.20261101120000000000\r\n.\r\n")
    send(s, "RETR 1", "RETR 2", "QUIT")
    assert store.commits == [P.Changes((), (0, 3), False)]


def test_foreign_messages_are_never_deleted():
    store = FakeStore()
    store.mail["JONES"] = [Msg(7, T(1), b"note\n", foreign=True),
                           Msg(8, T(2), b"also\n", foreign=True),
                           Msg(9, T(3), b"plain\n")]
    s = logged_in(store, leave_in_newmail=True)
    assert send(s, "DELE 1", "STAT", "RETR 2", "DELE 3", "QUIT") == (
        b"+OK message 1 is in foreign format: it is kept in the MAIL folder\r\n"
        b"+OK 2 41\r\n+OK 20 octets\r\nSubject: s\r\n\r\nalso\r\n.\r\n"
        b"+OK message 3 deleted\r\n" + SIGNOFF)
    assert store.commits == [P.Changes(delete=(9,), move_to_mail=(7, 8), reclaim=False)]


def test_unreadable_message_and_internal_error():
    store = FakeStore()
    s = logged_in(store)
    store.unreadable = True
    assert send(s, "RETR 1", "TOP 1 0") == b"-ERR [SYS/TEMP] message 1 cannot be read\r\n" * 2
    store.unreadable = False

    def boom(key, n):
        raise RuntimeError("bug")
    s._drop.wire_bytes = boom
    assert send(s, "RETR 1", "NOOP") == b"-ERR [SYS/TEMP] internal server error\r\n+OK\r\n"
    errors = events(s, P.InternalError)
    assert errors[-1].command == "RETR 1" and "RuntimeError: bug" in errors[-1].detail


# ------------------------------------------------------------------ CAPA, STLS, AUTH
def test_capa_by_state_and_connection():
    s = make(tls_available=True)
    assert send(s, "CAPA") == send_capa_expected(extra=b"STLS\r\n")
    s = make(encrypted=True, tls_available=True)
    assert send(s, "CAPA") == send_capa_expected(extra=b"SASL PLAIN\r\n")
    s = make(leave_in_newmail=True)
    assert send(s, "CAPA") == send_capa_expected(expire=b"EXPIRE NEVER")
    s = logged_in(tls_available=True)
    assert send(s, "CAPA") == send_capa_expected(auth=False)


def test_stls():
    s = make(tls_available=True)
    assert send(s, "USER jones", "STLS", "PASS secret word") == (
        b'+OK Password required for "jones"\r\n+OK Begin TLS negotiation\r\n')
    assert s.wants_tls
    assert s.receive(b"PASS injected\r\n") == b""
    s.tls_established()
    assert s.encrypted and not s.wants_tls
    assert send(s, "PASS secret word") == b"-ERR PASS must follow a successful USER\r\n"
    assert send(s, "STLS") == b"-ERR Command not permitted when TLS active\r\n"
    assert send(s, "CAPA") == send_capa_expected(extra=b"SASL PLAIN\r\n")
    s = make()
    assert send(s, "STLS") == b"-ERR TLS is not available on this connection\r\n"
    assert send(s, "STLS now") == b"-ERR usage: STLS\r\n"
    with pytest.raises(P.ProtocolStateError):
        s.tls_established()


def plain(user, password, authz=""):
    return base64.b64encode(f"{authz}\0{user}\0{password}".encode()).decode()


def test_auth_plain():
    s = make()
    assert send(s, "AUTH PLAIN " + plain("jones", "secret word")) == \
        b"-ERR [AUTH] SASL PLAIN is offered only on an encrypted connection\r\n"
    assert send(s, "AUTH") == b"+OK SASL mechanisms follow\r\n.\r\n"
    s = make(encrypted=True)
    assert send(s, "AUTH") == b"+OK SASL mechanisms follow\r\nPLAIN\r\n.\r\n"
    assert send(s, "AUTH CRAM-MD5") == b'-ERR unsupported SASL mechanism "CRAM-MD5"\r\n'
    assert send(s, "auth plain " + plain("jones", "secret word"), "STAT") == (
        b"+OK SASL PLAIN authentication ok\r\n+OK 2 105\r\n")
    assert events(s, P.LoginAccepted) == [P.LoginAccepted("jones", "SASL PLAIN")]


def test_auth_plain_continuation_cancel_and_failures():
    s = make(encrypted=True)
    assert send(s, "AUTH PLAIN") == b"+ \r\n"
    assert s.state is P.State.SASL
    assert send(s, "*") == b"-ERR [AUTH] authentication cancelled\r\n"
    assert s.state is P.State.AUTHORIZATION
    assert send(s, "AUTH PLAIN", "%%%") == b"+ \r\n-ERR [AUTH] malformed SASL PLAIN response\r\n"
    assert s.state is P.State.AUTHORIZATION and not s.closed
    assert send(s, "AUTH PLAIN", plain("jones", "secret word")) == (
        b"+ \r\n+OK SASL PLAIN authentication ok\r\n")
    s = make(encrypted=True)
    assert send(s, "AUTH PLAIN " + plain("jones", "secret word", authz="smith")) == \
        b'-ERR [AUTH] authorization identity "smith" is not "jones"\r\n'
    assert send(s, "AUTH PLAIN =") == b"-ERR [AUTH] malformed SASL PLAIN response\r\n"
    assert s.closed
    s = make(encrypted=True)
    long_response = base64.b64encode(b"\0jones\0" + b"p" * 600).decode()
    assert send(s, "AUTH PLAIN", long_response) == (
        b'+ \r\n-ERR [AUTH] password supplied for "jones" is incorrect\r\n')
    s = make(encrypted=True, disuserpass=True)
    assert send(s, "AUTH") == b"+OK SASL mechanisms follow\r\n.\r\n"
    assert send(s, "AUTH PLAIN =") == \
        b"-ERR [AUTH] SASL PLAIN is disabled on this server; use APOP\r\n"


# ------------------------------------------------------------------ XTND
def test_xtnd_client_and_stats():
    s = logged_in()
    assert send(s, "XTND CLIENT Eudora Pro 4.0") == b"+OK client information logged\r\n"
    assert events(s, P.ClientInfo) == [P.ClientInfo("Eudora Pro 4.0")]
    assert send(s, "XTND STATS") == (
        b"+OK Statistics follow\r\n"
        b"Version Number : vmsenv Version 0.1, OpenVMS emulation\r\n"
        b"Logging Level : DEBUG\r\nCurrent Time : 1999-04-06 06:13:46\r\n"
        b"Start Time : 1999-04-04 06:42:17\r\nCPU Seconds : 7.89 (0 mins, 7 secs)\r\n"
        b"Current Threads : 1\r\nTotal Threads : 6\r\nMax Threads : 1\r\n"
        b"Too Many Threads : 0\r\nNormal Disconnects : 5\r\nAbnormal Disconnects : 0\r\n"
        b"Client Timeouts : 0\r\nBlocked Socket Count : 0\r\nRetrieved Messages : 4\r\n"
        b"Retrieved Octets : 1102\r\nAverage Octets : 275\r\nMinimum Octets : 222\r\n"
        b"Maximum Octets : 319\r\nAuth Failures : 1\r\nCurrent Users :\r\n0. smith\r\n.\r\n")
    assert send(s, "XTND", "XTND FROB", "XTND CLIENT", "XTND STATS x") == (
        b"-ERR usage: XTND CLIENT text | LOGLEVEL level | STATS | SHUTDOWN\r\n"
        b'-ERR unknown XTND command "FROB"\r\n'
        + b"-ERR usage: XTND CLIENT text | LOGLEVEL level | STATS | SHUTDOWN\r\n" * 2)


def test_xtnd_privileged_commands():
    s = logged_in()
    assert send(s, "XTND LOGLEVEL DEBUG", "XTND SHUTDOWN") == (
        b"-ERR XTND LOGLEVEL requires OPER or SYSPRV privilege\r\n"
        b"-ERR XTND SHUTDOWN requires OPER or SYSPRV privilege\r\n")
    assert s.control.levels == [] and s.control.shutdowns == 0
    for user in ("smith", "sysmgr"):
        s = logged_in(user=user, password="pw")
        assert send(s, "xtnd loglevel debug") == b"+OK logging level changed to debug\r\n"
        assert send(s, "XTND LOGLEVEL THR") == b"+OK logging level changed to thread\r\n"
        assert send(s, "XTND LOGLEVEL LOUD") == (
            b'-ERR unknown logging level "LOUD" (ERROR, INFORMATIONAL, THREAD or DEBUG)\r\n')
        assert s.control.levels == [LogLevel.DEBUG, LogLevel.THREAD]
        assert send(s, "XTND SHUTDOWN", "STAT") == (
            b"+OK POP server shutting down; it waits for current clients to disconnect\r\n"
            b"+OK 0 0\r\n")
        assert s.control.shutdowns == 1
        assert events(s, P.ShutdownRequested) == [P.ShutdownRequested(user)]
    s = make()
    assert send(s, "XTND STATS") == \
        b'-ERR command "XTND" is not valid in the AUTHORIZATION state\r\n'


# ------------------------------------------------------------------ pure helpers
def test_format_statistics_average_and_cpu():
    stats = P.Statistics(**{**STATS.__dict__, "retrieved_messages": 0, "cpu_seconds": 127.5,
                            "current_users": ("a", "b")})
    lines = P.format_statistics(stats)
    assert "Average Octets : 0" in lines and "CPU Seconds : 127.50 (2 mins, 7 secs)" in lines
    assert lines[-3:] == ["Current Users :", "0. a", "1. b"]


def test_uidl_format():
    t = dt.datetime(2026, 11, 29, 11, 25, 0, 120000)
    assert P.uidl("jones", t) == "JONES.20261129112500120000"
    assert P.uidl("jones", t, 17) == "JONES.20261129112500120000.17"
    assert P.uidl("a.b c", t).startswith("A_B_C.")
    with pytest.raises(ValueError):
        P.uidl("x", t, -1)


@given(st.text(min_size=0, max_size=80),
       st.datetimes(min_value=dt.datetime(1858, 11, 17), max_value=dt.datetime(9999, 12, 31)),
       st.integers(min_value=0, max_value=10**15 - 1))
def test_uidl_is_valid_for_any_input(user, arrival, tiebreak):
    uid = P.uidl(user, arrival, tiebreak)
    assert 1 <= len(uid) <= 70
    assert all(0x21 <= ord(c) <= 0x7E for c in uid)
    assert uid == P.uidl(user, arrival, tiebreak)


@given(st.lists(st.tuples(st.datetimes(min_value=dt.datetime(2000, 1, 1),
                                       max_value=dt.datetime(2100, 1, 1)),
                          st.integers(0, 1000)), unique=True, max_size=30))
def test_uidl_unique_within_a_maildrop(keys):
    assert len({P.uidl("JONES", a, n) for a, n in keys}) == len(keys)


def test_frame_message_and_wire_size():
    framed = P.frame_message(["A: 1", ".B: 2"], b".x\n..y\nz")
    assert framed == b"A: 1\r\n..B: 2\r\n\r\n..x\r\n...y\r\nz\r\n"
    assert P.wire_size(framed) == len(b"A: 1\r\n.B: 2\r\n\r\n.x\r\n..y\r\nz\r\n")
    assert P.frame_message(["A: 1"], b"a\nb\nc\n", 1) == b"A: 1\r\n\r\na\r\n"
    assert P.frame_message(["A: 1"], b"a\n", 0) == b"A: 1\r\n\r\n"
    assert P.frame_message(["A: 1"], b"") == b"A: 1\r\n\r\n"
    assert P.frame_message([], b"x") == b"\r\nx\r\n"
    assert P.frame_message(["S: \u00a2"], b"") == b"S: \xa2\r\n\r\n"


# The framing before its fast paths, kept as the reference the fast paths must agree with.
def reference_normalise(body: bytes) -> bytes:
    if not body:
        return b""
    text = body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if not text.endswith(b"\r\n"):
        text += b"\r\n"
    if text.startswith(b"."):
        text = b"." + text
    if b"\n." in text:
        text = text.replace(b"\n.", b"\n..")
    return text


def reference_wire_size(framed: bytes) -> int:
    return len(framed) - framed.count(b"\r\n..") - (1 if framed.startswith(b"..") else 0)


def reference_frame(header_lines, body: bytes, body_lines=None) -> bytes:
    head = ("\r\n".join(header_lines) + "\r\n\r\n").encode("latin-1", "replace") \
        if header_lines else b"\r\n"
    text = reference_normalise(body)
    if body_lines is not None:
        pos = 0
        for _ in range(body_lines):
            i = text.find(b"\r\n", pos)
            if i < 0:
                break
            pos = i + 2
        else:
            text = text[:pos]
    return reference_normalise(head) + text


# Bodies made of the bytes that matter to framing, in runs, so that dots after line ends,
# CR LF pairs, bare CRs and LFs, and long stretches without any of them all turn up.
_PIECES = st.sampled_from([b".", b"\n", b"\r", b"\r\n", b"\n.", b"\r\n.", b"..", b"a", b"xyz",
                           b"\x00", b"\xff", b". ", b"a.b", b"x" * 300, b".x" * 40])
framing_bodies = st.one_of(st.binary(max_size=400),
                           st.lists(_PIECES, max_size=120).map(b"".join))


@given(framing_bodies)
def test_normalise_agrees_with_the_reference(body):
    assert P._normalise(body) == reference_normalise(body)


@given(st.one_of(framing_bodies, framing_bodies.map(reference_normalise)))
def test_wire_size_agrees_with_the_reference(framed):
    assert P.wire_size(framed) == reference_wire_size(framed)


@given(st.lists(st.sampled_from(["A: 1", ".B: 2", "", ".", "C: x.y", "\u00e9: \u20ac"]),
                max_size=4),
       framing_bodies, st.one_of(st.none(), st.integers(0, 20)))
def test_frame_message_agrees_with_the_reference(headers, body, n):
    framed = P.frame_message(headers, body, n)
    assert framed == reference_frame(headers, body, n)
    assert P.wire_size(framed) == reference_wire_size(framed)


def test_dot_lines_found_past_many_dots():
    # More dots than are looked at one by one, and the only dot line after all of them.
    many = b"a.b " * (P._DOTS_CHECKED * 3)
    edges = [b"a.b " * k + b"\n.x\n" for k in range(P._DOTS_CHECKED - 2, P._DOTS_CHECKED + 3)]
    for body in (many + b"\n.end\n", many + b"\r\n.end", many * 2, b"\n." + many,
                 b"." + many, many + b"\n.", *edges):
        framed = P._normalise(body)
        assert framed == reference_normalise(body)
        assert P.wire_size(framed) == reference_wire_size(framed)
        assert P._has_dot_line(body) == (body.startswith(b".") or b"\n." in body)
    big = (b"x" * 76 + b"\n") * 70_000                   # a 5 MB attachment: no dot at all
    assert P._normalise(big) == reference_normalise(big)
    assert P.wire_size(P._normalise(big)) == len(big) + 70_000


def test_retr_counts_the_listed_size_unless_fast_scan():
    class Estimating(FakeStore):
        def open(self, account, folders):
            drop = super().open(account, folders)
            listed = drop.messages
            drop.messages = lambda: [P.MessageInfo(m.key, m.uid, m.size + 100, m.arrival,
                                                   m.folder, m.foreign) for m in listed()]
            return drop
    s = logged_in(Estimating())
    assert send(s, "RETR 2").startswith(b"+OK 154 octets\r\n")
    assert events(s, P.Retrieved) == [P.Retrieved(2, 154)]      # the exact size, as listed
    s = logged_in(Estimating(), fast_scan=True)
    assert send(s, "RETR 2").startswith(b"+OK 154 octets\r\n")
    assert events(s, P.Retrieved) == [P.Retrieved(2, 54)]       # an estimate: counted


def test_fast_scan_comes_from_the_settings():
    settings = cfgmod.Settings(fast_scan=True)
    config = P.SessionConfig.from_settings(settings, host=HOST, started=STARTED,
                                           tls_available=False)
    assert config.fast_scan and not P.SessionConfig(host=HOST, started=STARTED).fast_scan


def test_cleartext_refusal():
    assert P.cleartext_refusal(HOST, 995) == (
        b"-ERR cleartext POP is disabled at ucxsys.acme.com; use secure POP on port 995\r\n")


def test_session_config_from_settings():
    settings = cfgmod.read_settings({"TCPIP$POP_SECURITY": "SECURE", "TCPIP$POP_DISUSERPASS": "1",
                                     "TCPIP$POP_MESSAGE_MAXIMUM": "5",
                                     "TCPIP$POP_TRACE": "x"}.get)
    c = P.SessionConfig.from_settings(settings, host=HOST, started=STARTED, tls_available=True)
    assert (c.security, c.disuserpass, c.message_maximum, c.trace, c.tls_available) == (
        Security.SECURE, True, 5, True, True)


def test_transition_table():
    assert all((s, P.Step.LOST) in P._TRANSITIONS for s in P.State)
    assert [k for k in P._TRANSITIONS if k[0] is P.State.CLOSED] == [
        (P.State.CLOSED, P.Step.LOST)]
    reached, todo = {P.State.AUTHORIZATION}, [P.State.AUTHORIZATION]
    while todo:
        here = todo.pop()
        for (state, _step), new in P._TRANSITIONS.items():
            if state is here and new not in reached:
                reached.add(new)
                todo.append(new)
    assert reached == set(P.State)
    s = make()
    with pytest.raises(P.ProtocolStateError):
        s._move(P.Step.UPDATED)


def test_commands_table():
    assert set(P.COMMANDS) == {"USER", "PASS", "APOP", "AUTH", "STLS", "CAPA", "QUIT", "STAT",
                               "LIST", "UIDL", "RETR", "TOP", "DELE", "NOOP", "RSET", "XTND"}
    assert P.COMMANDS["CAPA"].states == P.COMMANDS["QUIT"].states == {
        P.State.AUTHORIZATION, P.State.TRANSACTION}
