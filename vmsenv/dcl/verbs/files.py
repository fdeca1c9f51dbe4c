"""The file verbs: TYPE, DIRECTORY, COPY, APPEND, RENAME, DELETE, PURGE, SEARCH, DIFFERENCES and
the lexical function F$FILE_ATTRIBUTES.

Every verb runs an image (user-mode logical names run down after it), looks files up through
vmsenv.files (search lists, versions, wildcards) and reports problems the way VMS utilities do:
``%FAC-L-IDENT`` with the utility's facility name, the RMS status as a ``-RMS-E-...`` line, and
``-SYSTEM-W-NOSUCHFILE`` after a missing directory (facts C11).  A utility ends with SS$_NORMAL,
or with the worst condition it displayed (INHIB_MSG set, so DCL does not show it again).

Files are host files (stream-LF text): a record is a line, sizes are 512-byte blocks rounded up
(used = size in bytes / 512 rounded up; allocated = the host's allocated 512-byte blocks, at
least the used ones), the first free byte is size mod 512.

Inputs and outputs that are not disk files (vmsenv.dcl.redirection, vmsenv.files): TYPE, COPY,
APPEND and SEARCH read SYS$INPUT (in a procedure the data records after the command, consumed;
interactively the terminal up to CTRL/Z) and the terminal (SYS$COMMAND, TT:) to its end; the
null device NL: reads as an empty file and takes whatever is written to it (``COPY NL: E.TXT``
makes an empty file); /OUTPUT= names SYS$OUTPUT, SYS$ERROR, the terminal, NL: or a file.
DIRECTORY of NL: gives OPENIN with RMS$_DEV; DELETE, PURGE and RENAME of it RMS$_DEV in the
verb's message.

Lists: in a list of file specifications the node, device and directory of one carry to the next
(``TYPE [A]X.TXT,Y.TXT`` types [A]Y.TXT), as VMS's temporary defaults do.  /EXCLUDE, /BEFORE,
/SINCE, /CREATED and /MODIFIED select files where a verb declares them.

Layouts and rules taken from real VMS output ([O]):

- DIRECTORY (VAX/VMS 5.5, Alpha V7.3 and FTP listings of VMS servers): a blank line,
  ``Directory DEV:[DIR]``, a blank line, the entries, a blank line, ``Total of N files.`` (one
  file: ``1 file``; with sizes ``, M blocks.``; used/allocated as ``M/A blocks.``), and after
  more than one directory a blank line and ``Grand total of D directories, N files.``.  Names
  alone go in columns of 20: a name of up to 19 characters takes one column (padded to 19, plus
  a separating blank except in the last column), a longer one as many columns as it needs with
  one blank after it (padded to its last column, unpadded when it reaches the end of the line).
  With information, the name field is 19 wide (a name of 19 or more characters stands on its
  own line, the information on the next, indented 19) and each field follows two blanks: the
  size right-aligned in 7, the date as $ASCTIM prints it (``dd-MMM-yyyy hh:mm:ss.cc``, the day
  blank-padded), the owner in 31, the protection ``(RWED,RWED,RE,)``.  /FULL follows the ODS-2
  layout of an Alpha V7.3 listing.  No match gives ``%DIRECT-W-NOFILES, no files found``; a
  missing directory ``%DIRECT-E-OPENIN, error opening DEV:[X]*.*;* as input``.
- TYPE: ``%TYPE-W-SEARCHFAIL, error searching for DEV:[DIR]X.TXT;`` and the RMS status.
- DELETE: a version is required (``;``, ``;0``, ``;-n``, ``;n`` or ``;*``), else
  ``%DELETE-E-DELVER, explicit version number or wild card required``; /LOG shows
  ``%DELETE-I-FILDEL, spec deleted (n blocks)``.
- DIFFERENCES: each difference section between ``************`` lines, ``File spec`` and the
  records as ``%5d   text`` for each file (``******`` between the two), /MERGED=1's matching
  record after each group; then a blank line, ``Number of difference sections found: n``,
  ``Number of difference records found: m``, a blank line and the command recap
  ``DIFFERENCES /IGNORE=()/MERGED=1-`` with the two specifications indented by 4, each line but
  the last ending in ``-``.  Identical files give the two counts (0) without a blank line before
  them.  The status is %X006C8009 for identical files and %X006C8013 otherwise.  A difference
  section ends where /MATCH (3) consecutive records of both files agree again.
- SEARCH: no match at all gives ``%SEARCH-I-NOMATCHES, no strings matched`` and leaves
  %X08D78053 (a success: DCL shows nothing more).

Choices where VMS is silent or unverified ([I]):

- Facility numbers of DIRECT, TYPE, PURGE, APPEND and RENAME, and most shared message numbers
  (see condition.py); severities: TYPE/DELETE/PURGE/RENAME SEARCHFAIL W, DIRECT OPENIN E, COPY
  and APPEND OPENIN/OPENOUT E, SEARCH OPENIN W, DIFF OPENIN F.  A missing input file is reported
  by COPY and APPEND as OPENIN, by the others as SEARCHFAIL.
- TYPE shows a heading (blank line, the full specification, blank line) before each file of a
  wildcard specification.  /PAGE is accepted; TYPE never pages (output to a terminal is not
  paged either).  /HEAD and /TAIL default to 10 records.
- DIRECTORY: /SIZE=ALL prints ``used/allocated`` as ``%7d/%-7d``; /NOHEADING prints full
  specifications one a line; /TOTAL keeps the heading and the totals only; /COLUMNS is capped
  by the 80-column display; consecutive specifications in the same directory share one heading.
  /FULL: there is no revision count (VMS prints `` (n)`` after the revision date), the file ID
  is ``(inode,1,0)``, stream-LF files show ``Stream_LF, maximum 0 bytes, longest L bytes``.
- Dates: creation is the earlier of the host's change and modification times (hosts without a
  birth time), revision the modification time; expiration and backup are never recorded.
- Owner and protection: a file under a login directory belongs to its account, with the
  default protection vmsenv.files enforces (``(RWED,RWED,RE,)``, directory files
  ``(RWED,RWED,RE,E)``); the owner shows in identifier form (``[SYSTEM]``,
  ``[TCPIP$AUX,TCPIP$POP]``), or as ``[g,m]`` in octal without an identifier.  Any other file:
  one owned by the host user running vmsenv belongs to the process looking at it
  (``[USERNAME]``, UIC group and member of the process), another host owner shows as
  ``[gid,uid]`` in octal, and protection comes from the host mode bits: system and owner from
  the user bits, group, world; read R, execute E, write W (and D for non-directories).
- Protection is enforced by vmsenv.files: a refused file gives RMS$_PRV in the verb's usual
  message (``%TYPE-W-OPENIN``, ``%DELETE-W-FILNOTDEL``, ``%COPY-E-OPENOUT``...); a directory
  that may not be searched gives the verb's search failure for the specification
  (``%DIRECT-E-OPENIN, error opening DKA0:[JONES]*.*;* as input``), and in a wildcard-directory
  search one such message per protected directory, before the listing, the others searched.
- COPY: output fields missing or ``*`` come from the input file (device and directory from the
  process default); the version is the input's when no file of that name exists, else one
  higher; several inputs and an output without wildcards are concatenated (/CONCATENATE);
  /LOG shows ``%COPY-S-COPIED, in copied to out (n blocks)`` and, for the inputs appended to
  the first, ``%COPY-S-APPENDED, in appended to out (n records)``.  New files get the current
  time (dates are not copied).  Directory files are not copied (OPENIN with RMS$_IOP).
- APPEND appends records to the newest version of the output (created with /NEW_VERSION when
  missing, else OPENOUT with RMS$_FNF); /LOG shows ``%APPEND-S-APPENDED ... (n records)``.
- RENAME: fields missing or ``*`` come from the input (device and directory too); versions as
  HELP RENAME describes (explicit, ``*``, else 1 for a new name or one above the newest).  A file
  is not moved to another device (RMS$_DEV).  /LOG: ``%RENAME-I-RENAMED, a renamed to b``.
- DELETE and PURGE with /LOG end with ``%DELETE-I-TOTAL`` / ``%PURGE-I-TOTAL`` (``n files
  deleted (m blocks)``) when more than one file went; a directory file must be empty
  (``%DELETE-W-FILNOTDEL`` with -SYSTEM-W-DIRNOTEMPTY).  PURGE refuses a version in its
  specification (SEARCHFAIL with RMS$_VER).
- SEARCH: several files (or a wildcard) give each file with matches a heading: a blank line, 30
  asterisks, the specification, a blank line.  Windows that do not touch are separated by 10
  asterisks; /WINDOW alone is 2 records before and 2 after, /WINDOW=n puts (n-1)/2 before and
  the rest after, /WINDOW=0 lists the names of the files that match.  /NUMBERS prints the record
  number right-aligned in 6 and two blanks.  /MATCH=AND|OR|NAND|NOR, /EXACT (case-sensitive;
  the default compares case-blind).  A file that cannot be opened: ``%SEARCH-W-OPENIN``.
- DIFFERENCES: the second file defaults to the fields of the first; without it, the next lower
  version of the first.  "Difference records" counts, per section, the longer of the two groups.
  At a mismatch the resynchronisation point is the one nearest the mismatch (smallest sum of
  offsets, the first file's offset first).  /IGNORE keywords shown in the recap in the order
  given.
- Not supported (IVQUAL): /CONFIRM, /BY_OWNER, /BACKUP, /EXPIRED and the other qualifiers not
  declared below; TYPE/PAGE, SEARCH/PAGE and DIRECTORY/PAGE are accepted and never page.
- F$FILE_ATTRIBUTES: items as the DCL Dictionary lists them where the host can answer; RVN,
  BLS and the journaling/shelving items beyond the common TRUE/FALSE ones are not supported
  (IVKEYW).  BDT and EDT are the zero date ``17-NOV-1858 00:00:00.00``; FID and DID
  ``(inode,1,0)``; ORG SEQ, RFM STMLF (VAR for directory files), RAT CR.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import os
import stat as _stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vmsenv import condition as C
from vmsenv import filespec as fsp
from vmsenv import uaf, vmstime
from vmsenv.condition import VMSError
from vmsenv.dcl import redirection
from vmsenv.dcl.cld import FILE, OPTIONAL, REQUIRED, TEXT, Parameter, Qualifier, Verb
from vmsenv.files import READ, WRITE, FileError, FileRef

W, S, E, INFO, F = 0, 1, 2, 3, 4
FAC_COPY, FAC_APPEND, FAC_RENAME, FAC_DIFF, FAC_DIRECT = 0x67, 0x68, 0x69, 0x6C, 0x79
FAC_DELETE, FAC_PURGE, FAC_TYPE, FAC_SEARCH = 0x93, 0x94, 0x95, 0x8D7
BLOCK = 512
_RANK = {1: 0, 3: 0, 0: 1, 2: 2, 4: 3}
_ZERO_DATE = _dt.datetime(1858, 11, 17)


def shared(facility: int, message: int, severity: int) -> int:
    """A shared (SHR$) message as a utility signals it: its facility and a severity."""
    return (facility << 16) | (message & 0x7FF8) | severity


def _worse(a: int, b: int | None) -> bool:
    return b is None or _RANK.get(a & 7, 3) > _RANK.get(b & 7, 3)


class _Status:
    """What a utility displayed; its final status is SS$_NORMAL or the worst of them."""

    def __init__(self, dcl):
        self.dcl = dcl
        self.worst: int | None = None

    def show(self, status: int, *args, secondary=()) -> None:
        self.dcl.show_error(VMSError(status, *args, secondary=secondary))
        if not status & 1 and _worse(status, self.worst):
            self.worst = status

    def file_error(self, status: int, spec: str, err: VMSError) -> None:
        """A message about a file followed by the RMS status (and NOSUCHFILE after DNF)."""
        self.show(status, spec, secondary=_secondaries(err))

    def reporter(self, status: int):
        """What _expand calls for each directory a wildcard-directory search may not read:
        the message status about the FileError's specification."""
        return lambda err: self.file_error(status, err.spec, err)

    def result(self, success: int = C.SS_NORMAL) -> int:
        if self.worst is None:
            return success
        return (self.worst | C.INHIB_MSG) & 0xFFFFFFFF


def _secondaries(err: VMSError) -> tuple:
    if err.secondary:
        return (err.status,) + tuple(err.secondary)
    if err.status == C.RMS_DNF:
        return (err.status, C.SS_NOSUCHFILE)
    return (err.status,)


# ------------------------------------------------------------------------------ file facts
@dataclass
class _Facts:
    """What the host knows about a file, in VMS terms."""

    ref: FileRef
    st: os.stat_result
    is_dir: bool

    @property
    def size(self) -> int:
        return self.st.st_size

    @property
    def used(self) -> int:
        blocks = -(-self.size // BLOCK)
        return max(1, blocks) if self.is_dir else blocks

    @property
    def allocated(self) -> int:
        return max(self.used, getattr(self.st, "st_blocks", 0) or 0)

    @property
    def created(self) -> _dt.datetime:
        return _dt.datetime.fromtimestamp(min(self.st.st_ctime, self.st.st_mtime))

    @property
    def revised(self) -> _dt.datetime:
        return _dt.datetime.fromtimestamp(self.st.st_mtime)

    @property
    def fid(self) -> str:
        return f"({self.st.st_ino},1,0)"


def _facts(ref: FileRef) -> _Facts:
    st = os.stat(ref.path)
    return _Facts(ref, st, _stat.S_ISDIR(st.st_mode))


def _records(path: Path) -> list[str]:
    """A host text file as records (lines, without their line feeds)."""
    return _lines(Path(path).read_bytes())


def _lines(data: bytes) -> list[str]:
    """Stream-LF bytes as records (lines, without their line feeds)."""
    text = data.decode("latin-1")
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _input(status: _Status, openin: int, ref, as_bytes: bool = False):
    """What an input file holds (its records, or its bytes), or None after reporting
    ``openin`` with RMS$_IOP for a directory file, RMS$_PRV for a file its protection or the
    host does not let us read.  A process-permanent input (redirection.InputStream: SYS$INPUT,
    the terminal) is read to its end."""
    if isinstance(ref, redirection.InputStream):
        data = redirection.read_bytes(status.dcl, ref.source)
        return data if as_bytes else _lines(data)
    if ref.is_directory:
        status.file_error(openin, ref.spec, VMSError(C.RMS_IOP))
        return None
    try:
        status.dcl.process.files.require(ref, READ)
    except VMSError as err:
        status.file_error(openin, ref.spec, err)
        return None
    try:
        data = Path(ref.path).read_bytes()
    except OSError:
        status.file_error(openin, ref.spec, VMSError(C.RMS_PRV))
        return None
    return data if as_bytes else _lines(data)


def _failed_spec(err: VMSError, text: str) -> str:
    """The specification a message about a file names: the expanded one a FileError carries,
    else the text given (upper-cased)."""
    return err.spec if isinstance(err, FileError) else text.upper()


def _split(spec: str) -> tuple[str, str]:
    """``DEV:[DIR]NAME.TYP;V`` -> (``DEV:[DIR]``, ``NAME.TYP;V``)."""
    fs = fsp.parse(spec)
    return fs.node + fs.device + fs.directory, fs.name + fs.type + fs.version


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _protection(process, facts: _Facts) -> list[str]:
    """System, owner, group and world access of a file (see the module docstring)."""
    found = process.files.security(facts.ref)
    if found is not None:
        return list(found[1].parts)
    return _protection_parts(facts.st.st_mode, facts.is_dir)


def _protection_parts(mode: int, is_dir: bool) -> list[str]:
    def bits(r: int, w: int, x: int) -> str:
        out = ("R" if mode & r else "") + ("W" if mode & w else "") + ("E" if mode & x else "")
        if mode & w and not is_dir:
            out += "D"
        return out

    owner = bits(_stat.S_IRUSR, _stat.S_IWUSR, _stat.S_IXUSR)
    return [owner, owner, bits(_stat.S_IRGRP, _stat.S_IWGRP, _stat.S_IXGRP),
            bits(_stat.S_IROTH, _stat.S_IWOTH, _stat.S_IXOTH)]


def _uic_text(process, uic: tuple[int, int]) -> str:
    return uaf.uic_names(process.root, uic) or uaf.format_uic(uic)


def _owner(process, facts: _Facts) -> tuple[str, int, int]:
    """(displayed owner, UIC group, UIC member) of a file (see the module docstring)."""
    found = process.files.security(facts.ref)
    if found is not None:
        uic = found[0]
        return _uic_text(process, uic), uic[0], uic[1]
    st = facts.st
    if st.st_uid == os.getuid():
        group, member = process.uic
        return f"[{process.username}]", group, member
    return f"[{st.st_gid:o},{st.st_uid:o}]", st.st_gid, st.st_uid


# ------------------------------------------------------------------------------ file lists
@dataclass
class _Item:
    """One specification of a list: its expanded form and the files it found (or why not)."""

    text: str
    spec: str
    wild: bool
    version: str = ""
    refs: list = field(default_factory=list)
    error: VMSError | None = None
    selected_out: bool = False      # files matched, but the selection qualifiers left none

    def failure(self) -> VMSError | None:
        """Why nothing can be done with this specification: its error, RMS$_FNF when nothing
        matched, None when files matched (even if the selection qualifiers left none)."""
        if self.error is not None:
            return self.error
        if not self.refs and not self.selected_out:
            return VMSError(C.RMS_FNF)
        return None


def _expand(dcl, texts, default: str = "", filters=None, denied=None,
            streams: bool = False) -> Iterator[_Item]:
    """Each specification of a list with VMS's temporary defaults, and the files it matches;
    denied(FileError) hears of each directory of a wildcard-directory search that may not be
    read (see vmsenv.files; without it, such a directory is left out).  With streams (verbs
    that read their inputs), a specification naming a process-permanent input (SYS$INPUT, the
    terminal) gives its redirection.InputStream as its one file."""
    process = dcl.process
    files = process.files
    pd = process.process_default()
    related = ""
    for text in texts:
        text = str(text)
        stream = redirection.input_stream(dcl, text) if streams else None
        if stream is not None:
            yield _Item(text, stream.spec, False, refs=[stream])
            continue
        try:
            first = fsp.parse_spec(text, default, related, process_default=pd,
                                   translator=files.translator, check=False)
        except VMSError as err:
            yield _Item(text, text, False, error=err)
            continue
        item = _Item(text, first.text, first.wild, first.spec.version)
        try:
            refs = list(files.search(text, default, related, process_default=pd,
                                     on_error=denied))
        except VMSError as err:
            item.error = err
        else:
            item.refs = [r for r in refs if filters is None or filters.ok(r)]
            item.selected_out = bool(refs) and not item.refs
        related = first.spec.node + first.spec.device + first.spec.directory
        yield item


def _has(cmd, name: str) -> bool:
    return any(q.name == name for q in cmd.verb.qualifiers)


class _Filters:
    """/EXCLUDE, /BEFORE, /SINCE with /CREATED or /MODIFIED."""

    def __init__(self, cmd, now: _dt.datetime | None = None):
        self.exclude = []
        if _has(cmd, "EXCLUDE"):
            for text in cmd.values("EXCLUDE"):
                fs = fsp.parse(str(text))
                self.exclude.append((fs.name or "*", fs.type or ".*", fs.version))
        self.before = self.since = None
        self.modified = False
        if _has(cmd, "BEFORE"):
            now = now or vmstime.current_time()
            if cmd.present("BEFORE"):
                self.before = vmstime.parse_time(cmd.value("BEFORE") or "TODAY", now)
            if cmd.present("SINCE"):
                self.since = vmstime.parse_time(cmd.value("SINCE") or "TODAY", now)
            self.modified = bool(cmd.present("MODIFIED"))

    def ok(self, ref: FileRef) -> bool:
        if self.exclude:
            _head, tail = _split(ref.spec)
            fs = fsp.parse(tail)
            for name, typ, version in self.exclude:
                if (fsp.match_name(name, fs.name) and fsp.match_name(typ, fs.type or ".")
                        and (version in ("", ";", ";*") or version == fs.version)):
                    return False
        if self.before is not None or self.since is not None:
            try:
                facts = _facts(ref)
            except OSError:
                return False
            when = facts.revised if self.modified else facts.created
            if self.before is not None and not when < self.before:
                return False
            if self.since is not None and not when >= self.since:
                return False
        return True


_SELECTION = (
    Qualifier("EXCLUDE", value=REQUIRED, list=True, negatable=False),
    Qualifier("BEFORE", value=OPTIONAL, negatable=False),
    Qualifier("SINCE", value=OPTIONAL, negatable=False),
    Qualifier("CREATED", negatable=False, group="date"),
    Qualifier("MODIFIED", negatable=False, group="date"),
)


# ------------------------------------------------------------------------------ output files
class _Sink:
    """Where a utility's listing goes: SYS$OUTPUT, or what /OUTPUT= names
    (redirection.output_stream: SYS$OUTPUT, SYS$ERROR, the terminal, a file, NL:), or nowhere
    (/NOOUTPUT)."""

    def __init__(self, dcl, cmd, default: str, facility: int, status: _Status):
        self.dcl = dcl
        self.handle = None
        self.stream = None              # SYS$OUTPUT, SYS$ERROR, the terminal named by /OUTPUT=
        self.null = False
        self.spec: str | None = None
        self.failed = False
        present = cmd.present("OUTPUT") if _has(cmd, "OUTPUT") else None
        if present is False:
            self.null = True
            return
        if not present:
            return
        text = str(cmd.value("OUTPUT") or "")
        try:
            stream, owned, shown = redirection.output_stream(dcl, text or default, default)
        except VMSError as err:
            status.file_error(shared(facility, C.SHR_OPENOUT, E),
                              _failed_spec(err, text or default), err)
            self.failed = True
            return
        if owned:
            self.handle = stream
            self.spec = shown
        else:
            self.stream = stream

    def write(self, line: str) -> None:
        if self.null:
            return
        if self.handle is not None:
            self.handle.write(line + "\n")
        elif self.stream is not None:
            self.stream.write(line + "\n")
        else:
            self.dcl.write(line)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def _output_qualifier() -> Qualifier:
    return Qualifier("OUTPUT", value=OPTIONAL)


def _listing(dcl, cmd, default: str, facility: int, body) -> int:
    """Run a utility that writes a listing: ``body(dcl, cmd, sink, status)`` with the listing
    open (not when /OUTPUT= cannot be created), closed afterwards."""
    status = _Status(dcl)
    sink = _Sink(dcl, cmd, default, facility, status)
    if sink.failed:
        return status.result()
    try:
        return body(dcl, cmd, sink, status)
    finally:
        sink.close()


# ------------------------------------------------------------------------------ TYPE
def type_(dcl, cmd) -> int:
    return _listing(dcl, cmd, "TYPE.LIS", FAC_TYPE, _type)


def _type(dcl, cmd, sink: _Sink, status: _Status) -> int:
    head = _count(cmd, "HEAD")
    tail = _count(cmd, "TAIL")
    searchfail = shared(FAC_TYPE, C.SHR_SEARCHFAIL, W)
    for item in _expand(dcl, cmd.param_values("FILE"), filters=_Filters(cmd),
                        denied=status.reporter(searchfail), streams=True):
        err = item.failure()
        if err is not None:
            status.file_error(searchfail, item.spec, err)
            continue
        for ref in item.refs:
            records = _input(status, shared(FAC_TYPE, C.SHR_OPENIN, E), ref)
            if records is None:
                continue
            if item.wild:
                for line in ("", ref.spec, ""):
                    sink.write(line)
            if head is not None:
                records = records[:head]
            if tail is not None:
                records = records[-tail:] if tail else []
            for record in records:
                sink.write(record)
    return status.result()


def _count(cmd, name: str) -> int | None:
    if not _has(cmd, name) or not cmd.present(name):
        return None
    text = cmd.value(name)
    return 10 if text in (None, "") else _number(text)


def _number(text) -> int:
    try:
        return int(str(text), 10)
    except ValueError:
        raise VMSError(C.CLI_NUMBER, segment=str(text)) from None


TYPE = Verb("TYPE", parameters=(
    Parameter("FILE", required=True, list=True, concatenate=True, prompt="File", type=FILE),
), qualifiers=(
    _output_qualifier(),
    Qualifier("PAGE", value=OPTIONAL, keywords=("CLEAR_SCREEN", "SCROLL", "SAVE")),
    Qualifier("HEAD", value=OPTIONAL, negatable=False),
    Qualifier("TAIL", value=OPTIONAL, negatable=False),
) + _SELECTION, handler=type_, image=True)


# ------------------------------------------------------------------------------ DIRECTORY
DIR_COLUMN = 20
DISPLAY_WIDTH = 80


def columns(names: list[str], ncols: int = 4, width: int = DIR_COLUMN) -> list[str]:
    """Names in columns as DIRECTORY lays them out (see the module docstring)."""
    lines: list[str] = []
    cur, col = "", 0
    for name in names:
        need = 1 if len(name) < width else -(-(len(name) + 1) // width)
        if col and col + need > ncols:
            lines.append(cur)
            cur, col = "", 0
        if need == 1:
            text = name.ljust(width - 1) + ("" if col + 1 >= ncols else " ")
        elif col + need >= ncols:
            text = name
        else:
            text = name.ljust(need * width)
        cur += text
        col += need
        if col >= ncols:
            lines.append(cur)
            cur, col = "", 0
    if cur:
        lines.append(cur)
    return lines


def entry_lines(name: str, fields: list[str], width: int = 19) -> list[str]:
    """A name and its information fields (each already led by two blanks)."""
    info = "".join(fields)
    if len(name) >= width:
        return [name, " " * width + info]
    return [name.ljust(width) + info]


@dataclass
class _DirGroup:
    heading: str
    entries: list = field(default_factory=list)     # (name, FileRef)


def _size_text(mode: str | None, facts: _Facts) -> str:
    if mode == "ALL":
        return f"  {facts.used:>7}/{facts.allocated:<7}"
    if mode == "ALLOCATION":
        return f"  {facts.allocated:>7}"
    return f"  {facts.used:>7}"


def _blocks_text(mode: str | None, used: int, alloc: int) -> str:
    if mode == "ALL":
        return f"{used}/{alloc} blocks"
    n = alloc if mode == "ALLOCATION" else used
    return _plural(n, "block")


def _full_lines(dcl, name: str, facts: _Facts) -> list[str]:
    owner = _owner(dcl.process, facts)[0]
    prot = _protection(dcl.process, facts)
    if facts.is_dir:
        fmt = "Variable length, maximum 512 bytes, longest 512 bytes"
        attrs = "No version limit, Contiguous, Directory file"
    else:
        try:
            longest = max((len(r) for r in _records(facts.ref.path)), default=0)
        except OSError:
            longest = 0
        fmt = f"Stream_LF, maximum 0 bytes, longest {longest} bytes"
        attrs = "No version limit"
    first = (name.ljust(30) if len(name) < 30 else name + "\n" + " " * 30)
    return [
        *(first + f"File ID:  {facts.fid:<22}").split("\n"),
        f"Size:{facts.used:>13}/{facts.allocated:<11}Owner:    {owner}",
        f"Created:   {vmstime.format_ftime(facts.created)}",
        f"Revised:   {vmstime.format_ftime(facts.revised)}",
        "Expires:   <None specified>",
        "Backup:    <No backup recorded>",
        "Effective: <None specified>",
        "Recording: <None specified>",
        "File organization:  Sequential",
        "Shelved state:      Online ",
        "Caching attribute:  Writethrough",
        f"File attributes:    Allocation: {facts.allocated}, Extend: 0, Global buffer count: 0",
        f"                    {attrs}",
        f"Record format:      {fmt}",
        "Record attributes:  Carriage return carriage control",
        "RMS attributes:     None",
        "Journaling enabled: None",
        f"File protection:    System:{prot[0]}, Owner:{prot[1]}, Group:{prot[2]}, "
        f"World:{prot[3]}",
        "Access Cntrl List:  None",
        "Client attributes:  None",
    ]


def directory(dcl, cmd) -> int:
    return _listing(dcl, cmd, "DIRECTORY.LIS", FAC_DIRECT, _directory)


def _directory(dcl, cmd, sink: _Sink, status: _Status) -> int:
    brief = bool(cmd.present("BRIEF"))
    full = bool(cmd.present("FULL")) and not brief
    size_mode = None
    if cmd.present("SIZE") and not brief:
        size_mode = str(cmd.value("SIZE") or "USED")
    if full:
        size_mode = "ALL"
    date_mode = None
    if cmd.present("DATE") and not brief and not full:
        date_mode = str(cmd.value("DATE") or "CREATED")
    show_owner = bool(cmd.present("OWNER")) and not brief and not full
    show_prot = bool(cmd.present("PROTECTION")) and not brief and not full
    heading = cmd.present("HEADING") is not False
    trailing = cmd.present("TRAILING") is not False
    total_only = bool(cmd.present("TOTAL"))
    versions = _number(cmd.value("VERSIONS")) if cmd.present("VERSIONS") else None
    ncols = 4
    if cmd.present("COLUMNS"):
        ncols = max(1, min(_number(cmd.value("COLUMNS")), DISPLAY_WIDTH // DIR_COLUMN))
    filters = _Filters(cmd)

    specs = cmd.param_values("FILE") or [""]
    groups: list[_DirGroup] = []
    openin = shared(FAC_DIRECT, C.SHR_OPENIN, E)
    for item in _expand(dcl, specs, "*.*;*", filters, denied=status.reporter(openin)):
        if item.error is not None:
            status.file_error(openin, item.spec, item.error)
            continue
        seen: dict = {}
        for ref in item.refs:
            if ref.null:
                status.file_error(openin, ref.spec, VMSError(C.RMS_DEV))
                continue
            head, tail = _split(ref.spec)
            if versions is not None:
                key = (head, tail.rsplit(";", 1)[0])
                seen[key] = seen.get(key, 0) + 1
                if seen[key] > versions:
                    continue
            if not groups or groups[-1].heading != head:
                groups.append(_DirGroup(head))
            groups[-1].entries.append((tail, ref))
    if not any(g.entries for g in groups):
        if status.worst is None:
            status.show(C.DIRECT_NOFILES)
        return status.result()

    total_files = total_used = total_alloc = 0
    for group in groups:
        used = alloc = 0
        lines: list[str] = []
        names: list[str] = []
        for name, ref in group.entries:
            shown = ref.spec if not heading else name
            need_facts = bool(size_mode or date_mode or show_owner or show_prot or full)
            facts = None
            if need_facts:
                try:
                    facts = _facts(ref)
                except OSError:
                    facts = None
            if facts is not None:
                used += facts.used
                alloc += facts.allocated
            if full:
                if facts is None:
                    lines.append(shown)
                else:
                    if lines:
                        lines.append("")
                    lines.extend(_full_lines(dcl, shown, facts))
                continue
            if not need_facts:
                names.append(shown)
                continue
            fields: list[str] = []
            if facts is not None:
                if size_mode:
                    fields.append(_size_text(size_mode, facts))
                if date_mode:
                    when = facts.revised if date_mode == "MODIFIED" else facts.created
                    fields.append("  " + vmstime.format_ftime(when))
                if show_owner:
                    owner = _owner(dcl.process, facts)[0]
                    fields.append("  " + owner.ljust(31))
                if show_prot:
                    fields.append("  (" + ",".join(_protection(dcl.process, facts)) + ")")
            if fields and fields[-1].endswith(" ") and not show_owner:
                fields[-1] = fields[-1].rstrip(" ")     # /SIZE=ALL ending the line
            lines.extend(entry_lines(shown, fields))
        if names:
            lines.extend(columns(names, ncols) if heading else names)
        count = len(group.entries)
        total_files += count
        total_used += used
        total_alloc += alloc
        if heading:
            sink.write("")
            sink.write(f"Directory {group.heading}")
            sink.write("")
        if not total_only:
            for line in lines:
                sink.write(line)
        if trailing:
            if not total_only or not heading:
                sink.write("")
            text = f"Total of {_plural(count, 'file')}"
            if size_mode:
                text += ", " + _blocks_text(size_mode, used, alloc)
            sink.write(text + ".")
    if trailing and len(groups) > 1:
        sink.write("")
        text = (f"Grand total of {len(groups)} director{'y' if len(groups) == 1 else 'ies'}, "
                f"{_plural(total_files, 'file')}")
        if size_mode:
            text += ", " + _blocks_text(size_mode, total_used, total_alloc)
        sink.write(text + ".")
    return status.result()


DIRECTORY = Verb("DIRECTORY", parameters=(
    Parameter("FILE", list=True, concatenate=True, type=FILE),
), qualifiers=(
    _output_qualifier(),
    Qualifier("BRIEF", negatable=False),
    Qualifier("FULL", negatable=False),
    Qualifier("SIZE", value=OPTIONAL, keywords=("ALL", "ALLOCATION", "USED")),
    Qualifier("DATE", value=OPTIONAL, keywords=("CREATED", "MODIFIED")),
    Qualifier("OWNER"),
    Qualifier("PROTECTION"),
    Qualifier("VERSIONS", value=REQUIRED, negatable=False),
    Qualifier("COLUMNS", value=REQUIRED, negatable=False),
    Qualifier("TOTAL", negatable=False),
    Qualifier("HEADING", default=True),
    Qualifier("TRAILING", default=True),
    Qualifier("PAGE", value=OPTIONAL, keywords=("CLEAR_SCREEN", "SCROLL", "SAVE")),
) + _SELECTION, handler=directory, image=True)


# ------------------------------------------------------------------------------ DELETE / PURGE
def _blocks_of(ref: FileRef) -> int:
    try:
        return _facts(ref).used
    except OSError:
        return 0


class _Removal:
    """The files DELETE or PURGE removes: a file that cannot go is reported as not_removed
    (FILNOTDEL, FILNOTPUR), each one that goes as removed (FILDEL, FILPURG) under /LOG, and
    /LOG ends with the TOTAL when more than one went."""

    def __init__(self, status: _Status, facility: int, log: bool, not_removed: int,
                 removed: int):
        self.files_of = status.dcl.process.files
        self.status = status
        self.facility = facility
        self.log = log
        self.not_removed = not_removed
        self.removed = removed
        self.files = self.blocks = 0

    def remove(self, ref: FileRef) -> None:
        n = _blocks_of(ref)
        try:
            self.files_of.delete(ref)
        except VMSError as err:
            self.status.file_error(shared(self.facility, self.not_removed, W), ref.spec, err)
            return
        self.files += 1
        self.blocks += n
        if self.log:
            self.status.show(shared(self.facility, self.removed, INFO), ref.spec, n)

    def total(self) -> None:
        if self.log and self.files > 1:
            self.status.show(shared(self.facility, C.SHR_TOTAL, INFO), self.files, self.blocks)


def delete(dcl, cmd) -> int:
    status = _Status(dcl)
    removal = _Removal(status, FAC_DELETE, bool(cmd.present("LOG")), C.SHR_FILNOTDEL,
                       C.SHR_FILDEL)
    searchfail = shared(FAC_DELETE, C.SHR_SEARCHFAIL, W)
    for item in _expand(dcl, cmd.param_values("FILE"), filters=_Filters(cmd),
                        denied=status.reporter(searchfail)):
        if item.error is None and item.version == "":
            status.show(shared(FAC_DELETE, C.SHR_DELVER, E))
            continue
        err = item.failure()
        if err is not None:
            status.file_error(searchfail, item.spec, err)
            continue
        for ref in item.refs:
            removal.remove(ref)
    removal.total()
    return status.result()


DELETE = Verb("DELETE", parameters=(
    Parameter("FILE", required=True, list=True, concatenate=True, prompt="File", type=FILE),
), qualifiers=(
    Qualifier("LOG"),
) + _SELECTION, handler=delete, image=True)


def purge(dcl, cmd) -> int:
    status = _Status(dcl)
    keep = _number(cmd.value("KEEP")) if cmd.present("KEEP") else 1
    if keep < 1:
        raise VMSError(C.CLI_IVVALU, segment=str(cmd.value("KEEP")))
    removal = _Removal(status, FAC_PURGE, bool(cmd.present("LOG")), C.SS_FILNOTPUR,
                       C.SHR_FILPURG)
    filters = _Filters(cmd)
    texts = [str(v) for v in cmd.param_values("FILE")] or [""]
    searchfail = shared(FAC_PURGE, C.SHR_SEARCHFAIL, W)
    for item in _expand(dcl, texts, "*.*;*", filters, denied=status.reporter(searchfail)):
        if item.error is None and item.version not in ("", ";", ";*"):
            status.file_error(searchfail, item.spec, VMSError(C.RMS_VER))
            continue
        err = item.failure()
        if err is not None:
            status.file_error(searchfail, item.spec, err)
            continue
        counts: dict = {}
        for ref in item.refs:
            head, tail = _split(ref.spec)
            key = (head, tail.rsplit(";", 1)[0])
            counts[key] = counts.get(key, 0) + 1
            if counts[key] > keep:
                removal.remove(ref)
    removal.total()
    return status.result()


PURGE = Verb("PURGE", parameters=(
    Parameter("FILE", list=True, concatenate=True, type=FILE),
), qualifiers=(
    Qualifier("LOG"),
    Qualifier("KEEP", value=REQUIRED, negatable=False),
) + _SELECTION, handler=purge, image=True)


# ------------------------------------------------------------------------------ COPY / APPEND
def _versionless(spec: fsp.FileSpec) -> str:
    """``node::dev:[dir]name.type`` of a parsed specification (``.`` for no type)."""
    return spec.node + spec.device + spec.directory + spec.name + (spec.type or ".")


def _existing_versions(dcl, spec_no_version: str) -> list[int]:
    process = dcl.process
    try:
        return [r.version for r in process.files.search(
            spec_no_version + ";*", process_default=process.process_default())]
    except VMSError:
        return []


def _output_fields(out_text: str, ref: FileRef, keep_location: bool) -> tuple[str, str]:
    """The output specification (without version) for one input file, and the version field
    written in the output (``""`` when none).  Missing or ``*`` fields come from the input; with
    keep_location the device and directory do too (RENAME)."""
    raw = fsp.parse(out_text)
    src = fsp.parse(ref.spec)
    for text in (raw.name, raw.type):
        if fsp.has_wild(text) and text not in ("*", ".*"):
            raise VMSError(C.RMS_WLD)
    name = raw.name if raw.name and raw.name != "*" else src.name
    typ = raw.type if raw.type and raw.type != ".*" else src.type
    location = raw.node + raw.device + raw.directory
    if keep_location:
        location = (raw.node or src.node) + (raw.device or src.device) + (
            raw.directory or src.directory)
    version = raw.version
    if version == ";*":
        version = f";{ref.version}"
    return location + name + (typ or "."), version


def _open_output(dcl, out_spec: str, version: str, input_version: int,
                 first_rule_input_version: bool) -> FileRef:
    """Create the output file: an explicit version, else the input's version when no file of
    that name exists (COPY) or 1 (RENAME), else one above the newest."""
    process = dcl.process
    pd = process.process_default()
    if version in ("", ";"):
        result = process.files.parse(out_spec, process_default=pd, syntax_only=True)
        existing = _existing_versions(dcl, _versionless(result.spec))
        if not existing and first_rule_input_version:
            version = f";{input_version}"
    return process.files.create(out_spec + version, process_default=pd)


def copy(dcl, cmd) -> int:
    status = _Status(dcl)
    log = bool(cmd.present("LOG"))
    out_text = str(cmd.param("OUTPUT"))
    inputs: list[FileRef] = []
    any_wild = False
    openin = shared(FAC_COPY, C.SHR_OPENIN, E)
    for item in _expand(dcl, cmd.param_values("INPUT"), filters=_Filters(cmd),
                        denied=status.reporter(openin), streams=True):
        any_wild = any_wild or item.wild
        err = item.failure()
        if err is not None:
            status.file_error(openin, item.spec, err)
            continue
        inputs.extend(item.refs)
    if not inputs:
        return status.result()
    try:
        raw_out = fsp.parse(out_text)
    except VMSError as err:
        status.file_error(shared(FAC_COPY, C.SHR_OPENOUT, E), out_text, err)
        return status.result()
    concatenate = len(inputs) > 1 and not raw_out.wild_name and \
        cmd.present("CONCATENATE") is not False
    target: FileRef | None = None
    for ref in inputs:
        data = _input(status, shared(FAC_COPY, C.SHR_OPENIN, E), ref, as_bytes=True)
        if data is None:
            continue
        if concatenate and target is not None:
            _append_input(status, FAC_COPY, log, ref, target, data)
            continue
        try:
            out_spec, version = _output_fields(out_text, ref, keep_location=False)
            if cmd.present("REPLACE") and version not in ("", ";"):
                _replace_existing(dcl, out_spec + version)
            new = _open_output(dcl, out_spec, version, ref.version, True)
        except VMSError as err:
            status.file_error(shared(FAC_COPY, C.SHR_OPENOUT, E), _failed_spec(err, out_text),
                              err)
            continue
        Path(new.path).write_bytes(data)
        target = new
        if log:
            status.show(shared(FAC_COPY, C.SHR_COPIEDB, S), ref.spec, new.spec,
                        -(-len(data) // BLOCK))
    return status.result()


def _replace_existing(dcl, spec: str) -> None:
    """COPY/REPLACE: delete the existing file of an explicit version (FileError when it may
    not be deleted)."""
    process = dcl.process
    try:
        ref = process.files.lookup(spec, process_default=process.process_default(), access="")
    except VMSError:
        return
    if not ref.is_directory:
        try:
            process.files.delete(ref)
        except VMSError as err:
            raise FileError(err.status, ref.spec, secondary=err.secondary) from None


def _split_records(data: bytes) -> list[bytes]:
    if not data:
        return []
    parts = data.split(b"\n")
    if parts[-1] == b"":
        parts.pop()
    return parts


def _append_input(status: _Status, facility: int, log: bool, ref: FileRef, target: FileRef,
                  data: bytes) -> None:
    """Append an input file's data to the output; /LOG shows APPENDED with its records."""
    _append_bytes(target.path, data)
    if log:
        status.show(shared(facility, C.SHR_APPENDEDR, S), ref.spec, target.spec,
                    len(_split_records(data)))


def _append_bytes(path: Path, data: bytes) -> None:
    with open(path, "r+b") as fh:
        fh.seek(0, os.SEEK_END)
        if fh.tell():
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                fh.write(b"\n")
        fh.write(data)
        if data and not data.endswith(b"\n"):
            fh.write(b"\n")


COPY = Verb("COPY", parameters=(
    Parameter("INPUT", required=True, list=True, concatenate=True, prompt="From", type=FILE),
    Parameter("OUTPUT", required=True, prompt="To", type=FILE),
), qualifiers=(
    Qualifier("LOG"),
    Qualifier("CONCATENATE", default=True),
    Qualifier("REPLACE"),
) + _SELECTION, handler=copy, image=True)


def append(dcl, cmd) -> int:
    status = _Status(dcl)
    log = bool(cmd.present("LOG"))
    out_text = str(cmd.param("OUTPUT"))
    process = dcl.process
    pd = process.process_default()
    target: FileRef | None = None
    openin = shared(FAC_APPEND, C.SHR_OPENIN, E)
    openout = shared(FAC_APPEND, C.SHR_OPENOUT, E)
    for item in _expand(dcl, cmd.param_values("INPUT"), filters=_Filters(cmd),
                        denied=status.reporter(openin), streams=True):
        err = item.failure()
        if err is not None:
            status.file_error(openin, item.spec, err)
            continue
        for ref in item.refs:
            if target is None:
                try:
                    out_spec, version = _output_fields(out_text, ref, keep_location=False)
                except VMSError as err:
                    status.file_error(openout, out_text.upper(), err)
                    return status.result()
                try:
                    target = process.files.lookup(out_spec + version, process_default=pd,
                                                  access=WRITE)
                except FileError as err:
                    if err.status == C.RMS_FNF and cmd.present("NEW_VERSION"):
                        try:
                            target = process.files.create(out_spec + version,
                                                          process_default=pd)
                        except FileError as err2:
                            status.file_error(openout, err2.spec, err2)
                            return status.result()
                    else:
                        status.file_error(openout, err.spec, err)
                        return status.result()
            data = _input(status, openin, ref, as_bytes=True)
            if data is not None:
                _append_input(status, FAC_APPEND, log, ref, target, data)
    return status.result()


APPEND = Verb("APPEND", parameters=(
    Parameter("INPUT", required=True, list=True, concatenate=True, prompt="From", type=FILE),
    Parameter("OUTPUT", required=True, prompt="To", type=FILE),
), qualifiers=(
    Qualifier("LOG"),
    Qualifier("NEW_VERSION"),
) + _SELECTION, handler=append, image=True)


# ------------------------------------------------------------------------------ RENAME
def rename(dcl, cmd) -> int:
    status = _Status(dcl)
    log = bool(cmd.present("LOG"))
    out_text = str(cmd.param("OUTPUT"))
    process = dcl.process
    pd = process.process_default()
    searchfail = shared(FAC_RENAME, C.SHR_SEARCHFAIL, W)
    for item in _expand(dcl, cmd.param_values("INPUT"), filters=_Filters(cmd),
                        denied=status.reporter(searchfail)):
        err = item.failure()
        if err is not None:
            status.file_error(searchfail, item.spec, err)
            continue
        for ref in item.refs:
            try:
                out_spec, version = _output_fields(out_text, ref, keep_location=True)
                result = process.files.parse(out_spec, process_default=pd)
            except VMSError as err:
                status.file_error(shared(FAC_RENAME, C.SHR_OPENOUT, E), out_text.upper(), err)
                continue
            source = process.files.parse(ref.spec, process_default=pd, syntax_only=True)
            if result.device != source.device:
                status.file_error(shared(FAC_RENAME, C.SHR_OPENOUT, E), result.text,
                                  VMSError(C.RMS_DEV))
                continue
            new = _rename_one(dcl, ref, result, version, status)
            if new is not None and log:
                status.show(C.RENAME_RENAMED, ref.spec, new)
    return status.result()


def _rename_one(dcl, ref: FileRef, result, version: str, status: _Status) -> str | None:
    spec = result.spec
    base = _versionless(spec)
    existing = _existing_versions(dcl, base)
    number = 0 if version in ("", ";") else int(version[1:])
    if number <= 0:
        number = max(existing, default=0) + 1
    shown = f"{base};{number}"
    if number > fsp.MAX_VERSION or (number in existing and not ref.is_directory):
        status.file_error(shared(FAC_RENAME, C.SHR_OPENOUT, E), shown,
                          VMSError(C.RMS_FEX if number in existing else C.RMS_VER))
        return None
    if ref.is_directory and spec.type != ".DIR":
        status.file_error(shared(FAC_RENAME, C.SHR_OPENOUT, E), shown, VMSError(C.RMS_TYP))
        return None
    try:
        dcl.process.files.rename(ref, result, number)
    except VMSError as err:
        status.file_error(shared(FAC_RENAME, C.SHR_OPENOUT, E), shown, err)
        return None
    return shown


RENAME = Verb("RENAME", parameters=(
    Parameter("INPUT", required=True, list=True, concatenate=True, prompt="From", type=FILE),
    Parameter("OUTPUT", required=True, prompt="To", type=FILE),
), qualifiers=(
    Qualifier("LOG"),
) + _SELECTION, handler=rename, image=True)


# ------------------------------------------------------------------------------ SEARCH
def line_matches(line: str, strings: list[str], how: str, exact: bool) -> bool:
    """Does a record match the search strings under /MATCH=AND|OR|NAND|NOR?"""
    text = line if exact else line.upper()
    hits = [(s if exact else s.upper()) in text for s in strings]
    if how == "AND":
        return all(hits)
    if how == "NAND":
        return not all(hits)
    if how == "NOR":
        return not any(hits)
    return any(hits)


def _window(cmd) -> tuple[int, int] | None:
    if not cmd.present("WINDOW"):
        return None
    values = cmd.values("WINDOW")
    if not values:
        return 2, 2
    if len(values) == 1:
        n = _number(values[0])
        if n <= 0:
            return 0, -1
        before = (n - 1) // 2
        return before, n - 1 - before
    return _number(values[0]), _number(values[1])


def search(dcl, cmd) -> int:
    return _listing(dcl, cmd, "SEARCH.LIS", FAC_SEARCH, _search)


def _search(dcl, cmd, sink: _Sink, status: _Status) -> int:
    strings = [str(s) for s in cmd.param_values("STRING")]
    how = str(cmd.value("MATCH") or "OR")
    exact = bool(cmd.present("EXACT"))
    numbers = bool(cmd.present("NUMBERS"))
    window = _window(cmd)
    warnings = cmd.present("WARNINGS") is not False
    openin = shared(FAC_SEARCH, C.SHR_OPENIN, W)
    items = list(_expand(dcl, cmd.param_values("FILE"), filters=_Filters(cmd),
                         denied=status.reporter(openin), streams=True))
    several = len(items) > 1 or any(i.wild for i in items)
    heading = cmd.present("HEADING") is not False and several
    matched_any = searched = False
    for item in items:
        err = item.failure()
        if err is not None:
            status.file_error(openin, item.spec, err)
            continue
        for ref in item.refs:
            if ref.is_directory:
                continue
            records = _input(status, shared(FAC_SEARCH, C.SHR_OPENIN, W), ref)
            if records is None:
                continue
            searched = True
            hits = [i for i, r in enumerate(records) if line_matches(r, strings, how, exact)]
            if not hits:
                continue
            matched_any = True
            if window == (0, -1):
                sink.write(ref.spec)
                continue
            if heading:
                for line in ("", "*" * 30, ref.spec, ""):
                    sink.write(line)
            before, after = window if window is not None else (0, 0)
            last = -2
            for start, end in _windows(hits, before, after, len(records)):
                if window is not None and last >= 0 and start > last + 1:
                    sink.write("*" * 10)
                for i in range(start, end + 1):
                    sink.write(f"{i + 1:>6}  {records[i]}" if numbers else records[i])
                last = end
    if not matched_any and searched:
        if warnings:
            status.show(C.SEARCH_NOMATCHES)
        if status.worst is None:
            return C.SEARCH_NOMATCHES
    return status.result()


def _windows(hits: list[int], before: int, after: int, n: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for i in hits:
        start, end = max(0, i - before), min(n - 1, i + after)
        if spans and start <= spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


SEARCH = Verb("SEARCH", parameters=(
    Parameter("FILE", required=True, list=True, concatenate=True, prompt="File", type=FILE),
    Parameter("STRING", required=True, list=True, prompt="String", type=TEXT),
), qualifiers=(
    _output_qualifier(),
    Qualifier("EXACT"),
    Qualifier("MATCH", value=REQUIRED, negatable=False, keywords=("AND", "OR", "NAND", "NOR")),
    Qualifier("NUMBERS"),
    Qualifier("WINDOW", value=OPTIONAL, list=True),
    Qualifier("HEADING", default=True),
    Qualifier("WARNINGS", default=True),
    Qualifier("LOG"),
    Qualifier("PAGE", value=OPTIONAL, keywords=("CLEAR_SCREEN", "SCROLL", "SAVE")),
) + _SELECTION, handler=search, image=True)


# ------------------------------------------------------------------------------ DIFFERENCES
@dataclass
class DiffSection:
    """One difference section: 0-based starts and lengths of the differing groups."""

    start1: int
    count1: int
    start2: int
    count2: int


def _normalise(line: str, ignore: tuple[str, ...]) -> str:
    if "TRAILING_SPACES" in ignore:
        line = line.rstrip(" \t")
    if "SPACING" in ignore:
        line = " ".join(line.replace("\t", " ").split(" "))
        while "  " in line:
            line = line.replace("  ", " ")
    if "CASE" in ignore:
        line = line.upper()
    return line


def compare(a: list[str], b: list[str], match: int = 3) -> list[DiffSection]:
    """The difference sections between two record lists, resynchronising on `match` equal
    consecutive records (fewer at the end of both files): after a mismatch at (i, j) the
    resynchronisation point (x, y) with the smallest (x - i) + (y - j) wins, the smaller x - i
    on a tie."""
    sections: list[DiffSection] = []
    na, nb = len(a), len(b)
    where: dict[str, list[int]] = {}
    for y, record in enumerate(b):
        where.setdefault(record, []).append(y)

    def agree(x: int, y: int) -> bool:
        for k in range(match):
            if x + k >= na or y + k >= nb:
                return x + k >= na and y + k >= nb
            if a[x + k] != b[y + k]:
                return False
        return True

    i = j = 0
    while i < na or j < nb:
        if i < na and j < nb and a[i] == b[j]:
            i += 1
            j += 1
            continue
        best = (na - i, nb - j)             # both ends always agree
        for x in range(i, na):
            if x - i >= sum(best):
                break
            ys = where.get(a[x], ())
            for y in ys[bisect.bisect_left(ys, j):]:
                total = (x - i) + (y - j)
                if total == 0:
                    continue                # the mismatch itself
                if total >= sum(best):
                    break
                if agree(x, y):
                    best = (x - i, y - j)
                    break
        sections.append(DiffSection(i, best[0], j, best[1]))
        i += best[0]
        j += best[1]
    return sections


def differences(dcl, cmd) -> int:
    status = _Status(dcl)
    process = dcl.process
    pd = process.process_default()
    match = _number(cmd.value("MATCH")) if cmd.present("MATCH") else 3
    merged = _number(cmd.value("MERGED")) if cmd.present("MERGED") and cmd.value("MERGED") \
        else 1
    ignore = tuple(str(k) for k in cmd.values("IGNORE"))
    spec1 = str(cmd.param("INPUT1"))
    try:
        ref1 = process.files.lookup(spec1, process_default=pd)
    except VMSError as err:
        status.file_error(shared(FAC_DIFF, C.SHR_OPENIN, F), _failed_spec(err, spec1), err)
        return status.result()
    head1, tail1 = _split(ref1.spec)
    base1 = head1 + tail1.rsplit(";", 1)[0]
    spec2 = cmd.param("INPUT2")
    try:
        if spec2 is None:
            older = [v for v in _existing_versions(dcl, base1) if v < ref1.version]
            if not older:
                raise FileError(C.RMS_FNF, f"{base1};-1")
            ref2 = process.files.lookup(f"{base1};{max(older)}", process_default=pd)
        else:
            ref2 = process.files.lookup(str(spec2), base1, process_default=pd)
    except VMSError as err:
        status.file_error(shared(FAC_DIFF, C.SHR_OPENIN, F), _failed_spec(err, str(spec2)),
                          err)
        return status.result()
    try:
        rec1, rec2 = _records(ref1.path), _records(ref2.path)
    except OSError:
        status.file_error(shared(FAC_DIFF, C.SHR_OPENIN, F), ref1.spec, VMSError(C.RMS_PRV))
        return status.result()
    default_out = fsp.parse(tail1).name + ".DIF"
    sink = _Sink(dcl, cmd, default_out, FAC_DIFF, status)
    if sink.failed:
        return status.result()
    try:
        keep1 = [i for i, r in enumerate(rec1)
                 if not ("BLANK_LINES" in ignore and not r.strip(" \t"))]
        keep2 = [i for i, r in enumerate(rec2)
                 if not ("BLANK_LINES" in ignore and not r.strip(" \t"))]
        cmp1 = [_normalise(rec1[i], ignore) for i in keep1]
        cmp2 = [_normalise(rec2[i], ignore) for i in keep2]
        sections = compare(cmp1, cmp2, max(1, match))
        for sec in sections:
            sink.write("*" * 12)
            for ref, recs, keep, start, count in (
                    (ref1, rec1, keep1, sec.start1, sec.count1),
                    (ref2, rec2, keep2, sec.start2, sec.count2)):
                if ref is ref2:
                    sink.write("*" * 6)
                sink.write(f"File {ref.spec}")
                for k in range(start, min(start + count + merged, len(keep))):
                    n = keep[k]
                    sink.write(f"{n + 1:5d}   {recs[n]}")
            sink.write("*" * 12)
        if sections:
            sink.write("")
        records = sum(max(s.count1, s.count2) for s in sections)
        sink.write(f"Number of difference sections found: {len(sections)}")
        sink.write(f"Number of difference records found: {records}")
        sink.write("")
        recap = f"DIFFERENCES /IGNORE=({','.join(ignore)})/MERGED={merged}"
        if sink.spec is not None:
            recap += f"/OUTPUT={sink.spec}"
        sink.write(recap + "-")
        sink.write(f"    {ref1.spec}-")
        sink.write(f"    {ref2.spec}")
    finally:
        sink.close()
    if status.worst is not None:
        return status.result()
    return C.DIFF_DIFFERENT if sections else C.DIFF_NODIFF


DIFFERENCES = Verb("DIFFERENCES", parameters=(
    Parameter("INPUT1", required=True, prompt="File 1", type=FILE),
    Parameter("INPUT2", type=FILE),
), qualifiers=(
    _output_qualifier(),
    Qualifier("MATCH", value=REQUIRED, negatable=False),
    Qualifier("MERGED", value=OPTIONAL, negatable=False),
    Qualifier("IGNORE", value=REQUIRED, list=True, negatable=False,
              keywords=("BLANK_LINES", "CASE", "SPACING", "TRAILING_SPACES")),
), handler=differences, image=True)


VERBS = [TYPE, DIRECTORY, DELETE, PURGE, COPY, APPEND, RENAME, SEARCH, DIFFERENCES]


# ------------------------------------------------------------------------------ F$FILE_ATTRIBUTES
_TRUE_FALSE_ITEMS = ("AI", "BI", "CBT", "CTG", "ERASE", "JOURNAL_FILE", "KNOWN", "LOCKED",
                     "RCK", "RU", "WCK", "MOVE", "SHELVED", "PRESHELVED")


def _attribute(dcl, facts: _Facts, item: str):
    st = facts.st
    if item in _TRUE_FALSE_ITEMS:
        return "FALSE"
    if item == "DIRECTORY":
        return "TRUE" if facts.is_dir else "FALSE"
    if item == "ALQ":
        return facts.allocated
    if item == "EOF":
        return facts.used
    if item == "FFB":
        return 0 if facts.is_dir else facts.size % BLOCK
    if item in ("BKS", "DEQ", "FSZ", "GBC", "GBC32", "MRN", "NOA", "NOK", "PVN", "VERLIMIT"):
        return 0
    if item == "MRS":
        return 512 if facts.is_dir else 0
    if item == "LRL":
        if facts.is_dir:
            return 512
        try:
            return max((len(r) for r in _records(facts.ref.path)), default=0)
        except OSError:
            return 0
    if item in ("CDT", "RDT", "EDT", "BDT", "ATDT", "ACDT", "EMDT"):
        when = {"CDT": facts.created, "RDT": facts.revised, "EMDT": facts.revised,
                "ACDT": _dt.datetime.fromtimestamp(st.st_atime),
                "ATDT": _dt.datetime.fromtimestamp(st.st_ctime)}.get(item, _ZERO_DATE)
        return vmstime.format_ftime(when)
    if item == "FID":
        return facts.fid
    if item == "DID":
        return f"({os.stat(Path(facts.ref.path).parent).st_ino},1,0)"
    if item == "DVI":
        device = fsp.parse(facts.ref.spec).device
        return "_" + device.lstrip("_") if device else ""
    if item == "ORG":
        return "SEQ"
    if item == "RFM":
        return "VAR" if facts.is_dir else "STMLF"
    if item == "RAT":
        return "" if facts.is_dir else "CR"
    if item == "PRO":
        parts = _protection(dcl.process, facts)
        return ", ".join(f"{who}={p}" for who, p in zip(("SYSTEM", "OWNER", "GROUP", "WORLD"),
                                                        parts, strict=True))
    if item in ("UIC", "GRP", "MEM"):
        owner, group, member = _owner(dcl.process, facts)
        return {"UIC": owner, "GRP": group, "MEM": member}[item]
    if item == "FILE_LENGTH_HINT":
        if facts.is_dir:
            return "(-1,-1)"
        try:
            return f"({len(_records(facts.ref.path))},{facts.size})"
        except OSError:
            return "(-1,-1)"
    raise VMSError(C.CLI_IVKEYW, segment=item)


_ITEMS = frozenset(_TRUE_FALSE_ITEMS + (
    "DIRECTORY", "ALQ", "EOF", "FFB", "BKS", "DEQ", "FSZ", "GBC", "GBC32", "MRN", "NOA", "NOK",
    "PVN", "VERLIMIT", "MRS", "LRL", "CDT", "RDT", "EDT", "BDT", "ATDT", "ACDT", "EMDT", "FID",
    "DID", "DVI", "ORG", "RFM", "RAT", "PRO", "UIC", "GRP", "MEM", "FILE_LENGTH_HINT"))


def f_file_attributes(dcl, args):
    spec, item = (list(args) + [None, None])[:2]
    key = "" if item is None else str(item).strip().upper()
    if key not in _ITEMS:
        raise VMSError(C.CLI_IVKEYW, segment=key)
    process = dcl.process
    ref = process.files.lookup("" if spec is None else str(spec),
                               process_default=process.process_default())
    try:
        facts = _facts(ref)
    except OSError:
        raise VMSError(C.RMS_PRV) from None
    return _attribute(dcl, facts, key)


LEXICALS = {"F$FILE_ATTRIBUTES": (f_file_attributes, 2, 2)}


__all__ = ["VERBS", "LEXICALS", "columns", "entry_lines", "compare", "DiffSection",
           "line_matches", "shared"]
