"""F$TIME and F$CVTIME as DCL calls them."""

import io
import re

import pytest

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.interpreter import Interpreter


@pytest.fixture
def dcl(fake_process):
    return Interpreter(fake_process(), io.StringIO())


def test_f_time_format(dcl):
    text = dcl.evaluate("F$TIME()")
    assert re.fullmatch(r"[ 123]\d-[A-Z]{3}-\d{4} \d\d:\d\d:\d\d\.\d\d", text)


def test_f_cvtime(dcl):
    assert dcl.evaluate('F$CVTIME("7-OCT-2026 13:45:56.78+1-02:00")') == \
        "2026-10-08 15:45:56.78"
    assert dcl.evaluate('F$CVTIME("7-OCT-2026",, "WEEKDAY")') == "Wednesday"
    assert dcl.evaluate('F$CVTIME("7-OCT-2026 1:2", "ABSOLUTE")') == "7-OCT-2026 01:02:00.00"


def test_f_cvtime_errors_show_the_time_text(dcl):
    with pytest.raises(VMSError) as caught:
        dcl.evaluate('F$CVTIME("bogus")')
    assert (caught.value.status, caught.value.segment) == (C.CLI_IVATIME, "BOGUS")
    with pytest.raises(VMSError) as caught:
        dcl.evaluate('F$CVTIME("1-JAN-2000", "DELTA")')
    assert caught.value.status == C.CLI_IVDTIME


def test_show_time(root):
    import io
    import re

    from vmsenv.dcl.interpreter import Interpreter
    from vmsenv.process import Process

    process = Process(root)
    dcl = Interpreter(process, io.StringIO())
    try:
        dcl.run_line("SHOW TIME")
        assert re.fullmatch(r"  [ 1-3]\d-[A-Z]{3}-\d{4} \d\d:\d\d:\d\d\n", dcl.out.getvalue())
        assert dcl.lookup_symbol("$STATUS") == "%X00000001"
    finally:
        process.logout()
