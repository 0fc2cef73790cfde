"""The main window's status line: the tray's words, in the window the user is looking at.

Four labels fed by the shared ``StatusModel`` (account and org, online/offline, the last
sync, the writes waiting). A tone is a colour that reads on both a light and a dark
palette, and is also said in words (the text), so nothing depends on seeing colour.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from workbuoy.i18n import translate
from workbuoy.actors.ui.status_model import StatusModel, Tone, shared
from workbuoy.actors.ui.style import is_dark

#: (light palette, dark palette) per tone; "busy" and "ok" keep the palette's own text colour but ok is green.
TONE_COLOURS: dict[Tone, tuple[str, str]] = {"ok": ("#1f7a43", "#6fd39a"), "busy": ("", ""),
                                             "warn": ("#9a6400", "#f0b44c"), "error": ("#b03a2e", "#ff8a7a")}
NAMES = ("account", "server", "sync", "writes")
ACCESSIBLE = {"account": QT_TRANSLATE_NOOP("Status", "Account"), "server": QT_TRANSLATE_NOOP("Status", "Server"),
              "sync": QT_TRANSLATE_NOOP("Status", "Last sync"), "writes": QT_TRANSLATE_NOOP("Status", "Writes waiting")}


def tone_style(tone: Tone, dark: bool) -> str:
    colour = TONE_COLOURS[tone][1 if dark else 0]
    return f"color: {colour}" if colour else ""


class StatusLine(QWidget):
    def __init__(self, model: StatusModel | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusLine")
        self.model = model or shared()
        self.labels: dict[str, QLabel] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        for name in NAMES:
            label = self.labels[name] = QLabel()
            label.setObjectName(f"status_{name}")
            label.setAccessibleName(translate("Status", ACCESSIBLE[name]))
            row.addWidget(label)
        row.addStretch(1)
        self.model.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        dark = is_dark()
        for name, (text, tone) in zip(NAMES, self.model.lines()):
            label = self.labels[name]
            label.setText(text)
            label.setStyleSheet(tone_style(tone, dark))

    def changeEvent(self, event: QEvent) -> None:
        """The appearance switched (light/dark): the tones follow at once, not at the next status change."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.refresh()

    def texts(self) -> list[str]:
        return [self.labels[n].text() for n in NAMES]
