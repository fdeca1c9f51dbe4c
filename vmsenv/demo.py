"""`vmsenv demo`: a booted system with the POP server up on loopback and a demo mailbox.

What it does, in the root (the checkout by default), each step only when still needed, so
running it again is harmless:
1. `vmsenv init` (the system disk, SYSTEM and TCPIP$POP);
2. as SYSTEM, in DCL: the account JONES (password VMSDEMO, login directory
   SYS$SYSDEVICE:[JONES]) made with AUTHORIZE; the POP service on 127.0.0.1 (ports 110 and 995
   unless --port / --ssl-port say otherwise) enabled at every startup; SMTP with TOP_HEADERS and
   DEFINE/SYSTEM TCPIP$POP_IGNORE_MAIL11_HEADERS, so that MIME mail reaches clients as it was
   sent (the manual's MIME guidelines); SSL$STARTUP;
3. a self-signed certificate at SSL$CERTS:SERVER.CRT (`vmsenv cert`) when there is none;
4. a few messages for JONES, delivered as the SMTP server would (one MIME with an attachment,
   one from a DECnet node), each once (delivery keys);
5. `vmsenv boot`: SYSTARTUP_VMS.COM starts SSL and the POP server.
Then it waits (at most 30 s) until the server answers, and prints how to connect. `vmsenv shutdown` stops it all.
"""

from __future__ import annotations

import io
import time
from email.message import EmailMessage
from typing import TextIO

from vmsenv import boot, hostproc, uaf
from vmsenv import condition as cond
from vmsenv import root as rootmod

USER = "JONES"
PASSWORD = "VMSDEMO"


def _messages() -> list[tuple[str, bytes, dict]]:
    """(delivery key, message bytes, delivery options) of the demo mail."""
    first = EmailMessage()
    first["From"] = "Mary Smith <mary.smith@example.com>"
    first["To"] = "jones@localhost"
    first["Subject"] = "Welcome to the POP server"
    first["Date"] = "Sun, 29 Nov 2026 10:00:00 +0000"
    first["Message-ID"] = "<demo-1@example.com>"
    first.set_content("Hello Jones,\n\nthis mail waits in your NEWMAIL folder.\n"
                      ".A line that starts with a dot travels dot-stuffed.\n\nMary\n")
    second = EmailMessage()
    second["From"] = "reports@example.com"
    second["To"] = "jones@localhost"
    second["Subject"] = "Quarterly figures (with an attachment)"
    second["Date"] = "Sun, 29 Nov 2026 10:05:00 +0000"
    second["Message-ID"] = "<demo-2@example.com>"
    second.set_content("The figures are attached.\n")
    second.add_attachment(b"quarter,revenue\nQ1,100\nQ2,120\nQ3,140\n", maintype="text",
                          subtype="csv", filename="figures.csv")
    third = b"The batch job finished at 02:00.\nNo errors.\n"
    return [("demo:1", bytes(first), {}), ("demo:2", bytes(second), {}),
            ("demo:3", third, {"vms_from": "ORDERS::OPERATOR", "subject": "Batch job done"})]


def _dcl(process, out: TextIO, lines: list[str]) -> None:
    from vmsenv.dcl.interpreter import Interpreter

    dcl = Interpreter(process, io.StringIO(), mode="OTHER")
    for line in lines:
        dcl.out.seek(0)
        dcl.out.truncate()
        dcl.run_line(line)
        text = dcl.out.getvalue()
        if text.strip():
            out.write(text)


def demo(root_dir: str, out: TextIO, port: int = 110, ssl_port: int = 995) -> int:
    root = rootmod.init(root_dir)
    from vmsenv.mail import deliver, profile
    from vmsenv.process import for_account

    process = for_account(root, "SYSTEM", mode="OTHER")
    try:
        commands = ["SET NOON"]
        if uaf.get(root, USER) is None:
            commands.append(f"MCR AUTHORIZE ADD {USER}/PASSWORD={PASSWORD}/UIC=[200,201]"
                            "/DEVICE=SYS$SYSDEVICE:/DIRECTORY=[JONES]/FLAGS=NODISUSER"
                            '/OWNER="Demo user"')
        commands += [
            "TCPIP SET NOSERVICE POP",
            f"TCPIP SET SERVICE POP /PORT={port} /ADDRESS=127.0.0.1 "
            "/FILE=SYS$STARTUP:TCPIP$POP_RUN.COM /USER_NAME=TCPIP$POP /PROCESS_NAME=TCPIP$POP",
            "TCPIP SET CONFIGURATION ENABLE SERVICE POP",
            "TCPIP SET CONFIGURATION SMTP /OPTIONS=TOP_HEADERS",
            f"DEFINE/SYSTEM/NOLOG TCPIP$POP_SSL_PORT {ssl_port}",
            "DEFINE/SYSTEM/NOLOG TCPIP$POP_IGNORE_MAIL11_HEADERS 1",
            "@SYS$STARTUP:SSL$STARTUP",
        ]
        if boot.booted_at(root) is None:
            _dcl(process, out, commands)
        if process.lnm.trnlnm("SSL$CERTS") is not None:
            _certificate(process, out)
        deliverer = deliver.Deliverer(lambda user: profile.host_mail_directory(root, user),
                                      root=root)
        try:
            for key, data, options in _messages():
                deliverer.deliver(data, USER, key=key, **options)
        finally:
            deliverer.close()
    finally:
        process.logout()
    code = 0 if boot.booted_at(root) is not None else boot.boot(root, out)
    if not _serving(root, port):
        out.write(f"%VMSENV-W-NOTUP, the POP server does not answer on port {port}; "
                  "see SYS$SYSDEVICE:[TCPIP$POP]POP_RUN.LOG\n")
        code = code or 1
    out.write(f"""
vmsenv demo: node {root.node}, root {root.path}
  POP server:  127.0.0.1 port {port} (cleartext, STLS), port {ssl_port} (TLS)
  user:        {USER}, password {PASSWORD}; {_count(root)} messages in NEWMAIL
Try it:
  dcl --root {root.path}                      then  $ TELNET localhost {port}
  python3 -c "import poplib; c=poplib.POP3_SSL('127.0.0.1',{ssl_port},
      context=__import__('ssl')._create_unverified_context());
      c.user('{USER.lower()}'); c.pass_('{PASSWORD.lower()}'); print(c.stat())"
  or a mail client (fetchmail, mpop, Thunderbird) on 127.0.0.1 port {ssl_port}.
Stop it with:  vmsenv shutdown --root {root.path}
""")
    out.flush()
    return code


def _serving(root, port: int, seconds: float = 30.0) -> bool:
    """Whether the process TCPIP$POP listens on port (waiting for it at most seconds); a port
    held by another program does not count."""
    from vmsenv.processes import Registry

    deadline = time.monotonic() + seconds
    seen = False
    while True:
        server = Registry(root.store).by_name("TCPIP$POP")
        if server is not None and hostproc.listens(server.os_pid, port):
            return True
        if (server is None and seen) or time.monotonic() > deadline:
            return False            # the server ended (it could not start), or never came up
        seen = seen or server is not None
        time.sleep(0.1)


def _certificate(process, out: TextIO) -> None:
    from vmsenv import tcpip

    try:
        process.files.lookup("SSL$CERTS:SERVER.CRT",
                             process_default=process.process_default())
        return
    except cond.VMSError:
        pass
    certificate = tcpip.make_self_signed("localhost", 365)
    cert, key = tcpip.write_certificate(process, certificate)
    out.write(f"%VMSENV-I-CERT, self-signed certificate {cert} and key {key}\n")


def _count(root) -> int:
    from vmsenv.mail import profile

    mail = profile.open_mail_file(root, uaf.get(root, USER))
    if mail is None:
        return 0
    try:
        return mail.new_mail_count()
    finally:
        mail.close()
