"""End to end with real mail clients: fetchmail, mpop and getmail6 (the Debian packages `.ci/run`
installs) and Python's poplib fetch a corpus of awkward messages from the POP server of a fresh
root, started and stopped by the root's own procedures (vmsenv.testing.start_pop_server).

Every test makes its own system: `vmsenv init` in tmp_path (the ``vms_root`` fixture), the user
JONES (vmsenv.uaf.add with a password), a `dcl` procedure that configures SMTP as the manual's
MIME guidelines ask (``TCPIP SET CONFIGURATION SMTP /OPTIONS=TOP_HEADERS``) and, for TLS, runs
SSL$STARTUP and INSTALLs the two SSL images, then ``vmsenv cert --cn localhost``; APOP reads
JONES's POP_SECRET.DAT. The server runs with TCPIP$POP_IGNORE_MAIL11_HEADERS (so a client gets
the message's own RFC 822 headers, not the rebuilt VMS ones) and TCPIP$POP_LEAVE_IN_NEWMAIL (so
mail a client keeps stays in the maildrop: otherwise the server itself moves read mail to the
MAIL folder at QUIT and no client could fetch anything twice, whatever it did with UIDL), on
ephemeral loopback ports. The mail is delivered with the code `vmsenv deliver USER --from ADDR`
runs (vmsenv.mail.inbound.deliver, in this process: a command per message costs about half a
second); one test delivers through the command itself.

The corpus (`build_corpus`): a plain message; lines that are a lone ``.``, ``..``, start with a
dot, or start with ``From `` (dot-stuffing, and mbox quoting for clients that would use it); a
body that is only ``.``; 8-bit octets in a header field, and every octet from 0x80 to 0xFF and
control characters (NUL included) in the body; an 8,000-octet body line, a 960-octet header
line, a folded field, trailing blanks and empty lines at the end; a message with no body; MIME
multipart/mixed with a quoted-printable part, a nested multipart/alternative and a 30 KB base64
attachment; and the same with a 5 MB attachment (about 7 MB encoded).

The story of each test (`run_story`), for each client and each transport -- cleartext USER/PASS,
APOP on the cleartext port, implicit TLS on the secure port with the certificate verified:

1. the corpus is delivered; a keep-mode run delivers every message once, byte for byte;
2. a second keep-mode run fetches nothing (the client's UIDL memory; the server's UIDs are stable);
3. two more messages arrive; a keep-mode run fetches exactly those;
4. two more arrive; a delete-mode run fetches exactly those, and the server then holds exactly
   what it held less what the client deletes by its policy: fetchmail (without ``flush``) and the
   poplib client delete what they fetched in that run, so everything older stays; mpop (``keep
   off``) and getmail (``delete = true``) also delete what they fetched in earlier runs and left
   on the server, so nothing stays. Either way every message removed is one the client fetched,
   and nothing it did not fetch is touched;
5. a last run fetches nothing.

How the clients deliver, and what the comparison normalises (nothing else):

- fetchmail: an MDA script writes each message to its own file; ``set invisible`` (no Received:
  line), ``no rewrite`` (addresses left alone), ``no stripcr`` (CR LF kept): the file must equal
  the original message exactly, no normalisation at all.
- mpop: maildir delivery with ``received_header off``. Maildir files have LF line ends: each LF is
  turned back into CR LF before comparing.
- getmail6: an MDA_external command writes each message to a file (getmail's Maildir and Mboxrd
  destinations refuse to deliver as root, as CI containers often run); ``delivered_to = false``,
  ``received = false``. getmail always puts a ``Return-Path:`` line first (``<unknown>`` here:
  the corpus has no Return-Path or Sender field); that one line is removed, then LF becomes
  CR LF. getmail also writes the message out again through Python's email package, which folds
  a header line longer than 78 octets (the 960-octet X-Long-Header gets a CR LF and a blank
  after its name), so for getmail the header fields are compared unfolded (RFC 5322 2.2.3: a
  CR LF before a blank removed), the blanks that start a field body ignored, on both sides
  (`unfolded`); the body is compared byte for byte.
- poplib: RETR/TOP lines joined with CR LF (poplib removes the stuffing dots): no normalisation.

The LF -> CR LF step loses nothing: every corpus line ends in CR LF and no message holds a CR
or LF anywhere else (checked by `test_the_corpus`), so the mapping is one to one.

The corpus keeps within the clients' known limits: fetchmail corrupts body lines longer than
8 KiB, and poplib refuses lines longer than its ``_MAXLINE`` (2048), which the poplib client
raises; the longest line here is 8,000 octets. Longer lines are tested with poplib alone
(`test_poplib_lines_beyond_the_client_limits`). A CR that is not part of a CR LF is left out:
mpop keeps it but getmail makes it a line break, and the LF -> CR LF comparison needs it out.

A client whose program is missing is skipped with the reason (CI installs all three).
"""

from __future__ import annotations

import base64
import json
import os
import poplib
import random
import re
import shlex
import shutil
import ssl
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from vmsenv import root as rootmod
from vmsenv import uaf
from vmsenv.mail import inbound
from vmsenv.mail import store as ms
from vmsenv.process import Process
from vmsenv.processes import Registry
from vmsenv.testing import start_pop_server

USER = "JONES"
PASSWORD = "TANSTAAFL7"          # VMS passwords are case-blind: the clients send it in lower case
APOP_SECRET = "Open-Sesame.7"     # POP_SECRET.DAT: used as given
SENDER = "sender@example.com"
CRLF = b"\r\n"
CLIENT_TIMEOUT = 120
BIG_ATTACHMENT = 5 * 1024 * 1024
LONG_LINE = 8000                  # within fetchmail's 8 KiB
POPLIB_MAXLINE = 16 * 1024        # poplib's _MAXLINE while the poplib client runs
TRANSPORTS = ("cleartext", "apop", "tls")


# ---------------------------------------------------------------------------------------------
# The corpus.
# ---------------------------------------------------------------------------------------------
def message(ident: str, subject: bytes, body: list[bytes], extra: tuple[bytes, ...] = ()) -> bytes:
    """An RFC 822 message with CR LF line ends and the Message-ID <ident@corpus.example>."""
    head = [b"From: Sender Person <" + SENDER.encode() + b">",
            b"To: Jones <jones@vms.example>",
            b"Subject: " + subject,
            b"Date: Sun, 29 Nov 2026 11:25:00 +0000",
            b"Message-ID: <" + ident.encode() + b"@corpus.example>",
            *extra]
    text = b"".join(line + CRLF for line in head) + CRLF
    return text + b"".join(line + CRLF for line in body)


def base64_lines(data: bytes) -> list[bytes]:
    return base64.encodebytes(data).rstrip(b"\n").split(b"\n")


def mime_message(ident: str, attachment: bytes, name: str) -> bytes:
    """multipart/mixed: a preamble, a quoted-printable text part, a nested
    multipart/alternative, a base64 attachment, an epilogue."""
    outer, inner = b"=_outer_boundary_" + ident.encode(), b"=_inner_boundary_" + ident.encode()
    body = [
        b"This is a multi-part message in MIME format.",
        b"",
        b"--" + outer,
        b"Content-Type: text/plain; charset=iso-8859-1",
        b"Content-Transfer-Encoding: quoted-printable",
        b"",
        b"Caf=E9 cr=E8me: a quoted-printable line long enough to need a soft line brea=",
        b"k, then a line that starts with a dot:",
        b"=2E and a line that is only a dot:",
        b".",
        b"",
        b"--" + outer,
        b'Content-Type: multipart/alternative; boundary="' + inner + b'"',
        b"",
        b"--" + inner,
        b"Content-Type: text/plain; charset=us-ascii",
        b"",
        b"Plain alternative.",
        b"--" + inner,
        b"Content-Type: text/html; charset=us-ascii",
        b"",
        b"<html><body><p>HTML alternative.</p></body></html>",
        b"--" + inner + b"--",
        b"",
        b"--" + outer,
        b"Content-Type: application/octet-stream; name=\"" + name.encode() + b"\"",
        b"Content-Transfer-Encoding: base64",
        b"Content-Disposition: attachment; filename=\"" + name.encode() + b"\"",
        b"",
        *base64_lines(attachment),
        b"",
        b"--" + outer + b"--",
        b"",
        b"An epilogue after the last boundary.",
    ]
    return message(ident, b"MIME with an attachment: " + name.encode(), body,
                   (b"MIME-Version: 1.0",
                    b'Content-Type: multipart/mixed; boundary="' + outer + b'"'))


def build_corpus() -> dict[str, bytes]:
    """The first delivery: name -> message. Deterministic."""
    rng = random.Random(1939)
    high = bytes(range(0x80, 0x100))
    return {
        "plain": message("plain", b"A plain message", [
            b"Hello Jones,", b"", b"this is a plain message.", b"", b"-- ", b"Sender"]),
        "dots": message("dots", b"Lines with dots", [
            b".", b"..", b"...", b".hidden behind a dot", b". a dot and a blank",
            b" . a blank first", b"..double", b"From the start of a line",
            b">From a quoted line", b"", b"next line is a lone dot", b"."]),
        "lone-dot": message("lone-dot", b"The whole body is a dot", [b"."]),
        "eight-bit": message("eight-bit", b"Caf\xe9 cr\xe8me \xa4 8-bit header", [
            b"Latin-1: Caf\xe9 cr\xe8me br\xfbl\xe9e, \xc5ngstr\xf6m",
            b"UTF-8: " + "Grüße, 日本語, Ελληνικά".encode(),
            high[:32], high[32:64], high[64:96], high[96:],
            b"controls: \x00\x01\x02\x07\x0b\x0c\x1b\x7f and a\ttab"],
            (b"MIME-Version: 1.0", b"Content-Type: text/plain; charset=iso-8859-1",
             b"Content-Transfer-Encoding: 8bit")),
        "long-lines": message("long-lines", b"Long lines and odd blanks", [
            b"L" * LONG_LINE,
            b"a line with trailing blanks   ", b"\t", b"   ",
            (b"words " * 1300)[:LONG_LINE - 1] + b"!",
            b"", b"", b""],
            (b"X-Long-Header: " + b"h" * 960,
             b"X-Folded: first part of a folded field",
             b"\tsecond part after a tab",
             b"        third part after blanks")),
        "headers-only": message("headers-only", b"Headers and no body", []),
        "mime": mime_message("mime", rng.randbytes(30_000), "report.pdf"),
        "big": mime_message("big", rng.randbytes(BIG_ATTACHMENT), "five-megabytes.bin"),
    }


def later(ident: str) -> bytes:
    return message(ident, f"Later message {ident}".encode(),
                   [f"This is {ident}.".encode(), b".", b"..end"])


CORPUS = build_corpus()
KEPT_LATER = {name: later(name) for name in ("later-1", "later-2")}
DELETED_LATER = {name: later(name) for name in ("delete-1", "delete-2")}
_MESSAGE_ID = re.compile(rb"^Message-ID: <([^@>]+)@corpus\.example>\r?$", re.M | re.I)


def identify(data: bytes) -> str:
    """The corpus name of a message, from its Message-ID."""
    found = _MESSAGE_ID.search(data.split(b"\n\r\n", 1)[0].split(b"\n\n", 1)[0])
    assert found, f"a message without a corpus Message-ID: {data[:300]!r}"
    return found.group(1).decode()


def lf_to_crlf(data: bytes) -> bytes:
    assert b"\r" not in data, "a client that delivers LF line ends left a CR"
    return data.replace(b"\n", CRLF)


def test_the_corpus():
    everything = {**CORPUS, **KEPT_LATER, **DELETED_LATER}
    for name, data in everything.items():
        assert identify(data) == name
        assert data.endswith(CRLF) or name == "headers-only"
        # every CR and every LF is part of a CR LF: the LF -> CR LF normalisation is one to one
        assert data.count(b"\r") == data.count(b"\n") == data.count(CRLF), name
        lines = data.split(CRLF)
        assert max(map(len, lines)) <= LONG_LINE, name
    assert len(CORPUS["big"]) > BIG_ATTACHMENT * 4 // 3
    assert any(line == b"." for line in CORPUS["dots"].split(CRLF))
    assert max(map(len, CORPUS["long-lines"].split(CRLF))) == LONG_LINE
    assert re.search(rb"[\x80-\xff]", CORPUS["eight-bit"].split(CRLF + CRLF)[0])
    assert unfolded(b"A: x\r\n\ty\r\nB: \r\n z\r\nC:w\r\n\r\n b\r\n") == \
        b"A: x\ty\r\nB: z\r\nC: w\r\n\r\n b\r\n"


# ---------------------------------------------------------------------------------------------
# The system: a fresh root with the POP server running.
# ---------------------------------------------------------------------------------------------
def vmsenv_command(*args: str, stdin: bytes | None = None,
                   timeout: float = 60) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "VMSENV_ROOT"}
    return subprocess.run([sys.executable, "-m", "vmsenv.cli", *args], input=stdin,
                          capture_output=True, timeout=timeout, env=env,
                          stdin=None if stdin is not None else subprocess.DEVNULL)


def dcl_procedure(vms_root, name: str, lines: list[str], timeout: float = 60) -> str:
    """Run lines as a procedure on DKA200: with `dcl` (SYSTEM); its output. Fails the test
    when dcl ends with an error."""
    path = vms_root.write_file(name, "".join(f"$ {line}\n" for line in lines))
    env = {k: v for k, v in os.environ.items() if k != "VMSENV_ROOT"}
    done = subprocess.run([sys.executable, "-m", "vmsenv.dcl.cli", "--root", str(vms_root.path),
                           str(path)], capture_output=True, text=True, timeout=timeout,
                          env=env, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def pop_processes(root_path: Path) -> list:
    root = rootmod.Root(root_path)
    return [p for p in Registry(root.store).all() if p.name == "TCPIP$POP"]


@dataclass
class Site:
    """A root whose POP server runs; JONES's mail in it."""

    vms_root: object
    server: object
    transport: str
    cert: Path | None

    @property
    def root(self) -> rootmod.Root:
        return rootmod.Root(self.vms_root.path)

    @property
    def port(self) -> int:
        return self.server.ssl_port if self.transport == "tls" else self.server.port

    @property
    def host(self) -> str:
        return self.server.host

    def deliver(self, messages: dict[str, bytes], command: bool = False) -> None:
        """Deliver to JONES as `vmsenv deliver JONES --from SENDER` does (command=True: by
        running that command)."""
        for data in messages.values():
            if command:
                done = vmsenv_command("deliver", USER, "--root", str(self.vms_root.path),
                                      "--from", SENDER, stdin=data)
                assert done.returncode == 0, done.stderr
                lines = done.stdout.decode().splitlines()
            else:
                lines = inbound.deliver(self.root, USER, data, sender=SENDER)
            assert len(lines) == 1 and lines[0].startswith("%VMSENV-I-DELIVERED"), lines

    def maildrop(self) -> dict[str, bytes]:
        """The maildrop the server presents to JONES, read from the mail file: corpus name ->
        the original message as delivered. That is the NEWMAIL folder; with LEAVE_IN_NEWMAIL
        nothing may ever have been moved to MAIL."""
        path = ms.find_mail_file(Path(self.vms_root.path, "sys$sysdevice", USER.lower()))
        if path is None:
            return {}
        held: dict[str, bytes] = {}
        with ms.MailFile(path, create=False) as mail:
            assert mail.list(ms.MAIL) == []
            for info in mail.list(ms.NEWMAIL):
                original = ms.original_message(info, mail.read(info.id))
                held[identify(original)] = original
        return held


def setup_lines(tls: bool) -> list[str]:
    lines = ["TCPIP SET CONFIGURATION SMTP /OPTIONS=TOP_HEADERS"]
    if tls:
        lines += ["@SYS$STARTUP:SSL$STARTUP",
                  "INSTALL CREATE SYS$LIBRARY:SSL$LIBCRYPTO_SHR32.EXE",
                  "INSTALL CREATE SYS$LIBRARY:SSL$LIBSSL_SHR.EXE"]
    return lines


def certificate_path(root_path: Path) -> Path:
    """The host file of SSL$CERTS:SERVER.CRT."""
    process = Process(rootmod.Root(root_path))
    try:
        pd = process.process_default()
        return process.files.lookup("SSL$CERTS:SERVER.CRT", process_default=pd).path
    finally:
        process.logout()


def make_site(vms_root, transport: str) -> Site:
    """JONES, SMTP TOP_HEADERS, TLS when asked, POP_SECRET.DAT; the server started."""
    root = rootmod.Root(vms_root.path)
    uaf.add(root, USER, {"password": PASSWORD, "flags": ((False, "DISUSER"),),
                         "uic": (200, 201), "device": "SYS$SYSDEVICE:",
                         "directory": f"[{USER}]"})
    uaf.create_login_directory(root, uaf.get(root, USER))
    Path(vms_root.path, "sys$sysdevice", USER.lower(), "pop_secret.dat").write_text(
        APOP_SECRET + "\n")
    tls = transport == "tls"
    dcl_procedure(vms_root, "SETUP.COM", setup_lines(tls))
    cert = None
    if tls:
        done = vmsenv_command("cert", "--root", str(vms_root.path), "--cn", "localhost")
        assert done.returncode == 0, done.stderr
        cert = certificate_path(vms_root.path)
    server = start_pop_server(vms_root, logicals={"TCPIP$POP_IGNORE_MAIL11_HEADERS": "TRUE",
                                                  "TCPIP$POP_LEAVE_IN_NEWMAIL": "TRUE"},
                              ssl=tls)
    return Site(vms_root, server, transport, cert)


def stop_site(site: Site) -> None:
    """Shut the server down with its procedure; nothing of the root may be left running."""
    try:
        output = site.server.stop()
        assert "%TCPIP-I-POPSTOPPED, POP server stopped" in output, output
        assert "POPFORCED" not in output, output
    finally:
        if pop_processes(site.vms_root.path):
            vmsenv_command("shutdown", "--root", str(site.vms_root.path))
    assert pop_processes(site.vms_root.path) == []


@pytest.fixture
def site(vms_root, request):
    made = make_site(vms_root, request.param)
    try:
        yield made
    finally:
        stop_site(made)


# ---------------------------------------------------------------------------------------------
# The clients.
# ---------------------------------------------------------------------------------------------
def run_program(argv: list[str], env: dict[str, str] | None = None,
                ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, capture_output=True, text=True, errors="replace",
                          timeout=CLIENT_TIMEOUT, stdin=subprocess.DEVNULL,
                          env={**os.environ, **(env or {})})
    assert done.returncode in ok, (f"{argv[0]} ended with {done.returncode}:\n"
                                   f"{done.stdout}\n{done.stderr}")
    return done


def mda_script(directory: Path, out: Path) -> Path:
    """A shell script that writes its standard input to a new file in out."""
    script = directory / "deliver.sh"
    script.write_text("#!/bin/sh\n"
                      f"exec cat > \"$(mktemp {shlex.quote(str(out))}/msg.XXXXXXXX)\"\n")
    script.chmod(0o755)
    return script


class Client:
    """A mail client configured for one site; run(keep) fetches and returns the messages it
    delivered in that run, normalised as the module documentation says; expected(original)
    is what a message must then equal."""

    deletes_earlier = False     # delete mode also deletes what earlier keep runs fetched

    @staticmethod
    def expected(data: bytes) -> bytes:
        return data

    def __init__(self, site: Site, directory: Path):
        self.site = site
        self.directory = directory
        self.out = directory / "out"
        self.out.mkdir(parents=True)

    @property
    def password(self) -> str:
        return APOP_SECRET if self.site.transport == "apop" else PASSWORD.lower()

    def take(self, normalise) -> list[bytes]:
        files = sorted(self.out.iterdir())
        messages = [normalise(f.read_bytes()) for f in files]
        for f in files:
            f.unlink()
        return messages

    def run(self, keep: bool) -> list[bytes]:
        raise NotImplementedError


class Fetchmail(Client):

    def run(self, keep: bool) -> list[bytes]:
        site = self.site
        protocol = "APOP" if site.transport == "apop" else "POP3"
        if site.transport == "tls":
            # fetchmail checks the certificate's names against the poll name but never an IP
            # address: sslcommonname gives the name the certificate is for
            security = f'ssl sslcertck sslcertfile "{site.cert}" sslcommonname localhost'
        else:
            security = "sslproto ''"
        rc = self.directory / "fetchmailrc"
        rc.write_text(
            "set no syslog\n"
            "set invisible\n"
            f"poll {site.host} port {site.port} protocol {protocol} uidl\n"
            f'  user "{USER.lower()}" password "{self.password}" is "nobody" here\n'
            f"  {security}\n"
            f"  {'keep' if keep else 'no keep'} no rewrite no stripcr\n"
            f'  mda "{mda_script(self.directory, self.out)}"\n')
        rc.chmod(0o600)
        # 0: mail delivered, 1: no mail
        run_program(["fetchmail", "-f", str(rc), "-i", str(self.directory / "fetchids"),
                     "--pidfile", str(self.directory / "fetchmail.pid")],
                    env={"HOME": str(self.directory)}, ok=(0, 1))
        return self.take(lambda data: data)


class Mpop(Client):
    deletes_earlier = True

    def run(self, keep: bool) -> list[bytes]:
        site = self.site
        maildir = self.out / "maildir"
        for sub in ("new", "cur", "tmp"):
            (maildir / sub).mkdir(parents=True, exist_ok=True)
        lines = ["account jones", f"host {site.host}", f"port {site.port}",
                 f"user {USER.lower()}", f"password {self.password}",
                 f"auth {'apop' if site.transport == 'apop' else 'user'}"]
        if site.transport == "tls":
            lines += ["tls on", "tls_starttls off", f"tls_trust_file {site.cert}"]
        else:
            lines += ["tls off"]
        lines += [f"keep {'on' if keep else 'off'}", "only_new on", "received_header off",
                  f"uidls_file {self.directory / 'uidls'}", f"delivery maildir {maildir}"]
        rc = self.directory / "mpoprc"
        rc.write_text("\n".join(lines) + "\n")
        rc.chmod(0o600)
        run_program(["mpop", "-C", str(rc), "-q", "jones"], env={"HOME": str(self.directory)})
        files = sorted((maildir / "new").iterdir()) + sorted((maildir / "cur").iterdir())
        messages = [lf_to_crlf(f.read_bytes()) for f in files]
        for f in files:
            f.unlink()
        return messages


def unfolded(data: bytes) -> bytes:
    """A message with its header block unfolded (RFC 5322 2.2.3: each CR LF followed by a blank
    removed) and the blanks that start each field body dropped; the body as it is."""
    head, sep, body = data.partition(CRLF + CRLF)
    fields = re.sub(rb"\r\n(?=[ \t])", b"", head + CRLF).split(CRLF)[:-1]
    fields = [re.sub(rb"^([^:]*:)[ \t]*", rb"\1 ", f) for f in fields]
    return CRLF.join(fields) + sep + body


class Getmail(Client):
    deletes_earlier = True
    RETURN_PATH = b"Return-Path: <unknown>\n"

    def normalise(self, data: bytes) -> bytes:
        assert data.startswith(self.RETURN_PATH), data[:200]
        return unfolded(lf_to_crlf(data[len(self.RETURN_PATH):]))

    @staticmethod
    def expected(data: bytes) -> bytes:
        return unfolded(data)

    def run(self, keep: bool) -> list[bytes]:
        site = self.site
        getmaildir = self.directory / "getmail"
        getmaildir.mkdir(exist_ok=True)
        retriever = ["[retriever]"]
        if site.transport == "tls":
            retriever += ["type = SimplePOP3SSLRetriever", f"ca_certs = {site.cert}"]
        else:
            retriever += ["type = SimplePOP3Retriever"]
        retriever += [f"server = {site.host}", f"port = {site.port}",
                      f"username = {USER.lower()}", f"password = {self.password}"]
        if site.transport == "apop":
            retriever += ["use_apop = True"]
        command = f'cat > "$(mktemp {shlex.quote(str(self.out))}/msg.XXXXXXXX)"'
        rc = "\n".join(retriever + [
            "", "[destination]", "type = MDA_external", "path = /bin/sh",
            f"arguments = ({json.dumps('-c')}, {json.dumps(command)})",
            "allow_root_commands = true", "unixfrom = false",
            "", "[options]", "read_all = false", f"delete = {'false' if keep else 'true'}",
            "delivered_to = false", "received = false", "verbose = 0", ""])
        (getmaildir / "getmailrc").write_text(rc)
        (getmaildir / "getmailrc").chmod(0o600)
        run_program(["getmail", "--getmaildir", str(getmaildir), "--rcfile", "getmailrc"],
                    env={"HOME": str(self.directory)})
        return self.take(self.normalise)


class Poplib(Client):
    """Python's poplib as a client that remembers the UIDs it has fetched (in a file, across
    runs), as the others do: it RETRs the unseen messages and, in delete mode, DELEtes exactly
    those. (fetchmail fetches with TOP n <huge>, which leaves a message unread; RETR here,
    as mpop and getmail do, makes the kept messages read mail, which only LEAVE_IN_NEWMAIL
    keeps in the maildrop.)"""


    def connect(self) -> poplib.POP3:
        site = self.site
        if site.transport == "tls":
            context = ssl.create_default_context(cafile=str(site.cert))
            client = poplib.POP3_SSL(site.host, site.port, context=context, timeout=60)
        else:
            client = poplib.POP3(site.host, site.port, timeout=60)
        if site.transport == "apop":
            client.apop(USER.lower(), APOP_SECRET)
        else:
            client.user(USER.lower())
            client.pass_(PASSWORD.lower())
        return client

    def run(self, keep: bool) -> list[bytes]:
        seen_file = self.directory / "uids.json"
        seen = set(json.loads(seen_file.read_text())) if seen_file.exists() else set()
        saved = poplib._MAXLINE
        poplib._MAXLINE = POPLIB_MAXLINE
        fetched: list[bytes] = []
        try:
            client = self.connect()
            listing = client.uidl()[1]
            for entry in listing:
                number, uid = entry.decode().split()
                if uid in seen:
                    continue
                lines = client.retr(int(number))[1]
                if not keep:
                    client.dele(int(number))
                fetched.append(b"".join(line + CRLF for line in lines))
                seen.add(uid)
            client.quit()
        finally:
            poplib._MAXLINE = saved
        seen_file.write_text(json.dumps(sorted(seen)))
        return fetched


CLIENTS = {"fetchmail": Fetchmail, "mpop": Mpop, "getmail": Getmail, "poplib": Poplib}


# ---------------------------------------------------------------------------------------------
# The story.
# ---------------------------------------------------------------------------------------------
def by_name(messages: list[bytes]) -> dict[str, bytes]:
    named: dict[str, bytes] = {}
    for data in messages:
        name = identify(data)
        assert name not in named, f"{name} delivered twice in one run"
        named[name] = data
    return named


def assert_received(client: Client, got: list[bytes], originals: dict[str, bytes]) -> None:
    named = by_name(got)
    assert sorted(named) == sorted(originals)
    differences = []
    for name, original in originals.items():
        data = client.expected(original)
        if named[name] != data:
            mine = named[name]
            at = next((i for i, (a, b) in enumerate(zip(mine, data, strict=False)) if a != b),
                      min(len(mine), len(data)))
            differences.append(f"{name}: differs at octet {at} of {len(data)} (got {len(mine)})"
                               f": got {mine[max(0, at - 40):at + 40]!r}, "
                               f"expected {data[max(0, at - 40):at + 40]!r}")
    if differences:
        pytest.fail("\n".join(differences))


def run_story(site: Site, client: Client, command: bool = False) -> None:
    # 1. the corpus, byte for byte, kept
    site.deliver(CORPUS, command=command)
    assert_received(client, client.run(keep=True), CORPUS)
    assert site.maildrop() == CORPUS
    # 2. nothing twice
    assert client.run(keep=True) == []
    # 3. new mail only
    site.deliver(KEPT_LATER)
    assert_received(client, client.run(keep=True), KEPT_LATER)
    assert client.run(keep=True) == []
    before = site.maildrop()
    assert before == {**CORPUS, **KEPT_LATER}
    # 4. delete mode: fetches the new mail; removes exactly what the client fetched
    site.deliver(DELETED_LATER)
    assert_received(client, client.run(keep=False), DELETED_LATER)
    assert site.maildrop() == ({} if client.deletes_earlier else before)
    # 5. and nothing is fetched again
    assert client.run(keep=True) == []


def installed(program: str):
    """Skip (before any system is made) when the client program is missing."""
    package = "getmail6" if program == "getmail" else program
    return pytest.mark.skipif(shutil.which(program) is None,
                              reason=f"{program} is not installed (CI installs the Debian "
                                     f"package {package}: see .ci/run)")


@installed("fetchmail")
@pytest.mark.parametrize("site", TRANSPORTS, indirect=True)
def test_fetchmail(site, tmp_path):
    run_story(site, Fetchmail(site, tmp_path / "fetchmail"))


@installed("mpop")
@pytest.mark.parametrize("site", TRANSPORTS, indirect=True)
def test_mpop(site, tmp_path):
    run_story(site, Mpop(site, tmp_path / "mpop"))


@installed("getmail")
@pytest.mark.parametrize("site", TRANSPORTS, indirect=True)
def test_getmail(site, tmp_path):
    run_story(site, Getmail(site, tmp_path / "getmail"))


@pytest.mark.parametrize("site", TRANSPORTS, indirect=True)
def test_poplib(site, tmp_path):
    # the cleartext run delivers through the `vmsenv deliver` command itself
    run_story(site, Poplib(site, tmp_path / "poplib"), command=site.transport == "cleartext")


@pytest.mark.parametrize("site", ["cleartext"], indirect=True)
def test_poplib_lines_beyond_the_client_limits(site):
    """Lines far past fetchmail's 8 KiB and poplib's 2048 (raised here), a NUL, and the exact
    octet counts of LIST and the header block of TOP n 0, for the corpus and this message."""
    huge = message("huge-lines", b"Lines beyond the clients' limits", [
        b"x" * 8193, b"." + b"y" * 65_535, b"a NUL \0 in a line", b".", b"w" * (1 << 20)])
    messages = {**CORPUS, "huge-lines": huge}
    site.deliver(messages)
    saved = poplib._MAXLINE
    poplib._MAXLINE = (1 << 20) + 16
    try:
        client = poplib.POP3(site.host, site.port, timeout=60)
        client.user(USER.lower())
        client.pass_(PASSWORD.lower())
        listing = [entry.split() for entry in client.list()[1]]
        uids = [entry.split()[1] for entry in client.uidl()[1]]
        assert len(set(uids)) == len(uids) == len(messages)
        got = {}
        for number, size in listing:
            data = b"".join(line + CRLF for line in client.retr(int(number))[1])
            name = identify(data)
            assert int(size) == len(messages[name]), name
            head = b"".join(line + CRLF for line in client.top(int(number), 0)[1])
            assert head == messages[name].partition(CRLF + CRLF)[0] + CRLF + CRLF, name
            got[name] = data
        client.quit()
    finally:
        poplib._MAXLINE = saved
    assert got == messages
