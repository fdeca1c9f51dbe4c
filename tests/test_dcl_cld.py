"""Command definitions and the parser: verbs, keywords, parameters, qualifiers, errors."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl import verbs
from vmsenv.dcl.cld import (
    EXPRESSION,
    LOCAL,
    POSITIONAL,
    REQUIRED,
    REST,
    WORD,
    CommandTable,
    Keyword,
    MissingParameter,
    Parameter,
    Qualifier,
    Verb,
    parse,
)

ASSIGN_LIKE = Verb(
    "DEFINE",
    (Parameter("NAME", required=True, prompt="Log_name"),
     Parameter("VALUE", required=True, list=True, prompt="Equ_name")),
    (Qualifier("LOG", default=True),
     Qualifier("TABLE", value=REQUIRED),
     Qualifier("ATTRIBUTES", value=REQUIRED, list=True, placement=POSITIONAL,
               keywords=("CONCEALED", "TERMINAL", Keyword("COUNT", value=REQUIRED),
                         Keyword("CASE", negatable=True))),
     Qualifier("USER_MODE", group="MODE"),
     Qualifier("SUPERVISOR_MODE", group="MODE", default=True),
     Qualifier("EXECUTIVE_MODE", group="MODE"),
     Qualifier("NOTE", placement=LOCAL, negatable=False)),
)


def error(verb, text):
    with pytest.raises(VMSError) as caught:
        parse(verb, text)
    return caught.value.status, caught.value.segment


def test_two_parameters_second_a_list():
    cmd = parse(ASSIGN_LIKE, ' vpt_x  alpha, "Beta" ,gamma')
    assert cmd.param("NAME") == "VPT_X"
    assert cmd.param_values("VALUE") == ["ALPHA", "Beta", "GAMMA"]
    assert [v.quoted for v in cmd.params_of("VALUE")] == [False, True, False]


def test_one_parameter_too_many():
    assert error(ASSIGN_LIKE, "vpt_up lower value") == (C.CLI_MAXPARM, "VALUE")


def test_quoted_text_keeps_case_and_doubled_quotes():
    cmd = parse(ASSIGN_LIKE, 'x "say ""hi"""')
    assert cmd.param("VALUE") == 'say "hi"'
    cmd = parse(ASSIGN_LIKE, 'x ab"Cd"ef')
    assert cmd.param("VALUE") == "ABCdEF"


def test_qualifiers_abbreviated_negated_and_defaulted():
    cmd = parse(ASSIGN_LIKE, "/NOLO/TAB = LNM$JOB x y")
    assert cmd.present("LOG") is False
    assert cmd.value("TABLE") == "LNM$JOB"
    assert cmd.present("USER_MODE") is None
    cmd = parse(ASSIGN_LIKE, "x y")
    assert cmd.present("LOG") is True            # default-present
    assert cmd.value("TABLE") is None


def test_group_last_one_wins():
    assert parse(ASSIGN_LIKE, "/EXEC/USER x y").choice("MODE") == "USER_MODE"
    assert parse(ASSIGN_LIKE, "/USER/EXEC x y").choice("MODE") == "EXECUTIVE_MODE"
    assert parse(ASSIGN_LIKE, "x y").choice("MODE") == "SUPERVISOR_MODE"


def test_keyword_values_list_and_abbreviation():
    cmd = parse(ASSIGN_LIKE, "/ATTR=(CONC, TERM) x y")
    assert cmd.values("ATTRIBUTES") == ["CONCEALED", "TERMINAL"]
    cmd = parse(ASSIGN_LIKE, "/ATTR:(COUNT=3,NOCASE) x y")
    assert cmd.values("ATTRIBUTES") == ["COUNT", "NOCASE"]
    assert cmd.keyword_arg("ATTRIBUTES", "COUNT") == "3"


def test_positional_qualifier_after_a_value_is_local():
    cmd = parse(ASSIGN_LIKE, 'mix "a"/ATTRIBUTES=CONCEALED,"b"')
    first, second = cmd.params_of("VALUE")
    assert first.qualifier_values("ATTRIBUTES") == ["CONCEALED"]
    assert second.qualifier_values("ATTRIBUTES") == []
    assert cmd.values("ATTRIBUTES") == []


def test_positional_qualifier_after_verb_applies_to_every_value():
    cmd = parse(ASSIGN_LIKE, "/ATTRIBUTES=TERMINAL x a,b")
    assert [v.qualifier_values("ATTRIBUTES") for v in cmd.params_of("VALUE")] == \
        [["TERMINAL"], ["TERMINAL"]]


def test_local_qualifier_placement():
    cmd = parse(ASSIGN_LIKE, "x a/NOTE,b")
    assert [v.present("NOTE") for v in cmd.params_of("VALUE")] == [True, None]
    assert error(ASSIGN_LIKE, "/NOTE x a") == (C.CLI_IVQLOC, "NOTE")


@pytest.mark.parametrize("text, status, segment", [
    ("/NOSUCH x y", C.CLI_IVQUAL, "NOSUCH"),
    ("/Z x y", C.CLI_IVQUAL, "Z"),
    ("/TABLE x y", C.CLI_VALREQ, "TABLE"),
    ("/LOG=yes x y", C.CLI_NOVALU, "YES"),
    ("/NONOTE x a", C.CLI_NOTNEG, "NONOTE"),
    ("/ATTR=BOGUS x y", C.CLI_IVKEYW, "BOGUS"),
    ("/ATTR=C x y", C.CLI_ABKEYW, "C"),
    ("/ATTR=(CONC x y", C.CLI_NOPAREN, "ATTR"),
    ("/TABLE=(a,b) x y", C.CLI_ONEVAL, "B"),
    ("/ x y", C.CLI_NOKEYW, "/"),
    ("a,b c", C.CLI_NOLIST, ",B"),
])
def test_qualifier_and_parameter_errors(text, status, segment):
    assert error(ASSIGN_LIKE, text) == (status, segment)


def test_ambiguous_and_unique_qualifier_prefixes():
    verb = Verb("X", qualifiers=(Qualifier("OUTPUT"), Qualifier("OUTLINE")))
    assert error(verb, "/OUT") == (C.CLI_ABKEYW, "OUT")
    assert parse(verb, "/OUTP").present("OUTPUT") is True
    assert parse(ASSIGN_LIKE, "/E x y").choice("MODE") == "EXECUTIVE_MODE"
    assert error(ASSIGN_LIKE, "/LOGX x y") == (C.CLI_IVQUAL, "LOGX")


def test_verb_without_qualifiers():
    assert error(Verb("PLAIN", (Parameter("X"),)), "a/LOG") == (C.CLI_NOQUAL, "LOG")


def test_missing_parameter_carries_its_prompt():
    with pytest.raises(MissingParameter) as caught:
        parse(ASSIGN_LIKE, "x")
    assert caught.value.status == C.CLI_INSFPRM
    assert caught.value.parameter.prompt == "Equ_name"


def test_word_rest_and_expression_parameters():
    verb = Verb("CALLISH", (Parameter("LABEL", required=True),) +
                tuple(Parameter(f"P{n}", type=WORD) for n in range(1, 4)))
    cmd = parse(verb, 'sub one "Two Words" a,b')
    assert [cmd.param(p) for p in ("LABEL", "P1", "P2", "P3")] == \
        ["SUB", "ONE", "Two Words", "A,B"]
    rest = Verb("IFFY", (Parameter("TEXT", type=REST),))
    assert parse(rest, '  a .EQS. "x"  THEN  go ').param("TEXT") == 'a .EQS. "x"  THEN  go'
    expr = Verb("SAY", (Parameter("CHANNEL"), Parameter("ITEMS", list=True, type=EXPRESSION)))
    cmd = parse(expr, 'out a / 2, F$X("a,b", 1), "c,d"')
    assert cmd.param_values("ITEMS") == ["a / 2", 'F$X("a,b", 1)', '"c,d"']


def test_concatenated_parameter():
    verb = Verb("APPEND", (Parameter("FILES", list=True, concatenate=True),))
    assert parse(verb, "a+b, c").param_values("FILES") == ["A", "B", "C"]
    plain = Verb("NAMEIT", (Parameter("NAME"),))
    assert parse(plain, "a+b").param("NAME") == "A+B"


SHOWISH = Verb("SHOW", keywords=(
    Verb("SYMBOL", (Parameter("NAME"),), (Qualifier("GLOBAL"),)),
    Verb("SYSTEM"),
))
SETISH = Verb("SET", keywords=(
    Verb("ON", negatable=True),
    Verb("PROMPT", value="optional"),
))


def test_keyword_verbs():
    cmd = parse(SHOWISH, "SYMB/GLOBAL abc")
    assert cmd.name == "SHOW SYMBOL"
    assert cmd.param("NAME") == "ABC" and cmd.present("GLOBAL")
    assert parse(SETISH, "noon").negated is True
    assert parse(SETISH, "ON").negated is False
    assert parse(SETISH, 'PROMPT = "Yes> "').keyword_value == "Yes> "
    assert parse(SHOWISH, "SYMBOLS").name == "SHOW SYMBOL"    # 4 characters count
    assert error(SHOWISH, "SY") == (C.CLI_ABKEYW, "SY")
    assert error(SHOWISH, "NOSYMBOL") == (C.CLI_IVKEYW, "NOSYMBOL")
    assert error(SHOWISH, "BOGUS") == (C.CLI_IVKEYW, "BOGUS")
    with pytest.raises(MissingParameter):
        parse(SHOWISH, "")


def test_syntax_switch():
    other = Verb("REMOVE", (Parameter("SYMBOL", required=True),), (Qualifier("GLOBAL"),))
    verb = Verb("REMOVE", (Parameter("FILES", required=True, list=True),),
                (Qualifier("SYMBOL", syntax=other), Qualifier("CONFIRM")))
    cmd = parse(verb, "/SYMBOL/GLOBAL abc")
    assert cmd.verb is other and cmd.param("SYMBOL") == "ABC" and cmd.present("GLOBAL")
    cmd = parse(verb, "a.txt,b.txt/CONFIRM")
    assert cmd.verb is verb and cmd.param_values("FILES") == ["A.TXT", "B.TXT"]


def test_verb_lookup_four_significant_characters():
    table = CommandTable([Verb("WRITE"), Verb("SET"), Verb("SEARCH"), Verb("SHOW")])
    assert table.lookup("wr").name == "WRITE"
    assert table.lookup("WRITEXYZ").name == "WRITE"
    assert table.lookup("SET").name == "SET"
    for token, status in (("SE", C.CLI_ABVERB), ("nosuchverb", C.CLI_IVVERB),
                          ("WRX", C.CLI_IVVERB)):
        with pytest.raises(VMSError) as caught:
            table.lookup(token)
        assert (caught.value.status, caught.value.segment) == (status, token.upper())


def test_merging_declarations_from_two_modules():
    def handler(dcl, cmd):
        return 1

    table = CommandTable([
        Verb("SHOW", keywords=(Verb("SYMBOL", handler=handler),)),
        Verb("SHOW", keywords=(Verb("LOGICAL", handler=handler),)),
        Verb("DELETE", qualifiers=(Qualifier("SYMBOL", syntax=Verb("DELETE")),)),
        Verb("DELETE", (Parameter("FILE"),), (Qualifier("LOG"),), handler=handler),
    ])
    assert sorted(k.name for k in table.get("SHOW").keywords) == ["LOGICAL", "SYMBOL"]
    delete = table.get("DELETE")
    assert delete.handler is handler
    assert sorted(q.name for q in delete.qualifiers) == ["LOG", "SYMBOL"]
    with pytest.raises(ValueError):
        table.add(Verb("DELETE", handler=handler))


# ---------------------------------------------------------------------------------------------
# Properties: every failure of the parser is a DCL message.
# ---------------------------------------------------------------------------------------------
TABLE, _LEXICALS = verbs.load()
COMMAND_TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(["/", "/no", "=", ":", ",", "(", ")", "+", '"', '""', " ", "\t",
                              "a", "B", "1", "-", "!", "*", "%", "[x]", "log", "table",
                              "output", "symbol", "all", "global", "verify", "on", "no",
                              "procedure", "=(", "sys$output", "@", "'"]),
             max_size=20).map("".join))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(TABLE.names()), COMMAND_TEXT)
def test_parsing_any_text_raises_only_dcl_errors(name, text):
    verb = TABLE.get(name)
    try:
        cmd = parse(verb, text, name)
    except VMSError:
        return
    assert isinstance(cmd.name, str)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_looking_up_any_verb_raises_only_dcl_errors(token):
    try:
        TABLE.lookup(token)
    except VMSError as err:
        assert err.status in (C.CLI_IVVERB, C.CLI_ABVERB)
