"""The systemd units pass ``systemd-analyze verify``; the supervisor speaks sd_notify."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.node import HEADLESS_ACTORS

ROOT = Path(__file__).resolve().parents[1]
UNITS = ROOT / "deploy" / "systemd"
needs_systemd = pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")


def render(unit: Path, folder: Path, name: str | None = None) -> Path:
    """The unit as the installer writes it: /opt/workbuoy replaced by this environment's prefix."""
    out = folder / (name or unit.name)
    out.write_text(unit.read_text().replace("/opt/workbuoy", sys.prefix))
    return out


@needs_systemd
@pytest.mark.parametrize(("unit", "name", "user"), [
    ("workbuoy-node.service", None, True),
    ("workbuoy-node@.service", "workbuoy-node@alice.service", False),
])
def test_units_verify_without_a_warning(tmp_path: Path, unit: str, name: str | None, user: bool) -> None:
    path = render(UNITS / unit, tmp_path, name)
    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o700)
    cmd = ["systemd-analyze", *(["--user"] if user else []), "verify", "--man=no", str(path)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(run_dir), "HOME": str(tmp_path)})
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
    text = path.read_text()
    for line in ("Type=notify", "WatchdogSec=", "Restart=on-failure", "LoadCredentialEncrypted=wb_keyring_key",
                 "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "ReadWritePaths="):
        assert line in text, line


@needs_systemd
def test_verify_catches_a_broken_unit(tmp_path: Path) -> None:
    """The check above can fail: a misspelt key is reported."""
    bad = tmp_path / "bad.service"
    bad.write_text((UNITS / "workbuoy-node@.service").read_text().replace("/opt/workbuoy", sys.prefix).replace("Type=notify", "Typ=notify"))
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", str(bad)], capture_output=True, text=True, timeout=120)
    assert "Unknown key" in done.stderr


def test_ready_only_when_every_actor_is_and_the_watchdog_is_fed(node_factory, tmp_path: Path) -> None:
    address = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(address)
    sock.settimeout(60)
    node = node_factory(NOTIFY_SOCKET=address, WATCHDOG_USEC="400000")
    node.start(wait=False)
    try:
        messages = []
        while not any("READY=1" in m for m in messages):
            messages.append(sock.recv(4096).decode())
        status = node.status()  # asked right after READY: every actor already is
        assert all(status.actors[a].state == "ready" for a in HEADLESS_ACTORS), status
        assert f"MAINPID={node.proc.pid}" in messages[-1]
        pings, deadline = 0, time.monotonic() + 30
        while pings < 5 and time.monotonic() < deadline:
            pings += sock.recv(4096).decode() == "WATCHDOG=1"
        assert pings == 5
        node.proc.send_signal(signal.SIGTERM)
        while "STOPPING=1" not in (m := sock.recv(4096).decode()):
            pass
        assert "SIGTERM" in m
    finally:
        node.stop()
        sock.close()
