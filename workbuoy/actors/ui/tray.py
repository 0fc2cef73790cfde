"""The tray icon: the node's menu, the sign-in state, the server's reachability and the
sync progress at a glance.

The status lines are disabled menu entries mirrored in the tooltip, so they read
the same whether or not the desktop shows tray tooltips.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from workbuoy.schemas.auth import AuthState
from workbuoy.schemas.outbox import ServerState
from workbuoy.schemas.sync import SyncProgress

STATE_COLOURS = {"signed_in": "#1f8a4c", "signed_out": "#7a7a7a", "expired": "#d08a00", "error": "#c0392b"}


def buoy_icon(colour: str) -> QIcon:
    """A drawn icon, so the package ships no image files: a ring in the state's colour."""
    pix = QPixmap(64, 64)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(colour))
    p.drawEllipse(4, 4, 56, 56)
    p.setBrush(QColor("white"))
    p.drawEllipse(20, 20, 24, 24)
    p.end()
    return QIcon(pix)


def describe_server(state: ServerState) -> str:
    """"Online" or "Offline since 10:42 — writes wait in the outbox (unreachable: …)"."""
    if state.online:
        return "Online"
    since = time.strftime("%H:%M", time.localtime(state.since / 1000))
    return f"Offline since {since} — writes wait in the outbox ({state.reason})"


def describe_progress(p: SyncProgress) -> str:
    if p.finished:
        return f"Sync {p.run_id}: {p.state}" + (f" ({p.error})" if p.error else "")
    return f"Sync {p.run_id}: {p.entity} {p.pages} pages, {p.rows} rows"


class Tray:
    def __init__(self, *, open_main: Callable[[], None], sync_now: Callable[[], None], toggle_overlay: Callable[[], None],
                 open_settings: Callable[[], None], quit_node: Callable[[], None], sign_in: Callable[[], None],
                 sign_out: Callable[[], None], open_portal: Callable[[], None]) -> None:
        self.icon = QSystemTrayIcon(buoy_icon(STATE_COLOURS["signed_out"]))
        self.menu = QMenu()
        self.auth_line = self._status_line("Not signed in")
        self.server_line = self._status_line("Online")
        self.sync_line = self._status_line("No sync yet")
        self.menu.addSeparator()
        self.sign_in = self.menu.addAction("Sign in…")
        self.sign_in.triggered.connect(sign_in)
        for text, slot in (("Open WorkBuoy", open_main), ("Open portal", open_portal), ("Sync now", sync_now),
                           ("Mini-Buoy", toggle_overlay), ("Settings…", open_settings)):
            self.menu.addAction(text).triggered.connect(slot)
        #: Where the update entries go (``updates.UpdateEntries``, made by the actor: they call the bus).
        self.updates_anchor = self.menu.addSeparator()
        self.sign_out = self.menu.addAction("Sign out")
        self.sign_out.triggered.connect(sign_out)
        self.sign_out.setVisible(False)
        self.menu.addAction("Quit WorkBuoy (stop the node)").triggered.connect(quit_node)
        self.icon.setContextMenu(self.menu)
        self._open_main = open_main
        self.icon.activated.connect(self._activated)
        self._refresh_tooltip()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self._open_main()

    def _status_line(self, text: str) -> QAction:
        action = self.menu.addAction(text)
        action.setEnabled(False)
        return action

    def _refresh_tooltip(self) -> None:
        lines = (self.auth_line, self.server_line, self.sync_line)
        self.icon.setToolTip("\n".join(["WorkBuoy", *(line.text() for line in lines)]))

    def show(self) -> None:
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def set_auth(self, state: AuthState) -> None:
        text = {"signed_in": f"Signed in as {state.email or 'unknown'}", "signed_out": "Not signed in",
                "expired": "Session expired: sign in again", "error": f"Sign-in problem: {state.reason}"}[state.state]
        self.auth_line.setText(text)
        self.sign_in.setVisible(state.state != "signed_in")
        self.sign_out.setVisible(state.state == "signed_in")
        self.icon.setIcon(buoy_icon(STATE_COLOURS[state.state]))
        self._refresh_tooltip()

    def set_server(self, state: ServerState) -> None:
        self.server_line.setText(describe_server(state))
        self._refresh_tooltip()

    def set_sync(self, progress: SyncProgress) -> None:
        self.sync_line.setText(describe_progress(progress))
        self._refresh_tooltip()

    def set_note(self, text: str) -> None:
        """A one-off line (e.g. why 'Sync now' was refused) in the sync status slot."""
        self.sync_line.setText(text)
        self._refresh_tooltip()
