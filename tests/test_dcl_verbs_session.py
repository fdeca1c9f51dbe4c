"""SET ON/NOON/VERIFY/MESSAGE/PROMPT and the session lexicals."""

import io

import pytest

from vmsenv import condition as C
from vmsenv.dcl.interpreter import Interpreter

SMITH = {"username": "SMITH", "default": "DKA0:[SMITH.WORK]"}


@pytest.fixture
def dcl(fake_process):
    return Interpreter(fake_process(**SMITH), io.StringIO())


def test_environment_at_the_interactive_level(dcl, output):
    assert dcl.evaluate('F$ENVIRONMENT("DEPTH")') == 0
    assert dcl.evaluate('F$ENVIRONMENT("depth")') == 0
    values = {item: dcl.evaluate(f'F$ENVIRONMENT("{item}")') for item in (
        "CAPTIVE", "DEFAULT", "INTERACTIVE", "MAX_DEPTH", "MESSAGE", "ON_CONTROL_Y",
        "PROCEDURE", "PROMPT", "SYMBOL_SCOPE", "VERIFY_IMAGE", "VERIFY_PROCEDURE")}
    assert values == {
        "CAPTIVE": "FALSE", "DEFAULT": "DKA0:[SMITH.WORK]", "INTERACTIVE": "TRUE",
        "MAX_DEPTH": 32, "MESSAGE": "/FACILITY/SEVERITY/IDENTIFICATION/TEXT",
        "ON_CONTROL_Y": "FALSE", "PROCEDURE": "", "PROMPT": "$ ",
        "SYMBOL_SCOPE": "LOCAL,GLOBAL", "VERIFY_IMAGE": "FALSE", "VERIFY_PROCEDURE": "FALSE"}
    assert output(dcl, 'x = F$ENVIRONMENT("NOSUCH")') == [
        "%DCL-W-IVKEYW, unrecognized keyword - check validity and spelling", " \\NOSUCH\\"]


def test_batch_mode(dcl, fake_process):
    batch = Interpreter(fake_process(**SMITH), io.StringIO(), mode="BATCH")
    assert batch.evaluate("F$MODE()") == "BATCH"
    assert batch.evaluate('F$ENVIRONMENT("INTERACTIVE")') == "FALSE"
    assert dcl.evaluate("F$MODE()") == "INTERACTIVE"


def test_user_and_message(dcl):
    assert dcl.evaluate("F$USER()") == "[SMITH]"
    assert dcl.evaluate("F$MESSAGE(%X18292)") == "%RMS-E-FNF, file not found"
    assert dcl.evaluate('F$MESSAGE(%X18292, "TEXT")') == "file not found"
    assert dcl.evaluate("F$MESSAGE(1)") == "%SYSTEM-S-NORMAL, normal successful completion"


def test_set_verify_and_f_verify(dcl, output):
    assert dcl.evaluate("F$VERIFY()") == 0
    dcl.run_line("SET VERIFY")
    assert (dcl.verify_procedure, dcl.verify_image) == (True, True)
    assert dcl.evaluate("F$VERIFY(0)") == 1
    assert (dcl.verify_procedure, dcl.verify_image) == (False, True)
    assert dcl.evaluate("F$VERIFY(1, 0)") == 0
    assert (dcl.verify_procedure, dcl.verify_image) == (True, False)
    dcl.run_line("SET NOVERIFY")
    assert (dcl.verify_procedure, dcl.verify_image) == (False, False)
    dcl.run_line("SET VERIFY=(NOPROCEDURE, IMAGE)")
    assert (dcl.verify_procedure, dcl.verify_image) == (False, True)
    dcl.run_line("SET VERIFY=PROC")
    assert (dcl.verify_procedure, dcl.verify_image) == (True, True)
    assert output(dcl, "SET VERIFY=LOUD") == [
        "%DCL-W-IVKEYW, unrecognized keyword - check validity and spelling", " \\LOUD\\"]


def test_set_message(dcl, output):
    assert output(dcl, "SET MESSAGE/NOTEXT", "nosuch", "SET MESSAGE/TEXT/NOFAC/NOSEV/NOID",
                  "nosuch", 'WRITE SYS$OUTPUT F$ENVIRONMENT("MESSAGE")',
                  "SET MESSAGE/FACILITY/SEVERITY/IDENTIFICATION", "nosuch") == [
        "%DCL-W-IVVERB",
        "unrecognized command verb - check validity and spelling", " \\NOSUCH\\",
        "/NOFACILITY/NOSEVERITY/NOIDENTIFICATION/TEXT",
        "%DCL-W-IVVERB, unrecognized command verb - check validity and spelling",
        " \\NOSUCH\\"]
    assert output(dcl, "SET MESSAGE sys$message:x.exe")[0].startswith("%DCL-W-MAXPARM")


def test_set_prompt(dcl):
    dcl.run_line('SET PROMPT="Node> "')
    assert dcl.evaluate('F$ENVIRONMENT("PROMPT")') == "Node> "
    dcl.run_line("SET PROMPT=hi")
    assert dcl.prompt == "HI"
    dcl.run_line("SET PROMPT")
    assert dcl.prompt == "$ "
    out = io.StringIO()
    dcl.run_line('SET PROMPT="> "')
    dcl.interactive(io.StringIO("WRITE SYS$OUTPUT 1\n"), out)
    assert out.getvalue() == "> 1\n> "


def test_set_noon_status_and_keyword_errors(dcl, output):
    assert dcl.run_line("SET NOON") == C.CLI_NORMAL
    assert output(dcl, "SET NOSUCH") == [
        "%DCL-W-IVKEYW, unrecognized keyword - check validity and spelling", " \\NOSUCH\\"]
    assert output(dcl, "SET NOPROMPT") == [
        "%DCL-W-IVKEYW, unrecognized keyword - check validity and spelling", " \\NOPROMPT\\"]


def test_environment_protection_and_control(dcl):
    assert dcl.evaluate('F$ENVIRONMENT("PROTECTION")') == (
        "SYSTEM=RWED, OWNER=RWED, GROUP=RE, WORLD=NO ACCESS")
    assert dcl.evaluate('F$ENVIRONMENT("CONTROL")') == "Y,T"
