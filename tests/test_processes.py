"""The process registry: PIDs, unique names, and cleanup of processes that died."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from vmsenv import condition as cond
from vmsenv.process import Process
from vmsenv.processes import FIRST_PID, Registry


def test_pids_and_names_are_unique(root):
    a, b = Process(root), Process(root)
    try:
        assert a.pid >= FIRST_PID and b.pid == a.pid + 1
        assert a.name == "SYSTEM"
        assert b.name == b.terminal and b.terminal.startswith("_TNA")
        sub = Process(root, owner=a.pid, job=a.job)
        try:
            assert sub.name == "SYSTEM_1"
            assert sub.lnm.job_table == a.lnm.job_table
        finally:
            sub.logout()
        names = {p.name for p in a.registry.all()}
        assert names == {"SYSTEM", b.name}
        with pytest.raises(cond.VMSError) as err:
            Process(root, name="system")
        assert err.value.status == cond.SS_DUPLNAM
    finally:
        a.logout()
        b.logout()
    assert Registry(root.store).all() == []


def test_pids_are_not_reused(root):
    a = Process(root)
    first = a.pid
    a.logout()
    b = Process(root)
    try:
        assert b.pid == first + 1
    finally:
        b.logout()


CHILD = """
import sys, time
from vmsenv import root as r
from vmsenv.process import Process
p = Process(r.Root(sys.argv[1]), name="VICTIM")
p.lnm.crelnm("JOBNAME", [("x", 0)], "LNM$JOB")
print(p.pid, p.lnm.job_table, flush=True)
time.sleep(60)
"""


def test_killed_process_is_reaped_with_its_job_table(root):
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(root.path)],
                             stdout=subprocess.PIPE, text=True)
    try:
        pid, job_table = child.stdout.readline().split()
        watcher = Process(root)
        try:
            found = watcher.registry.by_name("VICTIM")
            assert found is not None and found.pid == int(pid)
            assert watcher.lnm.table_entry(job_table) is not None
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=10)
            deadline = time.monotonic() + 5
            while watcher.registry.by_name("VICTIM") is not None:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert [p.name for p in watcher.registry.all()] == ["SYSTEM"]
            assert watcher.lnm.table_entry(job_table) is None
        finally:
            watcher.logout()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
