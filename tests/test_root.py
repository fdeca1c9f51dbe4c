"""System roots: init, the checkout as a root, devices, and the `vmsenv` command."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vmsenv import condition as cond
from vmsenv import root as rootmod
from vmsenv.dcl.interpreter import Interpreter
from vmsenv.process import Process

REPO = Path(__file__).resolve().parent.parent


def vmsenv(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "vmsenv.cli", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


def test_init_creates_skeleton_and_is_idempotent(tmp_path):
    target = tmp_path / "r"
    root = rootmod.init(target)
    disk = target / "sys$sysdevice"
    for d in ("sys0/sysexe", "sys0/sysmgr", "sys0/sys$startup",
              "sys0/syscommon/sysexe", "sys0/syscommon/sys$startup"):
        assert (disk / d).is_dir(), d
    site = disk / "sys0" / "sys$startup" / "site.com"
    site.write_text("$ ! mine\n")
    proc = Process(root)
    proc.lnm.crelnm("SITE_NAME", [("kept", 0)], "LNM$SYSTEM")
    proc.logout()
    again = rootmod.init(target)
    assert site.read_text() == "$ ! mine\n"
    other = Process(again)
    try:
        assert other.lnm.trnlnm("SITE_NAME").values == (("kept", 0),)
    finally:
        other.logout()


def test_shipped_procedures_are_copied_to_common(tmp_path):
    shipped = sorted(p.name.lower() for p in (REPO / "sys$startup").glob("*.COM"))
    rootmod.init(tmp_path / "r")
    common = tmp_path / "r" / "sys$sysdevice" / "sys0" / "syscommon" / "sys$startup"
    assert sorted(p.name for p in common.iterdir()) == shipped


def test_checkout_is_a_ready_root(tmp_path):
    assert (REPO / "sys$sysdevice" / "vmsenv.root").is_file()
    tracked = subprocess.run(["git", "ls-files", "sys$sysdevice"], cwd=REPO,
                             capture_output=True, text=True).stdout.split()
    assert tracked == ["sys$sysdevice/vmsenv.root"]
    copy = tmp_path / "checkout"
    (copy / "sys$sysdevice").mkdir(parents=True)
    shutil.copy(REPO / "sys$sysdevice" / "vmsenv.root", copy / "sys$sysdevice")
    proc = Process(rootmod.Root(copy))      # opening it completes it, as init does
    try:
        assert proc.lnm.trnlnm("SYS$SYSTEM").values[0][0] == "SYS$SYSROOT:[SYSEXE]"
    finally:
        proc.logout()


def test_not_a_root_is_refused(tmp_path):
    with pytest.raises(cond.VMSError) as err:
        rootmod.Root(tmp_path)
    assert err.value.status == cond.VMSENV_NOTROOT
    result = vmsenv("status", "--root", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith("%VMSENV-F-NOTROOT, ")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "sys$sysdevice").exists()


def test_mount_dismount_and_show_devices(tmp_path):
    target = tmp_path / "r"
    assert vmsenv("init", str(target)).returncode == 0
    data = tmp_path / "data"
    data.mkdir()
    result = vmsenv("mount", "DKA200:", str(data), "--root", str(target))
    assert result.returncode == 0, result.stderr
    assert vmsenv("mount", "DKA200:", str(data), "--root", str(target)).stderr.startswith(
        "%SYSTEM-F-DEVMOUNT")
    bad = vmsenv("mount", "not a device", str(data), "--root", str(target))
    assert bad.returncode == 2 and bad.stderr.startswith("%SYSTEM-F-IVDEVNAM")
    root = rootmod.Root(target)
    assert root.devices()["DKA200"] == data.resolve()
    proc = Process(root)
    dcl = Interpreter(proc, io.StringIO())
    try:
        dcl.run_line("SHOW DEVICES")
        lines = dcl.out.getvalue().splitlines()
        assert lines[1].startswith("Device                  Device           Error")
        assert [line.split()[0] for line in lines[3:]] == ["DKA0:", "DKA200:"]
    finally:
        proc.logout()
    assert vmsenv("dismount", "DKA200:", "--root", str(target)).returncode == 0
    assert "DKA200" not in rootmod.Root(target).devices()
    assert vmsenv("dismount", "DKA200:", "--root", str(target)).stderr.startswith(
        "%SYSTEM-F-DEVNOTMOUNT")


def test_files_stay_inside_devices(tmp_path):
    root = rootmod.init(tmp_path / "r")
    (tmp_path / "secret.txt").write_text("no")
    disk = tmp_path / "r" / "sys$sysdevice"
    (disk / "escape").symlink_to(tmp_path)
    proc = Process(root)
    try:
        pd = proc.process_default()
        for spec in ("DKA0:[ESCAPE]SECRET.TXT", "DKA0:[-]SECRET.TXT", "DKA0:[^.^.]SECRET.TXT"):
            with pytest.raises(cond.VMSError):
                proc.files.lookup(spec, process_default=pd)
    finally:
        proc.logout()


def test_node_names_are_checked(tmp_path):
    with pytest.raises(cond.VMSError):
        rootmod.init(tmp_path / "r", node="bad node")
    assert not (tmp_path / "r").exists()            # bad input changes nothing
    assert rootmod.init(tmp_path / "r", node="vax1").node == "VAX1"
