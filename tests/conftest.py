"""Shared fixtures: every test gets its own system root in a temporary directory."""

from __future__ import annotations

import pytest

from vmsenv import root as rootmod
from vmsenv.process import Process


@pytest.fixture
def root(tmp_path):
    return rootmod.init(tmp_path / "root")


@pytest.fixture
def process(root):
    proc = Process(root)
    yield proc
    proc.logout()
