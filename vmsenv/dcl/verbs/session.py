"""The session's own settings: SET ON/NOON, SET [NO]VERIFY, SET MESSAGE, SET PROMPT; lexicals
F$VERIFY, F$ENVIRONMENT, F$MODE, F$USER, F$MESSAGE.

- SET NOON / SET ON: whether the current level's ON action fires.
- SET VERIFY[=([NO]PROCEDURE,[NO]IMAGE)] / SET NOVERIFY: echo of procedure lines (after
  apostrophe substitution) and of data lines read by verbs.  Without keywords both are set;
  with keywords only those named change.  The SET VERIFY line itself is not echoed,
  SET NOVERIFY is.
- SET MESSAGE /[NO]FACILITY /[NO]SEVERITY /[NO]IDENTIFICATION /[NO]TEXT: parts of the
  messages DCL displays.  Message files are not supported (the parameter is not accepted).
- SET PROMPT[=string]: the interactive prompt; without a value "$ ".
- F$VERIFY([procedure][,image]): the old procedure setting, 1 or 0; sets the new ones given.
- F$ENVIRONMENT(item): CAPTIVE ("FALSE"), DEFAULT, DEPTH, INTERACTIVE, MAX_DEPTH (32),
  MESSAGE ("/FACILITY/SEVERITY/IDENTIFICATION/TEXT", each ``/NO...`` when off), ON_CONTROL_Y,
  ON_SEVERITY (NONE, WARNING, ERROR, SEVERE_ERROR), PROCEDURE (the full specification of the
  running procedure, "" interactively), PROMPT, SYMBOL_SCOPE ("LOCAL,GLOBAL": scopes cannot be
  changed here, SET SYMBOL is not implemented), VERIFY_IMAGE, VERIFY_PROCEDURE ("TRUE" /
  "FALSE").  Other items give IVKEYW.
- F$MODE(): the mode the interpreter was started in (INTERACTIVE, BATCH, NETWORK, OTHER).
- F$USER(): ``[USERNAME]``, the UIC shown as an identifier.
- F$MESSAGE(code[,components]): see vmsenv.condition.f_message.

Choices where VMS is silent: the format of SYMBOL_SCOPE and of ON_SEVERITY for SEVERE_ERROR.
"""

from __future__ import annotations

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.cld import OPTIONAL, Qualifier, Verb
from vmsenv.dcl.values import to_int, to_str, truth


def set_on(dcl, cmd):
    dcl.level.on_enabled = not cmd.negated
    return C.CLI_NORMAL


_VERIFY_KEYWORDS = ("PROCEDURE", "IMAGE")


def set_verify(dcl, cmd):
    if cmd.negated:
        dcl.verify_procedure = dcl.verify_image = False
        return C.CLI_NORMAL
    if cmd.keyword_value is None:
        dcl.verify_procedure = dcl.verify_image = True
        return C.CLI_NORMAL
    items = cmd.keyword_value.strip("()").split(",")
    changes = {}
    for item in items:
        item = item.strip(" \t")
        on = not item.startswith("NO")
        word = item if on else item[2:]
        found = [k for k in _VERIFY_KEYWORDS if word and k.startswith(word)]
        if len(found) != 1:
            raise VMSError(C.CLI_IVKEYW, segment=item)
        changes[found[0]] = on
    if "PROCEDURE" in changes:
        dcl.verify_procedure = changes["PROCEDURE"]
    if "IMAGE" in changes:
        dcl.verify_image = changes["IMAGE"]
    return C.CLI_NORMAL


_MESSAGE_PARTS = (("FACILITY", C.MSG_FACILITY), ("SEVERITY", C.MSG_SEVERITY),
                  ("IDENTIFICATION", C.MSG_IDENT), ("TEXT", C.MSG_TEXT))


def set_message(dcl, cmd):
    flags = dcl.message_flags
    for name, bit in _MESSAGE_PARTS:
        given = cmd.present(name)
        if given is True:
            flags |= bit
        elif given is False:
            flags &= ~bit
    dcl.message_flags = flags
    return C.CLI_NORMAL


def set_prompt(dcl, cmd):
    dcl.prompt = "$ " if cmd.keyword_value is None else cmd.keyword_value
    return C.CLI_NORMAL


def f_verify(dcl, args):
    old = 1 if dcl.verify_procedure else 0
    procedure = args[0] if len(args) > 0 else None
    image = args[1] if len(args) > 1 else None
    if procedure is not None:
        dcl.verify_procedure = truth(procedure)
    if image is not None:
        dcl.verify_image = truth(image)
    return old


def _bool(value: bool) -> str:
    return "TRUE" if value else "FALSE"


def _message_setting(dcl) -> str:
    return "".join(("/" if dcl.message_flags & bit else "/NO") + name
                   for name, bit in _MESSAGE_PARTS)


_ENVIRONMENT = {
    "CAPTIVE": lambda dcl: "FALSE",
    # CTRL/Y and CTRL/T are enabled (SET CONTROL is not emulated)
    "CONTROL": lambda dcl: "Y,T",
    "DEFAULT": lambda dcl: dcl.process.default_spec(),
    "DEPTH": lambda dcl: dcl.depth,
    "INTERACTIVE": lambda dcl: _bool(dcl.mode == "INTERACTIVE"),
    "MAX_DEPTH": lambda dcl: 32,
    "MESSAGE": _message_setting,
    "ON_CONTROL_Y": lambda dcl: _bool(dcl.level.on_control_y is not None),
    "ON_SEVERITY": lambda dcl: dcl.level.on_severity(),
    "PROCEDURE": lambda dcl: dcl.level.procedure,
    "PROMPT": lambda dcl: dcl.prompt,
    # the default protection of new files (SET PROTECTION/DEFAULT is not emulated)
    "PROTECTION": lambda dcl: "SYSTEM=RWED, OWNER=RWED, GROUP=RE, WORLD=NO ACCESS",
    "SYMBOL_SCOPE": lambda dcl: "LOCAL,GLOBAL",
    "VERIFY_IMAGE": lambda dcl: _bool(dcl.verify_image),
    "VERIFY_PROCEDURE": lambda dcl: _bool(dcl.verify_procedure),
}


def f_environment(dcl, args):
    item = to_str(args[0]).strip(" \t").upper()
    if item not in _ENVIRONMENT:
        raise VMSError(C.CLI_IVKEYW, segment=item)
    return _ENVIRONMENT[item](dcl)


def f_mode(dcl, args):
    return dcl.mode


def f_user(dcl, args):
    return f"[{dcl.process.username}]"


def f_message(dcl, args):
    item = None if len(args) < 2 or args[1] is None else to_str(args[1])
    return C.f_message(to_int(args[0]) & 0xFFFFFFFF, item)


VERBS = [
    Verb("SET", keywords=(
        Verb("ON", handler=set_on, negatable=True),
        Verb("VERIFY", handler=set_verify, negatable=True, value=OPTIONAL),
        Verb("MESSAGE", qualifiers=tuple(Qualifier(name) for name, _bit in _MESSAGE_PARTS),
             handler=set_message),
        Verb("PROMPT", handler=set_prompt, value=OPTIONAL),
    )),
]

LEXICALS = {
    "F$VERIFY": (f_verify, 0, 2),
    "F$ENVIRONMENT": (f_environment, 1, 1),
    "F$MODE": (f_mode, 0, 0),
    "F$USER": (f_user, 0, 0),
    "F$MESSAGE": (f_message, 1, 2),
}
