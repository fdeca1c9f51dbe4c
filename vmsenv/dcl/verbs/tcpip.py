"""TCPIP: the TCP/IP Services management commands (the UCP utility) on the services, hosts
and configuration databases of vmsenv/tcpip.py.

``TCPIP command`` runs one command; ``TCPIP`` alone reads commands at ``TCPIP> `` prompts
(interactive) or from the procedure's data lines, until EXIT or the end of input. Commands:

    SET SERVICE name /PORT /ADDRESS /FILE /USER_NAME /PROCESS_NAME /LIMIT /PROTOCOL /FLAGS
                     /LOG_OPTIONS=([NO]ACCEPT,[NO]REJECT,...,FILE=spec)
    SET NOSERVICE [name]
    SHOW SERVICE [name] [/FULL]
    ENABLE SERVICE name          DISABLE SERVICE name
    SET CONFIGURATION ENABLE [NO]SERVICE name
    SHOW CONFIGURATION ENABLE SERVICE
    SET CONFIGURATION SMTP /SUBSTITUTE_DOMAIN=([NO]NAME=fqdn) /OPTIONS=([NO]HEADERS,
                     [NO]TOP_HEADERS)
    SHOW CONFIGURATION SMTP
    SET HOST name /ADDRESS=a.b.c.d /ALIAS=(names)       SET NOHOST name
    SHOW HOST [name]

Command words are matched like DCL verbs (unique prefix, 4 significant characters); an
unknown or ambiguous word gives %DCL-W-IVVERB / IVKEYW / ABVERB / ABKEYW with its segment;
a missing one INSFPRM. The qualifiers VMS has beyond these (/ACCEPT, /REJECT,
/SOCKET_OPTIONS, /RPC, /SEPARATOR, /PERMANENT ...) are not provided and give IVQUAL.

Changes need write access to the databases, as on VMS: SYSPRV or BYPASS, or a system UIC
(group 10 octal or below); otherwise %SYSTEM-F-NOPRIV. SHOW needs nothing.

Host names and aliases typed without quotes are stored in lower case; a mixed-case alias in
quotes keeps its case (an all upper-case quoted alias cannot be told from an unquoted one and
is lower-cased too). The substitute domain is stored in lower case.
"""

from __future__ import annotations

import functools
import re

from vmsenv import condition as C
from vmsenv import tcpip
from vmsenv.condition import VMSError
from vmsenv.dcl import cld
from vmsenv.dcl.cld import REQUIRED, REST, Keyword, Parameter, Qualifier, Verb

PROMPT = "TCPIP> "
_WORD_RE = re.compile(r"\s*([A-Za-z_$][A-Za-z0-9_$]*)")


def _may_write(process) -> None:
    from vmsenv.uaf import MAX_SYSTEM_GROUP

    if process.privileges & {"SYSPRV", "BYPASS"} or process.uic[0] <= MAX_SYSTEM_GROUP:
        return
    raise VMSError(C.SS_NOPRIV)


def _changes(handler):
    """A command that changes a database: write access is checked first (_may_write), and
    the command ends with SS$_NORMAL."""
    @functools.wraps(handler)
    def changing(dcl, cmd) -> int:
        _may_write(dcl.process)
        handler(dcl, cmd)
        return C.SS_NORMAL
    return changing


def _root(dcl):
    return dcl.process.root


def _show(dcl, lines) -> int:
    for line in lines:
        dcl.write(line)
    return C.SS_NORMAL


def _one_or_all(name: str | None, every, find, missing: VMSError) -> list:
    """Every entry (``every()``) when no name is given, else the one ``find(name)`` returns;
    ``missing`` is raised when there is none."""
    if name is None:
        return every()
    entry = find(name)
    if entry is None:
        raise missing
    return [entry]


def _name(cmd, label: str = "NAME") -> str | None:
    values = cmd.params_of(label)
    return values[0].text if values else None


# ---------------------------------------------------------------------------------------------
# Services.
# ---------------------------------------------------------------------------------------------
@_changes
def set_service(dcl, cmd) -> None:
    changes: dict = {}
    if cmd.value("PORT") is not None:
        changes["port"] = tcpip.parse_port(cmd.value("PORT"))
    if cmd.value("ADDRESS") is not None:
        changes["address"] = tcpip.parse_address(cmd.value("ADDRESS"))
    for qualifier, key in (("FILE", "file"), ("USER_NAME", "user_name"),
                           ("PROCESS_NAME", "process_name")):
        if cmd.value(qualifier) is not None:
            changes[key] = str(cmd.value(qualifier))
    if cmd.value("LIMIT") is not None:
        text = str(cmd.value("LIMIT"))
        if not text.isdigit():
            raise VMSError(C.CLI_NUMBER, segment=text)
        changes["limit"] = int(text)
    if cmd.value("PROTOCOL") is not None:
        changes["protocol"] = str(cmd.value("PROTOCOL"))
    if cmd.present("LOG_OPTIONS"):
        steps = [v for v in cmd.values("LOG_OPTIONS") if v != "FILE"]
        changes["log_steps"] = steps
        log_file = cmd.keyword_arg("LOG_OPTIONS", "FILE")
        if log_file is not None:
            changes["log_file"] = log_file
    if cmd.present("FLAGS"):
        old = tcpip.get_service(_root(dcl), _name(cmd))
        flags = set(old.flags) if old else set()
        for value in cmd.values("FLAGS"):
            if value.startswith("NO") and value[2:] in tcpip.FLAGS:
                flags.discard(value[2:])
            else:
                flags.add(value)
        changes["flags"] = frozenset(flags)
    tcpip.set_service(_root(dcl), _name(cmd), changes)


@_changes
def set_noservice(dcl, cmd) -> None:
    tcpip.remove_services(_root(dcl), _name(cmd))


def show_service(dcl, cmd) -> int:
    root = _root(dcl)
    entries = _one_or_all(_name(cmd), lambda: tcpip.services(root),
                          lambda name: tcpip.get_service(root, name),
                          VMSError(tcpip.TCPIP_SERVERROR, secondary=[tcpip.TCPIP_NORECORD]))
    if cmd.present("FULL"):
        return _show(dcl, (line for entry in entries
                           for line in tcpip.show_service_full_lines(entry)))
    return _show(dcl, tcpip.show_service_lines(entries))


@_changes
def enable_service(dcl, cmd) -> None:
    tcpip.enable_service(_root(dcl), _name(cmd), True)


@_changes
def disable_service(dcl, cmd) -> None:
    tcpip.enable_service(_root(dcl), _name(cmd), False)


_LOG_KEYWORDS = tuple(Keyword(o, negatable=True) for o in tcpip.LOG_OPTIONS + ("ALL",)) + (
    Keyword("FILE", value=REQUIRED),)
_SERVICE_NAME = (Parameter("NAME", required=True, prompt="Service"),)

SET_SERVICE = Verb("SERVICE", parameters=_SERVICE_NAME, qualifiers=(
    Qualifier("PORT", value=REQUIRED, negatable=False),
    Qualifier("ADDRESS", value=REQUIRED, negatable=False),
    Qualifier("FILE", value=REQUIRED, negatable=False),
    Qualifier("USER_NAME", value=REQUIRED, negatable=False),
    Qualifier("PROCESS_NAME", value=REQUIRED, negatable=False),
    Qualifier("LIMIT", value=REQUIRED, negatable=False),
    Qualifier("PROTOCOL", value=REQUIRED, negatable=False, keywords=("TCP", "UDP")),
    Qualifier("FLAGS", value=REQUIRED, list=True, negatable=False,
              keywords=tuple(Keyword(f, negatable=True) for f in tcpip.FLAGS)),
    Qualifier("LOG_OPTIONS", value=REQUIRED, list=True, negatable=False,
              keywords=_LOG_KEYWORDS),
), handler=set_service)
SET_NOSERVICE = Verb("NOSERVICE", parameters=(Parameter("NAME"),), handler=set_noservice)
SHOW_SERVICE = Verb("SERVICE", parameters=(Parameter("NAME"),),
                    qualifiers=(Qualifier("FULL", negatable=False),), handler=show_service)
ENABLE_SERVICE = Verb("SERVICE", parameters=_SERVICE_NAME, handler=enable_service)
DISABLE_SERVICE = Verb("SERVICE", parameters=_SERVICE_NAME, handler=disable_service)


# ---------------------------------------------------------------------------------------------
# Configuration.
# ---------------------------------------------------------------------------------------------
@_changes
def set_configuration_enable(dcl, cmd) -> None:
    tcpip.configure_service(_root(dcl), _name(cmd), True)


@_changes
def set_configuration_noenable(dcl, cmd) -> None:
    tcpip.configure_service(_root(dcl), _name(cmd), False)


def show_configuration_enable(dcl, cmd) -> int:
    return _show(dcl, tcpip.show_configured_services_lines(
        tcpip.configured_services(_root(dcl))))


@_changes
def set_configuration_smtp(dcl, cmd) -> None:
    domain: str | None | bool = False
    for value in cmd.values("SUBSTITUTE_DOMAIN"):
        if value == "NONAME":
            domain = None
        elif value == "NAME":
            domain = cmd.keyword_arg("SUBSTITUTE_DOMAIN", "NAME")
    tcpip.set_smtp_configuration(_root(dcl), substitute_domain=domain,
                                 option_steps=cmd.values("OPTIONS"))


def show_configuration_smtp(dcl, cmd) -> int:
    return _show(dcl, tcpip.show_smtp_lines(tcpip.smtp_configuration(_root(dcl))))


SET_CONF_ENABLE = Verb("SERVICE", parameters=_SERVICE_NAME, handler=set_configuration_enable)
SET_CONF_NOENABLE = Verb("NOSERVICE", parameters=_SERVICE_NAME,
                         handler=set_configuration_noenable)
SHOW_CONF_ENABLE = Verb("SERVICE", handler=show_configuration_enable)
SET_CONF_SMTP = Verb("SMTP", qualifiers=(
    Qualifier("SUBSTITUTE_DOMAIN", value=REQUIRED, list=True, negatable=False,
              keywords=(Keyword("NAME", value=REQUIRED, negatable=True),)),
    Qualifier("OPTIONS", value=REQUIRED, list=True, negatable=False,
              keywords=(Keyword("HEADERS", negatable=True),
                        Keyword("TOP_HEADERS", negatable=True))),
), handler=set_configuration_smtp)
SHOW_CONF_SMTP = Verb("SMTP", handler=show_configuration_smtp)


# ---------------------------------------------------------------------------------------------
# Hosts.
# ---------------------------------------------------------------------------------------------
def _host_name(cmd) -> str | None:
    values = cmd.params_of("NAME")
    if not values:
        return None
    value = values[0]
    return value.text if value.quoted else value.text.lower()


def _alias(text: str) -> str:
    return text.lower() if text == text.upper() else text


@_changes
def set_host(dcl, cmd) -> None:
    aliases = [_alias(a) for a in cmd.values("ALIAS")] if cmd.present("ALIAS") else None
    tcpip.set_host(_root(dcl), _host_name(cmd), cmd.value("ADDRESS"), aliases)


@_changes
def set_nohost(dcl, cmd) -> None:
    tcpip.remove_host(_root(dcl), _host_name(cmd))


def show_host(dcl, cmd) -> int:
    root = _root(dcl)
    entries = _one_or_all(_host_name(cmd), lambda: tcpip.hosts(root),
                          lambda name: tcpip.find_host(root, name),
                          VMSError(tcpip.TCPIP_NORECORD, secondary=[C.RMS_RNF]))
    return _show(dcl, tcpip.show_host_lines(entries))


_HOST_NAME = (Parameter("NAME", required=True, prompt="Host"),)
SET_HOST = Verb("HOST", parameters=_HOST_NAME, qualifiers=(
    Qualifier("ADDRESS", value=REQUIRED, negatable=False),
    Qualifier("ALIAS", value=REQUIRED, list=True, negatable=False),
), handler=set_host)
SET_NOHOST = Verb("NOHOST", parameters=_HOST_NAME, handler=set_nohost)
SHOW_HOST = Verb("HOST", parameters=(Parameter("NAME"),), handler=show_host)


# ---------------------------------------------------------------------------------------------
# Dispatch.
# ---------------------------------------------------------------------------------------------
def _exit(dcl, cmd) -> int:
    return C.SS_NORMAL


EXIT = Verb("EXIT", handler=_exit)

COMMANDS: dict = {
    "SET": {"SERVICE": SET_SERVICE, "NOSERVICE": SET_NOSERVICE, "HOST": SET_HOST,
            "NOHOST": SET_NOHOST,
            "CONFIGURATION": {"ENABLE": {"SERVICE": SET_CONF_ENABLE,
                                         "NOSERVICE": SET_CONF_NOENABLE},
                              "SMTP": SET_CONF_SMTP}},
    "SHOW": {"SERVICE": SHOW_SERVICE, "HOST": SHOW_HOST,
             "CONFIGURATION": {"ENABLE": {"SERVICE": SHOW_CONF_ENABLE},
                               "SMTP": SHOW_CONF_SMTP}},
    "ENABLE": {"SERVICE": ENABLE_SERVICE},
    "DISABLE": {"SERVICE": DISABLE_SERVICE},
    "EXIT": EXIT,
}


def _match(token: str, names: list[str]) -> list[str]:
    if token in names:
        return [token]
    key = token[:4]
    return [n for n in names if n.startswith(key)]


def resolve(text: str) -> tuple[Verb, str, str]:
    """(definition, its command name, the text after its words) for a command line."""
    node: dict | Verb = COMMANDS
    words: list[str] = []
    pos = 0
    while isinstance(node, dict):
        m = _WORD_RE.match(text, pos)
        top = not words
        if not m:
            rest = text[pos:].strip()
            if top and not rest:
                raise VMSError(C.CLI_NOCOMD)
            if not rest:
                raise VMSError(C.CLI_INSFPRM)
            raise VMSError(C.CLI_IVVERB if top else C.CLI_IVKEYW, segment=rest.split()[0])
        token = m.group(1).upper()
        found = _match(token, list(node))
        if not found:
            raise VMSError(C.CLI_IVVERB if top else C.CLI_IVKEYW, segment=token)
        if len(found) > 1:
            raise VMSError(C.CLI_ABVERB if top else C.CLI_ABKEYW, segment=token)
        words.append(found[0])
        node = node[found[0]]
        pos = m.end()
    return node, " ".join(words), text[pos:]


def execute(dcl, line: str) -> int:
    """One TCPIP command; VMSError propagates to the caller."""
    verb, name, rest = resolve(line)
    cmd = cld.parse(verb, rest, name)
    status = verb.handler(dcl, cmd)
    return C.SS_NORMAL if status is None else status


def _input_lines(dcl):
    if dcl.level.kind == "INTERACTIVE" or dcl.depth == 0:
        while True:
            line = dcl.read_line(PROMPT)
            if line is None:
                return
            yield line
    else:
        yield from dcl.read_data_lines()


def tcpip_verb(dcl, cmd) -> int:
    text = str(cmd.param("COMMAND", "") or "").strip()
    if text:
        return execute(dcl, text)
    status = C.SS_NORMAL
    for line in _input_lines(dcl):
        if not line.strip() or line.lstrip().startswith("!"):
            continue
        try:
            verb, _name, _rest = resolve(line)
            if verb is EXIT:
                break
            status = execute(dcl, line)
        except VMSError as err:
            dcl.show_error(err)
            status = err.status | C.INHIB_MSG
    return status


TCPIP = Verb("TCPIP", parameters=(Parameter("COMMAND", type=REST),), handler=tcpip_verb,
             image=True)  # TCPIP$UCP.EXE: an image (SYS$OUTPUT redirection, user-mode rundown)

VERBS = [TCPIP]
