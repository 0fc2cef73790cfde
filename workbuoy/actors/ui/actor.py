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

from PySide6.QtCore import QLocale
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from workbuoy import i18n, metrics
from workbuoy.actors.base import Actor, handles, on_event
from workbuoy.actors.ui import deeplink, status_model
from workbuoy.actors.ui.alerts import Alerts
from workbuoy.actors.ui.calls import explain, spawn
from workbuoy.i18n import translate
from workbuoy.actors.ui.main_window import MainWindow
from workbuoy.actors.ui.notifications import Notifier
from workbuoy.actors.ui.overlay import MiniBuoy
from workbuoy.actors.ui.style import Look
from workbuoy.qtloop import QtEventLoopPolicy
from workbuoy.actors.ui.settings_window import SettingsWindow
from workbuoy.actors.ui.signin_window import SignInWindow
from workbuoy.actors.ui.status_feed import StatusFeed
from workbuoy.actors.ui.tray import Tray
from workbuoy.actors.ui.updates import UpdateEntries
from workbuoy.bus.errors import BusError
from workbuoy.bus.runtime import Endpoints
from workbuoy.config import Env
from workbuoy.links import open_in_browser
from workbuoy.schemas.auth import AuthState
from workbuoy.schemas.base import Empty
from workbuoy.schemas.control import ActorStatus, DeepLink
from workbuoy.schemas.envelope import SpawnSecrets
from workbuoy.schemas.outbox import QueueChanged, QueueFailed, QueueStuck, ServerState
from workbuoy.schemas.settings import Settings
from workbuoy.schemas.sync import CrmChange, SyncProgress
from workbuoy.schemas.update import UpdateStatus
from workbuoy.schemas.ui import Notify, NotifyReply, OverlayState, OverlayToggle, WindowsShown


class UiActor(Actor):
    name = "ui"

    def __init__(self, env: Env, endpoints: Endpoints, spawn_secrets: SpawnSecrets) -> None:
        super().__init__(env, endpoints, spawn_secrets)
        self.app = QApplication.instance() or QApplication(["workbuoy"])
        self.app.setApplicationName("WorkBuoy")
        self.app.setQuitOnLastWindowClosed(False)  # closing a window never ends the actor
        asyncio.set_event_loop_policy(QtEventLoopPolicy())
        self.auth = AuthState(state="signed_out")
        self._browser_note_shown = False

    def _build(self) -> None:
        """The windows, made once the settings (and so the language) are known: ``start``."""
        self.look = Look(self.app)
        self.state_model = status_model.shared()
        self.main = MainWindow(self, sign_in=self.open_sign_in, open_portal=self.open_portal, open_settings=self.open_settings)
        self.settings_window = SettingsWindow(self)
        self.overlay = MiniBuoy(self, self.main.tabs.currentWidget)
        self.overlay_key = self.overlay.shortcut_on(self.main)
        self.signin = SignInWindow(self, self._signed_in)
        self.tray = Tray(open_main=self.main.open, sync_now=lambda: spawn(self.sync_now()),
                         toggle_overlay=self.overlay.toggle, open_settings=self.open_settings,
                         quit_node=lambda: spawn(self.quit_node()), sign_in=self.open_sign_in,
                         sign_out=lambda: spawn(self.sign_out()), open_portal=lambda: self.open_portal("/"))
        self.notifier = Notifier(self.tray.icon)
        self.alerts = Alerts(self.notifier, lambda: self.settings, self.main.open_target, self.open_outbox,
                             self.open_sign_in)
        self.updates = UpdateEntries(self, self.tray.menu, self.tray.updates_anchor, self._tell)
        self.feed = StatusFeed(self, self.state_model, self.alerts, self.log)
        self.main.orgs.currentTextChanged.connect(self.feed.org_shown)

    async def start(self) -> None:
        language = i18n.install(self.settings.language)
        self.log.info("ui language: %s (setting %s, system locale %s)", language, self.settings.language,
                      QLocale.system().name())
        self._build()
        await self.on_settings(self.settings)
        self.tray.show()
        spawn(self._show_auth())
        spawn(self.feed.server())
        spawn(self.feed.history())
        spawn(self.updates.refresh())

    async def stop(self) -> None:
        self.tray.hide()
        for w in (self.overlay, self.settings_window, self.main, self.signin, self.notifier.popup):
            w.hide()

    def _windows(self):
        return (self.signin, self.main, self.settings_window, self.overlay)

    # -- tray actions ---------------------------------------------------------------------

    def open_outbox(self) -> None:
        self.main.open()
        self.main.tabs.setCurrentWidget(self.main.queue)

    def open_settings(self) -> None:
        self.settings_window.show()
        self.settings_window.raise_()
        spawn(self.settings_window.load())

    async def sync_now(self) -> None:
        try:
            started = await self.call("wb:sync:start", {})
        except BusError as exc:
            self.tray.set_note(translate("Tray", "Sync not started: {reason}").format(reason=explain(exc)))
            return
        self.tray.set_note(translate("Tray", "Syncing already") if started.already_running else translate("Tray", "Sync started"))

    async def quit_node(self) -> None:
        self.log.info("the user stops the node from the tray")
        try:
            await self.call("wb:sup:stop")
        except BusError as exc:
            self.tray.set_note(translate("Tray", "Could not stop the node: {reason}").format(reason=explain(exc)))

    async def _show_auth(self) -> None:
        """At start: the tray's state, and the sign-in window when nobody is signed in."""
        try:
            state = await self.call("wb:auth:status", timeout=30)
        except BusError as exc:
            self.state_model.set_auth(AuthState(state="error", reason=explain(exc)))
            return
        await self.auth_state(state)

    # -- signing in and out ---------------------------------------------------------------

    def open_sign_in(self, reason: str = "") -> None:
        if not self.signin.isVisible():
            self.log.info("sign-in window shown%s", f" ({reason})" if reason else "")
        self.signin.prepare(self.settings, first_sign_in=not self.auth.known_user, reason=reason)
        self.signin.open()

    def _signed_in(self, state: AuthState) -> None:
        self.log.info("signed in from the sign-in window")
        self.main.open()

    async def sign_out(self) -> None:
        self.log.info("the user signs out from the tray")
        try:
            await self.call("wb:auth:logout", timeout=30)
        except BusError as exc:
            self.tray.set_note(translate("Tray", "Sign-out incomplete: {reason}").format(reason=explain(exc)))

    def open_portal(self, path: str) -> None:
        spawn(self._open_portal(path))

    async def _open_portal(self, path: str) -> None:
        """The portal window; without the portal actor, the system browser (said once)."""
        try:
            shown = await self.call("wb:portal:open", {"path": path}, timeout=30)
            url, note = shown.url, shown.note
        except BusError as exc:
            url = f"{self.settings.portal_origin}{self.env.portal_path}{path}"
            note = translate("Tray", "The portal window is not available ({reason}): the portal opened in the system browser."
                             ).format(reason=explain(exc))
            open_in_browser(url)
        self.log.info("portal %s opened%s", url, f" ({note})" if note else "")
        if note and not self._browser_note_shown:
            self._browser_note_shown = True
            self._tell(Notify(title=translate("Tray", "Portal opened in your browser"), body=note, kind="info"))

    def _tell(self, note: Notify) -> None:
        """A notification of the app's own, under the same rules as ``wb:notify``."""
        self.log.info("notification %s", str(self.alerts.tell(note)))

    # -- channels -------------------------------------------------------------------------

    @handles("wb:notify")
    async def notify(self, request: Notify, caller: str) -> NotifyReply:
        told = self.alerts.tell(request)
        return NotifyReply(shown=told.shown, reason=told.how)

    @handles("wb:overlay:toggle")
    async def overlay_toggle(self, request: OverlayToggle, caller: str) -> OverlayState:
        return OverlayState(visible=self.overlay.set_visible(request.visible))

    @handles("wb:ui:windows")
    async def windows(self, request: Empty, caller: str) -> WindowsShown:
        titles = [w.windowTitle() for w in self._windows() if w.isVisible()]
        return WindowsShown(titles=titles, sign_in_message=self.signin.message.text() if self.signin.isVisible() else "",
                            tray=self.tray.auth_line.text(),  # the status lines follow in tray_menu
                            tray_menu=[a.text() for a in self.tray.menu.actions() if a.isVisible() and a.text()],
                            overlay_status=self.overlay.status.text(), overlay_answers=self.overlay.answered)

    # -- events ---------------------------------------------------------------------------

    async def on_settings(self, settings: Settings) -> None:
        self.settings_window.show_settings(settings)
        self.look.apply(settings.appearance)
        self.overlay_key.setKey(QKeySequence(settings.mini_buoy_shortcut))

    @on_event("wb:auth:state")
    async def auth_state(self, state: AuthState) -> None:
        before, self.auth = self.auth.state, state
        self.state_model.set_auth(state)
        self.overlay.set_signed_in(state.state == "signed_in")
        if state.state == "signed_in":
            self.signin.hide()
            spawn(self.feed.orgs())
            if before != "signed_in":
                self.main.signed_in()
                if not self.tray.shown():  # no tray icon to open it from: the window is the way in
                    self.main.open()
            return
        self.main.signed_out()
        if state.state == "expired" and before == "signed_in":
            self.log.info("session expired: %s", str(self.alerts.expired(state.reason)))
        if before != state.state or state.state == "signed_out":
            self.open_sign_in(state.reason)

    @on_event("wb:update:changed")
    async def update_changed(self, status: UpdateStatus) -> None:
        self.updates.show(status)

    @on_event("wb:sup:actor")
    async def actor_changed(self, status: ActorStatus) -> None:
        """Auth (re)started after us: ask again, so the tray and the sign-in window are right."""
        if status.name == "auth" and status.state == "ready":
            await self._show_auth()

    @on_event("wb:sync:progress")
    async def sync_progress(self, progress: SyncProgress) -> None:
        self.state_model.add_progress(progress)
        if progress.finished:
            self.main.synced()
            spawn(self.feed.orgs())
            self.log.info("sync %d ended: %s", progress.run_id, str(self.alerts.sync_ended()))

    @on_event("wb:crm:changed")
    async def crm_changed(self, change: CrmChange) -> None:
        told = self.alerts.crm_changed(change)
        metrics.crm_notifications.labels(change.entity, "shown" if told.shown else "merged" if change.summary else "refused").inc()
        self.log.info("%s changed (%d new, %d updated): %s", change.entity, change.created, change.updated, str(told))
        self.main.entity_changed(change.entity)

    @on_event("wb:queue:changed")
    async def queue_changed(self, changed: QueueChanged) -> None:
        self.state_model.set_depth(changed.depth)
        self.main.queue_changed(changed.depth)

    @on_event("wb:server:state")
    async def server_state(self, state: ServerState) -> None:
        self.state_model.set_server(state)

    @on_event("wb:queue:stuck")
    async def queue_stuck(self, stuck: QueueStuck) -> None:
        self.log.info("%d write(s) stuck: %s", stuck.count, str(self.alerts.stuck(stuck)))

    @on_event("wb:queue:failed")
    async def queue_failed(self, failed: QueueFailed) -> None:
        what = "conflict" if failed.conflicted else "failed write"
        self.log.info("%s %d (%s/%s): %s", what, failed.id, failed.entity or failed.qtype, failed.entity_id,
                      str(self.alerts.write_failed(failed)))

    @on_event("wb:ui:deeplink")
    async def deep_link(self, link: DeepLink) -> None:
        try:
            target = deeplink.parse(link.url)
        except ValueError as exc:
            self.log.warning("deep link %s refused: %s", link.url, exc)
            return
        if isinstance(target, deeplink.PortalTarget):
            await self._open_portal(target.path)
            return
        shown = await self.main.open_target(target)
        row = "" if target.row_id is None else f", row {target.row_id} {'selected' if shown else 'not found'}"
        self.log.info("deep link %s opened the %s tab%s", link.url, target.entity, row)


ACTOR = UiActor
