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
        reach = _reach_lines(seen)
        assert [line.split()[-1] if "call" not in line else "call" for line in reach] == ["status", "trace", "call"]
        assert all(line.startswith(f"WB_DATA_DIR={tmp_path / 'demo'} ") for line in reach), reach
        _run_from_another_terminal(reach)
    finally:
        demo.send_signal(signal.SIGINT)  # Ctrl-C: the demo stops the node and the sandbox it started
        assert demo.wait(90) == 0
    assert any("[demo] stopping" in s for s in seen)


def _reach_lines(seen: list[str]) -> list[str]:
    """The commands the demo printed, once ready, to reach its node from another terminal."""
    start = next(i for i, line in enumerate(seen) if line.startswith("[demo] from another terminal:"))
    return [line.strip() for line in seen[start + 1:start + 4]]


def _run_from_another_terminal(reach: list[str]) -> None:
    """Each printed line, pasted into a shell that knows nothing of the demo, reaches its node."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WB_")}
    status, trace, call = reach
    out = subprocess.run(["bash", "-c", status], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "sync" in out.stdout and "ready" in out.stdout, out
    out = subprocess.run(["bash", "-c", call], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "runId" in out.stdout, out
    tracer = subprocess.Popen(["bash", "-c", f"exec env {trace}"], env=env, stdout=subprocess.PIPE, text=True)
    try:  # the demo's status line every 5 s crosses the bus, so a line comes soon
        line = tracer.stdout.readline()
        assert "wb:" in line, line
    finally:
        tracer.terminate()
        tracer.wait(30)
