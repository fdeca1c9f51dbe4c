"""The MAIL utility's own messages (facility MAIL, 0x7E), beside those of vmsenv.condition.

Values are the MAIL$_ condition values of VMS (MAILDEF: NOTREADIN %X007E8032, NOMOREMSG
%X007E8052, SELECTED %X007EBE83, ...), so their severities are VMS's.  Texts: NOMOREMSG, NOMSGS,
NOTREADIN, SELECTED, DELMSGS, NEWFOLDER, RECLPLSWAIT, CREATED, LOGLINK and ERRACTRNS as MAIL
prints them; USERDSABL's, NOTSUBDIR's, DELMSG's, SENDERR's and DELSPACE's texts [I].

The messages MAIL shares with the store and delivery (NOSUCHUSR, NOTEXIST, ILLFOLNAM, NOSUCHMSG,
OPENIN, OPENOUT) stay in vmsenv.condition.  Each message here is entered into the one message
table of vmsenv.condition when this module is imported; a message the table already holds (once
moved into condition.py) is taken from there, not entered twice.
"""

from __future__ import annotations

from vmsenv import condition as cond


def _define(value: int, ident: str, text: str) -> int:
    known = cond.lookup(value)
    if known is not None and known.facility == "MAIL" and known.ident == ident:
        return value
    return cond._m(value, "MAIL", ident, text)


MAIL_NOTREADIN = _define(0x007E8032, "NOTREADIN", "you aren't reading a message")
MAIL_LOGLINK = _define(0x007E803A, "LOGLINK", "error creating network link to node !AS")
MAIL_SENDERR = _define(0x007E804A, "SENDERR", "error sending to user !AS")  # [I] text
MAIL_NOMOREMSG = _define(0x007E8052, "NOMOREMSG", "no more messages")
MAIL_NOMSGS = _define(0x007E805A, "NOMSGS", "no messages")
MAIL_USERDSABL = _define(0x007E8092, "USERDSABL",
                         "user !AS is not allowed to receive mail")  # [I] text
MAIL_DELMSG = _define(0x007E80C2, "DELMSG", "message has been deleted")  # [I] text
MAIL_NOTSUBDIR = _define(0x007E80E2, "NOTSUBDIR", "!AS is not a subdirectory")  # [I] text
MAIL_ERRACTRNS = _define(0x007E81D2, "ERRACTRNS", "error activating transport !AS")
MAIL_SELECTED = _define(0x007EBE83, "SELECTED", "!UL message!%S selected")
MAIL_DELMSGS = _define(0x007EBE8B, "DELMSGS", "!UL message!%S deleted")
MAIL_DELSPACE = _define(0x007EBE9B, "DELSPACE",
                        "!UL byte!%S of deleted space reclaimed")  # [I] text
MAIL_NEWFOLDER = _define(0x007EBEA3, "NEWFOLDER", "folder !AS created")
MAIL_RECLPLSWAIT = _define(0x007EBEAB, "RECLPLSWAIT",
                           "reclaiming deleted file space.  Please wait...")
MAIL_CREATED = _define(0x007EFD31, "CREATED", "!AS created")

__all__ = [
    "MAIL_NOTREADIN", "MAIL_LOGLINK", "MAIL_SENDERR", "MAIL_NOMOREMSG", "MAIL_NOMSGS",
    "MAIL_USERDSABL", "MAIL_DELMSG", "MAIL_NOTSUBDIR", "MAIL_ERRACTRNS", "MAIL_SELECTED",
    "MAIL_DELMSGS", "MAIL_DELSPACE", "MAIL_NEWFOLDER", "MAIL_RECLPLSWAIT", "MAIL_CREATED",
]
