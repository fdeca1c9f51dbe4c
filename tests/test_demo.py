"""The main job: `vmsenv demo` boots a root with POP up and a demo mailbox; shutdown ends it."""

from __future__ import annotations

import poplib
import ssl
import subprocess
import sys

from vmsenv import root as rootmod
from vmsenv.processes import Registry
from vmsenv.testing import free_port


def vmsenv(*args):
    return subprocess.run([sys.executable, "-m", "vmsenv.cli", *args], capture_output=True,
                          text=True, timeout=120)


def test_demo_serves_the_demo_mailbox_then_shuts_down(tmp_path):
    target = tmp_path / "demo"
    port, ssl_port = free_port(), free_port()
    result = vmsenv("demo", str(target), "--port", str(port), "--ssl-port", str(ssl_port))
    try:
        assert result.returncode == 0, result.stdout + result.stderr
        assert "%TCPIP-I-POPSTARTED" in result.stdout
        assert f"127.0.0.1 port {port}" in result.stdout
        context = ssl._create_unverified_context()
        client = poplib.POP3_SSL("127.0.0.1", ssl_port, context=context, timeout=30)
        client.user("jones")
        client.pass_("vmsdemo")
        count, _ = client.stat()
        assert count == 3
        lines = client.top(2, 0)[1]
        assert b"Subject: Quarterly figures (with an attachment)" in lines
        client.rset()
        client.quit()
        again = vmsenv("demo", str(target), "--port", str(port), "--ssl-port", str(ssl_port))
        assert again.returncode == 0 and "3 messages in NEWMAIL" in again.stdout
    finally:
        down = vmsenv("shutdown", "--root", str(target))
    assert down.returncode == 0, down.stdout + down.stderr
    assert Registry(rootmod.Root(target).store).all() == []


def test_demo_says_so_when_its_port_belongs_to_another_program(tmp_path):
    import socket

    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    target = tmp_path / "demo"
    try:
        result = vmsenv("demo", str(target), "--port", str(port), "--ssl-port", str(free_port()))
        assert result.returncode == 1
        assert "%VMSENV-W-NOTUP, the POP server does not answer on port" in result.stdout
    finally:
        holder.close()
        vmsenv("shutdown", "--root", str(target))
