"""The ui actor in a real desktop node (offscreen Qt): ready, overlay, notify, deep links."""

from __future__ import annotations

import pytest

from tests.fixtures.node import wait_for
from tests.fixtures.signed_in import FILE_KEYRING, login, server_rows, sync

pytest.importorskip("PySide6", reason="the ui extra is not installed")
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def desktop(node_factory):
    return node_factory(mode="run").start()


def test_ui_ready_and_overlay_toggles(desktop):
    assert desktop.status().actors["ui"].state == "ready"
    assert desktop.call("wb:overlay:toggle", {}).visible is True
    assert desktop.call("wb:overlay:toggle", {}).visible is False
    assert desktop.call("wb:overlay:toggle", {"visible": True}).visible is True
    assert desktop.call("wb:overlay:toggle", {"visible": True}).visible is True


def notified(node, kind: str, shown: bool):
    """Ask for a notification until its outcome is ``shown`` (settings reach the ui as an event)."""
    def outcome():
        reply = node.call("wb:notify", {"title": "Hello", "kind": kind})
        return reply if reply.shown is shown else None

    return wait_for(outcome, 10, what=f"a {kind} notification {'shown' if shown else 'refused'}")


def test_notify_follows_the_settings(desktop):
    assert "notification" in notified(desktop, "deal", True).reason
    desktop.call("wb:updateSettings", {"notify": {"deals": False}})
    assert "about deals are turned off" in notified(desktop, "deal", False).reason
    notified(desktop, "ticket", True)
    desktop.call("wb:updateSettings", {"notificationsEnabled": False})
    assert notified(desktop, "ticket", False).reason == "notifications are turned off in the settings"
    desktop.call("wb:updateSettings", {"notificationsEnabled": True})
    notified(desktop, "sync", True)


def test_deep_link_from_a_second_run_reaches_the_ui(desktop):
    log = desktop.data_dir / "logs" / "ui.log"
    second = desktop.cli("run", "workbuoy://deals/42")
    assert second.returncode == 0, second.stderr
    wait_for(lambda: "deep link workbuoy://deals/42 opened the deals tab" in log.read_text(), 20, what="the deep link in ui.log")
    bad = desktop.cli("run", "workbuoy://nonsense/1")
    assert bad.returncode == 0, bad.stderr
    wait_for(lambda: "deep link workbuoy://nonsense/1 refused: unknown entity" in log.read_text(), 20, what="the refusal in ui.log")
    assert desktop.status().actors["ui"].restarts == 0


def test_deep_link_selects_a_synced_row(sandbox_factory, node_factory):
    sandbox = sandbox_factory("--rows", "300")
    node = node_factory(mode="run", WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING).start()
    login(node)
    sync(node)
    node.call("wb:org:switch", {"orgId": "org-1"})
    deal = sorted(server_rows(sandbox, "deals", "org-1"))[0]
    assert node.cli("run", f"workbuoy://deals/{deal}").returncode == 0
    log = node.data_dir / "logs" / "ui.log"
    wait_for(lambda: f"opened the deals tab, row {deal} selected" in log.read_text(), 20, what="the deal row selected")
    assert "deals changed" in log.read_text() and "notification" in log.read_text()  # the first sync's summary


def test_without_a_tray_the_main_window_opens_when_signed_in(sandbox_factory, node_factory):
    """Signed in other than through the sign-in window (a saved session at start, ``workbuoy login``,
    the ui restarted), a desktop without a tray icon showed no window at all: no way in."""
    sandbox = sandbox_factory("--rows", "10")
    node = node_factory(mode="run", WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING).start()
    login(node)
    wait_for(lambda: "WorkBuoy" in node.call("wb:ui:windows", {}).titles, 20, what="the main window shown")
