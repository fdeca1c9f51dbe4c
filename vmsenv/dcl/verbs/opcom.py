"""REPLY/ENABLE, REPLY/DISABLE, REPLY/STATUS and REQUEST (see vmsenv.opcom).

REPLY/ENABLE[=(class,...)] makes the session an operator terminal: its PID, terminal and
classes are registered, the reports ``Operator _TNA3: has been enabled, username SYSTEM`` (the
first time) and ``Operator status for operator _TNA3:`` are sent and shown, and a Watcher starts
showing every new message of its classes on the session's terminal output (the interactive
level's output stream), while the session goes on. REPLY/DISABLE[=(class,...)] takes classes
away (all when none are given: ``has been disabled``, the Watcher stops); REPLY/STATUS shows the
status report. Each needs OPER; the SECURITY class needs SECURITY too (%SYSTEM-F-NOPRIV).

REQUEST "text" [/TO=(class,...)] sends the text to the operators (CENTRAL by default); no
privilege is needed and nothing is displayed.

The Watcher writes while the interpreter may be waiting at its prompt. When the interpreter
exposes the prompt it is waiting at as ``pending_prompt`` (None otherwise), the prompt is written
again after the messages, as the VMS terminal driver redisplays an interrupted read.

Choices where VMS is silent (all [I]): REPLY with none of /ENABLE, /DISABLE, /STATUS gives
%DCL-W-INSFPRM (broadcasting to users is not implemented); /ENABLE with /DISABLE gives
%DCL-W-CONFLICT; REQUEST's text parameter prompts ``_Text: ``.
"""

from __future__ import annotations

import weakref

from vmsenv import condition as C
from vmsenv import opcom
from vmsenv.condition import VMSError
from vmsenv.dcl.cld import OPTIONAL, REQUIRED, Parameter, Qualifier, Verb

_watchers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _terminal_write(dcl):
    def write(text: str) -> None:
        out = dcl.levels[0].out
        out.write(text)
        if hasattr(out, "flush"):
            out.flush()
    return write


def _pending_prompt(dcl):
    return lambda: getattr(dcl, "pending_prompt", None)


def watcher(dcl) -> opcom.Watcher | None:
    """The Watcher of a session enabled as an operator terminal, if any."""
    found = _watchers.get(dcl)
    return found if found is not None and found.running else None


def stop_watching(dcl) -> None:
    found = _watchers.pop(dcl, None)
    if found is not None:
        found.stop()


def _show(dcl, message: opcom.Message) -> None:
    _terminal_write(dcl)(opcom.display(message))


def _check(dcl, classes, explicit: bool) -> tuple:
    privileges = dcl.process.privileges
    if "OPER" not in privileges:
        raise VMSError(C.SS_NOPRIV)
    if "SECURITY" in classes and "SECURITY" not in privileges:
        if explicit:
            raise VMSError(C.SS_NOPRIV)
        classes = tuple(c for c in classes if c != "SECURITY")
    return classes


def _enable(dcl, cmd) -> int:
    given = [str(v).upper() for v in cmd.values("ENABLE")]
    classes = _check(dcl, opcom.ordered(given or opcom.CLASSES), bool(given))
    process = dcl.process
    root = process.root
    terminal = process.terminal or process.name
    now, was_operator, seq = opcom.enable(root, process, classes)
    found = watcher(dcl)
    new = found is None
    if new:
        found = opcom.Watcher(root, process.pid, now, _terminal_write(dcl), after=seq,
                              redisplay=_pending_prompt(dcl))
        _watchers[dcl] = found
    found.set_classes(now)
    with found.held():
        reports = []
        if not was_operator:
            reports.append(opcom.post(root, opcom.enabled_report(terminal, process.username),
                                      ("CENTRAL",), target=process.pid))
        reports.append(opcom.post(root, opcom.status_report(terminal, now), (),
                                  target=process.pid))
        for message in reports:
            found.skip(message.seq)
            _show(dcl, message)
    if new:
        found.start()
    return C.SS_NORMAL


def _disable(dcl, cmd) -> int:
    given = [str(v).upper() for v in cmd.values("DISABLE")]
    classes = _check(dcl, opcom.ordered(given or opcom.CLASSES), bool(given))
    process = dcl.process
    root = process.root
    terminal = process.terminal or process.name
    if not given:
        classes = opcom.CLASSES
    left = opcom.disable(root, process, classes)
    if not left:
        stop_watching(dcl)
        _show(dcl, opcom.post(root, opcom.disabled_report(terminal, process.username),
                              ("CENTRAL",), target=process.pid))
        return C.SS_NORMAL
    found = watcher(dcl)
    if found is None:
        _show(dcl, opcom.post(root, opcom.status_report(terminal, left), (),
                              target=process.pid))
        return C.SS_NORMAL
    found.set_classes(left)
    with found.held():
        report = opcom.post(root, opcom.status_report(terminal, left), (), target=process.pid)
        found.skip(report.seq)
        _show(dcl, report)
    return C.SS_NORMAL


def _status(dcl, cmd) -> int:
    _check(dcl, (), False)
    process = dcl.process
    terminal = process.terminal or process.name
    classes = opcom.operator_classes(process.root, process.pid)
    found = watcher(dcl)
    if found is None:
        _show(dcl, opcom.post(process.root, opcom.status_report(terminal, classes), (),
                              target=process.pid))
        return C.SS_NORMAL
    with found.held():
        report = opcom.post(process.root, opcom.status_report(terminal, classes), (),
                            target=process.pid)
        found.skip(report.seq)
        _show(dcl, report)
    return C.SS_NORMAL


def reply(dcl, cmd) -> int:
    enable, disable = cmd.present("ENABLE"), cmd.present("DISABLE")
    if enable and disable:
        raise VMSError(C.CLI_CONFLICT)
    if enable:
        return _enable(dcl, cmd)
    if disable:
        return _disable(dcl, cmd)
    if cmd.present("STATUS"):
        return _status(dcl, cmd)
    raise VMSError(C.CLI_INSFPRM)


def request(dcl, cmd) -> int:
    text = str(cmd.param("MESSAGE_TEXT"))
    classes = [str(v).upper() for v in cmd.values("TO")] or ["CENTRAL"]
    opcom.request(dcl.process.root, dcl.process, text, classes)
    return C.SS_NORMAL


VERBS = [
    Verb("REPLY",
         (Parameter("MESSAGE_TEXT"),),
         (Qualifier("ENABLE", value=OPTIONAL, list=True, negatable=False,
                    keywords=opcom.CLASSES),
          Qualifier("DISABLE", value=OPTIONAL, list=True, negatable=False,
                    keywords=opcom.CLASSES),
          Qualifier("STATUS", negatable=False)),
         handler=reply, image=True),
    Verb("REQUEST",
         (Parameter("MESSAGE_TEXT", required=True, prompt="Text"),),
         (Qualifier("TO", value=REQUIRED, list=True, negatable=False,
                    keywords=opcom.REQUEST_CLASSES),),
         handler=request, image=True),
]
