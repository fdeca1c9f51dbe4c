"""The thread behind a session's watchers (OPCOM messages, new-mail notices).

A ``GenerationWatcher`` is a daemon thread with its own connection to the shared database: every
`interval` seconds it reads the shared change counter (one memory word) and, only when the counter
moved, calls ``poll(db)``, which shows what is new. A poll that fails with an SQLite error (the
database busy or locked) is tried again at the next tick, the counter not counted as seen.

Subclasses set ``root`` and ``interval`` and define ``poll``; ``prepare()`` runs in the starting
thread before the watcher thread starts (a subclass creates its tables there).
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Self


class GenerationWatcher:
    """A thread calling ``poll(db)`` whenever the shared change counter of ``root`` moves."""

    root = None
    interval: float = 0.1

    def __init__(self, name: str):
        self._name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def prepare(self) -> None:
        """Called by ``start`` before the thread starts."""

    def poll(self, db: sqlite3.Connection):
        raise NotImplementedError

    def start(self) -> Self:
        self.prepare()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        generation = self.root.store.generation
        db = sqlite3.connect(str(self.root.db_path), timeout=30, isolation_level=None,
                             check_same_thread=False)
        try:
            seen = None
            while not self._stop.is_set():
                now = generation.read()
                if now != seen:
                    try:
                        self.poll(db)
                        seen = now
                    except sqlite3.Error:
                        pass
                self._stop.wait(self.interval)
        finally:
            db.close()


__all__ = ["GenerationWatcher"]
