"""The TCPIP$POP_* logical names of Table 19-2 over real loopback sockets, with real mail.

Each test starts the server image's body (`popserver.server.run`) in a thread of its own, in a
process of a fresh root whose names are DEFINEd in the process table (LNM$FILE_DEV), on free
loopback ports (the POP entry of the services database, TCPIP$POP_SSL_PORT), with the image's
own mail store -- the users' MAIL.MAI files through popserver.maildrop, not a stand-in. Mail is
delivered with vmsenv.mail.deliver (`vms_from` for the DECnet forms, as MAIL-11 would), and
read back with poplib or raw sockets; every test stops the servers it starts.

Covered here: PERSONAL_NAME, USE_MAIL_FOLDER, FAST_SCAN, SEND_ID_HEADERS, DECNET_REWRITE,
QUOTED_DECNET_REWRITE, DISUSERPASS, PURGE_RECLAIM, CERT_FILE and KEY_FILE with the manual's
three partial specifications, and POP_RUN.LOG's new version at each start. The other names
have their loopback tests in test_pop_server.py and test_e2e_*.py.

The expected From: lines are the manual's examples (19.1.6.1), on the hosts its examples
name: widgets.xyzcorp.com for GENERIC, orders.acme.widgets.com (with and without the
substitute domain acme.widgets.com, HOST12 in the hosts database, HOST13 not) for TRANSFORM.
The typo "ORDER::" of the manual's quoted GENERIC example is read as ORDERS (the address it
rewrites), as popserver.headers documents.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import io
import poplib
import sqlite3
import ssl
import threading
from pathlib import Path

import pytest

from popserver import protocol as P
from popserver import server as S
from vmsenv import condition as C
from vmsenv import tcpip, uaf
from vmsenv.dcl.interpreter import Interpreter
from vmsenv.mail import deliver as md
from vmsenv.mail import profile
from vmsenv.mail import store as ms
from vmsenv.process import Process
from vmsenv.testing import dcl_output as dcl
from vmsenv.testing import free_port

USER = "JONES"
PASSWORD = "TANSTAAFL7"
SECRET = "open-sesame"
ARRIVAL = dt.datetime(2026, 11, 29, 11, 25)
LOG_SPEC = "SYS$SYSDEVICE:[TCPIP$POP]POP_RUN.LOG"


# ------------------------------------------------------------------ the server


class Server:
    """The POP server of a root, run in a thread: `names` DEFINEd in its process first."""

    def __init__(self, root, names: dict[str, str] | None = None):
        self.root = root
        self.port, self.ssl_port = free_port(), free_port()
        tcpip.remove_services(root, "POP")
        tcpip.set_service(root, "POP", {"port": self.port, "file": "X.COM",
                                        "user_name": "TCPIP$POP", "process_name": "TCPIP$POP"})
        self.process = Process(root)
        shell = Interpreter(self.process, io.StringIO())
        names = dict(names or {})
        names.setdefault("TCPIP$POP_SSL_PORT", str(self.ssl_port))
        for name, value in names.items():
            shell.run_line(f'DEFINE {name} "{value}"')
        self.out = io.StringIO()
        self.server: S.PopServer | None = None
        self.status: int | None = None
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._run)
        self.thread.start()
        assert self._ready.wait(20), "the server did not start"
        if self.server is None:
            self.thread.join(5)
            self.process.logout()
            raise AssertionError(f"the server did not start: {self.out.getvalue()}")

    def _run(self) -> None:
        try:
            self.status = S.run(self.process, stdout=self.out, on_ready=self._on_ready,
                                failure_delay=0.0)
        finally:
            self._ready.set()

    def _on_ready(self, server: S.PopServer) -> None:
        self.server = server
        self._ready.set()

    def stop(self) -> None:
        """Orderly (as XTND SHUTDOWN); by force when a client was left connected."""
        if self.thread.is_alive():
            self.server.request_shutdown()
            self.thread.join(5)
        if self.thread.is_alive():
            self.server.close()
            self.thread.join(20)
        assert not self.thread.is_alive()
        self.process.logout()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def client(self) -> poplib.POP3:
        return poplib.POP3("127.0.0.1", self.port, timeout=10)

    def login(self) -> poplib.POP3:
        c = self.client()
        c.user(USER.lower())
        c.pass_(PASSWORD.lower())
        return c

    def log(self) -> str:
        """The text of the newest POP_RUN.LOG."""
        return log_versions(self.root)[-1][1].read_text(encoding="latin-1")


def log_versions(root) -> list[tuple[str, Path]]:
    """(VMS specification, host path) of every version of POP_RUN.LOG, oldest first."""
    process = Process(root)
    try:
        refs = list(process.files.search(LOG_SPEC + ";*",
                                         process_default=process.process_default()))
    finally:
        process.logout()
    return sorted(((r.spec, r.path) for r in refs), key=lambda r: int(r[0].rpartition(";")[2]))


# ------------------------------------------------------------------ users and mail
class Mail:
    """The user JONES (password, login directory, POP_SECRET.DAT) of a root, and delivery to
    him through vmsenv.mail.deliver."""

    def __init__(self, root):
        self.root = root
        uaf.add(root, USER, {"flags": ((False, "DISUSER"),), "password": PASSWORD,
                             "directory": f"[{USER}]"})
        uaf.create_login_directory(root, uaf.get(root, USER))
        self.directory = profile.recipient_directory(root, USER)
        (self.directory / "pop_secret.dat").write_text(SECRET + "\n")

    def deliver(self, body: bytes, vms_from: str, subject: str, *, minute: int = 0,
                folder: str = ms.NEWMAIL) -> None:
        """A VMS message (To: JONES) from vms_from, arrived `minute` after ARRIVAL."""
        with md.Deliverer(lambda user: profile.recipient_directory(self.root, user),
                          root=self.root) as d:
            d.deliver(body, USER, vms_from=vms_from, subject=subject, folder=folder,
                      arrived=ARRIVAL + dt.timedelta(minutes=minute))

    def folders(self) -> dict[str, list[str]]:
        """Folder -> subjects, oldest first."""
        mf = ms.MailFile(self.directory, create=False)
        try:
            return {name: [m.subject for m in mf.list(name)] for name, _ in mf.folders()}
        finally:
            mf.close()

    def mail_file(self) -> Path:
        return ms.mail_file_path(self.directory)


@pytest.fixture
def mail(root) -> Mail:
    return Mail(root)


def date_line(minute: int = 0) -> str:
    """The Date: line of a message that arrived `minute` after ARRIVAL (local time)."""
    when = (ARRIVAL + dt.timedelta(minutes=minute)).astimezone()
    return "Date: " + email.utils.format_datetime(when)


def headers(c: poplib.POP3, n: int) -> list[str]:
    """The header lines of message n (TOP n 0: nothing is marked as read)."""
    resp, lines, _ = c.top(n, 0)
    assert resp.startswith(b"+OK") and lines[-1] == b""
    return [line.decode("latin-1") for line in lines[:-1]]


def from_lines(server: Server, count: int) -> list[str]:
    c = server.login()
    try:
        assert c.stat()[0] == count
        return [next(h for h in headers(c, n) if h.startswith("From: "))[6:]
                for n in range(1, count + 1)]
    finally:
        c.quit()


def stats(c: poplib.POP3) -> dict[str, str]:
    resp, lines, _ = c._longcmd("XTND STATS")
    assert resp == b"+OK Statistics follow"
    return {label.strip(): value.strip()
            for label, _, value in (line.decode().partition(" :") for line in lines)}


def apop(c: poplib.POP3, secret: str = SECRET) -> bytes:
    stamp = c.getwelcome().decode().split()[-1]
    digest = hashlib.md5((stamp + secret).encode()).hexdigest()
    return c._shortcmd(f"APOP {USER.lower()} {digest}")


# ------------------------------------------------------------------ PERSONAL_NAME
PERSONAL = [
    ('SMTP%"james.jones@federation.gov" "Jones, James (Jim)"', "james.jones@federation.gov",
     r"james.jones@federation.gov (Jones, James \(Jim\))"),
    ('SMITH "Jane Smith"', "smith@orders.acme.widgets.com",
     "smith@orders.acme.widgets.com (Jane Smith)"),
    ('SMTP%"plain@federation.gov"', "plain@federation.gov", "plain@federation.gov"),
]


@pytest.mark.parametrize("defined", [False, True], ids=["undefined", "defined"])
def test_personal_name(root, mail, defined):
    for i, (vms_from, _, _) in enumerate(PERSONAL):
        mail.deliver(b"Hello.\n", vms_from, f"personal {i}", minute=i)
    names = {"TCPIP$INET_HOST": "orders", "TCPIP$INET_DOMAIN": "acme.widgets.com"}
    if defined:
        names["TCPIP$POP_PERSONAL_NAME"] = "1"
    with Server(root, names) as server:
        c = server.login()
        got = [headers(c, n) for n in range(1, len(PERSONAL) + 1)]
        c.quit()
    for i, (vms_from, bare, named) in enumerate(PERSONAL):
        assert got[i] == [date_line(i), f"From: {named if defined else bare}", "To: JONES",
                          f"Subject: personal {i}", f"X-VMS-From: {vms_from}"]
    shown = "defined" if defined else "not defined (default)"
    assert f"TCPIP$POP_PERSONAL_NAME: {shown}" in server.log()


# ------------------------------------------------------------------ DECNET_REWRITE
def manual_hosts(root, substitute_domain: str | None = None) -> dict[str, str]:
    """The hosts of the manual's TRANSFORM examples: this host is orders.acme.widgets.com,
    HOST12 is host12.acme.widgets.com, HOST13 is not in the hosts database; the names that
    make this host's name."""
    tcpip.set_host(root, "orders.acme.widgets.com", "10.0.0.1")
    tcpip.set_host(root, "host12.acme.widgets.com", "10.0.0.12")
    if substitute_domain:
        tcpip.set_smtp_configuration(root, substitute_domain=substitute_domain)
    return {"TCPIP$INET_HOST": "orders", "TCPIP$INET_DOMAIN": "acme.widgets.com"}


WIDGETS = {"TCPIP$INET_HOST": "widgets", "TCPIP$INET_DOMAIN": "xyzcorp.com"}


@pytest.mark.parametrize("value, expected", [
    ("GENERIC", '"ORDERS::J_SMITH"@widgets.xyzcorp.com'),
    ("NONE", "ORDERS::J_SMITH"),
    ("TRANSFORM", "j_smith@orders.xyzcorp.com"),
])
def test_decnet_rewrite_on_widgets(root, mail, value, expected):
    """The manual's GENERIC and NONE examples (ORDERS::J_SMITH on widgets.xyzcorp.com);
    TRANSFORM for contrast, ORDERS being orders.xyzcorp.com there."""
    tcpip.set_host(root, "orders.xyzcorp.com", "10.0.0.1")
    mail.deliver(b"An order.\n", "ORDERS::J_SMITH", "order")
    with Server(root, {**WIDGETS, "TCPIP$POP_DECNET_REWRITE": value}) as server:
        c = server.login()
        assert headers(c, 1) == [date_line(), f"From: {expected}", "To: JONES",
                                 "Subject: order", "X-VMS-From: ORDERS::J_SMITH"]
        c.quit()
    assert f"TCPIP$POP_DECNET_REWRITE: {value}\n" in server.log()


TRANSFORM_FROM = ["ORDERS::J_SMITH", "HOST12::J_JONES", "HOST13::J_JONES"]


@pytest.mark.parametrize("names", [{"TCPIP$POP_DECNET_REWRITE": "TRANSFORM"}, {}],
                         ids=["defined", "default"])
def test_decnet_rewrite_transform(root, mail, names):
    """The manual's TRANSFORM examples, without and then with the substitute domain; the
    name undefined means TRANSFORM."""
    for i, vms_from in enumerate(TRANSFORM_FROM):
        mail.deliver(b"Hello.\n", vms_from, f"transform {i}", minute=i)
    with Server(root, {**manual_hosts(root), **names}) as server:
        assert from_lines(server, 3) == ["j_smith@orders.acme.widgets.com",
                                         "j_jones@host12.acme.widgets.com",
                                         '"HOST13::J_JONES"@orders.acme.widgets.com']
    with Server(root, {**manual_hosts(root, "acme.widgets.com"), **names}) as server:
        assert from_lines(server, 3) == ["j_smith@acme.widgets.com",
                                         "j_jones@host12.acme.widgets.com",
                                         '"HOST13::J_JONES"@acme.widgets.com']
    assert "SMTP substitute domain acme.widgets.com" in server.log()


# ------------------------------------------------------------------ QUOTED_DECNET_REWRITE
QUOTED = 'ORDERS::"j_smith@acme.com"'
QUOTED_DOT = 'ORDERS::"j.smith@acme.com"'
CLUSTER = 'ABCDEF::SMTP%"james.jones@federation.gov"'


@pytest.mark.parametrize("value, expected", [
    ("GENERIC", ['"ORDERS::\\"j_smith@acme.com\\""@widgets.xyzcorp.com',
                 '"ORDERS::\\"j.smith@acme.com\\""@widgets.xyzcorp.com']),
    ("NONE", [QUOTED, QUOTED_DOT]),
    ("TRANSFORM", ["j_smith@acme.com", "j.smith@acme.com"]),
    (None, ["j_smith@acme.com", "j.smith@acme.com"]),
], ids=["GENERIC", "NONE", "TRANSFORM", "default"])
def test_quoted_decnet_rewrite(root, mail, value, expected):
    """The manual's examples on widgets.xyzcorp.com. The simple DECnet address beside them
    follows DECNET_REWRITE (NONE here) alone, and cluster forwarding is rewritten the same
    whatever the name says."""
    for i, vms_from in enumerate([QUOTED, QUOTED_DOT, "ORDERS::J_SMITH", CLUSTER]):
        mail.deliver(b"Hello.\n", vms_from, f"quoted {i}", minute=i)
    names = {**WIDGETS, "TCPIP$POP_DECNET_REWRITE": "NONE"}
    if value is not None:
        names["TCPIP$POP_QUOTED_DECNET_REWRITE"] = value
    with Server(root, names) as server:
        c = server.login()
        assert headers(c, 1) == [date_line(), f"From: {expected[0]}", "To: JONES",
                                 "Subject: quoted 0", f"X-VMS-From: {QUOTED}"]
        c.quit()
        assert from_lines(server, 4) == expected + ["ORDERS::J_SMITH",
                                                    "james.jones@federation.gov"]
    shown = value or "TRANSFORM (default)"
    assert f"TCPIP$POP_QUOTED_DECNET_REWRITE: {shown}\n" in server.log()


# ------------------------------------------------------------------ USE_MAIL_FOLDER
def test_use_mail_folder(root, mail):
    mail.deliver(b"Read long ago.\n", "SMITH", "old", minute=0, folder=ms.MAIL)
    mail.deliver(b"New one.\n", "SMITH", "new 1", minute=1)
    mail.deliver(b"New two.\n", "SMITH", "new 2", minute=2)
    mail.deliver(b"Filed later.\n", "SMITH", "filed", minute=3, folder=ms.MAIL)
    with Server(root) as server:                   # NEWMAIL only: nothing read, nothing moves
        c = server.login()
        assert c.stat()[0] == 2
        assert c.capa()["EXPIRE"] == ["0"]
        c.quit()
    assert mail.folders() == {"MAIL": ["old", "filed"], "NEWMAIL": ["new 1", "new 2"]}
    with Server(root, {"TCPIP$POP_USE_MAIL_FOLDER": "1"}) as server:
        c = server.login()
        assert c.capa()["EXPIRE"] == ["NEVER"]
        assert c.stat()[0] == 4
        subjects = [next(h for h in headers(c, n) if h.startswith("Subject: "))
                    for n in range(1, 5)]
        assert subjects == ["Subject: old", "Subject: new 1", "Subject: new 2",
                            "Subject: filed"]               # MAIL and NEWMAIL, oldest first
        assert c.retr(1)[1][-1] == b"Read long ago."
        c.dele(3)
        c.quit()
        # QUIT moved every NEWMAIL message presented and not deleted to MAIL
        assert mail.folders() == {"MAIL": ["old", "new 1", "filed"]}
        c = server.login()                          # MAIL is the maildrop now
        assert c.stat()[0] == 3
        c.quit()
    assert "TCPIP$POP_USE_MAIL_FOLDER: defined" in server.log()


# ------------------------------------------------------------------ FAST_SCAN
FAST = [
    (b"line one\nline two\n", "SMITH", "LF line ends"),
    (b"crlf one\r\ncrlf two\r\nthree\r\n", 'SMTP%"someone@example.com"', "CR LF line ends"),
    (b"a last line without a line end", "ORDERS::J_SMITH", ""),
    (b".dot first\n..two dots\n\nafter an empty line\n", 'ORDERS::"j.smith@acme.com"', "dots"),
]


def estimate(body: bytes, vms_from: str, subject: str, to: str = USER, cc: str = "") -> int:
    """popserver.maildrop's documented FAST_SCAN estimate: body octets + body lines + 80 +
    2 x the VMS From: + To: + CC: + Subj:."""
    lines = body.count(b"\n") + (1 if body and not body.endswith(b"\n") else 0)
    return len(body) + lines + 80 + 2 * len(vms_from) + len(to) + len(cc) + len(subject)


def crlf_lines(body: bytes) -> bytes:
    """A body as POP sends it (before dot-stuffing): every line ends in CR LF."""
    lines = body.replace(b"\r\n", b"\n").split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return b"".join(line + b"\r\n" for line in lines)


def test_fast_scan(root, mail):
    for i, (body, vms_from, subject) in enumerate(FAST):
        mail.deliver(body, vms_from, subject, minute=i)
    with Server(root) as server:
        c = server.login()
        exact = [int(entry.split()[1]) for entry in c.list()[1]]
        c.quit()
    guesses = [estimate(*m) for m in FAST]
    assert guesses != exact
    with Server(root, {"TCPIP$POP_FAST_SCAN": "1"}) as server:
        c = server.login()
        assert [int(entry.split()[1]) for entry in c.list()[1]] == guesses
        assert c.stat() == (len(FAST), sum(guesses))
        assert c.list(2) == f"+OK 2 {guesses[1]}".encode()
        for n, (body, _, _) in enumerate(FAST, 1):
            resp, lines, octets = c.retr(n)
            assert resp == f"+OK {guesses[n - 1]} octets".encode()   # the listed size
            assert octets == exact[n - 1]                            # what is really sent
            assert b"".join(line + b"\r\n" for line in lines[lines.index(b"") + 1:]) == \
                crlf_lines(body)
        s = stats(c)
        assert s["Retrieved Octets"] == str(sum(exact))
        c.quit()
    assert "TCPIP$POP_FAST_SCAN: defined" in server.log()


# ------------------------------------------------------------------ SEND_ID_HEADERS
@pytest.mark.parametrize("defined", [False, True], ids=["undefined", "defined"])
def test_send_id_headers(root, mail, defined):
    mail.deliver(b"Hello.\n", 'SMTP%"someone@example.com"', "first")
    mail.deliver(b"Again.\n", "ORDERS::J_SMITH", "second", minute=1)
    names = {"TCPIP$INET_HOST": "pop", "TCPIP$INET_DOMAIN": "acme.example",
             "TCPIP$POP_DECNET_REWRITE": "NONE"}
    if defined:
        names["TCPIP$POP_SEND_ID_HEADERS"] = "1"
    with Server(root, names) as server:
        c = server.login()
        uids = [entry.split()[1].decode() for entry in c.uidl()[1]]
        sizes = [int(entry.split()[1]) for entry in c.list()[1]]
        for n, (vms_from, subject) in enumerate([('SMTP%"someone@example.com"', "first"),
                                                 ("ORDERS::J_SMITH", "second")], 1):
            sender = "someone@example.com" if n == 1 else vms_from
            expected = [date_line(n - 1), f"From: {sender}", "To: JONES",
                        f"Subject: {subject}", f"X-VMS-From: {vms_from}"]
            if defined:
                expected += [f"X-POP3-Server: pop.acme.example POP server vmsenv Version "
                             f"{P.VERSION}", f"X-POP3-ID: {uids[n - 1]}"]
            assert headers(c, n) == expected
            assert c.retr(n)[2] == sizes[n - 1]       # exact sizes count the ID headers
        c.quit()
    shown = "defined" if defined else "not defined (default)"
    assert f"TCPIP$POP_SEND_ID_HEADERS: {shown}" in server.log()


# ------------------------------------------------------------------ DISUSERPASS
def test_disuserpass(root, mail):
    mail.deliver(b"Hello.\n", "SMITH", "only APOP")
    with Server(root, {"TCPIP$POP_DISUSERPASS": "1"}) as server:
        c = server.client()
        assert "USER" not in c.capa()
        refusal = r"-ERR \[AUTH\] USER and PASS are disabled on this server; use APOP"
        with pytest.raises(poplib.error_proto, match=refusal):
            c.user(USER.lower())
        with pytest.raises(poplib.error_proto, match=refusal):
            c.pass_(PASSWORD.lower())
        with pytest.raises(poplib.error_proto, match=refusal):   # not failed attempts:
            c.user(USER.lower())                                 # the connection stays
        assert apop(c).startswith(b"+OK")
        assert c.stat()[0] == 1
        assert stats(c)["Auth Failures"] == "0"
        c.quit()
    assert "TCPIP$POP_DISUSERPASS: defined" in server.log()
    with Server(root) as server:                    # and without it, USER/PASS works
        c = server.login()
        assert c.stat()[0] == 1
        c.quit()


# ------------------------------------------------------------------ PURGE_RECLAIM
def file_pages(path: Path) -> tuple[int, int]:
    """(pages, free pages) of a mail file, read without changing it."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return (db.execute("PRAGMA page_count").fetchone()[0],
                db.execute("PRAGMA freelist_count").fetchone()[0])
    finally:
        db.close()


@pytest.mark.parametrize("defined", [False, True], ids=["undefined", "defined"])
def test_purge_reclaim(root, mail, defined):
    # three inline bodies of 9,000 octets: 27,000 deleted octets stay below the 32,767 at
    # which the mail file reclaims itself, so only the name can make the file shrink
    for i in range(3):
        mail.deliver(bytes([65 + i]) * 8999 + b"\n", "SMITH", f"big {i}", minute=i)
    mail.deliver(b"Small.\n", "SMITH", "kept", minute=5)
    pages, free = file_pages(mail.mail_file())
    assert free == 0
    names = {"TCPIP$POP_PURGE_RECLAIM": "1", "TCPIP$POP_LEAVE_IN_NEWMAIL": "1"} if defined \
        else {"TCPIP$POP_LEAVE_IN_NEWMAIL": "1"}
    with Server(root, names) as server:
        c = server.login()
        for n in (1, 2, 3):
            c.dele(n)
        c.quit()
        after, free_after = file_pages(mail.mail_file())
        assert mail.folders() == {"NEWMAIL": ["kept"]}
    if defined:
        assert free_after == 0 and after <= pages - 3      # three 8 KiB pages at least
        assert mail.mail_file().stat().st_size == after * ms.PAGE_SIZE
    else:
        assert after == pages and free_after >= 3
    assert "not reclaimed" not in server.log()


# ------------------------------------------------------------------ CERT_FILE, KEY_FILE
@pytest.fixture(scope="module")
def certificate() -> tcpip.Certificate:
    return tcpip.make_self_signed("pop-logicals.test", days=2)


@pytest.mark.parametrize("value, cert_spec, key_spec, setup", [
    ("TCPIP$POP", "SSL$CERTS:TCPIP$POP.CRT", "SSL$KEY:TCPIP$POP.KEY", ()),
    ("SYS$LOGIN:SSL", "SYS$LOGIN:SSL.CRT", "SYS$LOGIN:SSL.KEY", ()),
    ("CLUSTERDEV:[CERTS]", "CLUSTERDEV:[CERTS]SERVER.CRT", "CLUSTERDEV:[CERTS]SERVER.KEY",
     ("DEFINE/SYSTEM/EXECUTIVE_MODE/TRANSLATION=CONCEALED CLUSTERDEV SYS$SYSDEVICE:[CLUSTER.]",
      "CREATE/DIRECTORY CLUSTERDEV:[CERTS]")),
], ids=["name", "device-and-name", "device-and-directory"])
def test_cert_and_key_files(root, mail, certificate, value, cert_spec, key_spec, setup):
    """The manual's three partial specifications, the missing parts from SSL$CERTS:SERVER.CRT
    and SSL$KEY:SERVER.KEY; no file is at the defaults, so only the named ones can serve."""
    mail.deliver(b"Secure.\n", "SMITH", "over TLS")
    dcl(root, "@SYS$STARTUP:SSL$STARTUP",
        "INSTALL CREATE SYS$LIBRARY:SSL$LIBCRYPTO_SHR32.EXE",
        "INSTALL CREATE SYS$LIBRARY:SSL$LIBSSL_SHR.EXE", *setup)
    process = Process(root)
    try:
        written = tcpip.write_certificate(process, certificate, cert_spec, key_spec)
        pd = process.process_default()
        cert_path = process.files.lookup(cert_spec, process_default=pd).path
        for default in ("SSL$CERTS:SERVER.CRT", "SSL$KEY:SERVER.KEY"):
            with pytest.raises(C.VMSError):
                process.files.lookup(default, process_default=pd)
    finally:
        process.logout()
    names = {"TCPIP$POP_CERT_FILE": value, "TCPIP$POP_KEY_FILE": value}
    with Server(root, names) as server:
        assert set(server.server.ports) == {"cleartext", "secure"}
        context = ssl.create_default_context(cafile=str(cert_path))
        c = poplib.POP3_SSL("127.0.0.1", server.ssl_port, context=context, timeout=10)
        assert c.sock.getpeercert()["subject"] == ((("commonName", "pop-logicals.test"),),)
        c.user(USER.lower())
        c.pass_(PASSWORD.lower())
        assert c.stat()[0] == 1
        c.quit()
        c = server.client()
        c.stls(context)
        assert apop(c).startswith(b"+OK")
        c.quit()
    log = server.log()
    # the settings as $PARSE merged them at start, then the files found
    assert f"TCPIP$POP_CERT_FILE: {written[0].rpartition(';')[0]};\n" in log
    assert f"TCPIP$POP_KEY_FILE: {written[1].rpartition(';')[0]};\n" in log
    assert f"SSL certificate {written[0]}, key {written[1]}" in log
    assert "non-SSL mode" not in log and "warning" not in log


# ------------------------------------------------------------------ POP_RUN.LOG versions
def test_run_log_new_version_at_each_start(root, mail):
    with Server(root, {"TCPIP$POP_LOG_LEVEL": "THREAD"}) as first:
        c = first.login()
        c.quit()
    [(spec1, path1)] = log_versions(root)
    assert spec1.endswith("[TCPIP$POP]POP_RUN.LOG;1")
    text1 = path1.read_bytes().decode("latin-1")
    assert text1.rstrip("\n").endswith("POP server stopped")
    assert "user jones logged in" in text1
    with Server(root) as second:
        versions = log_versions(root)
        assert [spec for spec, _ in versions] == [spec1, spec1[:-1] + "2"]
        text2 = versions[1][1].read_text(encoding="latin-1")
        lines = text2.splitlines()
        assert f"starting: process {second.process.name} ({second.process.pid:08X})" \
            in lines[0]
        assert lines[1].endswith(f"log file {LOG_SPEC};2")
        assert "POP server stopped" not in text2 and "user jones" not in text2
        assert "TCPIP$POP_LOG_LEVEL: INFORMATIONAL (default)" in text2
        c = second.login()
        c.quit()
    assert path1.read_bytes().decode("latin-1") == text1    # the first version is left alone
    text2 = versions[1][1].read_text(encoding="latin-1")
    assert text2.count("starting: process") == 1
    assert text2.rstrip("\n").endswith("POP server stopped")
    assert second.status == first.status == C.SS_NORMAL
