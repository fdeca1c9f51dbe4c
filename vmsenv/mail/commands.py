"""The MAIL utility's commands, declared as CLD data (vmsenv.dcl.cld), and their handlers.

Each handler is ``handler(session, cmd) -> int`` with a vmsenv.mail.utility.Session; see that
module for the behaviour and the layouts.  ``DCL_MAIL`` is the syntax of the DCL command
``MAIL [file recipient[,...]] [/SUBJECT=text]``, shared by the DCL verb and ``MCR MAIL``.

Folder names are taken as typed (``parse_folder_name``: unquoted names are alphanumerics, ``$``
and ``_``, upper-cased; a quoted name keeps its case).  Message numbers for DELETE may be a
list and ranges (``DELETE 2,4-6``).
"""

from __future__ import annotations

import re

from vmsenv import condition as cond
from vmsenv.dcl import cld
from vmsenv.dcl.cld import FILE, REQUIRED, CommandTable, Parameter, Qualifier, Verb
from vmsenv.files import FileError
from vmsenv.mail import messages as mm
from vmsenv.mail import profile as mp
from vmsenv.mail import send as msend
from vmsenv.mail import store as ms
from vmsenv.mail import utility as mu

_VERB_RE = re.compile(r"^\s*([A-Za-z_$]*)(.*)$", re.S)


def split_verb(text: str) -> tuple[str, str]:
    m = _VERB_RE.match(text)
    return m.group(1), m.group(2)


def _raw(cmd, label: str) -> str | None:
    values = cmd.params_of(label)
    return values[0].raw if values else None


def _folder(cmd, label: str = "FOLDER") -> str:
    return ms.parse_folder_name(_raw(cmd, label) or "")


def _lines_bytes(lines: list[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode("latin-1", "replace")


# ---------------------------------------------------------------------------------------------
# Reading.
# ---------------------------------------------------------------------------------------------
def directory(s: mu.Session, cmd) -> int:
    if cmd.present("FOLDER"):
        return _folders(s)
    if _raw(cmd, "FOLDER"):
        name = _folder(cmd)
        if name != s.folder or not s.selection:
            s.select(name)
        else:
            s.refresh()
    else:
        s.refresh()
    if not s.selection:
        raise cond.VMSError(cond.MAIL_NOTEXIST, s.folder)
    mail = s.mail()
    rows = []
    for number, mid in enumerate(s.selection, 1):
        info = None
        if mid not in s.gone:
            try:
                info = mail.info(mid)
            except cond.VMSError as err:
                if err.status != cond.MAIL_NOSUCHMSG:
                    raise
                s.gone.add(mid)
        rows.append((number, info))
    s.says(mu.directory_lines(s.folder, rows))
    return cond.SS_NORMAL


def _folders(s: mu.Session) -> int:
    account = s.account
    spec = mp.mail_directory_spec(s.root, account) + "MAIL.MAI;1"
    mail = s.mail()
    names = [name for name, _count in mail.folders()] if mail is not None else []
    s.say(f"Listing of folders in {spec}")
    s.say("           Press CTRL/C to cancel listing")
    s.says(mu.folder_columns(names))
    return cond.SS_NORMAL


def read(s: mu.Session, cmd) -> int:
    first, second = _raw(cmd, "P1"), _raw(cmd, "P2")
    number = None
    if cmd.present("NEW"):
        s.select(ms.NEWMAIL)
    if first is not None:
        if first.strip().isdigit():
            number = first
        else:
            name = ms.parse_folder_name(first)
            s.select(name)
            number = second if second is not None else "1"
    if number is not None:
        return s.show(s.index_of(number))
    return _next(s)


def _next(s: mu.Session) -> int:
    s.refresh()
    following = [i for i in s.live() if i > s.current]
    if not following:
        if not s.selection:
            raise cond.VMSError(cond.MAIL_NOTEXIST, s.folder)
        raise cond.VMSError(mm.MAIL_NOMOREMSG)
    return s.show(following[0])


def next_(s: mu.Session, cmd) -> int:
    return _next(s)


def back(s: mu.Session, cmd) -> int:
    if s.current < 0:
        raise cond.VMSError(mm.MAIL_NOTREADIN)
    before = [i for i in s.live() if i < s.current]
    if not before:
        raise cond.VMSError(mm.MAIL_NOMOREMSG)
    return s.show(before[-1])


def current(s: mu.Session, cmd) -> int:
    s.current_id()
    return s.show(s.current)


def _ends(s: mu.Session, last: bool) -> int:
    s.refresh()
    if not s.selection:
        raise cond.VMSError(cond.MAIL_NOTEXIST, s.folder)
    live = s.live()
    if not live:
        raise cond.VMSError(mm.MAIL_NOMOREMSG)
    return s.show(live[-1] if last else live[0])


def first(s: mu.Session, cmd) -> int:
    return _ends(s, False)


def last(s: mu.Session, cmd) -> int:
    return _ends(s, True)


# ---------------------------------------------------------------------------------------------
# Changing.
# ---------------------------------------------------------------------------------------------
def _numbers(s: mu.Session, values: list[str]) -> list[int]:
    indexes: list[int] = []
    for value in values:
        text = str(value).strip()
        low, dash, high = text.partition("-")
        if dash:
            a, b = s.index_of(low), s.index_of(high)
            indexes.extend(range(min(a, b), max(a, b) + 1))
        else:
            indexes.append(s.index_of(text))
    return indexes


def delete(s: mu.Session, cmd) -> int:
    if cmd.present("ALL"):
        ids = [s.selection[i] for i in s.live()]
    elif cmd.params_of("NUMBER"):
        ids = [s.selection[i] for i in _numbers(s, [p.text for p in cmd.params_of("NUMBER")])]
        ids = [m for m in ids if m not in s.gone]
    else:
        ids = [s.current_id()]
    if not ids:
        return cond.SS_NORMAL
    mail = s.mail()
    if s.folder == ms.WASTEBASKET:
        mail.erase(ids, source=ms.WASTEBASKET)
    else:
        with mail.batch() as b:
            b.set_flags(ids, clear=ms.F_NEW)
            b.delete(ids, source=s.folder)
    s.take_away(ids)
    return cond.SS_NORMAL


def _target(s: mu.Session, cmd) -> tuple[str, bool] | None:
    """The folder a message goes to, and whether it is new; None when the user declined to
    create it."""
    name = _folder(cmd)
    mail = s.mail()
    if mail.folder_exists(name):
        return name, False
    s.say(f"Folder {name} does not exist.")
    if not s.confirm("Do you want to create it"):
        return None
    return name, True


def move(s: mu.Session, cmd) -> int:
    mid = s.current_id()
    found = _target(s, cmd)
    if found is None:
        return cond.SS_NORMAL
    folder, created = found
    if folder == s.folder:
        return cond.SS_NORMAL
    mail = s.mail()
    if folder == ms.WASTEBASKET:
        with mail.batch() as b:
            b.set_flags([mid], clear=ms.F_NEW)
            moved = b.delete([mid], source=s.folder)
    else:
        with mail.batch() as b:
            b.set_flags([mid], clear=ms.F_NEW)
            moved = b.move([mid], folder, source=s.folder)
    if not moved:
        s.gone.add(mid)
        raise cond.VMSError(cond.MAIL_NOSUCHMSG, str(s.current + 1))
    s.take_away([mid])
    if created:
        s.signal(mm.MAIL_NEWFOLDER, folder)
    return cond.SS_NORMAL


def copy(s: mu.Session, cmd) -> int:
    mid = s.current_id()
    found = _target(s, cmd)
    if found is None:
        return cond.SS_NORMAL
    folder, created = found
    if not s.mail().copy([mid], folder):
        s.gone.add(mid)
        raise cond.VMSError(cond.MAIL_NOSUCHMSG, str(s.current + 1))
    if created:
        s.signal(mm.MAIL_NEWFOLDER, folder)
    return cond.SS_NORMAL


def extract(s: mu.Session, cmd) -> int:
    mid = s.current_id()
    mail = s.mail()
    info, body = mail.info(mid), mail.read(mid)
    spec = str(cmd.param("FILE"))
    process = s.process
    try:
        ref = process.files.create(spec, ".TXT", process_default=process.process_default())
    except FileError as err:
        raise cond.VMSError(cond.MAIL_OPENOUT, err.spec, secondary=[err.status]) from None
    data = mu.extract_bytes(info, body, header=cmd.present("HEADER") is not False)
    try:
        ref.path.write_bytes(data)
    except OSError as exc:
        raise cond.VMSError(cond.MAIL_OPENOUT, ref.spec, secondary=[
            cond.VMSError(cond.VMSENV_HOSTERR, str(exc))]) from None
    s.signal(mm.MAIL_CREATED, ref.spec)
    return cond.SS_NORMAL


def purge(s: mu.Session, cmd) -> int:
    mail = s.mail()
    if mail is None:
        return cond.SS_NORMAL
    result = mail.purge()
    if s.folder == ms.WASTEBASKET:
        s.take_away(list(s.selection))
    if result.messages:
        s.signal(mm.MAIL_DELMSGS, result.messages)
    if cmd.present("RECLAIM"):
        s.signal(mm.MAIL_RECLPLSWAIT)
        reclaimed = result.reclaimed if result.reclaimed is not None else mail.reclaim()
        s.signal(mm.MAIL_DELSPACE, reclaimed)
    return cond.SS_NORMAL


# ---------------------------------------------------------------------------------------------
# Sending.
# ---------------------------------------------------------------------------------------------
def _report(s: mu.Session, recipients: list[msend.Recipient]) -> int | None:
    """Say why addresses failed; the status to return when none is left (else None)."""
    status = cond.SS_NORMAL
    for r in recipients:
        if r.error is not None:
            status = s.signal(r.error)
    if any(r.error is None for r in recipients):
        return None
    return status if recipients else cond.SS_NORMAL


def _ask_recipients(s: mu.Session) -> tuple[list[msend.Recipient], int | None]:
    """Ask ``To:`` and resolve the answer; (recipients, None), or (recipients, the status to
    return) when no answer is given or no address is left (see _report)."""
    to = s.read("To:\t")
    if to is None or not to.strip():
        return [], cond.SS_NORMAL
    recipients = msend.resolve(s.root, msend.split_addresses(to))
    return recipients, _report(s, recipients)


def _finish_send(s: mu.Session, recipients: list[msend.Recipient], subject: str, body: bytes,
                 *, cc: str = "", foreign: bool = False) -> int:
    bad = [r for r in recipients if r.error is not None]
    good = [r for r in recipients if r.error is None]
    if bad and not (s.interactive and s.confirm("Do you want to send anyway")):
        return bad[-1].error.status | cond.INHIB_MSG
    msend.deliver_local(s.root, s.username, good, subject, body, cc=cc, foreign=foreign)
    return bad[-1].error.status | cond.INHIB_MSG if bad else cond.SS_NORMAL


def _body(s: mu.Session, cmd) -> bytes:
    spec = _raw(cmd, "FILE")
    if spec:
        source = mu.body_source(s.process, spec)
        if source == "null":
            return b""
        if source == "file":
            return mu.read_file_body(s.process, spec)
    return _lines_bytes(s.read_body())


def send(s: mu.Session, cmd) -> int:
    recipients, stop = _ask_recipients(s)
    if stop is not None:
        return stop
    subject = cmd.value("SUBJECT")
    if subject is None:
        subject = s.read("Subj:\t")
        if subject is None:
            return cond.SS_NORMAL
    return _finish_send(s, recipients, str(subject), _body(s, cmd))


def reply(s: mu.Session, cmd) -> int:
    mid = s.current_id()
    mail = s.mail()
    info = mail.info(mid)
    subject = cmd.value("SUBJECT")
    subject = f"RE: {info.subject}" if subject is None else str(subject)
    s.say(f"To:\t{info.vms_from}")
    recipients = msend.resolve(s.root, [info.vms_from])
    stop = _report(s, recipients)
    if stop is not None:
        return stop
    s.say(f"Subj:\t{subject}")
    status = _finish_send(s, recipients, subject, _body(s, cmd))
    if status & 1:
        mail.set_flags([mid], set=ms.F_REPLIED)
    return status


def forward(s: mu.Session, cmd) -> int:
    mid = s.current_id()
    mail = s.mail()
    info, body = mail.info(mid), mail.read(mid)
    recipients, stop = _ask_recipients(s)
    if stop is not None:
        return stop
    subject = cmd.value("SUBJECT")
    subject = info.subject if subject is None else str(subject)
    return _finish_send(s, recipients, subject, mu.extract_bytes(info, body))


def one_line(s: mu.Session, cmd) -> int:
    """The DCL command ``MAIL file recipient[,...] [/SUBJECT=text] [/FOREIGN]``: /FOREIGN sends
    the file as a foreign-format message (its bytes as they are, flagged foreign; the POP
    server sends such a message as headers plus a note and never deletes it)."""
    spec = _raw(cmd, "FILE")
    if not spec:
        raise cond.VMSError(cond.CLI_INSFPRM)
    addresses = [p.raw for p in cmd.params_of("RECIPIENTS")]
    if not addresses:
        answer = s.read("_To: ") if s.interactive else None
        if answer is None or not answer.strip():
            raise cond.VMSError(cond.CLI_INSFPRM)
        addresses = msend.split_addresses(answer)
    recipients = msend.resolve(s.root, [a for raw in addresses
                                        for a in msend.split_addresses(raw)])
    stop = _report(s, recipients)
    if stop is not None:
        return stop
    source = mu.body_source(s.process, spec)
    if source == "null":
        body = b""
    elif source == "input":
        lines = []
        while True:
            line = s.stdin.readline()
            if not line:
                break
            lines.append(line.rstrip("\n").rstrip("\r"))
        body = _lines_bytes(lines)
    else:
        body = mu.read_file_body(s.process, spec)
    return _finish_send(s, recipients, str(cmd.value("SUBJECT", "") or ""), body,
                        foreign=bool(cmd.present("FOREIGN")))


# ---------------------------------------------------------------------------------------------
# Folders, settings, the session.
# ---------------------------------------------------------------------------------------------
def select(s: mu.Session, cmd) -> int:
    count = s.select(_folder(cmd))
    s.signal(mm.MAIL_SELECTED, count)
    return cond.SS_NORMAL


def show_new_mail_count(s: mu.Session, cmd) -> int:
    mail = s.mail()
    s.say(mu.new_mail_line(mail.new_mail_count() if mail is not None else 0))
    return cond.SS_NORMAL


def show_folder(s: mu.Session, cmd) -> int:
    s.say(f"Your current folder is {s.folder}.")
    return cond.SS_NORMAL


def show_mail_directory(s: mu.Session, cmd) -> int:
    s.say(f"Your mail file directory is {mp.mail_directory_spec(s.root, s.account)}.")
    return cond.SS_NORMAL


def show_auto_purge(s: mu.Session, cmd) -> int:
    state = "enabled" if s.profile.auto_purge else "disabled"
    s.say(f"Automatic wastebasket purge on EXIT is {state}.")
    return cond.SS_NORMAL


def set_auto_purge(s: mu.Session, cmd) -> int:
    mp.update(s.root, s.username, auto_purge=not cmd.negated)
    return cond.SS_NORMAL


def set_mail_directory(s: mu.Session, cmd) -> int:
    account = s.account
    if cmd.negated:
        sub = ""
    else:
        text = _raw(cmd, "DIRECTORY")
        if not text:
            raise cond.VMSError(cond.CLI_INSFPRM)
        sub = mp.subdirectory(account, text)
    target = mp.mail_directory_spec(s.root, account, mp.Profile(account.username, sub))
    if sub:
        try:
            mp.create_directory(s.root, account, target)
        except FileError as err:
            raise cond.VMSError(cond.MAIL_OPENOUT, target + "MAIL.MAI",
                                secondary=[err.status]) from None
    host = mp.host_directory(s.root, account, target)
    mail = s.mail()
    if mail is not None:
        mail.relocate(host)
    mp.update(s.root, account.username, sub_directory=sub)
    return cond.SS_NORMAL


def help_(s: mu.Session, cmd) -> int:
    from vmsenv.dcl.verbs.help import columns

    topics = [str(t) for t in cmd.param_values("TOPIC")]
    if not topics:
        s.says(["", "  Information available:", "", *columns(COMMANDS.names()), ""])
        return cond.SS_NORMAL
    verb = COMMANDS.lookup(topics[0])
    lines = ["", verb.name, ""]
    params = " ".join(f"[{p.label.lower()}]" if not p.required else p.label.lower()
                      for p in verb.parameters)
    lines.append(f"  Format:  {verb.name} {params}".rstrip())
    if verb.keywords:
        lines += ["", "  Keywords:", *columns([k.name for k in verb.keywords])]
    if verb.qualifiers:
        lines += ["", "  Qualifiers:", *columns([f"/{q.name}" for q in verb.qualifiers])]
    s.says(lines + [""])
    return cond.SS_NORMAL


def exit_(s: mu.Session, cmd) -> int:
    s.done = True
    s.purge_at_end = True
    return s.status


def quit_(s: mu.Session, cmd) -> int:
    s.done = True
    s.purge_at_end = False
    return s.status


# ---------------------------------------------------------------------------------------------
# The tables.
# ---------------------------------------------------------------------------------------------
_FOLDER_PARAM = (Parameter("FOLDER", required=True, prompt="Folder"),)
_SUBJECT = Qualifier("SUBJECT", value=REQUIRED, negatable=False)
_SEND = dict(parameters=(Parameter("FILE", type=FILE),), qualifiers=(_SUBJECT,), handler=send)
_REPLY = dict(parameters=(Parameter("FILE", type=FILE),), qualifiers=(_SUBJECT,),
              handler=reply)

VERBS = (
    Verb("ANSWER", **_REPLY),
    Verb("BACK", handler=back),
    Verb("COPY", parameters=_FOLDER_PARAM, handler=copy),
    Verb("CURRENT", handler=current),
    Verb("DELETE", parameters=(Parameter("NUMBER", list=True),),
         qualifiers=(Qualifier("ALL", negatable=False),), handler=delete),
    Verb("DIRECTORY", parameters=(Parameter("FOLDER"),),
         qualifiers=(Qualifier("FOLDER", negatable=False),), handler=directory),
    Verb("EXIT", handler=exit_),
    Verb("EXTRACT", parameters=(Parameter("FILE", required=True, prompt="File", type=FILE),),
         qualifiers=(Qualifier("HEADER", default=True),), handler=extract),
    Verb("FILE", parameters=_FOLDER_PARAM, handler=move),
    Verb("FIRST", handler=first),
    Verb("FORWARD", qualifiers=(_SUBJECT,), handler=forward),
    Verb("HELP", parameters=(Parameter("TOPIC", list=True),), handler=help_),
    Verb("LAST", handler=last),
    Verb("MAIL", **_SEND),
    Verb("MOVE", parameters=_FOLDER_PARAM, handler=move),
    Verb("NEXT", handler=next_),
    Verb("PURGE", qualifiers=(Qualifier("RECLAIM", negatable=False),), handler=purge),
    Verb("QUIT", handler=quit_),
    Verb("READ", parameters=(Parameter("P1"), Parameter("P2")),
         qualifiers=(Qualifier("NEW", negatable=False),), handler=read),
    Verb("REPLY", **_REPLY),
    Verb("SELECT", parameters=_FOLDER_PARAM, handler=select),
    Verb("SEND", **_SEND),
    Verb("SET", keywords=(
        Verb("AUTO_PURGE", negatable=True, handler=set_auto_purge),
        Verb("FOLDER", parameters=_FOLDER_PARAM, handler=select),
        Verb("MAIL_DIRECTORY", parameters=(Parameter("DIRECTORY"),), negatable=True,
             handler=set_mail_directory),
    )),
    Verb("SHOW", keywords=(
        Verb("AUTO_PURGE", handler=show_auto_purge),
        Verb("FOLDER", handler=show_folder),
        Verb("MAIL_DIRECTORY", handler=show_mail_directory),
        Verb("NEW_MAIL_COUNT", handler=show_new_mail_count),
    )),
)
COMMANDS = CommandTable(VERBS)

DCL_MAIL = Verb("MAIL", parameters=(
    Parameter("FILE", type=FILE),
    Parameter("RECIPIENTS", list=True, prompt="To"),
), qualifiers=(_SUBJECT, Qualifier("FOREIGN", negatable=False)))


def parse_dcl(text: str) -> cld.ParsedCommand:
    """Parse the text after the DCL verb MAIL."""
    return cld.parse(DCL_MAIL, text, "MAIL")


__all__ = ["COMMANDS", "VERBS", "DCL_MAIL", "one_line", "parse_dcl", "split_verb"]
