"""A system root: the directory that holds one emulated VMS system.

Layout under the root:
    sys$sysdevice/            the system disk, device DKA0:
      vmsenv.root             marks the directory as a root (kept in git: the checkout is a root)
      vmsenv.db               the shared database (logical names, devices, configuration)
      vmsenv.gen              the change counter of the shared logical names (see lnm/store.py)
      sys0/                   [SYS0.], this node's specific root (SYS$SPECIFIC)
        syscommon/            [SYS0.SYSCOMMON.], the common root (SYS$COMMON)
    sys$startup/              (in the source tree) the procedures shipped with vmsenv; init copies
                              them into SYS$COMMON:[SYS$STARTUP]. Site files go to
                              SYS$SPECIFIC:[SYS$STARTUP], first in the SYS$STARTUP search list,
                              and are never overwritten.
    sys$startup/ssl$com/      (in the source tree) the SSL kit's procedures (SSL$CERT_TOOL.COM);
                              init copies them into SYS$COMMON:[SSL.COM], the directory SSL$COM
                              names once SYS$STARTUP:SSL$STARTUP.COM has run.

Further devices are host directories mounted with `vmsenv mount DKA200: /some/dir`; the mount
table lives in the shared database. Host names on disk are lower case (see files.py).

Opening a root that has its marker but no database (a fresh checkout) creates the database
and the system logical names, exactly as init does; both are idempotent and safe when several
processes open a fresh root at once.
"""

from __future__ import annotations

import copy
import re
import shutil
import socket
import threading
from pathlib import Path

from vmsenv import condition as cond
from vmsenv import images
from vmsenv.lnm import bootstrap
from vmsenv.lnm.store import SharedStore

SYSDEVICE = "sys$sysdevice"
MARKER = "vmsenv.root"
MARKER_TEXT = ("This directory is the system disk (DKA0:) of a vmsenv system root.\n"
               "Runtime files here are created by vmsenv and ignored by git.\n")
SHIPPED_STARTUP = Path(__file__).resolve().parent.parent / "sys$startup"
SHIPPED_SSL_COM = SHIPPED_STARTUP / "ssl$com"
# shipped procedure directory -> its directory under the common root
SHIPPED_PROCEDURES = ((SHIPPED_STARTUP, ("sys$startup",)), (SHIPPED_SSL_COM, ("ssl", "com")))
_DEVICE_RE = re.compile(r"^_?([A-Z][A-Z0-9$_]*?[0-9]+):?$")


def default_node_name() -> str:
    """The host name, upper-cased, letters and digits only, at most 6 characters."""
    name = "".join(c for c in socket.gethostname().split(".")[0].upper() if c.isalnum())
    if not name or not name[0].isalpha():
        name = "VMS" + name
    return name[:6]


def device_name(text: str) -> str:
    """Canonical device name without colon (DKA200) or VMSError(SS$_IVDEVNAM)."""
    m = _DEVICE_RE.match(text.strip().upper())
    if not m:
        raise cond.VMSError(cond.SS_IVDEVNAM)
    return m.group(1)


class Root:
    """An opened system root."""

    def __init__(self, path: Path | str):
        self.path = Path(path).resolve()
        self.sysdevice = self.path / SYSDEVICE
        if not (self.sysdevice / MARKER).is_file():
            raise cond.VMSError(cond.VMSENV_NOTROOT, str(self.path))
        self.db_path = self.sysdevice / "vmsenv.db"
        self.gen_path = self.sysdevice / "vmsenv.gen"
        self._store: SharedStore | None = None
        _ensure_system(self)

    @property
    def store(self) -> SharedStore:
        if self._store is None:
            self._store = SharedStore(self.db_path, self.gen_path)
        return self._store

    # ------------------------------------------------------------ configuration
    def config(self, key: str, default: str | None = None) -> str | None:
        return self.store.get_config(key, default)

    def set_config(self, key: str, value: str) -> None:
        def work(db):
            db.execute("INSERT OR REPLACE INTO config VALUES (?, ?)", (key, value))
        self.store.change(work)

    @property
    def node(self) -> str:
        return self.config("node") or default_node_name()

    # ------------------------------------------------------------ devices
    def devices(self) -> dict[str, Path]:
        """Physical device name -> host directory, the system disk first."""
        result = {bootstrap.SYSTEM_DISK: self.sysdevice}
        rows = self.store.db.execute(
            "SELECT key, value FROM config WHERE key LIKE 'device:%' ORDER BY key").fetchall()
        for key, value in rows:
            result[key.split(":", 1)[1]] = Path(value)
        return result

    def mount(self, device: str, hostdir: str | Path) -> str:
        name = device_name(device)
        if name == bootstrap.SYSTEM_DISK:
            raise cond.VMSError(cond.SS_DEVMOUNT)
        target = Path(hostdir).resolve()
        if not target.is_dir():
            raise cond.VMSError(cond.SS_NOSUCHDEV)
        if name in self.devices():
            raise cond.VMSError(cond.SS_DEVMOUNT)
        self.set_config(f"device:{name}", str(target))
        return name

    def dismount(self, device: str) -> str:
        name = device_name(device)
        if name == bootstrap.SYSTEM_DISK or name not in self.devices():
            raise cond.VMSError(cond.SS_DEVNOTMOUNT)

        def work(db):
            db.execute("DELETE FROM config WHERE key = ?", (f"device:{name}",))
        self.store.change(work)
        return name


class ThreadRoots:
    """One copy of a Root per thread, each with its own SharedStore (database connection), so
    that SYSUAF, OPCOM, mail and other shared-database calls can be made from any thread."""

    def __init__(self, root: Root):
        self._root = root
        self._local = threading.local()

    def get(self) -> Root:
        view = getattr(self._local, "root", None)
        if view is None:
            view = copy.copy(self._root)
            view._store = SharedStore(self._root.db_path, self._root.gen_path)
            self._local.root = view
        return view


def init(path: Path | str, node: str | None = None) -> Root:
    """Create (or complete) a root at path. Never overwrites site files. A node name is 1 to 6
    letters, digits, $ or _ (an SCSNODE name)."""
    if node is not None and not re.fullmatch(r"[A-Za-z0-9$_]{1,6}", node):
        raise cond.VMSError(cond.SS_BADPARAM)
    path = Path(path)
    sysdevice = path / SYSDEVICE
    sysdevice.mkdir(parents=True, exist_ok=True)
    marker = sysdevice / MARKER
    if not marker.exists():
        marker.write_text(MARKER_TEXT)
    root = Root(path)
    if node:
        root.set_config("node", node.upper())
    return root


def _ensure_system(root: Root) -> None:
    """The skeleton directories, the shipped procedures and the system names, once."""
    specific = root.sysdevice / "sys0"
    common = specific / "syscommon"
    for base in (specific, common):
        for directory in bootstrap.ROOT_DIRECTORIES:
            (base / directory.lower()).mkdir(parents=True, exist_ok=True)
    images.write_system_images(common)
    for shipped, where in SHIPPED_PROCEDURES:
        if not shipped.is_dir():
            continue
        for source in shipped.iterdir():
            if source.is_file() and source.suffix.upper() == ".COM":
                target = common.joinpath(*where, source.name.lower())
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.exists() or target.read_bytes() != source.read_bytes():
                    shutil.copyfile(source, target)
    store = root.store
    if store.get_config("initialized") == "1":
        _ensure_accounts(root)
        return
    node = store.get_config("node") or default_node_name()

    def work(db):
        if db.execute("SELECT 1 FROM config WHERE key = 'initialized'").fetchone():
            return
        for entry in bootstrap.directory_entries() + bootstrap.system_names(node):
            SharedStore.put(db, entry)
        db.execute("INSERT OR REPLACE INTO config VALUES ('node', ?)", (node,))
        db.execute("INSERT OR REPLACE INTO config VALUES ('initialized', '1')")
    store.change(work)
    _ensure_accounts(root)


def _ensure_accounts(root: Root) -> None:
    from vmsenv import uaf

    uaf.ensure_defaults(root)


