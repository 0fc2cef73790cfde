"""Desktop notifications: whether the settings allow one, and showing it.

The tray's ``showMessage`` is the native path. Without a system tray (a bare X
session, the offscreen platform of the tests) a small always-on-top popup shows the
same text, so ``wb:notify`` reports what the user really saw.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QSystemTrayIcon, QVBoxLayout, QWidget

from workbuoy.schemas.queue import QueueStuck
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
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)

    def present(self, title: str, body: str) -> None:
        self.title.setText(title)
        self.body.setText(body)
        self.body.setVisible(bool(body))
        self.adjustSize()
        screen = self.screen().availableGeometry()
        self.move(screen.right() - self.width() - 16, screen.top() + 16)
        self.show()
        self._timer.start(POPUP_MS)


class Notifier:
    def __init__(self, tray: QSystemTrayIcon) -> None:
        self.tray = tray
        self.popup = Popup()

    def show(self, note: Notify) -> str:
        """Show ``note``; returns how, for the ``wb:notify`` reply."""
        if self.tray.isVisible() and QSystemTrayIcon.supportsMessages():
            icons = QSystemTrayIcon.MessageIcon
            self.tray.showMessage(note.title, note.body, icons.Critical if note.kind == "error" else icons.Information, POPUP_MS)
            return "tray"
        self.popup.present(note.title, note.body)
        return "popup"
