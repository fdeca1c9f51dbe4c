"""TELNET against a small loopback line server started by each test (ephemeral port).

- the codec: IAC sequences taken out and refused, CR LF shown as one new line (also split
  across reads), lines sent with CR LF and IAC doubled;
- in-process sessions (an Interpreter whose input is a StringIO or a pipe, or a procedure's
  data lines): the seed's opening
  lines, lines relayed both ways, REMCLOSED when the server closes, the lines after the one that
  made the server close left for DCL, a read still waiting handed back to DCL, the end of input
  half-closing the connection, Ctrl/] and QUIT, connection refused, unknown host, bad ports;
- a `dcl` in a fresh root (`vmsenv init`) on a pseudo-terminal, under pexpect, and `dcl` with
  its standard input a pipe.
"""

from __future__ import annotations

import io
import os
import socket
import threading

import pytest

from vmsenv import condition as C
from vmsenv import telnet as tn
from vmsenv.dcl.interpreter import Interpreter
from vmsenv.testing import DclSession, free_port

TIMEOUT = 30


# ------------------------------------------------------------------------------ a line server
class LineServer:
    """Greets with ``+OK ready``; answers each line with ``echo: line``; QUIT gets ``+OK bye``
    and the connection closed; the end of the client's data closes it too. ``lines`` holds
    the raw lines received (with their CR LF). With greet_and_close, it closes right after the
    greeting."""

    def __init__(self, greet_and_close: bool = False, banner: bytes = b"+OK ready\r\n"):
        self.greet_and_close = greet_and_close
        self.banner = banner
        self.lines: list[bytes] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            stream = conn.makefile("rwb")
            stream.write(self.banner)
            stream.flush()
            if not self.greet_and_close:
                for raw in stream:
                    self.lines.append(raw)
                    line = raw.rstrip(b"\r\n")
                    if line.upper() == b"QUIT":
                        stream.write(b"+OK bye\r\n")
                        stream.flush()
                        break
                    stream.write(b"echo: " + line + b"\r\n")
                    stream.flush()
            stream.close()
        self.closed.set()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def server():
    srv = LineServer()
    yield srv
    srv.close()


def session(port: int) -> list[str]:
    return ["%TELNET-I-TRYING, Trying ... 127.0.0.1",
            f"%TELNET-I-SESSION, Session 01, host localhost, port {port}"]


def closed(port: int) -> list[str]:
    return ["%TELNET-S-REMCLOSED, Remote connection closed",
            f"-TELNET-I-SESSION, Session 01, host localhost, port {port}"]


def interpreter(process, text: str | None):
    out = io.StringIO()
    return Interpreter(process, out, input=None if text is None else io.StringIO(text)), out


# ------------------------------------------------------------------------------ the codec
def test_codec_takes_out_and_refuses_options():
    codec = tn.Codec()
    shown, answer = codec.receive(bytes([255, 251, 1, 255, 253, 24]) + b"hi\r\n")
    assert shown == b"hi\n"
    assert answer == bytes([255, 254, 1, 255, 252, 24])
    # WONT and DONT need no answer; IAC IAC is a data byte; a subnegotiation is skipped.
    shown, answer = codec.receive(bytes([255, 252, 3, 255, 254, 3, 255, 255])
                                  + bytes([255, 250, 24, 0, 65, 255, 240]) + b"x")
    assert (shown, answer) == (b"\xffx", b"")


def test_codec_sequences_split_across_reads():
    codec = tn.Codec()
    assert codec.receive(b"one\r") == (b"one", b"")
    assert codec.receive(b"\ntwo\r") == (b"\ntwo", b"")
    assert codec.receive(b"\x00three\r\n") == (b"\rthree\n", b"")
    assert codec.receive(bytes([255])) == (b"", b"")
    assert codec.receive(bytes([251, 5])) == (b"", bytes([255, 254, 5]))
    assert codec.receive(b"end\r") == (b"end", b"")
    assert codec.flush() == b"\r"


def test_codec_line():
    assert tn.Codec.line(b"USER joe") == b"USER joe\r\n"
    assert tn.Codec.line(b"a\xffb") == b"a\xff\xffb\r\n"


# ------------------------------------------------------------------------------ in-process
def test_session_relays_lines_both_ways(process, server):
    dcl, out = interpreter(process, 'hello there\nQUIT\nWRITE SYS$OUTPUT "after"\n')
    status = dcl.run_line(f"TELNET localhost {server.port}")
    assert out.getvalue().splitlines() == session(server.port) + [
        "+OK ready", "echo: hello there", "+OK bye"] + closed(server.port)
    assert server.lines == [b"hello there\r\n", b"QUIT\r\n"]
    assert status == C.TELNET_REMCLOSED | C.INHIB_MSG
    assert C.is_success(status)
    # The line after the one that made the server close is still there for DCL.
    assert dcl.input.readline() == 'WRITE SYS$OUTPUT "after"\n'


def test_port_qualifier_and_default_port(process, server, monkeypatch):
    dcl, out = interpreter(process, "QUIT\n")
    dcl.run_line(f"TELNET/PORT={server.port} LOCALHOST")
    assert out.getvalue().splitlines()[:3] == session(server.port) + ["+OK ready"]
    asked = []

    def refuse(host, port, *args):
        asked.append((host, port))
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    interpreter(process, "")[0].run_line("TELNET somewhere")
    assert asked[0] == ("SOMEWHERE", 23)


def test_end_of_input_half_closes(process, server):
    dcl, out = interpreter(process, "one\n")
    dcl.run_line(f"TELNET localhost {server.port}")
    assert out.getvalue().splitlines() == session(server.port) + [
        "+OK ready", "echo: one"] + closed(server.port)


def test_no_input_at_all(process, server):
    dcl, out = interpreter(process, None)
    dcl.run_line(f"TELNET localhost {server.port}")
    assert out.getvalue().splitlines() == session(server.port) + ["+OK ready"] \
        + closed(server.port)


def test_escape_and_quit(process, server):
    dcl, out = interpreter(process, "first\n\x1d\n\nsecond\n\x1d\nQUIT\nleft\n")
    status = dcl.run_line(f"TELNET localhost {server.port}")
    text = out.getvalue()
    assert text.splitlines() == session(server.port) + [
        "+OK ready", "echo: first", "TELNET> echo: second", "TELNET> "]
    assert status == C.SS_NORMAL
    assert server.lines == [b"first\r\n", b"second\r\n"]
    assert server.closed.wait(TIMEOUT)
    assert dcl.input.readline() == "left\n"


def test_unknown_command_at_the_telnet_prompt(process, server):
    dcl, out = interpreter(process, "\x1d\nFROB\nEXIT\n")
    dcl.run_line(f"TELNET localhost {server.port}")
    assert out.getvalue().splitlines()[3:] == [
        "TELNET> %CLI-W-IVVERB, unrecognized command verb - check validity and spelling",
        " \\FROB\\", "TELNET> "]


def test_telnet_prompt_without_a_host(process, server):
    dcl, out = interpreter(process, f"CONNECT localhost {server.port}\nQUIT\nEXIT\n")
    status = dcl.run_line("TELNET")
    assert out.getvalue().splitlines() == ["TELNET> " + session(server.port)[0]] \
        + session(server.port)[1:] + ["+OK ready", "+OK bye"] + closed(server.port) \
        + ["TELNET> "]
    assert status == C.SS_NORMAL


def test_a_waiting_read_is_handed_back(process):
    srv = LineServer(greet_and_close=True)
    r, w = os.pipe()
    reader = os.fdopen(r, "r")
    try:
        out = io.StringIO()
        dcl = Interpreter(process, out, input=reader)
        dcl.run_line(f"TELNET localhost {srv.port}")
        assert out.getvalue().splitlines() == session(srv.port) + ["+OK ready"] \
            + closed(srv.port)
        assert srv.lines == []
        os.write(w, b'WRITE SYS$OUTPUT "x"\nSHOW\n')
        assert dcl.input.readline() == 'WRITE SYS$OUTPUT "x"\n'
        assert dcl.input is reader          # the interpreter's own input is back
        assert dcl.input.readline() == "SHOW\n"
    finally:
        os.close(w)
        reader.close()
        srv.close()


def test_connection_refused(process):
    port = free_port()
    dcl, out = interpreter(process, "")
    status = dcl.run_line(f"TELNET localhost {port}")
    assert out.getvalue().splitlines() == [
        "%TELNET-I-TRYING, Trying ... 127.0.0.1",
        "%TELNET-E-CONNECTFAIL, Failed to connect to remote host",
        "-SYSTEM-F-REJECT, connect to network object rejected"]
    assert status == C.TELNET_CONNECTFAIL | C.INHIB_MSG


@pytest.mark.parametrize("code, secondary", [
    (socket.EAI_NONAME, "-TCPIP-W-EAI_NONAME, unknown name or service"),
    (socket.EAI_AGAIN, "-TCPIP-W-EAI_AGAIN, temporary failure"),
])
def test_unknown_host(process, monkeypatch, code, secondary):
    def fail(*args):
        raise socket.gaierror(code, "no")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    dcl, out = interpreter(process, "")
    status = dcl.run_line("TELNET NOWHERE 110")
    assert out.getvalue().splitlines() == [
        "%TELNET-E-IVHOST, Invalid or unknown host nowhere", secondary]
    assert status == C.TELNET_IVHOST | C.INHIB_MSG


@pytest.mark.parametrize("port", ["0", "65536", "ABC"])
def test_bad_port(process, port):
    dcl, out = interpreter(process, "")
    dcl.run_line(f"TELNET localhost {port}")
    assert out.getvalue().splitlines() == [
        "%DCL-W-NUMBER, invalid numeric value - supply an integer", f" \\{port}\\"]


def test_in_a_procedure_the_data_lines_are_the_input(process, server, tmp_path):
    proc = process.root.path / "sys$sysdevice" / "sys0" / "sysmgr" / "pop_check.com"
    proc.write_text(f"$ TELNET localhost {server.port}\nUSER joe\nQUIT\nnot sent\n"
                    '$ WRITE SYS$OUTPUT "after ", $STATUS\n')
    dcl, out = interpreter(process, "typed\n")
    dcl.run_line("@SYS$MANAGER:POP_CHECK")
    assert out.getvalue().splitlines() == session(server.port) + [
        "+OK ready", "echo: USER joe", "+OK bye"] + closed(server.port) + ["after %X17668011"]
    assert server.lines == [b"USER joe\r\n", b"QUIT\r\n"]
    assert dcl.input.readline() == "typed\n"


def test_terminal_escape_character_only_while_telnet_runs():
    import termios

    master, slave = os.openpty()
    try:
        before = termios.tcgetattr(slave)
        reader = tn._TerminalInput(slave)
        assert termios.tcgetattr(slave)[6][termios.VEOL] == bytes([tn.ESCAPE])
        os.write(master, b"abc\x1d")           # acts at once, without a Return
        assert reader.events() == [(tn.ESCAPED,)]
        os.write(master, b"quit\n")
        assert reader.read_line() == b"quit"
        reader.close(None)
        assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)
        os.close(slave)


# ------------------------------------------------------------------------------ real `dcl`
def test_dcl_on_a_terminal(root_dir, server):
    with DclSession(root_dir, cwd=root_dir.parent, timeout=TIMEOUT) as dcl:
        dcl.send_line(f"TELNET localhost {server.port}")
        for line in session(server.port) + ["+OK ready"]:
            dcl.expect_exact(line + "\r\n")
        dcl.send_line("USER joe")
        dcl.expect_exact("echo: USER joe\r\n")
        dcl.send_control("]")               # acts at once: no Return needed
        dcl.expect_exact("TELNET> ")
        dcl.send_line("")                   # back to the session
        dcl.send_line("again")
        dcl.expect_exact("echo: again\r\n")
        dcl.send_line("QUIT")
        dcl.expect_exact("+OK bye\r\n")
        for line in closed(server.port):
            dcl.expect_exact(line + "\r\n")
        dcl.expect_exact("$ ")
        assert server.lines == [b"USER joe\r\n", b"again\r\n", b"QUIT\r\n"]
        # A second session, left with Ctrl/] QUIT; the shell goes on.
        dcl.send_line(f"TELNET/PORT={server.port} localhost")
        dcl.expect_exact("+OK ready\r\n")
        dcl.send_control("]")
        dcl.expect_exact("TELNET> ")
        dcl.send_line("quit")
        dcl.expect_exact("$ ")
        dcl.send_line("WRITE SYS$OUTPUT $STATUS")
        dcl.expect_exact("%X00000001\r\n")
        dcl.expect_exact("$ ")
        dcl.send_control("D")               # the end of input
        dcl.wait_eof()


def test_dcl_reading_a_pipe(programs, root_dir, server):
    script = f'TELNET localhost {server.port}\nUSER joe\nQUIT\nWRITE SYS$OUTPUT "done"\n'
    done = programs.run(programs.dcl + ["--root", str(root_dir)], root_dir.parent, TIMEOUT,
                        input=script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:8] == ["$ " + session(server.port)[0]] \
        + session(server.port)[1:] + ["+OK ready", "echo: USER joe", "+OK bye"] \
        + closed(server.port) + ["$ done"]
    assert server.lines == [b"USER joe\r\n", b"QUIT\r\n"]
