"""The portal window: a QWebEngineView on an off-the-record profile, with the link rule enforced.

Imported only when the window first opens (``PortalActor._engine``): this module pulls in
Qt WebEngine, and with it Chromium's processes and memory. Everything the page may ask
for beyond showing itself is refused: navigations away from the portal origin, new
windows, permissions (camera, microphone, geolocation, notifications, ...).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QUrl, QUrlQuery
from PySide6.QtNetwork import QNetworkCookie
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from shiboken6 import delete

from workbuoy import logs as wblog
from workbuoy.i18n import translate
from workbuoy.links import judge, open_in_browser
from workbuoy.schemas.settings import origin_of

log = wblog.create("portal.window")
COOKIE = b"wb_session"
_OFF = (QWebEngineSettings.WebAttribute.JavascriptCanOpenWindows, QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls,
        QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, QWebEngineSettings.WebAttribute.PluginsEnabled,
        QWebEngineSettings.WebAttribute.ScreenCaptureEnabled, QWebEngineSettings.WebAttribute.JavascriptCanAccessClipboard)


class LinkRule:
    """The live portal origin and ``externalLinks`` list (settings change at run time)."""

    def __init__(self, origin: str, external: list[str]) -> None:
        self.origin, self.external = origin, external

    def apply(self, url: str, *, popup: bool) -> bool:
        """True if the page may load ``url`` itself; otherwise hand it on or refuse it, with a log line."""
        verdict = judge(url, self.origin, self.external, popup=popup)
        if verdict == "external":
            log.info("link to %s opened in the system browser (its host is on externalLinks)", url)
            open_in_browser(url)
        elif verdict == "refuse":
            log.warning("link to %s refused: not the portal origin %s and its host is not on externalLinks",
                        url, self.origin)
        return verdict == "load"


class PortalPage(QWebEnginePage):
    def __init__(self, profile: QWebEngineProfile, rule: LinkRule, parent: QWebEngineView | None = None) -> None:
        super().__init__(profile, parent)
        self.rule = rule
        self.popup = False
        self.permissionRequested.connect(self._deny)

    def acceptNavigationRequest(self, url: QUrl | str, kind: QWebEnginePage.NavigationType, main_frame: bool) -> bool:
        target = url.toString() if isinstance(url, QUrl) else url
        if self.popup:
            self.rule.apply(target, popup=True)
            self.deleteLater()  # its one URL is handled: the catcher goes
            return False
        return self.rule.apply(target, popup=False)

    def createWindow(self, kind: QWebEnginePage.WebWindowType) -> QWebEnginePage:
        """A new window never opens: a catcher page takes its first URL through the rule, then goes."""
        catcher = PortalPage(self.profile(), self.rule, None)
        catcher.popup = True
        catcher.setParent(self)
        return catcher

    @staticmethod
    def _deny(permission) -> None:  # QWebEnginePermission
        log.warning("permission %s for %s refused", permission.permissionType().name, permission.origin().toString())
        permission.deny()


class PortalWindow(QWebEngineView):
    """The window; ``on_session`` gets the portal's own ``wb_session`` cookie when the page sets one."""

    def __init__(self, rule: LinkRule, home: str, on_session: Callable[[str], None]) -> None:
        super().__init__()
        self.home = home  # the portal base's path, e.g. /portal/
        self.setWindowTitle(translate("Portal", "WorkBuoy portal"))
        self.resize(1100, 760)
        self.profile = QWebEngineProfile()  # no storage name: off the record, nothing on disk
        for attr in _OFF:
            self.profile.settings().setAttribute(attr, False)
        self.rule = rule
        self._on_session = on_session
        self.setPage(PortalPage(self.profile, rule, self))
        self.cookies = self.profile.cookieStore()
        self.cookies.cookieAdded.connect(self._cookie_added)
        self.page().titleChanged.connect(self._title)

    def _title(self, title: str) -> None:
        self.setWindowTitle(translate("Portal", "{page} - WorkBuoy portal").format(page=title) if title
                            else translate("Portal", "WorkBuoy portal"))

    def _cookie_added(self, cookie: QNetworkCookie) -> None:
        """Only the portal origin's HttpOnly session cookie crosses to the auth actor."""
        host = cookie.domain().lstrip(".")
        portal_host = QUrl(self.rule.origin).host()
        if bytes(cookie.name().data()) == COOKIE and cookie.isHttpOnly() and host == portal_host:
            self._on_session(bytes(cookie.value().data()).decode("ascii", "replace"))
        elif bytes(cookie.name().data()) == COOKIE:
            log.warning("a %s cookie for %r (HttpOnly %s) was not adopted", COOKIE.decode(), host, cookie.isHttpOnly())

    def set_session(self, value: str | None) -> None:
        """Put the app's session in the profile (signed in natively), or clear it (signed out)."""
        self.cookies.deleteAllCookies()
        if value is not None:
            cookie = QNetworkCookie(COOKIE, value.encode("ascii"))
            cookie.setHttpOnly(True)
            cookie.setPath("/")
            self.cookies.setCookie(cookie, QUrl(self.rule.origin))  # host-only: the portal origin alone

    def after_sign_in(self) -> None:
        """The session just arrived: leave the login page for where it was going, or show the change."""
        if not self.isVisible():
            return
        url = self.url()
        if url.path().endswith("/login"):
            self.go(self.rule.origin + (QUrlQuery(url).queryItemValue("next") or self.home))
        else:
            self.reload()

    def shut(self) -> None:
        """The page goes before its profile, as WebEngine requires."""
        self.hide()
        delete(self.page())
        delete(self.profile)

    def go(self, url: str) -> None:
        if origin_of(url) != self.rule.origin:
            raise ValueError(f"{url} is not under the portal origin {self.rule.origin}")
        self.load(QUrl(url))
        self.show()
        self.raise_()
        self.activateWindow()

    @property
    def current(self) -> tuple[str, str]:
        return self.url().toString(), self.page().title()
