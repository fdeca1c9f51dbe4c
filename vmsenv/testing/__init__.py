"""Scripted DCL sessions and pytest fixtures, for testing one's own DCL procedures.

- ``DclSession`` (vmsenv.testing.session): an interactive ``dcl`` on a pseudo-terminal, driven
  with pexpect; ``run(command) -> (output, status)``, prompts of other programs
  (``UAF> ``, ``MAIL> ``, ``TELNET> ``), CTRL/Y, LOGOUT.
- ``make_root`` / ``VmsRoot`` (vmsenv.testing.roots): a fresh root with DKA200: mounted.
- ``start_pop_server`` / ``PopServer`` (vmsenv.testing.pop): the POP server, started and
  stopped through the root's own procedures.
- the pytest plugin (vmsenv.testing.plugin): fixtures ``vms_root``, ``dcl_session``,
  ``dcl_session_factory``, ``pop_server``, ``pop_server_logicals``.
"""

from vmsenv.testing.pop import (
    PopServer,
    PopServerError,
    PopServerUnavailable,
    configure_pop_service,
    free_port,
    start_pop_server,
)
from vmsenv.testing.roots import VmsRoot, add_account, dcl_output, make_root
from vmsenv.testing.session import (
    CONTINUATION_PROMPT,
    MAIL_PROMPT,
    PROMPT,
    TELNET_PROMPT,
    UAF_PROMPT,
    DclCommandError,
    DclSession,
    DclSessionError,
    DclTimeout,
    dcl_command,
    normalize,
)

__all__ = [
    "add_account",
    "dcl_output",
    "CONTINUATION_PROMPT", "MAIL_PROMPT", "PROMPT", "TELNET_PROMPT", "UAF_PROMPT",
    "DclCommandError", "DclSession", "DclSessionError", "DclTimeout", "PopServer",
    "PopServerError", "PopServerUnavailable", "VmsRoot", "configure_pop_service", "dcl_command",
    "free_port",
    "make_root", "normalize", "start_pop_server",
]
