"""Property tests: chains and loops of logical names always end (facts A5, LNM$C_MAXDEPTH).

Through a real root and Process (one root per test function, made with tempfile, because
hypothesis runs many examples in one call of the test function; the names an example defines
are deleted before the next one):
- file specifications: a random graph of names (in the process, job and system tables) whose
  values are other names with a colon, or a final device, or TERMINAL values. $PARSE (first
  search-list elements) and the expansion into every search-list alternative either give the
  result a model computes or raise SS_TOOMANYLNAM, never hang and never raise anything else.
  The model is exact: at most 10 translations, one more raises; a TERMINAL value, an undefined
  name and a physical `_DEV:` end the translation.
- table names: a random graph of search lists in LNM$PROCESS_DIRECTORY naming each other, real
  tables, the directories and undefined names. tables() and trnlnm() through the list either
  give the model's tables (and the first of them that holds the probe name) or raise
  SS_TOOMANYLNAM. Where the two possible readings of the limit (an 11th level is refused when
  looked at, or only when it is itself a further name) disagree, either outcome is accepted.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vmsenv import condition as cond
from vmsenv import filespec as fsp
from vmsenv import root as rootmod
from vmsenv.lnm import names as N
from vmsenv.process import Process

LIMIT = 10
GRAPH_NAMES = tuple(f"VPT_G{i}" for i in range(6))
CHAIN_NAMES = tuple(f"VPT_C{i}" for i in range(14))
FINALS = ("DKA0:", "DKA200:", "_DKA0:", "VPT_NODEV:")
TABLES = ("LNM$PROCESS", "LNM$JOB", "LNM$SYSTEM")
PD = fsp.ProcessDefault("DKA0:", "[000000]")
SETTINGS = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


class TooMany(Exception):
    pass


# ---------------------------------------------------------------- strategies
def _value(names):
    """(equivalence string, TERMINAL?)"""
    target = st.sampled_from(tuple(n + ":" for n in names) * 2 + FINALS)
    return st.tuples(target, st.sampled_from((False, False, False, True)))


@st.composite
def random_graphs(draw):
    """{name: (table, [(value, terminal), ...])} over a small pool: many loops."""
    names = draw(st.lists(st.sampled_from(GRAPH_NAMES), min_size=1, max_size=len(GRAPH_NAMES),
                          unique=True))
    graph = {}
    for name in names:
        values = draw(st.lists(_value(GRAPH_NAMES), min_size=1, max_size=2))
        graph[name] = (draw(st.sampled_from(TABLES)), values)
    return graph, draw(st.sampled_from(names))


@st.composite
def chains(draw):
    """A chain VPT_C0 -> VPT_C1 -> ... of 1 to 14 names ending at a device or looping back:
    lengths around the limit of 10 translations."""
    length = draw(st.integers(1, len(CHAIN_NAMES)))
    names = CHAIN_NAMES[:length]
    end = draw(st.one_of(st.sampled_from(FINALS), st.sampled_from(names).map(lambda n: n + ":")))
    graph = {}
    for i, name in enumerate(names):
        target = names[i + 1] + ":" if i + 1 < length else end
        graph[name] = (draw(st.sampled_from(TABLES)), [(target, False)])
    return graph, names[0]


# ---------------------------------------------------------------- the model
def _device_of(value: str) -> str:
    return value[:-1]


def model_first(graph, start: str) -> str:
    """The shown device of $PARSE(start:X.Y), following first values; TooMany past LIMIT."""
    name, count = start, 0
    while True:
        if name.startswith("_") or name not in graph:
            return name + ":"
        if count >= LIMIT:
            raise TooMany
        count += 1
        value, terminal = graph[name][1][0]
        if terminal:
            return value
        name = _device_of(value)


def model_all(graph, start: str) -> list[str]:
    """The shown devices of every alternative, depth first, without repeats."""
    out: list[str] = []

    def walk(name: str, count: int) -> None:
        if name.startswith("_") or name not in graph:
            out.append(name + ":")
            return
        if count >= LIMIT:
            raise TooMany
        for value, terminal in graph[name][1]:
            if terminal:
                out.append(value)
            else:
                walk(_device_of(value), count + 1)

    walk(start, 0)
    return list(dict.fromkeys(out))


def _outcome(fn):
    try:
        return ("ok", fn())
    except TooMany:
        return ("toomany",)


def _actual(fn):
    try:
        return ("ok", fn())
    except cond.VMSError as err:
        assert err.status == cond.SS_TOOMANYLNAM, err
        return ("toomany",)


# ---------------------------------------------------------------- file specifications
def _define_graph(process, graph) -> list[tuple[str, str]]:
    defined = []
    try:
        for name, (table, values) in graph.items():
            eqs = [(v, N.TERMINAL if t else 0) for v, t in values]
            process.lnm.crelnm(name, eqs, table, N.SUPERVISOR)
            defined.append((name, table))
    except BaseException:
        _undefine(process, defined)
        raise
    return defined


def _undefine(process, defined) -> None:
    for name, table in defined:
        process.lnm.dellnm(name, table, N.SUPERVISOR)


def _check_file_spec(process, graph, start: str) -> None:
    defined = _define_graph(process, graph)
    try:
        files = process.files
        for spec in (f"{start}:X.Y", start):
            expected_first = _outcome(lambda: model_first(graph, start))
            parsed = _actual(lambda s=spec: files.parse(s, process_default=PD,
                                                        syntax_only=True))
            assert parsed[0] == expected_first[0], (spec, graph)
            text = files.f_parse(spec, parse_type="SYNTAX_ONLY", process_default=PD)
            if parsed[0] == "ok":
                result = parsed[1]
                assert result.spec.device == expected_first[1], (spec, graph)
                assert result.device == expected_first[1][:-1].lstrip("_")
                assert text == result.text
            else:
                assert text == ""

            expected_all = _outcome(lambda: model_all(graph, start))
            alternatives = _actual(lambda s=spec: [
                r.spec.device for r in files.alternatives(s, process_default=PD)])
            assert alternatives == expected_all, (spec, graph)
    finally:
        _undefine(process, defined)
    for name in graph:
        assert process.lnm.translate(name) is None


def _with_process(body) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = rootmod.init(Path(tmp) / "root")
        process = Process(root)
        try:
            for device in FINALS:
                assert process.lnm.translate(device.strip("_:")) is None
            body(process)
        finally:
            process.logout()


def test_file_spec_translation_of_any_graph_ends():
    def body(process):
        @SETTINGS
        @given(random_graphs())
        def check(case):
            _check_file_spec(process, *case)

        check()

    _with_process(body)


def test_file_spec_translation_of_chains_stops_after_ten_levels():
    def body(process):
        @SETTINGS
        @given(chains())
        def check(case):
            _check_file_spec(process, *case)

        check()
        # The boundary itself, whatever hypothesis picked.
        for length, outcome in ((LIMIT, "ok"), (LIMIT + 1, "toomany")):
            names = CHAIN_NAMES[:length]
            graph = {n: ("LNM$PROCESS", [((names + ("DKA0",))[i + 1] + ":", False)])
                     for i, n in enumerate(names)}
            _check_file_spec(process, graph, names[0])
            assert _outcome(lambda g=graph, n=names: model_first(g, n[0]))[0] == outcome

    _with_process(body)


# ---------------------------------------------------------------- table search lists
SEARCH_NAMES = tuple(f"VPT_T{i}" for i in range(6))
USER_TABLE = "VPT_USERTAB"
REAL_TABLES = (N.PROCESS_TABLE, N.SYSTEM_TABLE, USER_TABLE)
TABLE_TARGETS = SEARCH_NAMES + REAL_TABLES + (N.PROCESS_DIRECTORY, "VPT_NOTABLE")
PROBE = "VPT_PROBE"


@st.composite
def table_graphs(draw):
    """{search-list name: [table or name, ...]} in LNM$PROCESS_DIRECTORY, and a start."""
    names = draw(st.lists(st.sampled_from(SEARCH_NAMES), min_size=1,
                          max_size=len(SEARCH_NAMES), unique=True))
    graph = {name: draw(st.lists(st.sampled_from(TABLE_TARGETS), min_size=1, max_size=3))
             for name in names}
    return graph, draw(st.sampled_from(names))


def model_tables(graph, start: str, refuse_undefined: bool) -> list[str]:
    """The tables a search list stands for, depth first, without repeats. A name reached
    after LIMIT translations raises TooMany if it is a further search list, or with
    refuse_undefined whatever it is."""
    found: list[str] = []

    def walk(name: str, depth: int) -> None:
        if depth > LIMIT and (refuse_undefined or name in graph):
            raise TooMany
        if name in graph:
            for value in graph[name]:
                walk(value, depth + 1)
        elif name in REAL_TABLES or name in N.DIRECTORIES:
            if name not in found:
                found.append(name)

    walk(start, 0)
    return found


def _check_tables(lnm, graph, start: str) -> None:
    holders = {USER_TABLE: "in user table", N.SYSTEM_TABLE: "in system table"}
    defined = []
    try:
        for name, values in graph.items():
            lnm.crelnm(name, [(v, 0) for v in values], N.PROCESS_DIRECTORY)
            defined.append(name)
        outcomes = [_outcome(lambda r=r: model_tables(graph, start, r)) for r in (False, True)]
        got = _actual(lambda: lnm.tables(start))
        assert got in outcomes, (graph, start)
        entry = _actual(lambda: lnm.trnlnm(PROBE, start))
        if got[0] == "toomany":
            assert entry == ("toomany",)
        else:
            first = next((t for t in got[1] if t in holders), None)
            value = entry[1].values[0][0] if entry[1] is not None else None
            assert value == holders.get(first), (graph, start)
    finally:
        for name in defined:
            lnm.dellnm(name, N.PROCESS_DIRECTORY)
    assert _actual(lambda: lnm.tables(start)) == ("ok", [])


def test_table_search_lists_that_loop_end():
    def body(process):
        lnm = process.lnm
        lnm.crelnt(USER_TABLE)
        lnm.crelnm(PROBE, [("in user table", 0)], USER_TABLE)
        lnm.crelnm(PROBE, [("in system table", 0)], "LNM$SYSTEM")

        @SETTINGS
        @given(table_graphs())
        def check(case):
            _check_tables(lnm, *case)

        check()
        # A search list naming itself, directly and through another one.
        for graph in ({"VPT_T0": ["VPT_T0"]}, {"VPT_T0": ["VPT_T1"], "VPT_T1": ["VPT_T0"]},
                      {"VPT_T0": [USER_TABLE, "VPT_T0"]}):
            for refuse in (False, True):
                assert _outcome(lambda g=graph, r=refuse: model_tables(g, "VPT_T0", r)) \
                    == ("toomany",)
            _check_tables(lnm, graph, "VPT_T0")
        # Chains of search lists around the limit: 10 levels are followed, 12 are not.
        for length in range(1, 14):
            names = [f"VPT_S{i}" for i in range(length)]
            graph = {n: [(names + [USER_TABLE])[i + 1]] for i, n in enumerate(names)}
            _check_tables(lnm, graph, names[0])
            if length <= LIMIT:
                assert model_tables(graph, names[0], True) == [USER_TABLE]
            elif length > LIMIT + 1:
                assert _outcome(lambda g=graph, n=names: model_tables(g, n[0], False)) \
                    == ("toomany",)

    _with_process(body)
