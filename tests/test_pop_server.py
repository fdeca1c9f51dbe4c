"""The POP server over real loopback sockets (popserver.server, popserver.runlog).

Each test starts the image body (`server.run`) in a thread of its own, on free ports given to
the services database (TCPIP SET SERVICE POP) and TCPIP$POP_SSL_PORT, with an in-memory mail
store, and stops it (orderly, or by force) before it ends.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import poplib
import socket
import ssl
import threading
import time
from pathlib import Path

import pytest

from popserver import protocol as P
from popserver import server as S
from vmsenv import condition as C
from vmsenv import images, opcom, tcpip, uaf
from vmsenv.dcl.interpreter import Interpreter
from vmsenv.process import Process
from vmsenv.testing import dcl_output as dcl
from vmsenv.testing import free_port

PASSWORDS = {"JONES": "TANSTAAFL7", "SMITH": "SMITHPASS9"}


# ------------------------------------------------------------------ a mail store
class Store:
    """A thread-safe in-memory Mailstore: user -> [(arrival, body)]."""

    def __init__(self):
        self.lock = threading.Lock()
        self.mail: dict[str, list[tuple[dt.datetime, bytes]]] = {}
        self.locked: set[str] = set()
        self.commits: list[P.Changes] = []
        self.releases = 0

    def open(self, account, folders):
        with self.lock:
            if account.username in self.locked:
                raise P.MaildropInUse("locked")
            self.locked.add(account.username)
        return Drop(self, account.username)


class Drop:
    def __init__(self, store, user):
        self.store, self.user = store, user

    def _wire(self, key, n=None):
        return P.frame_message([f"Subject: message {key}"], self.store.mail[self.user][key][1], n)

    def messages(self):
        with self.store.lock:
            items = list(enumerate(self.store.mail.get(self.user, [])))
        return [P.MessageInfo(i, P.uidl(self.user, arrival), P.wire_size(self._wire(i)), arrival)
                for i, (arrival, _body) in items]

    def wire_bytes(self, key, body_lines):
        return self._wire(key, body_lines)

    def commit(self, changes):
        with self.store.lock:
            self.store.commits.append(changes)
            kept = [m for i, m in enumerate(self.store.mail.get(self.user, []))
                    if i not in changes.delete]
            self.store.mail[self.user] = kept
            self.store.locked.discard(self.user)

    def release(self):
        with self.store.lock:
            self.store.releases += 1
            self.store.locked.discard(self.user)


# ------------------------------------------------------------------ running the server


class Running:
    def __init__(self, root, store, names=None, failure_delay=0.0, service=None):
        self.root, self.store = root, store
        self.port, self.ssl_port = free_port(), free_port()
        tcpip.remove_services(root, "POP")
        tcpip.set_service(root, "POP", {"port": self.port, "file": "X.COM",
                                        "user_name": "TCPIP$POP", "process_name": "TCPIP$POP",
                                        **(service or {})})
        self.process = Process(root)
        shell = Interpreter(self.process, io.StringIO())
        names = dict(names or {})
        names.setdefault("TCPIP$POP_SSL_PORT", str(self.ssl_port))
        for name, value in names.items():
            shell.run_line(f'DEFINE {name} "{value}"')
        self.out = io.StringIO()
        self.ready = threading.Event()
        self.server: S.PopServer | None = None
        self.status = None
        self.thread = threading.Thread(target=self._run, args=(failure_delay,))
        self.thread.start()
        assert self.ready.wait(20), "the server did not start"

    def _run(self, failure_delay):
        try:
            self.status = S.run(self.process, mailstore_factory=lambda c: self.store,
                                stdout=self.out,
                                on_ready=self._ready, failure_delay=failure_delay)
        finally:
            self.ready.set()

    def _ready(self, server):
        self.server = server
        self.ready.set()

    def stop(self):
        if self.server is not None and self.thread.is_alive():
            self.server.close()
        self.thread.join(20)
        assert not self.thread.is_alive()
        self.process.logout()

    def log(self) -> str:
        logdir = self.root.sysdevice / "tcpip$pop"
        newest = sorted(logdir.glob("pop_run.log*"),
                        key=lambda p: int(p.name.split(";")[1]) if ";" in p.name else 1)[-1]
        return newest.read_text(encoding="latin-1")

    def client(self, timeout=10) -> poplib.POP3:
        return poplib.POP3("127.0.0.1", self.port, timeout=timeout)

    def raw(self, port=None, timeout=5) -> socket.socket:
        return socket.create_connection(("127.0.0.1", port or self.port), timeout=timeout)


@pytest.fixture
def users(root):
    for name, password in PASSWORDS.items():
        changes = {"flags": ((False, "DISUSER"),), "password": password,
                   "directory": f"[{name}]"}
        if name == "SMITH":
            changes["authorized"] = ((True, "OPER"),)
        uaf.add(root, name, changes)
    return root


@pytest.fixture
def store():
    s = Store()
    s.mail["JONES"] = [(dt.datetime(2026, 11, 1, 9, 0), b"first message\n.dot line\n"),
                       (dt.datetime(2026, 11, 2, 9, 0), b"second message, longer\nline 2\n")]
    s.mail["SMITH"] = []
    return s


@pytest.fixture
def running(users, store, request):
    r = Running(users, store, getattr(request, "param", {}))
    yield r
    r.stop()


def login(c: poplib.POP3, user="jones"):
    c.user(user)
    c.pass_(PASSWORDS[user.upper()].lower())
    return c


def stats(c: poplib.POP3) -> dict[str, str]:
    resp, lines, _ = c._longcmd("XTND STATS")
    assert resp == b"+OK Statistics follow"
    result = {}
    for line in lines:
        label, _, value = line.decode().partition(" :")
        result[label.strip()] = value.strip()
    return result


def read_until_closed(sock: socket.socket, limit=10.0) -> bytes:
    data = b""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            chunk = sock.recv(4096)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk
    raise AssertionError("not closed")


# ------------------------------------------------------------------ sessions
@pytest.mark.parametrize("running", [{"TCPIP$POP_TRACE": "1"}], indirect=True)
def test_session_commit_statistics_and_log(running, store):
    c = running.client()
    welcome = c.getwelcome().decode()
    assert welcome.startswith("+OK POP server vmsenv Version ")
    assert welcome.endswith(">") and "<00000001." in welcome
    login(c)
    assert c.stat() == (2, store_size(store))
    resp, lines, octets = c.retr(1)
    assert lines == [b"Subject: message 0", b"", b"first message", b".dot line"]
    c.dele(2)
    s = stats(c)
    assert s["Current Threads"] == "1" and s["Total Threads"] == "1"
    assert s["Retrieved Messages"] == "1" and s["Retrieved Octets"] == str(octets)
    assert s["Minimum Octets"] == s["Maximum Octets"] == s["Average Octets"] == str(octets)
    assert s["Current Users"] == "" and s["0. jones"] == ""
    assert s["Auth Failures"] == "0"
    assert s["Logging Level"] == "INFORMATIONAL"
    assert s["Version Number"].startswith("vmsenv POP server Version")
    c.quit()
    assert [m[1] for m in store.mail["JONES"]] == [b"first message\n.dot line\n"]
    running.server.request_shutdown()
    running.thread.join(10)
    assert running.status == C.SS_NORMAL
    log = running.log()
    assert "TCPIP$POP_TRACE: defined" in log
    assert "TRACE         T1        < PASS ***" in log
    assert "user jones logged in (USER/PASS)" in log
    assert PASSWORDS["JONES"].lower() not in log.lower()
    assert "POP server stopped" in log


def store_size(store) -> int:
    drop = Drop(store, "JONES")
    return sum(m.size for m in drop.messages())


def test_user_list_and_failures_in_statistics(running, store):
    bad = running.client()
    bad.user("jones")
    with pytest.raises(poplib.error_proto, match="incorrect"):
        bad.pass_("wrong password")
    c = login(running.client())
    s = stats(c)
    assert s["Auth Failures"] == "1"
    resp, lines, _ = c._longcmd("XTND STATS")
    assert lines[-1] == b"0. jones"
    bad.quit()
    c.quit()
    s = running.server.statistics()
    assert (s.normal_disconnects, s.abnormal_disconnects) == (2, 0)


def test_drop_after_dele_loses_nothing(running, store):
    before = list(store.mail["JONES"])
    c = login(running.client())
    c.dele(1)
    c.dele(2)
    c.close()                           # no QUIT: the socket is closed
    deadline = time.monotonic() + 5
    while running.server.statistics().abnormal_disconnects < 1:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert store.mail["JONES"] == before
    assert store.commits == [] and store.releases == 1
    c2 = login(running.client())        # the maildrop was released
    assert c2.stat()[0] == 2
    c2.quit()


def test_second_session_in_use(running):
    first = login(running.client())
    second = running.client()
    second.user("jones")
    with pytest.raises(poplib.error_proto, match=r"\[IN-USE\]"):
        second.pass_(PASSWORDS["JONES"])
    first.quit()
    second.quit()


def test_apop_with_pop_secret_file(running, users):
    login_dir = users.sysdevice / "jones"
    login_dir.mkdir(exist_ok=True)
    (login_dir / "pop_secret.dat").write_text("tanstaaf\n")
    c = running.client()
    assert c.apop("jones", "tanstaaf").startswith(b"+OK")
    assert c.stat()[0] == 2
    c.quit()
    (login_dir / "pop_secret.dat").write_text("")
    c = running.client()
    with pytest.raises(poplib.error_proto, match="no APOP secret"):
        c.apop("jones", "")
    c.quit()


def test_opcom_on_refusal(users, store):
    before = opcom.last_seq(users)
    r = Running(users, store)
    try:
        c = r.client()
        c.user("jones")
        with pytest.raises(poplib.error_proto):
            c.pass_("not-the-password")
        c.quit()
    finally:
        r.stop()
    log_text = Path(opcom.log_path(users)[1]).read_text(encoding="latin-1")
    assert opcom.last_seq(users) == before + 1
    assert 'USER/PASS authorization failure for user "jones" from 127.0.0.1' in log_text
    assert "not-the-password" not in log_text


def test_noreject_suppresses_opcom(users, store):
    before = opcom.last_seq(users)
    r = Running(users, store, service={"log_steps": ["NOREJECT"]})
    try:
        c = r.client()
        c.user("jones")
        with pytest.raises(poplib.error_proto):
            c.pass_("bad")
        c.quit()
    finally:
        r.stop()
    assert opcom.last_seq(users) == before
    assert "authorization failure" in r.log()
    assert "log option REJECT is off" in r.log()


# ------------------------------------------------------------------ threads
def greeting_within(sock: socket.socket, seconds: float) -> bytes | None:
    sock.settimeout(seconds)
    try:
        return sock.recv(1024)
    except TimeoutError:
        return None


@pytest.mark.parametrize("running", [{"TCPIP$POP_MAXIMUM_THREADS": "1"}], indirect=True)
def test_single_threaded(running):
    first = running.raw()
    assert greeting_within(first, 5).startswith(b"+OK")
    second = running.raw()
    assert greeting_within(second, 0.4) is None         # waits for the first to leave
    assert running.server.statistics().too_many_threads == 1
    first.sendall(b"QUIT\r\n")
    assert read_until_closed(first).startswith(b"+OK")
    greeting = greeting_within(second, 5)
    assert greeting.startswith(b"+OK") and b"<00000002." in greeting
    second.sendall(b"QUIT\r\n")
    read_until_closed(second)
    first.close()
    second.close()
    s = running.server.statistics()
    assert (s.max_threads, s.total_threads, s.normal_disconnects) == (1, 2, 2)


@pytest.mark.parametrize("running", [{"TCPIP$POP_MAXIMUM_THREADS": "4"}], indirect=True)
def test_four_threads(running):
    socks = [running.raw() for _ in range(4)]
    for s in socks:
        assert greeting_within(s, 5).startswith(b"+OK")
    fifth = running.raw()
    assert greeting_within(fifth, 0.4) is None
    s = running.server.statistics()
    assert (s.current_threads, s.max_threads, s.too_many_threads) == (4, 4, 1)
    socks[2].sendall(b"QUIT\r\n")
    read_until_closed(socks[2])
    assert greeting_within(fifth, 5).startswith(b"+OK")
    for sock in socks + [fifth]:
        sock.close()


# ------------------------------------------------------------------ timeouts and options
@pytest.mark.parametrize("running", [{"TCPIP$POP_LINK_IDLE_TIMEOUT": "0 00:00:00.50"}],
                         indirect=True)
def test_link_idle_timeout(running, store):
    sock = running.raw()
    sock.settimeout(5)
    greeting = sock.recv(1024)
    assert greeting.startswith(b"+OK")
    sock.sendall(f"USER jones\r\nPASS {PASSWORDS['JONES']}\r\nDELE 1\r\n".encode())
    time.sleep(0.1)
    assert read_until_closed(sock).count(b"+OK") == 3   # nothing more: no -ERR on timeout
    s = running.server.statistics()
    assert (s.client_timeouts, s.abnormal_disconnects) == (1, 0)
    assert len(store.mail["JONES"]) == 2
    assert "idle for longer than TCPIP$POP_LINK_IDLE_TIMEOUT" in running.log()


@pytest.mark.parametrize("running", [{"TCPIP$POP_SNDBUF": "4096",
                                      "TCPIP$POP_LOG_LEVEL": "DEBUG"}], indirect=True)
def test_sndbuf(running):
    c = login(running.client())
    c.quit()
    running.server.request_shutdown()
    running.thread.join(10)
    assert "SO_SNDBUF 4096" in running.log()


@pytest.mark.parametrize("running", [{"TCPIP$POP_MAXIMUM_THREADS": "ten",
                                      "TCPIP$POP_SNDBUF": "100"}], indirect=True)
def test_bad_values_are_warnings(running):
    log = running.log()
    assert 'ERROR         main      warning: TCPIP$POP_MAXIMUM_THREADS = "ten": not a number' in log
    assert 'TCPIP$POP_SNDBUF = "100": below the minimum of 512' in log
    c = login(running.client())
    c.quit()


def test_secure_refusals_are_delayed(users, store):
    r = Running(users, store, {"TCPIP$POP_SECURITY": "SECURE"}, failure_delay=0.3)
    try:
        c = r.client()
        assert c.user("nosuchuser").startswith(b"+OK")
        start = time.monotonic()
        with pytest.raises(poplib.error_proto, match="Access to user account"):
            c.pass_("whatever")
        assert time.monotonic() - start >= 0.3
        c.quit()
        # the second failure of a connection closes it: its refusal still comes, delayed
        c = r.client()
        c.user("jones")
        with pytest.raises(poplib.error_proto, match="Access to user account"):
            c.pass_("wrong1")
        c.user("jones")
        start = time.monotonic()
        with pytest.raises(poplib.error_proto, match="Access to user account"):
            c.pass_("wrong2")
        assert time.monotonic() - start >= 0.3
    finally:
        r.stop()


def test_xtnd_loglevel_and_shutdown(running, store):
    plain = login(running.client())
    with pytest.raises(poplib.error_proto, match="OPER or SYSPRV"):
        plain._shortcmd("XTND SHUTDOWN")
    oper = login(running.client(), "smith")
    assert oper._shortcmd("XTND LOGLEVEL DEBUG") == b"+OK logging level changed to debug"
    assert stats(oper)["Logging Level"] == "DEBUG"
    assert oper._shortcmd("XTND SHUTDOWN").startswith(b"+OK")
    deadline = time.monotonic() + 5
    while True:                                   # no new connections
        try:
            running.raw(timeout=1).close()
        except OSError:
            break
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert running.thread.is_alive()               # current clients may finish
    assert plain.stat()[0] == 2
    plain.dele(1)
    plain.quit()
    oper.quit()
    running.thread.join(10)
    assert running.status == C.SS_NORMAL
    assert len(store.mail["JONES"]) == 1
    assert "XTND SHUTDOWN by smith" in running.log()


@pytest.mark.parametrize("running", [{"TCPIP$POP_MAXIMUM_THREADS": "1"}], indirect=True)
def test_shutdown_refuses_waiting_clients(running):
    first = login(running.client(), "smith")
    waiting = running.raw()
    assert greeting_within(waiting, 0.3) is None
    first._shortcmd("XTND SHUTDOWN")
    assert read_until_closed(waiting).startswith(b"-ERR [SYS/TEMP]")
    first.quit()
    running.thread.join(10)
    assert running.status == C.SS_NORMAL


@pytest.mark.parametrize("running", [{"TCPIP$POP_DISABLE_CLEARTEXT": "1",
                                      "TCPIP$POP_SSL_PORT": "2995"}], indirect=True)
def test_disable_cleartext(running):
    sock = running.raw()
    data = read_until_closed(sock)
    assert data.startswith(b"-ERR ") and b"port 2995" in data
    assert running.server.statistics().total_threads == 0
    assert "no client can be served" in running.log()


def test_port_in_use(users, store):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        tcpip.remove_services(users, "POP")
        tcpip.set_service(users, "POP", {"port": port, "file": "X.COM",
                                         "user_name": "TCPIP$POP",
                                         "process_name": "TCPIP$POP"})
        process = Process(users)
        out = io.StringIO()
        try:
            status = S.run(process, mailstore_factory=lambda c: store, stdout=out)
        finally:
            process.logout()
    assert status == C.SS_DUPLNAM | C.INHIB_MSG          # printed here, not again by DCL
    assert out.getvalue() == "%SYSTEM-F-DUPLNAM, duplicate name\n"


def test_the_image_serves_mail_mai():
    """The image binds the MAIL.MAI mail store and SYSUAF (popserver/maildrop.py, auth.py)."""
    from popserver import maildrop

    assert S.MAILSTORE_FACTORY == "popserver.maildrop:from_context"
    assert S._factory(S.MAILSTORE_FACTORY) is maildrop.from_context
    assert "TCPIP$POP_SERVER" in images.SYSTEM_IMAGES["sysexe"]


# ------------------------------------------------------------------ TLS
def start_ssl(root, install=True, encrypted=False, key_mode=0o600):
    dcl(root, "@SYS$STARTUP:SSL$STARTUP")
    if install:
        dcl(root, "INSTALL CREATE SYS$LIBRARY:SSL$LIBCRYPTO_SHR32.EXE",
            "INSTALL CREATE SYS$LIBRARY:SSL$LIBSSL_SHR.EXE")
    process = Process(root)
    try:
        cert = tcpip.make_self_signed("pop.test", days=2)
        if encrypted:
            from cryptography.hazmat.primitives import serialization
            key = serialization.load_pem_private_key(cert.key_pem, None)
            cert = tcpip.Certificate(cert.cert_pem, key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"phrase")), "pop.test", cert.not_after)
        cert_spec, key_spec = tcpip.write_certificate(process, cert)
        key_path = process.files.lookup(key_spec, process_default=process.process_default()).path
        os.chmod(key_path, key_mode)
        cert_path = process.files.lookup(cert_spec,
                                         process_default=process.process_default()).path
    finally:
        process.logout()
    return cert_path


def test_tls_on_the_secure_port_and_stls(users, store):
    cert_path = start_ssl(users)
    r = Running(users, store)
    try:
        context = ssl.create_default_context(cafile=str(cert_path))
        c = poplib.POP3_SSL("127.0.0.1", r.ssl_port, context=context, timeout=10)
        caps = c.capa()
        assert "STLS" not in caps and "SASL" in caps
        login(c)
        assert c.stat()[0] == 2
        c.quit()
        c = r.client()
        assert "STLS" in c.capa()
        c.stls(context)
        login(c)
        assert c.stat()[0] == 2
        c.quit()
    finally:
        r.stop()
    log = r.log()
    assert "SSL certificate SSL$ROOT:[CERTS]SERVER.CRT;1" in log
    assert "listening for secure POP" in log
    assert "warning" not in log


def test_no_tls_without_installed_images(users, store):
    start_ssl(users, install=False)
    r = Running(users, store)
    try:
        assert set(r.server.ports) == {"cleartext"}
        c = r.client()
        assert "STLS" not in c.capa()
        c.quit()
    finally:
        r.stop()
    assert "SYS$LIBRARY:SSL$LIBCRYPTO_SHR32.EXE is not a known image" in r.log()


def test_no_tls_without_ssl_startup(users, store):
    r = Running(users, store)
    r.stop()
    assert "SSL$ROOT, SSL$CERTS, SSL$KEY, SSL$COM not defined" in r.log()


def test_encrypted_key_refused(users, store):
    start_ssl(users, encrypted=True)
    r = Running(users, store)
    try:
        assert set(r.server.ports) == {"cleartext"}
    finally:
        r.stop()
    assert "encrypted private keys are not supported" in r.log()


def test_readable_key_warned_and_disable_ssl(users, store):
    start_ssl(users, key_mode=0o644)
    r = Running(users, store, {"TCPIP$POP_DISABLE_SSL": "1"})
    try:
        assert set(r.server.ports) == {"cleartext"}
        c = r.client()
        assert "STLS" in c.capa()
        c.quit()
    finally:
        r.stop()
    assert "is readable by group or world" in r.log()


def test_failed_handshake_is_abnormal(users, store):
    start_ssl(users)
    r = Running(users, store)
    try:
        sock = r.raw(r.ssl_port)
        sock.sendall(b"USER jones\r\n")           # not a TLS client
        read_until_closed(sock)
        deadline = time.monotonic() + 5
        while r.server.statistics().abnormal_disconnects < 1:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        r.stop()
    log = (users.sysdevice / "tcpip$pop" / "pop_run.log").read_text()
    assert "Traceback" not in log and "AttributeError" not in log


def test_apop_digest_never_logged(users, store):
    login_dir = users.sysdevice / "jones"
    login_dir.mkdir(exist_ok=True)
    (login_dir / "pop_secret.dat").write_text("shared-secret\n")
    r = Running(users, store, {"TCPIP$POP_TRACE": "1", "TCPIP$POP_LOG_LEVEL": "DEBUG"})
    try:
        c = r.client()
        stamp = c.getwelcome().decode().split()[-1]
        digest = hashlib.md5((stamp + "shared-secret").encode()).hexdigest()
        c._shortcmd(f"APOP jones {digest}")
        c.quit()
    finally:
        r.stop()
    log = r.log()
    assert "< APOP jones ***" in log
    assert digest not in log and "shared-secret" not in log


def exchange(sock: socket.socket, line: bytes) -> bytes:
    """Send one line, read the one-line reply."""
    sock.sendall(line + b"\r\n")
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_no_password_reaches_the_run_log_in_any_form(users, store):
    import base64

    password = PASSWORDS["JONES"]
    plain = base64.b64encode(f"\0jones\0{password}".encode()).decode()
    r = Running(users, store, {"TCPIP$POP_TRACE": "1", "TCPIP$POP_LOG_LEVEL": "DEBUG"})
    try:
        sock = r.raw()
        assert sock.recv(4096).startswith(b"+OK")
        replies = [exchange(sock, line) for line in (
            b"USER jones", password.encode(),                      # a bare password line
            b"AUTH PLAIN", plain.encode(),                         # refused on cleartext
            b"USER jones", b"PASS\t" + password.lower().encode())]  # a tab: still PASS
        assert replies[1] == replies[3] == b"-ERR unknown command\r\n"
        assert replies[-1] == b"+OK Username/password combination ok\r\n"
        assert exchange(sock, b"PASS\t" + password.encode()).startswith(b"-ERR command \"PASS\"")
        assert exchange(sock, password.encode()) == b"-ERR unknown command\r\n"
        assert exchange(sock, b"QUIT").startswith(b"+OK")
        sock.close()
    finally:
        r.stop()
    log = r.log()
    assert password.lower() not in log.lower() and plain not in log and plain[:12] not in log
    assert "< PASS ***" in log and "< [not a command, " in log


def test_apop_non_ascii_digest_is_an_ordinary_failure(users, store):
    login_dir = users.sysdevice / "jones"
    login_dir.mkdir(exist_ok=True)
    (login_dir / "pop_secret.dat").write_text("shared-secret\n")
    before = opcom.last_seq(users)
    r = Running(users, store)
    try:
        sock = r.raw()
        assert sock.recv(4096).startswith(b"+OK")
        wrong = b'-ERR [AUTH] digest supplied for "jones" is incorrect\r\n'
        assert exchange(sock, b"APOP jones \xe9\xe9\xe9") == wrong
        assert exchange(sock, b"APOP jones \xe9\xe9\xe9") == wrong
        assert read_until_closed(sock) == b""                 # the two-attempt limit
        assert r.server.statistics().auth_failures == 2
    finally:
        r.stop()
    log = r.log()
    assert "internal error" not in log and "Traceback" not in log
    assert log.count('APOP authorization failure for user "jones"') == 2
    assert opcom.last_seq(users) == before + 2


def test_run_log_lines_show_control_characters_as_question_marks():
    from popserver.runlog import clean

    assert clean("a\tb") == "a\tb"
    assert clean("x\r\ny\x00\x1b\x7f") == "x??y???"
    assert clean("n\x85e\x9bl \xe9\xa0") == "n?e?l \xe9\xa0"     # C1 too: NEL ends a line
    assert clean("jones\x85FAKE LINE").splitlines() == ["jones?FAKE LINE"]
