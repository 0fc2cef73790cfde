"""Mini-Buoy: a small frameless, always-on-top chat with the assistant (``wb:ai:chat``).

It must never lose what the user typed. So the input keeps the keyboard focus on open,
after each reply and after an error (the close button takes no focus at all: a space
typed after a reply used to "click" it); Enter sends, Shift+Enter breaks the line, Esc
hides. Questions typed while an answer is on its way wait their turn, in order. A message
the assistant did not answer is marked in the transcript and left out of the history, so
it is never sent again.

The conversation is kept here and sent whole (the last ``HISTORY`` messages) because the
assistant endpoint is stateless. With "Attach" on, the record selected in the main window
goes with the question as a system message, and an answer can be applied to that record
as a note through ``wb:assistant:apply`` (queued like any write, visible in the outbox).
Without a frame there is no title bar, so the window moves by dragging anywhere on it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QShortcut
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from workbuoy.actors.ui import tables
from workbuoy.actors.ui.calls import ERROR_COLOUR, Bus, log, spawn
from workbuoy.i18n import translate
from workbuoy.bus.errors import BusError

HISTORY = 50  # the most AiChat takes
#: Source texts, translated where shown (``i18n``).
WHO = {"user": QT_TRANSLATE_NOOP("MiniBuoy", "You"), "assistant": QT_TRANSLATE_NOOP("MiniBuoy", "Mini-Buoy"),
       "system": QT_TRANSLATE_NOOP("MiniBuoy", "System")}
SIGNED_OUT = QT_TRANSLATE_NOOP("MiniBuoy", "Sign in to use Mini-Buoy.")
ERRORS = {"unauthenticated": SIGNED_OUT,
          "unavailable": QT_TRANSLATE_NOOP("MiniBuoy", "Mini-Buoy needs the server, which cannot be reached now."),
          "not_implemented": QT_TRANSLATE_NOOP("MiniBuoy", "Mini-Buoy is not available in this version.")}
CONTEXT_FIELDS = 40  # fields of an attached record sent along, at most


@dataclass(frozen=True)
class Record:
    """The record selected in the main window, as Mini-Buoy attaches it."""

    entity: str
    row: dict[str, Any]

    @property
    def name(self) -> str:
        label = next((self.row[k] for k in ("name", "title", "subject") if isinstance(self.row.get(k), str)), "")
        return f"“{label or self.row.get('id', '?')}”"

    def as_context(self) -> dict[str, str]:
        fields = dict(list(self.row.items())[:CONTEXT_FIELDS])
        return {"role": "system", "content": f"The user is looking at this {self.entity[:-1]}: {json.dumps(fields, default=str)[:8000]}"}


def selected_in(view: QWidget | None) -> Record | None:
    """The row selected in a main-window tab (a table of one entity), if any: what "Attach" sends."""
    table, entity = getattr(view, "table", None), getattr(view, "entity", None)
    if table is None or not isinstance(entity, str):
        return None
    row = tables.selected(table)
    return Record(entity, row) if row else None


def in_words(exc: BusError) -> str:
    """One line, one cause: what the user can do about a failed question."""
    if exc.code in ERRORS:
        return translate("MiniBuoy", ERRORS[exc.code])
    return translate("MiniBuoy", "Mini-Buoy could not answer: {reason}").format(reason=exc.message)


class ChatInput(QPlainTextEdit):
    """Enter sends, Shift+Enter breaks the line, Esc asks to hide."""

    submitted = Signal()
    escaped = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, shift = event.key(), event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not shift:
            self.submitted.emit()
        elif key == Qt.Key.Key_Escape:
            self.escaped.emit()
        else:
            super().keyPressEvent(event)


class MiniBuoy(QWidget):
    def __init__(self, bus: Bus, current_view: Callable[[], QWidget | None] = lambda: None) -> None:
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        self.bus, self.current_view = bus, current_view
        self.setObjectName("miniBuoy")
        self.setWindowTitle(translate("MiniBuoy", "Mini-Buoy"))
        self.resize(360, 460)
        self.messages: list[dict[str, str]] = []
        self.signed_in = True
        self.last_reply = ""
        self.answered = 0  # questions answered since start (``wb:ui:windows`` reports it)
        self.record: Record | None = None
        self._turn = asyncio.Lock()
        self._grab: QPoint | None = None
        self._docked = False
        self._build()

    def _build(self) -> None:
        title = QLabel(translate("MiniBuoy", "Mini-Buoy"))
        title.setStyleSheet("font-weight: bold")
        close = QPushButton("×")
        close.setFlat(True)
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # never the focus: a typed space must not hide the overlay
        close.setAccessibleName(translate("MiniBuoy", "Hide Mini-Buoy"))
        close.clicked.connect(self.hide)
        self.transcript = QPlainTextEdit()
        self.transcript.setReadOnly(True)
        self.transcript.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.transcript.setAccessibleName(translate("MiniBuoy", "Conversation"))
        self.input = ChatInput()
        self.input.setPlaceholderText(translate("MiniBuoy", "Ask Mini-Buoy… (Enter sends, Shift+Enter new line, Esc hides)"))
        self.input.setAccessibleName(translate("MiniBuoy", "Question for Mini-Buoy"))
        self.input.setFixedHeight(self.input.fontMetrics().lineSpacing() * 3 + 12)
        self.input.submitted.connect(self._submit)
        self.input.escaped.connect(self.hide)
        self.attach = QCheckBox(translate("MiniBuoy", "Attach the selected record"))
        self.attach.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.attach.toggled.connect(self._attach_toggled)
        self.apply = QPushButton(translate("MiniBuoy", "Add the answer as a note"))
        self.apply.setAccessibleName(translate("MiniBuoy", "Add the answer as a note to the attached record"))
        self.apply.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.apply.setEnabled(False)
        self.apply.clicked.connect(self._apply_clicked)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(title, 1)
        head.addWidget(close)
        tools = QHBoxLayout()
        tools.addWidget(self.attach, 1)
        tools.addWidget(self.apply)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.input)
        layout.addLayout(tools)
        layout.addWidget(self.status)

    # -- the window -----------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._grab = event.globalPosition().toPoint() - self.frameGeometry().topLeft()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._grab is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move(event.globalPosition().toPoint() - self._grab)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._grab = None

    def _dock(self) -> None:
        """First show: the bottom-right corner, out of the way of the main window."""
        area = self.screen().availableGeometry()
        self.move(area.right() - self.width() - 24, area.bottom() - self.height() - 24)
        self._docked = True

    def set_visible(self, visible: bool | None) -> bool:
        """Show, hide, or flip when ``visible`` is None; returns the new visibility."""
        want = not self.isVisible() if visible is None else visible
        if want:
            if not self._docked:
                self._dock()
            self.show()
            self.raise_()
            self.activateWindow()
            self._refresh_record()
            self.input.setFocus()
        else:
            self.hide()
        return self.isVisible()

    def toggle(self) -> None:
        self.set_visible(None)

    def shortcut_on(self, host: QWidget) -> QShortcut:
        """The toggle key (``miniBuoyShortcut``; ``setKey`` changes it). Qt has no system-wide hotkey,
        so this is an application shortcut: it works while any WorkBuoy window is active."""
        key = QShortcut(host)
        key.setContext(Qt.ShortcutContext.ApplicationShortcut)
        key.activated.connect(self.toggle)
        return key

    def set_signed_in(self, signed_in: bool) -> None:
        self.signed_in = signed_in
        self._say(translate("MiniBuoy", SIGNED_OUT) if not signed_in else "", error=not signed_in)

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {ERROR_COLOUR}" if error else "")

    # -- the selected record ------------------------------------------------------------

    def _refresh_record(self) -> None:
        self.record = selected_in(self.current_view()) if self.attach.isChecked() else None
        self.attach.setText(translate("MiniBuoy", "Attach {record}").format(record=self.record.name) if self.record
                            else translate("MiniBuoy", "Attach the selected record"))
        self.apply.setEnabled(self.record is not None and bool(self.last_reply))

    def _attach_toggled(self, on: bool) -> None:
        self._refresh_record()
        if on and self.record is None:
            self._say(translate("MiniBuoy", "Select a record in the main window first."))
        self.input.setFocus()

    # -- the conversation -----------------------------------------------------------------

    def _show(self, role: str, content: str, mark: str = "") -> None:
        self.transcript.appendPlainText(f"{translate('MiniBuoy', WHO[role])}: {content}{mark}\n")

    def _submit(self) -> None:
        """Enter: the text leaves the input now, so the next question can be typed (and sent) at once."""
        if text := self._take():
            spawn(self._in_turn(text))

    async def send(self) -> None:
        if text := self._take():
            await self._in_turn(text)

    def _take(self) -> str:
        text = self.input.toPlainText().strip()
        if text and not self.signed_in:
            self._say(translate("MiniBuoy", SIGNED_OUT), error=True)  # the question stays in the input
            return ""
        if text:
            self.input.clear()
            self._show("user", text)
        return text

    async def _in_turn(self, text: str) -> None:
        """Questions are asked one after another, each with the answers before it."""
        async with self._turn:
            await self._ask(text)
        self.input.setFocus()

    async def _ask(self, text: str) -> None:
        question = {"role": "user", "content": text}
        context = [self.record.as_context()] if self.record is not None else []
        try:
            reply = await self.bus.call("wb:ai:chat", {"messages": [*self.messages, *context, question][-HISTORY:]}, timeout=60)
        except BusError as exc:
            log.info("wb:ai:chat: %s", exc)
            self._show("system", translate("MiniBuoy", "not answered, not kept: “{question}”").format(question=text[:80]))
            self._say(in_words(exc), error=True)
            return
        self.messages = [*self.messages, question, {"role": reply.message.role, "content": reply.message.content}][-HISTORY:]
        self.last_reply = reply.message.content
        self.answered += 1
        self._show(reply.message.role, reply.message.content)
        self._say("")
        self.apply.setEnabled(self.record is not None)

    def _apply_clicked(self) -> None:
        spawn(self.apply_reply())

    async def apply_reply(self) -> None:
        """The last answer as a note on the attached record, queued through ``wb:assistant:apply``."""
        if self.record is None or not self.last_reply:
            return
        action = {"entity": self.record.entity, "op": "update", "entityId": self.record.row["id"],
                  "payload": {"notes": self.last_reply[:10_000]}}
        try:
            applied = await self.bus.call("wb:assistant:apply", {"actions": [action]})
        except BusError as exc:
            self._say(translate("MiniBuoy", "Not applied: {reason}").format(reason=exc.message), error=True)
            return
        self._say(translate("MiniBuoy", "Queued as a note on {record}: it is in the outbox.").format(record=self.record.name))
        self.input.setFocus()
