"""The SSL certificate image SYS$SYSTEM:SSL$CERT.EXE (vmsenv/sslcert.py) run from DCL, and the
SSL Certificate Tool @SSL$COM:SSL$CERT_TOOL (sys$startup/ssl$com/SSL$CERT_TOOL.COM) driven at a terminal
and on a pipe. Every test has a fresh root."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import ssl
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from vmsenv import condition as C
from vmsenv import images, sslcert, tcpip
from vmsenv.dcl.interpreter import Interpreter
from vmsenv.process import Process
from vmsenv.testing import DclSession, make_root

REPO = Path(__file__).resolve().parent.parent
FOREIGN = "SSLCERT :== $SYS$SYSTEM:SSL$CERT"


@pytest.fixture
def shell(root):
    dcl = Interpreter(Process(root), io.StringIO())
    yield dcl
    dcl.process.logout()


@pytest.fixture
def ssl_shell(shell, run):
    """A DCL interpreter with SSL started and the foreign command SSLCERT defined."""
    assert run(shell, "@SYS$STARTUP:SSL$STARTUP", FOREIGN) == ""
    return shell


def ssl_dir(root) -> Path:
    return root.sysdevice / "sys0" / "syscommon" / "ssl"


def loads_with_key(cert: Path, key: Path) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)


def expected_show(cert: x509.Certificate, spec: str) -> str:
    """SHOW's display of a certificate made here, computed independently of the module."""
    der = ssl.PEM_cert_to_DER_cert(cert.public_bytes(Encoding.PEM).decode())
    digest = hashlib.sha256(der).hexdigest().upper()
    pairs = [digest[i:i + 2] for i in range(0, 64, 2)]

    def local(t: dt.datetime) -> str:
        t = t.astimezone().replace(tzinfo=None)
        month = "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC"[3 * t.month - 3:3 * t.month]
        return f"{t.day:2d}-{month}-{t.year} {t:%H:%M:%S}.{t.microsecond // 10000:02d}"

    cn = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    alt = f"DNS:{cn}, DNS:localhost, IP:127.0.0.1" if cn != "localhost" else \
        "DNS:localhost, IP:127.0.0.1"
    return (f"Certificate file {spec}\n\n"
            f"    Subject:              CN={cn}\n"
            f"    Issuer:               CN={cn}  (self-signed)\n"
            f"    Valid from:           {local(cert.not_valid_before_utc)}\n"
            f"    Valid until:          {local(cert.not_valid_after_utc)}\n"
            f"    Serial number:        {cert.serial_number:X}\n"
            f"    Alternative names:    {alt}\n"
            f"    SHA-256 fingerprint:  {':'.join(pairs[:16])}\n"
            f"                          {':'.join(pairs[16:])}\n")


# ------------------------------------------------------------------ the image
def test_image_is_on_the_system_disk(root):
    assert images.SYSTEM_IMAGES["sysexe"]["SSL$CERT"] == "vmsenv.sslcert:image_main"
    exe = root.sysdevice / "sys0" / "syscommon" / "sysexe" / "ssl$cert.exe"
    assert exe.read_text() == "VMSENV-IMAGE vmsenv.sslcert:image_main\n"


def test_create_and_show_with_a_foreign_command(ssl_shell, run):
    out = run(ssl_shell, "SSLCERT CREATE /CN=pop.test /DAYS=10", "SHOW SYMBOL $STATUS")
    assert out == (
        "%SSL-I-CREATED, certificate SSL$ROOT:[CERTS]SERVER.CRT;1 created for pop.test, "
        "valid 10 days\n"
        "%SSL-I-KEYCREATED, private key SSL$ROOT:[PRIVATE]SERVER.KEY;1 created (not encrypted, "
        "owner access only)\n"
        '  $STATUS == "%X00000001"\n')
    base = ssl_dir(ssl_shell.process.root)
    crt, key = base / "certs" / "server.crt", base / "private" / "server.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert b"ENCRYPTED" not in key.read_bytes()
    loads_with_key(crt, key)
    cert = x509.load_pem_x509_certificate(crt.read_bytes())
    assert cert.subject.rfc4514_string() == "CN=pop.test"
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == dt.timedelta(days=10,
                                                                                minutes=5)
    shown = run(ssl_shell, "SSLCERT SHOW", "SHOW SYMBOL $STATUS")
    assert shown == expected_show(cert, "SSL$ROOT:[CERTS]SERVER.CRT;1") + \
        '  $STATUS == "%X00000001"\n'
    assert run(ssl_shell, "SSLCERT SHOW SSL$CERTS:SERVER.CRT") == shown.rsplit("\n  $", 1)[0] \
        + "\n"


def test_create_again_makes_new_versions(ssl_shell, run):
    run(ssl_shell, "SSLCERT CREATE")
    out = run(ssl_shell, "SSLCERT CREATE")
    assert "SSL$ROOT:[CERTS]SERVER.CRT;2 created for" in out
    assert "SSL$ROOT:[PRIVATE]SERVER.KEY;2 created" in out
    base = ssl_dir(ssl_shell.process.root)
    assert stat.S_IMODE(os.stat(base / "private" / "server.key;2").st_mode) == 0o600
    loads_with_key(base / "certs" / "server.crt;2", base / "private" / "server.key;2")


def test_default_name_is_the_local_host(ssl_shell, run):
    run(ssl_shell, 'DEFINE/SYSTEM TCPIP$INET_HOST "mailhost"',
        'DEFINE/SYSTEM TCPIP$INET_DOMAIN "example.org"')
    out = run(ssl_shell, "SSLCERT CREATE")
    assert "created for mailhost.example.org, valid 365 days" in out


def test_mcr_with_file_qualifiers_and_a_quoted_name(ssl_shell, run):
    out = run(ssl_shell, 'MCR SSL$CERT CREATE/CN="Mail.Example.COM"/CERT=MINE/KEY=MINE/DAYS=2')
    assert out.splitlines() == [
        "%SSL-I-CREATED, certificate SSL$ROOT:[CERTS]MINE.CRT;1 created for Mail.Example.COM, "
        "valid 2 days",
        "%SSL-I-KEYCREATED, private key SSL$ROOT:[PRIVATE]MINE.KEY;1 created (not encrypted, "
        "owner access only)"]
    base = ssl_dir(ssl_shell.process.root)
    assert stat.S_IMODE(os.stat(base / "private" / "mine.key").st_mode) == 0o600
    loads_with_key(base / "certs" / "mine.crt", base / "private" / "mine.key")
    shown = run(ssl_shell, "MCR SSL$CERT SHOW MINE")
    assert shown.startswith("Certificate file SSL$ROOT:[CERTS]MINE.CRT;1\n\n"
                            "    Subject:              CN=Mail.Example.COM\n")


def test_ssl_not_started(shell, run):
    out = run(shell, FOREIGN, "SSLCERT CREATE", "SHOW SYMBOL $STATUS", "SSLCERT SHOW")
    message = "%TCPIP-E-SSLNOTDEF, SSL$CERTS is not defined; run @SYS$STARTUP:SSL$STARTUP first"
    assert out == (f"{message}\n"
                   f'  $STATUS == "%X{tcpip.TCPIP_SSLNOTDEF | C.INHIB_MSG:08X}"\n'
                   f"{message}\n")
    assert not (ssl_dir(shell.process.root) / "private").exists()


@pytest.mark.parametrize("command, lines, status", [
    ("SSLCERT CREATE/DAYS=0",
     ["%SSL-E-INVDAYS, invalid number of days 0; give 1 to 36500"], sslcert.SSL_INVDAYS),
    ("SSLCERT CREATE/DAYS=36501",
     ["%SSL-E-INVDAYS, invalid number of days 36501; give 1 to 36500"], sslcert.SSL_INVDAYS),
    ('SSLCERT CREATE/CN="bad host"',
     ["%SSL-E-INVCN, invalid host name bad host"], sslcert.SSL_INVCN),
    ("SSLCERT CREATE/CN=-x.test",
     ["%SSL-E-INVCN, invalid host name -x.test"], sslcert.SSL_INVCN),
    ("SSLCERT SHOW NOSUCH",
     ["%SSL-E-OPENIN, error opening SSL$ROOT:[CERTS]NOSUCH.CRT; as input",
      "-RMS-E-FNF, file not found"], sslcert.SSL_OPENIN),
    ("SSLCERT SHOW SSL$KEY:SERVER.KEY",
     ["%SSL-E-NOTCERT, SSL$ROOT:[PRIVATE]SERVER.KEY;1 holds no PEM or DER certificate"],
     sslcert.SSL_NOTCERT),
    ("SSLCERT CREATE/KEY=NOSUCHDEV:X",
     ["%SSL-E-OPENOUT, error opening NOSUCHDEV:[PRIVATE]X.KEY; as output",
      "-RMS-F-DEV, error in device name or inappropriate device type for operation"],
     sslcert.SSL_OPENOUT),
    ("SSLCERT FROB", ["%DCL-W-IVVERB, unrecognized command verb - check validity and spelling",
                      " \\FROB\\"], C.CLI_IVVERB),
    ("SSLCERT CREATE/FOO",
     ["%DCL-W-IVQUAL, unrecognized qualifier - check validity, spelling, and placement",
      " \\FOO\\"], C.CLI_IVQUAL),
    ("SSLCERT", ["%DCL-W-INSFPRM, missing command parameters - supply all required parameters"],
     C.CLI_INSFPRM),
])
def test_errors(ssl_shell, run, command, lines, status):
    run(ssl_shell, "SSLCERT CREATE")      # SSL$KEY:SERVER.KEY for the NOTCERT case
    out = run(ssl_shell, "SET NOON", command, "SHOW SYMBOL $STATUS")
    assert out.splitlines() == lines + [f'  $STATUS == "%X{status | C.INHIB_MSG:08X}"']


def test_show_warns_of_an_expired_certificate(ssl_shell, run):
    old = tcpip.make_self_signed("old.test", days=1, now=dt.datetime(2001, 2, 3, 4, 5, 6,
                                                                     tzinfo=dt.timezone.utc))
    tcpip.write_certificate(ssl_shell.process, old, "SSL$CERTS:OLD.CRT", "SSL$KEY:OLD.KEY")
    out = run(ssl_shell, "SSLCERT SHOW OLD", "SHOW SYMBOL $STATUS").splitlines()
    until = sslcert.vms_time(dt.datetime(2001, 2, 4, 4, 5, 6, tzinfo=dt.timezone.utc))
    assert f"    Valid until:          {until}" in out
    assert out[-3:] == ["", f"%SSL-W-EXPIRED, certificate expired at {until}",
                        f'  $STATUS == "%X{sslcert.SSL_EXPIRED | C.INHIB_MSG:08X}"']


def test_show_reads_der_and_chains(ssl_shell, run):
    certs = [tcpip.make_self_signed(n, days=5) for n in ("one.test", "two.test")]
    host = ssl_dir(ssl_shell.process.root) / "certs"
    der = x509.load_pem_x509_certificate(certs[0].cert_pem).public_bytes(Encoding.DER)
    (host / "one.der").write_bytes(der)
    (host / "chain.pem").write_bytes(certs[0].cert_pem + certs[1].cert_pem)
    assert "    Subject:              CN=one.test\n" in run(ssl_shell, "SSLCERT SHOW ONE.DER")
    chain = run(ssl_shell, "SSLCERT SHOW CHAIN.PEM")
    assert "  Certificate 1 of 2\n    Subject:              CN=one.test\n" in chain
    assert "  Certificate 2 of 2\n    Subject:              CN=two.test\n" in chain


# ------------------------------------------------------------------ the tool
def test_tool_is_installed_in_ssl_com(ssl_shell, run):
    found = run(ssl_shell, 'WRITE SYS$OUTPUT F$SEARCH("SSL$COM:SSL$CERT_TOOL.COM")')
    assert found == "SSL$ROOT:[COM]SSL$CERT_TOOL.COM;1\n"
    shipped = REPO / "sys$startup" / "ssl$com" / "SSL$CERT_TOOL.COM"
    installed = ssl_dir(ssl_shell.process.root) / "com" / "ssl$cert_tool.com"
    assert installed.read_bytes() == shipped.read_bytes()


MENU = ("                              SSL Certificate Tool\n\n"
        "                                   Main Menu\n\n"
        "                    1. Create a Self-Signed Certificate\n"
        "                    2. Show a Certificate\n"
        "                    3. Exit\n\n")
OPTION = "Enter Option: "


def test_tool_menu_at_a_terminal(tmp_path):
    root = make_root(tmp_path / "root", dka200=tmp_path / "dka200")
    with DclSession(root, cwd=root.dka200, timeout=30) as session:
        session.run("@SYS$STARTUP:SSL$STARTUP", check=True)
        session.send_line("@SSL$COM:SSL$CERT_TOOL")
        assert MENU in session.expect_prompt(OPTION)
        assert "Invalid Option, Try again ..." in session.converse("9", OPTION)
        session.converse("1", "Host name [this system's TCP/IP host name]: ")
        session.converse("pop.test", "Days the certificate is valid [365]: ")
        session.converse("30", "Certificate file [SSL$CERTS:SERVER.CRT]: ")
        session.converse("", "Private key file [SSL$KEY:SERVER.KEY]: ")
        created = session.converse("", OPTION)
        assert ("%SSL-I-CREATED, certificate SSL$ROOT:[CERTS]SERVER.CRT;1 created for "
                "pop.test, valid 30 days\n") in created
        assert "%SSL-I-KEYCREATED, private key SSL$ROOT:[PRIVATE]SERVER.KEY;1" in created
        assert created.endswith(MENU + "                    ")
        session.converse("2", "Certificate file [SSL$CERTS:SERVER.CRT]: ")
        shown = session.converse("", OPTION)
        base = Path(root.path, "sys$sysdevice", "sys0", "syscommon", "ssl")
        cert = x509.load_pem_x509_certificate((base / "certs" / "server.crt").read_bytes())
        assert expected_show(cert, "SSL$ROOT:[CERTS]SERVER.CRT;1") in shown
        session.converse("3", "$ ")
        assert session.read_status() == C.SS_NORMAL
        assert session.run("SHOW SYMBOL OPTION")[0].startswith("%DCL-W-UNDSYM")
    key = base / "private" / "server.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    loads_with_key(base / "certs" / "server.crt", key)
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == dt.timedelta(days=30,
                                                                                minutes=5)


def test_tool_called_from_a_procedure_reads_sys_command(tmp_path):
    """The answers come from SYS$COMMAND (dcl's standard input), never from the calling
    procedure's data lines."""
    root = make_root(tmp_path / "root", dka200=tmp_path / "dka200")
    root.write_file("CALLER.COM", "$ @SYS$STARTUP:SSL$STARTUP\n"
                                  "$ @SSL$COM:SSL$CERT_TOOL\n"
                                  "3\n"
                                  "$ WRITE SYS$OUTPUT \"after \", $STATUS\n")
    answers = "1\nwww.example.net\n\nSSL$CERTS:WWW\nSSL$KEY:WWW\n2\nWWW\n3\n"
    done = subprocess.run([sys.executable, "-m", "vmsenv.dcl.cli", "--root", str(root.path),
                           str(root.host_path("CALLER.COM"))], input=answers,
                          capture_output=True, text=True, timeout=60, cwd=root.dka200,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert ("%SSL-I-CREATED, certificate SSL$ROOT:[CERTS]WWW.CRT;1 created for "
            "www.example.net, valid 365 days") in out
    assert "Certificate file SSL$ROOT:[CERTS]WWW.CRT;1\n" in out
    assert "    Subject:              CN=www.example.net\n" in out
    assert out.count("Main Menu") == 3
    assert out.endswith("after %X00000001\n")
    base = Path(root.path, "sys$sysdevice", "sys0", "syscommon", "ssl")
    assert stat.S_IMODE(os.stat(base / "private" / "www.key").st_mode) == 0o600
    loads_with_key(base / "certs" / "www.crt", base / "private" / "www.key")


def test_tool_without_ssl_started(tmp_path):
    root = make_root(tmp_path / "root", dka200=tmp_path / "dka200")
    root.write_file("T.COM", "$ SET NOON\n"
                             "$ @SYS$COMMON:[SSL.COM]SSL$CERT_TOOL\n"
                             "$ WRITE SYS$OUTPUT \"status \", $STATUS\n")
    done = subprocess.run([sys.executable, "-m", "vmsenv.dcl.cli", "--root", str(root.path),
                           str(root.host_path("T.COM"))], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60, cwd=root.dka200,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.stdout == ("%SSL-E-NOTSTARTED, SSL is not started; run @SYS$STARTUP:SSL$STARTUP "
                           "first\nstatus %X1000002C\n")
