"""String and number lexical functions: F$LENGTH, F$EXTRACT, F$LOCATE, F$ELEMENT, F$EDIT,
F$INTEGER, F$STRING, F$CVUI, F$CVSI, F$FAO.

Measured behaviour (facts C12):

- F$LENGTH of an integer measures its decimal form (``F$LENGTH(5)`` is 1).
- F$EXTRACT(start,length,string): start and length are taken as unsigned longwords, so a
  negative start gives "" and a negative length the rest of the string; past the end gives
  the rest or "".
- F$LOCATE(sub,string): 0-based offset, the string's length when absent, 0 for "".
- F$ELEMENT(n,delimiter,string): an empty element is ""; past the last element the result is
  the delimiter itself; the delimiter must be one character.
- F$EDIT(string,"k[,k]"): COLLAPSE, COMPRESS (runs of blanks and tabs to one blank, edges
  too), LOWERCASE, TRIM, UNCOMMENT (cut at the first ``!`` outside quotes, keeping the blank
  before it), UPCASE; quoted sections are left alone; an unknown keyword gives IVKEYW.
- F$INTEGER / F$STRING convert as in expressions (32 bits: "4294967296" gives 0).
- F$CVUI / F$CVSI(bit,width,string): the bit field of the string's bytes, unsigned or signed
  (``F$CVUI(0,8,"A")`` is 65, ``F$CVSI(1,2,"f")`` is -1).
- F$FAO(control[,arg...]): up to 15 arguments, expanded by vmsenv.fao.

Choices where VMS is silent: F$EDIT applies its edits in a fixed order (UNCOMMENT, COLLAPSE,
COMPRESS, TRIM, then UPCASE or LOWERCASE, the last named winning) and accepts only the full
keywords; a delimiter of F$ELEMENT that is not one character, a negative element number, a
width over 32 or a field past the end of the string for F$CVUI/F$CVSI give INVRANGE.
"""

from __future__ import annotations

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.lexer import strip_comment
from vmsenv.dcl.values import to_int, to_str, wrap32
from vmsenv.fao import fao


def f_length(dcl, args):
    return len(to_str(args[0]))


def f_extract(dcl, args):
    start = to_int(args[0]) & 0xFFFFFFFF
    length = to_int(args[1]) & 0xFFFFFFFF
    text = to_str(args[2])
    return text[start:start + length]


def f_locate(dcl, args):
    sub, text = to_str(args[0]), to_str(args[1])
    where = text.find(sub)
    return len(text) if where < 0 else where


def f_element(dcl, args):
    number = to_int(args[0])
    delimiter = to_str(args[1])
    text = to_str(args[2])
    if len(delimiter) != 1 or number < 0:
        raise VMSError(C.CLI_INVRANGE)
    parts = text.split(delimiter)
    return parts[number] if number < len(parts) else delimiter


def _outside_quotes(text: str, edit) -> str:
    """Apply an edit to the unquoted runs of a string only."""
    out, run, quoted = [], [], False
    for c in text:
        if c == '"':
            if not quoted:
                out.append(edit("".join(run)))
                run = []
            quoted = not quoted
            out.append(c)
        elif quoted:
            out.append(c)
        else:
            run.append(c)
    out.append(edit("".join(run)))
    return "".join(out)


def _compress(text: str) -> str:
    out, blank = [], False
    for c in text:
        if c in " \t":
            if not blank:
                out.append(" ")
            blank = True
        else:
            out.append(c)
            blank = False
    return "".join(out)


_EDITS = ("COLLAPSE", "COMPRESS", "LOWERCASE", "TRIM", "UNCOMMENT", "UPCASE")


def f_edit(dcl, args):
    text = to_str(args[0])
    wanted: list[str] = []
    for item in to_str(args[1]).split(","):
        keyword = item.strip(" \t").upper()
        if keyword not in _EDITS:
            raise VMSError(C.CLI_IVKEYW, segment=keyword)
        wanted.append(keyword)
    if "UNCOMMENT" in wanted:
        text = strip_comment(text)
    if "COLLAPSE" in wanted:
        text = _outside_quotes(text, lambda s: s.replace(" ", "").replace("\t", ""))
    if "COMPRESS" in wanted:
        text = _outside_quotes(text, _compress)
    if "TRIM" in wanted:
        text = text.strip(" \t")
    cases = [k for k in wanted if k in ("UPCASE", "LOWERCASE")]
    if cases:
        text = _outside_quotes(text, str.upper if cases[-1] == "UPCASE" else str.lower)
    return text


def f_integer(dcl, args):
    return to_int(args[0])


def f_string(dcl, args):
    return to_str(args[0])


def _bit_field(args) -> tuple[int, int]:
    start, width = to_int(args[0]), to_int(args[1])
    data = to_str(args[2]).encode("latin-1", "replace")
    if start < 0 or width < 0 or width > 32 or start + width > 8 * len(data):
        raise VMSError(C.CLI_INVRANGE)
    number = int.from_bytes(data, "little")
    return (number >> start) & ((1 << width) - 1), width


def f_cvui(dcl, args):
    value, _width = _bit_field(args)
    return wrap32(value)


def f_cvsi(dcl, args):
    value, width = _bit_field(args)
    if width and value & (1 << (width - 1)):
        value -= 1 << width
    return wrap32(value)


def f_fao(dcl, args):
    control = to_str(args[0])
    values = [0 if a is None else a for a in args[1:]]
    return fao(control, *values)


LEXICALS = {
    "F$LENGTH": (f_length, 1, 1),
    "F$EXTRACT": (f_extract, 3, 3),
    "F$LOCATE": (f_locate, 2, 2),
    "F$ELEMENT": (f_element, 3, 3),
    "F$EDIT": (f_edit, 2, 2),
    "F$INTEGER": (f_integer, 1, 1),
    "F$STRING": (f_string, 1, 1),
    "F$CVUI": (f_cvui, 3, 3),
    "F$CVSI": (f_cvsi, 3, 3),
    "F$FAO": (f_fao, 1, 16),
}
