"""Images, RUN, MCR, INSTALL and detached processes."""

from __future__ import annotations

import io
import subprocess
import time

from vmsenv import images
from vmsenv.dcl.interpreter import Interpreter
from vmsenv.process import Process


def session(root, privileges=None):
    return Interpreter(Process(root, privileges=privileges), io.StringIO())


def out(dcl, *lines):
    dcl.out.seek(0)
    dcl.out.truncate()
    for line in lines:
        dcl.run_line(line)
    return dcl.out.getvalue()


def probe(root) -> None:
    sysexe = root.sysdevice / "sys0" / "syscommon" / "sysexe"
    (sysexe / "probe.exe").write_text(f"{images.HEADER} image_probe:image_main\n")


def test_missing_image(root):
    dcl = session(root)
    assert out(dcl, "RUN NOSUCH") == (
        "%DCL-W-ACTIMAGE, error activating image NOSUCH\n"
        "-CLI-E-IMAGEFNF, image file not found SYS$SYSROOT:[SYSMGR]NOSUCH.EXE;\n")
    assert dcl.lookup_symbol("$STATUS") == "%X100388B2"


def test_shareable_image_is_not_a_program(root):
    dcl = session(root)
    text = out(dcl, "RUN SYS$LIBRARY:SSL$LIBSSL_SHR")
    assert text.startswith("%DCL-W-ACTIMAGE, error activating image SYS$LIBRARY:SSL$LIBSSL_SHR\n")


def test_mcr_and_installed_privileges(root):
    probe(root)
    dcl = session(root, privileges={"TMPMBX", "CMKRNL"})
    assert out(dcl, "MCR PROBE show me") == (
        "privileges=CMKRNL,TMPMBX\nargs=show me\ninput=\n")
    assert out(dcl, "INSTALL ADD SYS$SYSTEM:PROBE.EXE/PRIVILEGED=(SYSPRV,BYPASS)") == ""
    assert out(dcl, "RUN SYS$SYSTEM:PROBE").startswith(
        "privileges=BYPASS,CMKRNL,SYSPRV,TMPMBX\n")
    assert dcl.process.privileges == {"TMPMBX", "CMKRNL"}
    assert "PROBE.EXE;1 Prv" in out(dcl, "INSTALL LIST")
    assert out(dcl, "INSTALL ADD SYS$SYSTEM:PROBE").startswith("%INSTALL-W-FILEXISTS, ")
    out(dcl, "INSTALL REMOVE DKA0:[SYS0.SYSCOMMON.SYSEXE]PROBE.EXE")
    assert out(dcl, "RUN SYS$SYSTEM:PROBE").startswith("privileges=CMKRNL,TMPMBX\n")
    assert out(dcl, "INSTALL REMOVE SYS$SYSTEM:PROBE").startswith("%INSTALL-E-NOKFEFND")


def test_install_needs_cmkrnl(root):
    dcl = session(root, privileges={"SYSPRV"})
    assert out(dcl, "INSTALL LIST") == (
        "%SYSTEM-F-NOPRIV, insufficient privilege or object protection violation\n")


def test_image_reads_data_lines_of_a_procedure(root, tmp_path):
    probe(root)
    (root.sysdevice / "sys0" / "sysmgr" / "feed.com").write_text(
        "$ RUN SYS$SYSTEM:PROBE\nfirst data line\n$ WRITE SYS$OUTPUT \"after\"\n")
    dcl = session(root)
    assert out(dcl, "@FEED").endswith("input=first data line\nafter\n")


def test_detached_procedure_outlives_its_creator(root):
    mgr = root.sysdevice / "sys0" / "sysmgr"
    (mgr / "late.com").write_text(
        "$ WAIT 00:00:01.00\n"
        "$ DEFINE/SYSTEM DETACHED_RESULT \"''F$MODE()' ''F$ENVIRONMENT(\"PROCEDURE\")'\"\n")
    result = subprocess.run(
        ["dcl", "--root", str(root.path), "-c",
         "RUN/DETACHED/PROCESS_NAME=LATE/INPUT=LATE.COM/OUTPUT=LATE.LOG/AUTHORIZE "
         "SYS$SYSTEM:LOGINOUT.EXE"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("%RUN-S-PROC_ID, identification of created process is ")
    pid = int(result.stdout.split()[-1], 16)
    watcher = Process(root)
    try:
        found = watcher.registry.get(pid)
        assert found is not None and found.name == "LATE" and found.mode == "OTHER"
        deadline = time.monotonic() + 30
        while watcher.lnm.trnlnm("DETACHED_RESULT") is None:
            assert time.monotonic() < deadline, (mgr / "late.log").read_text()
            time.sleep(0.05)
        value = watcher.lnm.trnlnm("DETACHED_RESULT").values[0][0]
        assert value == "OTHER SYS$SYSROOT:[SYSMGR]LATE.COM;1"
        while watcher.registry.get(pid) is not None:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        watcher.logout()


def test_authorize_takes_the_account_of_the_uic(root):
    home = root.sysdevice / "tcpip$pop"
    (home / "who.com").write_text(
        "$ DEFINE/JOB/NOLOG X Y\n"
        "$ OPEN/WRITE F SYS$LOGIN:WHO.TXT\n"
        "$ WRITE F F$EDIT(F$GETJPI(\"\",\"USERNAME\"),\"TRIM\"), \" \", F$ENVIRONMENT(\"DEFAULT\")\n"
        "$ CLOSE F\n")
    result = subprocess.run(
        ["dcl", "--root", str(root.path), "-c",
         "RUN/DETACHED/AUTHORIZE/UIC=[3655,2]/INPUT=SYS$SYSDEVICE:[TCPIP$POP]WHO.COM "
         "SYS$SYSTEM:LOGINOUT.EXE"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    deadline = time.monotonic() + 30
    while not (home / "who.txt").exists() or not (home / "who.txt").read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.2)
    assert (home / "who.txt").read_text() == "TCPIP$POP SYS$SYSDEVICE:[TCPIP$POP]\n"


def test_foreign_command(root):
    probe(root)
    dcl = session(root, privileges={"TMPMBX"})
    assert out(dcl, 'PR*OBE :== $PROBE', "PROB one Two") == (
        "privileges=TMPMBX\nargs=ONE TWO\ninput=\n")
    assert out(dcl, 'X == "$SYS$SYSTEM:PROBE.EXE"', 'X   "quoted  arg"  two') == (
        'privileges=TMPMBX\nargs="quoted  arg" TWO\ninput=\n')
    assert out(dcl, "Y :== $NOSUCH", "Y").startswith("%DCL-W-ACTIMAGE")


def test_a_stopped_detached_process_keeps_its_log(root):
    mgr = root.sysdevice / "sys0" / "sysmgr"
    (mgr / "up.com").write_text('$ WRITE SYS$OUTPUT "up"\n$ WAIT 00:10:00\n')
    dcl = session(root)
    text = out(dcl, "RUN/DETACHED/PROCESS_NAME=UPPER/INPUT=UP.COM/OUTPUT=UP.LOG "
                    "SYS$SYSTEM:LOGINOUT")
    assert text.startswith("%RUN-S-PROC_ID")
    log = mgr / "up.log"
    deadline = time.monotonic() + 30
    while "up" not in log.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    out(dcl, "STOP UPPER")
    while dcl.process.registry.by_name("UPPER") is not None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert log.read_text() == "up\n"
    assert out(dcl, "RUN/DETACHED/PROCESS_NAME=ABCDEFGHIJKLMNOP/INPUT=UP.COM "
                    "SYS$SYSTEM:LOGINOUT").startswith("%SYSTEM-F-IVLOGNAM")


def test_detached_error_file_gets_the_messages(root):
    mgr = root.sysdevice / "sys0" / "sysmgr"
    (mgr / "bad.com").write_text('$ SET NOON\n$ WRITE SYS$OUTPUT "before"\n$ NOSUCHVERB\n'
                                 '$ DEFINE/SYSTEM/NOLOG BAD_DONE 1\n')
    dcl = session(root)
    assert out(dcl, "RUN/DETACHED/INPUT=BAD.COM/OUTPUT=BAD.LOG/ERROR=BAD.ERR "
                    "SYS$SYSTEM:LOGINOUT").startswith("%RUN-S-PROC_ID")
    deadline = time.monotonic() + 30
    while dcl.process.lnm.trnlnm("BAD_DONE") is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.3)
    ivverb = "%DCL-W-IVVERB, unrecognized command verb - check validity and spelling\n"
    assert (mgr / "bad.log").read_text() == "before\n" + ivverb + " \\NOSUCHVERB\\\n"
    assert (mgr / "bad.err").read_text() == ivverb + " \\NOSUCHVERB\\\n"
