"""Mini-Buoy: a small frameless, always-on-top chat with the assistant (``wb:ai:chat``).

Without a frame there is no title bar, so the window moves by dragging anywhere on it.
The conversation is kept here and sent whole (the last ``HISTORY`` messages) because
the assistant endpoint is stateless.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from workbuoy.actors.ui.calls import Bus, ask, spawn

HISTORY = 50  # the most AiChat takes
WHO = {"user": "You", "assistant": "Mini-Buoy", "system": "System"}


class MiniBuoy(QWidget):
    def __init__(self, bus: Bus) -> None:
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        self.bus = bus
        self.setObjectName("miniBuoy")
        self.setWindowTitle("Mini-Buoy")
        self.resize(340, 420)
        self.messages: list[dict[str, str]] = []
        self._grab: QPoint | None = None
        self._docked = False
        title = QLabel("Mini-Buoy")
        title.setStyleSheet("font-weight: bold")
        close = QPushButton("×")
        close.setFlat(True)
        close.clicked.connect(self.hide)
        self.transcript = QPlainTextEdit()
        self.transcript.setReadOnly(True)
        self.input = QLineEdit()
        self.input.setPlaceholderText("Ask Mini-Buoy…")
        self.input.returnPressed.connect(self._submit)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(title, 1)
        head.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.input)
        layout.addWidget(self.status)

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
            self.input.setFocus()
        else:
            self.hide()
        return self.isVisible()

    def _add(self, role: str, content: str) -> None:
        self.messages = [*self.messages, {"role": role, "content": content}][-HISTORY:]
        self.transcript.appendPlainText(f"{WHO[role]}: {content}\n")

    def _submit(self) -> None:
        spawn(self.send())

    async def send(self) -> None:
        text = self.input.text().strip()
        if not text:
            return
        self.input.clear()
        self._add("user", text)
        self.input.setEnabled(False)
        try:
            reply = await ask(self.bus, "wb:ai:chat", {"messages": self.messages}, self.status)
        finally:
            self.input.setEnabled(True)
        if reply is not None:
            self._add(reply.message.role, reply.message.content)
