"""OPEN, READ, CLOSE, INQUIRE, WAIT and CREATE (a file from SYS$INPUT); the files WRITE writes.

Files opened by DCL (OPEN) are process-permanent: they stay open across procedure levels until
CLOSE or the end of the process.  Each lives in ``dcl.files`` under its logical name (upper
case, one trailing colon dropped) as a ``DclFile``; WRITE (verbs/write.py) calls its
``write_record(text)`` and, for WRITE/UPDATE, ``update_record(text)``.

Records.  A VMS sequential file is a host text file whose lines are the records (Stream_LF:
a record ends at a line feed, which is not part of it; a last line without one is a record
too; carriage returns are data).  Text is Latin-1 both ways; a character outside Latin-1 is
written as ``?``.  Every WRITE goes to the host file at once, so other readers see it before
CLOSE.

OPEN [/READ|/WRITE|/APPEND|/SHARE[=READ|WRITE]|/ERROR=label] logical-name[:] file-spec

- default type .DAT; wildcards give RMS-F-WLD from the file layer;
- /READ (the default) opens an existing file; /WRITE alone creates a new version (empty, at
  once); /READ/WRITE opens an existing file for reading and updating, positioned at its start;
  /APPEND opens an existing file for writing at its end; /WRITE with /APPEND is CONFLICT;
- a failure prints ``%DCL-E-OPENIN, error opening SPEC as input`` (``OPENOUT ... as output``
  for /WRITE without /READ and for /APPEND) with the RMS cause on a second line, and leaves
  the cause with INHIB_MSG set ([O] %X10018292 for a missing file); with /ERROR=label it
  branches there silently, keeping that status;
- on success the logical name is created in the process table at supervisor mode, its value
  the physical device of the file with a leading underscore (``_DKA200:``), as SHOW LOGICAL
  shows a process-permanent file on VMS (VMS's value also carries a four-byte ESC NUL IFI
  header, which is left out here as for SYS$INPUT); CLOSE deletes it.  Success is
  %X00010001 (RMS$_NORMAL) [I].
- a logical name DCL has already opened: as documented, nothing is opened, nothing is said,
  and the earlier file stays behind the name;
- a process-permanent file or the terminal (vmsenv.dcl.redirection) opens as a ``StreamFile``
  (the logical name's value is then the terminal's device, ``_NLA0:`` without one): OPEN/READ
  of SYS$INPUT in a procedure reads, at each READ, the next data record after that READ
  command, as READ SYS$INPUT does (the file is DCL's own input stream); OPEN/READ of the
  terminal (SYS$COMMAND, TT:, SYS$INPUT at the interactive level) reads a line at the READ's
  prompt; OPEN/WRITE (or /APPEND) of SYS$OUTPUT, SYS$ERROR or the terminal writes records
  there.  /READ/WRITE of one of them is RMS-F-IOP [I].  The null device NL: opens as a file
  (vmsenv.files): reading it gives end of file at once, writing discards.

READ [/END_OF_FILE=l /ERROR=l /PROMPT=s /TIME_OUT=n /KEY=s /INDEX=n /MATCH=k /DELETE /NOLOCK]
logical-name[:] symbol

- the record goes into a local symbol of the current level; an empty record is ""; success
  is %X00010001 [I]; a bad symbol name (IVSYMB, SYMLNG) is found before anything is read;
- end of file: with /END_OF_FILE (else /ERROR) a silent branch, $STATUS %X0001827A; without
  either ``%RMS-E-EOF, end of file detected`` and the same status ([O]);
- a name DCL has not opened: ``%DCL-W-UNDFIL`` (%X00038188), or a silent branch to /ERROR;
- SYS$INPUT in a procedure reads the next data line of the procedure (the command's
  SYS$INPUT); end of file at the next ``$`` line.  SYS$COMMAND, and SYS$INPUT, SYS$OUTPUT and
  SYS$ERROR at the interactive level, read the terminal with the /PROMPT string (default
  ``DATA:``) [I: the default's exact text]; end of input (CTRL/Z) is end of file;
- /TIME_OUT=n (0-255 seconds) limits a terminal read; when it expires the read gives
  %SYSTEM-F-TIMEOUT (%X0000022C).  It uses SIGALRM, so it is effective in the main thread of
  a host with ``setitimer``; elsewhere the read waits.  /TIME_OUT=0 means "only what was
  typed ahead" and is a one-millisecond limit;
- every file here is sequential: /KEY, /INDEX and /DELETE give %RMS-F-IOP ("operation
  invalid for file organization or device") [I: the RMS answer to keyed access and $DELETE
  on a sequential file]; indexed and relative files are not emulated.  /MATCH only qualifies /KEY.
  /NOLOCK is accepted: records are never locked here;
- a file opened without read access gives %RMS-F-FAC.

WRITE to a DCL file (see verbs/write.py for the command): a file without write access gives
%RMS-F-FAC.  A record always goes at the end of the file -- for OPEN/READ/WRITE this is a
choice: RMS may refuse a $PUT to a sequential file that is not positioned at its end.
WRITE/UPDATE replaces the last record read: it needs write access (FAC), a record read since
the last update (%RMS-F-CUR) and, the file being sequential, the same length (%RMS-F-RSZ).

CLOSE [/DISPOSITION=DELETE|KEEP /ERROR=label /[NO]LOG] logical-name[:]

- closes the file and deletes its logical name; /DISPOSITION=DELETE then deletes the file
  (nothing for the null device and the process-permanent files; PRINT and SUBMIT are not
  offered: there are no queues); success %X00010001;
- a name DCL has not opened: UNDFIL as for READ; /NOLOG says nothing (the status keeps
  INHIB_MSG set); /ERROR=label branches silently.

/SHARE is accepted and has no effect: files opened here are never locked against other
processes.

INQUIRE [/[NO]PUNCTUATION /GLOBAL /LOCAL] symbol [prompt]

- the prompt is the rest of the line, upper-cased and squeezed unless quoted (as ``:=``);
  without one the symbol name is the prompt; ``: `` is appended unless /NOPUNCTUATION;
- it reads SYS$COMMAND (the terminal), also in a procedure; the answer is upper-cased and
  squeezed as ``:=`` would [I] and goes into a local symbol (or global with /GLOBAL);
- success is %X00030001 [I]; end of input leaves the symbol alone and gives %RMS-E-EOF [I];
- once the prompt has begun, the rest of the line is prompt text (a slash there is text).

WAIT [dddd-]hh:mm:ss.cc: a delta time (vmsenv.vmstime.parse_delta); anything else is
``%DCL-W-IVDTIME`` with the time as segment.  The wait is a plain sleep, so CTRL/C (a
KeyboardInterrupt) ends it at once; $STATUS afterwards is %X00000001.

CREATE file-spec[,...] [/LOG]: each file is a new version (no default name or type, as on
VMS), its records the data that follows the command in a procedure, or the terminal's lines up
to CTRL/Z (end of input) interactively; a second file in one command gets what is left (nothing
in a procedure: SYS$INPUT is at its end).  /LOG prints ``%CREATE-I-CREATED, SPEC created``.
A file that cannot be created prints ``%CREATE-E-OPENOUT, error opening SPEC as output`` with
the cause, and the command goes on with the next file; the status is then the cause with
INHIB_MSG set [I], else %X00000001.  /OWNER_UIC, /PROTECTION and /VOLUME are not offered (file
protection and volumes are not emulated).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path

from vmsenv import condition as C
from vmsenv import vmstime
from vmsenv.condition import VMSError
from vmsenv.dcl import redirection
from vmsenv.dcl.cld import (
    FILE,
    OPTIONAL,
    REQUIRED,
    REST,
    TEXT,
    Parameter,
    Qualifier,
    Verb,
)
from vmsenv.dcl.level import INTERACTIVE
from vmsenv.dcl.lexer import squeeze_text
from vmsenv.dcl.symbols import MAX_NAME, NAME_RE
from vmsenv.files import host_status, is_null_path
from vmsenv.lnm import names as N

TERMINAL_NAMES = ("SYS$COMMAND", "SYS$INPUT", "SYS$OUTPUT", "SYS$ERROR")
DEFAULT_READ_PROMPT = "DATA:"
MAX_TIME_OUT = 255
_ENCODING = "latin-1"
# The shared OPENOUT message as the CREATE utility signals it (facility CREATE, error).
CREATE_OPENOUT = C.SHR_OPENOUT | 0x00A30002


def _encode(text: str) -> bytes:
    return text.encode(_ENCODING, errors="replace")


class DclFile:
    """A file opened by OPEN: record I/O on a host text file.

    ``DclFile(name, spec, path, read=True, write=False, append=False)``; raises VMSError with an
    RMS status when the host file cannot be opened.
    """

    def __init__(self, name: str, spec: str, path: Path, *, read: bool = True,
                 write: bool = False, append: bool = False):
        self.name = name
        self.spec = spec
        self.path = Path(path)
        self.can_read = read
        self.can_write = write or append
        try:
            self._handle = open(self.path, "r+b" if self.can_write else "rb")
        except OSError as exc:
            raise VMSError(host_status(exc)) from None
        self._next = self._end() if append else 0   # where the next READ starts
        self._current: tuple[int, int] | None = None  # (offset, length) of the last record read

    def _end(self) -> int:
        return self._handle.seek(0, os.SEEK_END)

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def read_record(self) -> str:
        """The next record; VMSError RMS_EOF at the end, RMS_FAC without read access."""
        if not self.can_read:
            raise VMSError(C.RMS_FAC)
        try:
            self._handle.seek(self._next)
            data = self._handle.readline()
        except OSError:
            raise VMSError(C.RMS_RER) from None
        if not data:
            self._current = None
            raise VMSError(C.RMS_EOF)
        self._current = (self._next, len(data) - (1 if data.endswith(b"\n") else 0))
        self._next += len(data)
        return data.rstrip(b"\n").decode(_ENCODING)

    def write_record(self, text: str) -> None:
        """Add one record at the end of the file."""
        if not self.can_write:
            raise VMSError(C.RMS_FAC)
        try:
            end = self._end()
            data = _encode(text) + b"\n"
            if end:
                self._handle.seek(end - 1)
                if self._handle.read(1) != b"\n":
                    data = b"\n" + data   # a last record without its line feed stays one
            self._handle.seek(end)
            self._handle.write(data)
            self._handle.flush()
        except OSError:
            raise VMSError(C.RMS_WER) from None
        if self.can_read and self._next >= end:
            self._next = end + len(data)

    def update_record(self, text: str) -> None:
        """WRITE/UPDATE: replace the last record read by one of the same length."""
        if not self.can_write or not self.can_read:
            raise VMSError(C.RMS_FAC)
        if self._current is None:
            raise VMSError(C.RMS_CUR)
        offset, length = self._current
        data = _encode(text)
        if len(data) != length:
            raise VMSError(C.RMS_RSZ)
        try:
            self._handle.seek(offset)
            self._handle.write(data)
            self._handle.flush()
        except OSError:
            raise VMSError(C.RMS_WER) from None
        self._current = None

    def close(self) -> None:
        self._handle.close()


class StreamFile:
    """A file OPEN made on a process-permanent file or the terminal (see the module
    docstring): source (redirection.DATA or TERMINAL) for reading, output (a function giving
    the stream) for writing.  READ reads it through _source_record; it has no host path."""

    path = None

    def __init__(self, name: str, spec: str, *, source: str | None = None, output=None):
        self.name = name
        self.spec = spec
        self.source = source
        self._output = output
        self.can_read = source is not None
        self.can_write = output is not None
        self.closed = False

    def read_record(self) -> str:
        raise VMSError(C.RMS_FAC if not self.can_read else C.RMS_IOP)

    def write_record(self, text: str) -> None:
        if not self.can_write:
            raise VMSError(C.RMS_FAC)
        stream = self._output()
        stream.write(text + "\n")
        stream.flush()

    def update_record(self, text: str) -> None:
        raise VMSError(C.RMS_FAC if not self.can_write or not self.can_read else C.RMS_IOP)

    def close(self) -> None:
        self.closed = True


# ---------------------------------------------------------------------------------------------
# Helpers.
# ---------------------------------------------------------------------------------------------
def _logical_name(value) -> str:
    name = str(value).upper()
    return name[:-1] if name.endswith(":") else name


def _symbol_name(value) -> str:
    """The symbol READ or INQUIRE defines, checked before anything is read."""
    name = str(value).upper()
    if not NAME_RE.match(name):
        raise VMSError(C.CLI_IVSYMB, segment=name)
    if len(name) > MAX_NAME:
        raise VMSError(C.CLI_SYMLNG, segment=name)
    return name


def _branch(dcl, label: str, status: int) -> None:
    """/ERROR= or /END_OF_FILE=: store the status silently and go to the label."""
    dcl.status = status & 0xFFFFFFFF
    dcl.goto(label)


def _number(text: str, low: int, high: int) -> int:
    value = str(text).strip()
    if not value.isdigit():
        raise VMSError(C.CLI_NUMBER, segment=value.upper())
    number = int(value)
    if not low <= number <= high:
        raise VMSError(C.CLI_IVVALU, segment=value.upper())
    return number


class _TimedOut(Exception):  # noqa: N818 - a control transfer, not an error
    pass


def _with_time_out(seconds: float | None, call):
    """call() limited to seconds by SIGALRM (when that is possible); TIMEOUT when it expires."""
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        return call()
    armed = [True]

    def expire(signum, frame):
        if armed[0]:
            raise _TimedOut()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        result = call()
        armed[0] = False
        return result
    except _TimedOut:
        raise VMSError(C.SS_TIMEOUT) from None
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _terminal_line(dcl, prompt: str, time_out: float | None = None) -> str:
    """One line from the terminal (SYS$COMMAND); RMS_EOF at end of input."""
    line = _with_time_out(time_out, lambda: dcl.read_line(prompt))
    if line is None:
        raise VMSError(C.RMS_EOF)
    return line


def _source_record(dcl, source: str, cmd) -> str:
    """One record of a process-permanent input: the next data record (DATA), or a line from
    the terminal at READ's /PROMPT within its /TIME_OUT (TERMINAL)."""
    if source == redirection.DATA:
        return _data_line(dcl)
    time_out = cmd.value("TIME_OUT")
    seconds = None if time_out is None else _number(time_out, 0, MAX_TIME_OUT)
    return _terminal_line(dcl, cmd.value("PROMPT", DEFAULT_READ_PROMPT), seconds)


def _data_line(dcl) -> str:
    """The next data line after the current command in a procedure (its SYS$INPUT)."""
    level = dcl.level
    record = level.source.get(level.pc)
    if record is None or record.command:
        raise VMSError(C.RMS_EOF)
    level.pc += 1
    line = record.lines[0]
    if dcl.verify_image:
        dcl.write(line)
    return line


# ---------------------------------------------------------------------------------------------
# OPEN.
# ---------------------------------------------------------------------------------------------
def _device_value(dcl, spec: str, path: Path) -> str:
    """The logical name's value: the file's physical device, as ``_DKA200:``."""
    try:
        physical = dcl.process.files.devices.vms_spec(path)
    except VMSError:
        physical = spec
    return "_" + physical.split(":", 1)[0].lstrip("_") + ":"


def _stream_file(dcl, name: str, spec: str, read: bool, write: bool,
                 append: bool) -> StreamFile | None:
    """The StreamFile when the specification names a process-permanent file or the terminal
    (None for a file); RMS_IOP for reading and writing one."""
    source = redirection.input_source(dcl, spec) if read else None
    output = redirection.permanent_output(dcl, spec) if write or append else None
    if read and (write or append) and (source is not None or output is not None):
        raise VMSError(C.RMS_IOP)
    if source is None and output is None:
        return None
    shown = "SYS$INPUT:" if source == redirection.DATA else spec.strip(" \t").upper()
    return StreamFile(name, shown, source=source, output=output)


def _stream_device(dcl) -> str:
    """The logical name's value for a StreamFile: the terminal's device, else the null
    device (a process without a terminal has its permanent files there)."""
    terminal = str(dcl.process.terminal or "").strip().upper().lstrip("_").rstrip(":")
    return f"_{terminal or 'NLA0'}:"


def open_file(dcl, cmd):
    name = _logical_name(cmd.param("LOGICAL_NAME"))
    spec = str(cmd.param("FILE"))
    write = cmd.present("WRITE") is True
    append = cmd.present("APPEND") is True
    if write and append:
        later = max((u for u in cmd.uses if u.qualifier.name in ("WRITE", "APPEND")),
                    key=lambda u: u.order)
        raise VMSError(C.CLI_CONFLICT, segment=later.token)
    given_read = cmd.present("READ")
    read = given_read is True or (given_read is None and not write and not append)
    N.check_name(name)
    if name in dcl.files:
        return C.RMS_NORMAL
    creating = write and not read
    full = None
    try:
        opened = _stream_file(dcl, name, spec, read, write, append)
        if opened is None:
            access = ("R" if read else "") + ("W" if write or append else "")
            full, path = dcl.process.resolve_file(spec, ".DAT", for_write=creating,
                                                  access=access)
            opened = DclFile(name, full, path, read=read, write=write, append=append)
            value = _device_value(dcl, full, path)
        else:
            value = _stream_device(dcl)
    except VMSError as err:
        status = (err.status | C.INHIB_MSG) & 0xFFFFFFFF
        label = cmd.value("ERROR")
        if label is not None:
            _branch(dcl, label, status)
            return None
        shown = getattr(err, "spec", None) or full or spec.upper()
        dcl.show_error(VMSError(C.CLI_OPENOUT if creating or append else C.CLI_OPENIN, shown,
                                secondary=(err,)))
        return status
    try:
        dcl.process.lnm.crelnm(name, ((value, 0),), "LNM$PROCESS", N.SUPERVISOR)
    except VMSError:
        opened.close()
        raise
    dcl.files[name] = opened
    return C.RMS_NORMAL


# ---------------------------------------------------------------------------------------------
# READ.
# ---------------------------------------------------------------------------------------------
def _read_record(dcl, name: str, cmd) -> str:
    target = dcl.files.get(name)
    terminal = target is None and name in TERMINAL_NAMES
    if target is None and not terminal:
        raise VMSError(C.CLI_UNDFIL)
    if cmd.value("KEY") is not None or cmd.value("INDEX") is not None \
            or cmd.present("DELETE"):
        if cmd.value("INDEX") is not None:
            _number(cmd.value("INDEX"), 0, 254)
        raise VMSError(C.RMS_IOP)
    if isinstance(target, StreamFile) and target.can_read:
        return _source_record(dcl, target.source, cmd)
    if target is not None:
        return target.read_record()
    if name == "SYS$INPUT" and dcl.level.kind != INTERACTIVE:
        return _data_line(dcl)
    return _source_record(dcl, redirection.TERMINAL, cmd)


def read(dcl, cmd):
    name = _logical_name(cmd.param("LOGICAL_NAME"))
    symbol = _symbol_name(cmd.param("SYMBOL"))
    try:
        text = _read_record(dcl, name, cmd)
    except VMSError as err:
        eof_label = cmd.value("END_OF_FILE")
        error_label = cmd.value("ERROR")
        if err.status == C.RMS_EOF and eof_label is not None:
            _branch(dcl, eof_label, err.status)
            return None
        if error_label is not None and not _is_parse_error(err):
            _branch(dcl, error_label, err.status)
            return None
        raise
    dcl.set_symbol(symbol, text)
    return C.RMS_NORMAL


def _is_parse_error(err: VMSError) -> bool:
    """A bad qualifier value (a command error, not an I/O error /ERROR would take)."""
    return err.status in (C.CLI_NUMBER, C.CLI_IVVALU)


# ---------------------------------------------------------------------------------------------
# CLOSE.
# ---------------------------------------------------------------------------------------------
def close_file(dcl, cmd):
    name = _logical_name(cmd.param("LOGICAL_NAME"))
    target = dcl.files.pop(name, None)
    if target is None:
        label = cmd.value("ERROR")
        if label is not None:
            _branch(dcl, label, C.CLI_UNDFIL)
            return None
        if cmd.present("LOG") is False:
            return C.CLI_UNDFIL | C.INHIB_MSG
        raise VMSError(C.CLI_UNDFIL)
    target.close()
    with contextlib.suppress(VMSError):
        dcl.process.lnm.dellnm(name, "LNM$PROCESS", N.SUPERVISOR)
    if cmd.value("DISPOSITION") == "DELETE" and target.path is not None \
            and not is_null_path(target.path):
        try:
            target.path.unlink()
        except OSError as exc:
            raise VMSError(host_status(exc)) from None
    return C.RMS_NORMAL


# ---------------------------------------------------------------------------------------------
# INQUIRE, WAIT.
# ---------------------------------------------------------------------------------------------
def inquire(dcl, cmd):
    symbol = _symbol_name(cmd.param("SYMBOL"))
    given = cmd.param("PROMPT")
    prompt = squeeze_text(str(given)) if given else symbol
    if cmd.present("PUNCTUATION") is not False:
        prompt += ": "
    answer = _terminal_line(dcl, prompt)
    dcl.set_symbol(symbol, squeeze_text(answer), cmd.choice("SCOPE") == "GLOBAL")
    return C.CLI_NORMAL


def wait(dcl, cmd):
    text = str(cmd.param("TIME"))
    try:
        delta = vmstime.parse_delta(text)
    except VMSError as err:
        raise VMSError(err.status, segment=text.strip(" \t").upper()) from None
    time.sleep(delta.total_seconds())
    return C.SS_NORMAL


# ---------------------------------------------------------------------------------------------
# CREATE file-spec.
# ---------------------------------------------------------------------------------------------
def create_file(dcl, cmd):
    status = C.SS_NORMAL
    for spec in cmd.param_values("FILE"):
        spec = str(spec)
        try:
            full, path = dcl.process.resolve_file(spec, "", for_write=True)
            lines = dcl.read_data_lines()
            data = b"".join(_encode(line) + b"\n" for line in lines)
            try:
                Path(path).write_bytes(data)
            except OSError as exc:
                raise VMSError(host_status(exc)) from None
        except VMSError as err:
            shown = getattr(err, "spec", None) or spec.upper()
            dcl.show_error(VMSError(CREATE_OPENOUT, shown, secondary=(err,)))
            status = (err.status | C.INHIB_MSG) & 0xFFFFFFFF
            continue
        if cmd.present("LOG"):
            dcl.show_error(VMSError(C.CREATE_CREATED, full))
    return status


# ---------------------------------------------------------------------------------------------
# The command definitions.
# ---------------------------------------------------------------------------------------------
def _label(name: str) -> Qualifier:
    return Qualifier(name, value=REQUIRED, negatable=False)


VERBS = [
    Verb("OPEN", (
        Parameter("LOGICAL_NAME", required=True, prompt="Log_Name", type=TEXT),
        Parameter("FILE", required=True, prompt="Filename", type=FILE),
    ), (
        Qualifier("READ"),
        Qualifier("WRITE"),
        Qualifier("APPEND"),
        Qualifier("SHARE", value=OPTIONAL, keywords=("READ", "WRITE"), default_value="WRITE"),
        _label("ERROR"),
    ), handler=open_file),
    Verb("READ", (
        Parameter("LOGICAL_NAME", required=True, prompt="Log_Name", type=TEXT),
        Parameter("SYMBOL", required=True, prompt="Symbol", type=TEXT),
    ), (
        _label("END_OF_FILE"),
        _label("ERROR"),
        Qualifier("PROMPT", value=REQUIRED, negatable=False),
        Qualifier("TIME_OUT", value=REQUIRED, negatable=False),
        Qualifier("KEY", value=REQUIRED, negatable=False),
        Qualifier("INDEX", value=REQUIRED, negatable=False),
        Qualifier("MATCH", value=REQUIRED, negatable=False,
                  keywords=("EQ", "GE", "GT", "LE", "LT")),
        Qualifier("DELETE", negatable=False),
        Qualifier("LOCK", default=True),
    ), handler=read),
    Verb("CLOSE", (
        Parameter("LOGICAL_NAME", required=True, prompt="Log_Name", type=TEXT),
    ), (
        Qualifier("DISPOSITION", value=REQUIRED, negatable=False, keywords=("DELETE", "KEEP")),
        _label("ERROR"),
        Qualifier("LOG", default=True),
    ), handler=close_file),
    Verb("INQUIRE", (
        Parameter("SYMBOL", required=True, prompt="Symbol", type=TEXT),
        Parameter("PROMPT", type=REST),
    ), (
        Qualifier("PUNCTUATION", default=True),
        Qualifier("GLOBAL", negatable=False, group="SCOPE"),
        Qualifier("LOCAL", negatable=False, group="SCOPE", default=True),
    ), handler=inquire),
    Verb("WAIT", (
        Parameter("TIME", required=True, prompt="Time", type=TEXT),
    ), handler=wait),
    Verb("CREATE", (
        Parameter("FILE", required=True, list=True, prompt="File", type=FILE),
    ), (
        Qualifier("LOG"),
    ), handler=create_file, image=True),
]

LEXICALS: dict = {}
