"""TELNET: the TCP/IP Services client, in line mode, enough to talk to line servers (POP, SMTP).

    $ TELNET localhost 110
    %TELNET-I-TRYING, Trying ... 127.0.0.1
    %TELNET-I-SESSION, Session 01, host localhost, port 110
    +OK POP server ready
    QUIT
    +OK signing off
    %TELNET-S-REMCLOSED, Remote connection closed
    -TELNET-I-SESSION, Session 01, host localhost, port 110

The host is shown in lower case, as TELNET shows it (DCL upper-cases an unquoted one); every
address the name resolves to is tried in turn (IPv4 first), each announced by TRYING. The user's
lines go to the server with CR LF; the server's output is relayed as it arrives, CR LF shown as
one new line, as raw bytes when the output stream has a binary buffer (so 8-bit text passes
through unchanged) and as Latin-1 text otherwise.

The escape character is Ctrl/] (as TCP/IP Services TELNET): it gives a ``TELNET> `` prompt where
QUIT or EXIT closes the session and returns to DCL, and an empty line resumes the session.
Without a host, TELNET starts at that prompt, where ``CONNECT host [port]`` opens a session.
Command errors are the CLI's (``%CLI-W-IVVERB``). TELNET options are refused: the client answers
every WILL with DONT and every DO with WONT, and skips subnegotiations.

Errors: a name that does not resolve gives ``%TELNET-E-IVHOST, Invalid or unknown host <host>``
with the resolver's reason (``-TCPIP-W-EAI_NONAME``, ``-TCPIP-W-EAI_AGAIN``); a connection that
cannot be made gives ``%TELNET-E-CONNECTFAIL`` with ``-SYSTEM-F-REJECT`` (refused),
``-SYSTEM-F-TIMEOUT`` (timed out) or the host's reason.

Input. In a command procedure, TELNET's SYS$INPUT is the procedure: the data lines after the
command are the user's lines. On a terminal the line discipline stays in canonical mode (the
terminal echoes and edits the line); Ctrl/] is made an end-of-line character for the session so
that it acts at once, and the terminal's settings are restored afterwards. Any other input (a pipe, a file, a StringIO) is
read a line at a time by a helper thread and paced: a line is taken only when the server has
answered the one before (or greeted) and then been quiet for QUIET seconds, or has not answered
for ANSWER_WAIT seconds, so that a scripted dialogue reads like a typed one and the lines after
the one that made the server close stay for DCL. A line that was read but not sent when
the session ended, or a read still waiting, is handed back: the next read of the interpreter's
input returns it first.

Choices where TCP/IP Services is silent or differs (all [I]):
- At the end of input, TELNET half-closes the connection and relays the server's output until
  the server closes (REMCLOSED) or EOF_GRACE seconds have passed (then it closes quietly).
- QUIT and EXIT close the connection without a message; $STATUS is then SS$_NORMAL. After
  REMCLOSED, $STATUS is REMCLOSED with the already-displayed bit set.
- Text typed on the line before Ctrl/] is discarded; an end of input at ``TELNET> `` acts as QUIT.
- A port must be a decimal number from 1 to 65535 (else ``%DCL-W-NUMBER``); service names are
  not looked up. The connection attempt times out after CONNECT_TIMEOUT seconds.
- Session numbers count the sessions of one TELNET command (``Session 01`` first).

Not implemented: character mode and the options that need it (ECHO, SGA, terminal type),
several simultaneous sessions, and the other commands of the ``TELNET>`` prompt (SET, SHOW,
SEND, SPAWN, ATTACH, HELP).
"""

from __future__ import annotations

import errno
import io
import os
import queue
import selectors
import socket
import threading
import time

from vmsenv import condition as C
from vmsenv.condition import VMSError
from vmsenv.dcl import cld
from vmsenv.dcl.cld import Parameter, Verb

DEFAULT_PORT = 23
ESCAPE = 0x1D                  # Ctrl/]
QUIET = 0.2                    # seconds of silence before the next line of non-terminal input
ANSWER_WAIT = 2.0              # ... or seconds without any answer to the line sent before
EOF_GRACE = 5.0                # seconds to wait for the server after the end of input
CONNECT_TIMEOUT = 20.0

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240

QUIT, RESUME = "QUIT", "RESUME"


# ---------------------------------------------------------------------------------------------
# The protocol: sans-IO.
# ---------------------------------------------------------------------------------------------
class Codec:
    """TELNET byte handling: server bytes in, display bytes and answers out; lines out.

    ``receive(data) -> (display, answer)``: IAC sequences are taken out (IAC IAC is a 0xFF data
    byte; WILL is answered DONT, DO is answered WONT; subnegotiations are skipped); CR LF becomes
    LF and CR NUL a CR. A CR at the end of a chunk waits for the next one (``flush()`` gives it
    at the end). ``line(data)`` is a line to send: IAC doubled, CR LF appended.
    """

    def __init__(self) -> None:
        self._state = "data"     # data, iac, option, sb, sb_iac
        self._command = 0
        self._cr = False

    def receive(self, data: bytes) -> tuple[bytes, bytes]:
        out = bytearray()
        answer = bytearray()
        for byte in data:
            state = self._state
            if state == "data":
                if byte == IAC:
                    self._state = "iac"
                else:
                    self._data(byte, out)
            elif state == "iac":
                if byte == IAC:
                    self._data(IAC, out)
                    self._state = "data"
                elif byte in (WILL, WONT, DO, DONT):
                    self._command = byte
                    self._state = "option"
                elif byte == SB:
                    self._state = "sb"
                else:
                    self._state = "data"          # NOP, GA, DM, ...: nothing to show
            elif state == "option":
                if self._command == WILL:
                    answer += bytes((IAC, DONT, byte))
                elif self._command == DO:
                    answer += bytes((IAC, WONT, byte))
                self._state = "data"
            elif state == "sb":
                if byte == IAC:
                    self._state = "sb_iac"
            else:                                 # sb_iac
                self._state = "data" if byte == SE else "sb"
        return bytes(out), bytes(answer)

    def _data(self, byte: int, out: bytearray) -> None:
        if self._cr:
            self._cr = False
            if byte == 10:
                out.append(10)
                return
            out.append(13)
            if byte == 0:
                return
        if byte == 13:
            self._cr = True
        else:
            out.append(byte)

    def flush(self) -> bytes:
        """What is held back at the end of the connection (a final CR)."""
        if self._cr:
            self._cr = False
            return b"\r"
        return b""

    @staticmethod
    def line(data: bytes) -> bytes:
        return data.replace(bytes((IAC,)), bytes((IAC, IAC))) + b"\r\n"


# ---------------------------------------------------------------------------------------------
# Output.
# ---------------------------------------------------------------------------------------------
class _Output:
    """The interpreter's output: bytes written raw when it has a buffer, else as Latin-1."""

    def __init__(self, dcl) -> None:
        self.dcl = dcl
        self.at_line_start = True

    def write(self, data: bytes) -> None:
        if not data:
            return
        stream = self.dcl.out
        binary = getattr(stream, "buffer", None)
        if binary is not None:
            stream.flush()
            binary.write(data)
            binary.flush()
        else:
            stream.write(data.decode("latin-1"))
            if hasattr(stream, "flush"):
                stream.flush()
        self.at_line_start = data.endswith(b"\n")

    def text(self, text: str) -> None:
        self.write(text.encode("latin-1", "replace"))

    def new_line(self) -> None:
        if not self.at_line_start:
            self.write(b"\n")

    def message(self, err: VMSError) -> None:
        self.new_line()
        for line in err.lines(self.dcl.message_flags):
            self.text(line + "\n")


# ---------------------------------------------------------------------------------------------
# Input: a terminal, or any stream read by a helper thread.
# ---------------------------------------------------------------------------------------------
LINE, ESCAPED, END = "line", "escape", "eof"


def _split(buffer: bytearray) -> list[tuple]:
    """Complete lines and escapes taken off the front of buffer."""
    events: list[tuple] = []
    while True:
        ends = [i for i in (buffer.find(b"\n"), buffer.find(bytes((ESCAPE,)))) if i >= 0]
        if not ends:
            return events
        i = min(ends)
        chunk = bytes(buffer[:i])
        escaped = buffer[i] == ESCAPE
        del buffer[:i + 1]
        if escaped:
            events.append((ESCAPED,))
        else:
            events.append((LINE, chunk.rstrip(b"\r")))


class _TerminalInput:
    """A terminal in canonical mode, read directly from its file descriptor, with Ctrl/] an
    end-of-line character while TELNET runs."""

    terminal = True
    paced = False

    def __init__(self, fd: int) -> None:
        import termios

        self.fd = fd
        self.buffer = bytearray()
        self.ended = False
        self._saved = None
        try:
            attrs = termios.tcgetattr(fd)
            if attrs[3] & termios.ICANON:
                changed = [list(a) if isinstance(a, list) else a for a in attrs]
                changed[6][termios.VEOL] = bytes((ESCAPE,))
                termios.tcsetattr(fd, termios.TCSANOW, changed)
                self._saved = attrs
        except termios.error:
            self._saved = None

    def fileno(self) -> int | None:
        return None if self.ended else self.fd

    def request(self) -> None:
        pass

    def events(self) -> list[tuple]:
        data = os.read(self.fd, 4096)
        if not data:
            self.buffer.clear()
            self.ended = True
            return [(END,)]
        self.buffer += data
        return _split(self.buffer)

    def read_line(self) -> bytes | None:
        """One line for the TELNET> prompt (escape characters ignored); None at end."""
        while True:
            for event in _split(self.buffer):
                if event[0] == LINE:
                    return event[1]
            data = os.read(self.fd, 4096)
            if not data:
                return None
            self.buffer += data

    def close(self, dcl) -> None:
        if self._saved is not None:
            import termios

            try:
                termios.tcsetattr(self.fd, termios.TCSANOW, self._saved)
            except termios.error:
                pass
            self._saved = None


class _StreamInput:
    """Any other input: a helper thread reads one line whenever the session asks for one."""

    terminal = False
    paced = True

    def __init__(self, source, owner_input) -> None:
        self.source = source
        self.owner_input = owner_input    # the interpreter's input, to hand lines back to
        self.encoding = getattr(source, "encoding", None) or "latin-1"
        self.pending = False
        self.ended = False
        self._requests: queue.Queue = queue.Queue()
        self._lines: queue.Queue = queue.Queue()
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread = threading.Thread(target=self._read, name="telnet-input", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while self._requests.get() is not None:
            try:
                line = self.source.readline()
            except (OSError, ValueError):
                line = ""
            self._lines.put(line)
            try:
                self._wake_w.send(b"x")
            except OSError:
                pass
        try:
            self._wake_w.close()
        except OSError:
            pass

    def fileno(self) -> int | None:
        return None if self.ended else self._wake_r.fileno()

    def request(self) -> None:
        if not self.pending and not self.ended:
            self.pending = True
            self._requests.put(True)

    def _convert(self, line: str) -> list[tuple]:
        if line == "":
            self.ended = True
            return [(END,)]
        data = line.rstrip("\n").rstrip("\r").encode(self.encoding, "replace")
        if bytes((ESCAPE,)) in data:
            return [(ESCAPED,)]
        return [(LINE, data)]

    def events(self) -> list[tuple]:
        try:
            self._wake_r.recv(4096)
        except OSError:
            pass
        events: list[tuple] = []
        while True:
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                return events
            self.pending = False
            events.extend(self._convert(line))

    def read_line(self) -> bytes | None:
        if self.ended:
            return None
        self.request()
        line = self._lines.get()
        self.pending = False
        event = self._convert(line)[0]
        if event[0] == END:
            return None
        return event[1] if event[0] == LINE else b""

    def close(self, dcl) -> None:
        """Stop the helper; a line read but not used, or a read still waiting, goes back to
        the interpreter's input."""
        left = []
        while True:
            try:
                left.append(self._lines.get_nowait())
            except queue.Empty:
                break
        if self.pending or left:
            if dcl.input is self.owner_input and self.owner_input is not None:
                dcl.input = _HandBack(dcl, self, left)
                return
        self._finish()

    def _finish(self) -> None:
        self._requests.put(None)
        try:
            self._wake_r.close()
        except OSError:
            pass


class _HandBack:
    """Stands in for the interpreter's input until the lines TELNET did not use are read."""

    def __init__(self, dcl, reader: _StreamInput, lines: list[str]) -> None:
        self._dcl = dcl
        self._reader = reader
        self._lines = list(lines)

    def readline(self, *args) -> str:
        if self._lines:
            line = self._lines.pop(0)
        else:
            line = self._reader._lines.get()
            self._reader.pending = False
        if not self._lines and not self._reader.pending:
            if self._dcl.input is self:
                self._dcl.input = self._reader.owner_input
            self._reader._finish()
        return line

    def __getattr__(self, name):
        return getattr(self._reader.owner_input, name)


def _input_for(dcl):
    source = dcl.input
    if source is not None:
        try:
            fd = source.fileno()
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            fd = None
        if fd is not None and os.isatty(fd):
            return _TerminalInput(fd)
        return _StreamInput(source, source)
    return _StreamInput(io.StringIO(""), None)


# ---------------------------------------------------------------------------------------------
# Connecting.
# ---------------------------------------------------------------------------------------------
def resolve(host: str, port: int) -> list[tuple]:
    """The addresses to try, IPv4 first: (family, sockaddr). VMSError IVHOST when none."""
    found: list[tuple] = []
    failure: socket.gaierror | None = None
    for family in (socket.AF_INET, socket.AF_UNSPEC):
        try:
            infos = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
        except socket.gaierror as exc:
            failure = failure or exc
            continue
        except (UnicodeError, ValueError):     # a name the resolver cannot even encode
            failure = failure or socket.gaierror(socket.EAI_NONAME, "invalid host name")
            continue
        for fam, _, _, _, addr in infos:
            if (fam, addr) not in found:
                found.append((fam, addr))
        if found:
            break
    if not found:
        reason = C.TCPIP_EAI_AGAIN if failure is not None and failure.errno == socket.EAI_AGAIN \
            else C.TCPIP_EAI_NONAME
        raise VMSError(C.TELNET_IVHOST, host.lower(), secondary=(reason,))
    return found


def _reason(exc: OSError) -> VMSError | int:
    if isinstance(exc, ConnectionRefusedError):
        return C.SS_REJECT
    if isinstance(exc, TimeoutError) or exc.errno == errno.ETIMEDOUT:
        return C.SS_TIMEOUT
    return VMSError(C.VMSENV_HOSTERR, exc.strerror or str(exc))


def parse_port(text: str | None) -> int:
    if text is None or text == "":
        return DEFAULT_PORT
    text = str(text).strip()
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise VMSError(C.CLI_NUMBER, segment=text.upper())
    return int(text)


# ---------------------------------------------------------------------------------------------
# The TELNET> prompt.
# ---------------------------------------------------------------------------------------------
def _quit(client, cmd) -> str:
    return QUIT


def _connect(client, cmd) -> str:
    host = cmd.param("HOST")
    if host is None:
        return RESUME
    return client.open(str(host), parse_port(cmd.param("PORT")))


COMMANDS = cld.CommandTable([
    Verb("QUIT", handler=_quit),
    Verb("EXIT", handler=_quit),
    Verb("CONNECT", parameters=(Parameter("HOST"), Parameter("PORT")), handler=_connect),
])


# ---------------------------------------------------------------------------------------------
# The client.
# ---------------------------------------------------------------------------------------------
class Client:
    """One TELNET command run: ``Client(dcl).run(host, port)`` returns the status."""

    def __init__(self, dcl) -> None:
        self.dcl = dcl
        self.out = _Output(dcl)
        self.input = None
        self.sessions = 0
        self.sock: socket.socket | None = None
        self.status = C.SS_NORMAL

    def run(self, host: str | None, port: int = DEFAULT_PORT,
            lines: list[str] | None = None) -> int:
        """Connect to host (None: start at the TELNET> prompt). The user's lines come from
        `lines` when given (a procedure's data lines), else from the interpreter's input."""
        if lines is not None:
            self.input = _StreamInput(io.StringIO("".join(f"{x}\n" for x in lines)), None)
        else:
            self.input = _input_for(self.dcl)
        try:
            if host is not None:
                return self.open(host, port)
            while self.prompt(in_session=False) != QUIT:
                pass
            return C.SS_NORMAL
        finally:
            self._close_socket()
            self.input.close(self.dcl)

    # -- the prompt -------------------------------------------------------------------------
    def prompt(self, in_session: bool) -> str:
        """TELNET> commands until one returns QUIT (leave TELNET) or RESUME (back to the
        session; without one, back to the prompt). An empty line resumes; an error asks
        again."""
        if self.input.terminal and in_session:
            self.out.write(b"\n")
        else:
            self.out.new_line()
        while True:
            self.out.write(b"TELNET> ")
            line = self.input.read_line()
            if line is None:
                self.out.write(b"\n")
                return QUIT
            self.out.at_line_start = True
            text = line.decode("latin-1").strip()
            if not text:
                return RESUME
            try:
                return self._command(text, in_session)
            except VMSError as err:
                for out in err.lines(self.dcl.message_flags):
                    if out[:5] in ("%DCL-", "-DCL-"):
                        out = out[0] + "CLI" + out[4:]
                    self.out.text(out + "\n")

    def _command(self, text: str, in_session: bool) -> str:
        token = text.split()[0].split("/")[0]
        verb = COMMANDS.lookup(token)
        cmd = cld.parse(verb, text[len(token):], verb.name)
        if in_session and verb.name == "CONNECT" and cmd.param("HOST") is not None:
            raise VMSError(C.CLI_MAXPARM, segment=str(cmd.param("HOST")).upper())
        result = verb.handler(self, cmd)
        return RESUME if isinstance(result, int) else result

    # -- a session --------------------------------------------------------------------------
    def open(self, host: str, port: int) -> int:
        """Connect and relay; returns the status of the session."""
        try:
            addresses = resolve(host, port)
            self.sock = self._connect(addresses)
        except VMSError as err:
            self.out.message(err)
            self.status = (err.status | C.INHIB_MSG) & 0xFFFFFFFF
            return self.status
        self.sessions += 1
        session = (self.sessions, host.lower(), port)
        self.out.message(VMSError(C.TELNET_SESSION, *session))
        self.status = self._relay(session)
        return self.status

    def _connect(self, addresses: list[tuple]) -> socket.socket:
        last: OSError | None = None
        for family, addr in addresses:
            self.out.message(VMSError(C.TELNET_TRYING, addr[0]))
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.settimeout(CONNECT_TIMEOUT)
            try:
                sock.connect(addr)
            except OSError as exc:
                sock.close()
                last = exc
                continue
            sock.settimeout(None)
            return sock
        assert last is not None
        raise VMSError(C.TELNET_CONNECTFAIL, secondary=(_reason(last),))

    def _close_socket(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None

    def _relay(self, session: tuple) -> int:
        sock = self.sock
        assert sock is not None
        codec = Codec()
        source = self.input
        selector = selectors.DefaultSelector()
        selector.register(sock, selectors.EVENT_READ, "net")
        watched: int | None = None
        last = time.monotonic()             # the last thing that happened
        awaiting = True                     # no answer yet to the greeting / the last line
        ended_at: float | None = None
        try:
            while True:
                now = time.monotonic()
                if ended_at is not None and now - ended_at >= EOF_GRACE:
                    self._close_socket()
                    return C.SS_NORMAL
                fd = source.fileno()
                if fd != watched:
                    if watched is not None:
                        selector.unregister(watched)
                    if fd is not None:
                        selector.register(fd, selectors.EVENT_READ, "input")
                    watched = fd
                timeout = None
                if source.paced and not source.ended and not source.pending:
                    wait = (ANSWER_WAIT if awaiting else QUIET) - (now - last)
                    if wait <= 0:
                        source.request()
                    else:
                        timeout = wait
                if ended_at is not None:
                    left = EOF_GRACE - (now - ended_at)
                    timeout = left if timeout is None else min(timeout, left)
                for key, _ in selector.select(timeout):
                    if key.data == "net":
                        try:
                            data = sock.recv(65536)
                        except OSError:
                            data = b""
                        if not data:
                            return self._remote_closed(codec, session)
                        shown, answer = codec.receive(data)
                        self.out.write(shown)
                        if answer and not self._send(answer):
                            return self._remote_closed(codec, session)
                        last = time.monotonic()
                        awaiting = False
                        continue
                    for event in source.events():
                        if event[0] == LINE:
                            if not self._send(Codec.line(event[1])):
                                return self._remote_closed(codec, session)
                            awaiting = True
                        elif event[0] == ESCAPED:
                            result = self.prompt(in_session=True)
                            if result == QUIT:
                                self._close_socket()
                                return C.SS_NORMAL
                            awaiting = False
                        elif ended_at is None:
                            ended_at = time.monotonic()
                            try:
                                sock.shutdown(socket.SHUT_WR)
                            except OSError:
                                pass
                        last = time.monotonic()
        finally:
            selector.close()

    def _send(self, data: bytes) -> bool:
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def _remote_closed(self, codec: Codec, session: tuple) -> int:
        self.out.write(codec.flush())
        self._close_socket()
        err = VMSError(C.TELNET_REMCLOSED, secondary=(VMSError(C.TELNET_SESSION, *session),))
        self.out.message(err)
        return (err.status | C.INHIB_MSG) & 0xFFFFFFFF


def telnet(dcl, host: str | None, port: int = DEFAULT_PORT,
           lines: list[str] | None = None) -> int:
    """Run TELNET for an interpreter (its input, or `lines`, and its output); returns the
    final status."""
    return Client(dcl).run(host, port, lines)


__all__ = ["Client", "Codec", "telnet", "resolve", "parse_port", "DEFAULT_PORT", "ESCAPE"]
