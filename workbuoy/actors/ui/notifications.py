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
import time
from collections import deque
from collections.abc import Callable

import msgspec
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QMouseEvent
from PySide6.QtWidgets import QLabel, QPushButton, QSystemTrayIcon, QVBoxLayout, QWidget

from workbuoy.links import judge
from workbuoy.platform import current
from workbuoy.i18n import num, translate
from workbuoy.actors.ui.status_model import short_reason
from workbuoy.schemas.outbox import QueueFailed, QueueStuck
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


#: Per entity or write kind: (one, many, "a ..."), source texts translated where shown.
NOUNS = {
    "messages": (QT_TRANSLATE_NOOP("Notify", "message"), QT_TRANSLATE_NOOP("Notify", "messages"), QT_TRANSLATE_NOOP("Notify", "a message")),
    "customers": (QT_TRANSLATE_NOOP("Notify", "customer"), QT_TRANSLATE_NOOP("Notify", "customers"), QT_TRANSLATE_NOOP("Notify", "a customer")),
    "calendar": (QT_TRANSLATE_NOOP("Notify", "calendar event"), QT_TRANSLATE_NOOP("Notify", "calendar events"),
                 QT_TRANSLATE_NOOP("Notify", "a calendar event")),
    "tasks": (QT_TRANSLATE_NOOP("Notify", "task"), QT_TRANSLATE_NOOP("Notify", "tasks"), QT_TRANSLATE_NOOP("Notify", "a task")),
    "deals": (QT_TRANSLATE_NOOP("Notify", "deal"), QT_TRANSLATE_NOOP("Notify", "deals"), QT_TRANSLATE_NOOP("Notify", "a deal")),
    "tickets": (QT_TRANSLATE_NOOP("Notify", "ticket"), QT_TRANSLATE_NOOP("Notify", "tickets"), QT_TRANSLATE_NOOP("Notify", "a ticket")),
    "meetings": (QT_TRANSLATE_NOOP("Notify", "meeting"), QT_TRANSLATE_NOOP("Notify", "meetings"), QT_TRANSLATE_NOOP("Notify", "a meeting")),
    "email": (QT_TRANSLATE_NOOP("Notify", "e-mail draft"), QT_TRANSLATE_NOOP("Notify", "e-mail drafts"),
              QT_TRANSLATE_NOOP("Notify", "an e-mail draft")),
    "write": (QT_TRANSLATE_NOOP("Notify", "write"), QT_TRANSLATE_NOOP("Notify", "writes"), QT_TRANSLATE_NOOP("Notify", "a write")),
}
KIND = {"deals": "deal", "tickets": "ticket", "meetings": "meeting"}  # Notify.kind of a CRM change
#: At most ``BURST`` notifications per ``WINDOW_MS``; the rest are counted and said with the next one.
BURST, WINDOW_MS = 3, 10_000


def noun(kind: str, form: int) -> str:
    """``form`` 0: one, 1: many, 2: "a …"; an unknown kind is "write"."""
    return translate("Notify", NOUNS.get(kind, NOUNS["write"])[form])


def _count(n: int, kind: str) -> str:
    return f"{num(n)} {noun(kind, 0 if n == 1 else 1)}"


def _in_org(org: str) -> str:
    return f"{org}: " if org else ""


def from_change(change: CrmChange, org: str = "") -> Notify:
    """The notification for one later sync's changes: "Acme: Deals — 3 updated"."""
    counts = [translate("Notify", text).format(n=num(n)) for n, text in (
        (change.created, QT_TRANSLATE_NOOP("Notify", "{n} new")), (change.updated, QT_TRANSLATE_NOOP("Notify", "{n} updated"))) if n]
    what = noun(change.entity, 0 if change.created + change.updated == 1 else 1)
    said = ", ".join(counts) or translate("Notify", "changed")
    title = f"{_in_org(org)}{what[:1].upper()}{what[1:]} — {said}"
    body = translate("Notify", "Click to open it.") if len(change.ids) == 1 else translate("Notify", "Click to see them.")
    return Notify(title=title[:200], body=body, kind=KIND[change.entity])  # type: ignore[arg-type]


class FirstSync:
    """The summaries of a first sync (one ``wb:crm:changed`` per stream), merged into one notification."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {}  # org id -> entity -> rows

    def add(self, change: CrmChange) -> None:
        per_org = self.counts.setdefault(change.org_id, {})
        per_org[change.entity] = per_org.get(change.entity, 0) + change.created + change.updated

    def take(self, org_names: dict[str, str]) -> Notify | None:
        """The merged notification ("21,000 records synced"), once; None when nothing is waiting."""
        if not self.counts:
            return None
        total = sum(n for per_org in self.counts.values() for n in per_org.values())
        lines = [f"{org_names.get(org, org)}: " + ", ".join(_count(n, e) for e, n in sorted(per.items()))
                 for org, per in self.counts.items()]
        self.counts = {}
        title = translate("Notify", "1 record synced") if total == 1 else \
            translate("Notify", "{n} records synced").format(n=num(total))
        return Notify(title=title, body="\n".join(lines)[:2000], kind="sync")


def from_failed(failed: QueueFailed, org: str = "") -> Notify:
    """A conflict to decide, or a write the server refused: what it was, in words."""
    kind = failed.entity if failed.qtype == "crm" and failed.entity else failed.qtype
    what = f"{noun(kind, 0)} “{failed.label}”" if failed.label else noun(kind, 2)
    if failed.conflicted:
        title = translate("Notify", "Conflict on {what}").format(what=what)
        body = translate("Notify", "Someone changed this {noun} on the server while you were offline. "
                                   "Open it to keep yours or the server's.").format(noun=noun(kind, 0))
    else:
        title = translate("Notify", "Could not save {what}").format(what=what)
        body = translate("Notify", "The server refused the change: {reason}. It waits in the outbox: retry or discard it."
                         ).format(reason=short_reason(failed.error))
    return Notify(title=f"{_in_org(org)}{title}"[:200], body=body[:2000], kind="error")


def from_expired(reason: str) -> Notify:
    body = translate("Notify", "Sign in again to keep syncing; your changes wait in the outbox.") + (f" ({reason})" if reason else "")
    return Notify(title=translate("Notify", "Your WorkBuoy session has expired"), body=body[:2000], kind="auth")


def from_stuck(stuck: QueueStuck) -> Notify:
    """The one notification for writes the server has not taken for too long."""
    title = translate("Notify", "1 write has not reached the server yet") if stuck.count == 1 else \
        translate("Notify", "{n} writes have not reached the server yet").format(n=num(stuck.count))
    body = translate("Notify", "Still retrying; last error: {error}").format(error=stuck.last_error) if stuck.last_error \
        else translate("Notify", "Still waiting to be sent.")
    return Notify(title=title, body=body[:2000], kind="sync")


class RateGate:
    """A sliding window: at most ``burst`` notifications per ``window_ms``; counts what it holds back."""

    def __init__(self, burst: int = BURST, window_ms: int = WINDOW_MS) -> None:
        self.burst, self.window_ms = burst, window_ms
        self.shown: deque[int] = deque()
        self.held = 0

    def admit(self, now_ms: int | None = None) -> bool:
        now = now_ms if now_ms is not None else int(time.monotonic() * 1000)
        while self.shown and now - self.shown[0] >= self.window_ms:
            self.shown.popleft()
        if len(self.shown) >= self.burst:
            self.held += 1
            return False
        self.shown.append(now)
        return True

    def note_held(self, note: Notify) -> Notify:
        """``note`` with the count of notifications held back since the last one shown."""
        if not self.held:
            return note
        more, self.held = self.held, 0
        extra = translate("Notify", "(and {n} more held back)").format(n=num(more))
        return msgspec.structs.replace(note, body=f"{note.body}\n{extra}".strip()[:2000])


class Popup(QWidget):
    """The fallback notification: a frameless note in a corner that hides itself; a click on it opens it."""

    clicked = Signal()

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
        self.open = QPushButton(translate("Notify", "Open in the browser"))
        self.open.setObjectName("notificationOpen")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addWidget(self.open)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.clicked.emit()

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
        self.gate = RateGate()
        self.link: str | None = None  # of the latest notification, when it may be opened
        self.on_click: Callable[[], None] | None = None  # of the latest notification: opens what it is about
        self.popup.open.clicked.connect(self.clicked)
        self.popup.clicked.connect(self.clicked)
        tray.messageClicked.connect(self.clicked)

    def show(self, note: Notify, settings: Settings, on_click: Callable[[], None] | None = None) -> tuple[bool, str]:
        """Show ``note``: whether it was, and how (and why its link is not offered) or why not, as ``wb:notify`` says it.

        ``on_click`` opens what the notification is about (a record, the sign-in window); without
        one, a click opens the note's allowed link in the system browser."""
        if not self.gate.admit():
            return False, f"held back: at most {self.gate.burst} notifications per {self.gate.window_ms // 1000} s"
        note = self.gate.note_held(note)
        refused = link_refusal(settings, note.url)
        self.link = note.url if not refused else None
        self.on_click = on_click
        if self.tray.isVisible() and QSystemTrayIcon.supportsMessages():
            icons = QSystemTrayIcon.MessageIcon
            title, body = (html.escape(note.title), html.escape(note.body)) if current.TRAY_MESSAGE_MARKUP else (note.title, note.body)
            self.tray.showMessage(title, body, icons.Critical if note.kind == "error" else icons.Information, POPUP_MS)
            how = "tray"
        else:
            self.popup.present(note.title, note.body, self.link is not None and on_click is None)
            how = "popup"
        shown = f"shown as a {how} notification"
        return True, f"{shown}; its link is not offered: {refused}" if refused else shown

    def clicked(self) -> None:
        """The user clicked the notification: open what it is about, else its allowed link in the system browser."""
        if self.on_click is not None:
            self.on_click()
        elif self.link is not None:
            QDesktopServices.openUrl(QUrl(self.link, QUrl.ParsingMode.StrictMode))
        else:
            return
        self.popup.hide()
