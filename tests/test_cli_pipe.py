"""Every command stops quietly when its reader goes away (`workbuoy status | head`)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.fixtures.node import Node

pytestmark = pytest.mark.timeout(120)

#: A closed loopback port: the node never reaches the internet.
OFFLINE = {"WB_PORTAL_BASE_URL": "http://127.0.0.1:9/portal", "WB_API_BASE_URL": "http://127.0.0.1:9/api"}


def run_into_a_closed_pipe(node: Node, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``workbuoy ARGS`` with a stdout whose reader has already gone: its first write fails with EPIPE."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "workbuoy", *args], env=node.env, stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write)


def test_a_closed_pipe_ends_every_command_quietly(node_factory) -> None:
    node = node_factory(**OFFLINE).start()
    for args in (("status",), ("status", "--json"), ("schemas",), ("call", "wb:sync:status")):
        out = run_into_a_closed_pipe(node, *args)
        assert out.stderr == "" and out.returncode == 141, (args, out)
    out = subprocess.run(["bash", "-c", f"{sys.executable} -m workbuoy status | head -1"], env=node.env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("supervisor pid") and out.stderr == "", out
