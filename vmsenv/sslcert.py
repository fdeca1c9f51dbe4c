"""The SSL certificate image SYS$SYSTEM:SSL$CERT.EXE: create a self-signed certificate, show one.

The image takes one command on its command line, as a foreign command or through MCR:

    $ SSLCERT :== $SYS$SYSTEM:SSL$CERT
    $ SSLCERT CREATE /CN="pop.example.com" /DAYS=730
    $ SSLCERT SHOW SSL$CERTS:SERVER.CRT
    $ MCR SSL$CERT SHOW

CREATE [/CN=host] [/DAYS=n] [/CERTIFICATE=spec] [/KEY=spec]
    A self-signed certificate and its unencrypted private key, made by
    vmsenv.tcpip.make_self_signed (RSA 2048, SHA-256, the host and localhost and 127.0.0.1 as
    alternative names) and written by vmsenv.tcpip.write_certificate as new versions of the
    two files, the key with host mode 0600. /CN defaults to the local host's full name
    (TCPIP$INET_HOST, TCPIP$INET_DOMAIN, else the node name: vmsenv.tcpip.local_host_name);
    /DAYS to 365 (1 to 36500). The specifications are completed, RMS fashion, from the default
    names SSL$CERTS:SERVER.CRT and SSL$KEY:SERVER.KEY (the files the POP server reads by
    default): /CERTIFICATE=MYHOST is SSL$CERTS:MYHOST.CRT, /KEY=[]MYHOST is MYHOST.KEY in the
    default directory of SSL$KEY's device... as F$PARSE with that default would give.
SHOW [spec]
    Every certificate in the file (PEM, one or more; or DER): subject, issuer, validity dates
    in VMS absolute time format (local time, as $ASCTIM prints it), serial number, alternative
    names and SHA-256 fingerprint. The file specification defaults to SSL$CERTS:SERVER.CRT in
    the same way. A certificate past its end date gives %SSL-W-EXPIRED after the display, one
    not yet valid %SSL-W-NOTYETVALID; the image then ends with that warning status.

Choices where VMS is silent (there is no such image in the HP SSL kit, whose tool is a set of
DCL procedures around the OpenSSL command line; this one plays the part of those commands):

- Command syntax is parsed like DCL's (vmsenv.dcl.cld): verbs and qualifiers by unique prefix
  (verbs by 4 significant characters), unquoted text upper-cased, so that /CERT=, /CERTIF=
  and /CERTIFICATE= are one qualifier. Syntax errors give the CLI messages (%DCL-W-IVVERB,
  IVQUAL, ...). No command at all gives %DCL-W-INSFPRM: there is no interactive mode.
- Host names: an unquoted /CN value arrives upper-cased and is taken in lower case; a quoted
  one that is not all upper case keeps its case (as TCPIP SET HOST treats names). A name is
  1-253 characters of labels of letters, digits and hyphens (not at either end of a label),
  separated by dots; a leading ``*.`` (a wildcard certificate) is allowed. Anything else is
  %SSL-E-INVCN.
- Messages go to SYS$OUTPUT. The facility SSL and its number (0x802, beside VMSENV's 0x801)
  and every message here are this module's own; a missing SSL$CERTS or SSL$KEY is reported by
  vmsenv.tcpip as %TCPIP-E-SSLNOTDEF, the same message `vmsenv cert` gives. On success the
  image ends with SS$_NORMAL; after a displayed error or warning, with that status and the
  message-inhibit bit set, so DCL does not display it twice.
- The serial number is upper-case hexadecimal (as ``openssl x509 -serial`` prints it); the
  fingerprint is upper-case hexadecimal bytes joined by colons, in two lines of 16 bytes to
  stay within 80 columns.

`create_certificate` and `default_common_name` are shared with the host command `vmsenv cert`
(vmsenv/cli.py), which prints its own VMSENV messages around the same work.
"""

from __future__ import annotations

import datetime as _dt
import re
import sys
from dataclasses import dataclass
from typing import TextIO

from vmsenv import condition as C
from vmsenv import tcpip, vmstime
from vmsenv.condition import VMSError
from vmsenv.dcl import cld
from vmsenv.dcl.cld import FILE, REQUIRED, CommandTable, Parameter, Qualifier, Verb

# ---------------------------------------------------------------------------------------------
# Messages (facility SSL, number 0x802 [I]: this module's own).
# ---------------------------------------------------------------------------------------------
_FAC = 0x08028000
SSL_CREATED = C._m(_FAC | 0x0003, "SSL", "CREATED",
                   "certificate !AS created for !AS, valid !UL day!%S")
SSL_KEYCREATED = C._m(_FAC | 0x000B, "SSL", "KEYCREATED",
                      "private key !AS created (not encrypted, owner access only)")
SSL_OPENIN = C._m(_FAC | 0x0012, "SSL", "OPENIN", "error opening !AS as input")
SSL_OPENOUT = C._m(_FAC | 0x001A, "SSL", "OPENOUT", "error opening !AS as output")
SSL_NOTCERT = C._m(_FAC | 0x0022, "SSL", "NOTCERT", "!AS holds no PEM or DER certificate")
SSL_INVCN = C._m(_FAC | 0x002A, "SSL", "INVCN", "invalid host name !AS")
SSL_INVDAYS = C._m(_FAC | 0x0032, "SSL", "INVDAYS",
                   "invalid number of days !AS; give 1 to !UL")
SSL_EXPIRED = C._m(_FAC | 0x0038, "SSL", "EXPIRED", "certificate expired at !AS")
SSL_NOTYETVALID = C._m(_FAC | 0x0040, "SSL", "NOTYETVALID",
                       "certificate is not valid before !AS")

DEFAULT_DAYS = 365
MAX_DAYS = 36500
DEFAULT_CERT = tcpip.DEFAULT_CERT       # SSL$CERTS:SERVER.CRT
DEFAULT_KEY = tcpip.DEFAULT_KEY         # SSL$KEY:SERVER.KEY

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_RE = re.compile(rf"^(?:\*\.)?{_LABEL}(?:\.{_LABEL})*$")
_LABEL_WIDTH = 22


# ---------------------------------------------------------------------------------------------
# Creating.
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Created:
    """A certificate written by create_certificate: the two full specifications."""

    cert_spec: str
    key_spec: str
    common_name: str
    days: int
    certificate: tcpip.Certificate


def default_common_name(process) -> str:
    """The local host's full name, from the process's logical names and the node name."""
    def lookup(name: str) -> str | None:
        entry = process.lnm.trnlnm(name)
        return entry.values[0][0] if entry is not None and entry.values else None
    return tcpip.local_host_name(lookup, process.root.node)


def valid_common_name(name: str) -> str:
    """The host name for a certificate, or VMSError(SSL_INVCN)."""
    if len(name) > 253 or not _HOST_RE.match(name):
        raise VMSError(SSL_INVCN, name)
    return name


def valid_days(days: int | str) -> int:
    """Days of validity, 1 to MAX_DAYS, or VMSError(SSL_INVDAYS)."""
    try:
        value = int(str(days).strip(), 10)
    except ValueError:
        raise VMSError(SSL_INVDAYS, str(days), MAX_DAYS) from None
    if not 1 <= value <= MAX_DAYS:
        raise VMSError(SSL_INVDAYS, str(days), MAX_DAYS)
    return value


def full_spec(process, spec: str | None, default: str) -> str:
    """spec completed from the default name (F$PARSE's syntax-only result), without a
    trailing empty version; logical names not defined stay in it as written."""
    result = process.files.parse(spec or "", default,
                                 process_default=process.process_default(), syntax_only=True)
    text = result.text
    return text[:-1] if text.endswith(";") else text


def create_certificate(process, common_name: str | None = None, days: int = DEFAULT_DAYS,
                       cert_spec: str | None = None, key_spec: str | None = None,
                       now: _dt.datetime | None = None) -> Created:
    """Make a self-signed certificate and write it and its key as new file versions (see the
    module documentation). VMSError: TCPIP_SSLNOTDEF, SSL_INVCN, SSL_INVDAYS, SSL_OPENOUT with
    the RMS cause."""
    from vmsenv.files import FileError

    name = valid_common_name(common_name or default_common_name(process))
    days = valid_days(days)
    certificate = tcpip.make_self_signed(name, days, now=now)
    cert_full = full_spec(process, cert_spec, DEFAULT_CERT)
    key_full = full_spec(process, key_spec, DEFAULT_KEY)
    try:
        written_cert, written_key = tcpip.write_certificate(process, certificate, cert_full,
                                                            key_full)
    except FileError as err:
        raise VMSError(SSL_OPENOUT, err.spec, secondary=(err.status,)) from None
    return Created(written_cert, written_key, name, days, certificate)


# ---------------------------------------------------------------------------------------------
# Showing.
# ---------------------------------------------------------------------------------------------
def load_certificates(data: bytes) -> list:
    """The certificates of a file's bytes: every PEM certificate in it, else one DER
    certificate; [] when there is none."""
    from cryptography import x509

    if b"-----BEGIN CERTIFICATE-----" in data:
        try:
            return list(x509.load_pem_x509_certificates(data))
        except ValueError:
            return []
    try:
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        return []


def _hex_bytes(data: bytes) -> str:
    return ":".join(f"{b:02X}" for b in data)


def vms_time(t: _dt.datetime) -> str:
    """A certificate time (UTC) as a VMS absolute time in local time."""
    return vmstime.format_ftime(vmstime.truncate(_utc(t).astimezone().replace(tzinfo=None)))


def _utc(t: _dt.datetime) -> _dt.datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=_dt.timezone.utc)


def _not_before(cert) -> _dt.datetime:
    """The start of validity, aware UTC (cryptography before 42 has only the naive form)."""
    return _utc(getattr(cert, "not_valid_before_utc", None) or cert.not_valid_before)


def _not_after(cert) -> _dt.datetime:
    return _utc(getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after)


def _alternative_names(cert) -> list[str]:
    from cryptography import x509

    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    names = []
    for general in ext.value:
        if isinstance(general, x509.DNSName):
            names.append(f"DNS:{general.value}")
        elif isinstance(general, x509.IPAddress):
            names.append(f"IP:{general.value}")
        elif isinstance(general, x509.RFC822Name):
            names.append(f"email:{general.value}")
        elif isinstance(general, x509.UniformResourceIdentifier):
            names.append(f"URI:{general.value}")
        else:
            names.append(str(general.value))
    return names


def _line(label: str, value: str) -> str:
    return f"    {label + ':':<{_LABEL_WIDTH}}{value}"


def describe(cert) -> list[str]:
    """The SHOW lines of one certificate (pure: no I/O, no clock)."""
    from cryptography.hazmat.primitives import hashes

    subject = cert.subject.rfc4514_string() or "(empty)"
    issuer = cert.issuer.rfc4514_string() or "(empty)"
    if cert.issuer == cert.subject:
        issuer += "  (self-signed)"
    fingerprint = cert.fingerprint(hashes.SHA256())
    lines = [
        _line("Subject", subject),
        _line("Issuer", issuer),
        _line("Valid from", vms_time(_not_before(cert))),
        _line("Valid until", vms_time(_not_after(cert))),
        _line("Serial number", f"{cert.serial_number:X}"),
    ]
    alt = _alternative_names(cert)
    if alt:
        lines.append(_line("Alternative names", ", ".join(alt)))
    lines.append(_line("SHA-256 fingerprint", _hex_bytes(fingerprint[:16])))
    lines.append(" " * (4 + _LABEL_WIDTH) + _hex_bytes(fingerprint[16:]))
    return lines


def validity_problem(cert, now: _dt.datetime | None = None) -> VMSError | None:
    """SSL_EXPIRED or SSL_NOTYETVALID (warnings) for a certificate at now, else None."""
    now = now or _dt.datetime.now(_dt.timezone.utc)
    if now > _not_after(cert):
        return VMSError(SSL_EXPIRED, vms_time(_not_after(cert)))
    if now < _not_before(cert):
        return VMSError(SSL_NOTYETVALID, vms_time(_not_before(cert)))
    return None


def read_certificate_file(process, spec: str | None = None) -> tuple[str, list]:
    """Find the file (default SSL$CERTS:SERVER.CRT) and load its certificates: (its full
    specification, the certificates). VMSError: TCPIP_SSLNOTDEF, SSL_OPENIN with the RMS
    cause, SSL_NOTCERT."""
    from vmsenv.files import FileError, host_status

    full = full_spec(process, spec, DEFAULT_CERT)
    if full.upper().startswith("SSL$CERTS:") and process.lnm.trnlnm("SSL$CERTS") is None:
        raise VMSError(tcpip.TCPIP_SSLNOTDEF, "SSL$CERTS")
    try:
        ref = process.files.lookup(full, process_default=process.process_default())
    except FileError as err:
        raise VMSError(SSL_OPENIN, err.spec, secondary=(err.status,)) from None
    try:
        data = ref.path.read_bytes()
    except OSError as exc:
        raise VMSError(SSL_OPENIN, ref.spec, secondary=(host_status(exc),)) from None
    certificates = load_certificates(data)
    if not certificates:
        raise VMSError(SSL_NOTCERT, ref.spec)
    return ref.spec, certificates


# ---------------------------------------------------------------------------------------------
# The image.
# ---------------------------------------------------------------------------------------------
def _signal(out: TextIO, err: VMSError) -> int:
    for line in err.lines():
        out.write(line + "\n")
    return err.status | C.INHIB_MSG


def _cn(cmd) -> str | None:
    text = cmd.value("CN")
    if text is None:
        return None
    text = str(text)
    return text.lower() if text == text.upper() else text


def create_command(process, cmd, out: TextIO) -> int:
    days = cmd.value("DAYS")
    created = create_certificate(process, _cn(cmd), DEFAULT_DAYS if days is None else days,
                                 cmd.value("CERTIFICATE"), cmd.value("KEY"))
    out.write(C.format_message(SSL_CREATED, created.cert_spec, created.common_name,
                               created.days) + "\n")
    out.write(C.format_message(SSL_KEYCREATED, created.key_spec) + "\n")
    return C.SS_NORMAL


def show_command(process, cmd, out: TextIO, now: _dt.datetime | None = None) -> int:
    spec = cmd.param("FILE")
    full, certificates = read_certificate_file(process, None if spec is None else str(spec))
    status = C.SS_NORMAL
    out.write(f"Certificate file {full}\n")
    for n, cert in enumerate(certificates, 1):
        out.write("\n")
        if len(certificates) > 1:
            out.write(f"  Certificate {n} of {len(certificates)}\n")
        for line in describe(cert):
            out.write(line + "\n")
        problem = validity_problem(cert, now)
        if problem is not None:
            out.write("\n")
            status = _signal(out, problem)
    return status


CREATE = Verb("CREATE", qualifiers=(
    Qualifier("CN", value=REQUIRED, negatable=False),
    Qualifier("DAYS", value=REQUIRED, negatable=False),
    Qualifier("CERTIFICATE", value=REQUIRED, negatable=False),
    Qualifier("KEY", value=REQUIRED, negatable=False),
), handler=create_command)
SHOW = Verb("SHOW", parameters=(Parameter("FILE", type=FILE),), handler=show_command)
COMMANDS = CommandTable([CREATE, SHOW])

_VERB_RE = re.compile(r"^\s*([A-Za-z_$]*)(.*)$", re.S)


def parse_command(line: str):
    """(verb, parsed command) of a command line; VMSError for a syntax error."""
    m = _VERB_RE.match(line or "")
    token, rest = m.group(1), m.group(2)
    if not token:
        raise VMSError(C.CLI_INSFPRM if not rest.strip() else C.CLI_NOCOMD)
    verb = COMMANDS.lookup(token)
    return verb, cld.parse(verb, rest, verb.name)


def run_command(process, line: str, out: TextIO) -> int:
    """Run one command line of the image; messages on out; the final status."""
    try:
        verb, cmd = parse_command(line)
        return verb.handler(process, cmd, out)
    except VMSError as err:
        return _signal(out, err)
    finally:
        out.flush()


def image_main(ctx) -> int:
    """SYS$SYSTEM:SSL$CERT.EXE (vmsenv.images): the command on the image's command line."""
    return run_command(ctx.process, ctx.args, ctx.stdout if ctx.stdout is not None
                       else sys.stdout)


__all__ = [
    "COMMANDS", "Created", "DEFAULT_CERT", "DEFAULT_DAYS", "DEFAULT_KEY", "MAX_DAYS",
    "SSL_CREATED", "SSL_EXPIRED", "SSL_INVCN", "SSL_INVDAYS", "SSL_KEYCREATED", "SSL_NOTCERT",
    "SSL_NOTYETVALID", "SSL_OPENIN", "SSL_OPENOUT", "create_certificate",
    "default_common_name", "describe", "full_spec", "image_main", "load_certificates",
    "read_certificate_file", "run_command", "valid_common_name", "valid_days",
    "validity_problem", "vms_time",
]
