"""Start and stop the POP server of a root the way a system manager does: in DCL, through the
root's own procedures.

``start_pop_server(root, logicals=None, port=None, ssl=False, timeout=60)`` opens a SYSTEM
session and

1. looks for ``SYS$STARTUP:TCPIP$POP_STARTUP.COM`` (F$SEARCH, through the root's SYS$STARTUP
   search list); when it is not there, raises ``PopServerUnavailable`` -- the procedure ships
   with the POP server, and until it does there is nothing to start;
2. defines each of ``logicals`` (``{"TCPIP$POP_TRACE": "TRUE"}``) with ``DEFINE/SYSTEM``, and
   ``TCPIP$POP_DISABLE_SSL`` unless ssl=True (a fresh root has no certificate; with ssl=True the
   caller provides one and the secure port is ``TCPIP$POP_SSL_PORT``, a free port);
3. makes the POP service entry again on its port (a free loopback port unless port= is given)
   -- ``TCPIP SET NOSERVICE POP``, then ``TCPIP SET SERVICE POP /PORT=n /ADDRESS=127.0.0.1``
   with the file, user and process of the entry a fresh root has, since the port of an entry
   cannot change -- and enables it with ``TCPIP ENABLE SERVICE POP`` and ``TCPIP SET
   CONFIGURATION ENABLE SERVICE POP`` (``SETUP_COMMANDS``; steps 2 and 3 are
   ``configure_pop_service``);
4. runs ``@SYS$STARTUP:TCPIP$POP_STARTUP`` and waits until the port accepts connections.

Every command must end with a success status, else ``PopServerError`` carries its output.
``PopServer.stop()`` runs ``@SYS$STARTUP:TCPIP$POP_SHUTDOWN``, waits until the port refuses
connections and closes the session.

This module drives the procedures only: it never starts the server image itself, so a root
without the procedures has no POP server here.  Until the POP procedures ship, steps 1 to 3 have been
exercised, not 4 nor the shutdown.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field

from vmsenv.testing.session import DclSession

STARTUP = "SYS$STARTUP:TCPIP$POP_STARTUP.COM"
SHUTDOWN = "SYS$STARTUP:TCPIP$POP_SHUTDOWN.COM"
HOST = "127.0.0.1"
SETUP_COMMANDS = (
    # the port and address of an entry cannot change: the entry is made again
    "TCPIP SET NOSERVICE POP",
    "TCPIP SET SERVICE POP /PORT={port} /ADDRESS={host} /FILE=SYS$STARTUP:TCPIP$POP_RUN.COM"
    " /USER_NAME=TCPIP$POP /PROCESS_NAME=TCPIP$POP",
    "TCPIP ENABLE SERVICE POP",
    "TCPIP SET CONFIGURATION ENABLE SERVICE POP",
)


class PopServerUnavailable(Exception):
    """The root has no POP startup procedure."""


class PopServerError(Exception):
    """A step of starting or stopping the server failed."""


def free_port(host: str = HOST) -> int:
    """A TCP port of host that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _dcl_string(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _accepts(host: str, port: int) -> bool:
    """Whether the server listens; asked of the host without connecting where it can tell (a
    connection would count as a client in the server's statistics and log)."""
    from vmsenv import hostproc

    known = hostproc.listening(port)
    if known is not None:
        return known
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def _wait_port(host: str, port: int, open_: bool, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _accepts(host, port) != open_:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def startup_present(session: DclSession) -> bool:
    """Whether SYS$STARTUP:TCPIP$POP_STARTUP.COM exists in the session's root."""
    found, _ = session.run(f'WRITE SYS$OUTPUT F$SEARCH("{STARTUP}")')
    return bool(found.strip())


def _checked(session: DclSession, command: str) -> str:
    output, status = session.run(command)
    if not status & 1:
        raise PopServerError(f"{command} ended with %X{status:08X}:\n{output}")
    return output


def configure_pop_service(session: DclSession, port: int,
                          logicals: dict[str, str] | None = None,
                          ssl_port: int | None = None) -> list[str]:
    """Steps 2 and 3 of the module documentation in a SYSTEM session: the logical names, then
    the service entry on 127.0.0.1 port, enabled.  ssl_port None disables the secure listener
    (TCPIP$POP_DISABLE_SSL).  Returns the commands' outputs."""
    names = dict(logicals or {})
    if ssl_port is not None:
        names.setdefault("TCPIP$POP_SSL_PORT", str(ssl_port))
    else:
        names.setdefault("TCPIP$POP_DISABLE_SSL", "TRUE")
    commands = [f"DEFINE/SYSTEM/NOLOG {name} {_dcl_string(value)}"
                for name, value in names.items()]
    commands += [c.format(port=port, host=HOST) for c in SETUP_COMMANDS]
    outputs = []
    for command in commands:
        if command == "TCPIP SET NOSERVICE POP":
            outputs.append(session.run(command)[0])     # there may be no entry to remove
        else:
            outputs.append(_checked(session, command))
    return outputs


@dataclass
class PopServer:
    """A POP server started by ``start_pop_server``."""

    host: str
    port: int
    ssl_port: int | None
    session: DclSession = field(repr=False)
    startup_output: str = ""
    timeout: float = 60.0

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)

    def stop(self) -> str:
        """Run the shutdown procedure; returns its output."""
        try:
            if not self.session.alive:
                return ""
            output, status = self.session.run(f"@{SHUTDOWN}", timeout=self.timeout)
            if not status & 1:
                raise PopServerError(f"@{SHUTDOWN} ended with %X{status:08X}:\n{output}")
            if not _wait_port(self.host, self.port, False, self.timeout):
                raise PopServerError(f"port {self.port} still accepts connections after "
                                     f"@{SHUTDOWN}:\n{output}")
            return output
        finally:
            self.session.close()


def start_pop_server(root: str | os.PathLike, logicals: dict[str, str] | None = None,
                     port: int | None = None, ssl: bool = False,
                     timeout: float = 60.0) -> PopServer:
    """Configure and start the root's POP server through its procedures (see the module
    documentation); PopServerUnavailable when the root has no POP startup procedure."""
    session = DclSession(root, user="SYSTEM", timeout=timeout)
    started = False
    try:
        if not startup_present(session):
            raise PopServerUnavailable(f"{STARTUP} is not in this root")
        port = free_port() if port is None else port
        ssl_port = free_port() if ssl else None
        outputs = configure_pop_service(session, port, logicals, ssl_port)
        started = True
        outputs.append(_checked(session, f"@{STARTUP}"))
        if not _wait_port(HOST, port, True, timeout):
            raise PopServerError(f"nothing listens on {HOST} port {port} after @{STARTUP}:\n"
                                 + "".join(outputs))
        return PopServer(HOST, port, ssl_port, session, "".join(outputs), timeout)
    except BaseException:
        if started and session.alive:
            try:
                session.run(f"@{SHUTDOWN}")
            except Exception:  # noqa: BLE001 - the first failure is the one to report
                pass
        session.close()
        raise
