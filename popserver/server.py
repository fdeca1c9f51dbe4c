"""The POP server image: listeners, TLS, the client threads, timeouts, logging and shutdown.

`image_main(ctx)` is the entry of SYS$SYSTEM:TCPIP$POP_SERVER.EXE. It reads the TCPIP$POP_*
logical names once (popserver.config, through the process's names in LNM$FILE_DEV order),
opens a new POP_RUN.LOG (popserver.runlog) and lists the effective settings in it, finds the
cleartext address and port in the services database (`TCPIP SET SERVICE POP /PORT /ADDRESS`,
default 127.0.0.1 port 110) and the secure port in TCPIP$POP_SSL_PORT (default 995; with the
service database's address), prepares TLS, binds, serves until an orderly shutdown, and exits
with SS$_NORMAL. The protocol itself is popserver.protocol's sans-IO `Session`; this module
only moves bytes, keeps time and counts.

Connections
-----------
- A cleartext connection gets the greeting; under TCPIP$POP_DISABLE_CLEARTEXT it gets
  `protocol.cleartext_refusal()` (an -ERR naming the secure port) and is closed at once, by the
  accepting thread, without taking a client thread.
- A connection to the secure port does the TLS handshake first (implicit TLS, RFC 8314) in its
  client thread, with the idle timeout (or 30 seconds when there is none) as the limit; a
  failed handshake is logged and closed (an Abnormal Disconnect).
- STLS: after ``+OK Begin TLS negotiation`` is sent the thread reads no more plaintext, wraps
  the socket and calls `tls_established()`; a failed handshake closes the connection
  (`connection_lost()`).
- Every end without QUIT -- the client closed or reset the connection, the idle timeout
  (TCPIP$POP_LINK_IDLE_TIMEOUT), a failed handshake, the server being stopped -- calls
  `connection_lost()`, so nothing is committed. It counts as a Client Timeout when the idle
  timeout ended it (nothing is sent to the client), else as an Abnormal Disconnect; the close
  after two failed logins is an Abnormal Disconnect too, QUIT a Normal Disconnect. A reply
  that cannot be sent within the idle timeout (the client stopped reading) counts in Blocked
  Socket Count as well.
- TCPIP$POP_SNDBUF sets SO_SNDBUF on each client socket; without it the system's value stays.

Threads (TCPIP$POP_MAXIMUM_THREADS)
-----------------------------------
One accepting thread serves both listening sockets. Each client is served by a client thread;
at most MAXIMUM_THREADS exist, started as needed and reused (a thread that finishes a client
takes the next waiting one). A connection accepted while all of them are busy waits, in
arrival order, without a greeting, and each such wait counts as Too Many Threads. With 1 the
server is single-threaded: a second client gets its greeting only when the first has left.
"Current Threads" is the number of clients being served, "Total Threads" the number of clients
served since the start, "Max Threads" the highest number served at once (the manual's example
shows it below Total, so it is a high-water mark, not the setting).

Shutdown
--------
`request_shutdown()` (XTND SHUTDOWN, or the Python caller) closes the listening sockets at once
(no new connections), answers the connections still waiting for a thread with
``-ERR [SYS/TEMP] POP server at HOST is shutting down`` and closes them, and lets the current
clients finish; when the last has left, `serve()` returns and the image exits with SS$_NORMAL.
`close()` is the forced stop (used by tests and the Python caller): current connections are
shut down as if dropped (nothing committed).

The image also stops in that orderly way when its service is disabled: once the POP entry of
the services database has been Enabled during the server's life (when the image read it at
start, or later), `TCPIP DISABLE SERVICE POP` (or `TCPIP SET NOSERVICE POP`) is a shutdown
request, noticed within SERVICE_POLL_SECONDS. SYS$STARTUP:TCPIP$POP_SHUTDOWN.COM stops the
server this way (as TCP/IP Services' service shutdown procedures disable their service), then
waits a bounded time before it uses STOP. An entry that is Disabled when the server starts (a
server run outside the startup procedure) is watched for the change from Enabled only.

TLS
---
SSL counts as installed when SSL$STARTUP.COM has run (SSL$ROOT, SSL$CERTS, SSL$KEY and SSL$COM
translate) and both SYS$LIBRARY:SSL$LIBCRYPTO_SHR32.EXE and SYS$LIBRARY:SSL$LIBSSL_SHR.EXE are
known images (INSTALL); otherwise, as the manual says, the server runs in non-SSL mode and its
log says why. The certificate and key come from TCPIP$POP_CERT_FILE / TCPIP$POP_KEY_FILE
(defaults SSL$CERTS:SERVER.CRT / SSL$KEY:SERVER.KEY), found through the process's files. An
encrypted private key is refused (manual 19.5.6: not supported) and the server runs without
TLS; a key file readable by group or world (host mode bits) is logged as a warning. TLS 1.2 is
the minimum. TCPIP$POP_DISABLE_SSL removes the secure listener only: STLS on the cleartext port
stays available whenever a certificate is loaded (STLS is this server's addition; the manual's
name is about port 995).

Logging and OPCOM
-----------------
POP_RUN.LOG gets the startup lines (version, process, the effective settings from
`Settings.lines()`, every refused value as an ERROR "warning:" line, the listeners, the TLS
state), connections and their ends (THREAD), logins, authorization failures, command errors
and shutdown requests (INFORMATIONAL), internal errors (ERROR) and, with TCPIP$POP_TRACE,
every line to and from each client with passwords masked (TRACE). An authorization failure
is also an OPCOM message (classes NETWORK and SECURITY) unless the POP service's log option
REJECT is off (`TCPIP SET SERVICE POP/LOG=NOREJECT`). No password is ever written.

Threads and the database
------------------------
The root's SQLite connection belongs to one thread, so the client threads use `ThreadRoots`
a copy of the root per thread with its own connection (SYSUAF checks, OPCOM messages). What
goes through the server process's logical names and files (POP_SECRET.DAT) is done under
`files_lock`. A mail store gets both in its `ServerContext`.

Exit statuses
-------------
SS$_NORMAL after an orderly shutdown. When it cannot start: SS$_DUPLNAM when a port is in use
(VMS TCP/IP Services reports a bind to a busy port with that status), SS$_NOPRIV when the host
refuses the port, SS$_BADPARAM when the address is not one of this host's, SS$_ABORT when no
mail store is configured, the RMS status when POP_RUN.LOG cannot be created; the reason is in
the log and on SYS$OUTPUT. The image prints that status's message itself, so it returns the
status with INHIB_MSG (bit 28, %X10000000) set, as a VMS image that signalled its error does:
DCL does not show the message a second time (SYS$OUTPUT of the detached process is
TCPIP$POP_RUN.LOG), and $STATUS keeps the condition, its severity and its F$MESSAGE text
(TCPIP$POP_RUN.COM clears the control bits before it reports the status).

The mail store is not bound here: `MAILSTORE_FACTORY` names it (``module:function``, called
with the `ServerContext`, returning a protocol.Mailstore). The APOP secret is read from
POP_SECRET.DAT in the user's mail directory, which is the login directory unless the mail store
says otherwise (`ServerContext.mail_directory`); an empty secret file counts as no secret.
"""

from __future__ import annotations

import datetime as _dt
import errno
import heapq
import importlib
import itertools
import os
import selectors
import socket
import ssl
import stat
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from popserver import auth
from popserver import protocol as P
from popserver.config import LogLevel, Settings, read_settings
from popserver.headers import HeaderPolicy, HostEnvironment, policy_from_settings
from popserver.runlog import RunLog, clean
from vmsenv import condition as C
from vmsenv import tcpip
from vmsenv.condition import VMSError
from vmsenv.root import ThreadRoots

MAILSTORE_FACTORY: str | None = "popserver.maildrop:from_context"
"""``module:function`` of the mail store factory; None: none is configured (the server then
refuses to start)."""

SSL_NAMES = ("SSL$ROOT", "SSL$CERTS", "SSL$KEY", "SSL$COM")
SSL_IMAGES = ("SYS$LIBRARY:SSL$LIBCRYPTO_SHR32.EXE", "SYS$LIBRARY:SSL$LIBSSL_SHR.EXE")
HANDSHAKE_SECONDS = 30.0
SERVICE_POLL_SECONDS = 0.5
REFUSAL_SECONDS = 5.0
RECV_SIZE = 65536
OPCOM_CLASSES = ("NETWORK", "SECURITY")
VERSION_TEXT = f"vmsenv POP server Version {P.VERSION}, OpenVMS emulation"


# ======================================================================= threads and the root
def _lookup(process) -> Callable[[str], str | None]:
    """A logical name's first equivalence string through LNM$FILE_DEV, or None."""
    def lookup(name: str) -> str | None:
        entry = process.lnm.trnlnm(name, "LNM$FILE_DEV")
        if entry is None or entry.is_table or not entry.values:
            return None
        return entry.values[0][0]
    return lookup


@dataclass
class ServerContext:
    """What a mail store factory gets (see MAILSTORE_FACTORY)."""

    process: object
    settings: Settings
    host: HostEnvironment
    policy: HeaderPolicy
    roots: ThreadRoots
    files_lock: threading.RLock
    log: RunLog
    mail_directory: Callable[[object], str] | None = None
    """uaf.Account -> the VMS directory of the user's mail (with device); the mail store may
    set it; None means the login directory."""


# ======================================================================= TLS
@dataclass
class TlsSetup:
    context: ssl.SSLContext | None
    reason: str = ""
    """Why there is no context (for the log)."""
    warnings: list[str] = field(default_factory=list)
    cert_spec: str = ""
    key_spec: str = ""


def ssl_installed(process) -> str | None:
    """None when SSL counts as installed, else the reason it does not."""
    from vmsenv import images

    lookup = _lookup(process)
    missing = [n for n in SSL_NAMES if lookup(n) is None]
    if missing:
        return (f"SSL is not started: {', '.join(missing)} not defined "
                "(run @SYS$STARTUP:SSL$STARTUP)")
    for spec in SSL_IMAGES:
        try:
            ref = process.files.lookup(spec, process_default=process.process_default())
        except VMSError:
            return f"SSL is not installed: {spec} not found"
        if not images.is_known(process.root, ref.path):
            return f"SSL is not installed: {spec} is not a known image (INSTALL CREATE it)"
    return None


def _no_passphrase():
    raise ValueError("the private key is encrypted")


def load_tls(process, settings: Settings) -> TlsSetup:
    """The server's TLS context from the certificate and key files, or why there is none."""
    why = ssl_installed(process)
    if why is not None:
        return TlsSetup(None, why)
    pd = process.process_default()
    found = []
    for what, spec in (("certificate", settings.cert_file), ("key", settings.key_file)):
        try:
            found.append(process.files.lookup(spec, process_default=pd))
        except VMSError as err:
            return TlsSetup(None, f"{what} file {spec} cannot be opened: {err.lines()[0]}")
    cert, key = found
    setup = TlsSetup(None, cert_spec=cert.spec, key_spec=key.spec)
    try:
        key_text = key.path.read_bytes()
        mode = os.stat(key.path).st_mode
    except OSError as exc:
        setup.reason = f"key file {key.spec} cannot be read: {exc.strerror}"
        return setup
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        setup.warnings.append(f"the key file {key.spec} is readable by group or world "
                              "(restrict it to the TCPIP$POP account)")
    if b"ENCRYPTED" in key_text:
        setup.reason = (f"the private key in {key.spec} is encrypted; encrypted private keys "
                        "are not supported")
        return setup
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(str(cert.path), str(key.path), password=_no_passphrase)
    except (ssl.SSLError, ValueError, OSError) as exc:
        setup.reason = f"certificate {cert.spec} and key {key.spec} cannot be used: {exc}"
        return setup
    setup.context = context
    return setup


# ======================================================================= the host
def host_environment(process) -> HostEnvironment:
    """A snapshot of what header rebuilding needs: the host's name, SMTP's substitute domain,
    local aliases and TOP_HEADERS, the hosts database, the local time zone. Read once, in the
    thread that owns the process; safe to use from any thread."""
    root = process.root
    smtp = tcpip.smtp_configuration(root)
    return HostEnvironment(
        local_host=tcpip.local_host_name(_lookup(process), root.node),
        substitute_domain=smtp.substitute_domain,
        local_aliases=tcpip.read_local_aliases(process),
        node_to_host=tcpip.node_translator(root),
        smtp_top_headers=smtp.top_headers,
        tz=_dt.datetime.now().astimezone().tzinfo)


# ======================================================================= statistics
class _Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.serving = 0
        self.total = 0
        self.high = 0
        self.too_many = 0
        self.normal = 0
        self.abnormal = 0
        self.timeouts = 0
        self.blocked = 0
        self.messages = 0
        self.octets = 0
        self.minimum = 0
        self.maximum = 0
        self.auth_failures = 0
        self.users: dict[int, str] = {}


class _Blocked(Exception):
    """A send did not complete within the idle timeout."""


class _Stopped(Exception):
    """The server is being stopped by force."""


@dataclass
class _Conn:
    sock: socket.socket
    peer: str
    secure: bool
    id: int


def _peer(address) -> str:
    try:
        return f"{address[0]} port {address[1]}"
    except (TypeError, IndexError):
        return str(address)


# ======================================================================= the server
class PopServer:
    """Listeners and client threads around protocol.Session; also its ServerControl."""

    def __init__(self, settings: Settings, authenticator: P.Authenticator,
                 mailstore: P.Mailstore, *, host: str, log: RunLog | None = None,
                 cleartext: tuple[str, int] | None = (tcpip.DEFAULT_ADDRESS, 110),
                 secure: tuple[str, int] | None = None, tls: ssl.SSLContext | None = None,
                 opcom: Callable[[str], None] | None = None, failure_delay: float = 2.0,
                 started: _dt.datetime | None = None):
        self.settings = settings
        self.auth = authenticator
        self.mailstore = mailstore
        self.host = host
        self.log = log or RunLog(None, settings.log_level, trace=settings.trace)
        self.tls = tls
        self.opcom = opcom
        self.started = started or _dt.datetime.now().replace(microsecond=0)
        self.config = P.SessionConfig.from_settings(settings, host=host, started=self.started,
                                                    tls_available=tls is not None,
                                                    failure_delay=failure_delay)
        self.max_threads = settings.maximum_threads
        timeout = settings.link_idle_timeout
        self.idle = timeout.total_seconds() if timeout else None
        self._wanted = [("cleartext", cleartext), ("secure", secure if tls else None)]
        self._listeners: list[tuple[str, socket.socket]] = []
        self.ports: dict[str, int] = {}
        self._lock = threading.Lock()
        self._waiting: deque[_Conn] = deque()
        self._active = 0
        self._slots = list(range(1, self.max_threads + 1))
        self._live: dict[int, socket.socket] = {}
        self._ids = itertools.count(1)
        self._stats = _Stats()
        self._shutdown = False
        self._force = threading.Event()
        self._done = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self._acceptor: threading.Thread | None = None

    # ------------------------------------------------------------------ start and stop
    def start(self) -> None:
        """Bind and listen, and start the accepting thread. VMSError when a listener cannot
        be set up (nothing is left open then)."""
        try:
            for kind, where in self._wanted:
                if where is None:
                    continue
                self._listeners.append((kind, self._listen(kind, *where)))
        except VMSError:
            for _kind, sock in self._listeners:
                sock.close()
            self._listeners.clear()
            raise
        for kind, sock in self._listeners:
            address, port = sock.getsockname()[:2]
            self.ports[kind] = port
            self.log.info(f"listening for {kind} POP on {address} port {port}")
        self._acceptor = threading.Thread(target=self._accept_loop, name="POP accept",
                                          daemon=True)
        self._acceptor.start()

    def _listen(self, kind: str, address: str, port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((address, port))
            sock.listen(128)
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            status = {errno.EADDRINUSE: C.SS_DUPLNAM, errno.EACCES: C.SS_NOPRIV,
                      errno.EPERM: C.SS_NOPRIV,
                      errno.EADDRNOTAVAIL: C.SS_BADPARAM}.get(exc.errno)
            text = (f"cannot listen for {kind} POP on {address} port {port}: "
                    f"{exc.strerror or exc}")
            self.log.error(text)
            if status is None:
                raise VMSError(C.VMSENV_HOSTERR, text) from None
            raise VMSError(status) from None
        return sock

    def serve(self) -> None:
        """Wait until the server has shut down (request_shutdown or close)."""
        self._done.wait()
        if self._acceptor is not None:
            self._acceptor.join()
        for sock in (self._wake_r, self._wake_w):
            sock.close()

    def wait(self, timeout: float | None = None) -> bool:
        """Whether the server has shut down, waiting at most timeout seconds for it."""
        return self._done.wait(timeout)

    def request_shutdown(self) -> None:
        """ServerControl: an orderly shutdown. Returns at once."""
        with self._lock:
            if self._shutdown:
                return
            self._shutdown = True
            idle = self._active == 0
        self.log.info("shutdown requested: no new connections; waiting for current clients")
        try:
            self._wake_w.send(b"x")
        except OSError:         # the accepting thread has already ended
            pass
        if idle:
            self._check_done()

    def close(self) -> None:
        """Stop now: no new connections, current connections dropped (nothing committed)."""
        self._force.set()
        self.request_shutdown()
        with self._lock:
            live = list(self._live.values())
        for sock in live:
            try:
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass
        self.serve()

    def _check_done(self) -> None:
        with self._lock:
            finished = self._shutdown and self._active == 0 and not self._waiting
        if finished and not self._done.is_set():
            self.log.info("all clients have left; POP server shutting down")
            self._done.set()

    # ------------------------------------------------------------------ ServerControl
    def statistics(self) -> P.Statistics:
        s = self._stats
        with s.lock:
            return P.Statistics(
                version=VERSION_TEXT, log_level=self.log.level,
                current_time=_dt.datetime.now(), start_time=self.started,
                cpu_seconds=time.process_time(), current_threads=s.serving,
                total_threads=s.total, max_threads=s.high, too_many_threads=s.too_many,
                normal_disconnects=s.normal, abnormal_disconnects=s.abnormal,
                client_timeouts=s.timeouts, blocked_socket_count=s.blocked,
                retrieved_messages=s.messages, retrieved_octets=s.octets,
                minimum_octets=s.minimum, maximum_octets=s.maximum,
                auth_failures=s.auth_failures,
                current_users=tuple(s.users[k] for k in sorted(s.users)))

    def set_log_level(self, level: LogLevel) -> None:
        self.log.level = level

    # ------------------------------------------------------------------ accepting
    def _accept_loop(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self._wake_r, selectors.EVENT_READ, None)
        for kind, sock in self._listeners:
            sel.register(sock, selectors.EVENT_READ, kind)
        try:
            while True:
                with self._lock:
                    stopping = self._shutdown
                if stopping:
                    break
                for key, _mask in sel.select():
                    if key.data is None:
                        try:
                            self._wake_r.recv(64)
                        except OSError:
                            pass
                        continue
                    self._accept(key.fileobj, key.data)
        finally:
            sel.close()
            for _kind, sock in self._listeners:
                sock.close()
            self._refuse_waiting()
            self._check_done()

    def _accept(self, listener: socket.socket, kind: str) -> None:
        try:
            sock, address = listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self.log.error(f"accept failed on the {kind} port: {exc.strerror or exc}", "accept")
            return
        sock.setblocking(True)
        peer = _peer(address)
        if kind == "cleartext" and self.settings.disable_cleartext:
            self.log.info(f"cleartext connection from {peer} refused "
                          "(TCPIP$POP_DISABLE_CLEARTEXT)", "accept")
            self._say_and_close(sock, P.cleartext_refusal(self.host, self.settings.ssl_port))
            return
        conn = _Conn(sock, peer, kind == "secure", next(self._ids))
        self.log.thread(f"connection {conn.id} from {peer} ({kind})", "accept")
        with self._lock:
            if self._active < self.max_threads:
                self._active += 1
                slot = heapq.heappop(self._slots)
                threading.Thread(target=self._worker, args=(slot, conn), name=f"POP T{slot}",
                                 daemon=True).start()
                return
            self._waiting.append(conn)
        with self._stats.lock:
            self._stats.too_many += 1
        self.log.info(f"connection {conn.id} from {peer} waits: all {self.max_threads} "
                      "client threads are busy", "accept")

    @staticmethod
    def _say_and_close(sock: socket.socket, data: bytes) -> None:
        try:
            sock.settimeout(REFUSAL_SECONDS)
            sock.sendall(data)
        except OSError:
            pass
        finally:
            sock.close()

    def _refuse_waiting(self) -> None:
        with self._lock:
            waiting, self._waiting = list(self._waiting), deque()
        text = f"-ERR [SYS/TEMP] POP server at {self.host} is shutting down\r\n"
        for conn in waiting:
            self.log.info(f"connection {conn.id} from {conn.peer} closed: the server is "
                          "shutting down", "accept")
            self._say_and_close(conn.sock, text.encode("latin-1", "replace"))

    # ------------------------------------------------------------------ client threads
    def _worker(self, slot: int, conn: _Conn | None) -> None:
        name = f"T{slot}"
        while conn is not None:
            try:
                self._serve(conn, name)
            except Exception:  # never let a client thread die silently
                self.log.error(f"connection {conn.id}: internal error: "
                               f"{traceback.format_exc().strip()}", name)
            with self._lock:
                conn = self._waiting.popleft() if self._waiting and not self._shutdown \
                    else None
                if conn is None:
                    self._active -= 1
                    heapq.heappush(self._slots, slot)
        self._check_done()

    def _serve(self, conn: _Conn, name: str) -> None:
        s = self._stats
        with s.lock:
            s.serving += 1
            s.total += 1
            s.high = max(s.high, s.serving)
        with self._lock:
            self._live[conn.id] = conn.sock
        sock = conn.sock
        try:
            if self.settings.sndbuf:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.settings.sndbuf)
                self.log.debug(f"connection {conn.id}: SO_SNDBUF {self.settings.sndbuf} "
                               f"(the host reports "
                               f"{sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)})", name)
            if conn.secure:
                secure = self._handshake(sock, conn, name)
                if secure is None:
                    self._count("abnormal")
                    return
                sock = secure
            session = P.Session(self.config, self.auth, self.mailstore, self,
                                connection_id=conn.id, now=_dt.datetime.now(),
                                encrypted=conn.secure)
            self._talk(session, sock, conn, name)
        finally:
            with self._lock:
                self._live.pop(conn.id, None)
            with s.lock:
                s.serving -= 1
                s.users.pop(conn.id, None)
            try:
                sock.close()
            except OSError:
                pass
            self.log.thread(f"connection {conn.id} closed", name)

    def _handshake(self, sock: socket.socket, conn: _Conn, name: str) -> ssl.SSLSocket | None:
        assert self.tls is not None
        sock.settimeout(min(self.idle, HANDSHAKE_SECONDS) if self.idle else HANDSHAKE_SECONDS)
        try:
            tls_sock = self.tls.wrap_socket(sock, server_side=True,
                                            do_handshake_on_connect=False)
            with self._lock:
                self._live[conn.id] = tls_sock
            tls_sock.do_handshake()
        except (OSError, ssl.SSLError, ValueError) as exc:
            self.log.thread(f"connection {conn.id}: TLS handshake failed: {exc}", name)
            try:
                sock.close()
            except OSError:
                pass
            return None
        tls_sock.settimeout(self.idle)
        self.log.debug(f"connection {conn.id}: {tls_sock.version()} {tls_sock.cipher()[0]}",
                       name)
        return tls_sock

    def _send(self, sock: socket.socket, data: bytes) -> None:
        if not data:
            return
        try:
            sock.sendall(data)
        except TimeoutError:
            raise _Blocked() from None

    def _talk(self, session: P.Session, sock: socket.socket, conn: _Conn, name: str) -> None:
        sock.settimeout(self.idle)
        how = ""
        try:
            self._send(sock, session.greeting())
            while not session.closed:
                if self._force.is_set():
                    raise _Stopped()
                if session.wants_tls:
                    tls_sock = self._handshake(sock, conn, name)
                    if tls_sock is None:
                        how = "abnormal"
                        break
                    sock = tls_sock
                    session.tls_established()
                    self.log.thread(f"connection {conn.id}: STLS done", name)
                    continue
                data = sock.recv(RECV_SIZE)
                if not data:
                    if self._force.is_set():
                        raise _Stopped()
                    how = "abnormal"
                    self.log.thread(f"connection {conn.id}: closed by the client", name)
                    break
                out = session.receive(data)
                self._events(session, conn, name)
                self._send(sock, out)
                while session.delay:            # a refusal held back (SECURE), even the last
                    if self._force.wait(session.delay):
                        raise _Stopped()
                    out = session.resume()
                    self._events(session, conn, name)
                    self._send(sock, out)
        except _Blocked:
            how = "abnormal"
            with self._stats.lock:
                self._stats.blocked += 1
            self.log.info(f"connection {conn.id}: the client does not read; closed", name)
        except TimeoutError:
            how = "timeout"
            self.log.info(f"connection {conn.id}: idle for longer than "
                          "TCPIP$POP_LINK_IDLE_TIMEOUT; closed", name)
        except _Stopped:
            how = "abnormal"
            self.log.info(f"connection {conn.id}: closed by the server stopping", name)
        except (OSError, ssl.SSLError) as exc:
            how = "abnormal"
            self.log.thread(f"connection {conn.id}: {exc}", name)
        if not session.closed:
            session.connection_lost()
        self._events(session, conn, name)
        if how:
            self._count(how)

    def _count(self, how: str) -> None:
        with self._stats.lock:
            if how == "timeout":
                self._stats.timeouts += 1
            elif how == "abnormal":
                self._stats.abnormal += 1
            elif how == "normal":
                self._stats.normal += 1

    # ------------------------------------------------------------------ events
    def _events(self, session: P.Session, conn: _Conn, name: str) -> None:
        log = self.log
        for ev in session.take_events():
            if isinstance(ev, P.Trace):
                log.trace(ev.direction, ev.text, name)
            elif isinstance(ev, P.Retrieved):
                with self._stats.lock:
                    s = self._stats
                    s.messages += 1
                    s.octets += ev.octets
                    s.minimum = ev.octets if s.messages == 1 else min(s.minimum, ev.octets)
                    s.maximum = max(s.maximum, ev.octets)
                log.debug(f"message {ev.number} retrieved, {ev.octets} octets", name)
            elif isinstance(ev, P.LoginAccepted):
                with self._stats.lock:
                    self._stats.users[conn.id] = ev.user
                log.info(f"user {clean(ev.user)} logged in ({ev.method}) from {conn.peer}", name)
            elif isinstance(ev, P.LoginRefused):
                self._refused(ev, conn, name)
            elif isinstance(ev, P.MaildropRefused):
                what = "in use by another session" if ev.in_use else "cannot be opened"
                log.info(f"maildrop of {clean(ev.user)} {what}: {clean(ev.detail)}", name)
            elif isinstance(ev, P.CommandRejected):
                log.info(f"command error: {ev.command!r}: {ev.reply}", name)
            elif isinstance(ev, P.ClientInfo):
                log.info(f"client information: {ev.text}", name)
            elif isinstance(ev, P.LogLevelChanged):
                # written at the new level when that is ERROR, so that the change shows
                log.write(min(ev.level, LogLevel.INFORMATIONAL),
                          f"logging level changed to {ev.level.name} by {clean(ev.user)}", name)
            elif isinstance(ev, P.ShutdownRequested):
                log.info(f"XTND SHUTDOWN by {clean(ev.user)}", name)
            elif isinstance(ev, P.SessionEnded):
                if ev.how == "QUIT":
                    self._count("normal")
                elif ev.how == "FAILURES":
                    self._count("abnormal")
                detail = f": {ev.detail}" if ev.detail else ""
                log.thread(f"session ended ({ev.how}), committed {ev.committed}, "
                           f"{ev.deleted} deleted, {ev.moved} moved{detail}", name)
            elif isinstance(ev, P.InternalError):
                log.error(f"internal error in {ev.command!r}: {ev.detail.strip()}", name)

    def _refused(self, ev: P.LoginRefused, conn: _Conn, name: str) -> None:
        with self._stats.lock:
            self._stats.auth_failures += 1
        user = clean(ev.user)[:64]
        text = (f"POP server: {ev.method} authorization failure for user \"{user}\" from "
                f"{conn.peer}: {ev.reason.value}")
        self.log.info(text, name)
        if self.opcom is not None:
            try:
                self.opcom(text)
            except Exception as exc:  # an operator message must not end the session
                self.log.error(f"OPCOM message not sent: {exc}", name)


# ======================================================================= the image
def _opcom_sender(roots: ThreadRoots, process) -> Callable[[str], None]:
    def send(text: str) -> None:
        from vmsenv import opcom

        opcom.send(roots.get(), text, classes=OPCOM_CLASSES, source=process)
    return send


def _factory(entry: str):
    module, _, function = entry.partition(":")
    return getattr(importlib.import_module(module), function)


def run(process, *, mailstore_factory: Callable[[ServerContext], P.Mailstore] | None = None,
        stdout: TextIO | None = None, on_ready: Callable[[PopServer], None] | None = None,
        failure_delay: float = 2.0) -> int:
    """The server's life in `process`: start, serve until shut down; the exit status.
    mailstore_factory overrides MAILSTORE_FACTORY; on_ready(server) is called once the
    listeners are up."""
    out = stdout if stdout is not None else sys.stdout

    def fail(err: VMSError) -> int:
        for line in err.lines():
            out.write(line + "\n")
        out.flush()
        return (err.status | C.INHIB_MSG) & 0xFFFFFFFF     # shown once: DCL need not repeat it

    settings = read_settings(_lookup(process), translator=process.lnm.translate,
                             process_default=process.process_default())
    try:
        log = RunLog.create(process, settings.log_level, trace=settings.trace)
    except VMSError as err:
        return fail(err)
    try:
        return _run(process, settings, log, mailstore_factory, fail, on_ready, failure_delay)
    finally:
        log.close()


def _run(process, settings, log, mailstore_factory, fail, on_ready, failure_delay) -> int:
    root = process.root
    log.info(f"{VERSION_TEXT} starting: process {process.name} ({process.pid:08X}), "
             f"user {process.username}, node {root.node}")
    log.info(f"log file {log.spec}")
    for line in settings.lines():
        log.info(line)
    for warning in settings.warnings:
        log.error(f"warning: {warning}")
    endpoint = tcpip.pop_endpoint(root)
    if endpoint.service is None:
        log.info("no POP entry in the services database: using "
                 f"{endpoint.address} port {endpoint.port}")
    host = host_environment(process)
    policy, header_warnings = policy_from_settings(settings, host, P.VERSION)
    for warning in header_warnings:
        log.error(f"warning: {warning}")
    log.info(f"host {host.local_host}; SMTP substitute domain "
             f"{host.substitute_domain or 'not defined'}")
    tls = load_tls(process, settings)
    for warning in tls.warnings:
        log.error(f"warning: {warning}")
    if tls.context is None:
        log.error(f"SSL not available, the server runs in non-SSL mode: {tls.reason}")
    else:
        log.info(f"SSL certificate {tls.cert_spec}, key {tls.key_spec}")
        if settings.disable_ssl:
            log.info("TCPIP$POP_DISABLE_SSL: no secure POP listener; STLS stays available")
    if settings.disable_cleartext and (tls.context is None or settings.disable_ssl):
        log.error("warning: cleartext POP is disabled and there is no secure POP listener: "
                  "no client can be served")
    roots = ThreadRoots(root)
    context = ServerContext(process, settings, host, policy, roots, threading.RLock(), log)
    factory = mailstore_factory
    if factory is None and MAILSTORE_FACTORY:
        try:
            factory = _factory(MAILSTORE_FACTORY)
        except (ImportError, AttributeError) as exc:
            log.error(f"mail store {MAILSTORE_FACTORY} cannot be loaded: {exc}")
            return fail(VMSError(C.SS_ABORT))
    if factory is None:
        log.error("no mail store is configured for the POP server; not started")
        return fail(VMSError(C.SS_ABORT))
    mailstore = factory(context)
    service = endpoint.service
    server = PopServer(
        settings, auth.SysuafAuthenticator.from_context(context), mailstore,
        host=host.local_host, log=log,
        cleartext=(endpoint.address, endpoint.port),
        secure=None if settings.disable_ssl else (endpoint.address, settings.ssl_port),
        tls=tls.context,
        opcom=_opcom_sender(roots, process) if service is None or service.log_reject else None,
        failure_delay=failure_delay)
    if service is not None and not service.log_reject:
        log.info("log option REJECT is off: no OPCOM messages on authorization failures")
    try:
        server.start()
    except VMSError as err:
        log.error("POP server not started")
        return fail(err)
    log.info(f"POP server ready, {settings.maximum_threads} client threads at most")
    if on_ready is not None:
        on_ready(server)
    _watch_service(roots, server, log, service is not None and service.enabled)
    server.serve()
    log.info("POP server stopped")
    return C.SS_NORMAL


def _watch_service(roots: ThreadRoots, server: PopServer, log: RunLog,
                   seen_enabled: bool) -> None:
    """Until the server has shut down: request an orderly shutdown when the POP service entry,
    Enabled when the server started or later, is disabled or removed (see Shutdown in the
    module documentation)."""
    while not server.wait(SERVICE_POLL_SECONDS):
        entry = tcpip.get_service(roots.get(), tcpip.POP)
        if entry is not None and entry.enabled:
            seen_enabled = True
        elif seen_enabled:
            log.info("service POP is disabled: orderly shutdown")
            server.request_shutdown()
            return


def image_main(ctx) -> int:
    """SYS$SYSTEM:TCPIP$POP_SERVER.EXE."""
    return run(ctx.process, stdout=ctx.stdout)


__all__ = [
    "MAILSTORE_FACTORY", "PopServer", "ServerContext", "ThreadRoots", "TlsSetup",
    "host_environment", "image_main", "load_tls", "run", "ssl_installed",
]
