"""Screenshots of the desktop app for docs/screenshots/, taken under Xvfb with Qt's xcb platform.

Rerun after a change to the windows: ``bash deploy/screenshots.sh [--rows N]`` (it bootstraps first).
The sandbox is seeded with 200,000 rows (7 entities x 2 orgs) by default, so the windows show
what a real offline copy looks like; the main window, the record pane and the conflict view
are taken in light and in dark mode (``-dark.png``).
Starts its own X server, sandbox and desktop node in a temporary folder, types into the
sign-in window with xdotool as a person would, and grabs each window with ImageMagick.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import screenshots_status

from workbuoy.bus import runtime
from workbuoy.bus.client import Client
from workbuoy.bus.errors import BusError

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
DEMO = ("demo@workbuoy.test", "demo-password")


def wait(cond: Callable[[], Any], what: str, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := cond()):
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshots: timed out waiting for {what}")
        time.sleep(0.2)
    return value


class Desktop:
    def __init__(self, folder: Path, rows: int) -> None:
        self.folder = folder
        read, write = os.pipe()
        self.x = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1400x950x24", "-nolisten", "tcp"],
                                  pass_fds=(write,), stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as f:
            self.display = ":" + f.readline().strip()
        self.sandbox = subprocess.Popen([sys.executable, "-m", "workbuoy.sandbox", "--port", "0", "--rows", str(rows)],
                                        stdout=subprocess.PIPE, text=True)
        self.origin = self.sandbox.stdout.readline().removeprefix("sandbox listening on ").strip()
        self.env = {**os.environ, "DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb", "WB_DATA_DIR": str(folder / "data"),
                    "WB_PORTAL_BASE_URL": self.origin, "WB_KEYRING_BACKEND": "file", "WB_KEYRING_KEY": "screenshots",
                    "WB_METRICS_PORT": "0", "WB_SYNC_INITIAL_DELAY_SEC": "0"}
        self.node = subprocess.Popen([sys.executable, "-m", "workbuoy", "run"], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.bus = Client(runtime.Endpoints.local(runtime.folder_for(folder / "data")), timeout=60)

    def call(self, channel: str, payload: Any = None) -> Any:
        try:
            return self.bus.call(channel, payload)
        except BusError:
            return None

    def xdotool(self, *args: str) -> str:
        out = subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=60)
        return out.stdout.strip().split("\n")[0] if out.returncode == 0 else ""

    def window(self, title: str) -> str:
        return self.xdotool("search", "--onlyvisible", "--name", title)

    def grab_both(self, window: str, name: str) -> None:
        """``name``.png in light and ``name``-dark.png in dark mode, back in light after."""
        self.grab(window, f"{name}.png")
        screenshots_status.appearance(self, "dark", wait)
        self.grab(window, f"{name}-dark.png")
        screenshots_status.appearance(self, "light", wait)

    def grab(self, window: str, name: str) -> None:
        time.sleep(1.0)  # let the last paint land: a screenshot is the one place a short settle is right
        subprocess.run(["import", "-window", window, str(OUT / name)], env=self.env, check=True, timeout=60)
        print(f"screenshots: wrote docs/screenshots/{name}")

    def close(self) -> None:
        self.bus.close()
        for proc in (self.node, self.sandbox, self.x):
            proc.terminate()
            proc.wait(60)


def views(d: Desktop, main_window: str) -> None:
    """The record pane on a deal (opened by its deep link) and a conflict made on purpose:
    an offline edit of that deal while the server changes it too."""
    deal = d.call("wb:offline:getList", {"table": "deals", "limit": 1, "sort": "amount", "descending": True}).items[0]
    d.xdotool("windowsize", main_window, "1300", "760")
    d.call("wb:sup:deeplink", {"url": f"workbuoy://deals/{deal['id']}"})
    wait(lambda: d.window("^WorkBuoy — "), "the deal in the record pane")
    d.grab_both(main_window, "record")
    with httpx.Client(base_url=d.origin, timeout=30) as sandbox:
        conflict(d, sandbox, deal)
    d.xdotool("windowfocus", "--sync", main_window)
    d.xdotool("key", "--clearmodifiers", "ctrl+Next", "ctrl+Next", "ctrl+Next")  # deals -> the outbox tab
    wait(lambda: d.window("^WorkBuoy$"), "the outbox tab")
    d.grab_both(main_window, "conflict")


def conflict(d: Desktop, sandbox: httpx.Client, deal: dict[str, Any]) -> None:
    """The conflict without its notification: the popup would cover the window's corner in the shot."""
    d.call("wb:updateSettings", {"notificationsEnabled": False})
    sandbox.put("/_sandbox/faults", json={"outage": "drop"}).raise_for_status()
    d.call("wb:queue:create", {"entity": "deals", "op": "update", "entityId": deal["id"],
                               "payload": {"stage": "negotiation", "amount": deal["amount"] + 5000}})
    sandbox.put(f"/_sandbox/rows/deals/{deal['id']}", json={"stage": "proposal", "owner": "ola.nordmann@example.com"})
    sandbox.put("/_sandbox/faults", json={"outage": "none"}).raise_for_status()
    wait(lambda: any(i.conflicted for i in d.call("wb:queue:list", {"status": "failed"}).items), "the conflict")
    d.call("wb:updateSettings", {"notificationsEnabled": True})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="rows the sandbox is seeded with (default 200,000)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wb-shots-") as tmp:
        d = Desktop(Path(tmp), args.rows)
        try:
            signin = wait(lambda: d.window("^Sign in to WorkBuoy$"), "the sign-in window")
            d.xdotool("windowfocus", "--sync", signin)
            d.xdotool("type", "--delay", "20", DEMO[0])
            d.xdotool("key", "Tab")
            d.xdotool("type", "--delay", "20", DEMO[1])
            d.grab(signin, "signin.png")
            d.xdotool("key", "Return")
            wait(lambda: (s := d.call("wb:auth:status")) and s.state == "signed_in", "the sign-in")
            wait(lambda: (s := d.call("wb:sync:status")) and s.run_id >= 1 and not s.running, "the first sync", timeout=900)
            main_window = wait(lambda: d.window("^WorkBuoy$"), "the main window")
            d.xdotool("windowsize", main_window, "1100", "640")
            wait(lambda: d.call("wb:offline:getList", {"table": "deals", "limit": 1}), "deals in the offline copy")
            d.grab_both(main_window, "main")
            views(d, main_window)
            screenshots_status.take(d, OUT, wait)
            d.call("wb:portal:open", {"path": "/"})
            portal = wait(lambda: d.window(f"WorkBuoy - {DEMO[0]}"), "the portal home")
            d.grab(portal, "portal.png")
        finally:
            d.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
