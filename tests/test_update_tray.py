"""The tray's update entries: "Check for updates", the outcome line, and "Restart to update
to X" once a verified update is staged. End to end against a node running 0.1.0 and the
sandbox serving a signed 0.1.1 (the fixtures of ``tests/test_update.py``)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytest.importorskip("PySide6", reason="the ui extra is not installed")

from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.fixtures.node import wait_for  # noqa: E402
from tests.fixtures.releases import FEED, AppNode  # noqa: E402
from tests.test_update import version_of  # noqa: E402
from workbuoy.actors.ui.tray import Tray  # noqa: E402
from workbuoy.actors.ui.updates import UpdateEntries, describe  # noqa: E402
from workbuoy.bus.client import Client  # noqa: E402
from workbuoy.qtloop import QtEventLoop  # noqa: E402
from workbuoy.schemas.ui import Notify  # noqa: E402
from workbuoy.schemas.update import UpdateStatus  # noqa: E402

pytestmark = pytest.mark.timeout(300)


class ClientBus:
    """The real bus, as the ``cli`` role: each call a blocking ``Client.call`` in a thread."""

    def __init__(self, node: AppNode) -> None:
        self.node = node

    async def call(self, channel: str, payload: Any = None, *, timeout: float = 10.0) -> Any:
        def call() -> Any:
            with Client(self.node.endpoints, timeout=timeout) as c:  # new each time: the node re-executes on apply
                return c.call(channel, payload)

        return await asyncio.to_thread(call)


def tray_with_updates(bus: Any) -> tuple[Tray, UpdateEntries, list[Notify]]:
    told: list[Notify] = []
    tray = Tray(**{n: lambda: None for n in ("sign_in", "open_main", "open_portal", "sync_now", "toggle_overlay",
                                              "open_settings", "sign_out", "quit_node")})
    return tray, UpdateEntries(bus, tray.menu, tray.updates_anchor, told.append), told


async def until(cond: Any, timeout: float, what: str) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not cond():
                await asyncio.sleep(0.05)  # polling the widgets the loop updates
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout:g}s waiting for {what}") from None


@pytest.fixture
def app_node(tmp_path, publisher, app_python, sandbox_factory):
    """Start the installed 0.1.0 (mode ``node`` or ``run``) on the sandbox's release feed."""
    server = sandbox_factory("--releases", str(publisher.releases))
    nodes: list[AppNode] = []

    def start(mode: str = "node", **env: str) -> AppNode:
        nodes.append(AppNode(app_python, tmp_path / "data", {"WB_UPDATE_FEED_URL": server.origin + FEED,
                                                               "WB_UPDATE_INTERVAL_MIN": "0", **env}, mode))
        nodes[-1].data_dir.mkdir(exist_ok=True)
        return nodes[-1].start()

    yield start
    for n in nodes:
        n.stop()


def test_check_for_updates_offers_restart_to_update_and_applies_it(qapp, app_node, publisher) -> None:
    publisher.publish("0.1.1")
    node = app_node(WB_UPDATE_AUTO="0")  # staged, then it waits for the user, as a desktop does
    tray, updates, told = tray_with_updates(ClientBus(node))
    assert updates.check_action.text() == "Check for updates" and not updates.apply_action.isVisible()

    async def main() -> None:
        updates.check_action.trigger()
        await until(updates.apply_action.isVisible, 240, "the restart entry")

    with asyncio.Runner(loop_factory=QtEventLoop) as runner:
        runner.run(main())
        assert updates.apply_action.text() == "Restart to update to 0.1.1"
        assert updates.line.text() == "Version 0.1.1 verified, ready to install"
        updates.show(UpdateStatus(current="0.1.0", channel="latest", phase="ready", version="0.1.1"))  # again: no 2nd note
        assert [n.title for n in told] == ["WorkBuoy 0.1.1 is ready"]
        assert version_of(node) == "0.1.0"  # nothing applied before the user asks
        ready_line = updates.line.text()

        async def apply() -> None:
            updates.apply_action.trigger()
            await until(lambda: updates.line.text() != ready_line, 60, "the apply answer")

        runner.run(apply())
        assert updates.line.text() == "Restarting into the new version…"
    wait_for(lambda: version_of(node) == "0.1.1", 120, what="the node to report 0.1.1")


def test_the_desktop_nodes_own_tray_offers_the_restart(app_node, publisher) -> None:
    publisher.publish("0.1.1")
    node = app_node("run", QT_QPA_PLATFORM="offscreen")

    def menu() -> list[str]:
        return node.call("wb:ui:windows").tray_menu

    assert "Check for updates" in wait_for(menu, 60, what="the tray menu")
    assert node.call("wb:update:check").checking  # what the tray's entry asks, the node's own ui shows
    wait_for(lambda: "Restart to update to 0.1.1" in menu(), 240, what="the tray's restart entry")
    assert "Version 0.1.1 verified, ready to install" in menu()
    assert version_of(node) == "0.1.0"  # a desktop waits for the user


@pytest.mark.parametrize(("status", "line"), [
    (dict(phase="checking", checking=True), "Checking for updates…"),
    (dict(phase="checking", checking=True, version="0.1.1", downloaded_bytes=2_500_000), "Downloading 0.1.1: 2.5 MB"),
    (dict(phase="up_to_date"), "Up to date (0.1.0)"),
    (dict(phase="refused", reason="tampered", detail="hash mismatch"), "Update refused: tampered (hash mismatch)"),
    (dict(phase="failed", detail="OSError: disk full"), "Update check failed: OSError: disk full"),
    (dict(phase="available", version="0.1.1", detail="not installable here"), "Version 0.1.1 is available (not installable here)"),
])
def test_each_outcome_reads_as_a_line(qapp, status, line) -> None:
    s = UpdateStatus(current="0.1.0", channel="latest", **status)
    assert describe(s) == line
    _, updates, told = tray_with_updates(None)
    updates.show(s)
    assert updates.line.text() == line and not updates.apply_action.isVisible() and told == []
    assert updates.check_action.isEnabled() is not s.checking
