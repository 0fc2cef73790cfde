"""The README's first command: sandbox + node + demo user, live status, a queued write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest

pytestmark = pytest.mark.timeout(300)

MILESTONES = ("[demo] signed in as demo@workbuoy.test: signed_in", "[sync] run 1 finished", "[demo] queued: deal",
              "cached rows 2000", "synced:1")


def test_demo_signs_in_syncs_and_flushes_a_write(tmp_path):
    env = {**os.environ, "WB_DATA_DIR": str(tmp_path / "demo"), "WB_METRICS_PORT": "0",
           "WB_KEYRING_BACKEND": "file", "WB_KEYRING_KEY": "demo-test"}
    demo = subprocess.Popen([sys.executable, "-m", "workbuoy", "demo", "--rows", "2000", "--duration", "240"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen: list[str] = []
    done = threading.Event()

    def read() -> None:
        for line in demo.stdout:
            seen.append(line)
            if all(any(m in s for s in seen) for m in MILESTONES):
                done.set()
        done.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert done.wait(200), "".join(seen)
        assert all(any(m in s for s in seen) for m in MILESTONES), "".join(seen)
    finally:
        demo.send_signal(signal.SIGINT)  # Ctrl-C: the demo stops the node and the sandbox it started
        assert demo.wait(90) == 0
    assert any("[demo] stopping" in s for s in seen)
