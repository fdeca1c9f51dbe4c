"""Images: executable files `NAME.EXE` that name a Python entry point, and running them.

On the host an image is a small text file whose first line is

    VMSENV-IMAGE module:function

(a shareable image: `VMSENV-SHAREABLE name`). `vmsenv init` writes the project's images into
SYS$COMMON:[SYSEXE] and the shareable images the POP chapter names into SYS$COMMON:[SYSLIB]; a
site may add its own. Running an image calls `function(ctx)` with an ImageContext and takes
the returned integer as the image's exit status (None counts as SS$_NORMAL).

Known images (INSTALL) live in the shared database, keyed by the image file itself (its host
path), so that every specification of the same file finds the entry: a privileged known image
runs with its installed privileges added to the process's for the time of the image, as on VMS.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from vmsenv import condition as cond

HEADER = "VMSENV-IMAGE"
SHAREABLE = "VMSENV-SHAREABLE"

# The images vmsenv puts on the system disk: directory (under the common root) -> name -> entry.
SYSTEM_IMAGES = {
    "sysexe": {
        "AUTHORIZE": "vmsenv.authorize:image_main",
        "LOGINOUT": "vmsenv.loginout:image_main",
        "MAIL": "vmsenv.mail.utility:image_main",
        "SSL$CERT": "vmsenv.sslcert:image_main",
        "TCPIP$POP_SERVER": "popserver.server:image_main",
    },
}
SHAREABLE_IMAGES = {
    "syslib": ("SSL$LIBCRYPTO_SHR32", "SSL$LIBSSL_SHR"),
}

KNOWN_SCHEMA = """
CREATE TABLE IF NOT EXISTS known_images (
    path       TEXT PRIMARY KEY,
    spec       TEXT NOT NULL,
    privileges TEXT NOT NULL DEFAULT '',
    flags      TEXT NOT NULL DEFAULT ''
);
"""


@dataclass
class ImageContext:
    """What a running image gets: its process, its command line, SYS$INPUT and SYS$OUTPUT."""

    process: object
    image: str                    # the full VMS specification of the image
    args: str = ""                # the rest of the command line (MCR, foreign commands)
    stdin: TextIO | None = None
    stdout: TextIO | None = None
    dcl: object | None = None     # the interpreter that ran the image, when there is one
    extra: dict = field(default_factory=dict)

    def write(self, line: str) -> None:
        self.stdout.write(line + "\n")


def write_system_images(common: Path) -> None:
    """The image files of the project and the shareable images, under the common root."""
    for directory, images in SYSTEM_IMAGES.items():
        for name, entry in images.items():
            _write(common / directory / f"{name.lower()}.exe", f"{HEADER} {entry}\n")
    for directory, names in SHAREABLE_IMAGES.items():
        for name in names:
            _write(common / directory / f"{name.lower()}.exe", f"{SHAREABLE} {name}\n")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def read_entry(path: Path) -> str:
    """The entry point `module:function` an image file names; IMAGEFNF-style errors as
    VMSError when the file is not an image."""
    try:
        with open(path, "rb") as f:
            first = f.readline(512).decode("ascii", "replace").strip()
    except OSError:
        raise cond.VMSError(cond.RMS_FNF) from None
    if not first.startswith(HEADER + " "):
        raise cond.VMSError(cond.CLI_IMGNAME if first.startswith(SHAREABLE) else cond.RMS_IOP)
    return first[len(HEADER) + 1:].strip()


def load(entry: str):
    module_name, _, function = entry.partition(":")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, function)
    except (ImportError, AttributeError):
        raise cond.VMSError(cond.RMS_IOP) from None


def run(ctx: ImageContext, path: Path) -> int:
    """Run an image in the calling process, with any installed privileges for its duration."""
    main = load(read_entry(path))
    process = ctx.process
    added = installed_privileges(process.root, path) - process.privileges
    process.privileges |= added
    registry = getattr(process, "registry", None)
    if registry is not None:
        registry.update(process.pid, image=ctx.image)
    try:
        status = main(ctx)
    finally:
        process.privileges -= added
        if registry is not None:
            registry.update(process.pid, image="")
    return cond.SS_NORMAL if status is None else int(status)


# ------------------------------------------------------------------------------ known images
def _db(root):
    db = root.store.db
    db.executescript(KNOWN_SCHEMA)
    return db


def _key(path) -> str:
    return str(Path(path).resolve())


def install(root, path, spec: str, privileges: set[str], flags: set[str],
            replace: bool) -> bool:
    """Add (or replace) a known image; False when it is already known and replace is False."""
    _db(root)
    key = _key(path)

    def work(tx):
        exists = tx.execute("SELECT 1 FROM known_images WHERE path = ?", (key,)).fetchone()
        if exists and not replace:
            return False
        tx.execute("INSERT OR REPLACE INTO known_images VALUES (?, ?, ?, ?)",
                   (key, spec.split(";", 1)[0], ",".join(sorted(privileges)),
                    ",".join(sorted(flags))))
        return True
    return root.store.change(work)


def remove(root, path) -> bool:
    _db(root)

    def work(tx):
        return tx.execute("DELETE FROM known_images WHERE path = ?", (_key(path),)).rowcount > 0
    return root.store.change(work)


def known(root) -> list[tuple[str, str, set[str], set[str]]]:
    """(host path, specification, privileges, flags) of every known image."""
    rows = _db(root).execute("SELECT path, spec, privileges, flags FROM known_images "
                             "ORDER BY spec")
    return [(p, s, set(filter(None, v.split(","))), set(filter(None, f.split(","))))
            for p, s, v, f in rows.fetchall()]


def forget_known(root) -> None:
    """Empty the known-file list, as a reboot does (vmsenv shutdown)."""
    _db(root)

    def work(tx):
        tx.execute("DELETE FROM known_images")
    root.store.change(work)


def is_known(root, path) -> bool:
    row = _db(root).execute("SELECT 1 FROM known_images WHERE path = ?", (_key(path),))
    return row.fetchone() is not None


def installed_privileges(root, path) -> set[str]:
    row = _db(root).execute("SELECT privileges FROM known_images WHERE path = ?",
                            (_key(path),)).fetchone()
    return set(filter(None, row[0].split(","))) if row else set()
