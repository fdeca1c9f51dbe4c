"""Shared fixtures.

- ``root`` and ``process``: every test gets its own system root in a temporary directory, and
  a process of it.
- In-process interpreters: ``fake_process`` (a process without a system root) and the command
  runners ``run`` (the text command lines write) and ``output`` (the lines they write).
- Real OS processes: ``programs`` (this installation's ``dcl`` and ``vmsenv`` commands),
  ``root_dir`` (a root made by the ``vmsenv init`` command) and ``spawn_dcl`` (an interactive
  ``dcl`` on a pseudo-terminal, ended after the test).  Where a test drives a session rather
  than the terminal's bytes, vmsenv.testing's DclSession serves instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pexpect
import pytest

from vmsenv import condition as C
from vmsenv import root as rootmod
from vmsenv.condition import VMSError
from vmsenv.process import Process


@pytest.fixture
def root(tmp_path):
    return rootmod.init(tmp_path / "root")


@pytest.fixture
def process(root):
    proc = Process(root)
    yield proc
    proc.logout()


# ------------------------------------------------------------------------ in-process interpreters
class FakeNames:
    """A process's logical names as far as the interpreter uses them: image rundowns, counted."""

    def __init__(self):
        self.rundowns = 0

    def image_rundown(self):
        self.rundowns += 1

    def trnlnm(self, name, *args, **kwargs):
        return None   # no name is defined: SYS$OUTPUT and the others are not redirected


class FakeProcess:
    """What the interpreter uses of a process, without a system root: PID %X2A, a user, its
    privileges, a default directory and, when given a host directory, file specifications as
    the names of files in it (``X`` with the default type, ``DKA0:[TEST]X.COM;1``)."""

    pid = 0x2A
    terminal = ""   # none: the permanent files are not a terminal

    def __init__(self, directory: Path | None = None, *, username: str = "SYSTEM",
                 privileges=(), default: str = "DKA0:[TEST]"):
        self.directory = directory
        self.username = username
        self.privileges = set(privileges)
        self.default = default
        self.lnm = FakeNames()

    def default_spec(self):
        return self.default

    def resolve_file(self, spec, default_type="", for_write=False):
        name = spec if "." in spec else spec + default_type
        path = self.directory / name.lower()
        if not for_write and not path.exists():
            missing = VMSError(C.RMS_FNF)
            missing.spec = f"DKA0:[TEST]{name.upper()};"   # as files.FileError carries it
            raise missing
        if for_write and spec.upper().startswith("[.NOSUCH]"):
            missing = VMSError(C.RMS_DNF)
            missing.spec = f"DKA0:[TEST.NOSUCH]{name[9:].upper()};"
            raise missing
        return f"DKA0:[TEST]{name.upper()};1", path


@pytest.fixture(scope="session")
def fake_process():
    """``fake_process(directory=None, username="SYSTEM", privileges=(),
    default="DKA0:[TEST]")``: a process for an Interpreter that needs no system root."""
    return FakeProcess


def _written(dcl, commands) -> str:
    start = len(dcl.out.getvalue())
    for command in commands:
        dcl.run_line(command)
    return dcl.out.getvalue()[start:]


@pytest.fixture(scope="session")
def run():
    """``run(dcl, *commands) -> str``: run command lines in an Interpreter whose output is an
    io.StringIO; the text they write."""
    return lambda dcl, *commands: _written(dcl, commands)


@pytest.fixture(scope="session")
def output():
    """``output(dcl, *commands) -> list[str]``: as ``run``, the lines they write."""
    return lambda dcl, *commands: _written(dcl, commands).splitlines()


# ------------------------------------------------------------------------ real OS processes
INIT_TIMEOUT = 20


def _program(name: str) -> list[str]:
    """The installed console script, or the module run by this interpreter."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return [str(beside)]
    found = shutil.which(name)
    if found:
        return [found]
    module = {"dcl": "vmsenv.dcl.cli", "vmsenv": "vmsenv.cli"}[name]
    return [sys.executable, "-m", module]


@dataclass(frozen=True)
class Programs:
    """This installation's ``dcl`` and ``vmsenv`` commands (argument vectors) and the
    environment they run in (this one without VMSENV_ROOT)."""

    dcl: list[str]
    vmsenv: list[str]
    env: dict[str, str]

    def run(self, argv: list[str], cwd, timeout: float, **kwargs) -> subprocess.CompletedProcess:
        """Run a command to its end, its output captured as text (stdin empty unless
        ``input`` is given)."""
        if "input" not in kwargs:
            kwargs.setdefault("stdin", subprocess.DEVNULL)
        return subprocess.run(argv, cwd=cwd, env=self.env, capture_output=True, text=True,
                              timeout=timeout, **kwargs)

    def spawn_dcl(self, root_dir: Path, *, timeout: float, cwd=None, env=None,
                  **kwargs) -> pexpect.spawn:
        """An interactive ``dcl --root root_dir`` on a pseudo-terminal, started in cwd (the
        root's parent directory by default); env replaces the environment."""
        return pexpect.spawn(self.dcl[0], self.dcl[1:] + ["--root", str(root_dir)],
                             cwd=str(root_dir.parent if cwd is None else cwd),
                             env=self.env if env is None else env, timeout=timeout, **kwargs)


@pytest.fixture(scope="session")
def programs() -> Programs:
    return Programs(_program("dcl"), _program("vmsenv"),
                    {k: v for k, v in os.environ.items() if k != "VMSENV_ROOT"})


@pytest.fixture
def root_dir(programs, tmp_path: Path) -> Path:
    """A fresh root made by the ``vmsenv init`` command."""
    path = tmp_path / "root"
    done = programs.run(programs.vmsenv + ["init", str(path)], tmp_path, INIT_TIMEOUT)
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture
def spawn_dcl(programs):
    """``spawn_dcl(root_dir, timeout=..., **spawn options)``: Programs.spawn_dcl, the children
    ended (if still running) after the test."""
    children: list[pexpect.spawn] = []

    def spawn(root_dir: Path, **kwargs) -> pexpect.spawn:
        child = programs.spawn_dcl(root_dir, **kwargs)
        children.append(child)
        return child

    yield spawn
    for child in children:
        if child.isalive():
            child.terminate(force=True)
