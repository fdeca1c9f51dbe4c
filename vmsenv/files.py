"""Files on the host: VMS disk devices are host directories.

A DeviceTable maps physical device names (`DKA0`, `DKA200`; no colon) to host directories.
Host naming, for a file specification already translated to its physical device:
- the directory `[A.B]` of DKA0 is `<DKA0 directory>/a/b`; `[000000]` is the device directory;
- version 1 of `NAME.TYPE` is the host file `name.type` (no `;`); any other version N is the
  host file `name.type;N`. A null type (`NAME.`) is the host file `name` (`name;N`);
- lookups are case-blind: an existing entry whose name matches ignoring case is used; new files
  and directories are created in lower case. Among entries that differ only in case (or a
  `name.type` beside a `name.type;1`) the first in host sort order is version 1;
- VMS escapes are decoded on the host (`A^.B.TXT` is `a.b.txt`, `^_` a space, `^XX` a byte) and
  host names are shown escaped, upper-cased (filespec.escape); a host `x.y.z` is `X^.Y.Z`;
- host directories are listed as `NAME.DIR;1`, as VMS lists directory files; the device directory
  itself is `[000000]000000.DIR;1`;
- nothing outside a device's directory is reachable: a component that decodes to `.`, `..`, or
  holds `/` is refused (RMS_DIR / RMS_FNM), and every result is resolved (symlinks followed) and
  refused with RMS_PRV when it lands outside the device directory; $SEARCH leaves such entries
  out, and does not follow a symlinked directory back into one of its own ancestors.

Versions: reading takes the newest by default (also `;` and `;0`), `;-n` the n-th older, `;n`
exactly n. Creating takes the next number (one above the newest, 1 for a new file) or an explicit
free number (RMS_FEX if it exists); the new file is created empty at once with O_EXCL, so two
processes never get the same version; above 32767 gives RMS_VER.

The null device NL: (also `NLA0:`, `_NL:`, `_NLA0:`, or a logical name translating to one) is
a device that is not a host directory: lookups, creations and $SEARCH naming it give a FileRef
whose host path is os.devnull (`null` set), so that reading it gives end of file at once and
writing it discards, whoever opens it. Choices where VMS is silent [I]: RMS ignores the
directory, name, type and version of a specification on a non-file-structured device, so its
specification is the node and device as displayed (`NL:`): F$PARSE("NL:") is "NL:", with the
fields NODE and DEVICE only (the others ""); $SEARCH finds it once, F$SEARCH("NL:") is "NL:"
then ""; anyone may use it (no protection), it has no versions (version 0), and deleting or
renaming it gives RMS_DEV ("inappropriate device type for operation"), as does a directory on it.

Logical names and search lists: `Files` joins filespec ($PARSE and the search-list alternatives)
to a DeviceTable. Reading and $SEARCH try every search-list element in order, skipping elements
whose device or directory is missing; creating uses the first element. A specification with a
node (DECnet) raises SS_UNSUPPORTED: there is no network file access.

Protection (FileAccess): files under an account's login directory belong to that account
(owner UIC = the account's UIC); every other file has no owner and anyone may do anything with
it, as far as the host lets them. Ownership is not recorded per file: a file is owned by the
innermost login directory holding it (its host path, symlinks resolved), so a file another
process creates there belongs to the directory's owner too. The login directories come from
SYSUAF, translated through the system's logical names only (a process's own names cannot move
them); the system disk's own directories belong to nobody, except where they are a login
directory (SYS$SYSROOT:[SYSMGR], both of its search-list elements, is SYSTEM's). There is no
SET SECURITY: protection is always the default one, files (S:RWED,O:RWED,G:RE,W:) and
directory files (S:RWED,O:RWED,G:RE,W:E). VMS takes delete access away from a new directory and
gives it back with SET SECURITY; without that command a directory keeps D for system and owner.
World E on directories (as VMS gives a new top-level directory from the MFD's W:E) lets anyone
look up a file whose name is known, so a protected file gives RMS_PRV when opened, not when
found. Access as the VMS security guide states it:
- categories: system (UIC group <= MAXSYSGROUP 010, or SYSPRV, or GRPPRV in the owner's group),
  owner (same UIC), group (same UIC group), world; a process gets every category it falls in;
  BYPASS gives every access, READALL read access; read access includes execute;
- reading or writing an existing file needs R or W on it (and E on its directory); creating a
  file or a directory needs R and W on the directory it goes in; deleting needs D on the file
  and W on its directory; renaming needs D on the file and R and W on both directories;
- $SEARCH needs R on a directory for a wildcard name or type, else E; a directory that may not
  be read gives RMS_PRV for the whole specification; in a wildcard-directory search it is
  reported to the caller's on_error (and searching goes on), or left out without one;
  directories crossed on the way are not checked (every owned directory has W:E);
- DIRECTORY's columns (size, dates, owner, protection) are read without a check;
  F$FILE_ATTRIBUTES opens the file (R).

$SEARCH order: directories in VMS order (pre-order, by name), in each directory files by
`NAME.TYPE`, versions newest first; with no version (or `;`, `;0`) only the newest version of
each file, with `;*` all. F$SEARCH contexts (`SearchContexts`) keep one stream per stream id:
the same specification continues the stream, another one restarts it, and after the stream has
returned "" the next call starts again.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from vmsenv import condition as cond
from vmsenv import filespec as fsp
from vmsenv.filespec import ELLIPSIS, DirSpec, ParseResult, ProcessDefault, Translator

NULL_DEVICES = frozenset({"NL", "NLA0"})
NULL_PATH = Path(os.devnull)
_VERSION_SUFFIX = re.compile(r"^(.+);([0-9]{1,5})$", re.S)
_CREATE_ATTEMPTS = 100


class FileError(cond.VMSError):
    """A VMSError about one file, with the expanded specification VMS names in its messages
    (`error opening DKA200:[T.DCL]NOSUCH.TXT; as input`)."""

    def __init__(self, status: int, spec: str, *fao_args, **kw):
        super().__init__(status, *fao_args, **kw)
        self.spec = spec


@dataclass(frozen=True)
class FileRef:
    """A file found or created: its full displayed specification (with version), host path;
    null: the null device (path os.devnull, see the module docstring)."""

    spec: str
    path: Path
    version: int
    is_directory: bool = False
    null: bool = False


def is_null_device(device: str) -> bool:
    """Whether a device name (with or without `_` and `:`) is the null device."""
    return _norm_device(device) in NULL_DEVICES


def is_null_path(path: Path | str) -> bool:
    """Whether a host path is the null device's (what a FileRef of NL: holds)."""
    return str(path) == os.devnull


def _null_ref(result: ParseResult) -> FileRef:
    """The null device as a parse result names it: its node and device as displayed."""
    return FileRef(result.spec.node + result.spec.device, NULL_PATH, 0, null=True)


def host_status(exc: OSError) -> int:
    """The RMS status for a host I/O failure on a file: RMS$_FNF, RMS$_PRV or RMS$_ACC."""
    if isinstance(exc, FileNotFoundError):
        return cond.RMS_FNF
    if isinstance(exc, PermissionError):
        return cond.RMS_PRV
    return cond.RMS_ACC


# ------------------------------------------------------------------------------ protection
READ, WRITE, EXECUTE, DELETE = "R", "W", "E", "D"
_EVERY_ACCESS = frozenset("RWED")


@dataclass(frozen=True)
class Protection:
    """A protection code: the access letters of system, owner, group and world."""

    system: str
    owner: str
    group: str
    world: str

    @property
    def parts(self) -> tuple[str, str, str, str]:
        return self.system, self.owner, self.group, self.world


FILE_PROTECTION = Protection("RWED", "RWED", "RE", "")
DIRECTORY_PROTECTION = Protection("RWED", "RWED", "RE", "E")


def granted(protection: Protection, owner: tuple[int, int], uic: tuple[int, int],
            privileges: Collection[str], max_system_group: int) -> frozenset[str]:
    """The access letters a process (uic, privileges) has to an object of owner with
    protection: the union of its categories, BYPASS everything, READALL read; R includes E."""
    if "BYPASS" in privileges:
        return _EVERY_ACCESS
    rights = set(protection.world)
    if uic[0] == owner[0]:
        rights.update(protection.group)
    if uic == owner:
        rights.update(protection.owner)
    if (uic[0] <= max_system_group or "SYSPRV" in privileges
            or ("GRPPRV" in privileges and uic[0] == owner[0])):
        rights.update(protection.system)
    if "READALL" in privileges:
        rights.add(READ)
    if READ in rights:
        rights.add(EXECUTE)
    return frozenset(rights)


class FileAccess:
    """The access guard of one process: who owns a host path (the owner map, host login
    directory -> UIC, asked for once) and whether the process may use it (see the module
    docstring). uic and privileges are read at each check: they change during a process."""

    def __init__(self, uic: Callable[[], tuple[int, int]],
                 privileges: Callable[[], Collection[str]],
                 owners: Callable[[], Mapping[str, tuple[int, int]]], max_system_group: int):
        self._uic = uic
        self._privileges = privileges
        self._owners_source = owners
        self._owners: Mapping[str, tuple[int, int]] | None = None
        self.max_system_group = max_system_group

    def owners(self) -> Mapping[str, tuple[int, int]]:
        if self._owners is None:
            self._owners = self._owners_source()
        return self._owners

    def owner(self, path: Path | str) -> tuple[int, int] | None:
        """The UIC owning a host path: that of the innermost login directory holding it (or
        being it), None outside every login directory."""
        owners = self.owners()
        if not owners:
            return None
        p = os.path.realpath(path)
        while True:
            uic = owners.get(p)
            if uic is not None:
                return uic
            parent = os.path.dirname(p)
            if parent == p:
                return None
            p = parent

    def security(self, path: Path | str,
                 is_dir: bool | None = None) -> tuple[tuple[int, int], Protection] | None:
        """(owner UIC, protection) of an owned file, None for a file without owner."""
        owner = self.owner(path)
        if owner is None:
            return None
        if is_dir is None:
            is_dir = os.path.isdir(path)
        return owner, DIRECTORY_PROTECTION if is_dir else FILE_PROTECTION

    def permits(self, path: Path | str, access: str, is_dir: bool | None = None) -> bool:
        """Whether every access letter asked for (``R``, ``RW``, ``D``...) is granted."""
        found = self.security(path, is_dir)
        if found is None:
            return True
        owner, protection = found
        rights = granted(protection, owner, self._uic(), self._privileges(),
                         self.max_system_group)
        return set(access) <= rights

    def check(self, path: Path | str, access: str, is_dir: bool | None = None) -> None:
        """VMSError(RMS_PRV) unless permits()."""
        if not self.permits(path, access, is_dir):
            raise cond.VMSError(cond.RMS_PRV)


def _norm_device(name: str) -> str:
    return name.strip().upper().rstrip(":").lstrip("_")


def _host_part(text: str, status: int) -> str:
    """A decoded VMS name as a host name, refused when it could leave its directory."""
    host = fsp.unescape(text)
    if host in ("", ".", "..") or "/" in host or "\0" in host or (os.sep in host) \
            or (os.altsep and os.altsep in host):
        raise cond.VMSError(status)
    return host


def host_file_name(name: str, type: str) -> str:
    """`NAME`, `.TYPE` (VMS, escaped) -> the host base name (without version), as given case."""
    body = type[1:] if type.startswith(".") else type
    text = fsp.unescape(name) + ("." + fsp.unescape(body) if body else "")
    return _host_part(text, cond.RMS_FNM)


def vms_name_type(base: str) -> tuple[str, str]:
    """A host base name (no version) -> VMS name and type, escaped: `a.b.txt` -> (`A^.B`, `.TXT`);
    `makefile` -> (`MAKEFILE`, `.`)."""
    k = base.rfind(".")
    if k < 0:
        return fsp.escape(base), "."
    return fsp.escape(base[:k]), "." + fsp.escape(base[k + 1:])


def split_version(host_name: str) -> tuple[str, int]:
    """`name.type;3` -> (`name.type`, 3); `name.type` -> (`name.type`, 1)."""
    m = _VERSION_SUFFIX.match(host_name)
    if m is not None and 1 <= int(m.group(2)) <= fsp.MAX_VERSION:
        return m.group(1), int(m.group(2))
    return host_name, 1


def _key(name: str, type: str) -> tuple[str, str]:
    body = type[1:] if type.startswith(".") else type
    return fsp.unescape(name).lower(), fsp.unescape(body).lower()


def _host_key(base: str) -> tuple[str, str]:
    k = base.rfind(".")
    if k < 0:
        return base.lower(), ""
    return base[:k].lower(), base[k + 1:].lower()


def _kind_ok(path: Path, want_dir: bool | None) -> bool:
    if want_dir is None:
        return True
    return path.is_dir() == want_dir


def _lookup(dirpath: Path, host: str, want_dir: bool | None) -> Path | None:
    """The entry of dirpath named host, ignoring case (lower case and exact tried first)."""
    lower = host.lower()
    for candidate in (lower, host):
        q = dirpath / candidate
        if os.path.lexists(q) and _kind_ok(q, want_dir):
            return q
    try:
        names = sorted(os.listdir(dirpath))
    except OSError:
        return None
    for entry in names:
        if entry.lower() == lower:
            q = dirpath / entry
            if _kind_ok(q, want_dir):
                return q
    return None


def _move(source: Path, target: Path) -> None:
    """Move a file without replacing an existing one (a hard link where the host allows)."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        if os.path.lexists(target):
            raise FileExistsError(str(target)) from None
        os.rename(source, target)
        return
    os.unlink(source)


@dataclass(frozen=True)
class _Entry:
    name: str           # VMS, escaped
    type: str
    version: int
    path: Path
    is_dir: bool


class DeviceTable:
    """Physical devices as host directories (see the module docstring for the naming)."""

    def __init__(self, devices: Mapping[str, Path | str], access: FileAccess | None = None):
        self._roots: dict[str, Path] = {_norm_device(k): Path(v) for k, v in devices.items()}
        self.access = access

    def _check(self, path: Path, access: str, is_dir: bool | None = None) -> None:
        if self.access is not None and access:
            self.access.check(path, access, is_dir)

    def _permits(self, path: Path, access: str) -> bool:
        return self.access is None or self.access.permits(path, access, True)

    @property
    def names(self) -> list[str]:
        return list(self._roots)

    def has_device(self, device: str) -> bool:
        return _norm_device(device) in self._roots

    def device_root(self, device: str) -> Path:
        """The host directory of a device (resolved); RMS_DEV when unknown or gone."""
        root = self._roots.get(_norm_device(device))
        if root is None or not root.is_dir():
            raise cond.VMSError(cond.RMS_DEV)
        return root.resolve()

    # ------------------------------------------------------------ directories
    def _walk(self, device: str, dirs: tuple[str, ...], create: bool = False) -> tuple[Path, bool]:
        root = self.device_root(device)
        p = root
        created = False
        for comp in dirs:
            if comp == ELLIPSIS or fsp.has_wild(comp):
                raise cond.VMSError(cond.RMS_WLD)
            host = _host_part(comp, cond.RMS_DIR)
            q = _lookup(p, host, True)
            if q is None:
                if not create:
                    raise cond.VMSError(cond.RMS_DNF)
                self._check(p, READ + WRITE, True)
                q = p / host.lower()
                try:
                    q.mkdir()
                except FileExistsError:
                    if not q.is_dir():
                        raise cond.VMSError(cond.RMS_CRE) from None
                except OSError:
                    raise cond.VMSError(cond.RMS_CRE) from None
                else:
                    created = True
            if not q.resolve().is_relative_to(root):
                raise cond.VMSError(cond.RMS_PRV)
            p = q
        return p, created

    def host_directory(self, device: str, dirs: tuple[str, ...]) -> Path:
        """The host directory for [dirs] on device: RMS_DEV, RMS_DNF, RMS_PRV."""
        return self._walk(device, tuple(dirs))[0]

    def directory_exists(self, device: str, dirs: tuple[str, ...]) -> bool:
        """The DirChecker for filespec.parse_spec: RMS_DEV for an unknown device."""
        try:
            self._walk(device, tuple(dirs))
        except cond.VMSError as exc:
            if exc.status == cond.RMS_DEV:
                raise
            return False
        return True

    def create_directory(self, device: str, dirs: tuple[str, ...]) -> bool:
        """Create every missing level (CREATE/DIRECTORY); True when something was created."""
        return self._walk(device, tuple(dirs), create=True)[1]

    def location(self, device: str, dirs: tuple[str, ...]) -> Path | None:
        """Where [dirs] of device is (resolved), or would be once created: existing levels
        found as lookups find them, missing ones in lower case as create_directory makes them.
        None for an unknown or missing device, or a component that is no host name."""
        try:
            p = self.device_root(device)
            missing: list[str] = []
            for comp in dirs:
                if comp == ELLIPSIS or fsp.has_wild(comp):
                    return None
                host = _host_part(comp, cond.RMS_DIR)
                q = None if missing else _lookup(p, host, True)
                if q is None:
                    missing.append(host.lower())
                else:
                    p = q
        except cond.VMSError:
            return None
        return Path(os.path.realpath(p)).joinpath(*missing)

    # ------------------------------------------------------------ files
    def _entries(self, dirpath: Path, root: Path) -> list[_Entry]:
        """The VMS view of a host directory, in VMS order, entries outside the device left out."""
        result = []
        try:
            names = sorted(os.listdir(dirpath))
        except OSError:
            return []
        seen: set[tuple[str, str, int]] = set()
        for host in names:
            path = dirpath / host
            try:
                if not path.resolve().is_relative_to(root):
                    continue
                is_dir = path.is_dir()
            except OSError:
                continue
            if is_dir:
                name, typ, version = fsp.escape(host), ".DIR", 1
            else:
                base, version = split_version(host)
                name, typ = vms_name_type(base)
            key = (name, typ, version)
            if key in seen:
                continue
            seen.add(key)
            result.append(_Entry(name, typ, version, path, is_dir))
        result.sort(key=lambda e: (e.name + e.type, -e.version))
        return result

    def _versions(self, dirpath: Path, name: str, type: str) -> list[tuple[int, Path, bool]]:
        """Every version of NAME.TYPE in dirpath, newest first."""
        want = _key(name, type)
        found: dict[int, tuple[Path, bool]] = {}
        try:
            names = sorted(os.listdir(dirpath))
        except OSError:
            return []
        for host in names:
            path = dirpath / host
            if path.is_dir():
                if want == (host.lower(), "dir") and 1 not in found:
                    found[1] = (path, True)
                continue
            base, version = split_version(host)
            if _host_key(base) == want and version not in found:
                found[version] = (path, False)
        return [(v, *found[v]) for v in sorted(found, reverse=True)]

    def host_path(self, device: str, dirs: tuple[str, ...], name: str, type: str,
                  version: int = 1) -> Path:
        """Where version N of NAME.TYPE in [dirs] is (an existing entry, found case-blind) or
        would be created (lower case). The directory must exist (RMS_DEV, RMS_DNF)."""
        root = self.device_root(device)
        dirpath = self.host_directory(device, tuple(dirs))
        for v, path, _ in self._versions(dirpath, name, type):
            if v == version:
                if not path.resolve().is_relative_to(root):
                    raise cond.VMSError(cond.RMS_PRV)
                return path
        base = host_file_name(name, type).lower()
        return dirpath / (base if version == 1 else f"{base};{version}")

    def find(self, result: ParseResult, access: str = READ) -> FileRef:
        """The existing file a (physical, non-wild) parse result names, for the access asked
        for (access letters; "" for none: the file is only named). A refused access is a
        FileError RMS_PRV naming the file found, with its version, as RMS's resultant name."""
        spec = result.spec
        if result.wild:
            raise cond.VMSError(cond.RMS_WLD)
        root = self.device_root(result.device)
        dirpath = self.host_directory(result.device, result.dirs)
        self._check(dirpath, EXECUTE, True)
        versions = self._versions(dirpath, spec.name, spec.type)
        numbers = [v for v, _, _ in versions]
        for version, path, is_dir in versions:
            if fsp.match_version(spec.version, version, numbers):
                if not path.resolve().is_relative_to(root):
                    raise cond.VMSError(cond.RMS_PRV)
                found = result.with_match(result.path, spec.name, spec.type, version)
                if self.access is not None and access \
                        and not self.access.permits(path, access, is_dir):
                    raise FileError(cond.RMS_PRV, found)
                return FileRef(found, path, version, is_dir)
        raise cond.VMSError(cond.RMS_FNF)

    def create_version(self, result: ParseResult) -> FileRef:
        """Create (empty) the next version of the file, or the explicit version asked for."""
        spec = result.spec
        if result.wild:
            raise cond.VMSError(cond.RMS_WLD)
        base = host_file_name(spec.name, spec.type).lower()
        dirpath = self.host_directory(result.device, result.dirs)
        self._check(dirpath, READ + WRITE, True)
        explicit = spec.version_number
        if explicit is not None and explicit < 0:
            raise cond.VMSError(cond.RMS_VER)
        for _ in range(_CREATE_ATTEMPTS):
            existing = [v for v, _, _ in self._versions(dirpath, spec.name, spec.type)]
            if explicit:
                if explicit in existing:
                    raise cond.VMSError(cond.RMS_FEX)
                version = explicit
            else:
                version = existing[0] + 1 if existing else 1
            if version > fsp.MAX_VERSION:
                raise cond.VMSError(cond.RMS_VER)
            path = dirpath / (base if version == 1 else f"{base};{version}")
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                if explicit:
                    raise cond.VMSError(cond.RMS_FEX) from None
                continue
            except OSError:
                raise cond.VMSError(cond.RMS_CRE) from None
            os.close(fd)
            return FileRef(result.with_match(result.path, spec.name, spec.type, version),
                           path, version)
        raise cond.VMSError(cond.RMS_CRE)

    # ------------------------------------------------------------ delete, rename
    def delete(self, ref: FileRef) -> None:
        """Remove a file (a directory file: its directory, which must be empty): D on the file
        and W on its directory. VMSError RMS_PRV when refused (by the protection or the host),
        RMS_MKD with SS_DIRNOTEMPTY for a directory that is not empty; RMS_DEV for the null
        device."""
        if ref.null:
            raise cond.VMSError(cond.RMS_DEV)
        path = Path(ref.path)
        self._check(path, DELETE, ref.is_directory)
        self._check(path.parent, WRITE, True)
        try:
            if ref.is_directory:
                os.rmdir(path)
            else:
                os.unlink(path)
        except OSError as exc:
            if exc.errno == errno.ENOTEMPTY:
                raise cond.VMSError(cond.RMS_MKD, secondary=(cond.SS_DIRNOTEMPTY,)) from None
            raise cond.VMSError(cond.RMS_PRV) from None

    def rename(self, ref: FileRef, result: ParseResult, version: int) -> Path:
        """Give a file the name (and version) a physical parse result names, on the same
        device: D on the file, R and W on both directories. A directory file is renamed as a
        directory (no version). Returns the new host path; VMSError RMS_FEX when the new name
        exists, RMS_PRV when refused, and the directory lookup's errors (RMS_DEV for the null
        device, from or to)."""
        if ref.null:
            raise cond.VMSError(cond.RMS_DEV)
        spec = result.spec
        source = Path(ref.path)
        dirpath = self.host_directory(result.device, result.dirs)
        if ref.is_directory:
            host = host_file_name(spec.name, "")
            if _lookup(dirpath, host, None) is not None:
                raise cond.VMSError(cond.RMS_FEX)
            target = dirpath / host.lower()
        else:
            target = self.host_path(result.device, result.dirs, spec.name, spec.type or ".",
                                    version)
        self._check(source, DELETE, ref.is_directory)
        self._check(source.parent, READ + WRITE, True)
        self._check(dirpath, READ + WRITE, True)
        try:
            if ref.is_directory:
                os.rename(source, target)
            else:
                _move(source, target)
        except FileExistsError:
            raise cond.VMSError(cond.RMS_FEX) from None
        except OSError:
            raise cond.VMSError(cond.RMS_PRV) from None
        return target

    # ------------------------------------------------------------ $SEARCH
    def _subdirs(self, host: Path, root: Path, chain: frozenset) -> list[tuple[str, Path, Path]]:
        out = []
        try:
            names = sorted(os.listdir(host))
        except OSError:
            return []
        for name in names:
            path = host / name
            try:
                if not path.is_dir():
                    continue
                real = path.resolve()
            except OSError:
                continue
            if real.is_relative_to(root) and real not in chain:
                out.append((fsp.escape(name), path, real))
        return out

    def _match_dirs(self, base: Path, root: Path,
                    pattern: tuple[str, ...]) -> list[tuple[tuple[str, ...], Path]]:
        found: dict[tuple[str, ...], Path] = {}

        def walk(host: Path, comps: tuple[str, ...], pat: tuple[str, ...], chain: frozenset):
            if not pat:
                found.setdefault(comps, host)
                return
            head = pat[0]
            if head == ELLIPSIS:
                walk(host, comps, pat[1:], chain)
                if self._permits(host, READ):
                    for name, path, real in self._subdirs(host, root, chain):
                        walk(path, comps + (name,), pat, chain | {real})
            elif fsp.has_wild(head):
                if not self._permits(host, READ):
                    return
                for name, path, real in self._subdirs(host, root, chain):
                    if fsp.match_name(head, name):
                        walk(path, comps + (name,), pat[1:], chain | {real})
            else:
                if not self._permits(host, EXECUTE):
                    return
                try:
                    path = _lookup(host, _host_part(head, cond.RMS_DIR), True)
                except cond.VMSError:
                    return
                if path is None:
                    return
                real = path.resolve()
                if real.is_relative_to(root) and real not in chain:
                    walk(path, comps + (fsp.escape(path.name),), pat[1:], chain | {real})

        walk(base, (), pattern, frozenset({base.resolve()}))
        return sorted(found.items(), key=lambda kv: tuple(c + ".DIR" for c in kv[0]))

    def search(self, result: ParseResult,
               on_error: Callable[[FileError], None] | None = None) -> Iterator[FileRef]:
        """$SEARCH within one physical alternative: every matching file, as VMS orders them.
        RMS_DEV for a missing device; RMS_DNF for a missing (non-wild) directory or root;
        RMS_PRV for a (non-wild) directory that may not be searched. In a wildcard-directory
        search such a directory is given to on_error as a FileError naming it, when there is
        one, and left out."""
        spec = result.spec
        root = self.device_root(result.device)
        need = READ if fsp.has_wild(spec.name) or fsp.has_wild(spec.type) else EXECUTE
        if result.dir_wild:
            base = self.host_directory(result.device, result.root)
            dirs = self._match_dirs(base, root, result.path)
        else:
            dirpath = self.host_directory(result.device, result.dirs)
            self._check(dirpath, need, True)
            dirs = [(result.path, dirpath)]
        return self._search_dirs(result, dirs, root, spec, need, on_error)

    def _search_dirs(self, result, dirs, root, spec, need, on_error) -> Iterator[FileRef]:
        for comps, host in dirs:
            if result.dir_wild and not self._permits(host, need):
                if on_error is not None:
                    shown = (spec.node + spec.device + result.display_directory(comps)
                             + spec.name + (spec.type or ".") + (spec.version or ";"))
                    on_error(FileError(cond.RMS_PRV, shown))
                continue
            entries = self._entries(host, root)
            groups: dict[tuple[str, str], list[_Entry]] = {}
            for e in entries:
                if fsp.match_name(spec.name, e.name) and fsp.match_name(spec.type or ".", e.type):
                    groups.setdefault((e.name, e.type), []).append(e)
            for (name, typ), items in groups.items():
                numbers = [e.version for e in items]
                for e in items:
                    if fsp.match_version(spec.version, e.version, numbers):
                        yield FileRef(result.with_match(comps, name, typ, e.version), e.path,
                                      e.version, e.is_dir)

    # ------------------------------------------------------------ host -> VMS
    def vms_spec(self, path: Path | str) -> str:
        """The physical VMS specification of a host path inside a device (RMS_DEV otherwise);
        `NLA0:` for the null device's."""
        if is_null_path(path):
            return "NLA0:"
        p = Path(os.path.abspath(path))
        for device, root in self._roots.items():
            top = Path(os.path.abspath(root))
            if p == top:
                return f"{device}:[000000]000000.DIR;1"
            if not p.is_relative_to(top):
                continue
            rel = p.relative_to(top).parts
            directory = DirSpec(parts=tuple(fsp.escape(c) for c in rel[:-1]) or ("000000",)).text
            if p.is_dir():
                return f"{device}:{directory}{fsp.escape(rel[-1])}.DIR;1"
            base, version = split_version(rel[-1])
            name, typ = vms_name_type(base)
            return f"{device}:{directory}{name}{typ};{version}"
        raise cond.VMSError(cond.RMS_DEV)


class SearchContexts:
    """F$SEARCH streams: one context per stream id."""

    def __init__(self) -> None:
        self._streams: dict[int, tuple[str, Iterator[str]]] = {}

    def next(self, spec: str, stream_id: int, start: Callable[[], Iterator[str]]) -> str:
        """The next result of the stream; the same spec continues it, another restarts it,
        "" ends it (and the next call starts again). Errors end the stream and propagate."""
        current = self._streams.get(stream_id)
        if current is None or current[0] != spec:
            current = (spec, start())
            self._streams[stream_id] = current
        try:
            return next(current[1])
        except StopIteration:
            del self._streams[stream_id]
            return ""
        except BaseException:
            self._streams.pop(stream_id, None)
            raise

    def reset(self, stream_id: int | None = None) -> None:
        if stream_id is None:
            self._streams.clear()
        else:
            self._streams.pop(stream_id, None)


class Files:
    """VMS file operations: filespec translation and defaulting joined to a DeviceTable."""

    def __init__(self, devices: DeviceTable | Mapping[str, Path | str],
                 translator: Translator | None = None, access: FileAccess | None = None):
        if isinstance(devices, DeviceTable):
            if access is not None:
                raise TypeError("a DeviceTable brings its own access guard")
            self.devices = devices
        else:
            self.devices = DeviceTable(devices, access)
        self.translator = translator

    @property
    def access(self) -> FileAccess | None:
        """The access guard (None: every file may be used as far as the host allows)."""
        return self.devices.access

    def parse(self, spec: str, default: str = "", related: str = "", *,
              process_default: ProcessDefault, syntax_only: bool = False,
              no_conceal: bool = False) -> ParseResult:
        """$PARSE with this table's directory check."""
        return fsp.parse_spec(spec, default, related, process_default=process_default,
                              translator=self.translator,
                              dir_exists=self.devices.directory_exists,
                              syntax_only=syntax_only, no_conceal=no_conceal)

    def f_parse(self, spec: str, default: str = "", related: str = "", field: str = "",
                parse_type: str = "", *, process_default: ProcessDefault) -> str:
        """F$PARSE (filespec.f_parse), the null device answering as the module docstring
        says."""
        null = self._null_parse(spec, default, related, process_default, parse_type)
        if null is not None:
            key = field.strip().upper()
            if key and key not in fsp.FIELDS:
                raise ValueError(field)
            if key in ("NODE", "DEVICE"):
                return null.spec.node if key == "NODE" else null.spec.device
            return "" if key else _null_ref(null).spec
        return fsp.f_parse(spec, default, related, field, parse_type,
                           process_default=process_default, translator=self.translator,
                           dir_exists=self.devices.directory_exists)

    def _null_parse(self, spec: str, default: str, related: str,
                    process_default: ProcessDefault, parse_type: str = "") -> ParseResult | None:
        """The $PARSE result of a specification when it names the null device, else None
        (also for one that does not parse: the caller reports that)."""
        kind = parse_type.strip().upper()
        if kind and kind not in fsp.PARSE_TYPES:
            return None
        try:
            result = fsp.parse_spec(spec, default, related, process_default=process_default,
                                    translator=self.translator, check=False,
                                    no_conceal=kind == "NO_CONCEAL")
        except (cond.VMSError, ValueError):
            return None
        if result.node or not is_null_device(result.device):
            return None
        return result

    def alternatives(self, spec: str, default: str = "", related: str = "", *,
                     process_default: ProcessDefault) -> Iterator[ParseResult]:
        return fsp.expand_spec(spec, default, related, process_default=process_default,
                               translator=self.translator)

    def _first(self, spec: str, default: str, related: str,
               process_default: ProcessDefault) -> ParseResult:
        result = fsp.parse_spec(spec, default, related, process_default=process_default,
                                translator=self.translator, check=False)
        if result.node:
            raise FileError(cond.SS_UNSUPPORTED, result.text)
        return result

    def lookup(self, spec: str, default: str = "", related: str = "", *,
               process_default: ProcessDefault, access: str = READ) -> FileRef:
        """An existing file, for the access asked for (READ by default; WRITE, READ + WRITE,
        EXECUTE, "" for none): each search-list element in order. FileError with RMS_FNF (a
        directory existed), else RMS_DNF (a device existed), else RMS_DEV; RMS_PRV when the
        access is refused."""
        first: ParseResult | None = None
        failures: list[int] = []
        for alt in self.alternatives(spec, default, related, process_default=process_default):
            if first is None:
                first = alt
            if alt.node:
                raise FileError(cond.SS_UNSUPPORTED, alt.text)
            if is_null_device(alt.device):
                return _null_ref(alt)
            try:
                return self.devices.find(alt, access)
            except FileError:
                raise
            except cond.VMSError as exc:
                if exc.status not in (cond.RMS_DEV, cond.RMS_DNF, cond.RMS_FNF):
                    raise FileError(exc.status, alt.text) from None
                failures.append(exc.status)
        assert first is not None
        for status in (cond.RMS_FNF, cond.RMS_DNF):
            if status in failures:
                raise FileError(status, first.text)
        raise FileError(cond.RMS_DEV, first.text)

    def create(self, spec: str, default: str = "", related: str = "", *,
               process_default: ProcessDefault) -> FileRef:
        """A new version of a file (created empty), in the first search-list element; the
        null device is not created, only named."""
        result = self._first(spec, default, related, process_default)
        if is_null_device(result.device):
            return _null_ref(result)
        try:
            return self.devices.create_version(result)
        except cond.VMSError as exc:
            raise FileError(exc.status, result.text) from None

    def create_directory(self, spec: str, *, process_default: ProcessDefault) -> tuple[str, bool]:
        """CREATE/DIRECTORY: every missing level; the displayed directory and whether it was
        created (False: it already existed)."""
        result = self._first(spec, "", "", process_default)
        s = result.spec
        display = s.node + s.device + s.directory
        if s.name or s.type or s.version:
            raise FileError(cond.RMS_SYN, display)
        if result.dir_wild:
            raise FileError(cond.RMS_WLD, display)
        try:
            return display, self.devices.create_directory(result.device, result.dirs)
        except cond.VMSError as exc:
            raise FileError(exc.status, display) from None

    def search(self, spec: str, default: str = "", related: str = "", *,
               process_default: ProcessDefault,
               on_error: Callable[[FileError], None] | None = None) -> Iterator[FileRef]:
        """$SEARCH over every search-list element. Elements whose device or directory is
        missing are skipped; when no element could be searched at all, the first one's error
        (RMS_DNF or RMS_DEV) is raised as FileError. A directory that may not be searched is
        FileError RMS_PRV, or, in a wildcard-directory search, given to on_error (see
        DeviceTable.search)."""
        failures: list[tuple[int, str]] = []
        searched = False
        for alt in self.alternatives(spec, default, related, process_default=process_default):
            if alt.node:
                raise FileError(cond.SS_UNSUPPORTED, alt.text)
            if is_null_device(alt.device):
                searched = True
                yield _null_ref(alt)
                continue
            try:
                results = self.devices.search(alt, on_error)
            except cond.VMSError as exc:
                if exc.status not in (cond.RMS_DEV, cond.RMS_DNF):
                    raise FileError(exc.status, alt.text) from None
                failures.append((exc.status, alt.text))
                continue
            searched = True
            yield from results
        if not searched and failures:
            raise FileError(*failures[0])

    def f_search(self, contexts: SearchContexts, spec: str, stream_id: int = 0, *,
                 process_default: ProcessDefault) -> str:
        """F$SEARCH: the next full specification of the stream, "" at the end. A missing
        device or directory gives "" too; syntax errors, SS_TOOMANYLNAM and a protected
        (non-wild) directory propagate; a protected directory of a wildcard-directory search
        is left out (VMS unverified: the stream goes on rather than end)."""
        try:
            return contexts.next(spec, stream_id, lambda: (
                r.spec for r in self.search(spec, process_default=process_default)))
        except cond.VMSError as exc:
            if exc.status in (cond.RMS_DEV, cond.RMS_DNF):
                return ""
            raise

    # ------------------------------------------------------------ using what was found
    def require(self, ref: FileRef, access: str) -> None:
        """Before using a file $SEARCH found: VMSError(RMS_PRV) unless the access (letters)
        is granted (the null device: always)."""
        if not ref.null:
            self.devices._check(Path(ref.path), access, ref.is_directory)

    def delete(self, ref: FileRef) -> None:
        """DELETE, PURGE: see DeviceTable.delete."""
        self.devices.delete(ref)

    def rename(self, ref: FileRef, result: ParseResult, version: int) -> Path:
        """RENAME: see DeviceTable.rename."""
        return self.devices.rename(ref, result, version)

    def security(self, ref: FileRef) -> tuple[tuple[int, int], Protection] | None:
        """(owner UIC, protection) of an owned file; None without an owner (or a guard)."""
        access = self.devices.access
        if access is None or ref.null:
            return None
        return access.security(ref.path, ref.is_directory)

    def locations(self, spec: str, *, process_default: ProcessDefault) -> list[Path]:
        """The host directories a directory specification names (each search-list element),
        existing or not yet created (DeviceTable.location); elements that cannot be
        directories are left out."""
        found = []
        for alt in self.alternatives(spec, process_default=process_default):
            if alt.node or alt.dir_wild:
                continue
            path = self.devices.location(alt.device, alt.dirs)
            if path is not None and path not in found:
                found.append(path)
        return found


__all__ = ["DeviceTable", "Files", "FileRef", "FileError", "SearchContexts", "FileAccess",
           "NULL_DEVICES", "NULL_PATH", "is_null_device", "is_null_path",
           "Protection", "FILE_PROTECTION", "DIRECTORY_PROTECTION", "granted",
           "READ", "WRITE", "EXECUTE", "DELETE",
           "host_file_name", "vms_name_type", "split_version"]
