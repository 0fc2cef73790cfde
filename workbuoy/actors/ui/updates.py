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
from workbuoy.i18n import decimal, translate
from workbuoy.schemas.ui import Notify
from workbuoy.schemas.update import UpdateStatus

POLL_S = 0.5  # while a check the user started runs: how often its progress is shown


def describe(s: UpdateStatus) -> str:
    """The outcome line: up to date, downloading with progress, ready, refused with the reason, failed."""
    if s.checking:
        if s.downloaded_bytes:
            return translate("Updates", "Downloading {version}: {size} MB").format(
                version=s.version or translate("Updates", "the update"), size=decimal(s.downloaded_bytes / 1_000_000, 1))
        return translate("Updates", "Checking for updates…")
    fields = {"current": s.current, "version": s.version, "reason": s.reason, "detail": s.detail}
    match s.phase:
        case "up_to_date":
            text = translate("Updates", "Up to date ({current})")
        case "ready":
            text = translate("Updates", "Version {version} verified, ready to install")
        case "available":
            text = translate("Updates", "Version {version} is available ({detail})")
        case "refused":
            text = translate("Updates", "Update refused: {reason} ({detail})")
        case "failed":
            text = translate("Updates", "Update check failed: {detail}")
        case "applied":
            text = translate("Updates", "Updated to {current}")
        case "rolled_back":
            text = translate("Updates", "Update rolled back: {detail}")
        case _:
            text = translate("Updates", "Version {current}")
    return text.format(**fields)


class UpdateEntries:
    """Three tray menu entries, inserted before ``before``, and the "ready" notification (once per version)."""

    def __init__(self, bus: Bus, menu: QMenu, before: QAction, tell: Callable[[Notify], None]) -> None:
        self.bus, self._tell = bus, tell
        self.line = QAction(translate("Updates", "Updates: not checked yet"), menu)
        self.check_action = QAction(translate("Updates", "Check for updates"), menu)
        self.apply_action = QAction(translate("Updates", "Restart to update"), menu)
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
            restart = translate("Updates", "Restart to update to {version}").format(version=s.version)
            self.apply_action.setText(restart)
            if self._announced != s.version:
                self._announced = s.version
                self._tell(Notify(title=translate("Updates", "WorkBuoy {version} is ready").format(version=s.version),
                                  body=translate("Updates", "Choose “{entry}” in the tray menu.").format(entry=restart)))

    async def refresh(self) -> UpdateStatus | None:
        return await self._ask("wb:update:status")

    async def check(self) -> None:
        status = await self._ask("wb:update:check")
        while status is not None and status.checking:
            await asyncio.sleep(POLL_S)
            status = await self._ask("wb:update:status")

    async def apply(self) -> None:
        if await self._ask("wb:update:apply") is not None:
            self.line.setText(translate("Updates", "Restarting into the new version…"))

    async def _ask(self, channel: str) -> UpdateStatus | None:
        try:
            status = await self.bus.call(channel, timeout=30)
        except BusError as exc:
            self.line.setText(translate("Updates", "Updates: {reason}").format(reason=explain(exc)))
            return None
        self.show(status)
        return status
