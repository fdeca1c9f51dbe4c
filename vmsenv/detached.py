"""Detached processes: RUN/DETACHED starts one as a new host process that outlives its creator.

The creator resolves the image and the /INPUT, /OUTPUT and /ERROR files, then starts
`python -m vmsenv.detached SPEC-JSON` in a new session with no terminal. The child registers
itself (a new job, mode OTHER), tells the creator its VMS PID through a pipe (so that the
creator can print %RUN-S-PROC_ID), runs the image with SYS$INPUT and SYS$OUTPUT on those files,
and leaves the registry when the image ends. SYS$ERROR defaults to the output file; with
/ERROR, messages go to both files, as on VMS.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from vmsenv import condition as cond
from vmsenv import images

HANDSHAKE_SECONDS = 30


def start(spec: dict) -> int:
    """Start a detached process described by spec; its VMS PID, once it has registered."""
    read_fd, write_fd = os.pipe()
    spec = dict(spec, handshake_fd=write_fd)
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "vmsenv.detached", json.dumps(spec)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(write_fd,), start_new_session=True, close_fds=True)
    finally:
        os.close(write_fd)
    with os.fdopen(read_fd, "r") as handshake:
        import select
        ready, _, _ = select.select([handshake], [], [], HANDSHAKE_SECONDS)
        line = handshake.readline() if ready else ""
    if not line.strip():
        if child.poll() is None:
            child.kill()
        raise cond.VMSError(cond.VMSENV_HOSTERR, "the detached process did not start")
    answer = line.strip()
    if answer.startswith("%X"):
        raise cond.VMSError(int(answer[2:], 16))
    return int(answer, 16)


def _stopped(signum, frame) -> None:
    """STOP or shutdown (SIGTERM): leave through the finally clauses, so that the log is
    complete and the registration goes."""
    raise SystemExit(1)


def main() -> None:
    signal.signal(signal.SIGTERM, _stopped)
    spec = json.loads(sys.argv[1])
    handshake = os.fdopen(spec["handshake_fd"], "w")
    from vmsenv import root as rootmod
    from vmsenv.process import Process, for_account

    try:
        root = rootmod.Root(spec["root"])
        if spec.get("authorize"):
            process = for_account(root, spec["username"], set(spec["privileges"]),
                                  terminal="", mode="OTHER", name=spec.get("process_name"))
        else:
            process = Process(root, username=spec["username"], uic=tuple(spec["uic"]),
                              privileges=set(spec["privileges"]), terminal="", mode="OTHER",
                              name=spec.get("process_name"))
    except cond.VMSError as err:
        handshake.write(f"{cond.status_hex(err.status)}\n")
        handshake.close()
        return
    handshake.write(f"{process.pid:08X}\n")
    handshake.close()
    status = cond.SS_NORMAL
    try:
        output = _open(spec.get("output"), "a")
        error = _open(spec["error"], "a") if spec.get("error") else None
        stdin = _open(spec.get("input"), "r")
        ctx = images.ImageContext(process, spec["image"], spec.get("args", ""), stdin, output,
                                  extra={"input_spec": spec.get("input_spec"),
                                         "output_spec": spec.get("output_spec"),
                                         "stderr": error})
        try:
            status = images.run(ctx, Path(spec["image_path"]))
        except cond.VMSError as err:
            for line in err.lines():
                output.write(line + "\n")
            status = err.status
        except Exception as exc:  # noqa: BLE001 - a detached image never dies with a traceback
            output.write(cond.format_message(cond.VMSENV_HOSTERR, repr(exc)) + "\n")
            status = cond.SS_ABORT
        finally:
            output.flush()
    finally:
        process.logout()
    sys.exit(0 if cond.is_success(status) else 1)


def _open(path: str | None, mode: str):
    """A log is line-buffered, so that what the process wrote is there when it is stopped."""
    buffering = 1 if "a" in mode or "w" in mode else -1
    if not path:
        return open(os.devnull, mode, buffering=buffering)
    return open(path, mode, encoding="utf-8", errors="replace", buffering=buffering)


if __name__ == "__main__":
    main()
