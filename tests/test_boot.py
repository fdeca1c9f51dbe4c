"""vmsenv boot, status and shutdown."""

from __future__ import annotations

import datetime as _dt
import subprocess
import sys

from vmsenv import boot, hostproc, images, vmstime
from vmsenv.processes import Registry

STARTUP = """\
$ ! a site startup that starts a long-running detached process
$ DEFINE/SYSTEM/NOLOG BOOTED_AS "''F$MODE()' ''F$GETJPI("","PRCNAM")'"
$ RUN/DETACHED/PROCESS_NAME=LOOPER/INPUT=SYS$MANAGER:LOOP.COM/OUTPUT=SYS$MANAGER:LOOP.LOG -
      SYS$SYSTEM:LOGINOUT.EXE
"""


def vmsenv(root, *args, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vmsenv.cli", *args, "--root", str(root.path)],
                          capture_output=True, text=True, timeout=timeout)


def site(root, startup: str = STARTUP) -> None:
    (root.sysdevice / "sys0" / "sys$startup" / "systartup_vms.com").write_text(startup)
    (root.sysdevice / "sys0" / "sysmgr" / "loop.com").write_text("$ WAIT 00:02:00\n")


def test_boot_status_and_shutdown_leave_no_process_behind(root):
    site(root)
    (root.sysdevice / "sys0" / "sysmgr" / "syshutdwn.com").write_text(
        '$ WRITE SYS$OUTPUT "site shutdown as ", F$GETJPI("","PRCNAM")\n')
    result = vmsenv(root, "boot")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("%STDRV-I-STARTUP, OpenVMS startup begun at ")
    assert lines[1:4] == ["", "The OpenVMS system is now executing the site-specific startup "
                          "commands.", ""]
    assert lines[4].startswith("%RUN-S-PROC_ID, identification of created process is ")
    looper = Registry(root.store).get(int(lines[4].split()[-1], 16))
    assert looper is not None and looper.name == "LOOPER" and looper.mode == "OTHER"
    booted = boot.booted_at(root)
    assert booted is not None
    assert abs(vmstime.current_time() - booted) < _dt.timedelta(minutes=1)
    assert boot.boot_time(root) == booted
    assert root.store.get_config("boot_time") == vmstime.format_absolute(booted)

    status = vmsenv(root, "status")
    assert status.returncode == 0, status.stderr
    assert f"Booted: {vmstime.format_ftime(booted)}" in status.stdout
    assert "  Pid    Process Name    State  Pri" in status.stdout
    row = next(line for line in status.stdout.splitlines() if line.startswith(f"{looper.pid:08X}"))
    assert row[9:24] == "LOOPER         "
    assert "Uptime  0 00:0" in status.stdout

    down = vmsenv(root, "shutdown")
    assert down.returncode == 0, down.stdout + down.stderr
    assert down.stdout.splitlines() == [
        "site shutdown as SHUTDOWN",
        "%SHUTDOWN-I-STOPUSER, all user processes will now be stopped",
        "SYSTEM SHUTDOWN COMPLETE"]
    assert not hostproc.alive(looper.os_pid, looper.os_start)
    assert Registry(root.store).all() == []
    assert boot.booted_at(root) is None
    assert "Booted: no" in vmsenv(root, "status").stdout


def test_boot_twice_is_harmless(root):
    site(root)
    try:
        first = vmsenv(root, "boot")
        assert first.returncode == 0, first.stdout + first.stderr
        second = vmsenv(root, "boot")
        assert second.returncode == 0
        assert second.stdout.startswith(f"%VMSENV-I-BOOTED, node {root.node} is already booted")
        assert "%STDRV" not in second.stdout
        names = [p.name for p in Registry(root.store).all()]
        assert names == ["LOOPER"]
    finally:
        assert vmsenv(root, "shutdown").returncode == 0
    assert Registry(root.store).all() == []
    # after a shutdown the system boots again
    again = vmsenv(root, "boot")
    assert again.stdout.startswith("%STDRV-I-STARTUP")
    assert vmsenv(root, "shutdown").returncode == 0


def test_templates_are_made_once_and_never_overwritten(root):
    startup = root.sysdevice / "sys0" / "sys$startup" / "systartup_vms.com"
    shutdown = root.sysdevice / "sys0" / "sysmgr" / "syshutdwn.com"
    result = vmsenv(root, "boot")
    assert result.returncode == 0, result.stdout + result.stderr
    assert startup.read_text() == boot.STARTUP_TEMPLATE
    assert shutdown.read_text() == boot.SHUTDOWN_TEMPLATE
    assert all(line.startswith("$ ") for line in boot.STARTUP_TEMPLATE.splitlines())
    # the template starts SSL, installs its two images and tries POP (not enabled here)
    assert "%TCPIP-E-POPNOTENABLED" in result.stdout
    known = [spec for _, spec, _, _ in images.known(root)]
    assert [s.rsplit("]", 1)[1] for s in known] == ["SSL$LIBCRYPTO_SHR32.EXE",
                                                     "SSL$LIBSSL_SHR.EXE"]
    down = vmsenv(root, "shutdown")
    # the template's SYSHUTDWN.COM runs the POP shutdown (harmless when POP does not run)
    assert down.returncode == 0 and down.stdout.splitlines()[:3] == [
        "%TCPIP-I-POPSITE, running SYS$SYSROOT:[SYS$STARTUP]TCPIP$POP_SYSHUTDOWN.COM;1",
        "%TCPIP-I-POPNOTRUN, the POP server is not running",
        "%SHUTDOWN-I-STOPUSER, all user processes will now be stopped"]
    assert images.known(root) == []         # known images do not survive a reboot
    startup.write_text('$ WRITE SYS$OUTPUT "mine"\n')
    shutdown.unlink()
    result = vmsenv(root, "boot")
    assert result.stdout.splitlines()[-1] == "mine"
    assert startup.read_text() == '$ WRITE SYS$OUTPUT "mine"\n'
    assert shutdown.read_text() == boot.SHUTDOWN_TEMPLATE
    assert vmsenv(root, "shutdown").returncode == 0


def test_a_failing_startup_still_boots(root):
    site(root, "$ FROBNICATE\n")
    result = vmsenv(root, "boot")
    assert result.returncode == 1
    assert "%DCL-W-IVVERB" in result.stdout
    assert boot.booted_at(root) is not None
    assert vmsenv(root, "shutdown").returncode == 0
