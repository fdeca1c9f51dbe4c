"""Control verbs: IF/THEN/ELSE/ENDIF, GOTO, GOSUB/RETURN, CALL/SUBROUTINE/ENDSUBROUTINE,
``@``, EXIT, STOP, ON, CONTINUE.

- ``IF expr THEN [$] command`` runs the command when the expression is true; ``$ IF expr``
  alone starts a block: ``$ THEN [command]``, optional ``$ ELSE [command]``, ``$ ENDIF``.
  A false IF, THEN, ELSE, ENDIF, GOTO, GOSUB and CONTINUE leave $STATUS alone.
- ``ON WARNING|ERROR|SEVERE_ERROR|CONTROL_Y THEN [$] command`` (abbreviable; ``SEVERE`` is
  accepted) sets the current level's action.  It is refused at the interactive level (ONLEVL)
  except for CONTROL_Y, which is recorded (this shell delivers no CTRL/Y).
- ``@file [p1 ... p8] [/OUTPUT=file]`` (default type .COM, output .LIS) and
  ``CALL label [p1 ... p8] [/OUTPUT=file]``: parameters are upper-cased unless quoted; more
  than eight give DEFOVF.

Choices where VMS is silent: SUBROUTINE and ENDSUBROUTINE met outside their place (typed
interactively, or an ENDSUBROUTINE without its SUBROUTINE) give INVCALL;
F$ENVIRONMENT("ON_SEVERITY") reports SEVERE_ERROR for ``ON SEVERE_ERROR``.
"""

from __future__ import annotations

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl.cld import EXPRESSION, FILE, REQUIRED, REST, WORD, Parameter, Qualifier, Verb
from vmsenv.dcl.level import INTERACTIVE
from vmsenv.dcl.lexer import find_keyword
from vmsenv.dcl.values import to_int, truth

ON_CONDITIONS = ("WARNING", "ERROR", "SEVERE_ERROR", "CONTROL_Y")


def _command_after(text: str) -> str:
    text = text.lstrip(" \t")
    if text.startswith("$"):
        text = text[1:]
    return text.strip(" \t")


_IF_PARTS: dict[str, tuple[str, str | None]] = {}   # IF text -> (expression, command or None)
_MAX_IF_PARTS = 4096


def _if_parts(text: str) -> tuple[str, str | None]:
    """(expression, command after THEN) of an IF; command None for a block IF."""
    parts = _IF_PARTS.get(text)
    if parts is None:
        where = find_keyword(text, "THEN")
        parts = (text, None) if where < 0 else (text[:where], _command_after(text[where + 4:]))
        if len(_IF_PARTS) >= _MAX_IF_PARTS:
            _IF_PARTS.clear()
        _IF_PARTS[text] = parts
    return parts


def if_(dcl, cmd):
    expression, command = _if_parts(cmd.param("EXPRESSION"))
    if command is None:
        try:
            condition = truth(dcl.evaluate(expression))
        except VMSError:
            dcl.skip_block()
            raise
        dcl.block_if(condition)
        return None
    if not expression.strip(" \t"):
        raise VMSError(C.CLI_EXPSYN, segment="THEN")
    if truth(dcl.evaluate(expression)):
        dcl.execute(command)
    return None


def then(dcl, cmd):
    command = cmd.param("COMMAND")
    if command:
        dcl.execute(_command_after(command))
    return None


def else_(dcl, cmd):
    if dcl.enter_else():
        command = cmd.param("COMMAND")
        if command:
            dcl.execute(_command_after(command))
    return None


def endif(dcl, cmd):
    return None


def goto(dcl, cmd):
    dcl.goto(cmd.param("LABEL"))
    return None


def gosub(dcl, cmd):
    dcl.gosub(cmd.param("LABEL"))
    return None


def return_(dcl, cmd):
    value = cmd.param("STATUS")
    return dcl.return_(None if value is None else to_int(value))


def exit_(dcl, cmd):
    value = cmd.param("STATUS")
    dcl.exit_level(None if value is None else to_int(value))
    return None


def stop(dcl, cmd):
    """STOP ends every procedure level; STOP name (or /IDENTIFICATION) stops a process."""
    if cmd.param("PROCESS_NAME") is not None:
        from vmsenv.dcl.verbs.processes import stop_process
        return stop_process(dcl, cmd)
    dcl.stop()
    return None


def continue_(dcl, cmd):
    return None


def _params(cmd) -> list[str]:
    return [cmd.param(f"P{n}") for n in range(1, 9) if cmd.param(f"P{n}") is not None]


def call(dcl, cmd):
    return dcl.call_subroutine(cmd.param("LABEL"), _params(cmd), cmd.value("OUTPUT"))


def at(dcl, cmd):
    return dcl.call_procedure(cmd.param("FILE"), _params(cmd), cmd.value("OUTPUT"))


def subroutine(dcl, cmd):
    raise VMSError(C.CLI_INVCALL)


def on(dcl, cmd):
    text = cmd.param("CONDITION")
    word = text.split(None, 1)[0].upper() if text.strip() else ""
    found = [c for c in ON_CONDITIONS if c.startswith(word)] if word else []
    if len(found) != 1:
        raise VMSError(C.CLI_ONERR, segment=word)
    condition = found[0]
    where = find_keyword(text, "THEN")
    if where < 0:
        raise VMSError(C.CLI_NOTHEN)
    action = _command_after(text[where + 4:])
    level = dcl.level
    if condition == "CONTROL_Y":
        level.on_control_y = action
        return C.CLI_NORMAL
    if level.kind == INTERACTIVE:
        raise VMSError(C.CLI_ONLEVL)
    level.on_condition = condition
    level.on_action = action
    return C.CLI_NORMAL


def _p(n: int) -> Parameter:
    return Parameter(f"P{n}", type=WORD)


_PARAMS = tuple(_p(n) for n in range(1, 9))
_OUTPUT = Qualifier("OUTPUT", value=REQUIRED, negatable=False)

VERBS = [
    Verb("IF", (Parameter("EXPRESSION", required=True, type=REST, prompt="Expression"),),
         handler=if_),
    Verb("THEN", (Parameter("COMMAND", type=REST),), handler=then),
    Verb("ELSE", (Parameter("COMMAND", type=REST),), handler=else_),
    Verb("ENDIF", handler=endif),
    Verb("GOTO", (Parameter("LABEL", required=True, prompt="Label"),), handler=goto),
    Verb("GOSUB", (Parameter("LABEL", required=True, prompt="Label"),), handler=gosub),
    Verb("RETURN", (Parameter("STATUS", type=EXPRESSION),), handler=return_),
    Verb("EXIT", (Parameter("STATUS", type=EXPRESSION),), handler=exit_),
    Verb("STOP", (Parameter("PROCESS_NAME"),), handler=stop),
    Verb("CONTINUE", handler=continue_),
    Verb("CALL", (Parameter("LABEL", required=True, prompt="Label"),) + _PARAMS, (_OUTPUT,),
         handler=call),
    Verb("@", (Parameter("FILE", required=True, type=FILE, prompt="File"),) + _PARAMS,
         (_OUTPUT,), handler=at),
    Verb("SUBROUTINE", handler=subroutine),
    Verb("ENDSUBROUTINE", handler=subroutine),
    Verb("ON", (Parameter("CONDITION", required=True, type=REST, prompt="Condition"),),
         handler=on),
]
