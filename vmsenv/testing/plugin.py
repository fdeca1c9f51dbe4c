"""pytest fixtures for testing DCL procedures in a vmsenv root.

The plugin is registered with pytest through the ``pytest11`` entry point of the vmsenv
distribution, so installing vmsenv makes the fixtures available in every test; where plugin
autoloading is off (``PYTEST_DISABLE_PLUGIN_AUTOLOAD``), load it with ``-p vmsenv.testing.plugin``
or ``pytest_plugins = ["vmsenv.testing.plugin"]`` in the top-level conftest.py.  The entry
point bears the module's name, so naming the plugin both ways is harmless, and
``-p no:vmsenv.testing.plugin`` turns it off.

Fixtures (all function-scoped: every test gets its own system):

- ``vms_root``: a ``VmsRoot`` -- a fresh root (``vmsenv init``) in ``tmp_path / "root"`` with
  DKA200: mounted on ``tmp_path / "dka200"``; ``vms_root.write_file("TEST.COM", text)`` puts a
  procedure on DKA200:.
- ``dcl_session``: a ``DclSession`` for SYSTEM in ``vms_root``, default directory
  DKA200:[000000], closed after the test.
- ``dcl_session_factory``: ``dcl_session_factory(user="SYSTEM", privileges=None, **kwargs)``
  opens further sessions in ``vms_root`` (other users, several at once), all closed after the
  test.
- ``pop_server``: a ``PopServer`` (``host``, ``port``, ``ssl_port``) started through the root's
  own ``@SYS$STARTUP:TCPIP$POP_STARTUP`` (see vmsenv.testing.pop) and shut down with
  ``@SYS$STARTUP:TCPIP$POP_SHUTDOWN`` after the test.  Until the POP startup procedure ships
  with vmsenv, a root has none and the tests that use the fixture are skipped with that reason.
- ``pop_server_logicals``: the ``TCPIP$POP_*`` logical names (a dict) that ``pop_server``
  defines with DEFINE/SYSTEM before the startup; empty unless a test module or conftest.py
  overrides the fixture.
"""

from __future__ import annotations

import pytest

from vmsenv.testing.pop import PopServerUnavailable, start_pop_server
from vmsenv.testing.roots import VmsRoot, make_root
from vmsenv.testing.session import DclSession


@pytest.fixture
def vms_root(tmp_path) -> VmsRoot:
    """A fresh system root with DKA200: mounted on another temporary directory."""
    return make_root(tmp_path / "root", dka200=tmp_path / "dka200")


@pytest.fixture
def dcl_session_factory(vms_root):
    """Open DclSessions in vms_root: ``dcl_session_factory(user="JONES")``."""
    sessions: list[DclSession] = []

    def open_session(user: str = "SYSTEM", privileges: str | None = None,
                     **kwargs) -> DclSession:
        kwargs.setdefault("cwd", vms_root.dka200)
        session = DclSession(vms_root, user=user, privileges=privileges, **kwargs)
        sessions.append(session)
        return session

    yield open_session
    for session in sessions:
        session.close()


@pytest.fixture
def dcl_session(dcl_session_factory) -> DclSession:
    """A DCL session for SYSTEM in vms_root, in DKA200:[000000]."""
    return dcl_session_factory()


@pytest.fixture
def pop_server_logicals() -> dict[str, str]:
    """TCPIP$POP_* logical names for pop_server (override to configure the server)."""
    return {}


@pytest.fixture
def pop_server(vms_root, pop_server_logicals):
    """The root's POP server, started and stopped by its own DCL procedures."""
    try:
        server = start_pop_server(vms_root, logicals=pop_server_logicals)
    except PopServerUnavailable as missing:
        pytest.skip(f"pop_server: {missing} (the fixture becomes available when the POP "
                    f"startup procedure ships with vmsenv)")
    yield server
    server.stop()
