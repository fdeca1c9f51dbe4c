"""VMS file specifications: parsing, printing, $PARSE defaulting, SET DEFAULT, wildcard matching.

Pure: no host I/O. Logical names come in through a `Translator` and the existence of a
directory through a `DirChecker`, both injected by the caller (files.py supplies the checker).

Syntax: `node::dev:[dir.sub]name.type;ver` (facts B). Accepted forms:
- nodes `NODE::` (repeatable) with an optional access-control string `NODE"user pw"::`, and a
  quoted foreign specification after the node (`NODE::"task=x"`), kept verbatim in `name`;
- devices `DKA0:`, `$2$DUA0:`, logical names `SYS$LOGIN:`; `_DKA0:` is physical (never translated);
- directories `[A.B]` or `<A.B>` (printed with brackets), `[]`, `[-]`, `[--.X]`, `[-.-.X]`
  (printed `[--.X]`), `[.X]`, `[000000]`, roots `[A.B.]` and root plus directory `[A.B.][C]`,
  wildcards `*` `%` and the ellipsis `...` (`[A...]`, `[...]`, `[A...B]`);
- ODS-5 escapes `^.`, `^_` (space), `^XX` (hex), `^UXXXX` and `^c` for any other printable
  character; unescaped letters are upper-cased; with more than one unescaped dot the last dot
  starts the type and the others are printed escaped: `a.b.c.d` is name `A^.B^.C`, type `.D`;
- versions `;n`, `;`, `;0`, `;-1`, `;*`; with three or more dot-separated parts a numeric (or
  empty) last part is the version (`X.Y.3` is `X.Y;3`). Versions print normalised (`;03` -> `;3`).
Other characters (spaces, `/`, `"` outside a node, non-ASCII) must be escaped. Anything else
raises VMSError(RMS_SYN); a version beyond +-32767 raises RMS_VER. The canonical text
(`str(spec)`) reparses to the same spec.

Translation (facts A5), used by `parse_spec`, `expand_spec` and `resolve_set_default`:
- the leftmost component only is translated: a device name, or a bare name that is the whole
  specification; each level restarts at the top; TERMINAL stops after substituting; at most
  MAX_DEPTH (10) translations, one more raises SS_TOOMANYLNAM, so loops end;
- fields written in the specification override fields of its translation; a rooted
  translation (`DKA200:[T.LNM.]`) supplies a root under which the directory is looked up, and
  nested roots concatenate (`X = ROOTED:[A.]` gives the root `[T.LNM.A.]` physically);
- a device equivalence that is a bare name (`DEFINE D DKA200`, no colon) is taken as a device;
  an equivalence that does not parse raises RMS_LNE (with the RMS_SYN as secondary);
- display: translation goes on to the physical device in every case, but the displayed device
  stays the first logical name whose equivalence is CONCEALED (unless NO_CONCEAL); the root it
  hides is not shown, while a non-rooted directory supplied by a concealed translation is shown
  (`X = DKA0:[D]` concealed gives `X:[D]NAME.TYP;`). Non-concealed rooted translations are
  printed as VMS does with NO_CONCEAL, `DKA200:[T.LNM.][SUB]X.Y;`. CONCEALED on the equivalence
  of a bare file name (not a device) has no display effect;
- search lists: `parse_spec` ($PARSE) uses the first equivalence at every level;
  `expand_spec` yields every element in order, depth first (for $SEARCH and lookups).

$PARSE defaulting, field by field, first source wins: primary (with its translation), default
spec, related spec, process default (device and directory only). Choices where facts are silent:
- node: from primary, default or related spec; a node in the result turns off the process
  default and every existence check (there is no network file access in this emulation);
- version: from primary or default spec, never from the related spec; a bare `;` counts as no
  version for defaulting; a null type `X.` is a given (empty) type and is not defaulted;
- a relative directory (`[.X]`, `[-]`, `[]`) in any source resolves against the process
  default directory (observed), going above the top raises RMS_DIR;
- the root travels with the device that brought it; a root written in a source without a device
  stays with that source's directory and is appended under the device's root;
- SYNTAX_ONLY still translates logical names (no I/O is involved) and applies the process
  default; it only skips the device and directory checks. Giving a field also skips them (HELP);
- a wildcard directory is not checked for existence (only its device is).
The expanded string always holds the `.` and `;` delimiters (`DKA100:[C]X.TXT;`).

SET DEFAULT (`resolve_set_default`): the argument is translated like a $PARSE primary (first
elements, up to a concealed name); the displayed device and directory are what VMS keeps
(`VPT_ROOT:` + `[SUB]`); a missing directory keeps the current one; a bare name is a device.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from vmsenv import condition as cond

CONCEALED = 0x100
TERMINAL = 0x200
MAX_DEPTH = 10          # LNM$C_MAXDEPTH
MAX_VERSION = 32767
MAX_NAME = 255          # ODS-5 limit for a name or a type
ELLIPSIS = "..."
FIELDS = ("NODE", "DEVICE", "DIRECTORY", "NAME", "TYPE", "VERSION")
PARSE_TYPES = ("SYNTAX_ONLY", "NO_CONCEAL")

Translator = Callable[[str], "list[tuple[str, int]] | None"]
"""Called with an upper-case logical name (no colon): its equivalences with attribute bits,
or None when the name is not defined."""

DirChecker = Callable[[str, tuple[str, ...]], bool]
"""Called with a physical device (no colon) and directory components from the device top:
True when the directory exists; raises VMSError(RMS_DEV) for an unknown device."""

_PLAIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789$_-")
_WILD = frozenset("*%")
_HEX = frozenset("0123456789ABCDEFabcdef")
_NODE_RE = re.compile(r'([A-Za-z0-9$_]+)("(?:[^"]|"")*")?::')
_QUOTED_RE = re.compile(r'"(?:[^"]|"")*"')
_DEVICE_RE = re.compile(r"(_?[A-Za-z0-9$_-]+):")
_NUMBER_RE = re.compile(r"-?[0-9]+")


def _syntax() -> cond.VMSError:
    return cond.VMSError(cond.RMS_SYN)


# ---------------------------------------------------------------- escapes and names
def _scan_escape(s: str, i: int) -> tuple[str, int]:
    """The escape starting at s[i] == '^', normalised, and the index after it."""
    if i + 1 >= len(s):
        raise _syntax()
    c = s[i + 1]
    if c in _HEX and i + 2 < len(s) and s[i + 2] in _HEX:
        return "^" + s[i + 1:i + 3].upper(), i + 3
    if c in "Uu" and len(s) >= i + 6 and all(x in _HEX for x in s[i + 2:i + 6]):
        return "^U" + s[i + 2:i + 6].upper(), i + 6
    if c.isalnum() or not (" " <= c <= "~"):
        raise _syntax()
    return "^" + c, i + 2


def _scan_word(s: str, i: int) -> tuple[str, int]:
    """Name characters, wildcards and escapes from s[i]; stops at any other character."""
    out = []
    n = len(s)
    while i < n:
        c = s[i]
        if c in _PLAIN:
            out.append(c.upper())
            i += 1
        elif c in _WILD:
            out.append(c)
            i += 1
        elif c == "^":
            esc, i = _scan_escape(s, i)
            out.append(esc)
        else:
            break
    return "".join(out), i


def unescape(text: str) -> str:
    """The characters an escaped VMS name stands for: `A^.B^_C^2F` -> `A.B C/`."""
    if "^" not in text:
        return text
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != "^":
            out.append(c)
            i += 1
            continue
        esc, i = _scan_escape(text, i)
        body = esc[1:]
        if body == "_":
            out.append(" ")
        elif len(body) == 2 and all(x in _HEX for x in body):
            out.append(chr(int(body, 16)))
        elif len(body) == 5 and body[0] == "U":
            out.append(chr(int(body[1:], 16)))
        else:
            out.append(body)
    return "".join(out)


_ESC_SPECIAL = frozenset(",;[]<>^!#&'()+@{}~=%*`")


def escape(text: str) -> str:
    """A host name (or part of one) as a VMS name: upper-cased, dots and specials escaped."""
    out = []
    for c in text:
        if c in _PLAIN:
            out.append(c.upper())
        elif c == ".":
            out.append("^.")
        elif c == " ":
            out.append("^_")
        elif c in _ESC_SPECIAL:
            out.append("^" + c)
        elif ord(c) < 256:
            out.append(f"^{ord(c):02X}")
        else:
            out.append(f"^U{ord(c):04X}")
    return "".join(out)


def has_wild(text: str) -> bool:
    """True when a name, type or directory component holds an unescaped `*` or `%`."""
    i = 0
    while i < len(text):
        c = text[i]
        if c == "^":
            _, i = _scan_escape(text, i)
            continue
        if c in _WILD:
            return True
        i += 1
    return False


# ---------------------------------------------------------------- directories
@dataclass(frozen=True)
class DirSpec:
    """A parsed directory: `parts` (None for a root alone), an optional `root`, and for a
    relative directory the number of `-` levels (`up`). `...` is kept as the part ELLIPSIS."""

    parts: tuple[str, ...] | None = ("000000",)
    root: tuple[str, ...] | None = None
    relative: bool = False
    up: int = 0

    @property
    def text(self) -> str:
        out = ""
        if self.root is not None:
            out = "[" + ".".join(self.root) + ".]"
        if self.parts is None:
            return out
        body = _join_parts(self.parts)
        if self.relative and not self.up and self.parts and self.parts[0] == ELLIPSIS:
            pass                        # [...] and [...X]: below the default directory
        elif self.relative:
            if self.parts:
                body = "-" * self.up + "." + body if self.up else "." + body
            else:
                body = "-" * self.up
        return out + "[" + body + "]"

    def __str__(self) -> str:
        return self.text

    @property
    def wild(self) -> bool:
        return any(p == ELLIPSIS or has_wild(p) for p in self.parts or ())

    @property
    def components(self) -> tuple[str, ...]:
        """The parts from the top (of the root, if any), without a leading 000000."""
        parts = self.parts or ()
        if parts and parts[0] == "000000":
            parts = parts[1:]
        return parts

    def resolve(self, base: Sequence[str]) -> DirSpec:
        """An absolute directory: a relative one is applied to base (components from the top)."""
        if not self.relative:
            return self
        base = tuple(base)
        if self.up > len(base):
            raise cond.VMSError(cond.RMS_DIR)
        parts = base[:len(base) - self.up] + (self.parts or ())
        return DirSpec(parts=parts or ("000000",), root=self.root)


def _join_parts(parts: Sequence[str]) -> str:
    out = []
    prev = None
    for p in parts:
        if p != ELLIPSIS and prev is not None and prev != ELLIPSIS:
            out.append(".")
        out.append(p)
        prev = p
    return "".join(out)


_DOT, _ELL = object(), object()


def _dir_tokens(body: str) -> list:
    toks: list = []
    i = 0
    while i < len(body):
        if body.startswith("...", i):
            toks.append(_ELL)
            i += 3
        elif body[i] == ".":
            toks.append(_DOT)
            i += 1
        else:
            word, j = _scan_word(body, i)
            if j == i:
                raise _syntax()
            toks.append(word)
            i = j
    return toks


def _parse_dir_body(body: str) -> DirSpec:
    if body == "":
        return DirSpec(parts=(), relative=True)
    toks = _dir_tokens(body)
    pos = 0
    up = 0
    relative = False
    if isinstance(toks[0], str) and set(toks[0]) == {"-"}:
        relative = True
        while pos < len(toks) and isinstance(toks[pos], str) and set(toks[pos]) == {"-"}:
            up += len(toks[pos])
            pos += 1
            if pos < len(toks) and toks[pos] is _DOT:
                pos += 1
                if pos == len(toks):
                    raise _syntax()
            else:
                break
    elif toks[0] is _DOT:
        relative = True
        pos = 1
        if pos == len(toks):
            raise _syntax()
    leading_ellipsis = toks[0] is _ELL
    parts: list[str] = []
    prev = None
    for tok in toks[pos:]:
        if tok is _DOT:
            if not isinstance(prev, str):
                raise _syntax()
        elif tok is _ELL:
            if prev is _ELL:
                raise _syntax()
            parts.append(ELLIPSIS)
        else:
            if set(tok) == {"-"}:       # `-` only leads a relative directory
                raise _syntax()
            if len(tok) > MAX_NAME:
                raise _syntax()
            parts.append(tok)
        prev = tok
    if relative and parts and parts[0] == ELLIPSIS:
        raise _syntax()
    if leading_ellipsis:
        relative = True             # [...]: the default directory and everything below it
    if prev is _DOT:            # trailing dot: a root
        if relative or ELLIPSIS in parts or any(has_wild(p) for p in parts):
            raise _syntax()
        return DirSpec(parts=None, root=tuple(parts))
    return DirSpec(parts=tuple(parts), relative=relative, up=up)


def _find_close(s: str, i: int) -> int:
    close = "]" if s[i] == "[" else ">"
    j = i + 1
    while j < len(s):
        c = s[j]
        if c == "^":
            j += 2
            continue
        if c == close:
            return j
        if c in "[]<>":
            break
        j += 1
    raise _syntax()


def _scan_directory(s: str, i: int) -> tuple[DirSpec, int]:
    j = _find_close(s, i)
    first = _parse_dir_body(s[i + 1:j])
    i = j + 1
    if first.parts is None and i < len(s) and s[i] in "[<":
        j = _find_close(s, i)
        second = _parse_dir_body(s[i + 1:j])
        if second.relative or second.parts is None:
            raise _syntax()
        return replace(second, root=first.root), j + 1
    return first, i


@lru_cache(maxsize=2048)
def parse_directory(text: str) -> DirSpec:
    """`[A.B]`, `<A.B>`, `[T.LNM.]`, `[T.LNM.][SUB]`, `[-.X]` ... as a DirSpec (RMS_SYN if bad)."""
    s = text.strip()
    if not s or s[0] not in "[<":
        raise _syntax()
    d, i = _scan_directory(s, 0)
    if i != len(s):
        raise _syntax()
    return d


# ---------------------------------------------------------------- the specification
@dataclass(frozen=True)
class FileSpec:
    """A file specification with its fields as printed: node "NODE::", device "DKA0:",
    directory "[A.B]", name "X", type ".Y", version ";3" (each "" when absent)."""

    node: str = ""
    device: str = ""
    directory: str = ""
    name: str = ""
    type: str = ""
    version: str = ""

    def __str__(self) -> str:
        return f"{self.node}{self.device}{self.directory}{self.name}{self.type}{self.version}"

    @property
    def text(self) -> str:
        return str(self)

    @property
    def expanded(self) -> str:
        """As RMS writes an expanded string: the `.` and `;` delimiters always present."""
        if self.name.startswith('"'):
            return str(self)
        return (f"{self.node}{self.device}{self.directory}{self.name}{self.type or '.'}"
                f"{self.version or ';'}")

    @property
    def dirspec(self) -> DirSpec | None:
        return parse_directory(self.directory) if self.directory else None

    @property
    def is_bare_name(self) -> bool:
        """Only a name: the form a logical name may take as the whole specification."""
        return bool(self.name) and not (self.node or self.device or self.directory
                                        or self.type or self.version)

    @property
    def wild_name(self) -> bool:
        return has_wild(self.name) or has_wild(self.type) or self.version == ";*"

    @property
    def wild(self) -> bool:
        d = self.dirspec
        return self.wild_name or (d is not None and d.wild)

    @property
    def version_number(self) -> int | None:
        """The version as a number (0 and negatives included), None for "", ";" and ";*"."""
        v = self.version[1:]
        return int(v) if _NUMBER_RE.fullmatch(v) else None


def _scan_file(s: str, i: int) -> tuple[str, str, str]:
    segs: list[str] = []
    ver: str | None = None
    n = len(s)
    while True:
        word, i = _scan_word(s, i)
        segs.append(word)
        if i >= n:
            break
        c = s[i]
        if c == ".":
            i += 1
            continue
        if c == ";":
            ver = s[i + 1:]
            break
        raise _syntax()
    if ver is None and len(segs) >= 3 and (segs[-1] == "" or _NUMBER_RE.fullmatch(segs[-1])):
        ver = segs.pop()
    if len(segs) == 1:
        name, typ = segs[0], ""
    else:
        name, typ = "^.".join(segs[:-1]), "." + segs[-1]
    if len(name) > MAX_NAME or len(typ) > MAX_NAME + 1:
        raise _syntax()
    if ver is None:
        version = ""
    elif ver == "" or ver == "*":
        version = ";" + ver
    elif _NUMBER_RE.fullmatch(ver):
        if abs(int(ver)) > MAX_VERSION:
            raise cond.VMSError(cond.RMS_VER)
        version = ";" + str(int(ver))
    else:
        raise _syntax()
    return name, typ, version


@lru_cache(maxsize=4096)
def parse(text: str) -> FileSpec:
    """Parse a file specification (no defaults, no translation). RMS_SYN when malformed."""
    s = text.strip()
    n = len(s)
    i = 0
    node = ""
    while (m := _NODE_RE.match(s, i)) is not None:
        node += m.group(1).upper() + (m.group(2) or "") + "::"
        i = m.end()
    if node and i < n and s[i] == '"':
        m = _QUOTED_RE.match(s, i)
        if m is None or m.end() != n:
            raise _syntax()
        return FileSpec(node=node, name=m.group(0))
    device = ""
    m = _DEVICE_RE.match(s, i)
    if m is not None:
        device = m.group(1).upper() + ":"
        i = m.end()
    directory = ""
    if i < n and s[i] in "[<":
        d, i = _scan_directory(s, i)
        directory = d.text
    name, typ, version = _scan_file(s, i)
    return FileSpec(node, device, directory, name, typ, version)


def to_text(spec: FileSpec) -> str:
    """The printed form of a FileSpec (the same as str(spec))."""
    return str(spec)


# ---------------------------------------------------------------- wildcard matching
@lru_cache(maxsize=1024)
def _wild_regex(pattern: str) -> re.Pattern:
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "^":
            esc, i = _scan_escape(pattern, i)
            out.append(re.escape(unescape(esc).lower()))
            continue
        if c == "*":
            out.append(".*")
        elif c == "%":
            out.append(".")
        else:
            out.append(re.escape(c.lower()))
        i += 1
    return re.compile("".join(out), re.S)


def match_name(pattern: str, text: str) -> bool:
    """Case-blind match of a name or type (escaped VMS form) against a wildcard pattern with
    `*` (any run) and `%` (one character); escapes compare by the character they stand for."""
    return _wild_regex(pattern).fullmatch(unescape(text).lower()) is not None


def match_directory(pattern: Sequence[str], dirs: Sequence[str]) -> bool:
    """Directory components against pattern components; ELLIPSIS matches zero or more levels."""
    pattern, dirs = tuple(pattern), tuple(dirs)
    memo: dict[tuple[int, int], bool] = {}

    def go(p: int, d: int) -> bool:
        key = (p, d)
        if key in memo:
            return memo[key]
        if p == len(pattern):
            result = d == len(dirs)
        elif pattern[p] == ELLIPSIS:
            result = go(p + 1, d) or (d < len(dirs) and go(p, d + 1))
        else:
            result = d < len(dirs) and match_name(pattern[p], dirs[d]) and go(p + 1, d + 1)
        memo[key] = result
        return result

    return go(0, 0)


def match_version(pattern: str, version: int, newest_first: Sequence[int]) -> bool:
    """Does a file version satisfy a version field? ""/";"/";0" newest, ";-n" the n-th older,
    ";*" every version, ";n" exactly n. newest_first: every version of the file."""
    v = pattern[1:] if pattern.startswith(";") else pattern
    if v == "*":
        return True
    n = int(v) if _NUMBER_RE.fullmatch(v) else 0
    if n > 0:
        return version == n
    index = -n
    return index < len(newest_first) and newest_first[index] == version


# ---------------------------------------------------------------- translation
@dataclass(frozen=True)
class _Src:
    """One source of fields during $PARSE; device and root are physical-side, shown_* are
    what is displayed (frozen at the first concealed name)."""

    node: str = ""
    device: str = ""
    root: tuple[str, ...] | None = None
    path: DirSpec | None = None
    name: str = ""
    type: str = ""
    version: str = ""
    shown_device: str = ""
    shown_root: tuple[str, ...] | None = None
    concealed: bool = False


def _from_spec(fs: FileSpec) -> _Src:
    d = fs.dirspec
    root = d.root if d is not None else None
    path = replace(d, root=None) if d is not None and d.parts is not None else None
    return _Src(fs.node, fs.device, root, path, fs.name, fs.type, fs.version, fs.device, root)


def _concat(a: tuple[str, ...] | None, b: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _pick_version(a: str, b: str) -> str:
    if a not in ("", ";"):
        return a
    if b not in ("", ";"):
        return b
    return a or b


def _leftmost(src: _Src) -> tuple[str, bool] | None:
    """The translatable leftmost name and whether it is a device, or None."""
    if src.node:
        return None
    if src.device:
        name = src.device[:-1]
        return None if name.startswith("_") else (name, True)
    if (src.name and src.root is None and src.path is None and not src.type
            and not src.version and not src.name.startswith('"')
            and not any(c in src.name for c in "*%^")):
        return src.name, False
    return None


def _equivalence(value: str, as_device: bool) -> _Src:
    try:
        fs = parse(value)
    except cond.VMSError as exc:
        raise cond.VMSError(cond.RMS_LNE, secondary=(exc,)) from None
    if as_device and fs.is_bare_name and not any(c in fs.name for c in "*%^"):
        fs = FileSpec(device=fs.name + ":")
    return _from_spec(fs)


def _expand(src: _Src, translator: Translator | None, first_only: bool,
            depth: int = 0) -> Iterator[_Src]:
    key = _leftmost(src) if translator is not None else None
    if key is None:
        yield src
        return
    name, is_device = key
    eqs = translator(name.upper())
    if not eqs:
        yield src
        return
    if depth >= MAX_DEPTH:
        raise cond.VMSError(cond.SS_TOOMANYLNAM)
    for value, attrs in (eqs[:1] if first_only else eqs):
        e = _equivalence(value, is_device)
        if is_device:
            new = _Src(node=e.node, device=e.device, root=_concat(e.root, src.root),
                       path=src.path if src.path is not None else e.path,
                       name=src.name or e.name, type=src.type or e.type,
                       version=_pick_version(src.version, e.version))
            if src.concealed:
                new = replace(new, shown_device=src.shown_device, shown_root=src.shown_root,
                              concealed=True)
            elif attrs & CONCEALED:
                new = replace(new, shown_device=src.device, shown_root=src.root, concealed=True)
            else:
                new = replace(new, shown_device=new.device, shown_root=new.root)
        else:
            new = e
        if attrs & TERMINAL:
            yield new
        else:
            yield from _expand(new, translator, first_only, depth + 1)


# ---------------------------------------------------------------- $PARSE
@dataclass(frozen=True)
class ProcessDefault:
    """The process default device (as SYS$DISK holds it) and directory, e.g.
    ProcessDefault("VPT_ROOT:", "[SUB]"). SHOW DEFAULT prints two spaces and `text`."""

    device: str
    directory: str

    @property
    def text(self) -> str:
        return self.device + self.directory


@dataclass(frozen=True)
class ParseResult:
    """The outcome of $PARSE.

    spec: the expanded specification as displayed (concealed names kept; version "" when none);
    device: the physical device (no colon, no underscore), "" with a node;
    root, path: physical directory components, the root and the directory under it (no 000000);
    shown_root: the root printed in spec (None when hidden or absent).
    """

    spec: FileSpec
    device: str
    root: tuple[str, ...]
    path: tuple[str, ...]
    shown_root: tuple[str, ...] | None = None
    dir_wild: bool = False

    @property
    def text(self) -> str:
        """The expanded string, as F$PARSE returns it."""
        return self.spec.expanded

    @property
    def dirs(self) -> tuple[str, ...]:
        """Directory components from the top of the physical device."""
        return self.root + self.path

    @property
    def node(self) -> str:
        return self.spec.node

    @property
    def wild(self) -> bool:
        return self.dir_wild or self.spec.wild_name

    def field(self, name: str) -> str:
        """NODE, DEVICE, DIRECTORY, NAME, TYPE or VERSION as F$PARSE returns it."""
        key = name.upper()
        s = self.spec
        if key == "NODE":
            return s.node
        if key == "DEVICE":
            return s.device
        if key == "DIRECTORY":
            return s.directory
        if key == "NAME":
            return s.name
        if key == "TYPE":
            return s.type or "."
        if key == "VERSION":
            return s.version or ";"
        raise ValueError(name)

    def display_directory(self, path: Sequence[str]) -> str:
        """How a directory found under this result's root is displayed (for $SEARCH)."""
        return DirSpec(parts=tuple(path) or ("000000",), root=self.shown_root).text

    def with_match(self, path: Sequence[str], name: str, type: str, version: int) -> str:
        """The full displayed specification of a file found by $SEARCH."""
        directory = self.spec.directory if not self.dir_wild else self.display_directory(path)
        return f"{self.spec.node}{self.spec.device}{directory}{name}{type or '.'};{version}"


def _pd_source(pd: ProcessDefault) -> FileSpec:
    fs = parse(pd.device + pd.directory)
    d = fs.dirspec
    if (not fs.device or d is None or d.relative or d.parts is None or d.wild or fs.node
            or fs.name or fs.type or fs.version):
        raise ValueError(f"not a process default: {pd.text!r}")
    return fs


def _merge(p: _Src, d: _Src, r: _Src, pd: _Src, base: tuple[str, ...],
           no_conceal: bool) -> ParseResult:
    node = p.node or d.node or r.node
    sources = [p, d, r] if node else [p, d, r, pd]
    dev = next((s for s in sources if s.device), None)
    extra_root: tuple[str, ...] | None = None
    path: DirSpec | None = None
    for s in sources:
        if not s.device and s.root is not None and extra_root is None:
            extra_root = s.root
        if s.path is not None:
            path = s.path
            break
    if path is not None:
        path = path.resolve(base)
    name = p.name or d.name or r.name
    typ = p.type or d.type or r.type
    version = _pick_version(p.version, d.version)
    if dev is None:
        device, shown_device, root, shown_root = "", "", None, None
    elif no_conceal:
        device, shown_device = dev.device, dev.device
        root = shown_root = dev.root
    else:
        device, shown_device, root, shown_root = (dev.device, dev.shown_device, dev.root,
                                                  dev.shown_root)
    root = _concat(root, extra_root)
    shown_root = _concat(shown_root, extra_root)
    if path is not None:
        directory = DirSpec(parts=path.parts, root=shown_root).text
    elif shown_root is not None:
        directory = DirSpec(parts=None, root=shown_root).text
    else:
        directory = ""
    spec = FileSpec(node, shown_device, directory, name, typ, version)
    phys = device[:-1].lstrip("_") if device and not node else ""
    return ParseResult(spec=spec, device=phys, root=root or (),
                       path=path.components if path is not None else (),
                       shown_root=shown_root, dir_wild=path is not None and path.wild)


def _sources(spec: str, default: str, related: str, process_default: ProcessDefault):
    p = _from_spec(parse(spec))
    d = _from_spec(parse(default)) if default else _Src()
    r = _from_spec(parse(related)) if related else _Src()
    r = replace(r, version="")
    pdfs = _pd_source(process_default)
    pd = _from_spec(pdfs)
    base = pdfs.dirspec.components
    return p, d, r, pd, base


def expand_spec(spec: str, default: str = "", related: str = "", *,
                process_default: ProcessDefault, translator: Translator | None = None,
                no_conceal: bool = False) -> Iterator[ParseResult]:
    """Every search-list alternative of a specification, in order (no existence checks):
    the primary's elements, within each the default spec's, then related and process default
    elements; duplicates are left out. For $SEARCH and file lookups."""
    p, d, r, pd, base = _sources(spec, default, related, process_default)
    seen: set = set()
    for pv in _expand(p, translator, False):
        for dv in _expand(d, translator, False):
            for rv in _expand(r, translator, False):
                for pdv in _expand(pd, translator, False):
                    result = _merge(pv, dv, rv, pdv, base, no_conceal)
                    key = (result.spec, result.device, result.root, result.path)
                    if key not in seen:
                        seen.add(key)
                        yield result


def parse_spec(spec: str, default: str = "", related: str = "", *,
               process_default: ProcessDefault, translator: Translator | None = None,
               dir_exists: DirChecker | None = None, syntax_only: bool = False,
               no_conceal: bool = False, check: bool | None = None) -> ParseResult:
    """$PARSE: defaults applied, logical names translated (first search-list elements).

    The device and directory are checked with dir_exists unless syntax_only (or check=False):
    RMS_DEV for a missing device, RMS_DNF for a missing directory. A node skips the check.
    """
    p, d, r, pd, base = _sources(spec, default, related, process_default)
    first = [next(_expand(s, translator, True)) for s in (p, d, r, pd)]
    result = _merge(*first, base, no_conceal)
    if check is None:
        check = not syntax_only
    if check and not result.spec.node:
        if dir_exists is None:
            raise TypeError("parse_spec needs dir_exists unless syntax_only")
        dirs = result.root if result.dir_wild else result.dirs
        if not dir_exists(result.device, dirs):
            raise cond.VMSError(cond.RMS_DNF)
    return result


def f_parse(spec: str, default: str = "", related: str = "", field: str = "",
            parse_type: str = "", *, process_default: ProcessDefault,
            translator: Translator | None = None, dir_exists: DirChecker | None = None) -> str:
    """F$PARSE(filespec, default, related, field, parse-type): the expanded string or one field;
    "" for bad syntax, a missing device or directory, or too many translations. The device and
    directory are not checked with a field or SYNTAX_ONLY. An unknown field or parse type
    raises ValueError (the DCL caller reports the keyword)."""
    key = field.strip().upper()
    kind = parse_type.strip().upper()
    if key and key not in FIELDS:
        raise ValueError(field)
    if kind and kind not in PARSE_TYPES:
        raise ValueError(parse_type)
    try:
        result = parse_spec(spec, default, related, process_default=process_default,
                            translator=translator, dir_exists=dir_exists,
                            no_conceal=kind == "NO_CONCEAL",
                            check=not key and kind != "SYNTAX_ONLY")
    except cond.VMSError:
        return ""
    return result.field(key) if key else result.text


# ---------------------------------------------------------------- SET DEFAULT
def resolve_set_default(arg: str, current: ProcessDefault,
                        translator: Translator | None = None) -> ProcessDefault:
    """The new process default for `SET DEFAULT arg` (device and directory as VMS keeps them).

    Does not check that the directory exists (SET DEFAULT sets it anyway; DCL then warns with
    INVDEF): check with parse_spec(new.text, process_default=new, ...). Raises RMS_SYN for a
    node, a file name, type or version, RMS_WLD for wildcards, RMS_DIR for `[-]` above the top.
    """
    fs = parse(arg)
    if fs.name and not fs.is_bare_name:
        raise _syntax()
    if fs.node or fs.type or fs.version:
        raise _syntax()
    if fs.name:
        if has_wild(fs.name) or "^" in fs.name:
            raise _syntax()
        fs = FileSpec(device=fs.name + ":")
    cur = _from_spec(_pd_source(current))
    src = _from_spec(fs)
    if src.device:
        t = next(_expand(src, translator, True))
        if t.node or t.name or t.type or t.version not in ("", ";"):
            raise _syntax()
        device, root, path = t.shown_device, t.shown_root, t.path
    else:
        device, root, path = current.device, _concat(cur.root, src.root), src.path
    base = cur.path.components if cur.path is not None else ()
    if path is None:
        path = DirSpec(parts=cur.path.parts if cur.path is not None else ("000000",))
    if path.wild:
        raise cond.VMSError(cond.RMS_WLD)
    path = path.resolve(base)
    return ProcessDefault(device, DirSpec(parts=path.parts, root=root).text)


__all__ = [
    "CONCEALED", "TERMINAL", "MAX_DEPTH", "ELLIPSIS", "FIELDS", "PARSE_TYPES",
    "Translator", "DirChecker", "DirSpec", "FileSpec", "ParseResult", "ProcessDefault",
    "parse", "parse_directory", "to_text", "parse_spec", "expand_spec", "f_parse",
    "resolve_set_default", "match_name", "match_directory", "match_version",
    "escape", "unescape", "has_wild",
]
