"""One look for every window: the Fusion style, a dark palette that follows the system.

Qt follows the system's colour scheme only where its platform theme reports one (GNOME,
KDE, macOS, Windows); a bare X session or the offscreen platform reports none. So the
``appearance`` setting decides: ``system`` follows the platform's scheme when it reports
one (and changes with it), ``light``/``dark`` force it. The dark palette is set on the
application, so every widget, including the tray's menu, takes it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

DARK = {QPalette.ColorRole.Window: "#2b2d30", QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1f2023", QPalette.ColorRole.AlternateBase: "#2b2d30",
        QPalette.ColorRole.ToolTipBase: "#3a3c40", QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#35373b",
        QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Highlight: "#3d7bd9", QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#7fb0ff", QPalette.ColorRole.PlaceholderText: "#8a8d93"}
DISABLED_TEXT = "#7d8086"


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in DARK.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(DISABLED_TEXT))
    return palette


def wants_dark(appearance: str) -> bool:
    if appearance != "system":
        return appearance == "dark"
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def is_dark() -> bool:
    """Whether the palette in use is dark (whoever set it): what tone colours must read on."""
    app = QApplication.instance()
    return app is not None and QApplication.palette().window().color().lightness() < 128


class Look:
    """Applies ``appearance`` now and again whenever the system's scheme changes."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.appearance = "system"
        app.setStyle("Fusion")
        self._light = app.style().standardPalette()
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_changed)

    def apply(self, appearance: str) -> None:
        self.appearance = appearance
        self.app.setPalette(dark_palette() if wants_dark(appearance) else self._light)

    def _system_changed(self, _scheme: Qt.ColorScheme) -> None:
        self.apply(self.appearance)
