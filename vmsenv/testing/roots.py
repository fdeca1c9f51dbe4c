"""Fresh system roots for tests: what ``vmsenv init`` and ``vmsenv mount`` make, in one call.

``make_root(directory, dka200=None, node=None)`` initialises a root in ``directory`` (created when
missing) and, when ``dka200`` is given, creates that host directory and mounts it as the device
DKA200:.  It returns a ``VmsRoot``: the root's path, the DKA200: host directory, and
``host_path(name)`` to place files there.  A ``VmsRoot`` is path-like (``os.fspath`` gives the
root directory), so it can be passed wherever a root directory is expected, such as
``DclSession(root)`` or ``dcl --root``.

Host file names on a device are lower case (vmsenv.files): ``DKA200:[000000]MY_TEST.COM`` is
``<dka200>/my_test.com`` and ``DKA200:[TOOLS]A.COM`` is ``<dka200>/tools/a.com``; ``host_path``
lower-cases the name for that reason.

``dcl_output(root, *lines)`` runs command lines in a DCL interpreter of a new SYSTEM process of
the root, in this Python process (no terminal), and returns what they printed.

``add_account(root, name, uic, *flags, password=None)`` adds a SYSUAF account whose login
directory is ``SYS$SYSDEVICE:[NAME]`` (created), enabled (VMS's DEFAULT template is DISUSER),
with extra ``flags`` such as ``"DISMAIL"``; it returns the account.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from vmsenv import root as rootmod
from vmsenv import uaf


def dcl_output(root, *lines: str) -> str:
    """What the command lines print, run in-process as SYSTEM (see above)."""
    import io

    from vmsenv.dcl.interpreter import Interpreter
    from vmsenv.process import Process

    root = root if isinstance(root, rootmod.Root) else rootmod.Root(os.fspath(root))
    shell = Interpreter(Process(root), io.StringIO())
    try:
        for line in lines:
            shell.run_line(line)
        return shell.out.getvalue()
    finally:
        shell.process.logout()


def add_account(root, name: str, uic: tuple[int, int], *flags: str,
                password: str | None = None) -> uaf.Account:
    """A new, enabled account with its login directory SYS$SYSDEVICE:[NAME] (see above)."""
    root = root if isinstance(root, rootmod.Root) else rootmod.Root(os.fspath(root))
    changes = {"uic": uic, "directory": f"[{name}]",
               "flags": ((False, "DISUSER"),) + tuple((True, f) for f in flags)}
    if password is not None:
        changes["password"] = password
    uaf.add(root, name, changes)
    account = uaf.get(root, name)
    uaf.create_login_directory(root, account)
    return account


@dataclass(frozen=True)
class VmsRoot:
    """A system root made for a test."""

    path: Path                  # the root directory (``--root``)
    dka200: Path | None = None  # the host directory mounted as DKA200:, if any

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    def host_path(self, name: str) -> Path:
        """The host path of a file on DKA200: given relative to its top directory, such as
        ``"TEST.COM"`` or ``"tools/a.com"`` (names are lower-cased, as vmsenv stores them)."""
        if self.dka200 is None:
            raise ValueError("this root has no DKA200: device")
        return self.dka200 / name.lower()

    def write_file(self, name: str, text: str) -> Path:
        """Write a text file on DKA200: (directories created); returns its host path."""
        path = self.host_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="latin-1", newline="\n")
        return path


def make_root(directory: str | os.PathLike, dka200: str | os.PathLike | None = None,
              node: str | None = None) -> VmsRoot:
    """``vmsenv init directory`` (with ``--node``), then ``vmsenv mount DKA200: dka200``."""
    root = rootmod.init(Path(directory), node)
    mounted = None
    if dka200 is not None:
        mounted = Path(dka200)
        mounted.mkdir(parents=True, exist_ok=True)
        root.mount("DKA200:", mounted)
        mounted = mounted.resolve()
    return VmsRoot(root.path, mounted)
