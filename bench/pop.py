"""POP benchmark: this server and Dovecot side by side; prints figures, asserts nothing.

The same mailboxes are served by the vmsenv POP server (popserver.server with the MAIL.MAI
store of popserver.maildrop, in a child process of its own) and by Dovecot (the Debian package
dovecot-pop3d), and driven by the same load generator (threads with plain sockets in this
process; one command at a time, no pipelining):

1. logins per second at 15 clients (connect, USER, PASS, QUIT);
2. sessions per second at 1, 15 and 50 concurrent clients (connect, USER, PASS, STAT, RETR of
   every message, QUIT), 20 messages of 1-12 KB in each mailbox, one user per client so that no
   session waits for another's maildrop lock;
3. MB/s retrieving one 5 MB message (a fresh session each time; only the RETR is timed);
4. a 10,000-message maildrop: the PASS that opens it, then STAT+LIST+UIDL (timed apart), and the
   PASS of an empty maildrop for comparison.

Each figure is printed for both servers with the ratio ours/dovecot, and the servers' CPU
seconds (every process of the server, children included, from /proc) per session or per MB.
Goals: Dovecot's sessions/s or better at 15 clients, at least 80% of its MB/s, the large
maildrop within 1.5 times its time.

Our server: a fresh vmsenv root in the temporary directory; accounts added with SYSUAF
passwords (scrypt) and login directories; mail delivered as SMTP delivers it (build_message,
header control HEADERS) straight into each MAIL.MAI. The server runs with its default
settings plus TCPIP$POP_LEAVE_IN_NEWMAIL, so that retrieved mail stays in NEWMAIL and every
session sees the same 20 messages (without it read mail moves to MAIL at QUIT), and POP on an
ephemeral loopback port (TCPIP SET SERVICE POP /PORT); no TLS. --threads sets
TCPIP$POP_MAXIMUM_THREADS (default: the server's, 15).

Dovecot: installed with apt-get when /usr/sbin/dovecot is missing (root only, and not where
the package would start the system's own dovecot service: systemd without a policy-rc.d);
a private instance (`dovecot -F -c CONFIG`) with its own base_dir, state_dir and log in the
temporary directory, listening on an ephemeral loopback port, protocols pop3, maildir (`~/Maildir`, the
same messages as files with Dovecot's S= and W= size fields), passdb and userdb a passwd-file
with {PLAIN} passwords, ssl = no; every other setting is Dovecot's default (high-security
login processes, no auth cache). As root the mail belongs to nobody/nogroup and the login and
internal users are Dovecot's own (dovenull, dovecot); otherwise everything runs as the
calling user. It is stopped with SIGTERM at the end (SIGKILL to any of its processes left);
no system file, service or port 110 is touched.

Note on logins: our server checks each password with scrypt (n=2**14, about 25 ms of CPU on
this class of machine), Dovecot compares a {PLAIN} password; the empty-maildrop PASS figure
shows that cost.

Profiling: --profile DIR runs our server again under cProfile (one profiler per client thread,
merged, timed by each thread's CPU time, so that waiting for the GIL, the disk or the client
does not count), once under the 15-client session load, once for the 5 MB RETR and once for the
listings of the large maildrop, writes DIR/sessions15.prof, DIR/retr.prof and DIR/listing.prof
(pstats) and prints their top functions.

Usage: python bench/pop.py [--quick] [--skip-dovecot] [--seconds S] [--threads N]
                           [--profile DIR [--profile-only]] [--keep DIR]
--quick: 1 MB instead of 5 MB, 1,000 messages instead of 10,000, short runs.
Everything is made in a temporary directory (or DIR with --keep, new or empty, left in
place); only 127.0.0.1 is used; every run is bounded in time and count. The machine's load
average is printed before and after: other work on the machine skews every figure.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import pstats
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HOST = "127.0.0.1"
MESSAGES_PER_BOX = 20
SESSION_CLIENTS = (1, 15, 50)
LOGIN_CLIENTS = 15
SOCKET_TIMEOUT = 60.0
MAX_SESSIONS = 200_000          # per measurement, whatever the duration
DOVECOT = "/usr/sbin/dovecot"
WORDS = ("the of and to in is that for it as was with be by on not he this are or his from at "
         "which but have an they you were their one all we can her has there been if more when "
         "will would who so no VMS MAIL folder node cluster queue symbiont logical name device "
         "startup procedure image privilege quota account mailbox terminal").split()


# ======================================================================= the mail
def _text_lines(rng: random.Random, count: int) -> list[bytes]:
    lines = []
    for _ in range(count):
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 13)))
        if rng.random() < 0.02:
            line = "." + line               # dot-stuffed on the wire
        lines.append(line.encode("ascii") + b"\n")
    return lines


def _headers(n: int, user: str, subject: str, extra: bytes = b"") -> bytes:
    return (b"Return-Path: <sender%d@example.com>\n"
            b"Received: from mx.example.com (mx.example.com [192.0.2.1])\n"
            b"\tby vms.example.com with ESMTP id %d; Mon, 1 Jan 2024 00:00:00 +0000\n"
            b"From: Sender %d <sender%d@example.com>\n"
            b"To: %s <%s@vms.example.com>\n"
            b"Subject: %s\n"
            b"Date: Mon, 1 Jan 2024 00:%02d:%02d +0000\n"
            b"Message-ID: <%d.%s@example.com>\n"
            b"MIME-Version: 1.0\n" % (n, n, n, n, user.encode(), user.lower().encode(),
                                      subject.encode(), n // 60 % 60, n % 60, n,
                                      user.lower().encode())) + extra


def text_message(rng: random.Random, pool: list[bytes], n: int, user: str,
                 nlines: int) -> bytes:
    k = rng.randrange(len(pool) - nlines)
    return (_headers(n, user, f"message {n} about {rng.choice(WORDS)}",
                     b"Content-Type: text/plain; charset=us-ascii\n\n")
            + b"".join(pool[k:k + nlines]))


def big_message(user: str, size: int) -> bytes:
    """About `size` octets: a short text part and a base64 attachment (76-character lines)."""
    rng = random.Random(5)
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    row = [bytes(rng.choice(alphabet) for _ in range(76)) + b"\n" for _ in range(997)]
    head = _headers(1, user, "a large attachment",
                    b'Content-Type: multipart/mixed; boundary="b1"\n\n'
                    b"--b1\nContent-Type: text/plain\n\nThe file is attached.\n"
                    b"--b1\nContent-Type: application/octet-stream\n"
                    b"Content-Transfer-Encoding: base64\n\n")
    count = max(1, (size - len(head)) // 77)
    body = b"".join(row[i % len(row)] for i in range(count))
    return head + body + b"--b1--\n"


@dataclasses.dataclass
class User:
    name: str                   # VMS form (upper case); Dovecot gets it in lower case
    password: str
    messages: list[bytes]


@dataclasses.dataclass
class Corpus:
    session_users: list[User]
    big: User
    large: User
    empty: User

    def all(self) -> list[User]:
        return [*self.session_users, self.big, self.large, self.empty]


def make_corpus(clients: int, big_size: int, large_count: int) -> Corpus:
    rng = random.Random(1)
    pool = _text_lines(rng, 5000)
    users = []
    for u in range(clients):
        name = f"POPB{u + 1:02d}"
        msgs = [text_message(rng, pool, i, name, rng.randint(15, 200))
                for i in range(MESSAGES_PER_BOX)]
        users.append(User(name, f"PW{u + 1:02d}BENCH", msgs))
    large = [text_message(rng, pool, i, "POPLARGE", rng.randint(5, 40))
             for i in range(large_count)]
    return Corpus(users, User("POPBIG", "PWBIGBENCH", [big_message("POPBIG", big_size)]),
                  User("POPLARGE", "PWLARGEBENCH", large),
                  User("POPEMPTY", "PWEMPTYBENCH", []))


# ======================================================================= CPU of a process tree
def _proc_stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, utime+stime+cutime+cstime in seconds) of a live process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[1]), sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks


def tree_cpu(root_pid: int) -> float | None:
    """CPU seconds used by a process and all its descendants, exited ones included (a reaped
    child's time is in its parent's cutime/cstime). None without /proc."""
    if not Path("/proc/self/stat").exists():
        return None
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            got = _proc_stat(int(entry))
            if got is not None:
                parents[int(entry)], times[int(entry)] = got
    total = 0.0
    for pid, cpu in times.items():
        p = pid
        for _ in range(64):
            if p == root_pid:
                total += cpu
                break
            p = parents.get(p, 0)
            if p <= 1:
                break
    return total


def descendants(root_pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc") if Path("/proc").is_dir() else ():
        if not entry.isdigit():
            continue
        p = int(entry)
        for _ in range(64):
            got = _proc_stat(p)
            if got is None or got[0] <= 1:
                break
            if got[0] == root_pid:
                found.append(int(entry))
                break
            p = got[0]
    return found


# ======================================================================= the load generator
class PopError(Exception):
    pass


class PopClient:
    """A minimal POP3 client on a socket: one command at a time."""

    def __init__(self, port: int, timeout: float = SOCKET_TIMEOUT):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.greeting = self._line()
        if not self.greeting.startswith(b"+OK"):
            raise PopError(self.greeting.decode("latin-1"))

    def _fill(self) -> None:
        data = self.sock.recv(262144)
        if not data:
            raise PopError("connection closed by the server")
        self.buf += data

    def _line(self) -> bytes:
        start = 0
        while True:
            i = self.buf.find(b"\r\n", start)
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[:i + 2]
                return line
            start = max(0, len(self.buf) - 1)
            self._fill()

    def command(self, text: str) -> bytes:
        self.sock.sendall(text.encode("latin-1") + b"\r\n")
        line = self._line()
        if not line.startswith(b"+OK"):
            raise PopError(f"{text.split()[0]}: {line.decode('latin-1')}")
        return line

    def multiline(self, text: str) -> int:
        """A multi-line command; the octets received before the terminating line."""
        self.command(text)
        buf = self.buf
        start = 0
        while True:
            if buf.startswith(b".\r\n"):
                del buf[:3]
                return 0
            i = buf.find(b"\r\n.\r\n", start)
            if i >= 0:
                del buf[:i + 5]
                return i + 2
            start = max(0, len(buf) - 4)
            self._fill()

    def login(self, user: str, password: str) -> None:
        self.command(f"USER {user}")
        self.command(f"PASS {password}")

    def close(self) -> None:
        self.sock.close()


def session(port: int, user: User, retrieve: bool = True) -> int:
    """One session; the octets of message text received."""
    c = PopClient(port)
    try:
        c.login(user.name, user.password)
        octets = 0
        if retrieve:
            count = int(c.command("STAT").split()[1])
            for i in range(1, min(count, 100_000) + 1):
                octets += c.multiline(f"RETR {i}")
        c.command("QUIT")
        return octets
    finally:
        c.close()


@dataclasses.dataclass
class Load:
    sessions: int = 0
    errors: int = 0
    first_error: str = ""
    octets: int = 0
    seconds: float = 0.0
    cpu: float | None = None

    @property
    def rate(self) -> float:
        return self.sessions / self.seconds if self.seconds else 0.0


def run_load(port: int, users: list[User], clients: int, seconds: float, retrieve: bool,
             cpu: Callable[[], float | None]) -> Load:
    """`clients` threads, each with its own user, running sessions back to back for about
    `seconds`; sessions/s over the time until the last one ended."""
    result = Load()
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(user: User) -> None:
        barrier.wait()
        done = errors = octets = 0
        error = ""
        while time.perf_counter() < deadline[0] and done + errors < MAX_SESSIONS:
            try:
                octets += session(port, user, retrieve)
                done += 1
            except (OSError, PopError, ValueError, IndexError) as exc:
                errors += 1
                error = error or f"{type(exc).__name__}: {exc}"
                time.sleep(0.01)
        with lock:
            result.sessions += done
            result.errors += errors
            result.octets += octets
            result.first_error = result.first_error or error

    threads = [threading.Thread(target=client, args=(users[i % len(users)],), daemon=True)
               for i in range(clients)]
    for t in threads:
        t.start()
    cpu0 = cpu()
    start = time.perf_counter()
    deadline[0] = start + seconds
    barrier.wait()
    for t in threads:
        t.join(seconds + 10 * SOCKET_TIMEOUT)
    result.seconds = time.perf_counter() - start
    cpu1 = cpu()
    if cpu0 is not None and cpu1 is not None:
        result.cpu = cpu1 - cpu0
    return result


@dataclasses.dataclass
class Retrieval:
    times: list[float]
    octets: int


def retr_timings(port: int, user: User, runs: int) -> Retrieval:
    """Seconds of each RETR 1 (a fresh session each time) and the octets received."""
    result = Retrieval([], 0)
    for _ in range(runs):
        c = PopClient(port)
        try:
            c.login(user.name, user.password)
            start = time.perf_counter()
            result.octets = c.multiline("RETR 1")
            result.times.append(time.perf_counter() - start)
            c.command("QUIT")
        finally:
            c.close()
    return result


def listing_timings(port: int, user: User, runs: int) -> tuple[list[float], list[float], int]:
    """Seconds of PASS and of STAT+LIST+UIDL for each of `runs` sessions; messages listed."""
    logins, listings = [], []
    count = 0
    for _ in range(runs):
        c = PopClient(port)
        try:
            c.command(f"USER {user.name}")
            start = time.perf_counter()
            c.command(f"PASS {user.password}")
            opened = time.perf_counter()
            count = int(c.command("STAT").split()[1])
            c.multiline("LIST")
            c.multiline("UIDL")
            listings.append(time.perf_counter() - opened)
            logins.append(opened - start)
            c.command("QUIT")
        finally:
            c.close()
    return logins, listings, count


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float, alive: Callable[[], bool]) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end and alive():
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


# ======================================================================= our server
OUR_NAMES = {"TCPIP$POP_LEAVE_IN_NEWMAIL": "1"}


def prepare_ours(base: Path, corpus: Corpus) -> Path:
    """A vmsenv root with the accounts, their login directories and their mail."""
    from popserver.maildrop import MailDirectories
    from vmsenv import root as rootmod
    from vmsenv import uaf
    from vmsenv.mail import store as ms
    from vmsenv.mail.deliver import SmtpConfig, build_message
    from vmsenv.process import Process

    path = base / "root"
    root = rootmod.init(path)
    process = Process(root)
    try:
        directories = MailDirectories.for_process(process)
        config = SmtpConfig.load(root)
        for user in corpus.all():
            uaf.add(root, user.name, {"flags": ((False, "DISUSER"),),
                                      "password": user.password,
                                      "directory": f"[{user.name}]"})
            record = uaf.get(root, user.name)
            uaf.create_login_directory(root, record, process)
            if not user.messages:
                continue
            where = directories.login_directory(record)
            msgs = [build_message(m, config, recipients=[user.name]) for m in user.messages]
            with ms.MailFile(where) as mf:
                for i in range(0, len(msgs), 1000):
                    mf.add_many(msgs[i:i + 1000])
    finally:
        process.logout()
    return path


class OurServer:
    """popserver in a child process (this script with --serve)."""

    name = "ours"

    def __init__(self, root_path: Path, threads: int | None, profile_to: Path | None = None):
        from vmsenv import root as rootmod
        from vmsenv import tcpip

        port = free_port()
        root = rootmod.Root(root_path)
        tcpip.remove_services(root, "POP")          # the port of an entry cannot be changed
        tcpip.set_service(root, "POP", {"port": port, "address": HOST, "file": "X.COM",
                                        "user_name": "TCPIP$POP", "process_name": "TCPIP$POP"})
        names = dict(OUR_NAMES)
        if threads:
            names["TCPIP$POP_MAXIMUM_THREADS"] = str(threads)
        command = [sys.executable, str(Path(__file__).resolve()), "--serve", str(root_path)]
        for name, value in names.items():
            command += ["--define", f"{name}={value}"]
        if profile_to is not None:
            command += ["--profile-to", str(profile_to)]
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError(f"our POP server did not start: {line.strip()!r}")
        self.port = int(line.split()[1])

    def cpu(self) -> float | None:
        return tree_cpu(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write("STOP\n")
                self.proc.stdin.flush()
                self.proc.stdin.close()
            except (OSError, AssertionError):
                pass
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def serve(root_path: str, defines: list[str], profile_to: str | None) -> int:
    """The child: run the POP server image body until a line arrives on stdin."""
    import cProfile

    from popserver import maildrop
    from popserver import server as S
    from vmsenv import root as rootmod
    from vmsenv.dcl.interpreter import Interpreter
    from vmsenv.process import Process

    process = Process(rootmod.Root(root_path))
    shell = Interpreter(process, io.StringIO())
    for item in defines:
        name, _, value = item.partition("=")
        shell.run_line(f'DEFINE {name} "{value}"')
    profiles: list[dict] = []
    plock = threading.Lock()
    if profile_to:
        original = S.PopServer._worker

        def profiled_worker(self, slot, conn):
            prof = cProfile.Profile(time.thread_time)      # CPU time of this thread
            prof.enable()
            try:
                original(self, slot, conn)
            finally:
                prof.disable()
                prof.create_stats()
                with plock:
                    profiles.append(prof.stats)     # type: ignore[attr-defined]

        S.PopServer._worker = profiled_worker       # type: ignore[method-assign]

    def on_ready(server) -> None:
        print(f"READY {server.ports['cleartext']}", flush=True)

        def wait_for_stop() -> None:
            sys.stdin.readline()
            server.close()
        threading.Thread(target=wait_for_stop, daemon=True).start()

    try:
        status = S.run(process, mailstore_factory=maildrop.from_context, stdout=sys.stderr,
                       on_ready=on_ready)
    finally:
        process.logout()
    if profile_to:
        with plock:
            merged = _merge(profiles)
        if merged is not None:
            merged.dump_stats(profile_to)
    return 0 if status & 1 else 1


def _merge(stats_dicts: list[dict]) -> pstats.Stats | None:
    class _Holder:
        def __init__(self, stats: dict):
            self.stats = stats

        def create_stats(self) -> None:
            pass

    merged = None
    for d in stats_dicts:
        if merged is None:
            merged = pstats.Stats(_Holder(d))
        else:
            merged.add(_Holder(d))
    return merged


# ======================================================================= Dovecot
def dovecot_version() -> str:
    try:
        out = subprocess.run([DOVECOT, "--version"], capture_output=True, text=True, timeout=30)
        return out.stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def ensure_dovecot() -> str | None:
    """None when /usr/sbin/dovecot is there (installed now if need be), else why not."""
    if Path(DOVECOT).exists():
        return None
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "dovecot is not installed (apt-get install dovecot-pop3d, as root)"
    if Path("/run/systemd/system").exists() and not Path("/usr/sbin/policy-rc.d").exists():
        return ("dovecot is not installed, and installing dovecot-pop3d here would start the "
                "system's dovecot service: install it yourself, or use --skip-dovecot")
    print("installing dovecot-pop3d with apt-get ...", file=sys.stderr, flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-q"],
                ["apt-get", "install", "-y", "-q", "--no-install-recommends", "dovecot-pop3d"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            return f"{' '.join(cmd)} failed: {done.stderr.strip()[-300:]}"
    return None if Path(DOVECOT).exists() else "dovecot-pop3d installed no /usr/sbin/dovecot"


def _maildir_name(n: int, data: bytes) -> str:
    vsize = len(data) + data.count(b"\n") - data.count(b"\r\n")
    return f"{1700000000 + n}.M{n}P1.bench,S={len(data)},W={vsize}"


class DovecotServer:
    """A private Dovecot instance on an ephemeral loopback port."""

    name = "dovecot"

    def __init__(self, base: Path, corpus: Corpus):
        self.base = base
        base.mkdir(parents=True, exist_ok=True)
        for p in (base.parent, base):                     # the dovecot users must reach it
            os.chmod(p, os.stat(p).st_mode | 0o055)
        root = os.geteuid() == 0
        if root:
            import grp
            import pwd
            uid, gid = pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid
            own = ""
        else:
            import grp
            import pwd
            uid, gid = os.getuid(), os.getgid()
            user_name = pwd.getpwuid(uid).pw_name
            own = (f"default_login_user = {user_name}\ndefault_internal_user = {user_name}\n"
                   f"default_internal_group = {grp.getgrgid(gid).gr_name}\n"
                   "service anvil {\n  chroot =\n}\n")
        login_chroot = "" if root else "  chroot =\n"
        homes = base / "home"
        lines = []
        for user in corpus.all():
            home = homes / user.name.lower()
            maildir = home / "Maildir"
            for sub in ("new", "cur", "tmp"):
                (maildir / sub).mkdir(parents=True, exist_ok=True)
            for n, data in enumerate(user.messages):
                (maildir / "new" / _maildir_name(n, data)).write_bytes(data)
            lines.append(f"{user.name.lower()}:{{PLAIN}}{user.password}:{uid}:{gid}::{home}::")
        if root:
            for dirpath, _dirs, filenames in os.walk(homes):
                os.chown(dirpath, uid, gid)
                for f in filenames:
                    os.chown(os.path.join(dirpath, f), uid, gid)
        passwd = base / "passwd"
        passwd.write_text("\n".join(lines) + "\n")
        os.chmod(passwd, 0o644)
        for d in ("run", "state"):
            (base / d).mkdir(exist_ok=True)
        self.port = free_port()
        self.log = base / "dovecot.log"
        config = base / "dovecot.conf"
        config.write_text(f"""\
# private benchmark instance (bench/pop.py): defaults except what is set here
base_dir = {base}/run
state_dir = {base}/state
instance_name = vmsenv-bench-{os.getpid()}
protocols = pop3
listen = {HOST}
log_path = {self.log}
ssl = no
disable_plaintext_auth = no
mail_location = maildir:~/Maildir
first_valid_uid = {min(uid, 500)}
{own}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%n {passwd}
}}
service pop3-login {{
{login_chroot}  inet_listener pop3 {{
    address = {HOST}
    port = {self.port}
  }}
}}
""")
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", str(config)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        if not wait_for_port(self.port, 20, lambda: self.proc.poll() is None):
            err = self.proc.stderr.read().decode(errors="replace") if self.proc.poll() else ""
            self.stop()
            log = self.log.read_text(errors="replace")[-500:] if self.log.exists() else ""
            raise RuntimeError(f"dovecot did not start: {err.strip()} {log.strip()}")

    def cpu(self) -> float | None:
        return tree_cpu(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            children = descendants(self.proc.pid)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            end = time.monotonic() + 5
            while children and time.monotonic() < end:
                children = [p for p in children if Path(f"/proc/{p}").exists()]
                time.sleep(0.1)
            for pid in children:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        if self.proc.stderr is not None:
            self.proc.stderr.close()


# ======================================================================= reporting
class Table:
    def __init__(self) -> None:
        print(f"{'':44s} {'ours':>10s} {'dovecot':>10s} {'ours/dovecot':>13s}")

    def row(self, label: str, ours: float | None, theirs: float | None, fmt: str = "9.1f",
            note: str = "") -> None:
        def cell(v):
            return f"{v:{fmt}} " if v is not None else f"{'-':>10s}"
        ratio = f"{ours / theirs:13.2f}" if ours is not None and theirs else f"{'':13s}"
        print(f"{label:44s} {cell(ours):>10s} {cell(theirs):>10s} {ratio}"
              + (f"  {note}" if note else ""), flush=True)


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _per(cpu: float | None, n: float, scale: float = 1000.0) -> float | None:
    return cpu / n * scale if cpu is not None and n else None


def _median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def bench(servers: dict, corpus: Corpus, args, table: Table) -> None:
    ours, theirs = servers.get("ours"), servers.get("dovecot")
    def both(fn):
        return (fn(ours) if ours else None), (fn(theirs) if theirs else None)

    # Warm up: one full session per user on each server (Dovecot builds its indexes, our
    # server its listing cache); the first listing of the large maildrop is shown.
    def warm_up(s):
        for u in [*corpus.session_users, corpus.big]:
            session(s.port, u)
        first_login, first_list, _ = listing_timings(s.port, corpus.large, 1)
        return (first_login[0] + first_list[0]) * 1000
    fo, fd = both(warm_up)
    table.row(f"ms, first PASS + STAT+LIST+UIDL ({len(corpus.large.messages):,}, cold)",
              fo, fd)

    seconds = args.seconds
    users = corpus.session_users
    lo, ld = both(lambda s: run_load(s.port, users, LOGIN_CLIENTS, seconds, False, s.cpu))
    _report_load(table, f"logins/s, {LOGIN_CLIENTS} clients", lo, ld, "login")
    for n in SESSION_CLIENTS:
        so, sd = both(lambda s, n=n: run_load(s.port, users, n, seconds, True, s.cpu))
        _report_load(table, f"sessions/s, {n} client{'s' if n > 1 else ''}", so, sd, "session")
        if n == LOGIN_CLIENTS:
            for label, r in (("ours", so), ("dovecot", sd)):
                if r is not None and r.sessions:
                    print(f"#   {label}: {r.octets / r.sessions / 1e3:.0f} KB of message text "
                          "per session", flush=True)

    size_mb = len(corpus.big.messages[0]) / 1e6
    runs = 3 if args.quick else 7
    ro, rd = both(lambda s: retr_timings(s.port, corpus.big, runs))

    def mbs(r: Retrieval | None, pick=_median) -> float | None:
        return r.octets / 1e6 / pick(r.times) if r else None

    table.row(f"MB/s, RETR of one {size_mb:.0f} MB message (median)", mbs(ro), mbs(rd))
    table.row("MB/s, the same (best)", mbs(ro, min), mbs(rd, min))

    count = len(corpus.large.messages)
    runs = 3 if args.quick else 7
    go, gd = both(lambda s: listing_timings(s.port, corpus.large, runs))
    eo, ed = both(lambda s: listing_timings(s.port, corpus.empty, runs))
    ms_ = 1000.0
    table.row(f"ms, STAT+LIST+UIDL of {count:,} messages", go and _median(go[1]) * ms_,
              gd and _median(gd[1]) * ms_)
    table.row(f"ms, PASS opening the {count:,} messages", go and _median(go[0]) * ms_,
              gd and _median(gd[0]) * ms_)
    table.row(f"ms, PASS + STAT+LIST+UIDL ({count:,})",
              go and _median([a + b for a, b in zip(go[0], go[1], strict=True)]) * ms_,
              gd and _median([a + b for a, b in zip(gd[0], gd[1], strict=True)]) * ms_)
    table.row("ms, PASS of an empty maildrop", eo and _median(eo[0]) * ms_,
              ed and _median(ed[0]) * ms_)
    for label, r in (("ours", go), ("dovecot", gd)):
        if r is not None and r[2] != count:
            print(f"#   {label} listed {r[2]} messages, not {count}", flush=True)


def _report_load(table: Table, label: str, ours: Load | None, theirs: Load | None,
                 what: str) -> None:
    table.row(label, ours and ours.rate, theirs and theirs.rate)
    table.row(f"  server CPU ms per {what}", ours and _per(ours.cpu, ours.sessions),
              theirs and _per(theirs.cpu, theirs.sessions))
    for name, r in (("ours", ours), ("dovecot", theirs)):
        if r is not None and r.errors:
            print(f"#   {name}: {r.errors} failed sessions, first: {r.first_error}", flush=True)


# ======================================================================= profiling
def profile_ours(root_path: Path, corpus: Corpus, args, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    jobs = (("sessions15", lambda port: run_load(port, corpus.session_users, LOGIN_CLIENTS,
                                                 args.seconds, True, lambda: None)),
            ("retr", lambda port: retr_timings(port, corpus.big, 3 if args.quick else 7)),
            ("listing", lambda port: listing_timings(port, corpus.large, 3 if args.quick else 7)))
    for name, job in jobs:
        target = out / f"{name}.prof"
        server = OurServer(root_path, args.threads, profile_to=target)
        try:
            session(server.port, corpus.session_users[0])
            job(server.port)
        finally:
            server.stop()
        if not target.exists():
            print(f"# no profile written for {name}", flush=True)
            continue
        print(f"\n# profile of our server, {name} ({target}): top by own time", flush=True)
        stream = io.StringIO()
        stats = pstats.Stats(str(target), stream=stream)
        stats.strip_dirs().sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(30)
        print(stream.getvalue(), flush=True)


# ======================================================================= main
@contextmanager
def workdir(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        if any(keep.iterdir()):
            raise SystemExit(f"--keep {keep}: the directory must be new or empty")
        yield keep
    else:
        with tempfile.TemporaryDirectory(prefix="vmsenv-pop-bench-") as tmp:
            yield Path(tmp)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, short runs")
    parser.add_argument("--skip-dovecot", action="store_true", help="our server only")
    parser.add_argument("--seconds", type=float, help="seconds per load level (8; quick 2)")
    parser.add_argument("--threads", type=int, help="TCPIP$POP_MAXIMUM_THREADS for ours")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="also profile our server; pstats files in DIR")
    parser.add_argument("--profile-only", action="store_true",
                        help="with --profile: no comparison, only the profiles")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and keep it")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--define", action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.serve, args.define, args.profile_to)
    if args.seconds is None:
        args.seconds = 2.0 if args.quick else 8.0
    args.seconds = min(max(args.seconds, 0.5), 120.0)
    big = (1 if args.quick else 5) * 1_000_000
    large = 1_000 if args.quick else 10_000
    clients = max(SESSION_CLIENTS)

    print(f"# POP benchmark: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"{'quick' if args.quick else 'full'} sizes, {args.seconds:g} s per load level",
          flush=True)
    if args.profile_only and args.profile:
        args.skip_dovecot = True
    why = None if args.skip_dovecot else ensure_dovecot()
    if why:
        print(f"# Dovecot skipped: {why}", flush=True)
    use_dovecot = not args.skip_dovecot and why is None
    t0 = time.perf_counter()
    corpus = make_corpus(clients, big, large)
    with workdir(args.keep) as base:
        root_path = prepare_ours(base, corpus)
        print(f"# mail prepared in {time.perf_counter() - t0:.1f} s: {clients} users x "
              f"{MESSAGES_PER_BOX} messages, one of {big / 1e6:.0f} MB, one maildrop of "
              f"{large:,}", flush=True)
        servers: dict = {}
        try:
            if args.profile and args.profile_only:
                pass
            else:
                servers["ours"] = OurServer(root_path, args.threads)
            if servers and use_dovecot:
                try:
                    servers["dovecot"] = DovecotServer(base / "dovecot", corpus)
                    print(f"# Dovecot {dovecot_version()} on port {servers['dovecot'].port}; "
                          f"ours on port {servers['ours'].port}", flush=True)
                except (RuntimeError, OSError, KeyError) as exc:
                    print(f"# Dovecot skipped: {exc}", flush=True)
            if servers:
                print(f"# load average before: {_load()}", flush=True)
                bench(servers, corpus, args, Table())
                print(f"# load average after: {_load()} (other work on this machine skews "
                      "every figure)", flush=True)
        finally:
            for s in servers.values():
                s.stop()
        if args.profile:
            profile_ours(root_path, corpus, args, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
