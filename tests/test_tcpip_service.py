"""TCP/IP Services configuration (vmsenv.tcpip) and the TCPIP command (dcl/verbs/tcpip.py),
SSL$STARTUP.COM and `vmsenv cert`."""

from __future__ import annotations

import io
import os
import ssl
import stat

import pytest
from click.testing import CliRunner

from vmsenv import cli, tcpip
from vmsenv.dcl.interpreter import Interpreter
from vmsenv.mail.deliver import SmtpConfig
from vmsenv.process import Process


@pytest.fixture
def shell(root):
    dcl = Interpreter(Process(root), io.StringIO())
    yield dcl
    dcl.process.logout()


HEADER = "Service             Port  Proto    Process          Address            State\n\n"


# ------------------------------------------------------------------ services
def test_fresh_root_has_the_pop_service(shell, run):
    assert run(shell, "TCPIP SHOW SERVICE") == HEADER + (
        "POP                  110  TCP      TCPIP$POP        127.0.0.1           Disabled\n")
    endpoint = tcpip.pop_endpoint(shell.process.root)
    assert (endpoint.address, endpoint.port) == ("127.0.0.1", 110)
    assert endpoint.service.log_reject


def test_seed_noreject_and_full_display(shell, run):
    assert run(shell, "TCPIP SET SERVICE POP/LOG=NOREJECT") == ""
    root = shell.process.root
    assert not tcpip.get_service(root, "pop").log_reject
    assert run(shell, "TCPIP ENABLE SERVICE POP", "TCPIP SHOW SERVICE POP/FULL") == (
        "\n"
        "Service: POP\n"
        "\n"
        "                          State:     Enabled\n"
        "Port:             110     Protocol:  TCP             Address:  127.0.0.1\n"
        "Limit:              1     User_name: TCPIP$POP       Process:  TCPIP$POP\n"
        "\n"
        "File:         SYS$STARTUP:TCPIP$POP_RUN.COM\n"
        "\n"
        "Log Opts:     Acpt Actv Dactv Conn Error Exit Logi Logo Mdfy TimO Addr\n"
        " File:        not defined\n")
    run(shell, "TCPIP SET SERVICE POP/LOG_OPTIONS=(REJECT,NOACCEPT,FILE=SYS$LOGIN:POP.LOG)")
    entry = tcpip.get_service(root, "POP")
    assert entry.log_reject and "ACCEPT" not in entry.log_options
    assert entry.log_file == "SYS$LOGIN:POP.LOG"
    run(shell, "TCPIP SET SERVICE POP/LOG=NOALL")
    assert tcpip.get_service(root, "POP").log_options == frozenset()


def test_create_modify_and_remove(shell, run):
    root = shell.process.root
    assert run(shell, "TCPIP SET SERVICE MYSVC/PORT=7777") == (
        "%TCPIP-E-SERVERROR, error processing service request\n"
        "-TCPIP-E-REQUIRED, a new entry requires /FILE, /PORT, /PROCESS_NAME and /USER_NAME\n")
    run(shell, "TCPIP SET SERVICE MYSVC/PORT=7777/FILE=SYS$LOGIN:MY.COM/USER=SYSTEM"
               "/PROCESS_NAME=A_VERY_LONG_PROCESS_NAME/ADDRESS=0.0.0.0/LIMIT=3")
    entry = tcpip.get_service(root, "MYSVC")
    assert (entry.port, entry.address, entry.limit) == (7777, "0.0.0.0", 3)
    assert entry.process_name == "A_VERY_LONG_PRO"          # 15 characters
    assert run(shell, "TCPIP SHOW SERVICE") == HEADER + (
        "MYSVC               7777  TCP      A_VERY_LONG_PRO  0.0.0.0             Disabled\n"
        "POP                  110  TCP      TCPIP$POP        127.0.0.1           Disabled\n")
    assert run(shell, "TCPIP SET SERVICE MYSVC/PORT=7778") == (
        "%TCPIP-E-SERVERROR, error processing service request\n"
        "-TCPIP-E-NOCHANGE, /PORT of an existing entry cannot be changed; "
        "use SET NOSERVICE first\n")
    run(shell, "TCPIP SET SERVICE MYSVC/USER_NAME=TCPIP$POP/LIMIT=5")
    assert tcpip.get_service(root, "MYSVC").limit == 5
    assert run(shell, "TCPIP SET NOSERVICE MYSVC", "TCPIP SHOW SERVICE MYSVC") == (
        "%TCPIP-E-SERVERROR, error processing service request\n"
        "-TCPIP-W-NORECORD, information not found\n")
    assert run(shell, "TCPIP SET SERVICE POP/PORT=0") == "%TCPIP-E-INVPORT, invalid port number 0\n"
    assert run(shell, "TCPIP SET SERVICE X/PORT=5/FILE=F/USER=U/PROC=P/ADDRESS=1.2.3") == (
        "%TCPIP-E-INVADDR, invalid IP address 1.2.3\n")
    assert tcpip.get_service(root, "X") is None


def test_enable_disable(shell, run):
    root = shell.process.root
    run(shell, "TCPIP ENABLE SERVICE POP")
    assert tcpip.get_service(root, "POP").enabled
    run(shell, "TCPIP DISABLE SERVICE POP")
    assert not tcpip.get_service(root, "POP").enabled
    assert run(shell, "TCPIP ENABLE SERVICE NOSUCH").startswith("%TCPIP-E-SERVERROR")


def test_command_words(shell, run):
    assert run(shell, "TCPIP FROB") == (
        "%DCL-W-IVVERB, unrecognized command verb - check validity and spelling\n \\FROB\\\n")
    assert run(shell, "TCPIP SHOW GIZMO") == (
        "%DCL-W-IVKEYW, unrecognized keyword - check validity and spelling\n \\GIZMO\\\n")
    assert run(shell, "TCPIP SHOW").startswith("%DCL-W-INSFPRM")
    assert run(shell, "TCPIP SHOW SERVICE/PERMANENT").startswith("%DCL-W-IVQUAL")
    assert run(shell, "TCPIP SHO SERV") == run(shell, "TCPIP SHOW SERVICE")


def test_changes_need_privilege(root, run):
    dcl = Interpreter(Process(root, username="JOE", uic=(0o200, 1),
                              privileges={"TMPMBX", "NETMBX"}), io.StringIO())
    try:
        assert run(dcl, "TCPIP SET SERVICE POP/LOG=NOREJECT") == (
            "%SYSTEM-F-NOPRIV, insufficient privilege or object protection violation\n")
        assert run(dcl, "TCPIP ENABLE SERVICE POP").startswith("%SYSTEM-F-NOPRIV")
        assert run(dcl, "TCPIP SHOW SERVICE").startswith(HEADER)
    finally:
        dcl.process.logout()
    assert tcpip.get_service(root, "POP").log_reject


def test_prompting_mode_in_a_procedure(shell, root, run):
    (root.sysdevice / "t.com").write_text(
        "$ TCPIP\nSET SERVICE POP/LOG=NOREJECT\nBOGUS\nSHOW SERVICE\nEXIT\n"
        "$ WRITE SYS$OUTPUT \"after\"\n")
    out = run(shell, "@SYS$SYSDEVICE:[000000]T.COM")
    assert out == ("%DCL-W-IVVERB, unrecognized command verb - check validity and spelling\n"
                   " \\BOGUS\\\n" + HEADER +
                   "POP                  110  TCP      TCPIP$POP        127.0.0.1           "
                   "Disabled\nafter\n")
    assert not tcpip.get_service(root, "POP").log_reject


def test_prompting_mode_interactive(root, run):
    dcl = Interpreter(Process(root), io.StringIO(), io.StringIO("SHOW HOST\nEXIT\n"))
    try:
        out = run(dcl, "TCPIP")
    finally:
        dcl.process.logout()
    assert out.startswith("TCPIP> \n        LOCAL database\n")
    assert out.endswith("TCPIP> ")


# ------------------------------------------------------------------ configuration
def test_configuration_enable_service(shell, run):
    root = shell.process.root
    run(shell, "TCPIP SET CONFIGURATION ENABLE SERVICE POP",
        "TCPIP SET CONFIGURATION ENABLE SERVICE FTP")
    assert tcpip.configured_services(root) == ["FTP", "POP"]
    assert run(shell, "TCPIP SHOW CONFIGURATION ENABLE SERVICE") == (
        "\nEnable service\n\n    FTP, POP\n")
    run(shell, "TCPIP SET CONFIGURATION ENABLE NOSERVICE FTP")
    assert tcpip.configured_services(root) == ["POP"]
    assert run(shell, "TCPIP SET CONFIGURATION ENABLE NOSERVICE FTP").startswith(
        "%TCPIP-E-CONFERROR")


def test_smtp_configuration_shared_with_delivery(shell, run):
    root = shell.process.root
    assert run(shell, "TCPIP SHOW CONFIGURATION SMTP") == (
        "\nSMTP Configuration\n\nOptions:            HEADERS\n"
        "Substitute domain:  not defined\n")
    run(shell, "TCPIP SET CONFIGURATION SMTP/SUBSTITUTE_DOMAIN=NAME=Acme.Widgets.COM"
               "/OPTIONS=TOP_HEADERS")
    smtp = tcpip.smtp_configuration(root)
    assert (smtp.substitute_domain, smtp.top_headers) == ("acme.widgets.com", True)
    delivery = SmtpConfig.load(root)
    assert (delivery.substitute_domain, delivery.top_headers) == ("acme.widgets.com", True)
    run(shell, "TCPIP SET CONFIGURATION SMTP/OPTIONS=NOTOP_HEADERS")
    assert tcpip.smtp_configuration(root).headers == "HEADERS"
    assert tcpip.smtp_configuration(root).substitute_domain == "acme.widgets.com"
    run(shell, "TCPIP SET CONFIGURATION SMTP/SUBSTITUTE_DOMAIN=NONAME/OPTIONS=NOHEADERS")
    assert tcpip.smtp_configuration(root) == tcpip.SmtpConfiguration(None, "NOHEADERS")
    assert run(shell, "TCPIP SET CONFIGURATION SMTP/OPTIONS=EIGHT_BIT").startswith(
        "%DCL-W-IVKEYW")


# ------------------------------------------------------------------ hosts
def test_hosts(shell, run):
    root = shell.process.root
    run(shell, "TCPIP SET HOST orders.acme.widgets.com/ADDRESS=10.0.0.1/ALIAS=ORDERS",
        'TCPIP SET HOST "Host12.acme.widgets.com"/ADDRESS=10.0.0.12/ALIAS=("Mixed",HOST12)')
    assert run(shell, "TCPIP SHOW HOST") == (
        "\n        LOCAL database\n\nHost address    Host name\n\n"
        "10.0.0.12       Host12.acme.widgets.com, Mixed, host12\n"
        "10.0.0.1        orders.acme.widgets.com, orders\n")
    assert run(shell, "TCPIP SHOW HOST ORDERS").endswith(
        "10.0.0.1        orders.acme.widgets.com, orders\n")
    assert run(shell, "TCPIP SHOW HOST nowhere") == (
        "%TCPIP-W-NORECORD, information not found\n-RMS-E-RNF, record not found\n")
    translate = tcpip.node_translator(root)
    assert translate("ORDERS") == "orders.acme.widgets.com"
    assert translate("host12") == "Host12.acme.widgets.com"
    assert translate("HOST13") is None
    run(shell, "TCPIP SET HOST orders.acme.widgets.com/ADDRESS=10.0.0.2")
    assert tcpip.find_host(root, "orders").address == "10.0.0.2"
    assert tcpip.find_host(root, "orders").aliases == ("orders",)
    assert run(shell, "TCPIP SET HOST newhost").startswith("%TCPIP-E-HOSTERROR")
    run(shell, "TCPIP SET NOHOST ORDERS.ACME.WIDGETS.COM")
    assert tcpip.find_host(root, "orders") is None


def test_local_host_name():
    names = {"TCPIP$INET_HOST": "ORDERS", "TCPIP$INET_DOMAIN": "acme.widgets.com"}
    assert tcpip.local_host_name(names.get, "VMS1") == "orders.acme.widgets.com"
    assert tcpip.local_host_name({"TCPIP$INET_HOST": "a.b.c"}.get, "VMS1") == "a.b.c"
    assert tcpip.local_host_name({}.get, "VMS1") == "vms1"
    assert tcpip.local_host_name({"TCPIP$INET_DOMAIN": "x.org"}.get, "VMS1") == "vms1.x.org"


def test_local_aliases(root, shell):
    text = "! local domains\nacme.com\n  Widgets.ACME.com  ! the other one\n\n"
    assert tcpip.parse_local_aliases(text) == {"acme.com", "widgets.acme.com"}
    assert tcpip.read_local_aliases(shell.process) == frozenset()
    smtp = root.sysdevice / "sys0" / "tcpip$smtp"
    smtp.mkdir()
    (smtp / "tcpip$smtp_local_aliases.txt").write_text(text)
    assert tcpip.read_local_aliases(shell.process) == {"acme.com", "widgets.acme.com"}


# ------------------------------------------------------------------ SSL
def test_ssl_startup_defines_the_names(shell, run):
    out = run(shell, "@SYS$STARTUP:SSL$STARTUP", "SHOW SYMBOL $STATUS",
              'WRITE SYS$OUTPUT F$PARSE("SSL$CERTS:SERVER.CRT")',
              'WRITE SYS$OUTPUT F$TRNLNM("SSL$KEY")', 'WRITE SYS$OUTPUT F$TRNLNM("SSL$COM")')
    assert out == ('  $STATUS == "%X00000001"\nSSL$ROOT:[CERTS]SERVER.CRT;\n'
                   "SSL$ROOT:[PRIVATE]\nSSL$ROOT:[COM]\n")
    assert (shell.process.root.sysdevice / "sys0" / "syscommon" / "ssl" / "private").is_dir()


def test_self_signed_certificate_loads(tmp_path):
    cert = tcpip.make_self_signed("pop.example.com", days=3)
    (tmp_path / "c.pem").write_bytes(cert.cert_pem)
    (tmp_path / "k.pem").write_bytes(cert.key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    assert b"ENCRYPTED" not in cert.key_pem
    from cryptography import x509
    parsed = x509.load_pem_x509_certificate(cert.cert_pem)
    assert parsed.subject.rfc4514_string() == "CN=pop.example.com"
    with pytest.raises(ValueError):
        tcpip.make_self_signed("x", days=0)


def test_vmsenv_cert(root, shell, run):
    runner = CliRunner()
    result = runner.invoke(cli.main, ["cert", "--root", str(root.path)])
    assert result.exit_code == 2
    assert "%TCPIP-E-SSLNOTDEF, SSL$CERTS is not defined" in result.output
    run(shell, "@SYS$STARTUP:SSL$STARTUP")
    result = runner.invoke(cli.main, ["cert", "--root", str(root.path), "--cn", "pop.test",
                                      "--days", "10"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "%VMSENV-I-CERT, certificate SSL$ROOT:[CERTS]SERVER.CRT;1 for pop.test, valid 10 days\n"
        "%VMSENV-I-KEY, private key SSL$ROOT:[PRIVATE]SERVER.KEY;1 (not encrypted, mode 0600)\n")
    ssl_dir = root.sysdevice / "sys0" / "syscommon" / "ssl"
    key = ssl_dir / "private" / "server.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert (ssl_dir / "certs" / "server.crt").read_bytes().startswith(b"-----BEGIN CERTIFICATE")
    result = runner.invoke(cli.main, ["cert", "--root", str(root.path)])
    assert result.exit_code == 0
    assert "SERVER.CRT;2" in result.output
    assert stat.S_IMODE(os.stat(ssl_dir / "private" / "server.key;2").st_mode) == 0o600
