"""WRITE: items joined, channels, /ERROR."""

import io

import pytest

from vmsenv import condition as C
from vmsenv.dcl.interpreter import Interpreter


class Opened:
    def __init__(self):
        self.records = []

    def write_record(self, text):
        self.records.append(text)


@pytest.fixture
def dcl(fake_process):
    return Interpreter(fake_process(), io.StringIO())


def test_items_are_joined(dcl):
    dcl.run_line('n = 3')
    assert dcl.run_line('WRITE SYS$OUTPUT "n=", n, "", " end"') == C.RMS_NORMAL
    dcl.run_line('write sys$error: ""')
    dcl.run_line('WRITE/SYMBOL SYS$OUTPUT n * 2')
    assert dcl.out.getvalue() == "n=3 end\n\n6\n"


def test_file_opened_by_dcl(dcl):
    opened = Opened()
    dcl.files["OUT"] = opened
    dcl.run_line('WRITE out "record ", 1')
    assert opened.records == ["record 1"]


def test_unopened_name(dcl):
    assert dcl.run_line('WRITE nosuch "x"') == C.CLI_UNDFIL
    assert dcl.out.getvalue() == (
        "%DCL-W-UNDFIL, file has not been opened by DCL - check logical name\n")


def test_error_label_branches_silently(fake_process, tmp_path):
    (tmp_path / "t.com").write_text(
        '$ WRITE/ERROR=bad nosuch "x"\n$ WRITE SYS$OUTPUT "no"\n'
        '$bad: WRITE SYS$OUTPUT "branched ", $STATUS\n')
    dcl = Interpreter(fake_process(tmp_path), io.StringIO())
    dcl.run_procedure("T", [])
    assert dcl.out.getvalue() == "branched %X00038188\n"


def test_expression_errors(dcl):
    dcl.run_line("WRITE SYS$OUTPUT 1 +")
    dcl.run_line("WRITE SYS$OUTPUT")
    assert dcl.out.getvalue().splitlines() == [
        "%DCL-W-EXPSYN, invalid expression syntax - check operators and operands",
        "%DCL-W-INSFPRM, missing command parameters - supply all required parameters"]
