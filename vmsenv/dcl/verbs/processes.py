"""Processes: SPAWN, ATTACH, STOP process, SHOW SYSTEM, SHOW PROCESS, SHOW USERS, SET PROCESS;
lexicals F$PID and F$CONTEXT. (F$GETJPI, own and other processes, is verbs/system.py's; it
applies the same access rules.)

Who may see and touch another process (OX-PRIV 5, observed on VMS):

- Reading (SHOW PROCESS, F$PID, F$GETJPI): a process of the caller's UIC group needs no
  privilege; any other needs WORLD (GROUP does not help), else SS$_NOPRIV. SHOW SYSTEM lists
  every process to everybody.
- Process *names* are looked up in the caller's UIC group only (as $GETJPI/$DELPRC qualify
  them): a name of another group is SS$_NONEXPR, whatever the privileges; /IDENTIFICATION=pid
  reaches any process; ``/IDENTIFICATION=0`` means the caller. A value that is not a PID (up
  to 8 hexadecimal digits) gives CLI$_IVVALU (VMS prints %SHOW-E-INVQUAVAL, which the message
  table lacks).
- STOP: a process with the caller's UIC needs nothing, one of the same group GROUP or WORLD,
  any other WORLD; else SS$_NOPRIV. The host process gets SIGTERM, then SIGKILL after a
  bounded wait (vmsenv.hostproc.terminate), and its registration goes. STOP of the caller's
  own process ends it (SystemExit, as LOGOUT would). A registration that lives in the caller's
  own host process (an in-process Process object, as tests make) is only unregistered.
  STOP/IDENTIFICATION=pid is declared here (the qualifier switches STOP to this module's
  definition); STOP without a parameter stops the command procedures (verbs/control.py), and
  STOP process-name needs control.py's STOP to take the parameter and call stop_process.

SPAWN [command] /[NO]WAIT /[NO]SYMBOLS /[NO]LOGICAL_NAMES /PROCESS= /INPUT= /OUTPUT= /PROMPT=
(vmsenv.spawn has the host side and the choices): prints ``%DCL-S-SPAWNED, process NAME
spawned``, then -- unless /NOWAIT -- ``%DCL-S-ATTACHED, terminal now attached to process
NAME``, serves the subprocess its input, and when it ends (or attaches back) prints
``%DCL-S-RETURNED, control returned to process PARENT`` (all three observed on VMS, also in
command procedures and with /OUTPUT; /NOWAIT prints only SPAWNED). $STATUS is then the
subprocess's completion status, not displayed again.

ATTACH [process-name] /IDENTIFICATION=pid /PARENT: from a creator, to one of its own
subprocesses that attached back (prints ATTACHED, then RETURNED when control comes back);
from a subprocess, to its creator (RETURNED is printed by the creator, which resumes) or to
another such subprocess of the same creator. Anything else: SS$_NONEXPR (also for the caller
itself and for /NOWAIT subprocesses: VMS's own messages for those are not known here).

SHOW SYSTEM [/PROCESS=name /INTERACTIVE /SUBPROCESS /BATCH /NETWORK /OTHER]: vmsenv.boot.
SHOW PROCESS [name] [/IDENTIFICATION=pid] [/PRIVILEGES] [/ALL] (OX-PRIV 4 and 6, observed
layout): a blank line, ``dd-MMM-yyyy hh:mm:ss.cc   User: %-17sProcess ID:   %08X``, 26 blanks
and ``Node: %-17sProcess name: "NAME"``, a blank line, then ``%-20s`` labelled lines Terminal,
User Identifier, Base priority, Default file spec (``Not available`` for another process),
and ``Devices allocated:  NODE$TNAn:`` for a job's master process with a terminal.
/PRIVILEGES: ``Authorized privileges:`` in 8 cells of 10 characters (IMPERSONATE clipped),
a line holding one blank, ``Process privileges:`` one per line ``" %-20s %s"``, then
``Process rights:`` and ``System rights:``. /ALL: the plain block, the privilege and rights
blocks and the processes of the job (``There is 1 process in this job:``, the tree, ``(*)``
on the process shown). Choices: the privilege blocks are shown for the caller only (the
registry does not hold other processes' privileges: another process gives
SS$_UNSUPPORTED for /PRIVILEGES and leaves them out of /ALL); rights are the UIC identifier
(without attributes), INTERACTIVE and LOCAL for interactive processes, BATCH or NETWORK for
those modes, and SYS$NODE_node; /ALL has no quota, accounting or memory blocks.

SHOW USERS [username] [/FULL] (observed layout): the users with interactive processes,
subprocesses or batch jobs; zero counts print blank; the parameter selects user names that
start with it.

SET PROCESS /PRIVILEGES=(priv,NOpriv,ALL,NOALL...) /NAME=name, for the caller's own process
(OX-PRIV 3, 8): disabling always works; enabling needs the privilege to be authorized, or
SETPRV; what could not be enabled gives ``%SYSTEM-I-NOTALLPRIV, not all requested privileges
authorized`` (status %X10000683: SS$_NOTALLPRIV shown as informational [I]) and the rest is
done. /NAME: 1 to 15 characters (else SS$_IVLOGNAM), unique (else SS$_DUPLNAM); the name is
unchanged on error. (VMS wraps these in %SET-E-NOTSET, which the message table lacks.)

F$PID(context-symbol) walks the processes the caller may read (same UIC group, all with
WORLD), in PID order, one PID per call, then "" (the symbol is then set to "" and the context
freed). F$CONTEXT("PROCESS", context-symbol, item, value, "EQL"|"NEQ") adds a selection
(USERNAME, PRCNAM, MODE, NODENAME; values a comma list with ``*``/``%`` wildcards, case-blind;
selections on different calls must all hold) or, with item "CANCEL", frees the context. The
context symbol holds a token ``PROCESS_CONTEXT n`` (VMS keeps a binary context: F$TYPE there
says PROCESS_CONTEXT, here STRING); selections added during a walk apply to the rest of it.
F$CONTEXT's second argument is a symbol *name*, which the expression evaluator passes
unevaluated when it honours ``symbol_name_arguments = (1,)`` on the function (F$TYPE and
F$PID use ``symbol_name_argument`` for their first argument).
"""

from __future__ import annotations

import fnmatch
import os
import re
import weakref
from dataclasses import dataclass, field

from vmsenv import boot, hostproc, spawn, uaf, vmstime
from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl import redirection
from vmsenv.dcl.cld import REQUIRED, REST, Keyword, Parameter, Qualifier, Verb
from vmsenv.dcl.values import to_str
from vmsenv.process import ALL_PRIVILEGES
from vmsenv.processes import ProcessInfo

NOTALLPRIV_INFO = (C.SS_NOTALLPRIV & ~7) | C.INFO
MAX_PROCESS_NAME = 15

# SHOW PROCESS/PRIVILEGES order and texts (OX-PRIV 4; IMPERSONATE is DETACH's place).
PRIVILEGE_TEXTS = (
    ("ACNT", "may suppress accounting messages"),
    ("ALLSPOOL", "may allocate spooled device"),
    ("ALTPRI", "may set any priority value"),
    ("AUDIT", "may direct audit to system security audit log"),
    ("BUGCHK", "may make bug check log entries"),
    ("BYPASS", "may bypass all object access controls"),
    ("CMEXEC", "may change mode to exec"),
    ("CMKRNL", "may change mode to kernel"),
    ("IMPERSONATE", "may impersonate another user"),
    ("DIAGNOSE", "may diagnose devices"),
    ("DOWNGRADE", "may downgrade object secrecy"),
    ("EXQUOTA", "may exceed disk quota"),
    ("GROUP", "may affect other processes in same group"),
    ("GRPNAM", "may insert in group logical name table"),
    ("GRPPRV", "may access group objects via system protection"),
    ("IMPORT", "may set classification for unlabeled object"),
    ("LOG_IO", "may do logical i/o"),
    ("MOUNT", "may execute mount acp function"),
    ("NETMBX", "may create network device"),
    ("OPER", "may perform operator functions"),
    ("PFNMAP", "may map to specific physical pages"),
    ("PHY_IO", "may do physical i/o"),
    ("PRMCEB", "may create permanent common event clusters"),
    ("PRMGBL", "may create permanent global sections"),
    ("PRMMBX", "may create permanent mailbox"),
    ("PSWAPM", "may change process swap mode"),
    ("READALL", "may read anything as the owner"),
    ("SECURITY", "may perform security administration functions"),
    ("SETPRV", "may set any privilege bit"),
    ("SHARE", "may assign channels to non-shared devices"),
    ("SHMEM", "may create/delete objects in shared memory"),
    ("SYSGBL", "may create system wide global sections"),
    ("SYSLCK", "may lock system wide resources"),
    ("SYSNAM", "may insert in system logical name table"),
    ("SYSPRV", "may access objects via system protection"),
    ("TMPMBX", "may create temporary mailbox"),
    ("UPGRADE", "may upgrade object integrity"),
    ("VOLPRO", "may override volume protection"),
    ("WORLD", "may affect other processes in the world"),
)
DISPLAY_ORDER = tuple(name for name, _ in PRIVILEGE_TEXTS)

_HEX = re.compile(r"[0-9A-Fa-f]{1,8}\Z")


# ---------------------------------------------------------------------------------------------
# Finding processes, and who may do what.
# ---------------------------------------------------------------------------------------------
def parse_pid(text) -> int | None:
    """A PID given as text (hexadecimal, at most 8 digits) or an integer; None when invalid."""
    if isinstance(text, int):
        return text & 0xFFFFFFFF
    text = str(text).strip()
    if not _HEX.match(text):
        return None
    return int(text, 16)


def may_read(process, info: ProcessInfo) -> bool:
    """$GETJPI access: same UIC group, or WORLD."""
    return info.uic_group == process.uic[0] or "WORLD" in process.privileges


def may_control(process, info: ProcessInfo) -> bool:
    """$DELPRC access: same UIC; same group with GROUP or WORLD; WORLD."""
    if info.uic == tuple(process.uic):
        return True
    if "WORLD" in process.privileges:
        return True
    return info.uic_group == process.uic[0] and "GROUP" in process.privileges


def _self(dcl) -> ProcessInfo:
    process = dcl.process
    info = process.registry.get(process.pid)
    if info is None:
        raise VMSError(C.SS_NONEXPR)
    return info


def find_process(dcl, name=None, identification=None) -> ProcessInfo:
    """The process a command names: /IDENTIFICATION wins over a name; neither means the
    caller. Raises SS$_NONEXPR (a bad /IDENTIFICATION value gives CLI$_IVVALU)."""
    process = dcl.process
    registry = process.registry
    if identification is not None:
        pid = parse_pid(identification)
        if pid is None:
            raise VMSError(C.CLI_IVVALU, segment=str(identification).upper())
        if pid == 0 or pid == process.pid:
            return _self(dcl)
        info = registry.get(pid)
        if info is None:
            raise VMSError(C.SS_NONEXPR)
        return info
    if name:
        info = registry.by_name(str(name))
        if info is None or info.uic_group != process.uic[0]:
            raise VMSError(C.SS_NONEXPR)
        return info
    return _self(dcl)


def _terminal(info: ProcessInfo) -> str:
    return info.terminal.lstrip("_")


def _uic_text(root, uic) -> str:
    return uaf.uic_names(root, tuple(uic)) or uaf.format_uic(tuple(uic))


# ---------------------------------------------------------------------------------------------
# SPAWN and ATTACH.
# ---------------------------------------------------------------------------------------------
def _read_input(dcl):
    def read() -> str:
        stream = dcl.input
        if stream is None:
            return ""
        return stream.readline()
    return read


def _serve(dcl, sub) -> int | None:
    """Give the terminal to a subprocess until it ends or hands it back."""
    me = dcl.process
    while True:
        outcome = spawn.wait(sub, _read_input(dcl))
        if outcome.kind == "exit":
            dcl.show_error(VMSError(C.CLI_RETURNED, me.name))
            dcl.complete(outcome.status, displayed=True)
            return None
        target = outcome.target or {}
        pid = target.get("pid")
        if target.get("parent") or pid == me.pid:
            sub.hibernating = True
            dcl.show_error(VMSError(C.CLI_RETURNED, me.name))
            return C.SS_NORMAL
        other = spawn.find(me.pid, pid=pid) if pid is not None else None
        if other is None or other is sub or not other.hibernating:
            spawn.refuse(sub, C.SS_NONEXPR)
            continue
        sub.hibernating = True
        dcl.show_error(VMSError(C.CLI_ATTACHED, other.name))
        dcl.out.flush()
        spawn.resume(other)
        sub = other


def spawn_(dcl, cmd):
    process = dcl.process
    command = (cmd.param("COMMAND") or "").strip() or None
    nowait = cmd.present("WAIT") is False
    files = redirection.process_files(process, cmd, (("INPUT", ".COM", False),
                                                     ("OUTPUT", ".LOG", True)))
    pd = process.process_default()
    request = {
        "root": str(process.root.path), "username": process.username, "uic": list(process.uic),
        "privileges": sorted(process.privileges), "authorized": sorted(process.authorized),
        "job": process.job, "owner": process.pid, "master": process.master,
        "terminal": process.terminal or "", "mode": process.mode,
        "name": cmd.value("PROCESS"), "parent_name": process.name,
        "login": [process.login_device, process.login_directory],
        "default": [pd.device, pd.directory],
        "prompt": cmd.value("PROMPT") or dcl.prompt,
        "symbols": spawn.symbols_of(dcl) if cmd.present("SYMBOLS") is not False else None,
        "logicals": (spawn.logical_names_of(process)
                     if cmd.present("LOGICAL_NAMES") is not False else []),
        "command": command, "nowait": nowait,
        "input": str(files["INPUT"].path) if "INPUT" in files else None,
        "input_spec": files["INPUT"].spec if "INPUT" in files else None,
        "output": str(files["OUTPUT"].path) if "OUTPUT" in files else None,
        "output_spec": files["OUTPUT"].spec if "OUTPUT" in files else None,
    }
    sub = spawn.start(request, dcl.out, nowait)
    dcl.show_error(VMSError(C.CLI_SPAWNED, sub.name))
    if nowait:
        dcl.out.flush()
        spawn.go(sub)
        return C.SS_NORMAL
    dcl.show_error(VMSError(C.CLI_ATTACHED, sub.name))
    dcl.out.flush()
    spawn.go(sub)
    return _serve(dcl, sub)


def attach(dcl, cmd):
    me = dcl.process
    name = cmd.param("PROCESS_NAME")
    ident = cmd.value("IDENTIFICATION")
    link = spawn.parent_link()
    if cmd.present("PARENT"):
        if link is None:
            raise VMSError(C.SS_NONEXPR)
        link.attach({"parent": True, "pid": link.parent_pid})
        return C.SS_NORMAL
    if name is None and ident is None:
        raise VMSError(C.CLI_INSFPRM)
    target = find_process(dcl, name, ident)
    if target.pid == me.pid:
        raise VMSError(C.SS_NONEXPR)
    sub = spawn.find(me.pid, pid=target.pid)
    if sub is not None:
        if not sub.hibernating:
            raise VMSError(C.SS_NONEXPR)
        dcl.show_error(VMSError(C.CLI_ATTACHED, sub.name))
        dcl.out.flush()
        spawn.resume(sub)
        return _serve(dcl, sub)
    if link is not None and target.job == me.job:
        dcl.out.flush()
        link.attach({"pid": target.pid})
        return C.SS_NORMAL
    raise VMSError(C.SS_NONEXPR)


# ---------------------------------------------------------------------------------------------
# STOP process.
# ---------------------------------------------------------------------------------------------
def stop_process(dcl, cmd) -> int:
    """STOP process-name / STOP/IDENTIFICATION=pid (called by verbs/control.py's STOP)."""
    process = dcl.process
    info = find_process(dcl, cmd.param("PROCESS_NAME"), cmd.value("IDENTIFICATION"))
    if info.pid == process.pid:
        dcl.out.flush()
        raise SystemExit(0)
    if not may_control(process, info):
        raise VMSError(C.SS_NOPRIV)
    registry = process.registry
    sub = spawn.find(process.pid, pid=info.pid)
    if info.os_pid != os.getpid():
        if not hostproc.terminate(info.os_pid, info.os_start):
            raise VMSError(C.SS_NOPRIV)
    if sub is not None:
        spawn.reap()
    registry.unregister(info.pid)
    registry.reap()
    return C.SS_NORMAL


# ---------------------------------------------------------------------------------------------
# SHOW SYSTEM, SHOW PROCESS, SHOW USERS.
# ---------------------------------------------------------------------------------------------
def _wild(pattern: str):
    regex = re.compile(fnmatch.translate(pattern.upper().replace("%", "?")))
    return lambda text: bool(regex.match(text.upper()))


def show_system(dcl, cmd):
    kinds = [q for q in ("INTERACTIVE", "SUBPROCESS", "BATCH", "NETWORK", "OTHER")
             if cmd.present(q)]
    names = [_wild(str(v)) for v in cmd.values("PROCESS")]

    def select(info: ProcessInfo) -> bool:
        if names and not any(match(info.name) for match in names):
            return False
        if not kinds:
            return True
        kind = "SUBPROCESS" if info.owner else info.mode
        return kind in kinds

    for line in boot.system_lines(dcl.process.root, dcl.process.pid, select=select):
        dcl.write(line)
    return C.SS_NORMAL


def _header(dcl, info: ProcessInfo) -> list[str]:
    root = dcl.process.root
    now = vmstime.format_ftime(vmstime.current_time())
    return ["",
            f"{now}   User: {info.username:<17s}Process ID:   {info.pid:08X}",
            f"{'':26s}Node: {root.node:<17s}Process name: \"{info.name}\"",
            ""]


def _plain(dcl, info: ProcessInfo) -> list[str]:
    root = dcl.process.root
    own = info.pid == dcl.process.pid
    lines = _header(dcl, info)
    lines.append(f"{'Terminal:':<20s}{_terminal(info)}")
    lines.append(f"{'User Identifier:':<20s}{_uic_text(root, info.uic)}")
    lines.append(f"{'Base priority:':<20s}{boot.base_priority(root, info.username)}")
    spec = dcl.process.default_spec() if own else "Not available"
    lines.append(f"{'Default file spec:':<20s}{spec}")
    if info.terminal and not info.owner:
        lines.append("")
        lines.append(f"{'Devices allocated:':<20s}{root.node}${_terminal(info)}")
    return lines


def _privilege_blocks(dcl, info: ProcessInfo) -> list[str]:
    process = dcl.process
    root = process.root
    authorized = [p for p in DISPLAY_ORDER if p in process.authorized]
    lines = ["Authorized privileges:"]
    for start in range(0, len(authorized), 8):
        row = "".join(f"{p[:10]:<10s}" for p in authorized[start:start + 8])
        lines.append((" " + row).rstrip())
    lines += [" ", "Process privileges:"]
    lines += [f" {name:<20s} {text}" for name, text in PRIVILEGE_TEXTS
              if name in process.privileges]
    lines += [" ", "Process rights:"]
    identifier = uaf.identifier_name(root, tuple(info.uic))
    if identifier:
        lines.append(f" {identifier}")
    if info.mode == "INTERACTIVE":
        lines += [" INTERACTIVE", " LOCAL"]
    elif info.mode in ("BATCH", "NETWORK"):
        lines.append(f" {info.mode}")
    lines += [" ", "System rights:", f" SYS$NODE_{root.node}"]
    return lines


def _job_tree(dcl, info: ProcessInfo) -> list[str]:
    members = sorted((p for p in dcl.process.registry.all() if p.job == info.job),
                     key=lambda p: p.pid)
    pids = {p.pid for p in members}
    count = len(members)
    lines = ["There is 1 process in this job:" if count == 1
             else f"There are {count} processes in this job:", ""]

    def walk(nodes: list[ProcessInfo], depth: int) -> None:
        for p in nodes:
            mark = " (*)" if p.pid == info.pid else ""
            lines.append(f"{'':{2 + 2 * depth}s}{p.name}{mark}")
            walk([m for m in members if m.owner == p.pid], depth + 1)

    walk([m for m in members if m.owner not in pids], 0)
    return lines


def show_process(dcl, cmd):
    info = find_process(dcl, cmd.param("PROCESS_NAME"), cmd.value("IDENTIFICATION"))
    process = dcl.process
    if not may_read(process, info):
        raise VMSError(C.SS_NOPRIV)
    own = info.pid == process.pid
    if cmd.present("PRIVILEGES"):
        if not own:
            raise VMSError(C.SS_UNSUPPORTED)
        lines = _header(dcl, info) + _privilege_blocks(dcl, info)
    elif cmd.present("ALL"):
        lines = _plain(dcl, info) + [""]
        if own:
            lines += _privilege_blocks(dcl, info) + [""]
        lines += _job_tree(dcl, info)
    else:
        lines = _plain(dcl, info)
    for line in lines:
        dcl.write(line)
    return C.SS_NORMAL


@dataclass
class _User:
    interactive: int = 0
    subprocess: int = 0
    batch: int = 0
    processes: list = field(default_factory=list)


def show_users(dcl, cmd):
    root = dcl.process.root
    prefix = str(cmd.param("USERNAME") or "").upper()
    users: dict[str, _User] = {}
    for info in dcl.process.registry.all():
        if prefix and not info.username.startswith(prefix):
            continue
        if info.owner:
            kind = "subprocess"
        elif info.mode == "INTERACTIVE":
            kind = "interactive"
        elif info.mode == "BATCH":
            kind = "batch"
        else:
            continue
        user = users.setdefault(info.username, _User())
        setattr(user, kind, getattr(user, kind) + 1)
        user.processes.append(info)
    total = sum(len(u.processes) for u in users.values())
    now = vmstime.format_ftime(vmstime.current_time())
    dcl.write(f"      OpenVMS User Processes at {now}")
    dcl.write(f"    Total number of users = {len(users)},  number of processes = {total}")
    dcl.write("")
    node = root.node
    if cmd.present("FULL"):
        dcl.write(" Username  Node   Process Name    PID     Terminal")
        for name in sorted(users):
            for info in sorted(users[name].processes, key=lambda p: p.pid):
                dcl.write(f" {name:<11s}{node:<6s}{info.name:<14s}{info.pid:08X}  "
                          f"{_terminal(info)}".rstrip())
        return C.SS_NORMAL
    dcl.write(" Username  Node     Interactive  Subprocess   Batch")

    def count(n: int) -> str:
        return str(n) if n else ""

    for name in sorted(users):
        u = users[name]
        dcl.write(f" {name:<11s}{node:<6s}{count(u.interactive):>11s}"
                  f"{count(u.subprocess):>12s}{count(u.batch):>8s}".rstrip())
    return C.SS_NORMAL


# ---------------------------------------------------------------------------------------------
# SET PROCESS.
# ---------------------------------------------------------------------------------------------
def set_privileges(process, requested: list[str]) -> bool:
    """Apply /PRIVILEGES keywords in order; False when some could not be enabled."""
    may_exceed = "SETPRV" in process.privileges
    current = set(process.privileges)
    complete = True
    for word in requested:
        negated = word.startswith("NO") and word[2:] in (*ALL_PRIVILEGES, "ALL")
        base = word[2:] if negated else word
        names = ALL_PRIVILEGES if base == "ALL" else (base,)
        if negated:
            current -= set(names)
            continue
        for name in names:
            if name in process.authorized or may_exceed:
                current.add(name)
            else:
                complete = False
    process.privileges.clear()
    process.privileges.update(current)
    return complete


def set_process(dcl, cmd):
    process = dcl.process
    if cmd.present("NAME"):
        name = str(cmd.value("NAME") or "")
        if not 1 <= len(name) <= MAX_PROCESS_NAME:
            raise VMSError(C.SS_IVLOGNAM)
        process.registry.update(process.pid, name=name)
        process.name = name
    requested = [str(v) for v in cmd.values("PRIVILEGES")]
    if requested and not set_privileges(process, requested):
        return dcl.signal(NOTALLPRIV_INFO)
    return C.SS_NORMAL


# ---------------------------------------------------------------------------------------------
# F$PID and F$CONTEXT.
# ---------------------------------------------------------------------------------------------
CONTEXT_ITEMS = {
    "USERNAME": lambda info, root: info.username,
    "PRCNAM": lambda info, root: info.name,
    "MODE": lambda info, root: info.mode,
    "NODENAME": lambda info, root: root.node,
}
CONTEXT_PREFIX = "PROCESS_CONTEXT "


@dataclass
class ProcessContext:
    selections: list = field(default_factory=list)     # (item, [matchers], negated)
    pids: list | None = None
    index: int = 0

    def accepts(self, info: ProcessInfo, root) -> bool:
        for item, matchers, negated in self.selections:
            value = CONTEXT_ITEMS[item](info, root)
            hit = any(match(value) for match in matchers)
            if hit == negated:
                return False
        return True


_contexts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_counter = [0]


def _context_table(dcl) -> dict:
    table = _contexts.get(dcl)
    if table is None:
        table = {}
        _contexts[dcl] = table
    return table


def _get_context(dcl, symbol: str, create: bool) -> tuple[str | None, ProcessContext | None]:
    value = dcl.lookup_symbol(symbol)
    table = _context_table(dcl)
    token = value if isinstance(value, str) and value in table else None
    if token is None and create:
        _counter[0] += 1
        token = f"{CONTEXT_PREFIX}{_counter[0]}"
        table[token] = ProcessContext()
        _set_context_symbol(dcl, symbol, token)
    return token, table.get(token) if token else None


def _set_context_symbol(dcl, symbol: str, value: str) -> None:
    found = dcl.find_symbol(symbol)
    dcl.set_symbol(symbol, value, found[1] if found is not None else False)


def _free_context(dcl, symbol: str, token: str | None) -> None:
    if token is not None:
        _context_table(dcl).pop(token, None)
    _set_context_symbol(dcl, symbol, "")


def f_pid(dcl, args):
    symbol = args[0]
    token, context = _get_context(dcl, symbol, create=True)
    process = dcl.process
    registry = process.registry
    root = process.root
    if context.pids is None:
        context.pids = [p.pid for p in registry.all() if may_read(process, p)]
    while context.index < len(context.pids):
        pid = context.pids[context.index]
        context.index += 1
        info = registry.get(pid)
        if info is not None and context.accepts(info, root):
            return f"{pid:08X}"
    _free_context(dcl, symbol, token)
    return ""


f_pid.symbol_name_argument = True


def f_context(dcl, args):
    kind = to_str(args[0]).strip().upper()
    if kind != "PROCESS":
        raise VMSError(C.CLI_IVKEYW, segment=kind)
    symbol = args[1]
    item = to_str(args[2]).strip().upper()
    if item == "CANCEL":
        token, _context = _get_context(dcl, symbol, create=False)
        _free_context(dcl, symbol, token)
        return ""
    if item not in CONTEXT_ITEMS:
        raise VMSError(C.CLI_IVKEYW, segment=item)
    if len(args) < 5 or args[3] is None or args[4] is None:
        raise VMSError(C.CLI_ARGREQ)
    relation = to_str(args[4]).strip().upper()
    if relation not in ("EQL", "NEQ"):
        raise VMSError(C.CLI_IVKEYW, segment=relation)
    matchers = [_wild(v.strip()) for v in to_str(args[3]).split(",")]
    _token, context = _get_context(dcl, symbol, create=True)
    context.selections.append((item, matchers, relation == "NEQ"))
    return ""


# The context symbol is the second argument: the evaluator must pass it as a name.
f_context.symbol_name_arguments = (1,)


# ---------------------------------------------------------------------------------------------
# The command definitions.
# ---------------------------------------------------------------------------------------------
_PRIVILEGE_KEYWORDS = tuple(Keyword(p, negatable=True) for p in ("ALL", *ALL_PRIVILEGES))

SPAWN = Verb("SPAWN", parameters=(
    Parameter("COMMAND", type=REST),
), qualifiers=(
    Qualifier("WAIT", default=True),
    Qualifier("SYMBOLS", default=True),
    Qualifier("LOGICAL_NAMES", default=True),
    Qualifier("PROCESS", value=REQUIRED, negatable=False),
    Qualifier("INPUT", value=REQUIRED, negatable=False),
    Qualifier("OUTPUT", value=REQUIRED, negatable=False),
    Qualifier("PROMPT", value=REQUIRED, negatable=False),
), handler=spawn_)

ATTACH = Verb("ATTACH", parameters=(
    Parameter("PROCESS_NAME", prompt="Process"),
), qualifiers=(
    Qualifier("IDENTIFICATION", value=REQUIRED, negatable=False),
    Qualifier("PARENT", negatable=False),
), handler=attach)

SHOW = Verb("SHOW", keywords=(
    Verb("SYSTEM", qualifiers=(
        Qualifier("PROCESS", value=REQUIRED, list=True, negatable=False),
        Qualifier("INTERACTIVE", negatable=False),
        Qualifier("SUBPROCESS", negatable=False),
        Qualifier("BATCH", negatable=False),
        Qualifier("NETWORK", negatable=False),
        Qualifier("OTHER", negatable=False),
    ), handler=show_system),
    Verb("PROCESS", parameters=(
        Parameter("PROCESS_NAME"),
    ), qualifiers=(
        Qualifier("IDENTIFICATION", value=REQUIRED, negatable=False),
        Qualifier("PRIVILEGES", negatable=False),
        Qualifier("ALL", negatable=False),
    ), handler=show_process),
    Verb("USERS", parameters=(
        Parameter("USERNAME"),
    ), qualifiers=(
        Qualifier("FULL", negatable=False),
    ), handler=show_users),
))

SET = Verb("SET", keywords=(
    Verb("PROCESS", qualifiers=(
        Qualifier("PRIVILEGES", value=REQUIRED, list=True, negatable=False,
                  keywords=_PRIVILEGE_KEYWORDS),
        Qualifier("NAME", value=REQUIRED, negatable=False),
    ), handler=set_process),
))

STOP_PROCESS = Verb("STOP", parameters=(
    Parameter("PROCESS_NAME"),
), qualifiers=(
    Qualifier("IDENTIFICATION", value=REQUIRED, negatable=False),
), handler=stop_process)

# STOP itself belongs to verbs/control.py; /IDENTIFICATION switches to STOP_PROCESS.
STOP = Verb("STOP", qualifiers=(
    Qualifier("IDENTIFICATION", value=REQUIRED, negatable=False, syntax=STOP_PROCESS),
))

VERBS = [SPAWN, ATTACH, STOP, SHOW, SET]

LEXICALS = {
    "F$PID": (f_pid, 1, 1),
    "F$CONTEXT": (f_context, 3, 5),
}
