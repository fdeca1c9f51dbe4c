"""The user's story end to end, in scripted DCL sessions (vmsenv.testing.DclSession): the POP
server started and stopped by the root's own procedures, as a system manager does it.

The end-to-end tests 1, 4 and 5 of the POP story; test 2 (POSTMASTER mail) and the
procedures' own behaviour are in test_pop_procedures.py, test 3 (real mail clients) in
test_e2e_clients.py.

1. `test_troubleshooting_transcript`: in one SYSTEM session, AUTHORIZE adds an operator, the
   TCPIP$POP logical names are DEFINEd /SYSTEM, the POP service is entered and enabled, and
   @SYS$STARTUP:TCPIP$POP_STARTUP starts the server; TELNET then replays the manual's
   troubleshooting transcript (19.6: greeting, USER, PASS, XTND LOGLEVEL DEBUG, QUIT). The log
   was at INFORMATIONAL: no THREAD or DEBUG line before the change; after it the session's end
   shows its THREAD lines, and a later retrieval its DEBUG line (the server's DEBUG events are
   retrievals, TLS handshakes and SO_SNDBUF: the QUIT of the transcript itself has none).
   @SYS$STARTUP:TCPIP$POP_SHUTDOWN then leaves no TCPIP$POP process (SHOW SYSTEM, the process
   registry) and nothing listening.
4. `test_site_file_change_takes_effect_after_restart`: TCPIP$POP_MESSAGE_MAXIMUM set in
   SYS$STARTUP:TCPIP$POP_SYSTARTUP.COM (written in the session with CREATE); the file edited
   (a new version) changes nothing while the server runs; after shutdown and startup it does.
5. `test_two_threads_serve_five_concurrent_clients`: TCPIP$POP_MAXIMUM_THREADS 2 and five
   clients at once, each holding its session a while: at most two are in session at any moment
   (a client is in session from its greeting to its QUIT, which lies within the server thread's
   hold on its slot), exactly two at the busiest, and all five get their mail; XTND STATS agrees.

Every test starts from a fresh root (the vms_root fixture: `vmsenv init` in tmp_path) on
ephemeral loopback ports, and stops what it started; anything still running in the root at the
end is stopped by `vmsenv shutdown` and the test fails.
"""

from __future__ import annotations

import os
import poplib
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from vmsenv import root as rootmod
from vmsenv import uaf
from vmsenv.mail import inbound
from vmsenv.processes import Registry
from vmsenv.testing import UAF_PROMPT, free_port, start_pop_server

STARTUP = "@SYS$STARTUP:TCPIP$POP_STARTUP"
SHUTDOWN = "@SYS$STARTUP:TCPIP$POP_SHUTDOWN"
HOST = "127.0.0.1"
LOG_LINE = re.compile(r"^(\d{1,2}-[A-Z]{3}-\d{4} \d\d:\d\d:\d\d\.\d\d) (\S+) +(\S+) +(.*)$")


# ---------------------------------------------------------------------------------------------
# Helpers.
# ---------------------------------------------------------------------------------------------
def pop_processes(vms_root) -> list:
    return [p for p in Registry(rootmod.Root(vms_root.path).store).all()
            if p.name == "TCPIP$POP"]


@pytest.fixture(autouse=True)
def nothing_left_running(vms_root):
    """After the test: no POP server process may be left; one that is gets stopped."""
    yield
    left = pop_processes(vms_root)
    if left:
        env = {k: v for k, v in os.environ.items() if k != "VMSENV_ROOT"}
        subprocess.run([sys.executable, "-m", "vmsenv.cli", "shutdown", "--root",
                        str(vms_root.path)], capture_output=True, timeout=60, env=env)
    assert left == [], "the test left the POP server running"


def accepts(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def add_user(vms_root, name: str, password: str, uic: tuple[int, int],
             privileges: tuple[str, ...] = ()) -> None:
    root = rootmod.Root(vms_root.path)
    changes = {"password": password, "flags": ((False, "DISUSER"),), "uic": uic,
               "device": "SYS$SYSDEVICE:", "directory": f"[{name}]"}
    if privileges:
        changes["authorized"] = tuple((True, p) for p in privileges)
    uaf.add(root, name, changes)
    uaf.create_login_directory(root, uaf.get(root, name))


def deliver(vms_root, user: str, subject: str, text: str = "Hello.") -> None:
    data = (f"From: Sender <sender@example.com>\r\nTo: {user.lower()}@vms.example\r\n"
            f"Subject: {subject}\r\n\r\n{text}\r\n").encode()
    lines = inbound.deliver(rootmod.Root(vms_root.path), user, data,
                            sender="sender@example.com")
    assert lines[0].startswith("%VMSENV-I-DELIVERED"), lines


def run_log(vms_root) -> list[tuple[str, str, str]]:
    """The newest POP_RUN.LOG as (level, thread, text) lines."""
    logs = Path(vms_root.path, "sys$sysdevice", "tcpip$pop").glob("pop_run.log*")
    newest = max(logs, key=lambda p: int(p.name.partition(";")[2] or 1))
    lines = []
    for line in newest.read_text(encoding="latin-1").splitlines():
        match = LOG_LINE.match(line)
        assert match, f"not a POP_RUN.LOG line: {line!r}"
        lines.append(match.group(2, 3, 4))
    return lines


def login(port: int, user: str, password: str) -> poplib.POP3:
    client = poplib.POP3(HOST, port, timeout=30)
    client.user(user)
    client.pass_(password)
    return client


# ---------------------------------------------------------------------------------------------
# 1. The troubleshooting transcript.
# ---------------------------------------------------------------------------------------------
def test_troubleshooting_transcript(vms_root, dcl_session):
    dcl = dcl_session
    port = free_port()

    # an operator: XTND LOGLEVEL needs OPER (or SYSPRV)
    dcl.send_line("MCR AUTHORIZE")
    dcl.expect_prompt(UAF_PROMPT)
    added = dcl.converse("ADD SMITH/PASSWORD=WIDGETS77/UIC=[200,202]/DEVICE=SYS$SYSDEVICE"
                         "/DIRECTORY=[SMITH]/FLAGS=NODISUSER/PRIVILEGES=OPER"
                         "/DEFPRIVILEGES=OPER", UAF_PROMPT)
    assert "%UAF-I-ADDMSG, user record successfully added" in added
    dcl.converse("EXIT", dcl.prompt)
    deliver(vms_root, "SMITH", "first")

    # the logical names, the service, the startup
    for command in ("DEFINE/SYSTEM TCPIP$POP_LOG_LEVEL INFORMATIONAL",
                    "DEFINE/SYSTEM TCPIP$POP_DISABLE_SSL TRUE",
                    'DEFINE/SYSTEM TCPIP$POP_POSTMASTER "SMITH"'):
        dcl.run(command, check=True)
    shown, _ = dcl.run("SHOW LOGICAL/SYSTEM TCPIP$POP_*", check=True)
    assert shown.splitlines() == ["", "(LNM$SYSTEM_TABLE)", "",
                                  '  "TCPIP$POP_DISABLE_SSL" = "TRUE"',
                                  '  "TCPIP$POP_LOG_LEVEL" = "INFORMATIONAL"',
                                  '  "TCPIP$POP_POSTMASTER" = "SMITH"']
    dcl.run("TCPIP SET NOSERVICE POP")          # a fresh root's entry, on port 110
    dcl.run(f"TCPIP SET SERVICE POP /PORT={port} /ADDRESS={HOST} "
            "/FILE=SYS$STARTUP:TCPIP$POP_RUN.COM /USER_NAME=TCPIP$POP /PROCESS_NAME=TCPIP$POP",
            check=True)
    dcl.run("TCPIP ENABLE SERVICE POP", check=True)
    started, _ = dcl.run(STARTUP, check=True, timeout=60)
    assert "%TCPIP-I-POPSTARTED, POP server started: process TCPIP$POP" in started
    assert wait_for(lambda: accepts(port)), started

    # a retrieval at INFORMATIONAL: no DEBUG line
    client = login(port, "smith", "widgets77")
    assert b"Hello." in client.retr(1)[1]
    client.quit()

    # the manual's transcript
    dcl.telnet("localhost", port)
    greeting = dcl.expect(r"<[0-9A-Fa-f]+\.[^>]+@[^>]+>\r?\n")
    assert re.search(r"\+OK POP server vmsenv Version \S+, OpenVMS emulation at \S+, up since "
                     r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d $", greeting), greeting
    host = re.search(r"emulation at (\S+),", greeting).group(1)
    dcl.send_line("USER smith")
    dcl.expect_exact('+OK Password required for "smith"')
    dcl.send_line("PASS widgets77")
    dcl.expect_exact("+OK Username/password combination ok")
    log_before = run_log(vms_root)
    dcl.send_line("XTND LOGLEVEL DEBUG")
    dcl.expect_exact("+OK logging level changed to debug")
    dcl.send_line("QUIT")
    dcl.expect_exact(f"+OK POP server at {host} signing off.")
    dcl.expect_exact("%TELNET-S-REMCLOSED, Remote connection closed")
    dcl.expect_prompt()

    # the log: nothing below INFORMATIONAL before the change, THREAD lines after it
    assert {level for level, _, _ in log_before} <= {"INFORMATIONAL", "ERROR"}
    log = run_log(vms_root)
    change = next(i for i, (_, _, text) in enumerate(log)
                  if text == "logging level changed to DEBUG by smith")
    assert wait_for(lambda: "THREAD" in {level for level, _, _ in run_log(vms_root)[change:]})

    # and a retrieval now logs its DEBUG line (the first message went to MAIL when it was read)
    deliver(vms_root, "SMITH", "second")
    client = login(port, "smith", "widgets77")
    octets = client.list(1).split()[2]
    client.retr(1)
    client.quit()
    assert wait_for(lambda: any(level == "DEBUG" for level, _, _ in run_log(vms_root)[change:]))
    debug = [text for level, _, text in run_log(vms_root)[change:] if level == "DEBUG"]
    assert debug == [f"message 1 retrieved, {octets.decode()} octets"]

    # shutdown: no process left, nothing listening
    stopped, _ = dcl.run(SHUTDOWN, check=True, timeout=60)
    assert "%TCPIP-I-POPSTOPPED, POP server stopped" in stopped
    assert "POPFORCED" not in stopped
    system, _ = dcl.run("SHOW SYSTEM", check=True)
    assert "TCPIP$POP" not in system
    assert pop_processes(vms_root) == []
    assert not accepts(port)
    assert "logged out at" in dcl.logout()


# ---------------------------------------------------------------------------------------------
# 4. A logical name changed in the site startup file.
# ---------------------------------------------------------------------------------------------
def write_site_file(dcl, maximum: int) -> None:
    """A new version of SYS$SPECIFIC:[SYS$STARTUP]TCPIP$POP_SYSTARTUP.COM, typed into CREATE."""
    dcl.start("CREATE SYS$SPECIFIC:[SYS$STARTUP]TCPIP$POP_SYSTARTUP.COM")
    for line in ("$ ! Site POP settings",
                 f"$ DEFINE/SYSTEM/NOLOG TCPIP$POP_MESSAGE_MAXIMUM {maximum}",
                 "$ EXIT"):
        dcl.send_line(line)
    dcl.send_control("Z")
    dcl.expect_prompt()
    assert dcl.read_status() & 1


def maildrop_size(port: int) -> int:
    client = login(port, "jones", "tanstaafl7")
    try:
        return client.stat()[0]
    finally:
        client.quit()


def test_site_file_change_takes_effect_after_restart(vms_root, dcl_session):
    dcl = dcl_session
    add_user(vms_root, "JONES", "TANSTAAFL7", (200, 201))
    for n in range(4):
        deliver(vms_root, "JONES", f"message {n + 1}")
    write_site_file(dcl, 1)
    port = free_port()

    server = start_pop_server(vms_root, port=port)
    try:
        assert "%TCPIP-I-POPSITE, running SYS$SYSROOT:[SYS$STARTUP]TCPIP$POP_SYSTARTUP.COM;1" \
            in server.startup_output
        assert "TCPIP$POP_MESSAGE_MAXIMUM: 1" in [text for _, _, text in run_log(vms_root)]
        assert maildrop_size(port) == 1
        write_site_file(dcl, 3)                   # ;2: nothing changes while the server runs
        listing, _ = dcl.run("DIRECTORY/NOHEADING/NOTRAILING "
                             "SYS$SPECIFIC:[SYS$STARTUP]TCPIP$POP_SYSTARTUP.COM", check=True)
        assert listing.split() == ["SYS$SPECIFIC:[SYS$STARTUP]TCPIP$POP_SYSTARTUP.COM;2",
                                   "SYS$SPECIFIC:[SYS$STARTUP]TCPIP$POP_SYSTARTUP.COM;1"]
        assert maildrop_size(port) == 1
    finally:
        server.stop()
    assert pop_processes(vms_root) == []

    server = start_pop_server(vms_root, port=port)
    try:
        assert "TCPIP$POP_SYSTARTUP.COM;2" in server.startup_output
        value, _ = dcl.run('WRITE SYS$OUTPUT F$TRNLNM("TCPIP$POP_MESSAGE_MAXIMUM")', check=True)
        assert value == "3\n"
        assert maildrop_size(port) == 3
        assert "TCPIP$POP_MESSAGE_MAXIMUM: 3" in [text for _, _, text in run_log(vms_root)]
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------
# 5. MAXIMUM_THREADS 2, five clients at once.
# ---------------------------------------------------------------------------------------------
HOLD = 0.4          # seconds each client stays in session after its RETR


def most_at_once(intervals: list[tuple[float, float]]) -> int:
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    current = highest = 0
    for _, step in events:            # at equal times an end (-1) sorts before a start
        current += step
        highest = max(highest, current)
    return highest


def statistics(port: int) -> dict[str, str]:
    client = login(port, "operator", "opspass77")
    try:
        response, lines, _ = client._longcmd("XTND STATS")
        assert response == b"+OK Statistics follow"
        client.quit()
    finally:
        client.close()
    return {label.strip(): value.strip() for label, _, value in
            (line.decode().partition(" :") for line in lines)}


def test_two_threads_serve_five_concurrent_clients(vms_root):
    users = [f"USER{n}" for n in range(1, 6)]
    for n, user in enumerate(users):
        add_user(vms_root, user, f"SECRET{n}XY", (300, n + 1))
        deliver(vms_root, user, f"for {user}", f"message for {user}")
    add_user(vms_root, "OPERATOR", "OPSPASS77", (1, 10), privileges=("OPER",))

    server = start_pop_server(vms_root, logicals={"TCPIP$POP_MAXIMUM_THREADS": "2"})
    results: dict[str, tuple[float, float, list[bytes]]] = {}
    errors: list[BaseException] = []
    go = threading.Barrier(len(users))

    def client(n: int, user: str) -> None:
        try:
            go.wait(10)
            pop = poplib.POP3(HOST, server.port, timeout=30)     # returns with the greeting
            greeted = time.monotonic()
            pop.user(user.lower())
            pop.pass_(f"secret{n}xy")
            text = pop.retr(1)[1]
            time.sleep(HOLD)
            leaving = time.monotonic()
            pop.quit()
            results[user] = (greeted, leaving, text)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n, user)) for n, user in enumerate(users)]
    try:
        before = statistics(server.port)
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        elapsed = time.monotonic() - started
        assert errors == []
        assert sorted(results) == users                            # all served
        for user, (_, _, text) in results.items():
            assert f"message for {user}".encode() in text
        assert most_at_once([(a, b) for a, b, _ in results.values()]) == 2
        assert elapsed >= 3 * HOLD                                  # three rounds at least
        after = statistics(server.port)
        assert after["Max Threads"] == "2"
        # the five clients and this STATS session
        assert int(after["Total Threads"]) - int(before["Total Threads"]) == 6
        assert int(after["Too Many Threads"]) - int(before["Too Many Threads"]) >= 3
    finally:
        server.stop()
    waits = [text for _, _, text in run_log(vms_root) if " waits: all 2 " in text]
    assert len(waits) >= 3
