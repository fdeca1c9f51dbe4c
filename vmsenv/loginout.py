"""LOGINOUT.EXE: what runs in a process created by RUN/DETACHED ... SYS$SYSTEM:LOGINOUT.EXE.

With /INPUT naming a command procedure (the VMS idiom for a batch-like detached process),
LOGINOUT runs DCL on it, with SYS$OUTPUT on the /OUTPUT file; the process ends when the
procedure does, and the image's status is the procedure's final $STATUS. F$MODE() in such a
process is "OTHER", as for any detached process.
"""

from __future__ import annotations

from vmsenv import condition as cond


def image_main(ctx) -> int:
    from vmsenv.dcl.interpreter import Interpreter

    spec = ctx.extra.get("input_spec")
    if not spec:
        return cond.SS_NORMAL
    dcl = Interpreter(ctx.process, ctx.stdout, input=None, mode="OTHER")
    dcl.error_out = ctx.extra.get("stderr")
    status = dcl.run_procedure(spec)
    ctx.stdout.flush()
    return status
