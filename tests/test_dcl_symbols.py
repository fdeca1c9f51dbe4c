"""Symbol tables: exact and abbreviable names, deletion, wildcard listing."""

import pytest

from vmsenv.dcl.symbols import SymbolTable, split_definition


def test_define_and_lookup_upper_case():
    table = SymbolTable()
    table.define("abc", 5)
    assert table.get("ABC") == 5
    assert table.get("abc") is None   # callers upper-case; & substitution does not


def test_abbreviable_name():
    table = SymbolTable()
    symbol = table.define("say*it", "WRITE SYS$OUTPUT")
    assert symbol.display_name == "SAY*IT"
    for name in ("SAY", "SAYI", "SAYIT"):
        assert table.get(name) == "WRITE SYS$OUTPUT"
    assert table.get("SA") is None
    assert table.get("SAYITS") is None


def test_exact_name_wins_over_abbreviation():
    table = SymbolTable()
    table.define("ab*cd", 1)
    table.define("abc", 2)
    assert table.get("ABC") == 2
    assert table.get("ABCD") == 1
    assert table.get("AB") == 1


def test_delete_by_abbreviation():
    table = SymbolTable()
    table.define("ab*cd", 1)
    assert table.delete("ABC")
    assert table.get("AB") is None
    assert not table.delete("AB")


@pytest.mark.parametrize("bad", ["1abc", "*abc", "a*b*c", "a b", ""])
def test_bad_names(bad):
    with pytest.raises(ValueError):
        split_definition(bad)


def test_matching_sorted_with_wildcards():
    table = SymbolTable()
    for name in ("zeta", "alpha", "alps", "beta"):
        table.define(name, 0)
    assert [s.name for s in table.matching("AL*")] == ["ALPHA", "ALPS"]
    assert [s.name for s in table.matching("%ETA")] == ["BETA", "ZETA"]
    assert [s.name for s in table.matching()] == ["ALPHA", "ALPS", "BETA", "ZETA"]


def test_assign_with_a_split_name():
    table = SymbolTable()
    table.assign("SAYIT", 3, "WRITE SYS$OUTPUT")
    assert table.get("SAY") == "WRITE SYS$OUTPUT"
    symbol = table.lookup("SAYIT")
    table.assign("SAYIT", 3, "SHOW SYMBOL")         # same name and abbreviation: in place
    assert table.lookup("SAYIT") is symbol and table.get("SAY") == "SHOW SYMBOL"
    table.assign("SAYIT", 5, 1)                     # no longer abbreviable
    assert table.get("SAY") is None and table.get("SAYIT") == 1
