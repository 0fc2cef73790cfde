"""The ui actor in a real desktop node (offscreen Qt): ready, overlay, notify, deep links."""

from __future__ import annotations

import pytest

from tests.fixtures.node import wait_for
from tests.fixtures.sandbox import sandbox, sandbox_factory  # noqa: F401
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


def test_notify_follows_the_settings(desktop):
    shown = desktop.call("wb:notify", {"title": "Deal won", "kind": "deal"})
    assert shown.shown is True, shown.reason
    desktop.call("wb:updateSettings", {"notify": {"deals": False}})
    muted = wait_for(lambda: (r := desktop.call("wb:notify", {"title": "Deal won", "kind": "deal"})) and not r.shown and r,
                     10, what="deal notifications muted")
    assert "deals" in muted.reason
    assert desktop.call("wb:notify", {"title": "Ticket", "kind": "ticket"}).shown is True
    desktop.call("wb:updateSettings", {"notificationsEnabled": False})
    off = wait_for(lambda: (r := desktop.call("wb:notify", {"title": "Ticket", "kind": "ticket"})) and not r.shown and r,
                   10, what="notifications off")
    assert "turned off" in off.reason
    desktop.call("wb:updateSettings", {"notificationsEnabled": True})
    wait_for(lambda: desktop.call("wb:notify", {"title": "Sync", "kind": "sync"}).shown, 10, what="notifications on again")


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
