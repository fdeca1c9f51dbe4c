"""Logical names shared between real `dcl` processes.

Every test starts real OS processes (`vmsenv init`, `vmsenv mount`, `dcl`) on a root of its own
in tmp_path, waits for each with a timeout and stops whatever is still running at the end:
- a DEFINE/SYSTEM (and a DEASSIGN/SYSTEM, and a supersede) in one `dcl -c` is seen by F$TRNLNM
  in a long-lived interactive `dcl` driven through a pseudo-terminal, and the other way round;
- 8 `dcl` procedures started at once, 200 DEFINE/SYSTEM each: none of the 1600 names is lost
  and the database passes PRAGMA integrity_check;
- the exit status follows the final $STATUS; a directory that is not a root gives a VMS message
  on standard error and exit status 2, never a traceback;
- without privileges, DEFINE/SYSTEM gives %SYSTEM-F-NOPRIV and the shared tables stay as they
  were.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from vmsenv import root as rootmod
from vmsenv.lnm import names as N
from vmsenv.process import Process
from vmsenv.testing import DclSession

TIMEOUT = 60
NOPRIV = "%SYSTEM-F-NOPRIV, insufficient privilege or object protection violation\n"
NOLOGNAM = "%SYSTEM-F-NOLOGNAM, no logical name match\n"
PROCESSES = 8
NAMES_EACH = 200


def mount(programs, root_dir: Path, device: str, hostdir: Path) -> None:
    hostdir.mkdir(parents=True, exist_ok=True)
    done = programs.run(programs.vmsenv + ["mount", "--root", str(root_dir), device,
                                           str(hostdir)], hostdir, TIMEOUT)
    assert done.returncode == 0, done.stderr


def dcl_c(programs, root_dir: Path, command: str, *options: str) -> subprocess.CompletedProcess:
    """`dcl -c COMMAND` in a directory that is on no device."""
    return programs.run(programs.dcl + ["--root", str(root_dir), *options, "-c", command],
                        root_dir.parent, TIMEOUT)


def trnlnm_c(programs, root_dir: Path, name: str, table: str = "LNM$DCL_LOGICAL") -> str:
    """F$TRNLNM(name, table) as a new `dcl -c` process sees it."""
    done = dcl_c(programs, root_dir,
                 f'WRITE SYS$OUTPUT "<", F$TRNLNM("{name}", "{table}"), ">"')
    assert done.returncode == 0, done.stdout + done.stderr
    m = re.fullmatch(r"<(.*)>\n", done.stdout)
    assert m, done.stdout
    return m.group(1)


def shared_rows(root_dir: Path) -> list[tuple]:
    """Every row of the shared logical-name tables, straight from the database."""
    db = sqlite3.connect(root_dir / "sys$sysdevice" / "vmsenv.db", timeout=TIMEOUT)
    try:
        return db.execute("SELECT tbl, name, mode, attr, vals, parent FROM lnm "
                          "ORDER BY tbl, name, mode").fetchall()
    finally:
        db.close()


class InteractiveDcl(DclSession):
    """A long-lived interactive `dcl` on a pseudo-terminal, in the root's parent directory."""

    def __init__(self, root_dir: Path):
        super().__init__(root_dir, cwd=root_dir.parent, timeout=TIMEOUT)

    def command(self, line: str) -> str:
        """Run one command line; its output up to the next prompt (CR LF as LF)."""
        return self.converse(line, self.prompt)

    def trnlnm(self, name: str, table: str = "LNM$DCL_LOGICAL") -> str:
        out = self.command(f'WRITE SYS$OUTPUT "<", F$TRNLNM("{name}", "{table}"), ">"')
        m = re.fullmatch(r"<(.*)>\n", out)
        assert m, out
        return m.group(1)

    def finish(self) -> int:
        """End of input: the shell ends; its exit status."""
        self.send_control("D")
        self.wait_eof()
        return self.exitstatus


# ---------------------------------------------------------------- two processes
def test_define_system_is_seen_by_a_running_process(programs, root_dir):
    with InteractiveDcl(root_dir) as reader:
        # The reader asks first, so that a stale cached miss would show.
        assert reader.trnlnm("VPT_SHARED") == ""
        assert reader.trnlnm("VPT_SHARED", "LNM$SYSTEM") == ""

        done = dcl_c(programs, root_dir, 'DEFINE/SYSTEM VPT_SHARED "first value"')
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
        assert reader.trnlnm("VPT_SHARED") == "first value"
        assert reader.trnlnm("VPT_SHARED", "LNM$SYSTEM") == "first value"
        assert reader.trnlnm("VPT_SHARED", "LNM$PROCESS") == ""

        done = dcl_c(programs, root_dir, 'DEFINE/SYSTEM VPT_SHARED "second value"')
        assert done.returncode == 0
        assert done.stdout == ("%DCL-I-SUPERSEDE, previous value of VPT_SHARED has been "
                               "superseded\n")
        assert reader.trnlnm("VPT_SHARED") == "second value"

        done = dcl_c(programs, root_dir, "DEASSIGN/SYSTEM VPT_SHARED")
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
        assert reader.trnlnm("VPT_SHARED") == ""
        assert reader.trnlnm("VPT_SHARED", "LNM$SYSTEM") == ""

        # Defined again after the deassign: seen again.
        assert dcl_c(programs, root_dir, "DEFINE/SYSTEM VPT_SHARED third").returncode == 0
        assert reader.trnlnm("VPT_SHARED") == "THIRD"

        # And the other way round: the running process defines, a new one reads.
        assert reader.command('DEFINE/SYSTEM VPT_BACK "from the reader"') == ""
        assert trnlnm_c(programs, root_dir, "VPT_BACK", "LNM$SYSTEM_TABLE") == "from the reader"
        assert reader.command("DEASSIGN/SYSTEM VPT_BACK") == ""
        assert trnlnm_c(programs, root_dir, "VPT_BACK") == ""

        # A process-table name stays private to its process.
        assert reader.command('DEFINE VPT_PRIVATE "mine"') == ""
        assert reader.trnlnm("VPT_PRIVATE") == "mine"
        assert trnlnm_c(programs, root_dir, "VPT_PRIVATE") == ""
        assert reader.finish() == 0


# ---------------------------------------------------------------- many at once
def test_eight_processes_define_at_once_and_lose_nothing(programs, root_dir, tmp_path):
    device = tmp_path / "dka200"
    mount(programs, root_dir, "DKA200:", device)
    for i in range(PROCESSES):
        lines = [f'$ DEFINE/SYSTEM/NOLOG VPT_P{i}_N{j} "value {i} {j}"\n'
                 for j in range(NAMES_EACH)]
        (device / f"p{i}.com").write_text("".join(lines))

    started: list[subprocess.Popen] = []
    try:
        for i in range(PROCESSES):
            started.append(subprocess.Popen(
                programs.dcl + ["--root", str(root_dir), f"p{i}.com"], cwd=device,
                env=programs.env,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True))
        results = [p.communicate(timeout=120) + (p.returncode,) for p in started]
    finally:
        for p in started:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=TIMEOUT)
    for out, err, status in results:
        assert (status, out, err) == (0, "", "")

    db = sqlite3.connect(root_dir / "sys$sysdevice" / "vmsenv.db", timeout=TIMEOUT)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        db.close()

    root = rootmod.Root(root_dir)
    process = Process(root)
    try:
        found = {}
        for table, entries in process.lnm.matches("LNM$SYSTEM_TABLE", "VPT_P*"):
            assert table == N.SYSTEM_TABLE
            for e in entries:
                found[e.name] = (e.values, e.mode)
        expected = {f"VPT_P{i}_N{j}": (((f"value {i} {j}", 0),), N.SUPERVISOR)
                    for i in range(PROCESSES) for j in range(NAMES_EACH)}
        assert len(found) == PROCESSES * NAMES_EACH
        assert found == expected
        # The job tables of the finished processes are gone with them.
        jobs = {e.name for _, es in process.lnm.matches("LNM$SYSTEM_DIRECTORY", "LNM$JOB_*")
                for e in es}
        assert jobs == {process.lnm.job_table}
    finally:
        process.logout()
    assert trnlnm_c(programs, root_dir, "VPT_P7_N199") == "value 7 199"


# ---------------------------------------------------------------- exit status
@pytest.mark.parametrize("command, status, output", [
    ('DEFINE VPT_X "x"', 0, ""),
    ("DEFINE/SYSTEM VPT_X x", 0, ""),
    ("DEASSIGN VPT_MISSING", 1, NOLOGNAM),
    ("DEASSIGN/SYSTEM VPT_MISSING", 1, NOLOGNAM),
    ("SHOW LOGICAL VPT_MISSING", 0,
     "%SHOW-S-NOTRAN, no translation for logical name VPT_MISSING\n"),
    ("EXIT 1", 0, ""),
    ("EXIT 44", 1, "%SYSTEM-F-ABORT, abort\n"),
])
def test_exit_status_of_one_command_follows_status(programs, root_dir, command, status, output):
    done = dcl_c(programs, root_dir, command)
    assert (done.returncode, done.stdout, done.stderr) == (status, output, "")


def test_exit_status_of_a_procedure_follows_the_final_status(programs, root_dir, tmp_path):
    device = tmp_path / "dka200"
    mount(programs, root_dir, "DKA200:", device)
    (device / "recovers.com").write_text("$ SET NOON\n$ DEASSIGN VPT_MISSING\n"
                                         "$ DEFINE VPT_X Y\n")
    (device / "fails.com").write_text("$ DEFINE VPT_X Y\n$ DEASSIGN VPT_MISSING\n")
    for name, status in (("recovers.com", 0), ("fails.com", 1)):
        done = programs.run(programs.dcl + ["--root", str(root_dir), name], device, TIMEOUT)
        assert (done.returncode, done.stdout, done.stderr) == (status, NOLOGNAM, ""), name


@pytest.mark.parametrize("where", ["missing", "plain"])
def test_not_a_root_is_a_message_and_status_2(programs, tmp_path, where):
    target = Path("/not/a/root") if where == "missing" else tmp_path / "plain"
    if where == "plain":
        target.mkdir()
    done = programs.run(programs.dcl + ["--root", str(target), "-c", "SHOW DEFAULT"], tmp_path,
                        TIMEOUT)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert re.fullmatch(r"%[A-Z$_]+-F-[A-Z$_]+, [^\n]*\n(-[A-Z$_]+-[SIWEF]-[^\n]*\n)*",
                        done.stderr), done.stderr
    assert not (target / "sys$sysdevice").exists()


# ---------------------------------------------------------------- privileges
def test_define_system_without_privilege_changes_nothing(programs, root_dir):
    assert dcl_c(programs, root_dir, 'DEFINE/SYSTEM VPT_PRIV "old value"').returncode == 0
    before = shared_rows(root_dir)

    for command in ("DEFINE/SYSTEM X Y", 'DEFINE/SYSTEM VPT_PRIV "new value"',
                    "DEASSIGN/SYSTEM VPT_PRIV", "DEFINE/GROUP X Y",
                    "DEFINE/TABLE=LNM$SYSTEM_TABLE X Y"):
        done = dcl_c(programs, root_dir, command, "--privileges=NONE")
        assert (done.returncode, done.stdout, done.stderr) == (1, NOPRIV, ""), command

    assert shared_rows(root_dir) == before
    assert trnlnm_c(programs, root_dir, "X") == ""
    assert trnlnm_c(programs, root_dir, "VPT_PRIV", "LNM$SYSTEM_TABLE") == "old value"

    # The tables that need no privilege still work without any.
    for command in ("DEFINE VPT_MINE Z", "DEFINE/JOB VPT_MINE Z"):
        done = dcl_c(programs, root_dir, command, "--privileges=NONE")
        assert (done.returncode, done.stdout, done.stderr) == (0, "", ""), command
    # SYSNAM alone is enough for the system table.
    done = dcl_c(programs, root_dir, "DEFINE/SYSTEM X Y", "--privileges=SYSNAM")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert trnlnm_c(programs, root_dir, "X", "LNM$SYSTEM_TABLE") == "Y"
