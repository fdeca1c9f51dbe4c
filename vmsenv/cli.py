"""The `vmsenv` command: create and manage a system root.

Every subcommand takes --root DIR (environment VMSENV_ROOT, default the current directory).
Errors are VMS messages on standard error and a non-zero exit status; nothing is changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vmsenv import condition as cond
from vmsenv import root as rootmod


def fail(err: cond.VMSError) -> None:
    for line in err.lines():
        click.echo(line, err=True)
    sys.exit(2)


def open_root(path: str) -> rootmod.Root:
    try:
        return rootmod.Root(path)
    except cond.VMSError as err:
        fail(err)
        raise  # unreachable


root_option = click.option(
    "--root", "root_dir", envvar="VMSENV_ROOT", default=".", show_default=True,
    type=click.Path(file_okay=False), help="The system root (env VMSENV_ROOT).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """An OpenVMS logical-name and startup environment."""


@main.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@root_option
@click.option("--node", help="Node name (default: the host name, upper case, 6 characters).")
def init_cmd(directory: str | None, root_dir: str, node: str | None) -> None:
    """Create a fresh system root in DIRECTORY (idempotent; site files are kept)."""
    target = Path(directory or root_dir)
    try:
        root = rootmod.init(target, node)
    except cond.VMSError as err:
        fail(err)
    except OSError as err:
        fail(cond.VMSError(cond.VMSENV_HOSTERR, str(err)))
    click.echo(f"%VMSENV-I-INIT, system root {root.path} ready, node {root.node}")


@main.command("mount")
@click.argument("device")
@click.argument("hostdir", type=click.Path())
@root_option
def mount_cmd(device: str, hostdir: str, root_dir: str) -> None:
    """Make host directory HOSTDIR the device DEVICE (e.g. DKA200:)."""
    root = open_root(root_dir)
    try:
        name = root.mount(device, hostdir)
    except cond.VMSError as err:
        fail(err)
    click.echo(f"%MOUNT-I-MOUNTED, {name}: mounted on {Path(hostdir).resolve()}")


@main.command("dismount")
@click.argument("device")
@root_option
def dismount_cmd(device: str, root_dir: str) -> None:
    """Remove the device DEVICE."""
    root = open_root(root_dir)
    try:
        root.dismount(device)
    except cond.VMSError as err:
        fail(err)


@main.command("cert")
@root_option
@click.option("--cn", "common_name", help="Host name in the certificate (default: the local "
              "host's full name, from TCPIP$INET_HOST and TCPIP$INET_DOMAIN).")
@click.option("--days", default=365, show_default=True, type=click.IntRange(1, 36500),
              help="Days the certificate is valid.")
def cert_cmd(root_dir: str, common_name: str | None, days: int) -> None:
    """Make a self-signed certificate and key at SSL$CERTS:SERVER.CRT and SSL$KEY:SERVER.KEY
    (new versions; the key file mode 0600). Needs SSL$STARTUP to have run. The same work as
    SSL$CERT CREATE (vmsenv.sslcert), the image behind @SSL$COM:SSL$CERT_TOOL."""
    from vmsenv import sslcert
    from vmsenv.process import Process

    root = open_root(root_dir)
    process = Process(root, mode="OTHER")
    try:
        created = sslcert.create_certificate(process, common_name or None, days)
    except cond.VMSError as err:
        fail(err)
    finally:
        process.logout()
    click.echo(f"%VMSENV-I-CERT, certificate {created.cert_spec} for {created.common_name}, "
               f"valid {created.days} days")
    click.echo(f"%VMSENV-I-KEY, private key {created.key_spec} (not encrypted, mode 0600)")


def _system_job(root_dir: str, job) -> None:
    """Run job(root, stdout) (boot or shutdown) on the root; its result is the exit code."""
    root = open_root(root_dir)
    try:
        code = job(root, sys.stdout)
    except cond.VMSError as err:
        fail(err)
    sys.exit(code)


@main.command("boot")
@root_option
def boot_cmd(root_dir: str) -> None:
    """Boot: run SYS$STARTUP:SYSTARTUP_VMS.COM as SYSTEM (once; see vmsenv.boot)."""
    from vmsenv import boot

    _system_job(root_dir, boot.boot)


@main.command("shutdown")
@root_option
def shutdown_cmd(root_dir: str) -> None:
    """Run SYS$MANAGER:SYSHUTDWN.COM, then stop every process of the root."""
    from vmsenv import boot

    _system_job(root_dir, boot.shutdown)


@main.command("demo")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@root_option
@click.option("--port", default=110, show_default=True, type=click.IntRange(1, 65535),
              help="The POP server's cleartext port (on 127.0.0.1).")
@click.option("--ssl-port", default=995, show_default=True, type=click.IntRange(1, 65535),
              help="The POP server's TLS port (TCPIP$POP_SSL_PORT).")
def demo_cmd(directory: str | None, root_dir: str, port: int, ssl_port: int) -> None:
    """Boot a system with the POP server up on loopback and a demo mailbox (user JONES)."""
    from vmsenv import demo

    try:
        code = demo.demo(directory or root_dir, sys.stdout, port, ssl_port)
    except cond.VMSError as err:
        fail(err)
    sys.exit(code)


@main.command("status")
@root_option
def status_cmd(root_dir: str) -> None:
    """Show the root, its node name, its devices, the boot time and the processes."""
    from vmsenv import boot, vmstime

    root = open_root(root_dir)
    click.echo(f"Root:  {root.path}")
    click.echo(f"Node:  {root.node}")
    for name, path in root.devices().items():
        click.echo(f"Device {name}: {path}")
    booted = boot.booted_at(root)
    click.echo(f"Booted: {vmstime.format_ftime(booted)}" if booted else "Booted: no")
    click.echo("")
    for line in boot.system_lines(root):
        click.echo(line)


@main.command("deliver")
@click.argument("users")
@root_option
@click.option("--from", "sender", metavar="ADDR",
              help="The sender's address (default: the message's own From: and the like).")
@click.option("--vms-from", "vms_from", metavar="TEXT",
              help="A VMS From: stored as given (NODE::USER), as DECnet mail would.")
@click.option("--subject", help="The Subj: (with --vms-from: a plain VMS message, no headers).")
def deliver_cmd(users: str, root_dir: str, sender: str | None, vms_from: str | None,
                subject: str | None) -> None:
    """Deliver the message on standard input to USER[,USER...] as SMTP would."""
    from vmsenv.mail import inbound

    if sender is not None and vms_from is not None:
        raise click.UsageError("--from and --vms-from exclude each other")
    root = open_root(root_dir)
    try:
        data = sys.stdin.buffer.read()
    except (OSError, ValueError) as err:
        fail(cond.VMSError(cond.MAIL_OPENIN, "SYS$INPUT",
                           secondary=[cond.VMSError(cond.VMSENV_HOSTERR, str(err))]))
    try:
        lines = inbound.deliver(root, users, data, sender=sender, vms_from=vms_from,
                                subject=subject)
    except cond.VMSError as err:
        fail(err)
    for line in lines:
        click.echo(line)


@main.command("import-mbox")
@click.argument("user")
@click.argument("file", type=click.Path(dir_okay=True))
@root_option
@click.option("--folder", default="NEWMAIL", show_default=True, help="The folder to fill.")
def import_mbox_cmd(user: str, file: str, root_dir: str, folder: str) -> None:
    """Import every message of the mbox FILE into USER's mail (again: only what is missing)."""
    from vmsenv.mail import inbound

    root = open_root(root_dir)
    try:
        result = inbound.import_mbox(root, user, file, folder=folder, progress=sys.stderr)
    except cond.VMSError as err:
        fail(err)
    for err in result.failure_errors():
        for line in err.lines():
            click.echo(line, err=True)
    click.echo(result.summary())
    sys.exit(1 if result.failures else 0)


if __name__ == "__main__":
    main()
