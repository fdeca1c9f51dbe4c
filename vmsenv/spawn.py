"""SPAWN and ATTACH on the host: a subprocess is a real host process running DCL.

The creator starts ``python -m vmsenv.spawn DOWN UP`` with two pipes and nothing else on the
command line: DOWN (creator to subprocess) and UP (subprocess to creator) carry one JSON object
per line. The conversation:

1. the creator sends the context: root, user, UIC, privileges, job (the creator's, so the job
   table is shared), owner (the creator's PID), master PID, terminal, mode, default directory,
   prompt, the symbols to copy and the logical names to copy, the command, /INPUT and /OUTPUT;
2. the subprocess registers (its name is USERNAME_n unless /PROCESS= gave one) and answers
   ``{"pid": N}``, or ``{"status": S}`` when it could not (SS$_DUPLNAM for a name in use);
3. the creator prints ``%DCL-S-SPAWNED`` (and, unless /NOWAIT, ``%DCL-S-ATTACHED``) and sends
   ``{"go": true}``, so its messages always come before the subprocess's output;
4. while the creator waits (SPAWN without /NOWAIT, or ATTACH), it serves the subprocess's
   input: ``{"read": true}`` asks for one line of the creator's input (its terminal, its
   SYS$COMMAND), answered ``{"line": text}`` or ``{"eof": true}``; the subprocess ends with
   ``{"exit": status}``, or hands the terminal back with ``{"attach": target}`` (ATTACH typed
   in the subprocess), answered later with ``{"resume": true}`` or at once with
   ``{"error": status}``.

Output: with /OUTPUT the subprocess writes the file (SYS$OUTPUT names it); otherwise it
writes where the creator writes -- the same host file descriptor when the creator's SYS$OUTPUT
has one (a terminal, a file), else a pipe the creator copies into its own output (in a thread
for /NOWAIT).

The subprocess dies with its creator (Linux parent-death signal, SIGTERM), as VMS deletes a
subprocess with its owner; on SIGTERM it logs out (its registration goes) and exits. It runs
its commands as the shell does (vmsenv.dcl.shell: LOGOUT or end of input ends it, internal
errors never show a traceback). While it has the terminal, CTRL/C and CTRL/Y are its own: the
creator ignores them until it gets the terminal back.

Choices where VMS is silent or where the host differs (the emulation's own):

- Symbols: the visible local symbols (inner levels hiding outer ones) become local symbols of
  the subprocess's command level, the globals stay global; values keep their type.
- Logical names copied: the process-private entries at user and supervisor mode without
  CONFINE (tables of LNM$PROCESS_DIRECTORY and their names included), except SYS$INPUT,
  SYS$OUTPUT, SYS$ERROR, SYS$COMMAND and TT, which the subprocess gets for itself. The
  default device and directory are always copied, also with /NOLOGICAL_NAMES.
- A subprocess with no command reads commands from the creator's input (interactive, with the
  creator's prompt); with /NOWAIT and no /INPUT it gets no input at all and ends at once
  unless it was given a command. /INPUT=file runs the file as a command procedure after the
  command (default type .COM). /OUTPUT's default type is .LOG.
- The completion status (the subprocess's final $STATUS) becomes the creator's $STATUS after
  SPAWN or ATTACH, without displaying its message again.
- ATTACH reaches only what this host process can hand the terminal to: from a creator, its own
  subprocesses that handed the terminal back (not /NOWAIT ones); from a subprocess, its creator
  or another such subprocess of its creator. Anything else gives SS$_NONEXPR.
- The parent-death signal follows the host thread that ran SPAWN: SPAWN from a helper thread
  would tie the subprocess to that thread.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import TextIO

from vmsenv import condition as cond
from vmsenv.lnm import names as N

HANDSHAKE_SECONDS = 30
EXIT_WAIT = 10.0
OWN_NAMES = frozenset({"SYS$INPUT", "SYS$OUTPUT", "SYS$ERROR", "SYS$COMMAND", "TT"})
PR_SET_PDEATHSIG = 1


# ---------------------------------------------------------------------------------------------
# The line protocol.
# ---------------------------------------------------------------------------------------------
def send(fd: int, message: dict) -> None:
    data = (json.dumps(message) + "\n").encode("utf-8")
    while data:
        written = os.write(fd, data)
        data = data[written:]


class Channel:
    """JSON lines read from a raw file descriptor (usable with select)."""

    def __init__(self, fd: int):
        self.fd = fd
        self.buffer = b""
        self.closed = False

    def pending(self) -> bool:
        return b"\n" in self.buffer

    def fill(self) -> bool:
        """Read what is available; False at end of file."""
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        if not data:
            self.closed = True
            return False
        self.buffer += data
        return True

    def take(self) -> dict:
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line.decode("utf-8"))

    def read(self, timeout: float | None = None) -> dict | None:
        """The next message; None at end of file or when the timeout passes."""
        while not self.pending():
            if self.closed:
                return None
            if timeout is not None:
                ready, _, _ = select.select([self.fd], [], [], timeout)
                if not ready:
                    return None
            if not self.fill():
                return None
        return self.take()


# ---------------------------------------------------------------------------------------------
# The creator's side.
# ---------------------------------------------------------------------------------------------
@dataclass(eq=False)
class Subprocess:
    """A subprocess this host process created."""

    popen: subprocess.Popen
    pid: int
    name: str
    owner: int
    down: int
    up: Channel
    output: int | None = None          # read end of a relayed output pipe
    relay_to: TextIO | None = None
    nowait: bool = False
    hibernating: bool = False
    closed: bool = False
    relay_thread: threading.Thread | None = field(default=None, repr=False)

    def alive(self) -> bool:
        return self.popen.poll() is None


_subprocesses: dict[int, Subprocess] = {}


def subprocesses(owner: int | None = None) -> list[Subprocess]:
    """The live subprocesses of this host process (of one creator when owner is given)."""
    reap()
    return [s for s in _subprocesses.values() if owner is None or s.owner == owner]


def find(owner: int, name: str | None = None, pid: int | None = None) -> Subprocess | None:
    for sub in subprocesses(owner):
        if (pid is not None and sub.pid == pid) or \
                (name is not None and sub.name.upper() == name.upper()):
            return sub
    return None


def reap() -> None:
    """Forget subprocesses that have ended."""
    for pid, sub in list(_subprocesses.items()):
        if sub.popen.poll() is not None:
            _close(sub)
            _subprocesses.pop(pid, None)


def _close(sub: Subprocess) -> None:
    """Close the creator's ends of the pipes (once: a closed number may be reused)."""
    if sub.closed:
        return
    sub.closed = True
    for fd in (sub.down, sub.up.fd):
        try:
            os.close(fd)
        except OSError:
            pass
    if sub.output is not None and sub.relay_thread is None:
        _drain(sub)
        if sub.output is not None:
            try:
                os.close(sub.output)
            except OSError:
                pass
            sub.output = None


def _output_fd(out: TextIO) -> int | None:
    try:
        fd = out.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    return fd if fd >= 0 else None


def start(request: dict, out: TextIO, nowait: bool) -> Subprocess:
    """Start a subprocess; returns it once it has registered (before it runs anything).
    Raises VMSError when it could not be created."""
    out.flush()
    down_r, down_w = os.pipe()
    up_r, up_w = os.pipe()
    relay_r = relay_w = None
    if request.get("output"):
        stdout = subprocess.DEVNULL
    else:
        fd = _output_fd(out)
        if fd is not None:
            stdout = fd
        else:
            relay_r, relay_w = os.pipe()
            stdout = relay_w
    try:
        popen = subprocess.Popen(
            [sys.executable, "-m", "vmsenv.spawn", str(down_r), str(up_w)],
            stdin=subprocess.DEVNULL, stdout=stdout, stderr=stdout,
            pass_fds=(down_r, up_w), close_fds=True)
    except OSError as exc:
        for fd in (down_r, down_w, up_r, up_w, relay_r, relay_w):
            if fd is not None:
                os.close(fd)
        raise cond.VMSError(cond.VMSENV_HOSTERR, str(exc)) from None
    os.close(down_r)
    os.close(up_w)
    if relay_w is not None:
        os.close(relay_w)
    up = Channel(up_r)
    request = dict(request, parent_os_pid=os.getpid())
    try:
        send(down_w, request)
        answer = up.read(HANDSHAKE_SECONDS)
    except OSError:
        answer = None
    if answer is None or "pid" not in answer:
        if popen.poll() is None:
            popen.kill()
        popen.wait()
        for fd in (down_w, up_r, relay_r):
            if fd is not None:
                os.close(fd)
        if answer is not None and "status" in answer:
            if "text" in answer:
                raise cond.VMSError(int(answer["status"]), answer["text"])
            raise cond.VMSError(int(answer["status"]))
        raise cond.VMSError(cond.VMSENV_HOSTERR, "the subprocess did not start")
    sub = Subprocess(popen, int(answer["pid"]), answer["name"], int(request["owner"]),
                     down_w, up, relay_r, out if relay_r is not None else None, nowait)
    _subprocesses[sub.pid] = sub
    return sub


def go(sub: Subprocess) -> None:
    """Let a registered subprocess run (after the creator's messages)."""
    if sub.nowait and sub.output is not None:
        sub.relay_thread = threading.Thread(target=_relay_forever, args=(sub,), daemon=True)
        sub.relay_thread.start()
    try:
        send(sub.down, {"go": True})
    except OSError:
        pass


def _relay_forever(sub: Subprocess) -> None:
    fd = sub.output
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        sub.relay_to.write(data.decode("utf-8", "replace"))
        sub.relay_to.flush()
    try:
        os.close(fd)
    except OSError:
        pass


def _drain(sub: Subprocess) -> None:
    """Copy what the subprocess has written so far (never blocks)."""
    fd = sub.output
    if fd is None or sub.relay_to is None:
        return
    while True:
        ready, _, _ = select.select([fd], [], [], 0)
        if not ready:
            return
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if not data:
            os.close(fd)
            sub.output = None
            return
        sub.relay_to.write(data.decode("utf-8", "replace"))


@dataclass
class Outcome:
    """How a waited-for subprocess gave the terminal back."""

    kind: str                  # "exit" (status is its completion status) or "attach"
    status: int = cond.SS_NORMAL
    target: dict | None = None
    sub: Subprocess | None = None


def _keyboard_to_subprocess() -> dict:
    """While a subprocess has the terminal, CTRL/C and CTRL/Y are its business: the creator
    ignores them (the terminal sends them to both). Only the main thread can do this."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {}
    for signum in (signal.SIGINT, signal.SIGQUIT):
        previous[signum] = signal.signal(signum, signal.SIG_IGN)
    return previous


def _restore(previous: dict) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def wait(sub: Subprocess, read_line) -> Outcome:
    """Serve a subprocess that has the terminal until it ends or hands the terminal back.
    read_line() gives one line of the creator's input ("" at its end)."""
    previous = _keyboard_to_subprocess()
    try:
        return _serve(sub, read_line)
    finally:
        _restore(previous)


def _serve(sub: Subprocess, read_line) -> Outcome:
    while True:
        message = _next_message(sub)
        if message is None:
            status = _finish(sub)
            return Outcome("exit", status, sub=sub)
        _drain(sub)
        if "read" in message:
            line = read_line()
            reply = {"eof": True} if not line else {"line": line.rstrip("\n").rstrip("\r")}
            try:
                send(sub.down, reply)
            except OSError:
                pass
        elif "exit" in message:
            _finish(sub)
            return Outcome("exit", int(message["exit"]) & 0xFFFFFFFF, sub=sub)
        elif "attach" in message:
            return Outcome("attach", target=message["attach"], sub=sub)


def _next_message(sub: Subprocess) -> dict | None:
    """The next message from the subprocess, copying its output meanwhile."""
    up = sub.up
    while not up.pending():
        if up.closed:
            return None
        fds = [up.fd] + ([sub.output] if sub.output is not None else [])
        ready, _, _ = select.select(fds, [], [])
        if sub.output is not None and sub.output in ready:
            _drain(sub)
        if up.fd in ready and not up.fill():
            return None
    return up.take()


def _finish(sub: Subprocess) -> int:
    """Wait (bounded) for an ending subprocess; its status when it died without saying."""
    try:
        code = sub.popen.wait(EXIT_WAIT)
    except subprocess.TimeoutExpired:
        sub.popen.kill()
        code = sub.popen.wait()
    _close(sub)
    _subprocesses.pop(sub.pid, None)
    if code == 0:
        return cond.SS_NORMAL
    return cond.SS_ABORT


def resume(sub: Subprocess) -> None:
    sub.hibernating = False
    send(sub.down, {"resume": True})


def refuse(sub: Subprocess, status: int) -> None:
    send(sub.down, {"error": status})


# ---------------------------------------------------------------------------------------------
# What to copy.
# ---------------------------------------------------------------------------------------------
def symbols_of(dcl) -> dict:
    """The symbols a subprocess gets: visible locals (inner levels win) and globals."""
    local: dict[str, tuple[str, object]] = {}
    for level in dcl.levels:
        for symbol in level.locals.matching("*"):
            local[symbol.name] = (symbol.display_name, symbol.value)
    return {"local": [list(v) for v in local.values()],
            "global": [[s.display_name, s.value] for s in dcl.globals.matching("*")]}


def logical_names_of(process) -> list[dict]:
    """The process-private logical names a subprocess gets (see the module docstring)."""
    entries = process.lnm.private_entries()
    confined = {e.name for e in entries if e.is_table and e.attr & N.CONFINE}
    copied = []
    for e in entries:
        if e.mode not in (N.USER, N.SUPERVISOR) or e.attr & N.CONFINE or e.table in confined:
            continue
        if e.table == N.PROCESS_TABLE and e.name.upper() in OWN_NAMES:
            continue
        copied.append({"name": e.name, "table": e.table, "mode": e.mode, "attr": e.attr,
                       "values": [list(v) for v in e.values], "parent": e.parent,
                       "quota": e.quota, "is_table": e.is_table})
    return copied


def _apply_logical_names(process, entries: list[dict]) -> None:
    lnm = process.lnm
    tables = [e for e in entries if e["is_table"]]
    made = {N.PROCESS_TABLE, N.PROCESS_DIRECTORY}
    while tables:
        ready = [t for t in tables if t["parent"] in made or t["parent"] not in
                 {x["name"] for x in tables}]
        if not ready:
            break
        for t in ready:
            try:
                lnm.crelnt(t["name"], t["parent"] or N.PROCESS_TABLE, t["mode"], t["attr"],
                           t["quota"], system=True)
            except cond.VMSError:
                pass
            made.add(t["name"])
            tables.remove(t)
    for e in entries:
        if e["is_table"]:
            continue
        try:
            lnm.crelnm(e["name"], tuple(tuple(v) for v in e["values"]), e["table"], e["mode"],
                       e["attr"], system=True)
        except cond.VMSError:
            pass


# ---------------------------------------------------------------------------------------------
# The subprocess's side.
# ---------------------------------------------------------------------------------------------
class ParentLink:
    """A subprocess's connection to its creator."""

    def __init__(self, down: Channel, up: int, parent_pid: int, parent_name: str,
                 attached: bool = True):
        self.down = down
        self.up = up
        self.parent_pid = parent_pid
        self.parent_name = parent_name
        self.attached = attached          # False for /NOWAIT: the terminal is not ours

    def read_line(self) -> str:
        try:
            send(self.up, {"read": True})
        except OSError:
            return ""
        message = self.down.read()
        if message is None or "line" not in message:
            return ""
        return message["line"] + "\n"

    def attach(self, target: dict) -> None:
        """Hand the terminal to target (the creator or another of its subprocesses); returns
        when the terminal comes back. Raises VMSError when the creator refuses."""
        if not self.attached:
            raise cond.VMSError(cond.SS_NONEXPR)
        send(self.up, {"attach": target})
        message = self.down.read()
        if message is None:
            raise SystemExit(0)
        if "error" in message:
            raise cond.VMSError(int(message["error"]))


class _RelayInput:
    """SYS$INPUT of an interactive subprocess: lines asked from the creator."""

    def __init__(self, link: ParentLink):
        self.link = link

    def readline(self) -> str:
        return self.link.read_line()


_link: ParentLink | None = None


def parent_link() -> ParentLink | None:
    """In a subprocess: the link to its creator (None in any other process)."""
    return _link


def _die_with_parent(parent_os_pid: int) -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_os_pid:
        raise SystemExit(0)


def _on_sigterm(signum, frame):
    raise SystemExit(0)


def main() -> None:
    global _link
    down_fd, up_fd = int(sys.argv[1]), int(sys.argv[2])
    signal.signal(signal.SIGTERM, _on_sigterm)
    down = Channel(down_fd)
    request = down.read()
    if request is None:
        return
    _die_with_parent(int(request["parent_os_pid"]))
    from vmsenv import root as rootmod
    from vmsenv.process import Process

    try:
        root = rootmod.Root(request["root"])
        process = Process(root, username=request["username"], uic=tuple(request["uic"]),
                          privileges=set(request["privileges"]),
                          authorized=set(request["authorized"]),
                          terminal=request["terminal"], job=int(request["job"]),
                          mode=request["mode"], name=request.get("name"),
                          owner=int(request["owner"]), master=int(request["master"]),
                          login=tuple(request["login"]))
    except cond.VMSError as err:
        send(up_fd, {"status": err.status})
        return
    except Exception as exc:  # noqa: BLE001 - reported to the creator, never a traceback
        send(up_fd, {"status": cond.VMSENV_HOSTERR, "text": repr(exc)})
        return
    status = cond.SS_NORMAL
    try:
        send(up_fd, {"pid": process.pid, "name": process.name})
        started = down.read()
        if started is None or "go" not in started:
            return
        _link = ParentLink(down, up_fd, int(request["owner"]), request["parent_name"],
                           attached=not request.get("nowait"))
        status = _run(process, request, _link)
    except cond.VMSError as err:
        print("\n".join(err.lines()), flush=True)
        status = err.status
    except (SystemExit, KeyboardInterrupt):
        status = cond.SS_ABORT
    except BaseException as exc:  # noqa: BLE001 - a subprocess never dies with a traceback
        if isinstance(exc, Exception):
            print(cond.format_message(cond.VMSENV_HOSTERR, repr(exc)), flush=True)
        status = cond.SS_ABORT
    finally:
        sys.stdout.flush()
        try:
            send(up_fd, {"exit": status})
        except OSError:
            pass
        process.logout()


def _run(process, request: dict, link: ParentLink) -> int:
    from vmsenv.dcl.interpreter import Interpreter

    _apply_logical_names(process, request.get("logicals") or [])
    device, directory = request["default"]
    process.set_default(device, directory)
    out: TextIO = sys.stdout
    owned = None
    if request.get("output"):
        owned = out = open(request["output"], "w", encoding="latin-1", newline="\n")
        for mode in (N.SUPERVISOR, N.EXECUTIVE):
            for name in ("SYS$OUTPUT", "SYS$ERROR"):
                process.lnm.crelnm(name, ((request["output_spec"], 0),), "LNM$PROCESS", mode,
                                   system=True)
    interactive = not request.get("nowait") and not request.get("input")
    stdin = _RelayInput(link) if interactive else None
    try:
        dcl = Interpreter(process, out, input=stdin, mode=request["mode"])
        dcl.prompt = request.get("prompt") or "$ "
        symbols = request.get("symbols")
        if symbols:
            for name, value in symbols["global"]:
                dcl.globals.define(name, value)
            for name, value in symbols["local"]:
                dcl.levels[0].locals.define(name, value)
        command = request.get("command")
        if command:
            _once(dcl, lambda: dcl.run_line(command))
        if request.get("input"):
            _once(dcl, lambda: dcl.run_procedure(request["input_spec"]))
        elif not command and stdin is not None:
            _interactive(dcl, stdin, out)
        out.flush()
        return dcl.final_status
    finally:
        if owned is not None:
            owned.close()


def _once(dcl, work) -> None:
    """A command or procedure with the shell's keys and defences (LOGOUT ends it)."""
    try:
        from vmsenv.dcl import shell
    except ImportError:
        work()
        return
    shell.run_once(dcl, work)


def _interactive(dcl, stdin, out: TextIO) -> None:
    """Commands from the creator's terminal until its end or LOGOUT, as the shell runs them."""
    try:
        from vmsenv.dcl import shell
    except ImportError:
        dcl.interactive(stdin, out)
        return
    shell.run_interactive(dcl, stdin, out)


if __name__ == "__main__":
    # Run in the importable module, so that verbs find the link via parent_link().
    from vmsenv import spawn as _module

    _module.main()
