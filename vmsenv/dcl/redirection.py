"""Where commands read and write: the process-permanent files, the terminal, and an image's
SYS$OUTPUT and SYS$ERROR.

Process-permanent files.  LOGINOUT gives a process SYS$INPUT, SYS$OUTPUT, SYS$ERROR and
SYS$COMMAND as executive-mode names of its process table (vmsenv.process), whose values stand
for files DCL keeps open for the life of the process (facts A2: on VMS the value is ESC NUL
and an internal file identifier).  A name *names its process-permanent file* while its
translation (LNM$FILE_DEV, outermost mode) has the executive-mode value; a user- or
supervisor-mode definition with another value (``DEFINE/USER SYS$OUTPUT DIR.LIS``) turns it
into an ordinary file specification that RMS translates like any other.  Here the files are:

- SYS$INPUT: in a command procedure, the data records that follow the current command (read
  with Interpreter.read_data_lines; they end at the next ``$`` record); at the interactive
  level, the terminal;
- SYS$COMMAND and the terminal itself (``TT:``, the terminal's device ``_TNA0:``, or any name
  translating to it): the interpreter's input, read to its end (CTRL/Z on a terminal);
- SYS$OUTPUT: the interpreter's output at the current level (``@file/OUTPUT=`` changes it for
  that level), or the running image's own (below); SYS$ERROR likewise, its own stream only
  while an image has one;
- the null device NL: is not here: vmsenv.files makes it a host path (os.devnull) that every
  caller opens like a file.

``input_source(dcl, spec)`` tells the verbs that read files (TYPE, COPY, APPEND, SEARCH, OPEN,
an image's SYS$INPUT) whether a specification is one of these inputs; ``read_lines`` reads all
of it.  ``output_stream(dcl, spec, default)`` is where a verb's /OUTPUT=, ``@/OUTPUT=`` and
``CALL/OUTPUT=`` write: SYS$OUTPUT, SYS$ERROR, the terminal, or a new version of a file (the
null device among them).  The first field of a specification decides (``SYS$INPUT:X.DAT`` is
SYS$INPUT: RMS ignores the rest for a process-permanent file).

Images.  Verbs declared ``image=True`` run an image; images open SYS$OUTPUT and SYS$ERROR
through RMS, so logical names redirect them, while DCL's own commands (WRITE SYS$OUTPUT, DCL's
messages) keep writing to the process-permanent file.  ``running_image(dcl)`` is the context
an image verb runs in (Interpreter._call_handler, foreign commands):

- when SYS$OUTPUT does not name its process-permanent file, a new version of the file it names
  (default type .LIS [I]) becomes the image's SYS$OUTPUT (``dcl.out``) until the image ends:
  ``DEFINE/USER SYS$OUTPUT DIR.LIS`` then ``DIRECTORY`` writes the listing to DIR.LIS;
  ``DEFINE/USER SYS$OUTPUT NL:`` discards the next image's output; a name translating to the
  terminal writes to the terminal.  SYS$ERROR is treated the same way (``dcl.error``);
- messages the image signals (``dcl.show_error``, ``dcl.signal``, and a VMSError raised by its
  handler) go to its SYS$OUTPUT and, when SYS$ERROR is another stream, to SYS$ERROR too, as
  $PUTMSG writes them: with only SYS$OUTPUT redirected, an image's error messages still reach
  the terminal; with both redirected to NL: nothing is shown;
- a redirection that cannot be opened gives ``%DCL-E-OPENOUT`` (the cause on a second line)
  and the image does not run;
- the image's user-mode logical names run down when it ends, also when it fails.

Not emulated: a supervisor-mode ``DEFINE SYS$OUTPUT file`` does not make DCL open that file as a
new process-permanent file for its own output too (VMS does): each image then writes a new
version of the file, and DCL's output stays where it was.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TextIO

from vmsenv import condition as C
from vmsenv import filespec as fsp
from vmsenv.condition import VMSError
from vmsenv.dcl.level import INTERACTIVE
from vmsenv.files import FileError, host_status
from vmsenv.lnm import names as N

DATA = "DATA"            # the data records after the command (a procedure's SYS$INPUT)
TERMINAL = "TERMINAL"    # the interpreter's input (SYS$COMMAND, the terminal)
IMAGE_OUTPUT_DEFAULT = ".LIS"
_ENCODING = "latin-1"


@dataclass(frozen=True)
class InputStream:
    """A process-permanent input named where a file is expected: what a verb that reads
    files reads instead (it has a FileRef's spec, version and is_directory)."""

    spec: str
    source: str          # DATA or TERMINAL
    version: int = 0
    is_directory: bool = False
    null: bool = False


# ------------------------------------------------------------------------------ names
def leftmost_name(spec: str) -> str | None:
    """The logical name a specification starts with, upper-case, as RMS would translate it:
    its device without the colon, or the whole specification when it is a bare name; None for
    a physical device (``_TNA0:``), a node, or a specification that does not parse."""
    try:
        fs = fsp.parse(str(spec).strip(" \t"))
    except VMSError:
        return None
    if fs.node:
        return None
    if fs.device:
        name = fs.device[:-1]
        return None if name.startswith("_") else name.upper()
    if fs.is_bare_name and not fsp.has_wild(fs.name):
        return fs.name.upper()
    return None


def is_permanent(process, name: str) -> bool:
    """Whether a logical name (SYS$OUTPUT...) names its process-permanent file: its outermost
    translation has the value of its executive-mode entry in the process table (or the name
    is not defined at all: nothing redirects it)."""
    lnm = process.lnm
    seen = lnm.trnlnm(name)
    if seen is None or not seen.values:
        return True
    own = lnm.trnlnm(name, N.PROCESS_TABLE, N.EXECUTIVE)
    return (own is not None and bool(own.values)
            and seen.values[0][0].upper() == own.values[0][0].upper())


def _permanent(dcl, spec: str, names: tuple[str, ...]) -> str | None:
    name = leftmost_name(spec)
    if name in names and is_permanent(dcl.process, name):
        return name
    return None


def names_terminal(dcl, spec: str) -> bool:
    """Whether a specification (after logical-name translation) is the process's terminal."""
    process = dcl.process
    terminal = str(process.terminal or "").strip().upper().lstrip("_").rstrip(":")
    if not terminal:
        return False
    try:
        result = process.files.parse(str(spec), process_default=process.process_default(),
                                     syntax_only=True)
    except (VMSError, ValueError):
        return False
    return not result.node and result.device == terminal


def _terminal_spec(dcl) -> str:
    return str(dcl.process.terminal or "") or "TT:"


# ------------------------------------------------------------------------------ input
def input_source(dcl, spec: str) -> str | None:
    """DATA or TERMINAL when a specification names a process-permanent input (see the module
    docstring), None for a file (vmsenv.files opens it, the null device included)."""
    name = _permanent(dcl, spec, ("SYS$INPUT", "SYS$COMMAND"))
    if name == "SYS$INPUT" and dcl.level.kind != INTERACTIVE:
        return DATA
    if name is not None or names_terminal(dcl, spec):
        return TERMINAL
    return None


def input_stream(dcl, spec: str) -> InputStream | None:
    """The InputStream a specification names, or None for a file."""
    source = input_source(dcl, spec)
    if source is None:
        return None
    shown = "SYS$INPUT:" if source == DATA else _terminal_spec(dcl)
    return InputStream(shown, source)


def read_lines(dcl, source: str) -> list[str]:
    """Every record of a process-permanent input, consumed: the data records after the
    command (DATA), or the interpreter's input to its end (TERMINAL)."""
    if source == DATA:
        return dcl.read_data_lines()
    return dcl.read_terminal_lines()


def read_bytes(dcl, source: str) -> bytes:
    """read_lines as the bytes of a stream-LF file (Latin-1, each record ending in LF)."""
    return "".join(line + "\n" for line in read_lines(dcl, source)).encode(
        _ENCODING, errors="replace")


# ------------------------------------------------------------------------------ output
def permanent_output(dcl, spec: str) -> Callable[[], TextIO] | None:
    """When a specification names SYS$OUTPUT, SYS$ERROR or the terminal: a function giving
    that stream when called (the current one: an image's, a procedure level's), else None.
    SYS$OUTPUT and SYS$ERROR are taken by name whatever they translate to: an image's are
    already open (running_image)."""
    name = leftmost_name(spec)
    if name == "SYS$OUTPUT":
        return lambda: dcl.out
    if name == "SYS$ERROR":
        return lambda: dcl.error
    if _permanent(dcl, spec, ("SYS$COMMAND",)) or names_terminal(dcl, spec):
        return lambda: dcl.levels[0].out
    return None


def _open_file(dcl, spec: str, default: str) -> tuple[TextIO, str]:
    """A new version of a file (the null device: os.devnull) opened for writing text."""
    shown, path = dcl.process.resolve_file(spec, default, for_write=True)
    try:
        handle = open(path, "w", encoding=_ENCODING, errors="replace", newline="\n")
    except OSError as exc:
        raise FileError(host_status(exc), shown) from None
    return handle, shown


def output_stream(dcl, spec: str, default: str = "") -> tuple[TextIO, bool, str]:
    """Where output named by a specification goes: (stream, owned, specification shown).
    owned: a file opened here, for the caller to close.  Raises VMSError (a FileError naming
    the file when it cannot be created)."""
    stream = permanent_output(dcl, spec)
    if stream is not None:
        return stream(), False, str(spec).strip(" \t").upper()
    handle, shown = _open_file(dcl, spec, default)
    return handle, True, shown


# ------------------------------------------------------------------------------ new processes
class OpenFailure(VMSError):
    """CLI$_OPENIN / CLI$_OPENOUT for a file a qualifier names; ``cause``: the FileError."""

    def __init__(self, status: int, cause: FileError):
        super().__init__(status, cause.spec, secondary=(cause,))
        self.cause = cause


def process_files(process, cmd, quals: tuple[tuple[str, str, bool], ...]) -> dict:
    """The files the qualifiers of RUN/DETACHED or SPAWN name (/INPUT=, /OUTPUT=, /ERROR=).

    quals: (qualifier, default type, write) -- write: a new version is created, else the file
    is looked up.  Returns qualifier -> FileRef for the qualifiers given a value; a file that
    cannot be opened raises OpenFailure (CLI$_OPENOUT when writing, CLI$_OPENIN reading)."""
    pd = process.process_default()
    files = {}
    for qual, default, write in quals:
        text = cmd.value(qual)
        if not text:
            continue
        try:
            if write:
                found = process.files.create(str(text), default, process_default=pd)
            else:
                found = process.files.lookup(str(text), default, process_default=pd)
        except FileError as err:
            raise OpenFailure(C.CLI_OPENOUT if write else C.CLI_OPENIN, err) from None
        files[qual] = found
    return files


# ------------------------------------------------------------------------------ images
def _image_stream(dcl, name: str, opened: list[TextIO]) -> TextIO | None:
    """An image's SYS$OUTPUT or SYS$ERROR when the name does not name its process-permanent
    file (None when it does)."""
    if is_permanent(dcl.process, name):
        return None
    if names_terminal(dcl, name):
        return dcl.levels[0].out
    try:
        handle, _ = _open_file(dcl, name, IMAGE_OUTPUT_DEFAULT)
    except VMSError as err:
        raise VMSError(C.CLI_OPENOUT, getattr(err, "spec", None) or name,
                       secondary=(err,)) from None
    opened.append(handle)
    return handle


@contextlib.contextmanager
def running_image(dcl) -> Iterator[None]:
    """The context an image verb runs in (see the module docstring): its SYS$OUTPUT and
    SYS$ERROR as their logical names say; afterwards the files it opened are closed and the
    user-mode logical names run down."""
    previous = dcl.image_streams
    opened: list[TextIO] = []
    try:
        output = _image_stream(dcl, "SYS$OUTPUT", opened)
        error = _image_stream(dcl, "SYS$ERROR", opened)
        if output is None and error is None:
            dcl.image_streams = None
        else:
            ppf_error = dcl.error_out if dcl.error_out is not None else dcl.level.out
            dcl.image_streams = (output or dcl.level.out, error or ppf_error)
        try:
            yield
        except VMSError as err:
            if dcl.image_streams is not None:
                dcl.show_error(err)
                err.displayed = True
            raise
    finally:
        dcl.image_streams = previous
        for handle in opened:
            with contextlib.suppress(OSError):
                handle.close()
        dcl.process.lnm.image_rundown()


__all__ = ["DATA", "TERMINAL", "InputStream", "leftmost_name",
           "is_permanent", "names_terminal", "input_source", "input_stream", "read_lines",
           "read_bytes", "permanent_output", "output_stream", "OpenFailure", "process_files",
           "running_image"]
