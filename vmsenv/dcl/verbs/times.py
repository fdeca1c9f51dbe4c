"""Time lexical functions: F$TIME and F$CVTIME (formats and parsing in vmsenv.vmstime), and
SHOW TIME (also SHOW DAYTIME): two blanks, then the date and time to the second, day
blank-padded as $ASCTIM gives it (``   7-AUG-2026 18:51:27``).

- F$TIME(): the current time as ``dd-MMM-yyyy hh:mm:ss.cc``, 23 characters, day blank-padded.
- F$CVTIME([time][,format][,field]): COMPARISON (default), ABSOLUTE or DELTA output of one
  field (DATETIME by default); bad input gives IVATIME / IVDTIME with the time text,
  upper-cased, as segment (recorded: ``F$CVTIME("bogus")`` shows `` \\BOGUS\\``).
"""

from __future__ import annotations

from vmsenv import condition as C
from vmsenv import vmstime
from vmsenv.condition import VMSError
from vmsenv.dcl.cld import Verb
from vmsenv.dcl.values import to_str


def show_time(dcl, cmd):
    dcl.write("  " + vmstime.format_ftime(vmstime.current_time())[:-3])
    return C.SS_NORMAL


VERBS = [Verb("SHOW", keywords=(Verb("TIME", handler=show_time),
                                Verb("DAYTIME", handler=show_time)))]


def f_time(dcl, args):
    return vmstime.format_ftime(vmstime.current_time())


def f_cvtime(dcl, args):
    texts = [None if a is None else to_str(a) for a in args]
    texts += [None] * (3 - len(texts))
    try:
        return vmstime.cvtime(texts[0], texts[1], texts[2])
    except VMSError as err:
        if err.status in (C.CLI_IVATIME, C.CLI_IVDTIME) and err.segment is None:
            raise VMSError(err.status, segment=(texts[0] or "").strip(" \t").upper()) from None
        raise


LEXICALS = {
    "F$TIME": (f_time, 0, 0),
    "F$CVTIME": (f_cvtime, 0, 3),
}
