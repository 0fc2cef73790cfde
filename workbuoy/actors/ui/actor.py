"""The ui actor: the desktop app (tray, windows, notifications) as one actor process.

Qt and asyncio share one loop (``qtloop``): the entry point runs ``asyncio.run(actor.run())``,
so the constructor, which runs just before, creates the ``QApplication`` and installs
the loop policy that makes that ``asyncio.run`` build a Qt-driven loop. Everything else
is an ordinary actor: the bus endpoint, heartbeats and handlers run unchanged, and the
windows call other actors through ``self.call``. PySide6 is imported only in this
package, so a headless node never loads Qt.
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QApplication

from workbuoy.actors.base import Actor, handles, on_event
from workbuoy.actors.ui import deeplink, notifications
from workbuoy.actors.ui.calls import explain, spawn
from workbuoy.actors.ui.main_window import MainWindow
from workbuoy.actors.ui.notifications import Notifier
from workbuoy.actors.ui.overlay import MiniBuoy
from workbuoy.actors.ui.qtloop import QtEventLoopPolicy
from workbuoy.actors.ui.settings_window import SettingsWindow
from workbuoy.actors.ui.tray import Tray
from workbuoy.bus.errors import BusError
from workbuoy.bus.runtime import Endpoints
from workbuoy.config import Env
from workbuoy.schemas.auth import AuthState
from workbuoy.schemas.control import DeepLink
from workbuoy.schemas.envelope import SpawnSecrets
from workbuoy.schemas.outbox import QueueChanged, QueueStuck, ServerState
from workbuoy.schemas.settings import Settings
from workbuoy.schemas.sync import CrmChange, SyncProgress
from workbuoy.schemas.ui import Notify, NotifyReply, OverlayState, OverlayToggle


class UiActor(Actor):
    name = "ui"

    def __init__(self, env: Env, endpoints: Endpoints, spawn_secrets: SpawnSecrets) -> None:
        super().__init__(env, endpoints, spawn_secrets)
        self.app = QApplication.instance() or QApplication(["workbuoy"])
        self.app.setApplicationName("WorkBuoy")
        self.app.setQuitOnLastWindowClosed(False)  # closing a window never ends the actor
        asyncio.set_event_loop_policy(QtEventLoopPolicy())
        self.main = MainWindow(self)
        self.settings_window = SettingsWindow(self)
        self.overlay = MiniBuoy(self)
        self.tray = Tray(open_main=self.main.open, sync_now=lambda: spawn(self.sync_now()),
                         toggle_overlay=lambda: self.overlay.set_visible(None), open_settings=self.open_settings,
                         quit_node=lambda: spawn(self.quit_node()))
        self.notifier = Notifier(self.tray.icon)

    async def start(self) -> None:
        self.settings_window.show_settings(self.settings)
        self.tray.show()
        spawn(self._show_auth())
        spawn(self._show_server())

    async def stop(self) -> None:
        self.tray.hide()
        for w in (self.overlay, self.settings_window, self.main, self.notifier.popup):
            w.hide()

    # -- tray actions ---------------------------------------------------------------------

    def open_settings(self) -> None:
        self.settings_window.show()
        self.settings_window.raise_()
        spawn(self.settings_window.load())

    async def sync_now(self) -> None:
        try:
            started = await self.call("wb:sync:start", {})
        except BusError as exc:
            self.tray.set_note(f"Sync not started: {explain(exc)}")
            return
        self.tray.set_note(f"Sync {started.run_id} {'already running' if started.already_running else 'started'}")

    async def quit_node(self) -> None:
        self.log.info("the user stops the node from the tray")
        try:
            await self.call("wb:sup:stop")
        except BusError as exc:
            self.tray.set_note(f"Could not stop the node: {explain(exc)}")

    async def _show_auth(self) -> None:
        try:
            self.tray.set_auth(await self.call("wb:auth:status"))
        except BusError as exc:
            self.tray.set_auth(AuthState(state="error", reason=explain(exc)))

    async def _show_server(self) -> None:
        try:
            self.tray.set_server((await self.call("wb:queue:status")).server)
        except BusError as exc:
            self.log.info("server state unknown until the queue says: %s", explain(exc))

    # -- channels -------------------------------------------------------------------------

    @handles("wb:notify")
    async def notify(self, request: Notify, caller: str) -> NotifyReply:
        if reason := notifications.refusal(self.settings, request.kind):
            return NotifyReply(shown=False, reason=reason)
        return NotifyReply(shown=True, reason=self.notifier.show(request, self.settings))

    @handles("wb:overlay:toggle")
    async def overlay_toggle(self, request: OverlayToggle, caller: str) -> OverlayState:
        return OverlayState(visible=self.overlay.set_visible(request.visible))

    # -- events ---------------------------------------------------------------------------

    async def on_settings(self, settings: Settings) -> None:
        self.settings_window.show_settings(settings)

    @on_event("wb:auth:state")
    async def auth_state(self, state: AuthState) -> None:
        self.tray.set_auth(state)

    @on_event("wb:sync:progress")
    async def sync_progress(self, progress: SyncProgress) -> None:
        self.tray.set_sync(progress)

    @on_event("wb:crm:changed")
    async def crm_changed(self, change: CrmChange) -> None:
        shown = self._notify(notifications.from_change(change))
        self.log.info("%s changed (%d new, %d updated): %s", change.entity, change.created, change.updated, shown)
        self.main.entity_changed(change.entity)

    @on_event("wb:queue:changed")
    async def queue_changed(self, changed: QueueChanged) -> None:
        self.main.queue_changed(changed.depth)

    @on_event("wb:server:state")
    async def server_state(self, state: ServerState) -> None:
        self.tray.set_server(state)

    @on_event("wb:queue:stuck")
    async def queue_stuck(self, stuck: QueueStuck) -> None:
        self.log.info("%d write(s) stuck: %s", stuck.count, self._notify(notifications.from_stuck(stuck)))

    def _notify(self, note: Notify) -> str:
        """Show ``note`` unless the settings forbid it; says which, for the log."""
        return notifications.refusal(self.settings, note.kind) or self.notifier.show(note, self.settings)

    @on_event("wb:ui:deeplink")
    async def deep_link(self, link: DeepLink) -> None:
        try:
            target = deeplink.parse(link.url)
        except ValueError as exc:
            self.log.warning("deep link %s refused: %s", link.url, exc)
            return
        shown = await self.main.open_target(target)
        row = "" if target.row_id is None else f", row {target.row_id} {'selected' if shown else 'not found'}"
        self.log.info("deep link %s opened the %s tab%s", link.url, target.entity, row)


ACTOR = UiActor
