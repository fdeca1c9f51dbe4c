"""RUN, MCR and INSTALL.

RUN image runs the image in this process (default type .EXE, default directory the current
one); with /DETACHED (or any of /PROCESS_NAME /INPUT /OUTPUT /ERROR /UIC /AUTHORIZE) it creates a
detached process (vmsenv/detached.py) and prints %RUN-S-PROC_ID. A missing image gives, as on
VMS, %DCL-W-ACTIMAGE and -CLI-E-IMAGEFNF with the expanded specification, $STATUS %X100388B2.
MCR name [args] runs SYS$SYSTEM:name.EXE with the rest of the line as its command. An image's
SYS$INPUT is the terminal at the interactive level and the data lines that follow the command
in a procedure, unless a logical name redirects it to a file (``DEFINE/USER SYS$INPUT X.DAT``,
NL:); its SYS$OUTPUT is redirected likewise (vmsenv.dcl.redirection). RUN/DETACHED/OUTPUT=NL:
(and /INPUT=NL:) uses the null device.

Detached processes: /INPUT, /OUTPUT and /ERROR are resolved by the creator (the input must
exist; the output is a new version, default type .LOG); the process runs as the creator's user,
with /UIC's UIC when given, and with /PRIVILEGES (at most the creator's authorized privileges
unless it holds SETPRV) or the creator's current privileges. With /AUTHORIZE it runs in the
SYSUAF account whose UIC /UIC names (else the creator's account): that user name, its login
directory and, without /PRIVILEGES, its default privileges.

INSTALL ADD|CREATE|REPLACE|REMOVE|DELETE|LIST: the known-file list in the shared database (needs
CMKRNL, as on VMS). /PRIVILEGED=(...) privileges are added while a known image runs;
/SHARED /OPEN /HEADER_RESIDENT are recorded and listed. LIST shows the known files by directory.
INSTALL is an image, as on VMS: user-mode logical names run down after it, and
``DEFINE/USER SYS$OUTPUT NL:`` silences it.
"""

from __future__ import annotations

import io
import re

from vmsenv import condition as C
from vmsenv import detached, images
from vmsenv.condition import VMSError
from vmsenv.dcl import redirection
from vmsenv.dcl.cld import FILE, REQUIRED, REST, Parameter, Qualifier, Verb
from vmsenv.files import FileError, host_status
from vmsenv.process import ALL_PRIVILEGES


def _image_input(dcl):
    """SYS$INPUT of an image and whether it was opened here (vmsenv.dcl.redirection): the
    terminal at the interactive level, the data lines in a procedure, or the file (NL:
    included) a logical name redirects it to."""
    source = redirection.input_source(dcl, "SYS$INPUT")
    if source == redirection.TERMINAL:
        return dcl.input, False
    if source == redirection.DATA:
        return io.StringIO("".join(line + "\n" for line in dcl.read_data_lines())), False
    process = dcl.process
    try:
        ref = process.files.lookup("SYS$INPUT", process_default=process.process_default())
        try:
            return open(ref.path, encoding="latin-1", newline="\n"), True
        except OSError as exc:
            raise FileError(host_status(exc), ref.spec) from None
    except FileError as err:
        raise VMSError(C.CLI_OPENIN, err.spec, secondary=(err,)) from None


def _resolve_image(dcl, spec: str, default: str = ""):
    try:
        return dcl.process.files.lookup(spec, default or ".EXE",
                                        process_default=dcl.process.process_default())
    except FileError as err:
        raise VMSError(C.CLI_ACTIMAGE, spec.upper(),
                       secondary=(VMSError(C.CLI_IMAGEFNF, err.spec),)) from None


def run_image(dcl, spec: str, args: str = "", default: str = "") -> int:
    try:
        ref = _resolve_image(dcl, spec, default)
    except VMSError as err:
        dcl.show_error(err)
        return C.CLI_IMAGEFNF | C.INHIB_MSG
    stdin, owned = _image_input(dcl)
    ctx = images.ImageContext(dcl.process, ref.spec, args, stdin, dcl.out, dcl=dcl)
    try:
        return images.run(ctx, ref.path)
    except VMSError as err:
        if err.status in (C.RMS_IOP, C.CLI_IMGNAME):
            dcl.show_error(VMSError(C.CLI_ACTIMAGE, spec.upper(),
                                    secondary=(VMSError(C.CLI_IMGNAME, ref.spec),)))
            return C.CLI_IMGNAME | C.INHIB_MSG
        raise
    finally:
        if owned:
            stdin.close()


_DETACH = ("DETACHED", "PROCESS_NAME", "INPUT", "OUTPUT", "ERROR", "UIC", "AUTHORIZE")


def run(dcl, cmd) -> int:
    spec = str(cmd.param("IMAGE"))
    if not any(cmd.present(q) for q in _DETACH):
        return run_image(dcl, spec)
    return run_detached(dcl, cmd, spec)


def _parse_uic(text: str) -> tuple[int, int]:
    body = text.strip().strip("[]<>")
    try:
        group, member = (int(p, 8) for p in body.split(","))
    except ValueError:
        raise VMSError(C.SS_IVIDENT) from None
    return group, member


def run_detached(dcl, cmd, spec: str) -> int:
    process = dcl.process
    ref = _resolve_image(dcl, spec)
    wanted = {str(p).upper() for p in cmd.values("PRIVILEGES")}
    if wanted:
        if "ALL" in wanted:
            wanted = set(ALL_PRIVILEGES)
        wanted.discard("NOSAME")
        if "SAME" in wanted:
            wanted = (wanted - {"SAME"}) | process.privileges
        if not wanted <= process.authorized and "SETPRV" not in process.privileges:
            raise VMSError(C.SS_NOPRIV)
    privileges = wanted or set(process.privileges)
    uic = _parse_uic(str(cmd.value("UIC"))) if cmd.value("UIC") else process.uic
    username = process.username
    authorize = bool(cmd.present("AUTHORIZE"))
    if authorize:
        # LOGINOUT takes the account from SYSUAF: the one whose UIC /UIC names, else the
        # creator's; its default privileges unless /PRIVILEGES says otherwise.
        from vmsenv import uaf
        owners = uaf.find(process.root, uaf.format_uic(uic)) if cmd.value("UIC") else []
        account = owners[0] if owners else uaf.get(process.root, process.username)
        if account is not None:
            username, uic = account.username, account.uic
            if not wanted:
                privileges = set(account.default_privileges)
    try:
        files = redirection.process_files(process, cmd, (("INPUT", ".COM", False),
                                                         ("OUTPUT", ".LOG", True),
                                                         ("ERROR", ".LOG", True)))
    except redirection.OpenFailure as failure:
        err = failure.cause
        dcl.show_error(VMSError(failure.status, err.spec, secondary=(err.status,)))
        return err.status | C.INHIB_MSG
    request = {
        "root": str(process.root.path), "image": ref.spec, "image_path": str(ref.path),
        "username": username, "uic": list(uic), "privileges": sorted(privileges),
        "authorize": authorize,
        "process_name": cmd.value("PROCESS_NAME"),
        "input": str(files["INPUT"].path) if "INPUT" in files else None,
        "input_spec": files["INPUT"].spec if "INPUT" in files else None,
        "output": str(files["OUTPUT"].path) if "OUTPUT" in files else None,
        "output_spec": files["OUTPUT"].spec if "OUTPUT" in files else None,
        "error": str(files["ERROR"].path) if "ERROR" in files else None,
    }
    pid = detached.start(request)
    dcl.show_error(VMSError(C.CLI_PROC_ID, pid))
    return C.SS_NORMAL


RUN = Verb("RUN", parameters=(
    Parameter("IMAGE", required=True, prompt="File", type=FILE),
), qualifiers=(
    Qualifier("DETACHED", negatable=False),
    Qualifier("PROCESS_NAME", value=REQUIRED, negatable=False),
    Qualifier("INPUT", value=REQUIRED, negatable=False),
    Qualifier("OUTPUT", value=REQUIRED, negatable=False),
    Qualifier("ERROR", value=REQUIRED, negatable=False),
    Qualifier("UIC", value=REQUIRED, negatable=False),
    Qualifier("PRIVILEGES", value=REQUIRED, list=True, negatable=False),
    Qualifier("AUTHORIZE", negatable=False),
), handler=run, image=True)


def mcr(dcl, cmd) -> int:
    rest = str(cmd.param("COMMAND", "") or "").strip()
    name, _, args = rest.partition(" ")
    if not name:
        raise VMSError(C.CLI_INSFPRM)
    return run_image(dcl, name, args.strip(), default="SYS$SYSTEM:.EXE")


MCR = Verb("MCR", parameters=(Parameter("COMMAND", required=True, prompt="Image", type=REST),),
           handler=mcr, image=True)


# ------------------------------------------------------------------------------ INSTALL
def _need_cmkrnl(dcl) -> None:
    if "CMKRNL" not in dcl.process.privileges:
        raise VMSError(C.SS_NOPRIV)


def install(dcl, cmd) -> int:
    _need_cmkrnl(dcl)
    m = re.match(r"\s*([A-Za-z_]*)(.*)$", str(cmd.param("COMMAND", "") or ""), re.S)
    sub = m.group(1).upper() or "LIST"
    rest = m.group(2)
    verb = SUBCOMMANDS.get(sub) or next(
        (v for k, v in SUBCOMMANDS.items() if sub and k.startswith(sub)), None)
    if verb is None:
        raise VMSError(C.CLI_IVVERB, segment=sub)
    from vmsenv.dcl import cld
    parsed = cld.parse(verb, rest, f"INSTALL {verb.name}")
    return verb.handler(dcl, parsed)


def _privs(cmd) -> set[str]:
    privs = {str(p).upper() for p in cmd.values("PRIVILEGED")}
    unknown = privs - set(ALL_PRIVILEGES)
    if unknown:
        raise VMSError(C.CLI_IVKEYW, segment=sorted(unknown)[0])
    return privs


def _flags(cmd) -> set[str]:
    return {q for q in ("SHARED", "OPEN", "HEADER_RESIDENT") if cmd.present(q)}


def install_add(dcl, cmd, replace: bool = False) -> int:
    status = C.SS_NORMAL
    for spec in cmd.param_values("FILE"):
        ref = _resolve_image(dcl, str(spec))
        if not images.install(dcl.process.root, ref.path, ref.spec, _privs(cmd), _flags(cmd),
                              replace):
            dcl.show_error(VMSError(C.INSTALL_FILEXISTS, ref.spec))
            status = C.INSTALL_FILEXISTS | C.INHIB_MSG
    return status


def install_replace(dcl, cmd) -> int:
    for spec in cmd.param_values("FILE"):
        ref = _resolve_image(dcl, str(spec))
        if not images.is_known(dcl.process.root, ref.path):
            raise VMSError(C.INSTALL_NOKFEFND, ref.spec)
    return install_add(dcl, cmd, replace=True)


def install_remove(dcl, cmd) -> int:
    for spec in cmd.param_values("FILE"):
        ref = _resolve_image(dcl, str(spec))
        if not images.remove(dcl.process.root, ref.path):
            raise VMSError(C.INSTALL_NOKFEFND, ref.spec)
    return C.SS_NORMAL


def install_list(dcl, cmd) -> int:
    wanted = {str(_resolve_image(dcl, str(s)).path.resolve())
              for s in cmd.param_values("FILE")}
    directory = None
    for path, spec, privs, flags in images.known(dcl.process.root):
        if wanted and path not in wanted:
            continue
        where, _, name = spec.rpartition("]")
        if where != directory:
            directory = where
            dcl.write("")
            dcl.write(f"{where}]")
        marks = "".join(f" {f[:4].capitalize()}" for f in sorted(flags)) + (" Prv" if privs else "")
        dcl.write(f"   {name};1{marks}")
        if cmd.present("FULL") and privs:
            dcl.write(f"\tPriv = {','.join(sorted(privs))}")
    dcl.write("")
    return C.SS_NORMAL


_INSTALL_QUALS = (
    Qualifier("PRIVILEGED", value=REQUIRED, list=True, negatable=False),
    Qualifier("SHARED", negatable=False),
    Qualifier("OPEN", negatable=False),
    Qualifier("HEADER_RESIDENT", negatable=False),
    Qualifier("LOG", negatable=True),
)
_FILES = (Parameter("FILE", required=True, list=True, prompt="File", type=FILE),)
SUBCOMMANDS = {
    "ADD": Verb("ADD", parameters=_FILES, qualifiers=_INSTALL_QUALS, handler=install_add),
    "CREATE": Verb("CREATE", parameters=_FILES, qualifiers=_INSTALL_QUALS, handler=install_add),
    "REPLACE": Verb("REPLACE", parameters=_FILES, qualifiers=_INSTALL_QUALS,
                    handler=install_replace),
    "REMOVE": Verb("REMOVE", parameters=_FILES, handler=install_remove),
    "DELETE": Verb("DELETE", parameters=_FILES, handler=install_remove),
    "LIST": Verb("LIST", parameters=(Parameter("FILE", list=True, type=FILE),),
                 qualifiers=(Qualifier("FULL", negatable=False),), handler=install_list),
}

INSTALL = Verb("INSTALL", parameters=(Parameter("COMMAND", type=REST),), handler=install,
               image=True)

VERBS = [RUN, MCR, INSTALL]
