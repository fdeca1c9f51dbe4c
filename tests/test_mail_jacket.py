"""The SMTP jacket on delivery: TCPIP$SMTP_JACKET_LOCAL (a system logical name), the locality
routine shared with the POP server (local host, substitute domain, TCPIP$SMTP_LOCAL_ALIASES.TXT),
through SmtpConfig.from_system, build_message, Deliverer and the `vmsenv deliver` command."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from popserver.headers import HostEnvironment
from vmsenv import tcpip, uaf
from vmsenv.cli import main
from vmsenv.dcl.interpreter import Interpreter
from vmsenv.filespec import ProcessDefault
from vmsenv.mail import profile
from vmsenv.mail import store as ms
from vmsenv.mail.deliver import Deliverer, SmtpConfig, build_message, plain_from
from vmsenv.testing import add_account

BODY = b"Subject: Lunch\n\nSee you at noon.\n"


def message(sender: str) -> bytes:
    return f"From: {sender}\n".encode() + BODY


@pytest.fixture
def dcl(process):
    return Interpreter(process, io.StringIO())


def host(root) -> str:
    """The local host's full name as the POP server and delivery see it (no TCPIP$INET_HOST:
    the node name in lower case)."""
    return root.node.lower()


def vms_from(root, author: str, **options) -> str:
    """The VMS From: of a message whose From: is author, by the root's configuration."""
    return build_message(message(author), SmtpConfig.from_system(root), **options).vms_from


def write_file(process, spec: str, text: str) -> None:
    pd = ProcessDefault("SYS$SYSDEVICE:", "[000000]")
    directory = spec[:spec.index("]") + 1]
    process.files.create_directory(directory, process_default=pd)
    ref = process.files.create(spec, process_default=pd)
    ref.path.write_text(text, encoding="latin-1")


# ------------------------------------------------------------------ the jacket decision
def test_local_sender_without_the_logical_is_plain_vms_mail(root):
    assert vms_from(root, f"jones@{host(root)}") == f"{root.node}::JONES"
    assert vms_from(root, f"Jo Nes <j.Smith-2@{host(root).upper()}>") == (
        f"{root.node}::J.SMITH-2")


@pytest.mark.parametrize("value", ["1", "TRUE", "yes", "3"])
def test_jacket_local_defined_keeps_the_smtp_jacket(root, dcl, run, value):
    assert run(dcl, f"DEFINE/SYSTEM TCPIP$SMTP_JACKET_LOCAL {value}") == ""
    assert vms_from(root, f"jones@{host(root)}") == f'SMTP%"jones@{host(root)}"'


@pytest.mark.parametrize("value", ["0", "FALSE", "no", "2"])
def test_jacket_local_defined_false_is_no_jacket(root, dcl, run, value):
    run(dcl, f"DEFINE/SYSTEM TCPIP$SMTP_JACKET_LOCAL {value}")
    assert vms_from(root, f"jones@{host(root)}") == f"{root.node}::JONES"


def test_only_the_system_table_counts(root, dcl, run):
    run(dcl, "DEFINE TCPIP$SMTP_JACKET_LOCAL 1", "DEFINE/GROUP TCPIP$SMTP_JACKET_LOCAL 1")
    assert vms_from(root, f"jones@{host(root)}") == f"{root.node}::JONES"
    run(dcl, "DEFINE/SYSTEM TCPIP$SMTP_JACKET_LOCAL 1")
    assert vms_from(root, f"jones@{host(root)}") == f'SMTP%"jones@{host(root)}"'
    run(dcl, "DEASSIGN/SYSTEM TCPIP$SMTP_JACKET_LOCAL")
    assert vms_from(root, f"jones@{host(root)}") == f"{root.node}::JONES"


@pytest.mark.parametrize("jacket", [False, True])
def test_non_local_sender_always_has_the_jacket(root, dcl, run, jacket):
    if jacket:
        run(dcl, "DEFINE/SYSTEM TCPIP$SMTP_JACKET_LOCAL 1")
    for sender in ("joe@example.com", f"joe@mail.{host(root)}", f"joe@{host(root)}x"):
        assert vms_from(root, sender) == f'SMTP%"{sender}"'


def test_substitute_domain_is_local(root, dcl, run):
    run(dcl, "TCPIP SET CONFIGURATION SMTP /SUBSTITUTE_DOMAIN=NAME=acme.example")
    assert vms_from(root, "orders@ACME.example") == f"{root.node}::ORDERS"
    # the bare address is qualified with the substitute domain, which is local
    assert vms_from(root, "postmaster") == f"{root.node}::POSTMASTER"
    run(dcl, "DEFINE/SYSTEM TCPIP$SMTP_JACKET_LOCAL 1")
    assert vms_from(root, "postmaster") == 'SMTP%"postmaster@acme.example"'


def test_inet_host_and_domain_name_the_local_host(root, dcl, run):
    run(dcl, "DEFINE/SYSTEM TCPIP$INET_HOST orders", "DEFINE/SYSTEM TCPIP$INET_DOMAIN acme.com")
    assert vms_from(root, "j_smith@orders.acme.com") == f"{root.node}::J_SMITH"
    assert vms_from(root, f"j_smith@{host(root)}") == f'SMTP%"j_smith@{host(root)}"'
    assert vms_from(root, "j_smith") == f"{root.node}::J_SMITH"


def test_local_part_the_plain_form_cannot_hold_keeps_the_jacket(root):
    sender = f'"two words"@{host(root)}'
    assert vms_from(root, sender) == f'SMTP%"\u00a2two words\u00a2@{host(root)}"'
    assert vms_from(root, f"a+b@{host(root)}") == f'SMTP%"a+b@{host(root)}"'


def test_explicit_sender_and_vms_from(root):
    assert vms_from(root, "joe@example.com", sender=f"<jones@{host(root)}>") == (
        f"{root.node}::JONES")
    assert vms_from(root, f"jones@{host(root)}", vms_from='ORDERS::"x@y.org"') == (
        'ORDERS::"x@y.org"')


# ------------------------------------------------------------------ the local aliases file
def test_aliases_file_in_sys_specific(root, process):
    assert vms_from(root, "amy@mail.acme.com") == 'SMTP%"amy@mail.acme.com"'
    write_file(process, "SYS$SPECIFIC:[TCPIP$SMTP]TCPIP$SMTP_LOCAL_ALIASES.TXT",
               "! local names\nMail.Acme.COM   ! the mail host\n\nacme.com\n")
    config = SmtpConfig.from_system(root)
    assert config.local_aliases == {"mail.acme.com", "acme.com"}
    assert build_message(message("amy@mail.acme.com"), config).vms_from == f"{root.node}::AMY"
    assert build_message(message("amy@ACME.com"), config).vms_from == f"{root.node}::AMY"
    assert build_message(message("amy@other.com"), config).vms_from == 'SMTP%"amy@other.com"'
    assert tcpip.read_local_aliases(process) == config.local_aliases


def test_aliases_file_in_smtp_common_comes_first(root, process, dcl, run):
    write_file(process, "SYS$SPECIFIC:[TCPIP$SMTP]TCPIP$SMTP_LOCAL_ALIASES.TXT", "specific.org\n")
    write_file(process, "SYS$SYSDEVICE:[SMTPCOMMON]TCPIP$SMTP_LOCAL_ALIASES.TXT", "common.org\n")
    assert SmtpConfig.from_system(root).local_aliases == {"specific.org"}
    run(dcl, "DEFINE/SYSTEM TCPIP$SMTP_COMMON SYS$SYSDEVICE:[SMTPCOMMON]")
    config = SmtpConfig.from_system(root)
    assert config.local_aliases == {"common.org"}
    assert build_message(message("x@common.org"), config).vms_from == f"{root.node}::X"
    assert build_message(message("x@specific.org"), config).vms_from == 'SMTP%"x@specific.org"'


def test_old_ucx_aliases_file_is_the_fallback(root, process):
    write_file(process, "SYS$SPECIFIC:[TCPIP$SMTP]UCX$SMTP_LOCAL_ALIASES.TXT", "old.org\n")
    assert vms_from(root, "x@old.org") == f"{root.node}::X"


def test_process_names_do_not_move_the_aliases_file(root, process, dcl, run):
    write_file(process, "SYS$SYSDEVICE:[MINE]TCPIP$SMTP_LOCAL_ALIASES.TXT", "mine.org\n")
    run(dcl, "DEFINE TCPIP$SMTP_COMMON SYS$SYSDEVICE:[MINE]")
    assert tcpip.read_local_aliases(process) == {"mine.org"}     # the process's own view
    assert SmtpConfig.from_system(root).local_aliases == frozenset()     # the symbiont's


# ------------------------------------------------------------------ one locality routine
@pytest.mark.parametrize("name", ["vms.example.com", "VMS.Example.Com", "acme.com", "ACME.COM",
                                  "alias.org", "Alias.Org", "other.org", "example.com", ""])
def test_locality_agrees_with_the_pop_server(name):
    env = HostEnvironment(local_host="vms.example.com", substitute_domain="acme.com",
                          local_aliases=frozenset({"alias.org"}))
    config = SmtpConfig(substitute_domain="acme.com", host_name="vms.example.com",
                        local_aliases=frozenset({"alias.org"}))
    assert config.is_local(name) == env.is_local(name) == tcpip.is_local_host(
        name, local_host="vms.example.com", substitute_domain="acme.com",
        local_aliases={"alias.org"})


def test_config_made_by_hand():
    config = SmtpConfig(host_name="vms.example.com")
    assert config.jacket_local
    assert plain_from("jones@vms.example.com", config) is None
    plain = SmtpConfig(host_name="vms.example.com", jacket_local=False, node="vms")
    assert plain_from("jones@vms.example.com", plain) == "VMS::JONES"
    assert plain_from("jones@example.com", plain) is None
    with pytest.raises(ValueError):
        SmtpConfig(jacket_local=False)


@pytest.mark.parametrize("text,expected", [
    (None, False), ("", False), (" ", False), ("1", True), (" 1 ", True), ("0", False),
    ("2", False), ("-1", True), ("TRUE", True), ("true", True), ("T", True), ("Yes", True),
    ("FALSE", False), ("no", False), ("x", False)])
def test_logical_true(text, expected):
    assert tcpip.logical_true(text) is expected


# ------------------------------------------------------------------ Deliverer and the command


def stored(root, user: str) -> list[ms.MessageInfo]:
    mf = profile.open_mail_file(root, uaf.get(root, user))
    try:
        return [] if mf is None else mf.list(ms.NEWMAIL)
    finally:
        if mf is not None:
            mf.close()


def test_deliverer_with_a_root(root, dcl, run):
    add_account(root, "SMITH", (0o200, 2))
    mapping = lambda user: profile.recipient_directory(root, user)     # noqa: E731
    with Deliverer(mapping, root=root) as d:
        d.deliver(message(f"jones@{host(root)}"), "SMITH")
    run(dcl, "DEFINE/SYSTEM TCPIP$SMTP_JACKET_LOCAL 1")
    with Deliverer(mapping, root=root) as d:
        d.deliver(message(f"jones@{host(root)}"), "SMITH")
    assert [i.vms_from for i in stored(root, "SMITH")] == [
        f"{root.node}::JONES", f'SMTP%"jones@{host(root)}"']


def test_vmsenv_deliver_command(root, dcl, run):
    add_account(root, "JONES", (0o200, 1))

    def deliver(*args: str, data: bytes) -> None:
        result = CliRunner().invoke(main, ["deliver", "JONES", *args, "--root", str(root.path)],
                                    input=data)
        assert result.exit_code == 0, result.output

    deliver(data=message(f"Smith <smith@{host(root)}>"))
    deliver("--from", "postmaster", data=message("joe@example.com"))
    deliver("--from", "joe@example.com", data=message(f"smith@{host(root)}"))
    run(dcl, "DEFINE/SYSTEM TCPIP$SMTP_JACKET_LOCAL 1")
    deliver(data=message(f"smith@{host(root)}"))
    assert [i.vms_from for i in stored(root, "JONES")] == [
        f"{root.node}::SMITH", f"{root.node}::POSTMASTER", 'SMTP%"joe@example.com"',
        f'SMTP%"smith@{host(root)}"']
