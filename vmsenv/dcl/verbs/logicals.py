"""DEFINE, ASSIGN, DEASSIGN, CREATE/NAME_TABLE, SHOW LOGICAL, SHOW TRANSLATION and F$TRNLNM.

Statuses and messages as recorded on OpenVMS V8.4 (facts A4, A6, A7):
- DEFINE and ASSIGN leave %X00030001; replacing a name in the same table and mode shows
  %DCL-I-SUPERSEDE (not with /NOLOG).
- DEASSIGN of a missing name shows %SYSTEM-F-NOLOGNAM and leaves %X000001BC; with /NOLOG it
  shows nothing and leaves %X100001BC (the message counts as displayed).
- SHOW LOGICAL / SHOW TRANSLATION of a missing name show %SHOW-S-NOTRAN and leave %X10788019.
- SHOW LOGICAL runs an image: user-mode names are run down after it; SHOW TRANSLATION runs
  inside DCL and keeps them.
DEFINE keeps a trailing colon of the name; ASSIGN and DEASSIGN drop one (`NAME::` deletes a
name that ends with a colon). /EXECUTIVE_MODE without SYSNAM silently makes a supervisor-mode
name. The last table qualifier and the last mode qualifier given win.

Choices where VMS is silent: SHOW LOGICAL matches names case-blind; SHOW TRANSLATION prints
`   NAME = "first value" (TABLE)` with the name unquoted; CREATE/NAME_TABLE of an existing table
without /ATTRIBUTES=SUPERSEDE changes nothing and says nothing.
"""

from __future__ import annotations

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.cld import OPTIONAL, REQUIRED, TEXT, Parameter, Qualifier, Verb
from vmsenv.dcl.values import to_int
from vmsenv.lnm import display
from vmsenv.lnm import names as N

# ------------------------------------------------------------------------------ qualifiers
_TABLE_GROUP = (
    Qualifier("TABLE", value=REQUIRED, negatable=False, group="table"),
    Qualifier("PROCESS", negatable=False, group="table"),
    Qualifier("JOB", negatable=False, group="table"),
    Qualifier("GROUP", negatable=False, group="table"),
    Qualifier("SYSTEM", negatable=False, group="table"),
    Qualifier("CLUSTER_SYSTEM", negatable=False, group="table"),
)
_MODE_GROUP = (
    Qualifier("USER_MODE", negatable=False, group="mode"),
    Qualifier("SUPERVISOR_MODE", negatable=False, group="mode", default=True),
    Qualifier("EXECUTIVE_MODE", negatable=False, group="mode"),
)
_LOG = Qualifier("LOG", default=True)
_TABLE_OF = {"PROCESS": "LNM$PROCESS", "JOB": "LNM$JOB", "GROUP": "LNM$GROUP",
             "SYSTEM": N.SYSTEM_TABLE, "CLUSTER_SYSTEM": N.SYSCLUSTER_TABLE}
_MODE_OF = {"USER_MODE": N.USER, "SUPERVISOR_MODE": N.SUPERVISOR, "EXECUTIVE_MODE": N.EXECUTIVE}


def _table(cmd, default: str = "LNM$PROCESS") -> str:
    choice = cmd.choice("table")
    if choice is None:
        return default
    return cmd.value("TABLE") if choice == "TABLE" else _TABLE_OF[choice]


def _mode(cmd) -> int:
    return _MODE_OF[cmd.choice("mode") or "SUPERVISOR_MODE"]


def _attributes(keywords, known: dict[str, int]) -> int:
    bits = 0
    for word in keywords:
        bits |= known.get(str(word).upper(), 0)
    return bits


# ------------------------------------------------------------------------------ DEFINE / ASSIGN
def _define(dcl, cmd, name: str, values) -> int:
    every = _attributes(cmd.values("TRANSLATION_ATTRIBUTES"), N.VALUE_ATTRIBUTES)
    equivalences = []
    for pv in values:
        own = pv.qualifiers.get("TRANSLATION_ATTRIBUTES")
        attr = _attributes(own.values, N.VALUE_ATTRIBUTES) if own is not None else every
        equivalences.append((str(pv.value), attr))
    attr = _attributes(cmd.values("NAME_ATTRIBUTES"), N.NAME_ATTRIBUTES) & ~N.TABLE
    status = dcl.process.lnm.crelnm(name, equivalences, _table(cmd), _mode(cmd), attr)
    if status == C.SS_SUPERSEDE and cmd.present("LOG"):
        dcl.show_error(VMSError(C.CLI_SUPERSEDE, name))
    return C.CLI_NORMAL


def define(dcl, cmd) -> int:
    return _define(dcl, cmd, str(cmd.param("LOGICAL_NAME")), cmd.params_of("EQUIVALENCE_NAME"))


def assign(dcl, cmd) -> int:
    name = str(cmd.param("LOGICAL_NAME"))
    if name.endswith(":"):
        name = name[:-1]
    return _define(dcl, cmd, name, cmd.params_of("EQUIVALENCE_NAME"))


_DEFINE_QUALIFIERS = _TABLE_GROUP + _MODE_GROUP + (
    _LOG,
    Qualifier("NAME_ATTRIBUTES", value=OPTIONAL, list=True, negatable=False,
              keywords=("CONFINE", "NO_ALIAS")),
    Qualifier("TRANSLATION_ATTRIBUTES", value=REQUIRED, list=True, negatable=False,
              keywords=("CONCEALED", "TERMINAL"), placement="positional"),
)

DEFINE = Verb("DEFINE", parameters=(
    Parameter("LOGICAL_NAME", required=True, prompt="Log_Name", type=TEXT),
    Parameter("EQUIVALENCE_NAME", required=True, list=True, prompt="Equ_Name", type=TEXT),
), qualifiers=_DEFINE_QUALIFIERS, handler=define)

ASSIGN = Verb("ASSIGN", parameters=(
    Parameter("EQUIVALENCE_NAME", required=True, list=True, prompt="Equ_Name", type=TEXT),
    Parameter("LOGICAL_NAME", required=True, prompt="Log_Name", type=TEXT),
), qualifiers=_DEFINE_QUALIFIERS, handler=assign)


# ------------------------------------------------------------------------------ DEASSIGN
def deassign(dcl, cmd) -> int:
    lnm = dcl.process.lnm
    every = cmd.present("ALL")
    names = [str(v) for v in cmd.param_values("LOGICAL_NAME")]
    if every:
        if names:
            raise VMSError(C.CLI_MAXPARM, segment=names[0])
        lnm.dellnm(None, _table(cmd), _mode(cmd))
        return C.CLI_NORMAL
    if not names:
        raise VMSError(C.CLI_INSFPRM)
    missing = None
    for name in names:
        if name.endswith(":"):
            name = name[:-1]
        try:
            lnm.dellnm(name, _table(cmd), _mode(cmd))
        except VMSError as err:
            if err.status != C.SS_NOLOGNAM:
                raise
            missing = err
    if missing is None:
        return C.CLI_NORMAL
    if cmd.present("LOG"):
        raise missing
    return C.SS_NOLOGNAM | C.INHIB_MSG


DEASSIGN = Verb("DEASSIGN", parameters=(
    Parameter("LOGICAL_NAME", list=True, prompt="Log_Name", type=TEXT),
), qualifiers=_TABLE_GROUP + _MODE_GROUP + (_LOG, Qualifier("ALL", negatable=False)),
    handler=deassign)


# ------------------------------------------------------------------------------ CREATE/NAME_TABLE
def create_name_table(dcl, cmd) -> int:
    name = str(cmd.param("TABLE_NAME"))
    attrs = {str(a).upper() for a in cmd.values("ATTRIBUTES")}
    attr = (N.CONFINE if "CONFINE" in attrs else 0) | (N.NO_ALIAS if "NO_ALIAS" in attrs else 0)
    quota = int(cmd.value("QUOTA", "0") or 0)
    parent = cmd.value("PARENT_TABLE", N.PROCESS_TABLE)
    dcl.process.lnm.crelnt(name, parent, _mode(cmd), attr, quota, "SUPERSEDE" in attrs)
    return C.CLI_NORMAL


NAME_TABLE = Verb("CREATE", parameters=(
    Parameter("TABLE_NAME", required=True, prompt="Table_Name", type=TEXT),
), qualifiers=_MODE_GROUP + (
    Qualifier("NAME_TABLE", negatable=False),
    Qualifier("PARENT_TABLE", value=REQUIRED, negatable=False),
    Qualifier("ATTRIBUTES", value=REQUIRED, list=True, negatable=False,
              keywords=("CONFINE", "NO_ALIAS", "SUPERSEDE")),
    Qualifier("QUOTA", value=REQUIRED, negatable=True),
), handler=create_name_table)

CREATE = Verb("CREATE", qualifiers=(
    Qualifier("NAME_TABLE", negatable=False, syntax=NAME_TABLE),
))


# ------------------------------------------------------------------------------ SHOW LOGICAL
def _show_tables(cmd) -> list[str]:
    """The table names or search lists SHOW LOGICAL looks in, in order."""
    specs: list[str] = [str(t) for t in cmd.values("TABLE")]
    for qual, table in (("PROCESS", "LNM$PROCESS"), ("JOB", "LNM$JOB"), ("GROUP", "LNM$GROUP"),
                        ("SYSTEM", N.SYSTEM_TABLE), ("CLUSTER", N.SYSCLUSTER_TABLE)):
        if cmd.present(qual):
            specs.append(table)
    return specs or ["LNM$DCL_LOGICAL"]


def _mode_keyword(cmd) -> int:
    text = cmd.value("ACCESS_MODE")
    return N.mode_from_name(str(text)) if text else N.USER


def show_logical(dcl, cmd) -> int:
    lnm = dcl.process.lnm
    mode = _mode_keyword(cmd)
    full = bool(cmd.present("FULL"))
    specs = _show_tables(cmd)
    tables: list[str] = []
    for spec in specs:
        for table in lnm.tables(spec, mode):
            if table not in tables:
                tables.append(table)
    if not tables:
        raise VMSError(C.SS_NOLOGTAB)

    def lookup(name: str):
        for spec in specs:
            entry = lnm.trnlnm(name, spec, mode)
            if entry is not None:
                return entry
        return None

    names = [str(v) for v in cmd.param_values("LOGICAL_NAME")]
    status = C.CLI_NORMAL
    if not names:
        names = ["*"]
    for name in names:
        wild = "*" in name or "%" in name
        found = [(t, es) for table in tables for t, es in lnm.matches(table, name, mode)]
        if not any(es for _, es in found):
            status = dcl.signal(C.SHOW_NOTRAN, name)
            continue
        for table, entries in found:
            if wild:
                for line in display.table_listing(table, entries, full=full):
                    dcl.write(line)
                continue
            several_modes = len({e.mode for e in entries}) > 1
            for entry in entries:
                for line in display.followed(entry, lookup, full=full,
                                             mode_tag=several_modes):
                    dcl.write(line)
    return status


def show_translation(dcl, cmd) -> int:
    lnm = dcl.process.lnm
    table = cmd.value("TABLE", "LNM$DCL_LOGICAL")
    name = str(cmd.param("LOGICAL_NAME"))
    entry = lnm.trnlnm(name, table)
    if entry is None:
        return dcl.signal(C.SHOW_NOTRAN, name)
    dcl.write(display.translation_line(name, entry))
    return C.CLI_NORMAL


SHOW = Verb("SHOW", keywords=(
    Verb("LOGICAL", parameters=(
        Parameter("LOGICAL_NAME", list=True, type=TEXT),
    ), qualifiers=(
        Qualifier("ALL", negatable=False),
        Qualifier("PROCESS", negatable=False),
        Qualifier("JOB", negatable=False),
        Qualifier("GROUP", negatable=False),
        Qualifier("SYSTEM", negatable=False),
        Qualifier("CLUSTER", negatable=False),
        Qualifier("TABLE", value=REQUIRED, list=True, negatable=False),
        Qualifier("FULL", negatable=False),
        Qualifier("ACCESS_MODE", value=REQUIRED, negatable=False,
                  keywords=("USER", "SUPERVISOR", "EXECUTIVE", "KERNEL")),
    ), handler=show_logical, image=True),
    Verb("TRANSLATION", parameters=(
        Parameter("LOGICAL_NAME", required=True, prompt="Log_Name", type=TEXT),
    ), qualifiers=(
        Qualifier("TABLE", value=REQUIRED, negatable=False),
    ), handler=show_translation),
))

VERBS = [DEFINE, ASSIGN, DEASSIGN, CREATE, SHOW]


# ------------------------------------------------------------------------------ F$TRNLNM
_ITEMS = ("VALUE", "LENGTH", "MAX_INDEX", "ACCESS_MODE", "TABLE_NAME", "TABLE", "CONCEALED",
          "CONFINE", "CRELOG", "NO_ALIAS", "TERMINAL", "CLUSTERWIDE")
_NAME_BITS = {"TABLE": N.TABLE, "CONFINE": N.CONFINE, "CRELOG": N.CRELOG,
              "NO_ALIAS": N.NO_ALIAS, "CLUSTERWIDE": N.CLUSTERWIDE}
_VALUE_BITS = {"CONCEALED": N.CONCEALED, "TERMINAL": N.TERMINAL}


def _keyword(text, choices: tuple[str, ...]) -> str:
    word = str(text).strip().upper()
    if word in choices:
        return word
    found = [c for c in choices if word and c.startswith(word)]
    if len(found) != 1:
        raise VMSError(C.CLI_IVKEYW, segment=word)
    return found[0]


def f_trnlnm(dcl, args):
    name, table, index, mode, case, item = (list(args) + [None] * 6)[:6]
    table = str(table) if table not in (None, "") else "LNM$DCL_LOGICAL"
    index = 0 if index in (None, "") else to_int(index)
    mode = N.USER if mode in (None, "") else N.mode_from_name(str(mode))
    case_blind = case in (None, "") or _keyword(case, ("CASE_BLIND", "CASE_SENSITIVE")) \
        == "CASE_BLIND"
    item = "VALUE" if item in (None, "") else _keyword(item, _ITEMS)
    try:
        entry = dcl.process.lnm.trnlnm(str(name), table, mode, case_blind)
    except VMSError:
        entry = None
    if entry is None:
        return ""
    values = entry.values
    text, vattr = values[index] if 0 <= index < len(values) else ("", 0)
    if item == "VALUE":
        return text
    if item == "LENGTH":
        return len(text)
    if item == "MAX_INDEX":
        return len(values) - 1
    if item == "ACCESS_MODE":
        return N.MODE_NAMES[entry.mode]
    if item == "TABLE_NAME":
        return entry.table
    if item in _VALUE_BITS:
        return "TRUE" if vattr & _VALUE_BITS[item] else "FALSE"
    return "TRUE" if entry.attr & _NAME_BITS[item] else "FALSE"


LEXICALS = {"F$TRNLNM": (f_trnlnm, 1, 6)}
