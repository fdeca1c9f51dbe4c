"""The `dcl` command: the DCL shell of a vmsenv root.

    dcl                      interactive ($ prompt, _$ for continuation lines)
    dcl -c 'COMMAND'         one command line
    dcl FILE.COM [P1 ...]    a procedure: a host path (like a shell script) or a VMS file spec

The terminal (line editing, recall, CTRL/Y, CTRL/C, CTRL/Z) and LOGOUT: see vmsenv.dcl.shell.

Options: --root DIR (env VMSENV_ROOT, default the current directory), --user NAME (an account
of SYSUAF, default SYSTEM; the host user is trusted, no password is asked), --privileges=LIST
(ALL, NONE or a comma list) to replace the account's default privileges.
The exit status is 0 when the final $STATUS is a success, 1 otherwise; 2 when the shell cannot
start (not a root, bad option), with a VMS message on standard error.

A procedure given as a host path must lie on a device of the root (the system disk or a
directory mounted with `vmsenv mount`); it runs under its VMS name.

The default directory starts at SYS$LOGIN, or, when the host's current directory lies on a
mounted device, at that directory, so that `cd somewhere; dcl X.COM` behaves as a shell would.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vmsenv import condition as cond
from vmsenv import root as rootmod
from vmsenv.process import Process, for_account, parse_privileges


def _fail(err: cond.VMSError) -> None:
    for line in err.lines():
        click.echo(line, err=True)
    sys.exit(2)


def _procedure_spec(process: Process, procedure: str) -> str | None:
    """The VMS specification to run: a host path that exists is mapped onto its device (None
    when it lies on no device); anything else is taken as a VMS file specification."""
    host = Path(procedure)
    if not host.is_file():
        return procedure
    try:
        return process.files.devices.vms_spec(host.resolve())
    except cond.VMSError:
        return None


@click.command(context_settings={"help_option_names": ["-h", "--help"],
                                 "allow_interspersed_args": False})
@click.option("--root", "root_dir", envvar="VMSENV_ROOT", default=".", show_default=True,
              type=click.Path(file_okay=False), help="The system root (env VMSENV_ROOT).")
@click.option("--user", default="SYSTEM", show_default=True,
              help="The account to run as (the host user is trusted: no password).")
@click.option("--privileges", default=None,
              help="Process privileges instead of the account's defaults: ALL, NONE or a "
                   "comma list such as SYSNAM,GRPNAM.")
@click.option("-c", "command", help="Run one DCL command line and exit.")
@click.argument("procedure", required=False)
@click.argument("params", nargs=-1)
def main(root_dir: str, user: str, privileges: str | None, command: str | None,
         procedure: str | None, params: tuple[str, ...]) -> None:
    """The DCL shell."""
    from vmsenv.dcl import shell
    from vmsenv.dcl.interpreter import Interpreter

    privs = None
    if privileges is not None:
        try:
            privs = parse_privileges(privileges)
        except ValueError as bad:
            _fail(cond.VMSError(cond.CLI_IVKEYW, segment=str(bad)))
    try:
        root = rootmod.Root(root_dir)
        process = for_account(root, user, privs)
    except cond.VMSError as err:
        _fail(err)
    try:
        process.start_in_host_directory()
        dcl = Interpreter(process, sys.stdout, input=sys.stdin)
        if command is not None:
            shell.run_once(dcl, lambda: dcl.run_line(command))
        elif procedure is not None:
            spec = _procedure_spec(process, procedure)
            if spec is None:
                dcl.show_error(cond.VMSError(cond.CLI_OPENIN, procedure,
                                             secondary=(cond.VMSError(cond.VMSENV_NOTONDEV,
                                                                      procedure),)))
                sys.exit(2)
            shell.run_once(dcl, lambda: dcl.run_procedure(spec, list(params)))
        else:
            shell.run_interactive(dcl)
        status = dcl.final_status
    except shell.Hangup:
        status = cond.SS_ABORT
    finally:
        sys.stdout.flush()
        process.logout()
    sys.exit(0 if cond.is_success(status) else 1)


if __name__ == "__main__":
    main()
