"""The record pane and the conflict view against a real node and the sandbox (offscreen Qt).

The windows run in this process on the ui's Qt-driven loop; their bus is a real client of
a real node, so an edit goes through the real queue actor into the real cache (its mark
comes from the real sync actor's ``wb:offline:getList``) and, once the server can be
reached, to the real sandbox over loopback. Outages are the sandbox's own ("drop").
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

pytest.importorskip("PySide6", reason="the ui extra is not installed")

from PySide6.QtCore import QLocale  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.fixtures.sandbox import sandbox  # noqa: E402, F401
from tests.fixtures.signed_in import login, signed_in_node, sync  # noqa: E402
from tests.test_signin_window import NodeBus, run  # noqa: E402
from workbuoy.actors.ui import deeplink, tables  # noqa: E402
from workbuoy.actors.ui.main_window import MainWindow  # noqa: E402

pytestmark = pytest.mark.timeout(240)


class OneCallBus(NodeBus):
    """One bus client serves one call at a time (the app's actor serves many; views may overlap)."""

    def __init__(self, node) -> None:
        super().__init__(node)
        self.lock = threading.Lock()

    async def call(self, channel: str, payload: Any = None, *, timeout: float = 10.0) -> Any:
        def locked() -> Any:
            with self.lock:
                return self.client.call(channel, payload, timeout=timeout)

        return await asyncio.to_thread(locked)


@pytest.fixture
def qapp(qapp: QApplication) -> QApplication:
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    return qapp


async def until(cond, timeout: float = 90, what: str = "") -> Any:
    """Poll ``cond`` (which may block: it runs off the loop) until it is truthy, with a generous bound."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if value := await asyncio.to_thread(cond) if not asyncio.iscoroutinefunction(cond) else await cond():
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def mark(view, row_id: str) -> str | None:
    for r in range(view.table.rowCount()):
        if view.table.item(r, 0).data(tables.ROW_KEY)["id"] == row_id:
            return view.table.item(r, 0).text()
    return None


def on_deals(node, main) -> None:
    """Run ``main(window, deals view)`` on the ui's loop with the deals tab open and its first row selected."""
    bus = OneCallBus(node)
    window = MainWindow(bus)

    async def opened() -> None:
        assert await window.open_target(deeplink.Target("deals"))
        window.views["deals"].table.selectRow(0)
        await main(window, window.views["deals"])

    try:
        run(opened())
    finally:
        bus.client.close()  # an open socket would hold its zmq context's term() at exit


def test_an_offline_edit_is_pending_then_synced_and_a_conflict_is_judged(qapp, sandbox, node_factory):
    node = signed_in_node(node_factory, sandbox)
    sync(node)

    async def main(window: MainWindow, view) -> None:
        row = tables.selected(view.table)
        assert view.pane.title.text() == row["name"] and mark(view, row["id"]) == ""
        sandbox.set_faults(outage="drop")  # the server is gone: the edit waits in the outbox
        view.pane._editors["amount"].setText("123,456")
        assert await view.pane.save()
        await until(lambda: mark(view, row["id"]) == "Pending", what="the edited row marked pending")
        assert view.table.item(view.table.currentRow(), 4).text() == "€123,456.00" or row["currency"] != "EUR"
        sandbox.set_faults(outage="none")

        async def synced() -> bool:
            await view.load()
            return mark(view, row["id"]) == ""

        await until(synced, what="the write synced and its mark gone")
        assert sandbox.admin.get(f"/rows/deals/{row['id']}").json()["amount"] == 123456

        # A conflict: the server changes the deal while an offline edit of it waits.
        sandbox.set_faults(outage="drop")
        view.pane._editors["stage"].setCurrentIndex(view.pane._editors["stage"].findData("negotiation"))
        assert await view.pane.save()
        sandbox.admin.put(f"/rows/deals/{row['id']}", json={"stage": "proposal", "owner": "ola@example.com"}).raise_for_status()
        sandbox.set_faults(outage="none")
        queue = window.queue
        queue.filter.setCurrentText("Conflicts")

        async def conflicted() -> bool:
            await queue.load()
            return queue.table.rowCount() == 1

        await until(conflicted, what="the conflict in the outbox")
        assert queue.table.item(0, 0).text() == "Someone changed this deal on the server while you were offline."
        queue.table.selectRow(0)
        grid = queue.conflict.grid
        fields = {grid.item(r, 0).text(): [grid.item(r, c).text() for c in (2, 3)] for r in range(grid.rowCount())}
        assert fields["Stage"] == ["Negotiation", "Proposal"] and fields["Owner"][1] == "ola@example.com"
        await queue.resolve("keepServer")
        assert "settled: the server's version kept" in queue.status.text()
        view.conflicts.setChecked(False)
        await view.load()
        assert mark(view, row["id"]) == ""

    on_deals(node, main)


def test_a_viewer_sees_the_actions_disabled_with_the_reason(qapp, sandbox, node_factory):
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, WB_KEYRING_BACKEND="file", WB_KEYRING_KEY="k").start()
    login(node, "viewer@workbuoy.test", "viewer-password")
    sync(node)

    async def main(window: MainWindow, view) -> None:
        actions = view.pane.assistant
        await actions.check_roles()
        for button in (actions.email_button, actions.event_button, actions.workflow_button):
            assert not button.isEnabled() and "viewer" in button.toolTip(), button.toolTip()

    on_deals(node, main)


def test_the_assistant_actions_are_queued_and_a_workflow_shows_its_steps(qapp, sandbox, node_factory):
    node = signed_in_node(node_factory, sandbox)
    sync(node)

    async def main(window: MainWindow, view) -> None:
        assistant = view.pane.assistant
        await assistant.check_roles()
        assert assistant.email_button.isEnabled() and assistant.workflow_button.isEnabled()
        await assistant.draft_email()
        assert "E-mail draft to" in assistant.status.text(), assistant.status.text()
        await assistant.create_event()
        assert "tomorrow queued" in assistant.status.text(), assistant.status.text()
        await assistant.run_workflow("close_deal")
        assert assistant.status.text() == "Close the deal: 2 steps queued."
        queued = (await asyncio.to_thread(node.call, "wb:queue:list", {})).items
        assert {i.qtype for i in queued} >= {"email", "calendar", "crm"}

        async def steps_done() -> bool:
            await assistant.refresh_steps()
            return assistant.steps.count() == 2 and all(
                assistant.steps.item(i).text().endswith(": done") for i in range(2))

        await until(steps_done, what="both workflow steps sent, one after the other")
        assert assistant.steps.item(0).text() == "1. update deals: done"

    on_deals(node, main)
