"""The portal actor: the portal web app in its own process, signed in with the app's session.

Why a process of its own: the window shows pages from the network. Here they can reach
only what the registry grants the ``portal`` role (settings, the auth status and its two
bridge channels); the desktop views' data channels and the API credentials are refused
by the broker, and the ui process never holds the portal's cookies.

Qt WebEngine (the ``portal`` extra) is imported when the window first opens, so a
desktop that never shows the portal never starts Chromium. Without it, or if its page
process dies, the portal opens in the system browser and the reply says so.

The auth bridge, both ways: a ``wb_session`` cookie the portal's own login page sets
(portal origin, HttpOnly) goes to ``wb:auth:adoptSession``; a session signed in natively
comes from ``wb:auth:portalCookie`` into the off-the-record profile; signing out clears it.
"""

from __future__ import annotations

import asyncio
import os

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QApplication

from workbuoy import i18n
from workbuoy.actors.base import Actor, handles, on_event
from workbuoy.links import open_in_browser
from workbuoy.bus.errors import BusError
from workbuoy.bus.runtime import Endpoints
from workbuoy.config import Env
from workbuoy.qtloop import QtEventLoopPolicy
from workbuoy.schemas.auth import AuthState
from workbuoy.schemas.base import Empty
from workbuoy.schemas.envelope import SpawnSecrets
from workbuoy.schemas.portal import AdoptSession, PortalOpen, PortalStatus
from workbuoy.schemas.settings import Settings
from workbuoy.i18n import translate


class PortalActor(Actor):
    name = "portal"

    def __init__(self, env: Env, endpoints: Endpoints, spawn: SpawnSecrets) -> None:
        super().__init__(env, endpoints, spawn)
        # WebEngine may start later in this QApplication: it needs shared GL contexts from the start.
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        self.app = QApplication.instance() or QApplication(["workbuoy-portal"])
        self.app.setQuitOnLastWindowClosed(False)
        asyncio.set_event_loop_policy(QtEventLoopPolicy())
        self.window = None  # a PortalWindow once opened
        self.rule = None
        self.engine_error: str | None = None  # why WebEngine cannot be used, once known
        self._session: str | None = None  # the cookie value the profile holds

    async def start(self) -> None:
        """The ui's language for this process's window and notes (the same ``language`` setting)."""
        language = i18n.install(self.settings.language)
        self.log.info("portal language: %s (setting %s, system locale %s)", language, self.settings.language,
                      QLocale.system().name())

    async def stop(self) -> None:
        if self.window is not None:
            self.window.shut()

    # -- channels -------------------------------------------------------------------------

    @handles("wb:portal:open")
    async def open(self, request: PortalOpen, caller: str) -> PortalStatus:
        url = f"{self.settings.portal_origin}{self.env.portal_path}{request.path}"
        window = await self._engine()
        if window is None:
            self.log.info("portal opened in the system browser: %s", self.engine_error)
            opened = open_in_browser(url)
            note = (translate("Portal", "Qt WebEngine is not available ({reason}): the portal opened in the system browser")
                    if opened else translate("Portal", "Qt WebEngine is not available ({reason}) and the system browser "
                                                       "did not start")).format(reason=self.engine_error)
            return PortalStatus(engine="browser", url=url, note=note)
        window.go(url)
        return self._status()

    @handles("wb:portal:status")
    async def status(self, request: Empty, caller: str) -> PortalStatus:
        return self._status()

    def _status(self) -> PortalStatus:
        if self.window is None:
            return PortalStatus(engine="browser" if self.engine_error else "none", note=self.engine_error or "")
        url, title = self.window.current
        return PortalStatus(engine="webengine", visible=self.window.isVisible(), url=url or None, title=title[:1000])

    # -- the engine, started on first use ---------------------------------------------------

    async def _engine(self):
        if self.window is None and self.engine_error is None:
            if os.geteuid() == 0:  # Chromium's sandbox refuses to run as root
                os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
            try:
                from workbuoy.actors.portal.window import LinkRule, PortalWindow
            except ImportError as exc:
                self.engine_error = f"{exc.name or exc} is not installed: install the portal extra"
                return None
            self.rule = LinkRule(self.settings.portal_origin, list(self.settings.external_links))
            self.window = PortalWindow(self.rule, f"{self.env.portal_path}/", self._portal_signed_in)
            self.window.page().renderProcessTerminated.connect(self._page_died)
            self.log.info("Qt WebEngine started for the portal window")
            await self._take_session()
        return self.window

    def _page_died(self, status, code: int) -> None:
        """WebEngine cannot run here after all: from now on the portal opens in the system browser."""
        name = getattr(status, "name", str(status))
        if name == "NormalTerminationStatus":
            return
        url = self.window.current[0] or f"{self.settings.portal_origin}{self.env.portal_path}/"
        self.engine_error = f"its page process ended ({name}, exit code {code})"
        self.log.error("Qt WebEngine failed: %s; %s opens in the system browser", self.engine_error, url)
        self.window.hide()
        self.window.deleteLater()
        self.window = None
        open_in_browser(url)

    async def _take_session(self) -> None:
        """The app's session into the profile (or none): the portal shows the signed-in user."""
        try:
            cookie = await self.call("wb:auth:portalCookie")
        except BusError as exc:
            self.log.warning("no session for the portal window: %s", exc)
            return
        if cookie.origin == self.settings.portal_origin and cookie.value != self._session:
            self._session = cookie.value
            self.window.set_session(cookie.value)
            if cookie.value is not None:
                self.window.after_sign_in()

    def _portal_signed_in(self, cookie: str) -> None:
        if cookie != self._session:
            self._session = cookie
            self.after(0, lambda: self._adopt(cookie))

    async def _adopt(self, cookie: str) -> None:
        try:
            state = await self.call("wb:auth:adoptSession", AdoptSession(cookie=cookie), timeout=30)
        except BusError as exc:
            self.log.warning("the portal's session was not adopted: %s", exc)
            return
        self.log.info("signed in through the portal's own page: the app is %s", state.state)

    # -- events -----------------------------------------------------------------------------

    @on_event("wb:auth:state")
    async def auth_changed(self, state: AuthState) -> None:
        if self.window is None:
            return
        if state.state == "signed_in":
            await self._take_session()
        elif self._session is not None:
            self._session = None
            self.window.set_session(None)
            if self.window.isVisible():
                self.window.go(f"{self.settings.portal_origin}{self.env.portal_path}/")

    async def on_settings(self, settings: Settings) -> None:
        if self.rule is None:
            return
        moved = settings.portal_origin != self.rule.origin
        self.rule.origin, self.rule.external = settings.portal_origin, list(settings.external_links)
        if moved:  # the session of the old origin stays behind
            self._session = None
            self.window.set_session(None)
            self.window.hide()


ACTOR = PortalActor
