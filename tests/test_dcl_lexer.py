"""Records, comments, continuation, labels and block structure."""

from vmsenv.dcl.lexer import (
    Source,
    command_body,
    find_keyword,
    join_lines,
    make_record,
    split_label,
    split_records,
    squeeze_text,
    strip_comment,
    structure_word,
)


def test_comments_respect_quotes():
    assert strip_comment('$ x = "a!b" ! note') == '$ x = "a!b" '
    assert strip_comment("$ ! all comment") == "$ "


def test_continuation_records_keep_their_lines():
    records = split_records('$ WRITE SYS$OUTPUT "a", - ! first\n\t"b"\ndata\n$ EXIT\n')
    assert [r.command for r in records] == [True, False, True]
    assert records[0].lines == ['$ WRITE SYS$OUTPUT "a", - ! first', '\t"b"']
    assert join_lines(records[0].lines) == '$ WRITE SYS$OUTPUT "a", \t"b"'
    assert records[1].lines == ["data"]


def test_labels():
    assert split_label(command_body("$loop: i = i + 1")) == ("LOOP", " i = i + 1")
    assert split_label(" x := value") == (None, " x := value")
    assert split_label(" x :== value") == (None, " x :== value")
    assert split_label("sub: SUBROUTINE") == ("SUB", " SUBROUTINE")


def test_structure_words():
    assert structure_word(" IF a .EQ. 1") == "IF"
    assert structure_word(" endif") == "ENDIF"
    assert structure_word(" ENDS") == "ENDSUBROUTINE"
    assert structure_word(" ENDSUBROUTINE") == "ENDSUBROUTINE"
    assert structure_word(" then = 1") == ""
    assert structure_word(" THENCE") == "THEN"     # 4 characters count, as for verbs
    assert structure_word(" THE") == ""
    assert structure_word(" WRITE SYS$OUTPUT 1") == ""


def test_find_then_outside_quotes():
    assert find_keyword('a .EQS. "THEN" THEN go', "THEN") == 15
    assert find_keyword("then_flag .AND. x", "THEN") == -1
    assert find_keyword('x.eq.1 then', "THEN") == 7


def test_squeeze_text_for_colon_assignment():
    assert squeeze_text("  unquoted   words  here ") == "UNQUOTED WORDS HERE"
    assert squeeze_text(' "  spaced   out  " ') == "  spaced   out  "
    assert squeeze_text(' a  "b  c"d  "say ""x"""') == 'A b  cD say "x"'


def test_block_structure_is_indexed():
    text = "\n".join([
        "$ IF a",            # 0
        "$ THEN",            # 1
        "$   IF b",          # 2
        "$   THEN",          # 3
        "$   ENDIF",         # 4
        "$ ELSE",            # 5
        "$lbl: x = 1",       # 6
        "$ ENDIF",           # 7
        "$s: SUBROUTINE",    # 8
        "$ ENDSUBROUTINE",   # 9
    ])
    source = Source.from_text("X.COM", text)
    assert source.records[0].block_if and not source.records[2].word == "THEN"
    assert source.endif_of == {3: 4, 1: 7}
    assert source.else_of == {1: 5}
    assert source.then_of[5] == 1
    assert source.records[6].chain == (1,) and source.records[6].label == "LBL"
    assert source.records[4].chain == (1, 3) and source.records[8].chain == ()
    assert source.endsub_of == {8: 9}


def test_interactive_source_reads_on_demand():
    from vmsenv.dcl.lexer import make_record

    lines = iter(["IF 1", "THEN", "ENDIF"])
    source = Source(reader=lambda: make_record([next(lines)]))
    assert source.get(0).block_if
    assert source.find_end(source.endif_of, 1) == 2


def test_records_keep_their_command_body():
    record = make_record(["$here: x = 1 + - ! sum", "  2 ! it's done"])
    assert (record.label, record.body) == ("HERE", " x = 1 +   2 ")
    assert record.apostrophes
    record = make_record(["$ WRITE SYS$OUTPUT \"a\" ! plain"])
    assert (record.label, record.body, record.apostrophes) == (None, ' WRITE SYS$OUTPUT "a" ',
                                                               False)
    assert make_record(["data line"], command=False).body == ""
