"""HELP generated from the command table: layout, topics, subtopics, prompting."""

import io

import pytest

from vmsenv import condition as C
from vmsenv.dcl import cld
from vmsenv.dcl.cld import Keyword, Parameter, Qualifier, Verb
from vmsenv.dcl.interpreter import Interpreter
from vmsenv.dcl.verbs import help as H


# ---------------------------------------------------------------------------------------------
# The column layout, checked against rows of a real HELP listing.
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("names, rows", [
    ([":=", "=", "@", "ACCOUNTING", "ALLOCATE", "ANALYZE", "APPEND"],
     ["  :=         =          @          ACCOUNTING ALLOCATE   ANALYZE    APPEND"]),
    (["COPY", "CREATE", "CXXDEMANGLE", "DCL_Tips", "DEALLOCATE", "DEASSIGN"],
     ["  COPY       CREATE     CXXDEMANGLE           DCL_Tips   DEALLOCATE DEASSIGN"]),
    (["DELETE", "DEPOSIT", "DIFFERENCES", "DIRECTORY", "DISABLE", "DISCONNECT", "DISMOUNT"],
     ["  DELETE     DEPOSIT    DIFFERENCES           DIRECTORY  DISABLE",
      "  DISCONNECT DISMOUNT"]),
    (["INITIALIZE", "INQUIRE", "INSTALL", "Instructions", "JAVA", "JOB", "LANCP"],
     ["  INITIALIZE INQUIRE    INSTALL    Instructions          JAVA       JOB",
      "  LANCP"]),
    (["SUBROUTINE", "Symbol_Assign", "SYNCHRONIZE", "SYSGEN", "SYSMAN", "System_Services"],
     ["  SUBROUTINE Symbol_Assign         SYNCHRONIZE           SYSGEN     SYSMAN",
      "  System_Services"]),
    ([], []),
])
def test_columns(names, rows):
    assert H.columns(names) == rows


# ---------------------------------------------------------------------------------------------
# Screens of a command table made for the test.
# ---------------------------------------------------------------------------------------------
def _table():
    table = cld.CommandTable()
    table.add(Verb("FROB", (
        Parameter("INPUT_FILE", required=True, list=True, prompt="From", type=cld.FILE),
        Parameter("COUNT"),
    ), (
        Qualifier("LOG"),
        Qualifier("OUTPUT", value=cld.REQUIRED, negatable=False),
        Qualifier("MODE", value=cld.REQUIRED, keywords=("FAST", Keyword("SAFE", negatable=True)),
                  negatable=False),
        Qualifier("CONFIRM", default=True),
    ), handler=lambda dcl, cmd: 1))
    table.add(Verb("FROTZ", handler=lambda dcl, cmd: 1))
    table.add(Verb("TWEAK", keywords=(
        Verb("KNOB", handler=lambda dcl, cmd: 1, negatable=True,
             qualifiers=(Qualifier("ALL", negatable=False),)),
        Verb("LEVEL", handler=lambda dcl, cmd: 1, value=cld.OPTIONAL),
    )))
    return table


class FakeDcl:
    def __init__(self):
        self.table = _table()
        self.lexicals = {"F$ONE": (None, 1, 1), "F$SOME": (None, 0, 2)}
        self.lines = []

    def write(self, line):
        self.lines.append(line)


def show(text):
    dcl = FakeDcl()
    helper = H._Help(dcl)
    helper.show([helper.root], H._tokens(text))
    return dcl.lines


def test_top_level_lists_every_topic():
    assert show("") == ["", "  Information available:", "",
                        "  FROB       FROTZ      Lexicals   TWEAK", ""]


def test_verb_screen():
    assert show("FROB") == [
        "",
        "FROB",
        "",
        "     Format",
        "",
        "       FROB  input-file[,...] [count]",
        "",
        "  Additional information available:",
        "",
        "  Parameters Qualifiers",
        "  /CONFIRM   /LOG       /MODE      /OUTPUT",
        "",
    ]


def test_verb_without_parameters_or_qualifiers():
    assert show("frotz") == ["", "FROTZ", "", "     Format", "", "       FROTZ", ""]


def test_qualifier_subtopic_directly_and_under_qualifiers():
    screen = ["", "FROB", "", "  /LOG", "", "        /LOG", "        /NOLOG", ""]
    assert show("FROB /LOG") == screen
    assert show("frob/log") == screen
    assert show("FROB QUALIFIERS /LOG") == [
        "", "FROB", "", "  Qualifiers", "", "    /LOG", "", "        /LOG", "        /NOLOG", ""]


def test_qualifier_with_keywords_and_default():
    assert show("FROB /MODE") == [
        "", "FROB", "", "  /MODE", "", "        /MODE=keyword", "",
        "     Keywords: FAST, [NO]SAFE.", ""]
    assert show("FROB /CONF")[5:7] == ["        /CONFIRM (default)", "        /NOCONFIRM"]


def test_parameters_subtopic():
    assert show("FROB PARAMETERS") == [
        "", "FROB", "", "  Parameters", "",
        " input-file[,...]", "",
        '     Required; prompted for as "_From:" when omitted interactively.',
        "     Value: a file specification.",
        "     A list of values separated by commas.",
        "",
        " count", "",
        "     Optional.",
        "     Value: text, upper-cased unless quoted.",
        "",
    ]


def test_keyword_verb_and_its_sub_commands():
    assert show("TWEAK") == [
        "", "TWEAK", "", "     Format", "", "       TWEAK  keyword", "",
        "  Additional information available:", "", "  KNOB       LEVEL", ""]
    assert show("TWEAK KNOB") == [
        "", "TWEAK", "", "  KNOB", "", "     Format", "", "       TWEAK [NO]KNOB", "",
        "  Additional information available:", "", "  Qualifiers", "  /ALL", ""]
    assert show("TWEAK LEVEL")[5:8] == ["     Format", "", "       TWEAK LEVEL[=value]"]


def test_abbreviations_show_every_match():
    lines = show("FRO")
    assert lines.count("FROB") == 1 and lines.count("FROTZ") == 1


def test_wildcards():
    lines = show("F%OTZ")
    assert "FROTZ" in lines and "FROB" not in lines
    assert [line for line in show("*") if line in ("FROB", "FROTZ", "TWEAK", "Lexicals")] == \
        ["FROB", "FROTZ", "Lexicals", "TWEAK"]


def test_unknown_topic():
    assert show("NOSUCH") == [
        "", "  Sorry, no documentation on NOSUCH", "", "  Additional information available:",
        "", "  FROB       FROTZ      Lexicals   TWEAK", ""]
    assert show("FROB /NOSUCH")[:2] == ["", "  Sorry, no documentation on FROB /NOSUCH"]


def test_lexicals():
    assert show("LEXICALS F$SOME") == [
        "", "Lexicals", "", "  F$SOME", "", "     Format", "",
        "       F$SOME([argument][,argument])", "", "     Takes 0 to 2 arguments.", ""]
    assert show("LEX F$ONE")[7] == "       F$ONE(argument)"


# ---------------------------------------------------------------------------------------------
# The HELP verb in an interpreter.
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def dcl(fake_process):
    return Interpreter(fake_process(), io.StringIO(), modules=("help", "system", "session"))


def test_help_verb_without_prompting(dcl):
    assert dcl.run_line("HELP LOGOUT") == C.SS_NORMAL
    assert dcl.out.getvalue().splitlines() == [
        "", "LOGOUT", "", "     Format", "", "       LOGOUT", "",
        "  Additional information available:", "", "  Qualifiers", "  /BRIEF", ""]


def test_help_alone_lists_the_command_table(dcl):
    dcl.run_line("HELP")
    lines = dcl.out.getvalue().splitlines()
    assert lines[:3] == ["", "  Information available:", ""]
    listed = " ".join(lines[3:]).split()
    assert listed == sorted(dcl.table.names() + ["Lexicals"], key=str.upper)


def test_interactive_help_prompts_for_subtopics(dcl):
    out = io.StringIO()
    typed = "HELP LOGOUT\n/BRIEF\n?\n\n\nHELP SET\n \n\nHELP/NOPROMPT SET\n"
    dcl.interactive(io.StringIO(typed), out)
    text = out.getvalue()
    assert "LOGOUT Subtopic? \nLOGOUT\n\n  /BRIEF\n\n        /BRIEF\n\nLOGOUT Subtopic? " in text
    assert "LOGOUT Subtopic? \nLOGOUT\n\n     Format" in text       # "?" shows it again
    assert "LOGOUT Subtopic? Topic? $ " in text                      # blank lines go up
    assert "  MESSAGE    ON         PROMPT     VERIFY\n\nSET Subtopic? Topic? $ " in text
    assert text.endswith("  MESSAGE    ON         PROMPT     VERIFY\n\n$ ")
