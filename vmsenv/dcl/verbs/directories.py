"""SET DEFAULT, SHOW DEFAULT, CREATE/DIRECTORY, SHOW DEVICES, F$PARSE and F$SEARCH.

SET DEFAULT keeps the device as written (a concealed name stays: `SET DEFAULT VPT_ROOT:[SUB]`
then SHOW DEFAULT prints `  VPT_ROOT:[SUB]`): the device goes into SYS$DISK, the directory into
the process. A directory that does not exist is still set, with the informational
%DCL-I-INVDEF message, as VMS does. When the default device is a search list SHOW DEFAULT adds
one `  =   ` line per element.

CREATE/DIRECTORY creates every missing level; /LOG reports %CREATE-I-CREATED or
%CREATE-I-EXISTS.

SHOW DEVICES lists the disks (the system disk DKA0: and the mounted host directories) in the
layout of VMS's SHOW DEVICES for disks; free blocks are the host file system's free space in
512-byte blocks, and the volume label is the host directory's name (upper case, 12 characters).
"""

from __future__ import annotations

import os

from vmsenv import condition as C
from vmsenv import filespec as fsp
from vmsenv.condition import VMSError
from vmsenv.dcl.cld import FILE, REQUIRED, Parameter, Qualifier, Verb
from vmsenv.dcl.values import to_int
from vmsenv.files import FileError, SearchContexts


def set_default(dcl, cmd) -> int:
    process = dcl.process
    new = fsp.resolve_set_default(str(cmd.param("DIRECTORY")), process.process_default(),
                                  process.lnm.translate)
    process.set_default(new.device, new.directory)
    try:
        exists = True
        process.files.parse(new.text, process_default=new)
    except VMSError:
        exists = False
    if not exists:
        dcl.show_error(VMSError(C.CLI_INVDEF, new.text))
    return C.CLI_NORMAL


def show_default(dcl, cmd) -> int:
    process = dcl.process
    current = process.process_default()
    dcl.write(f"  {current.text}")
    try:
        alternatives = list(process.files.alternatives(current.text, process_default=current))
    except VMSError:
        alternatives = []
    if len(alternatives) > 1:
        for alt in alternatives:
            dcl.write(f"  =   {alt.spec.device}{alt.spec.directory}")
    return C.CLI_NORMAL


def create_directory(dcl, cmd) -> int:
    process = dcl.process
    status = C.CLI_NORMAL
    for spec in cmd.param_values("DIRECTORY"):
        try:
            shown, created = process.files.create_directory(
                str(spec), process_default=process.process_default())
        except FileError as err:
            dcl.show_error(VMSError(C.CREATE_DIRNOTCRE, err.spec, secondary=(err.status,)))
            status = err.status | C.INHIB_MSG
            continue
        if cmd.present("LOG"):
            dcl.show_error(VMSError(C.CREATE_CREATED if created else C.CREATE_EXISTS, shown))
    return status


DIRECTORY_SYNTAX = Verb("CREATE", parameters=(
    Parameter("DIRECTORY", required=True, list=True, prompt="Directory", type=FILE),
), qualifiers=(
    Qualifier("DIRECTORY", negatable=False),
    Qualifier("LOG", default=False),
    Qualifier("OWNER_UIC", value=REQUIRED, negatable=False),
    Qualifier("PROTECTION", value=REQUIRED, list=True, negatable=False),
    Qualifier("VERSION_LIMIT", value=REQUIRED, negatable=False),
    Qualifier("ALLOCATION", value=REQUIRED, negatable=False),
), handler=create_directory)


def _free_blocks(path) -> int:
    try:
        st = os.statvfs(path)
    except OSError:
        return 0
    return st.f_bavail * st.f_frsize // 512


def show_devices(dcl, cmd) -> int:
    devices = dcl.process.root.devices()
    wanted = str(cmd.param("DEVICE", "") or "").upper().rstrip(":").lstrip("_")
    shown = [(n, p) for n, p in devices.items() if not wanted or n.startswith(wanted)]
    if not shown:
        raise VMSError(C.SS_NOSUCHDEV)
    dcl.write("")
    dcl.write("Device                  Device           Error    Volume         Free  Trans Mnt")
    dcl.write(" Name                   Status           Count     Label        Blocks Count Cnt")
    for name, path in shown:
        label = (path.name or name).upper()[:12]
        dcl.write(f"{name + ':':<24}{'Mounted':<17}{0:>5}  {label:<12}"
                  f"{_free_blocks(path):>9}{1:>6}{1:>4}")
    return C.SS_NORMAL


SET = Verb("SET", keywords=(
    Verb("DEFAULT", parameters=(
        Parameter("DIRECTORY", required=True, prompt="Directory", type=FILE),
    ), handler=set_default),
))

SHOW = Verb("SHOW", keywords=(
    Verb("DEFAULT", handler=show_default),
    Verb("DEVICES", parameters=(Parameter("DEVICE", type=FILE),), handler=show_devices,
         image=True),
))

CREATE = Verb("CREATE", qualifiers=(
    Qualifier("DIRECTORY", negatable=False, syntax=DIRECTORY_SYNTAX),
))

VERBS = [SET, SHOW, CREATE]


# ------------------------------------------------------------------------------ lexicals
def _text(value) -> str:
    return "" if value is None else str(value)


def f_parse(dcl, args):
    spec, default, related, field, parse_type = (list(args) + [None] * 5)[:5]
    process = dcl.process
    try:
        return process.files.f_parse(_text(spec), _text(default), _text(related),
                                     _text(field), _text(parse_type),
                                     process_default=process.process_default())
    except ValueError as bad:
        raise VMSError(C.CLI_IVKEYW, segment=str(bad).upper()) from None


def f_search(dcl, args):
    spec, stream = (list(args) + [None] * 2)[:2]
    process = dcl.process
    contexts = getattr(process, "search_contexts", None)
    if contexts is None:
        contexts = process.search_contexts = SearchContexts()
    stream_id = 0 if stream in (None, "") else to_int(stream)
    return process.files.f_search(contexts, _text(spec), stream_id,
                                  process_default=process.process_default())


LEXICALS = {"F$PARSE": (f_parse, 1, 5), "F$SEARCH": (f_search, 1, 2)}
