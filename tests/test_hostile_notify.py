"""``wb:notify`` text is plain text; only portal links open, in the system browser.

The widget tests register a handler for ``http``/``https`` with ``QDesktopServices``
(Qt's own hook for where ``openUrl`` sends a URL), so what would reach the browser is
recorded instead of launched.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("PySide6", reason="the ui extra is not installed")

from PySide6.QtCore import QObject, Qt, QUrl, Slot  # noqa: E402
from PySide6.QtGui import QDesktopServices  # noqa: E402
from PySide6.QtWidgets import QApplication, QSystemTrayIcon  # noqa: E402

from tests.fixtures.node import wait_for  # noqa: E402
from workbuoy.actors.ui.notifications import Notifier, link_refusal  # noqa: E402
from workbuoy.schemas.settings import Settings  # noqa: E402
from workbuoy.schemas.ui import Notify  # noqa: E402

pytestmark = pytest.mark.timeout(120)

PORTAL = "https://app.workbuoy.com"
HOSTILE_TITLE = "<b>Deal</b> won<script>alert(1)</script>"
HOSTILE_BODY = "<img src='https://evil.example/pixel.png'><a href='https://evil.example/phish'>open</a> &amp; more"
NO_HOSTS = Settings(portal_origin=PORTAL, external_links=[])  # only the portal itself
FOREIGN = (
    "https://evil.example/phish",
    "https://app.workbuoy.com.evil.example/",
    "https://app.workbuoy.com@evil.example/",
    "http://app.workbuoy.com/",  # another scheme is another origin
    "https://app.workbuoy.com:8443/",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "https://app.workbuoy.com:99999/",
)


class Browser(QObject):
    """Receives what ``QDesktopServices.openUrl`` would hand to the system browser."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def browser(qapp) -> Iterator[Browser]:
    b = Browser()
    for scheme in ("http", "https", "file", "javascript"):
        QDesktopServices.setUrlHandler(scheme, b, "open")
    yield b
    for scheme in ("http", "https", "file", "javascript"):
        QDesktopServices.unsetUrlHandler(scheme)


@pytest.mark.parametrize("url", FOREIGN)
def test_a_link_off_the_portal_is_refused(url: str) -> None:
    assert "not on the portal" in link_refusal(NO_HOSTS, url)


def test_a_link_is_allowed_on_the_portal_or_an_https_host_of_external_links() -> None:
    assert link_refusal(NO_HOSTS, f"{PORTAL}/portal/deals/d-1") == ""
    assert link_refusal(NO_HOSTS, "https://APP.workbuoy.com:443/portal") == ""
    docs = Settings(portal_origin=PORTAL, external_links=["docs.example"])
    assert link_refusal(docs, "https://docs.example/guide") == ""
    assert "not on the portal" in link_refusal(docs, "http://docs.example/guide")  # https only
    assert "not on the portal" in link_refusal(docs, "https://docs.example.evil.test/")


def test_hostile_text_is_shown_as_plain_text_and_a_foreign_link_never_opens(browser: Browser) -> None:
    notifier = Notifier(QSystemTrayIcon())  # not shown: the popup path, as offscreen
    popup = notifier.popup
    shown, reason = notifier.show(Notify(title=HOSTILE_TITLE, body=HOSTILE_BODY, url=FOREIGN[0]), NO_HOSTS)
    assert shown and reason.startswith("shown as a popup notification; its link is not offered")
    for label, text in ((popup.title, HOSTILE_TITLE), (popup.body, HOSTILE_BODY)):
        assert label.textFormat() == Qt.TextFormat.PlainText and label.text() == text
        assert not label.openExternalLinks()
    assert popup.open.isHidden()
    notifier.clicked()  # a click on the notification
    popup.open.click()
    assert browser.opened == []


def test_a_portal_link_opens_in_the_system_browser(browser: Browser) -> None:
    notifier = Notifier(QSystemTrayIcon())
    url = f"{PORTAL}/portal/deals/d-1"
    assert notifier.show(Notify(title="Deal", url=url), Settings(portal_origin=PORTAL)) == (True, "shown as a popup notification")
    assert not notifier.popup.open.isHidden()
    notifier.popup.open.click()
    assert browser.opened == [url]
    _, reason = notifier.show(Notify(title="Deal", url=FOREIGN[0]), NO_HOSTS)
    assert "not on the portal" in reason and notifier.popup.open.isHidden()
    notifier.clicked()
    assert browser.opened == [url]


def test_notify_over_the_bus_with_html_and_a_foreign_url(node_factory) -> None:
    desktop = node_factory(mode="run").start()

    def shown():
        r = desktop.call("wb:notify", {"title": HOSTILE_TITLE, "body": HOSTILE_BODY, "url": FOREIGN[0]})
        return r if r.shown else None

    reply = wait_for(shown, 20, what="the notification shown")
    assert "its link is not offered" in reply.reason and "evil.example" in reply.reason
    assert desktop.status().actors["ui"].restarts == 0
