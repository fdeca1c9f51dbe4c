"""STOP process-name and F$CONTEXT/F$PID loops written in DCL."""

from __future__ import annotations

import io
import time

from vmsenv.dcl.interpreter import Interpreter
from vmsenv.process import Process


def test_stop_by_name_and_a_context_loop(root):
    mgr = root.sysdevice / "sys0" / "sysmgr"
    (mgr / "idle.com").write_text("$ WAIT 00:01:00\n")
    (mgr / "find.com").write_text(
        "$ ctx = \"\"\n"
        "$ x = F$CONTEXT(\"PROCESS\", ctx, \"PRCNAM\", \"SLEEPER\", \"EQL\")\n"
        "$ loop:\n"
        "$ pid = F$PID(ctx)\n"
        "$ IF pid .EQS. \"\" THEN EXIT\n"
        "$ WRITE SYS$OUTPUT \"found \", F$GETJPI(pid, \"PRCNAM\")\n"
        "$ GOTO loop\n")
    process = Process(root)
    dcl = Interpreter(process, io.StringIO())
    try:
        dcl.run_line("RUN/DETACHED/PROCESS_NAME=SLEEPER/INPUT=IDLE.COM SYS$SYSTEM:LOGINOUT")
        assert "%RUN-S-PROC_ID" in dcl.out.getvalue()
        dcl.run_line("@FIND")
        assert dcl.out.getvalue().splitlines()[-1] == "found SLEEPER"
        dcl.run_line("STOP SLEEPER")
        deadline = time.monotonic() + 20
        while process.registry.by_name("SLEEPER") is not None:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        dcl.out.seek(0)
        dcl.out.truncate()
        dcl.run_line("STOP SLEEPER")
        assert dcl.out.getvalue().startswith("%SYSTEM-W-NONEXPR, nonexistent process")
    finally:
        process.logout()
