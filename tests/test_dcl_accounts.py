"""SET PASSWORD from a procedure (data lines answer the prompts)."""

from __future__ import annotations

import io

from vmsenv import uaf
from vmsenv.dcl.interpreter import Interpreter
from vmsenv.process import for_account


def test_set_password_from_a_procedure(root):
    uaf.modify(root, "TCPIP$POP", {"password": "first1234"})
    mgr = root.sysdevice / "tcpip$pop"
    (mgr / "pw.com").write_text("$ SET PASSWORD\nfirst1234\nsecond5678\nsecond5678\n"
                                "$ SET PASSWORD\nwrong\n")
    process = for_account(root, "TCPIP$POP")
    dcl = Interpreter(process, io.StringIO())
    try:
        dcl.run_line("@PW")
        assert uaf.check_password(root, "TCPIP$POP", "second5678").ok
        assert not uaf.check_password(root, "TCPIP$POP", "first1234").ok
        assert dcl.out.getvalue().startswith("%SET-")
    finally:
        process.logout()
