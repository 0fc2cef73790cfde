"""The tray icon: the node's menu, and the node's state at a glance.

The status lines (who is signed in to which org, online or offline, the last sync, the
writes waiting) come from the shared ``StatusModel``, the same words as the main window's
status line. They are disabled menu entries mirrored in the tooltip, so they read the
same whether or not the desktop shows tray tooltips.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from workbuoy.i18n import translate
from workbuoy.actors.ui.status_model import StatusModel, shared

STATE_COLOURS = {"signed_in": "#1f8a4c", "signed_out": "#7a7a7a", "expired": "#d08a00", "error": "#c0392b"}
#: Signed in but offline, or the last sync failed: the ring turns amber, not green.
TROUBLE_COLOUR = "#d08a00"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


@cache  # the tray refreshes every 30 s: one icon per colour, drawn once
def buoy_icon(colour: str) -> QIcon:
    """A drawn icon, so the package ships no image files: a ring in the state's colour, drawn at
    each size a tray or a high-DPI screen asks for, never scaled up from a small bitmap."""
    icon = QIcon()
    for size in ICON_SIZES:
        pix = QPixmap(size, size)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(colour))
        p.drawEllipse(QRectF(size / 16, size / 16, size * 7 / 8, size * 7 / 8))
        p.setBrush(QColor("white"))
        p.drawEllipse(QRectF(size * 5 / 16, size * 5 / 16, size * 3 / 8, size * 3 / 8))
        p.end()
        icon.addPixmap(pix)
    return icon


class Tray:
    def __init__(self, *, open_main: Callable[[], None], sync_now: Callable[[], None], toggle_overlay: Callable[[], None],
                 open_settings: Callable[[], None], quit_node: Callable[[], None], sign_in: Callable[[], None],
                 sign_out: Callable[[], None], open_portal: Callable[[], None], model: StatusModel | None = None) -> None:
        self.model = model or shared()
        self.icon = QSystemTrayIcon(buoy_icon(STATE_COLOURS["signed_out"]))
        self.menu = QMenu()
        self.auth_line, self.server_line, self.sync_line, self.writes_line = (self._status_line() for _ in range(4))
        self.menu.addSeparator()
        self.sign_in = self.menu.addAction(translate("Tray", "Sign in…"))
        self.sign_in.triggered.connect(sign_in)
        for text, slot in ((translate("Tray", "Open WorkBuoy"), open_main), (translate("Tray", "Open portal"), open_portal),
                           (translate("Tray", "Sync now"), sync_now), (translate("Tray", "Mini-Buoy"), toggle_overlay),
                           (translate("Tray", "Settings…"), open_settings)):
            self.menu.addAction(text).triggered.connect(slot)
        #: Where the update entries go (``updates.UpdateEntries``, made by the actor: they call the bus).
        self.updates_anchor = self.menu.addSeparator()
        self.sign_out = self.menu.addAction(translate("Tray", "Sign out"))
        self.sign_out.triggered.connect(sign_out)
        self.sign_out.setVisible(False)
        self.menu.addAction(translate("Tray", "Quit WorkBuoy (stop the node)")).triggered.connect(quit_node)
        self.icon.setContextMenu(self.menu)
        self._open_main = open_main
        self.icon.activated.connect(self._activated)
        self.model.changed.connect(self.refresh)
        self.refresh()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self._open_main()

    def _status_line(self) -> QAction:
        action = self.menu.addAction("")  # its text comes from the model (``refresh``)
        action.setEnabled(False)
        return action

    def _refresh_tooltip(self) -> None:
        lines = (self.auth_line, self.server_line, self.sync_line, self.writes_line)
        self.icon.setToolTip("\n".join(["WorkBuoy", *(line.text() for line in lines)]))

    def show(self) -> None:
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def shown(self) -> bool:
        """False on a desktop without a system tray (or before ``show``)."""
        return self.icon.isVisible()

    def refresh(self) -> None:
        """Read the model again: the lines, the sign-in/out entries and the ring's colour."""
        m = self.model
        for line, (text, _tone) in zip((self.auth_line, self.server_line, self.sync_line, self.writes_line), m.lines()):
            line.setText(text)
        signed_in = m.auth.state == "signed_in"
        self.sign_in.setVisible(not signed_in)
        self.sign_out.setVisible(signed_in)
        trouble = signed_in and (m.server_text()[1] == "error" or m.sync_text()[1] == "error")
        self.icon.setIcon(buoy_icon(TROUBLE_COLOUR if trouble else STATE_COLOURS[m.auth.state]))
        self._refresh_tooltip()

    def set_note(self, text: str) -> None:
        """A one-off line (e.g. why 'Sync now' was refused) in the sync slot, until the model changes."""
        self.sync_line.setText(text)
        self._refresh_tooltip()
