"""The interpreter: command cycle, levels, control flow, $STATUS, ON, verify, interactive."""

import io
import textwrap

import pytest

from vmsenv import condition as C
from vmsenv.dcl.cld import Verb
from vmsenv.dcl.interpreter import Interpreter

IVVERB = "%DCL-W-IVVERB, unrecognized command verb - check validity and spelling"
USGOTO = "%DCL-W-USGOTO, target of GOTO not found - check spelling and presence of label"


def procedure(text):
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture
def dcl(fake_process, tmp_path):
    """An interpreter whose file specifications are names of files in tmp_path."""
    return Interpreter(fake_process(tmp_path, privileges={"SYSPRV"}), io.StringIO())


def run(dcl, text, params=(), name="TEST.COM", **files):
    """Write the procedure (and other files) and run it; returns (output lines, status)."""
    directory = dcl.process.directory
    (directory / name.lower()).write_text(procedure(text))
    for file_name, body in files.items():
        (directory / file_name.lower().replace("_", ".")).write_text(procedure(body))
    status = dcl.run_procedure(name, list(params))
    return dcl.out.getvalue().splitlines(), status


# ---------------------------------------------------------------------------------------------
# Blocks, GOTO, GOSUB, CALL.
# ---------------------------------------------------------------------------------------------
def test_nested_block_ifs_and_one_line_ifs(dcl):
    lines, _ = run(dcl, """
        $ n = 5
        $ IF n .GE. 5
        $ THEN
        $   IF n .EQ. 4
        $   THEN
        $     WRITE SYS$OUTPUT "four"
        $   ELSE
        $     WRITE SYS$OUTPUT "not four"
        $     IF n THEN WRITE SYS$OUTPUT "odd"
        $   ENDIF
        $ ELSE
        $   WRITE SYS$OUTPUT "small"
        $ ENDIF
        $ IF .NOT. n
        $ THEN
        $   WRITE SYS$OUTPUT "even"
        $ ENDIF
        $ IF n .LT. 0 THEN WRITE SYS$OUTPUT "negative"
        $ IF n .GT. 0 THEN $ WRITE SYS$OUTPUT "positive"
        $ IF 0
        $ THEN WRITE SYS$OUTPUT "then-line command"
        $ ELSE WRITE SYS$OUTPUT "else-line command"
        $ ENDIF
        """)
    assert lines == ["not four", "odd", "positive", "else-line command"]


def test_goto_loops_and_leaves_a_block(dcl):
    lines, _ = run(dcl, """
        $ count = 0
        $top:
        $ count = count + 1
        $ IF count .LT. 10
        $ THEN
        $   IF count .EQ. 4 THEN GOTO done
        $   GOTO top
        $ ENDIF
        $done:
        $ WRITE SYS$OUTPUT "stopped at ", count
        """)
    assert lines == ["stopped at 4"]


def test_goto_into_another_block_is_refused_and_exits(dcl):
    lines, status = run(dcl, """
        $ IF 0
        $ THEN
        $inner: WRITE SYS$OUTPUT "inside"
        $ ENDIF
        $ GOTO inner
        $ WRITE SYS$OUTPUT "not reached"
        """)
    assert lines == [USGOTO, " \\INNER\\"]
    assert status == C.CLI_USGOTO | C.INHIB_MSG


def test_missing_label_exits_the_procedure_only(dcl):
    lines, _ = run(dcl, """
        $ @INNER
        $ WRITE SYS$OUTPUT "outer goes on ", F$FAO("!XL", F$INTEGER($STATUS))
        """, INNER_COM="""
        $ GOTO nowhere
        $ WRITE SYS$OUTPUT "not reached"
        """)
    assert lines == [USGOTO, " \\NOWHERE\\", "outer goes on 10038148"]


def test_duplicate_labels_nearest_rule(dcl):
    lines, _ = run(dcl, """
        $ n = 0
        $here:
        $ n = n + 1
        $ IF n .EQ. 1 THEN GOTO here
        $here:
        $ WRITE SYS$OUTPUT "n=", n
        $ n = n + 10
        $ IF n .LT. 20 THEN GOTO here
        """)
    # the first GOTO knows only the first HERE; the second one the most recently read
    assert lines == ["n=2", "n=12"]


def test_gosub_return_status_and_message(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ GOSUB first
        $ WRITE SYS$OUTPUT "back ", $STATUS, " ", $SEVERITY
        $ GOSUB quiet
        $ WRITE SYS$OUTPUT "quiet ", $STATUS
        $ EXIT
        $first:
        $ GOSUB second
        $ RETURN 44
        $second:
        $ WRITE SYS$OUTPUT "second, depth ", F$ENVIRONMENT("DEPTH")
        $ RETURN
        $quiet:
        $ RETURN 1
        """)
    assert lines == ["second, depth 1", "%SYSTEM-F-ABORT, abort", "back %X0000002C 4",
                     "quiet %X00000001"]


def test_return_without_gosub_continues_with_inhibited_status(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ RETURN
        $ WRITE SYS$OUTPUT F$FAO("!XL", F$INTEGER($STATUS))
        """)
    assert lines == ["10030001"]


def test_gosub_nesting_limit(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ depth = 0
        $deeper:
        $ depth = depth + 1
        $ IF depth .LE. 20 THEN GOSUB deeper
        $ WRITE SYS$OUTPUT "depth ", depth
        $ EXIT
        """)
    assert lines[0] == "%DCL-W-GOSUBMAX, GOSUB procedures too deeply nested - limit to 16 levels"
    assert lines[1] == "depth 17"


def test_call_parameters_levels_and_recursion(dcl):
    lines, _ = run(dcl, """
        $ CALL show alpha "Mixed Case" 'F$LENGTH("abcd")'
        $ WRITE SYS$OUTPUT "after call ", $STATUS, " ", $SEVERITY
        $ CALL sum 4
        $ WRITE SYS$OUTPUT "sum ", total, " left ", F$TYPE(inner_local), "."
        $ EXIT
        $show: SUBROUTINE
        $ WRITE SYS$OUTPUT "[", P1, "][", P2, "][", P3, "][", P4, "] ", F$ENVIRONMENT("DEPTH")
        $ EXIT 11
        $ ENDSUBROUTINE
        $sum: SUBROUTINE
        $ inner_local = 1
        $ IF P1 .EQ. 0
        $ THEN
        $   total == 0
        $   EXIT
        $ ENDIF
        $ CALL sum 'P1 - 1'
        $ total == total + P1
        $ ENDSUBROUTINE
        """)
    assert lines == ["[ALPHA][Mixed Case][4][] 2", "after call %X0000000B 3",
                     "sum 10 left ."]


def test_subroutine_body_is_skipped_and_ends_with_normal_status(dcl):
    lines, _ = run(dcl, """
        $ WRITE SYS$OUTPUT "start"
        $body: SUBROUTINE
        $ WRITE SYS$OUTPUT "in body"
        $ ENDSUBROUTINE
        $ CALL body
        $ WRITE SYS$OUTPUT "end ", $STATUS
        """)
    assert lines == ["start", "in body", "end %X00030001"]


def test_labels_inside_a_subroutine_are_not_visible_outside(dcl):
    lines, _ = run(dcl, """
        $ GOTO hidden
        $s: SUBROUTINE
        $hidden:
        $ WRITE SYS$OUTPUT "wrong"
        $ ENDSUBROUTINE
        """)
    assert lines == [USGOTO, " \\HIDDEN\\"]


def test_call_of_a_missing_subroutine(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ CALL nothere
        $ WRITE SYS$OUTPUT "status ", $STATUS
        """)
    assert lines == ["%DCL-W-USCALL, CALL target NOTHERE either missing, misspelled, "
                     "or inaccessible", "status %X000382D8"]


# ---------------------------------------------------------------------------------------------
# Nested procedures.
# ---------------------------------------------------------------------------------------------
def test_nested_procedure_parameters_symbols_and_exit_status(dcl):
    lines, status = run(dcl, """
        $ outer_local = "seen inside"
        $ @CHILD first "Second One"
        $ WRITE SYS$OUTPUT "child status ", F$FAO("!XL", F$INTEGER($STATUS))
        $ WRITE SYS$OUTPUT "[", F$TYPE(child_local), "] ", child_global
        $ WRITE SYS$OUTPUT F$ENVIRONMENT("PROCEDURE")
        """, CHILD_COM="""
        $ child_local = 1
        $ child_global == "from child"
        $ WRITE SYS$OUTPUT P1, "|", P2, "|", P3, "| ", F$ENVIRONMENT("DEPTH"), " ", outer_local
        $ WRITE SYS$OUTPUT F$ENVIRONMENT("PROCEDURE")
        $ EXIT %X10000011
        """)
    assert lines == ["FIRST|Second One|| 2 seen inside", "DKA0:[TEST]CHILD.COM;1",
                     "child status 10000011", "[] from child", "DKA0:[TEST]TEST.COM;1"]
    assert status == C.INHIB_MSG | C.RMS_NORMAL   # end of file: last status, inhibited


def test_procedure_output_qualifier(dcl, tmp_path):
    lines, _ = run(dcl, """
        $ @CHILD/OUTPUT=CHILD.LOG x
        $ WRITE SYS$OUTPUT "back"
        """, CHILD_COM="""
        $ WRITE SYS$OUTPUT "to the log ", P1
        """)
    assert lines == ["back"]
    assert (tmp_path / "child.log").read_text() == "to the log X\n"


def test_procedure_depth_limit(dcl):
    lines, _ = run(dcl, """
        $ @TEST
        """)
    assert lines == ["%DCL-W-STKOVF, command procedures too deeply nested - limit to 32 levels"]


def test_too_many_procedure_parameters(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ @CHILD 1 2 3 4 5 6 7 8 9
        """, CHILD_COM="$ EXIT\n")
    assert lines == ["%DCL-W-DEFOVF, too many command procedure parameters - limit to eight",
                     " \\9\\"]


def test_missing_procedure_file(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ @NOSUCH
        $ WRITE SYS$OUTPUT F$FAO("!XL", F$INTEGER($STATUS))
        """)
    assert lines == ["%DCL-E-OPENIN, error opening DKA0:[TEST]NOSUCH.COM; as input",
                     "-RMS-E-FNF, file not found", "10018292"]


def test_unreadable_procedure_file(dcl, tmp_path):
    (tmp_path / "dir.com").mkdir()
    lines, _ = run(dcl, """
        $ SET NOON
        $ @DIR
        $ WRITE SYS$OUTPUT F$FAO("!XL", F$INTEGER($STATUS))
        """)
    assert lines == ["%DCL-E-OPENIN, error opening DKA0:[TEST]DIR.COM;1 as input",
                     "-RMS-E-ACC, ACP file access failed", "1001C002"]


def test_output_file_that_cannot_be_created(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ @CHILD/OUTPUT=[.NOSUCH]X.LOG
        $ WRITE SYS$OUTPUT F$FAO("!XL", F$INTEGER($STATUS))
        """, CHILD_COM="$ EXIT\n")
    assert lines == ["%DCL-E-OPENOUT, error opening DKA0:[TEST.NOSUCH]X.LOG; as output",
                     "-RMS-E-DNF, directory not found", "000310A2"]


def test_user_mode_names_run_down_at_procedure_entry_exit_and_after_images(dcl):
    seen = []

    def image(dcl_, cmd):
        seen.append(dcl_.process.lnm.rundowns)
        return 1

    dcl.table.add(Verb("IMAGE", handler=image, image=True))
    run(dcl, """
        $ IMAGE
        $ @CHILD
        """, CHILD_COM="$ EXIT\n")
    # entry of TEST (1), the image (after it: 2), entry and exit of CHILD (3, 4), exit (5)
    assert seen == [1]
    assert dcl.process.lnm.rundowns == 5


# ---------------------------------------------------------------------------------------------
# $STATUS, $SEVERITY, ON.
# ---------------------------------------------------------------------------------------------
def test_status_rules(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ x = 1
        $ WRITE SYS$OUTPUT "assign ", $STATUS
        $ WRITE SYS$OUTPUT "write ", $STATUS
        $ y = 10 / 0
        $ WRITE SYS$OUTPUT "zero ", y, " ", F$FAO("!XL", F$INTEGER($STATUS))
        $ bogus_verb
        $ WRITE SYS$OUTPUT "verb ", $STATUS, " ", $SEVERITY, " ", F$TYPE($STATUS)
        $ WRITE SYS$OUTPUT "as text: " + $STATUS
        """)
    assert lines == ["assign %X00030001", "write %X00010001", "zero 0 00030001",
                     IVVERB, " \\BOGUS_VERB\\", "verb %X00038090 0 INTEGER",
                     "as text: %X00010001"]


def test_exit_status_display(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ CALL leave %X24
        $ WRITE SYS$OUTPUT "sev ", $SEVERITY
        $ CALL leave 3
        $ WRITE SYS$OUTPUT "sev ", $SEVERITY
        $ CALL leave %X1000002C
        $ WRITE SYS$OUTPUT "sev ", $SEVERITY
        $ CALL leave %X10
        $ EXIT
        $leave: SUBROUTINE
        $ EXIT 'P1'
        $ ENDSUBROUTINE
        """)
    assert lines == [
        "%SYSTEM-F-NOPRIV, insufficient privilege or object protection violation", "sev 4",
        "sev 3", "sev 4", "%SYSTEM-W-BADPARAM, bad parameter value"]


def test_on_warning_goto_sees_the_failing_status(dcl):
    lines, _ = run(dcl, """
        $ ON WARNING THEN GOTO trouble
        $ nosuch
        $ WRITE SYS$OUTPUT "not reached"
        $trouble:
        $ WRITE SYS$OUTPUT "trouble ", $STATUS, " ", F$ENVIRONMENT("ON_SEVERITY")
        """)
    assert lines == [IVVERB, " \\NOSUCH\\", "trouble %X00038090 ERROR"]


def test_warnings_do_not_trigger_on_error(dcl):
    lines, _ = run(dcl, """
        $ ON ERROR THEN GOTO trouble
        $ nosuch
        $ WRITE SYS$OUTPUT "continued"
        $ EXIT
        $trouble:
        $ WRITE SYS$OUTPUT "wrong"
        """)
    assert lines == [IVVERB, " \\NOSUCH\\", "continued"]


def test_default_on_error_exits_the_procedure(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ CALL failing
        $ WRITE SYS$OUTPUT "caller ", F$FAO("!XL", F$INTEGER($STATUS))
        $ EXIT
        $failing: SUBROUTINE
        $ x = F$FAO("!AS", 12)
        $ WRITE SYS$OUTPUT "not reached"
        $ ENDSUBROUTINE
        """)
    assert lines[-1] == "caller 1000000C"
    assert lines[0].startswith("%SYSTEM-F-ACCVIO")
    assert len(lines) == 2


def test_on_action_fires_once_then_default_returns(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ CALL twice
        $ WRITE SYS$OUTPUT "caller ", F$FAO("!XL", F$INTEGER($STATUS))
        $ EXIT
        $twice: SUBROUTINE
        $ ON WARNING THEN CONTINUE
        $ first_bad
        $ WRITE SYS$OUTPUT "after first ", F$ENVIRONMENT("ON_SEVERITY")
        $ CALL severe
        $ WRITE SYS$OUTPUT "not reached"
        $ ENDSUBROUTINE
        $severe: SUBROUTINE
        $ EXIT %X2C
        $ ENDSUBROUTINE
        """)
    assert lines == [IVVERB, " \\FIRST_BAD\\", "after first ERROR", "%SYSTEM-F-ABORT, abort",
                     "caller 1000002C"]


def test_set_noon_and_on_are_per_level(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ CALL inner
        $ WRITE SYS$OUTPUT "outer ", F$ENVIRONMENT("ON_SEVERITY")
        $ EXIT
        $inner: SUBROUTINE
        $ WRITE SYS$OUTPUT "inner ", F$ENVIRONMENT("ON_SEVERITY")
        $ ON SEVERE THEN EXIT
        $ WRITE SYS$OUTPUT "inner ", F$ENVIRONMENT("ON_SEVERITY")
        $ ENDSUBROUTINE
        """)
    assert lines == ["inner ERROR", "inner SEVERE_ERROR", "outer NONE"]


def test_on_errors(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ ON PANIC THEN EXIT
        $ ON ERROR EXIT
        """)
    assert lines == [
        "%DCL-W-ONERR, invalid ON condition - use WARNING, SEVERE, ERROR, or CONTROL_Y",
        " \\PANIC\\",
        "%DCL-W-NOTHEN, IF or ON statement syntax error - check placement of THEN keyword"]


def test_stop_ends_every_level(dcl):
    lines, status = run(dcl, """
        $ @CHILD
        $ WRITE SYS$OUTPUT "not reached"
        """, CHILD_COM="""
        $ STOP
        """)
    assert lines == []
    assert status == C.SS_ABORT | C.INHIB_MSG


def test_if_with_undefined_symbol(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ IF nosuch THEN WRITE SYS$OUTPUT "no"
        $ IF nosuch
        $ THEN
        $   WRITE SYS$OUTPUT "no"
        $ ELSE
        $   WRITE SYS$OUTPUT "no either"
        $ ENDIF
        $ WRITE SYS$OUTPUT "next"
        """)
    undsym = "%DCL-W-UNDSYM, undefined symbol - check validity and spelling"
    assert lines == [undsym, " \\NOSUCH\\", undsym, " \\NOSUCH\\", "next"]


def test_block_if_without_then(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ IF 1
        $ WRITE SYS$OUTPUT "after"
        """)
    assert lines[0].startswith("%DCL-W-NOTHEN")
    assert lines[1] == "after"


# ---------------------------------------------------------------------------------------------
# Lines: substitution, verb symbols, data, verify.
# ---------------------------------------------------------------------------------------------
def test_verb_symbols_and_first_token_substitution(dcl):
    lines, _ = run(dcl, '''
        $ say :== WRITE SYS$OUTPUT
        $ sh*out :== "WRITE SYS$OUTPUT ""abbreviated"""
        $ say "plain"
        $ sh
        $ shou
        $ mac = "'mac2'"
        $ mac2 = "WRITE SYS$OUTPUT ""twice"""
        $ SET NOON
        $ mac
        $ 'mac'
        ''')
    nocomd = "%DCL-W-NOCOMD, no command on line - reenter with alphabetic first character"
    assert lines == ["plain", "abbreviated", "abbreviated", nocomd, " \\'MAC2'\\", "twice"]


def test_data_lines_skipped_with_one_warning(dcl):
    def slurp(dcl_, cmd):
        dcl_.write("got " + "|".join(dcl_.read_data_lines()))
        return 1

    dcl.table.add(Verb("SLURP", handler=slurp))
    lines, _ = run(dcl, """
        $ SLURP
        one
        two
        $ WRITE SYS$OUTPUT "between"
        three
        four
        $ WRITE SYS$OUTPUT "end"
        """)
    assert lines == ["got one|two", "between",
                     "%DCL-W-SKPDAT, image data (records not beginning with \"$\") ignored",
                     "end"]


def test_verify_echo(dcl):
    lines, _ = run(dcl, """
        $ a = 5
        $ SET VERIFY
        $ WRITE SYS$OUTPUT 'a' ! shown as substituted
        $here: b = a + -
               1
        $ keep = 'F$VERIFY(0)'
        $ WRITE SYS$OUTPUT "quiet ", keep
        $ x = F$VERIFY(keep)
        $ IF 0 THEN WRITE SYS$OUTPUT "no"
        $ SET NOVERIFY
        $ WRITE SYS$OUTPUT b
        """)
    assert lines == ["$ WRITE SYS$OUTPUT 5 ! shown as substituted", "5",
                     "$here: b = a + -", "       1",
                     "quiet 1",
                     '$ IF 0 THEN WRITE SYS$OUTPUT "no"',
                     "$ SET NOVERIFY",
                     "6"]


def test_unterminated_quote_is_accepted(dcl):
    lines, _ = run(dcl, """
        $ x = "abc
        $ WRITE SYS$OUTPUT x, F$LENGTH(x)
        """)
    assert lines == ["abc3"]


# ---------------------------------------------------------------------------------------------
# Entry points.
# ---------------------------------------------------------------------------------------------
def test_run_line(dcl):
    assert dcl.run_line("$ x = 6 * 7") == C.CLI_NORMAL
    assert dcl.run_line('WRITE SYS$OUTPUT "x=", x') == C.RMS_NORMAL
    assert dcl.run_line("EXIT 44") == 44
    assert dcl.final_status == 44
    assert dcl.out.getvalue().splitlines() == ["x=42", "%SYSTEM-F-ABORT, abort"]


def test_interactive_session(dcl):
    typed = "\n".join([
        "x = 1",
        "WRITE SYS$OUTPUT -",
        "  x + 1",
        "IF x",
        "THEN",
        'WRITE SYS$OUTPUT "block"',
        "ENDIF",
        "WRITE",
        "SYS$OUTPUT",
        '"prompted"',
        "lbl: WRITE SYS$OUTPUT 3",
        "GOTO lbl",
        "ON ERROR THEN EXIT",
        "",
    ])
    out = io.StringIO()
    status = dcl.interactive(io.StringIO(typed), out)
    assert out.getvalue().split("\n") == [
        "$ $ _$ 2",
        "$ $ $ block",
        "$ $ _Log_name: _Expression: prompted",
        "$ %DCL-W-NOLBLS, label ignored - use only within command procedures",
        "3",
        "$ " + USGOTO,
        " \\LBL\\",
        "$ %DCL-W-ONLEVL, invalid ON context - use only within command procedures",
        "$ ",
    ]
    assert status == C.CLI_ONLEVL


def test_missing_parameter_in_a_procedure_is_not_prompted(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ WRITE SYS$OUTPUT
        """)
    assert lines == ["%DCL-W-INSFPRM, missing command parameters - supply all required "
                     "parameters"]


# ---------------------------------------------------------------------------------------------
# Lines run again: what was kept from the first run (plans, parses, compiled expressions)
# must not change what a later run does.
# ---------------------------------------------------------------------------------------------
def test_a_line_run_again_sees_new_values_and_types(dcl):
    lines, _ = run(dcl, """
        $ a = "x"
        $ b = "2"
        $ k = 0
        $loop:
        $ x = a + b
        $ WRITE SYS$OUTPUT x, " ", a .EQS. "x", " ", F$TYPE(a)
        $ a = k + 1
        $ k = k + 1
        $ IF k .LT. 3 THEN GOTO loop
        """)
    assert lines == ["x2 1 STRING", "3 0 INTEGER", "4 0 INTEGER"]


def test_a_verb_symbol_defined_later_changes_a_line_already_run(dcl):
    lines, _ = run(dcl, '''
        $ SET NOON
        $ i = 0
        $loop:
        $ i = i + 1
        $ shout "pass ", i
        $ shout :== WRITE SYS$OUTPUT
        $ IF i .EQ. 2 THEN shout :== WRITE SYS$OUTPUT """again"","
        $ IF i .LT. 3 THEN GOTO loop
        $ DELETE/SYMBOL/GLOBAL shout
        $ shout "gone"
        ''')
    assert lines == [IVVERB, " \\SHOUT\\", "pass 2", "againpass 3", IVVERB, " \\SHOUT\\"]


def test_errors_of_a_line_run_again_come_again(dcl):
    lines, _ = run(dcl, """
        $ SET NOON
        $ i = 0
        $loop:
        $ i = i + 1
        $ x = nosuch + )
        $ frob 'i'
        $ IF i .LT. 3 THEN GOTO loop
        """)
    undsym = "%DCL-W-UNDSYM, undefined symbol - check validity and spelling"
    assert lines == [undsym, " \\NOSUCH\\", IVVERB, " \\FROB\\"] * 3


def test_apostrophes_are_substituted_at_each_run_and_verified_as_substituted(dcl):
    lines, _ = run(dcl, """
        $ k = 0
        $loop:
        $ k = k + 1
        $ IF k .EQ. 2 THEN SET VERIFY
        $ WRITE SYS$OUTPUT "k=''k'" + -
            " twice=''F$STRING(k * 2)'"
        $ IF k .LT. 3 THEN GOTO loop
        $ SET NOVERIFY
        """)
    assert lines == [
        "k=1 twice=2",
        '$ WRITE SYS$OUTPUT "k=2" + -', '    " twice=4"', "k=2 twice=4",
        "$ IF k .LT. 3 THEN GOTO loop", "$loop:", "$ k = k + 1",
        "$ IF k .EQ. 2 THEN SET VERIFY",
        '$ WRITE SYS$OUTPUT "k=3" + -', '    " twice=6"', "k=3 twice=6",
        "$ IF k .LT. 3 THEN GOTO loop", "$ SET NOVERIFY"]


def test_a_verb_added_after_a_line_ran_is_found(dcl):
    assert dcl.run_line("FROB") == C.CLI_IVVERB
    dcl.table.add(Verb("FROB", handler=lambda dcl_, cmd: dcl_.write("frobbed") or 1))
    assert dcl.run_line("FROB") == 1
    assert dcl.out.getvalue().splitlines() == [IVVERB, " \\FROB\\", "frobbed"]


def test_a_line_of_other_blanks_is_no_command(dcl):
    assert dcl.run_line("\f") == C.CLI_NOCOMD
    assert dcl.out.getvalue().splitlines()[0].startswith("%DCL-W-NOCOMD, ")
