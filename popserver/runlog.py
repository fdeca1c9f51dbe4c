"""POP_RUN.LOG: the POP server's log file, with levels, and its trace lines.

The server writes ``SYS$SYSDEVICE:[TCPIP$POP]POP_RUN.LOG`` (manual 19.6), a new version at
each start (`RunLog.create`, through the server process's files: the usual VMS version rules).
One line per event:

    29-NOV-2026 11:25:00.42 INFORMATIONAL main      POP server starting
    29-NOV-2026 11:25:03.10 THREAD        T1        connection 1 from 127.0.0.1 port 40112
    29-NOV-2026 11:25:03.11 TRACE         T1        < USER jones

the VMS absolute time (day blank-padded, as $ASCTIM prints it), the level (ERROR,
INFORMATIONAL, THREAD, DEBUG; TRACE for trace lines) padded to 13, the thread (``main``,
``accept``, or ``T``n for the client thread n; by default the calling thread) padded to 9, and
the text. A line is written when
its level is at or below the current level (TCPIP$POP_LOG_LEVEL, changed at run time by XTND
LOGLEVEL); trace lines (TCPIP$POP_TRACE) are written whatever the level, in the same file --
the manual names one log file, so the trace goes there too.

Choices: the file is written in ISO Latin-1, line by line, flushed after each line (several
threads write: a lock keeps lines whole and in order); control characters in a text (a client
can send any octet) are shown as ``?`` -- C0 but the tab, DEL, and C1 (0x80-0x9F, where NEL
would end a line for some readers). A file that cannot be written does not stop the server:
the error is kept (`write_error`) and lines go nowhere.

The log never sees a password. The client text that reaches it comes from the session's
events, and each is masked there (popserver.protocol, its "trace" choice): command lines in
Trace, CommandRejected and InternalError events show nothing after PASS, only the user name
after USER and APOP and the mechanism after AUTH, whatever separates them from the keyword;
SASL data is ``[SASL response]``; a line that is not a command is only its length before
login, and after login its first word when that has a keyword's shape; replies echo no client
text that could be a password (user names cut to 12 characters, message numbers, keywords).
Beyond those the server writes user names (logins and refusals), maildrop errors and the
XTND CLIENT text of a logged-in client; the session's tracebacks (InternalError) hold no
argument values.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Callable
from typing import TextIO

from popserver.config import LogLevel
from vmsenv import vmstime

LOG_SPEC = "SYS$SYSDEVICE:[TCPIP$POP]POP_RUN.LOG"
TRACE = "TRACE"
_CLEAN = {c: "?" for c in (*range(32), *range(127, 160)) if c != 9}


def clean(text: str) -> str:
    """Text fit for one log line: control characters shown as ``?``."""
    return text.translate(_CLEAN)


def thread_name() -> str:
    """The calling thread as the log names it: ``T``n or ``accept`` for the server's threads
    (named ``POP T``n, ``POP accept``), ``main`` for any other."""
    name = threading.current_thread().name
    return name[4:] if name.startswith("POP ") else "main"


def format_line(when: _dt.datetime, level: str, thread: str, text: str) -> str:
    return f"{vmstime.format_ftime(vmstime.truncate(when))} {level:<13} {thread:<9} {clean(text)}"


class RunLog:
    """The log of one server run. Thread-safe."""

    def __init__(self, stream: TextIO | None, level: LogLevel = LogLevel.INFORMATIONAL, *,
                 trace: bool = False, spec: str = "",
                 clock: Callable[[], _dt.datetime] = _dt.datetime.now):
        self._stream = stream
        self._lock = threading.Lock()
        self.level = level
        self.trace_enabled = trace
        self.spec = spec
        """The full VMS specification of the file (for messages)."""
        self._clock = clock
        self.write_error: OSError | None = None

    @classmethod
    def create(cls, process, level: LogLevel = LogLevel.INFORMATIONAL, *,
               trace: bool = False, spec: str = LOG_SPEC) -> RunLog:
        """A new version of POP_RUN.LOG through the process's files. Raises files.FileError
        (a VMSError) when it cannot be created."""
        ref = process.files.create(spec, process_default=process.process_default())
        stream = open(ref.path, "w", encoding="latin-1", errors="replace", newline="\n")
        return cls(stream, level, trace=trace, spec=ref.spec)

    def enabled(self, level: LogLevel) -> bool:
        return level <= self.level

    def write(self, level: LogLevel | str, text: str, thread: str | None = None) -> None:
        """One line at a level (a LogLevel, or TRACE); thread defaults to the caller's."""
        if isinstance(level, LogLevel):
            if level > self.level:
                return
            name = level.name
        else:
            if not self.trace_enabled:
                return
            name = level
        line = format_line(self._clock(), name, thread or thread_name(), text)
        with self._lock:
            if self._stream is None:
                return
            try:
                self._stream.write(line + "\n")
                self._stream.flush()
            except (OSError, ValueError) as exc:
                self.write_error = exc if isinstance(exc, OSError) else OSError(str(exc))
                self._stream = None

    def error(self, text: str, thread: str | None = None) -> None:
        self.write(LogLevel.ERROR, text, thread)

    def info(self, text: str, thread: str | None = None) -> None:
        self.write(LogLevel.INFORMATIONAL, text, thread)

    def thread(self, text: str, thread: str | None = None) -> None:
        self.write(LogLevel.THREAD, text, thread)

    def debug(self, text: str, thread: str | None = None) -> None:
        self.write(LogLevel.DEBUG, text, thread)

    def trace(self, direction: str, text: str, thread: str | None = None) -> None:
        """A trace line: direction ``<`` (from the client) or ``>`` (to it)."""
        self.write(TRACE, f"{direction} {text}", thread)

    def close(self) -> None:
        with self._lock:
            if self._stream is not None:
                try:
                    self._stream.close()
                except OSError:
                    pass
                self._stream = None


__all__ = ["LOG_SPEC", "RunLog", "clean", "format_line", "thread_name"]
