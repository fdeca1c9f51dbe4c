"""The AUTHORIZE utility (``MCR AUTHORIZE cmd``, or ``UAF>`` prompts), and SET PASSWORD.

Commands (declared as CLD data, vmsenv.dcl.cld): ADD, COPY, MODIFY, REMOVE, SHOW (/BRIEF,
/FULL), LIST (/BRIEF, the default, /FULL: writes SYSUAF.LIS in the current default directory),
HELP, EXIT. Record qualifiers: /PASSWORD= (/NOPASSWORD) /UIC= /OWNER= /ACCOUNT= /DEVICE=
/DIRECTORY= /CLI= /CLITABLES= /LGICMD= /PRIVILEGES=(...) /DEFPRIVILEGES=(...) /FLAGS=(...)
/PRIMEDAYS=(...) /EXPIRATION= (/NOEXPIRATION) /PWDMINIMUM= /PWDLIFETIME= (/NOPWDLIFETIME)
/[NO]PWDEXPIRED /CPUTIME= and the quotas (/MAXJOBS= ... /PGFLQUOTA=); /[NO]ADD_IDENTIFIER on
ADD and COPY, /[NO]MODIFY_IDENTIFIER on MODIFY, /[NO]REMOVE_IDENTIFIER on REMOVE. Privilege,
flag and day lists apply left to right (``/PRIVILEGES=(NOALL,TMPMBX)``).

As on VMS: SYSUAF.DAT is protected (S:RWED,O:RWED,G,W), so AUTHORIZE needs a system UIC
(group up to 010) or SYSPRV or BYPASS; READALL alone gives a session that can only look.
Without either it stops at once with ``%UAF-E-NAOFIL, unable to open SYSUAF.DAT`` and
``-RMS-E-PRV``. Parse errors come from the CLI (``%CLI-W-IVVERB`` and its `` \\SEGMENT\\``). A
line ending in ``-`` continues at a ``_UAF> `` prompt; ``!`` starts a comment. At the end (EXIT,
end of input, or after the one command of ``MCR AUTHORIZE cmd``) AUTHORIZE says whether it
changed SYSUAF (DONEMSG / NOMODS) and the rights database (RDBDONEMSG / RDBNOMODS).

Choices where VMS is silent or differs (all [I]):

- A UIC in brackets holds a comma; the command line's bracketed parts are quoted before the
  CLD parser sees them (their letters upper-cased), so ``/UIC=[200,1]`` and ``SHOW [200,*]``
  parse as one value each.
- ``/DEVICE=DKA0`` gets its colon, ``/DIRECTORY=JOE`` its brackets.
- ADD, COPY and MODIFY (of /DEVICE or /DIRECTORY) create the login directory when it is
  missing, silently (VMS leaves that to CREATE/DIRECTORY); when they cannot, they say so as
  CREATE/DIRECTORY would (``%CREATE-E-DIRNOTCRE``), and the record stays.
- ADD without /UIC takes DEFAULT's ``[200,200]``; MODIFY, SHOW and LIST accept ``*`` and ``%``
  in the user name and ``[g,*]``-style UICs; REMOVE and COPY want one exact name. A name that
  does not exist gives BADUSR, a specification that selects nothing BADSPC.
- One /PASSWORD value only: secondary passwords, access hours (/ACCESS, /INTERACTIVE, ...),
  /GENERATE_PASSWORD, RENAME, GRANT, REVOKE, CREATE/PROXY and DEFAULT do not exist (their
  qualifiers and verbs are unknown to the parser, so they are refused as such).
- HELP lists the commands and, for a command, its qualifiers; there is no help library text.
- SHOW separates records with a blank line; SHOW/BRIEF and the brief SYSUAF.LIS print the
  heading, a blank line and one line per user; the full listing holds SHOW's reports.
- ``%UAF-I-PWDLESSMIN`` (password shorter than the account's minimum) comes before the command's
  own message, identifier messages after it; the password is set anyway, pre-expired unless
  /NOPWDEXPIRED, as AUTHORIZE does.

SET PASSWORD (``set_password_command``): the old password must match (an account without a
password takes an empty one), the new one and its verification must agree, and the new one must
have the account's minimum length, at most 32 characters, and valid characters (A-Z, 0-9, $, _;
any printable character but the blank with PWDMIX). LOCKPWD refuses the change. The new
password is current, not pre-expired.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from vmsenv import condition as C
from vmsenv import uaf, vmstime
from vmsenv.condition import VMSError
from vmsenv.dcl import cld
from vmsenv.dcl.cld import REQUIRED, CommandTable, Keyword, Parameter, Qualifier, Verb
from vmsenv.dcl.lexer import strip_comment

PROMPT = "UAF> "
CONTINUATION_PROMPT = "_UAF> "
LISTING = "SYSUAF.LIS"

# ---------------------------------------------------------------------------------------------
# Command definitions.
# ---------------------------------------------------------------------------------------------
_PRIV_KEYWORDS = tuple(Keyword(p, negatable=True) for p in ("ALL",) + uaf.PRIVILEGES)
_FLAG_KEYWORDS = tuple(Keyword(f, negatable=True) for f in uaf.FLAG_NAMES
                       if f not in ("PWD_EXPIRED", "PWD2_EXPIRED"))
_DAY_KEYWORDS = tuple(Keyword(d, negatable=True) for d in uaf.DAYS)


def _text(name: str, negatable: bool = False) -> Qualifier:
    return Qualifier(name, value=REQUIRED, negatable=negatable)


_RECORD_QUALIFIERS = (
    _text("PASSWORD", negatable=True),
    _text("UIC"), _text("OWNER"), _text("ACCOUNT"), _text("DEVICE"), _text("DIRECTORY"),
    _text("CLI"), _text("CLITABLES"), _text("LGICMD"),
    Qualifier("PRIVILEGES", value=REQUIRED, list=True, keywords=_PRIV_KEYWORDS, negatable=False),
    Qualifier("DEFPRIVILEGES", value=REQUIRED, list=True, keywords=_PRIV_KEYWORDS,
              negatable=False),
    Qualifier("FLAGS", value=REQUIRED, list=True, keywords=_FLAG_KEYWORDS, negatable=False),
    Qualifier("PRIMEDAYS", value=REQUIRED, list=True, keywords=_DAY_KEYWORDS, negatable=False),
    _text("EXPIRATION", negatable=True),
    _text("PWDMINIMUM"),
    _text("PWDLIFETIME", negatable=True),
    Qualifier("PWDEXPIRED"),
    _text("CPUTIME", negatable=True),
) + tuple(_text(q) for q in uaf.QUOTA_NAMES)


_WRITERS = {"ADD", "COPY", "MODIFY", "REMOVE"}


# ---------------------------------------------------------------------------------------------
# The session.
# ---------------------------------------------------------------------------------------------
def sysuaf_access(process) -> str | None:
    """"write" (system UIC, SYSPRV or BYPASS), "read" (READALL) or None."""
    privileges = set(process.privileges)
    if privileges & {"SYSPRV", "BYPASS"} or process.uic[0] <= uaf.MAX_SYSTEM_GROUP:
        return "write"
    if "READALL" in privileges:
        return "read"
    return None


@dataclass
class _Session:
    process: object
    stdin: object
    stdout: object
    interactive: bool
    access: str
    status: int = C.SS_NORMAL
    uaf_modified: bool = False
    rdb_modified: bool = False
    done: bool = False

    @property
    def root(self):
        return self.process.root

    def say(self, line: str = "") -> None:
        self.stdout.write(line + "\n")

    def signal(self, err: VMSError | int, *args, cli: bool = False) -> int:
        err = err if isinstance(err, VMSError) else VMSError(err, *args)
        for line in err.lines():
            if cli and line[:5] in ("%DCL-", "-DCL-"):
                line = line[0] + "CLI" + line[4:]
            self.say(line)
        if err.status & 7 in (C.WARNING, C.ERROR, C.SEVERE):
            return err.status | C.INHIB_MSG
        return err.status

    def notes(self, notes: list[VMSError]) -> None:
        for note in notes:
            self.signal(note)
            if note.status in (C.UAF_RDBADDMSGU, C.UAF_RDBREMMSGU, C.UAF_RDBMDFYMSG):
                self.rdb_modified = True

    def read(self, prompt: str) -> str | None:
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if line == "":
            return None
        return line.rstrip("\r\n")


def run_authorize(process, stdin, stdout, command: str | None = None) -> int:
    """AUTHORIZE for a process: one command (``MCR AUTHORIZE SHOW X``), or, when command is
    None or blank, ``UAF>`` prompts until EXIT or the end of stdin. Returns the final status
    (with INHIB_MSG set when its message was shown)."""
    access = sysuaf_access(process)
    if access is None:
        err = VMSError(C.UAF_NAOFIL, "SYSUAF.DAT", secondary=[C.RMS_PRV])
        for line in err.lines():
            stdout.write(line + "\n")
        stdout.flush()
        return err.status | C.INHIB_MSG
    interactive = command is None or not command.strip()
    session = _Session(process, stdin, stdout, interactive, access)
    if not interactive:
        session.status = _execute(session, command)
    else:
        while not session.done:
            line = session.read(PROMPT)
            if line is None:
                break
            while line.rstrip().endswith("-"):
                more = session.read(CONTINUATION_PROMPT)
                if more is None:
                    break
                line = line.rstrip()[:-1] + more
            if strip_comment(line).strip():
                session.status = _execute(session, line)
    _finish(session)
    stdout.flush()
    return session.status


def image_main(ctx) -> int:
    """The AUTHORIZE image (vmsenv.images): ``MCR AUTHORIZE [command]`` or ``RUN
    SYS$SYSTEM:AUTHORIZE``, on the context's process, input and output."""
    return run_authorize(ctx.process, ctx.stdin if ctx.stdin is not None else sys.stdin,
                         ctx.stdout if ctx.stdout is not None else sys.stdout,
                         ctx.args or None)


def _finish(session: _Session) -> None:
    session.signal(C.UAF_DONEMSG if session.uaf_modified else C.UAF_NOMODS)
    session.signal(C.UAF_RDBDONEMSG if session.rdb_modified else C.UAF_RDBNOMODS)


def _protect_brackets(text: str) -> str:
    """Quote each bracketed part outside quotes (upper-cased), so that a UIC's comma stays in
    its value."""
    out, i, quoted = [], 0, False
    while i < len(text):
        c = text[i]
        if c == '"':
            quoted = not quoted
        elif c == "[" and not quoted:
            end = text.find("]", i)
            if end > 0 and '"' not in text[i:end]:
                out.append('"' + text[i:end + 1].upper() + '"')
                i = end + 1
                continue
        out.append(c)
        i += 1
    return "".join(out)


_VERB_RE = re.compile(r"^\s*([A-Za-z_$]*)(.*)$", re.S)


def _execute(session: _Session, line: str) -> int:
    text = _protect_brackets(strip_comment(line).strip())
    m = _VERB_RE.match(text)
    token, rest = m.group(1), m.group(2)
    try:
        if not token:
            raise VMSError(C.CLI_NOCOMD)
        verb = COMMANDS.lookup(token)
        cmd = _parse(session, verb, rest)
    except VMSError as err:
        return session.signal(err, cli=True)
    if verb.name in _WRITERS and session.access != "write":
        return session.signal(VMSError(C.UAF_NAOFIL, "SYSUAF.DAT", secondary=[C.RMS_PRV]))
    try:
        return verb.handler(session, cmd)
    except VMSError as err:
        return session.signal(err, cli=err.status >> 16 == 3)


def _parse(session: _Session, verb: Verb, rest: str):
    while True:
        try:
            return cld.parse(verb, rest, verb.name)
        except cld.MissingParameter as missing:
            if not session.interactive:
                raise
            answer = session.read(f"_{missing.parameter.prompt}: ")
            if answer is None or not answer.strip():
                raise
            rest = rest + " " + _protect_brackets(strip_comment(answer).strip())


# ---------------------------------------------------------------------------------------------
# Qualifier values -> record changes.
# ---------------------------------------------------------------------------------------------
def _number(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise VMSError(C.CLI_NUMBER, segment=text) from None
    if value < 0:
        raise VMSError(C.CLI_NUMBER, segment=text)
    return value


def _steps(values) -> tuple:
    steps = []
    for value in values:
        if value.startswith("NO") and value[2:] in uaf.PRIVILEGES + uaf.FLAG_NAMES + uaf.DAYS \
                + ("ALL",):
            steps.append((False, value[2:]))
        else:
            steps.append((True, value))
    return tuple(steps)


def _device(text: str) -> str:
    return text if text.endswith(":") else text + ":"


def _directory(text: str) -> str:
    text = text.strip()
    if text.startswith(("[", "<")):
        return text.replace("<", "[").replace(">", "]")
    return f"[{text}]"


def _changes(cmd) -> dict:
    changes: dict = {}
    given = cmd.present
    if given("PASSWORD") is not None:
        changes["password"] = cmd.value("PASSWORD") if given("PASSWORD") else None
    if given("UIC"):
        changes["uic"] = uaf.parse_uic(cmd.value("UIC"))
    for qualifier, key, convert in (("OWNER", "owner", str), ("ACCOUNT", "account", str),
                                    ("DEVICE", "device", _device),
                                    ("DIRECTORY", "directory", _directory),
                                    ("CLI", "cli", str), ("CLITABLES", "tables", str),
                                    ("LGICMD", "lgicmd", str)):
        if given(qualifier):
            changes[key] = convert(cmd.value(qualifier))
    for qualifier, key in (("PRIVILEGES", "authorized"), ("DEFPRIVILEGES", "default_privileges"),
                           ("FLAGS", "flags"), ("PRIMEDAYS", "primedays")):
        if given(qualifier):
            changes[key] = _steps(cmd.values(qualifier))
    if given("EXPIRATION") is not None:
        changes["expiration"] = (vmstime.parse_time(cmd.value("EXPIRATION"), allow_delta=False)
                                 if given("EXPIRATION") else None)
    if given("PWDMINIMUM"):
        changes["pwd_minimum"] = _number(cmd.value("PWDMINIMUM"))
    if given("PWDLIFETIME") is not None:
        changes["pwd_lifetime"] = (vmstime.parse_delta(cmd.value("PWDLIFETIME"))
                                   if given("PWDLIFETIME") else None)
    if given("PWDEXPIRED") is not None:
        changes["pwd_expired"] = bool(given("PWDEXPIRED"))
    if given("CPUTIME") is not None:
        changes["cputime"] = (vmstime.parse_delta(cmd.value("CPUTIME"))
                              if given("CPUTIME") else None)
    quotas = {q: _number(cmd.value(q)) for q in uaf.QUOTA_NAMES if given(q)}
    if quotas:
        changes["quotas"] = quotas
    return changes


# ---------------------------------------------------------------------------------------------
# The commands.
# ---------------------------------------------------------------------------------------------
_BEFORE = (C.UAF_PWDLESSMIN,)


def _report(session: _Session, status: int, notes: list[VMSError]) -> int:
    session.notes([n for n in notes if n.status in _BEFORE])
    result = session.signal(status)
    session.notes([n for n in notes if n.status not in _BEFORE])
    session.uaf_modified = True
    return result


def _login_directory(session: _Session, username: str) -> None:
    account = uaf.get(session.root, username)
    if account is None:
        return
    try:
        uaf.create_login_directory(session.root, account, session.process)
    except VMSError as err:
        session.signal(VMSError(C.CREATE_DIRNOTCRE, account.login_spec,
                                secondary=[err.status]))


def _add(session: _Session, cmd) -> int:
    username = uaf.valid_username(cmd.param("USERNAME"))
    notes = uaf.add(session.root, username, _changes(cmd),
                    add_identifier=bool(cmd.present("ADD_IDENTIFIER")))
    status = _report(session, C.UAF_ADDMSG, notes)
    _login_directory(session, username)
    return status


def _copy(session: _Session, cmd) -> int:
    new = uaf.valid_username(cmd.param("NEWUSERNAME"))
    old = uaf.valid_username(cmd.param("OLDUSERNAME"))
    if old == new:
        raise VMSError(C.UAF_NOTSAME)
    notes = uaf.copy(session.root, old, new, _changes(cmd),
                     add_identifier=bool(cmd.present("ADD_IDENTIFIER")))
    status = _report(session, C.UAF_COPMSG, notes)
    _login_directory(session, new)
    return status


def _modify(session: _Session, cmd) -> int:
    spec = str(cmd.param("USERNAME"))
    changes = _changes(cmd)
    if uaf.is_wild(spec):
        names = [a.username for a in uaf.find(session.root, spec)]
        if not names:
            raise VMSError(C.UAF_BADSPC)
    else:
        names = [uaf.valid_username(spec)]
    notes: list[VMSError] = []
    for name in names:
        notes.extend(uaf.modify(session.root, name, changes,
                                modify_identifier=bool(cmd.present("MODIFY_IDENTIFIER"))))
    status = _report(session, C.UAF_MDFYMSG, notes)
    if "device" in changes or "directory" in changes:
        for name in names:
            _login_directory(session, name)
    return status


def _remove(session: _Session, cmd) -> int:
    username = uaf.valid_username(cmd.param("USERNAME"))
    notes = uaf.remove(session.root, username,
                       remove_identifier=bool(cmd.present("REMOVE_IDENTIFIER")))
    return _report(session, C.UAF_REMMSG, notes)


def _select(session: _Session, spec: str) -> list[uaf.Account]:
    found = uaf.find(session.root, spec)
    if not found:
        raise VMSError(C.UAF_BADSPC)
    return found


def _brief_lines(found: list[uaf.Account]) -> list[str]:
    return [uaf.BRIEF_HEADING, ""] + [uaf.brief_line(a) for a in found]


def _full_lines(session: _Session, found: list[uaf.Account]) -> list[str]:
    lines: list[str] = []
    for i, account in enumerate(found):
        if i:
            lines.append("")
        lines.extend(uaf.show_lines(session.root, account))
    return lines


def _show(session: _Session, cmd) -> int:
    found = _select(session, str(cmd.param("USERNAME")))
    brief = cmd.choice("form") == "BRIEF"
    for line in _brief_lines(found) if brief else _full_lines(session, found):
        session.say(line)
    return C.SS_NORMAL


def _list(session: _Session, cmd) -> int:
    found = _select(session, str(cmd.param("USERNAME", "*")))
    lines = _brief_lines(found) if cmd.choice("form") == "BRIEF" else _full_lines(session, found)
    session.signal(C.UAF_LSTMSG1)
    _spec, path = session.process.resolve_file(LISTING, for_write=True)
    path.write_text("".join(line + "\n" for line in lines))
    return session.signal(C.UAF_LSTMSG2, LISTING)


def _help(session: _Session, cmd) -> int:
    topics = [str(t) for t in cmd.param_values("TOPIC")]
    if not topics:
        session.say("")
        session.say("  Information available:")
        session.say("")
        session.say("  " + " ".join(f"{name:<10}" for name in COMMANDS.names()).rstrip())
        session.say("")
        return C.SS_NORMAL
    verb = COMMANDS.lookup(topics[0])
    session.say("")
    session.say(verb.name)
    session.say("")
    params = " ".join(p.label.lower() for p in verb.parameters)
    session.say(f"  Format:  {verb.name} {params}".rstrip())
    if verb.qualifiers:
        session.say("")
        session.say("  Qualifiers:")
        names = [f"/{q.name}" for q in verb.qualifiers]
        for i in range(0, len(names), 4):
            session.say("    " + "".join(f"{n:<19}" for n in names[i:i + 4]).rstrip())
    session.say("")
    return C.SS_NORMAL


def _exit(session: _Session, cmd) -> int:
    session.done = True
    return C.SS_NORMAL


# ---------------------------------------------------------------------------------------------
# The table.
# ---------------------------------------------------------------------------------------------
VERBS = (
    Verb("ADD", parameters=(Parameter("USERNAME", required=True, prompt="Username"),),
         qualifiers=_RECORD_QUALIFIERS + (Qualifier("ADD_IDENTIFIER", default=True),),
         handler=_add),
    Verb("COPY", parameters=(Parameter("OLDUSERNAME", required=True, prompt="Username"),
                             Parameter("NEWUSERNAME", required=True, prompt="New username")),
         qualifiers=_RECORD_QUALIFIERS + (Qualifier("ADD_IDENTIFIER", default=True),),
         handler=_copy),
    Verb("MODIFY", parameters=(Parameter("USERNAME", required=True, prompt="Username"),),
         qualifiers=_RECORD_QUALIFIERS + (Qualifier("MODIFY_IDENTIFIER", default=True),),
         handler=_modify),
    Verb("REMOVE", parameters=(Parameter("USERNAME", required=True, prompt="Username"),),
         qualifiers=(Qualifier("REMOVE_IDENTIFIER", default=True),),
         handler=_remove),
    Verb("SHOW", parameters=(Parameter("USERNAME", required=True, prompt="Username"),),
         qualifiers=(Qualifier("BRIEF", negatable=False, group="form"),
                     Qualifier("FULL", negatable=False, group="form")),
         handler=_show),
    Verb("LIST", parameters=(Parameter("USERNAME"),),
         qualifiers=(Qualifier("BRIEF", negatable=False, group="form", default=True),
                     Qualifier("FULL", negatable=False, group="form")),
         handler=_list),
    Verb("HELP", parameters=(Parameter("TOPIC", list=True),), handler=_help),
    Verb("EXIT", handler=_exit),
)
COMMANDS = CommandTable(VERBS)


# ---------------------------------------------------------------------------------------------
# SET PASSWORD.
# ---------------------------------------------------------------------------------------------
def old_password_ok(process, old: str) -> bool:
    """Whether old is the current password of the process's user (an account without a
    password takes "")."""
    account = uaf.get(process.root, process.username)
    if account is None:
        raise VMSError(C.RMS_RNF)
    if not account.has_password:
        return old == ""
    return uaf.password_matches(process.root, process.username, old)


def set_password_command(process, old: str, new: str, verify: str) -> int:
    """SET PASSWORD for the process's own account: SS$_NORMAL, or VMSError with the SET
    messages (PWDLOCKED, PWDNOTVAL, PWDNOTVER, INVPWDLEN, PWDSYNTAX)."""
    account = uaf.get(process.root, process.username)
    if account is None:
        raise VMSError(C.RMS_RNF)
    if "LOCKPWD" in account.flags:
        raise VMSError(C.SET_PWDLOCKED)
    if not old_password_ok(process, old):
        raise VMSError(C.SET_PWDNOTVAL)
    if new != verify:
        raise VMSError(C.SET_PWDNOTVER)
    problem = uaf.password_problem(new, "PWDMIX" in account.flags)
    if problem == "SYNTAX":
        raise VMSError(C.SET_PWDSYNTAX)
    if problem == "LENGTH" or len(new) < account.pwd_minimum:
        raise VMSError(C.SET_INVPWDLEN)
    uaf.set_password(process.root, process.username, new)
    return C.SS_NORMAL
