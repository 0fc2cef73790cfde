"""Desktop notifications: whether the settings allow one, and showing it.

The tray's ``showMessage`` is the native path. Without a system tray (a bare X
session, the offscreen platform of the tests) a small always-on-top popup shows the
same text, so ``wb:notify`` reports what the user really saw.

``wb:notify`` text comes from any caller on the bus and, through sync, from the
server: it is shown as plain text, never as Qt rich text (which would load images
and render links), and on Linux it is HTML-escaped for the desktop's notification
server, which reads a subset of HTML in the body. A notification's ``url`` is
opened, on a click, only if it is on the portal's origin and the ``externalLinks``
setting is on, and then by the system browser (``QDesktopServices``), never inside
the app.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QPushButton, QSystemTrayIcon, QVBoxLayout, QWidget

from workbuoy.links import judge
from workbuoy.platform import current
from workbuoy.schemas.outbox import QueueStuck
from workbuoy.schemas.settings import Settings
from workbuoy.schemas.sync import CrmChange
from workbuoy.schemas.ui import Notify

#: Notification kinds that follow a per-entity toggle of ``settings.notify``.
ENTITY_OF_KIND = {"deal": "deals", "ticket": "tickets", "meeting": "meetings"}
POPUP_MS = 6000


def refusal(settings: Settings, kind: str) -> str:
    """Why ``settings`` forbid a notification of ``kind``; empty when they allow it."""
    if not settings.notifications_enabled:
        return "notifications are turned off in the settings"
    entity = ENTITY_OF_KIND.get(kind)
    if entity is not None and not getattr(settings.notify, entity):
        return f"notifications about {entity} are turned off in the settings"
    return ""


def link_refusal(settings: Settings, url: str | None) -> str:
    """Why the link of a notification may not be opened; empty when it may (or there is none)."""
    if url is None or judge(url, settings.portal_origin, settings.external_links) != "refuse":
        return ""
    return f"{url[:200]!r} is not on the portal ({settings.portal_origin}) nor on a host of externalLinks"


def from_change(change: CrmChange) -> Notify:
    """The notification for a ``wb:crm:changed`` event."""
    kind = change.entity[:-1]  # deals -> deal
    if change.summary:
        title = f"{change.created + change.updated} {change.entity} synced"
    else:
        counts = [f"{n} {word}" for n, word in ((change.created, "new"), (change.updated, "updated")) if n]
        title = f"{change.entity.capitalize()}: {', '.join(counts) or 'changed'}"
    body = "" if change.summary else ", ".join(change.ids[:5]) + (" …" if len(change.ids) > 5 else "")
    return Notify(title=title[:200], body=body, kind=kind)  # type: ignore[arg-type]


def from_stuck(stuck: QueueStuck) -> Notify:
    """The one notification for writes the server has not taken for too long."""
    writes = "1 write has" if stuck.count == 1 else f"{stuck.count} writes have"
    body = f"Still retrying; last error: {stuck.last_error}" if stuck.last_error else "Still waiting to be sent."
    return Notify(title=f"{writes} not reached the server yet", body=body[:2000], kind="sync")


class Popup(QWidget):
    """The fallback notification: a frameless note in a corner that hides itself."""

    def __init__(self) -> None:
        flags = Qt.WindowType.ToolTip | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
        super().__init__(None, flags)
        self.setObjectName("notificationPopup")
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold")
        self.body = QLabel()
        self.body.setWordWrap(True)
        for label in (self.title, self.body):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.open = QPushButton("Open in the browser")
        self.open.setObjectName("notificationOpen")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addWidget(self.open)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)

    def present(self, title: str, body: str, link: bool) -> None:
        self.title.setText(title)
        self.body.setText(body)
        self.body.setVisible(bool(body))
        self.open.setVisible(link)
        self.adjustSize()
        screen = self.screen().availableGeometry()
        self.move(screen.right() - self.width() - 16, screen.top() + 16)
        self.show()
        self._timer.start(POPUP_MS)


class Notifier:
    def __init__(self, tray: QSystemTrayIcon) -> None:
        self.tray = tray
        self.popup = Popup()
        self.link: str | None = None  # of the latest notification, when it may be opened
        self.popup.open.clicked.connect(self.open_link)
        tray.messageClicked.connect(self.open_link)

    def show(self, note: Notify, settings: Settings) -> str:
        """Show ``note``; returns how (and why its link is not offered), as the ``wb:notify`` reply says it."""
        refused = link_refusal(settings, note.url)
        self.link = note.url if not refused else None
        if self.tray.isVisible() and QSystemTrayIcon.supportsMessages():
            icons = QSystemTrayIcon.MessageIcon
            title, body = (html.escape(note.title), html.escape(note.body)) if current.TRAY_MESSAGE_MARKUP else (note.title, note.body)
            self.tray.showMessage(title, body, icons.Critical if note.kind == "error" else icons.Information, POPUP_MS)
            how = "tray"
        else:
            self.popup.present(note.title, note.body, self.link is not None)
            how = "popup"
        shown = f"shown as a {how} notification"
        return f"{shown}; its link is not offered: {refused}" if refused else shown

    def open_link(self) -> None:
        """The user clicked the notification: its allowed link goes to the system browser."""
        if self.link is not None:
            QDesktopServices.openUrl(QUrl(self.link, QUrl.ParsingMode.StrictMode))
            self.popup.hide()
