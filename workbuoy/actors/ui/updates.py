"""The tray's update entries: "Check for updates", the outcome line, and "Restart to update
to X" once the supervisor has a verified update staged (``wb:update:*``, ``docs/update.md``).

The supervisor does the checking, downloading and verifying; this only shows its
``UpdateStatus`` and asks. While a check the user started runs, the status is polled
so the download's progress shows even where events arrive late; every
``wb:update:changed`` event is shown as well (periodic checks).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from workbuoy.actors.ui.calls import Bus, explain, spawn
from workbuoy.bus.errors import BusError
from workbuoy.schemas.ui import Notify
from workbuoy.schemas.update import UpdateStatus

POLL_S = 0.5  # while a check the user started runs: how often its progress is shown


def describe(s: UpdateStatus) -> str:
    """The outcome line: up to date, downloading with progress, ready, refused with the reason, failed."""
    if s.checking:
        if s.downloaded_bytes:
            return f"Downloading {s.version or 'the update'}: {s.downloaded_bytes / 1_000_000:.1f} MB"
        return "Checking for updates…"
    match s.phase:
        case "up_to_date":
            return f"Up to date ({s.current})"
        case "ready":
            return f"Version {s.version} verified, ready to install"
        case "available":
            return f"Version {s.version} is available ({s.detail})"
        case "refused":
            return f"Update refused: {s.reason} ({s.detail})"
        case "failed":
            return f"Update check failed: {s.detail}"
        case "applied":
            return f"Updated to {s.current}"
        case "rolled_back":
            return f"Update rolled back: {s.detail}"
    return f"Version {s.current}"


class UpdateEntries:
    """Three tray menu entries, inserted before ``before``, and the "ready" notification (once per version)."""

    def __init__(self, bus: Bus, menu: QMenu, before: QAction, tell: Callable[[Notify], None]) -> None:
        self.bus, self._tell = bus, tell
        self.line, self.check_action, self.apply_action = (
            QAction(text, menu) for text in ("Updates: not checked yet", "Check for updates", "Restart to update"))
        menu.insertActions(before, [self.line, self.check_action, self.apply_action])
        self.line.setEnabled(False)
        self.check_action.triggered.connect(lambda: spawn(self.check()))
        self.apply_action.triggered.connect(lambda: spawn(self.apply()))
        self.apply_action.setVisible(False)
        self._announced: str | None = None

    def show(self, s: UpdateStatus) -> None:
        self.line.setText(describe(s))
        self.check_action.setEnabled(not s.checking)
        ready = s.phase == "ready" and not s.checking and s.version is not None
        self.apply_action.setVisible(ready)
        if ready:
            self.apply_action.setText(f"Restart to update to {s.version}")
            if self._announced != s.version:
                self._announced = s.version
                self._tell(Notify(title=f"WorkBuoy {s.version} is ready",
                                  body=f"Choose \"Restart to update to {s.version}\" in the tray menu."))

    async def refresh(self) -> UpdateStatus | None:
        return await self._ask("wb:update:status")

    async def check(self) -> None:
        status = await self._ask("wb:update:check")
        while status is not None and status.checking:
            await asyncio.sleep(POLL_S)
            status = await self._ask("wb:update:status")

    async def apply(self) -> None:
        if await self._ask("wb:update:apply") is not None:
            self.line.setText("Restarting into the new version…")

    async def _ask(self, channel: str) -> UpdateStatus | None:
        try:
            status = await self.bus.call(channel, timeout=30)
        except BusError as exc:
            self.line.setText(f"Updates: {explain(exc)}")
            return None
        self.show(status)
        return status
