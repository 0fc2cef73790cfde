"""The tray menu, Mini-Buoy and the settings window, in light and dark (and the first and
the last, and the sign-in window, in Norwegian Bokmål), for docs/screenshots/.

Called by ``deploy/screenshots.py`` with its running desktop (signed in, synced). Mini-Buoy
is the node's own window, typed into with xdotool and grabbed from the X server; dark mode
is the ``appearance`` setting, set through the bus as a user would in the settings window.
An Xvfb session has no system tray to open a menu from, so the tray menu and the settings
window are the app's own classes built in this process on the same display, fed the node's
state over the bus (the same words the app shows), and rendered by Qt (``QWidget.grab``).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QWidget

from workbuoy import i18n
from workbuoy.actors.ui.settings_window import SettingsWindow
from workbuoy.actors.ui.signin_window import SignInWindow, human
from workbuoy.actors.ui.status_model import StatusModel
from workbuoy.actors.ui.style import Look
from workbuoy.actors.ui.tray import Tray
from workbuoy.actors.ui.updates import UpdateEntries
from workbuoy.bus.errors import BusError

SCHEMES = ("light", "dark")
NOOP = ("sign_in", "open_main", "open_portal", "sync_now", "toggle_overlay", "open_settings", "sign_out", "quit_node")


class NodeBus:
    """The windows' ``Bus`` over the screenshot script's blocking client."""

    def __init__(self, desktop: Any) -> None:
        self.desktop = desktop

    async def call(self, channel: str, payload: Any = None, *, timeout: float = 10.0) -> Any:
        return self.desktop.call(channel, payload)


def model_of(desktop: Any) -> StatusModel:
    """The status model as the node's ui actor has it, from the same channels it reads at start."""
    model = StatusModel()
    model.set_auth(desktop.call("wb:auth:status"))
    orgs = desktop.call("wb:org:list", {})
    model.set_org(next((o.name for o in orgs.orgs if o.id == orgs.active), ""))
    queue = desktop.call("wb:queue:status")
    model.set_server(queue.server)
    model.set_depth(queue.depth)
    model.set_history(desktop.call("wb:sync:status"))
    return model


def save(widget: QWidget, out: Path, name: str) -> None:
    QApplication.processEvents()
    widget.grab().save(str(out / name))
    print(f"screenshots: wrote docs/screenshots/{name}")


def appearance(desktop: Any, scheme: str, wait: Any) -> None:
    """The ``appearance`` setting, as a user sets it in the settings window; the node's windows follow it live."""
    desktop.call("wb:updateSettings", {"appearance": scheme})
    wait(lambda: (s := desktop.call("wb:getSettings")) and s.appearance == scheme, f"the {scheme} appearance")


def minibuoy(desktop: Any, scheme: str, wait: Any) -> None:
    appearance(desktop, scheme, wait)
    desktop.call("wb:overlay:toggle", {"visible": True})
    overlay = wait(lambda: desktop.window("^Mini-Buoy$"), "Mini-Buoy")
    asked = desktop.call("wb:ui:windows").overlay_answers
    desktop.xdotool("windowfocus", "--sync", overlay)
    desktop.xdotool("type", "--delay", "20", "Which deals close this month?")
    desktop.xdotool("key", "Return")
    wait(lambda: desktop.call("wb:ui:windows").overlay_answers > asked, "Mini-Buoy's answer")
    desktop.grab(overlay, f"minibuoy-{scheme}.png")


def take(desktop: Any, out: Path, wait: Any) -> None:
    for scheme in SCHEMES:
        minibuoy(desktop, scheme, wait)
    desktop.call("wb:updateSettings", {"appearance": "system"})
    os.environ.update(DISPLAY=desktop.display, QT_QPA_PLATFORM="xcb")
    app = QApplication.instance() or QApplication(["workbuoy-screenshots"])
    look = Look(app)
    tray = Tray(**{n: (lambda: None) for n in NOOP}, model=model_of(desktop))
    settings = SettingsWindow(NodeBus(desktop))
    asyncio.run(settings.load())
    settings.resize(620, 560)
    for scheme in SCHEMES:
        look.apply(scheme)
        tray.refresh()
        tray.menu.adjustSize()
        save(tray.menu, out, f"tray-{scheme}.png")
        settings.show()
        save(settings, out, f"settings-{scheme}.png")
        settings.sections.setCurrentIndex(2)  # Sync: the number boxes with their limits
        save(settings, out, f"settings-sync-{scheme}.png")
        settings.sections.setCurrentIndex(0)
    look.apply("light")
    bokmal(desktop, out)


def bokmal(desktop: Any, out: Path) -> None:
    """The same two windows and the sign-in window in Norwegian Bokmål (the ``language`` setting, here
    installed directly); the sign-in window shows a refusal, as after a mistyped password."""
    i18n.install("nb")
    try:
        tray = Tray(**{n: (lambda: None) for n in NOOP}, model=model_of(desktop))
        updates = UpdateEntries(NodeBus(desktop), tray.menu, tray.updates_anchor, lambda note: None)
        asyncio.run(updates.refresh())  # the update entries, as the app adds them
        tray.menu.adjustSize()
        save(tray.menu, out, "tray-nb.png")
        settings = SettingsWindow(NodeBus(desktop))
        asyncio.run(settings.load())
        settings.resize(620, 560)
        settings.show()
        save(settings, out, "settings-nb.png")
        signin = SignInWindow(NodeBus(desktop), lambda state: None)
        settings_now = desktop.call("wb:getSettings")
        refusal = human(BusError("unauthenticated", "wrong password"), settings_now.portal_origin)
        signin.prepare(settings_now, first_sign_in=False, reason=refusal)
        signin.email.setText("kari@firma.no")
        signin.show()
        save(signin, out, "signin-nb.png")
    finally:
        i18n.install("en")
