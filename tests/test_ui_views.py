"""The offline views, in-process and offscreen, against a fake bus: tables per entity, the
record pane, the assistant's actions, conflicts, and the main window's reloads and keys.

The flows that cross actors (an edit queued, marked pending, then synced) run against a
real node in ``tests/test_ui_record.py``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
import pytest

pytest.importorskip("PySide6", reason="the ui extra is not installed")

from PySide6.QtCore import QLocale, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QComboBox, QLineEdit  # noqa: E402

from tests.test_ui_widgets import FakeBus, refuse, run  # noqa: E402
from workbuoy.actors.ui import deeplink, formats, tables  # noqa: E402
from workbuoy.actors.ui.entity_view import EntityView  # noqa: E402
from workbuoy.actors.ui.main_window import MainWindow  # noqa: E402
from workbuoy.actors.ui.queue_view import QueueView, in_words  # noqa: E402
from workbuoy.actors.ui.record_actions import RecordActions  # noqa: E402
from workbuoy.actors.ui.style import dark_palette  # noqa: E402
from workbuoy.schemas.offline import ListReply, RowReply  # noqa: E402
from workbuoy.schemas.orgs import Org, OrgListReply  # noqa: E402
from workbuoy.schemas.outbox import QueueItemRef, QueueItemView, QueueListReply, WorkflowEnqueued  # noqa: E402
from workbuoy.schemas.rbac import RbacReply  # noqa: E402

pytestmark = pytest.mark.timeout(30)
EN = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
CLOSE = 1_767_225_600_000  # 2026-01-01 00:00 UTC


def deal(n: int, **fields: Any) -> dict[str, Any]:
    return {"id": f"d{n}", "org_id": "org-1", "name": f"Deal {n}", "company": "Fjord Seafood AS", "stage": "closed_won",
            "amount": 3500 + n, "currency": "EUR", "close_date": CLOSE, "owner": "kari@example.com",
            "updated_at": 1_700_000_000_000 + n} | fields


def pages(total: int = 14_286, marks: dict[str, str] | None = None):
    """Deals in pages of the asked size; ``cursor`` is the next row number, ``query`` filters names."""
    def answer(p: dict[str, Any]) -> ListReply:
        rows = [deal(n) for n in range(min(total, 300)) if p.get("query", "").lower() in f"deal {n}"]
        start = int(p.get("cursor") or 0)
        page = rows[start:start + p["limit"]]
        more = start + p["limit"] < len(rows)
        return ListReply(items=page, next_cursor=str(start + p["limit"]) if more else None,
                         total=(total if not p.get("query") else len(rows)) if p.get("withTotal") else None,
                         marks={k: v for k, v in (marks or {}).items() if any(r["id"] == k for r in page)})
    return answer


@pytest.fixture(autouse=True)
def english():
    QLocale.setDefault(EN)
    yield
    QLocale.setDefault(QLocale.c())


def cells(view: EntityView, row: int) -> list[str]:
    return [view.table.item(row, c).text() for c in range(view.table.columnCount())]


def test_values_read_as_words_in_the_locale():
    assert formats.text("stage", "closed_won") == "Won" and formats.text("stage", "negotiation") == "Negotiation"
    assert formats.text("amount", 3500, {"currency": "EUR"}) == "€3,500.00"
    assert formats.text("amount", 3500, {"currency": "NOK"}) == "NOK3,500.00"
    assert (formats.text("read", True), formats.text("read", False)) == ("Yes", "No")
    assert formats.text("close_date", CLOSE) == EN.toString(formats.QDateTime.fromMSecsSinceEpoch(CLOSE).date(),
                                                            QLocale.FormatType.ShortFormat)
    assert formats.text("attendees", ["a@x.no", "b@x.no"]) == "a@x.no, b@x.no"
    assert formats.text("count", 14286) == "14,286" and formats.heading("sent_at") == "Received"
    assert formats.count(1, "calendar", adjective="upcoming") == "1 upcoming event"
    assert formats.count(50, "deals", total=14286) == "50 of 14,286 deals" and formats.count(0, "tasks") == "0 tasks"
    QLocale.setDefault(QLocale(QLocale.Language.NorwegianBokmal, QLocale.Country.Norway))
    assert "3 500,00" in formats.text("amount", 3500, {"currency": "EUR"}).replace("\xa0", " ")


def test_a_table_per_entity_with_marks_total_and_paging_on_scroll(qapp):
    bus = FakeBus(wb_offline_getList=pages(marks={"d1": "pending", "d2": "conflict"}))
    view = EntityView(bus, "deals")
    view.org_id = "org-1"
    view.resize(900, 400)
    view.show()
    assert run(view.load())
    headings = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    assert headings == ["", "Name", "Company", "Stage", "Amount", "Close date", "Owner"]
    assert cells(view, 0)[:5] == ["", "Deal 0", "Fjord Seafood AS", "Won", "€3,500.00"]
    assert cells(view, 1)[0] == "Pending" and cells(view, 2)[0] == "Conflict"
    assert view.status.text() == "100 of 14,286 deals"
    assert bus.sent("wb:offline:getList")[0] == {"table": "deals", "limit": 100, "withTotal": True, "orgId": "org-1"}
    act(view.table.scrollToBottom, lambda: view.table.rowCount() == 200)  # the next page comes by itself
    assert bus.sent("wb:offline:getList")[1]["cursor"] == "100" and not bus.sent("wb:offline:getList")[1]["withTotal"]
    view.hide()


async def _until(cond, rounds: int = 500) -> None:
    """Let the loop run the views' tasks until ``cond`` holds (bounded, never a fixed sleep)."""
    for _ in range(rounds):
        if cond():
            return
        await asyncio.sleep(0.01)
    assert cond()


def act(do, cond) -> None:
    """``do`` (a click, a key) on the ui's loop, as a person's input arrives, then wait for ``cond``."""
    async def main() -> None:
        do()
        await _until(cond)

    run(main())


def test_headings_sort_in_the_store_and_appointments_start_upcoming(qapp):
    bus = FakeBus(wb_offline_getList=pages())
    view = EntityView(bus, "deals")
    run(view.load())
    act(lambda: view.table.horizontalHeader().sectionClicked.emit(4), lambda: len(bus.sent("wb:offline:getList")) == 2)
    assert bus.sent("wb:offline:getList")[-1].items() >= {"sort": "amount", "descending": False, "upcoming": False}.items()
    act(lambda: view.table.horizontalHeader().sectionClicked.emit(4), lambda: len(bus.sent("wb:offline:getList")) == 3)
    assert bus.sent("wb:offline:getList")[-1]["descending"] is True
    assert view.table.horizontalHeader().sortIndicatorSection() == 4
    view.table.horizontalHeader().sectionClicked.emit(0)  # the mark column is not a field
    assert "cannot be sorted" in view.status.text() and len(bus.sent("wb:offline:getList")) == 3
    calendar = EntityView(FakeBus(wb_offline_getList=lambda _: ListReply(items=[], total=0)), "calendar")
    run(calendar.load())
    assert calendar.bus.sent("wb:offline:getList")[0].items() >= {"sort": "starts_at", "descending": False,
                                                                 "upcoming": True}.items()
    assert calendar.stack.currentWidget() is calendar.empty
    assert "No upcoming events in the offline copy yet" in calendar.empty.text()


def test_search_clear_filter_and_selection_kept(qapp):
    bus = FakeBus(wb_offline_getList=pages())
    view = EntityView(bus, "deals")
    run(view.load())
    view.table.selectRow(3)
    run(view.load())  # a live reload keeps the selected record
    assert tables.selected(view.table)["id"] == "d3"
    view.search.setText("deal 299")
    run(view.load())
    assert view.table.rowCount() == 1 and view.status.text() == "1 matching deal"
    view.search.setText("zzz")
    run(view.load())
    assert view.stack.currentWidget() is view.empty and view.empty.text() == 'No deals match "zzz".'
    act(view.search.clear, lambda: view.table.rowCount() == 100)  # no Enter needed: the whole list comes back
    assert "query" not in bus.sent("wb:offline:getList")[-1]
    act(lambda: view.conflicts.setChecked(True), lambda: bus.sent("wb:offline:getList")[-1].get("conflicted") is True)


def test_record_pane_edits_creates_and_deletes_through_the_outbox(qapp):
    bus = FakeBus(wb_offline_getList=pages(marks={"d0": "pending"}), wb_rbac_can=lambda _: RbacReply(allowed=True),
                  wb_queue_create=lambda p: QueueItemRef(id=7, op_id="op", status="pending",
                                                         entity_id=p.get("entityId", "local-1")))
    view = EntityView(bus, "deals")
    view.org_id = "org-1"
    run(view.load())
    view.table.selectRow(0)
    pane = view.pane
    assert pane.title.text() == "Deal 0" and isinstance(pane._editors["stage"], QComboBox)
    assert pane._editors["stage"].currentText() == "Won" and pane._editors["id"].isReadOnly()
    amount = pane._editors["amount"]
    assert isinstance(amount, QLineEdit) and amount.text() == "3,500"
    amount.setText("forty")
    assert not run(pane.save()) and "Amount: 'forty' is not a number" in pane.status.text()
    assert bus.sent("wb:queue:create") == []
    amount.setText("4,250")
    pane._editors["stage"].setCurrentIndex(pane._editors["stage"].findData("negotiation"))
    assert run(pane.save())
    assert bus.sent("wb:queue:create") == [{"entity": "deals", "op": "update", "entityId": "d0", "orgId": "org-1",
                                            "payload": {"stage": "negotiation", "amount": 4250}}]
    assert pane.status.text() == "Saved offline: waiting to be sent (write 7 in the outbox)."
    pane.new_record()
    assert pane.title.text() == "New deal" and not pane.delete_button.isEnabled()
    pane._editors["name"].setText("Polar Freight — API Access")
    run(pane.save())
    assert bus.sent("wb:queue:create")[-1] == {"entity": "deals", "op": "create", "orgId": "org-1",
                                               "payload": {"name": "Polar Freight — API Access", "stage": "prospecting",
                                                           "close_date": bus.sent("wb:queue:create")[-1]["payload"]["close_date"]}}
    view.table.selectRow(1)
    pane.delete_button.click()  # the first click only asks
    assert pane.delete_button.text() == "Click again to delete" and len(bus.sent("wb:queue:create")) == 2
    assert run(pane.delete())
    assert bus.sent("wb:queue:create")[-1] == {"entity": "deals", "op": "delete", "entityId": "d1", "orgId": "org-1"}


def test_assistant_actions_follow_the_role_and_queue(qapp):
    viewer = FakeBus(wb_rbac_can=lambda _: RbacReply(allowed=False, roles=["viewer"], reason="viewers cannot write"))
    actions = RecordActions(viewer, "deals")
    actions.show_record(deal(1), "org-1")
    run(actions.check_roles())
    assert not actions.email_button.isEnabled() and actions.email_button.toolTip() == "viewers cannot write"
    assert viewer.sent("wb:rbac:can")[0] == {"action": "email.draft", "orgId": "org-1"}
    steps = [QueueItemView(id=i, op_id="o", org_id="org-1", qtype=q, entity=e, op=op, entity_id=None, status=s,
                           attempt=0, last_error=None, conflicted=False, wf_id="wf1", step_index=i, created_at=0,
                           updated_at=0) for i, (q, e, op, s) in enumerate([("email", None, None, "synced"),
                                                                          ("crm", "tasks", "create", "pending")])]
    bus = FakeBus(wb_rbac_can=lambda _: RbacReply(allowed=True),
                  wb_email_draft=lambda _: QueueItemRef(id=8, op_id="o", status="pending"),
                  wb_calendar_create=lambda _: QueueItemRef(id=9, op_id="o", status="pending"),
                  wb_ai_workflow=lambda _: WorkflowEnqueued(wf_id="wf1", items=[]),
                  wb_queue_list=lambda _: QueueListReply(items=steps))
    actions = RecordActions(bus, "deals")
    actions.show_record(deal(1), "org-1")
    run(actions.check_roles())
    assert actions.email_button.isEnabled() and actions.workflow_button.isEnabled()
    run(actions.draft_email())
    assert bus.sent("wb:email:draft") == [{"orgId": "org-1", "to": ["kari@example.com"], "subject": "About Deal 1",
                                           "entity": "deals", "entityId": "d1"}]
    run(actions.create_event())
    assert bus.sent("wb:calendar:create")[0]["attendees"] == ["kari@example.com"]
    run(actions.run_workflow("close_deal"))
    assert bus.sent("wb:ai:workflow") == [{"entity": "deals", "entityId": "d1", "kind": "close_deal"}]
    assert [actions.steps.item(i).text() for i in range(2)] == ["1. send email: done", "2. create tasks: waiting"]


def conflict_item(**over: Any) -> QueueItemView:
    base = deal(5)
    return QueueItemView(id=5, op_id="o5", org_id="org-1", qtype="crm", entity="deals", op="update", entity_id="d5",
                         status="failed", attempt=1, last_error="412: queue: HTTP 412: precondition failed",
                         conflicted=True, wf_id=None, step_index=None, created_at=0, updated_at=0,
                         payload={"body": {"amount": 9000, "stage": "negotiation"}, "base": base},
                         server_payload={**base, "amount": 7000, "owner": "ola@example.com"}) if not over else \
        msgspec.structs.replace(conflict_item(), **over)


def test_conflicts_are_judged_field_by_field(qapp):
    failed = msgspec.structs.replace(conflict_item(), id=6, conflicted=False, server_payload=None,
                                     last_error="rejected: amount must be positive")
    bus = FakeBus(wb_queue_list=lambda _: QueueListReply(items=[conflict_item(), failed]),
                  wb_queue_resolveConflict=lambda _: msgspec.Struct(),
                  wb_queue_discard=lambda p: QueueItemRef(id=p["id"], op_id="o", status="synced"),
                  wb_queue_create=lambda _: QueueItemRef(id=10, op_id="o", status="pending"))
    view = QueueView(bus)
    run(view.load())
    assert view.table.item(0, 0).text() == "Someone changed this deal on the server while you were offline."
    assert view.table.item(0, 1).text() == "Deal 5"
    assert in_words(failed, 0) == "The server refused this write: amount must be positive"
    view.table.selectRow(0)
    grid = view.conflict.grid
    assert view.conflict.isVisibleTo(view) and view.conflict.title.text() == "Deal “Deal 5”"
    shown = {grid.item(r, 0).text(): [grid.item(r, c).text() for c in (1, 2, 3)] for r in range(grid.rowCount())}
    assert shown["Amount"] == ["€3,505.00", "€9,000.00", "€7,000.00"] and shown["Stage"] == ["Won", "Negotiation", "Won"]
    rows = {grid.item(r, 0).text(): r for r in range(grid.rowCount())}
    assert grid.item(rows["Amount"], 3).background().color().name() == "#f8d7d3"  # both changed it
    assert grid.item(rows["Owner"], 3).background().color().name() == "#fdf2d0"  # only the server did
    grid.item(rows["Amount"], 2).setCheckState(Qt.CheckState.Unchecked)  # keep the server's amount, my stage
    light = qapp.palette()
    qapp.setPalette(dark_palette())  # the appearance switched while the conflict is on screen
    qapp.processEvents()  # delivered as a posted event
    try:
        assert grid.item(rows["Amount"], 3).background().color().name() == "#5a2b27"
        assert grid.item(rows["Owner"], 0).background().color().name() == "#4a3f1c"
        assert grid.item(rows["Amount"], 2).checkState() == Qt.CheckState.Unchecked  # the ticks stay
    finally:
        qapp.setPalette(light)
        qapp.processEvents()  # the palette change reaches widgets as a posted event
    assert grid.item(rows["Owner"], 3).background().color().name() == "#fdf2d0"
    run(view.conflict.merge_fields())
    assert bus.sent("wb:queue:resolveConflict") == [{"entity": "deals", "entityId": "d5", "resolution": "keepServer"}]
    assert bus.sent("wb:queue:create") == [{"entity": "deals", "op": "update", "entityId": "d5",
                                            "payload": {"stage": "negotiation"}, "orgId": "org-1"}]
    run(view.resolve("keepLocal"))
    assert "settled: your version will be sent again" in view.status.text()
    view.filter.setCurrentText("Conflicts")
    run(view.load())
    assert view.table.rowCount() == 1 and bus.sent("wb:queue:list")[-1] == {"status": "failed"}
    view.table.selectRow(0)
    assert not view.retry_button.isEnabled() and view.discard_button.isEnabled()
    view.filter.setCurrentText("Failed")
    run(view.load())
    view.table.selectRow(1)  # the refused write: retry or give it up
    assert view.retry_button.isEnabled() and not view.conflict.isVisibleTo(view)
    run(view.discard())
    assert bus.sent("wb:queue:discard") == [{"id": 6}]
    assert view.status.text() == "Write to “Deal 5” discarded; the record is back as it was."


def test_main_window_deep_link_switches_org_keys_and_reloads(qapp):
    orgs = [Org(id="org-1", name="Acme"), Org(id="org-2", name="Globex")]
    active = {"org": "org-1"}
    bus = FakeBus(wb_org_list=lambda _: OrgListReply(orgs=orgs, active=active["org"]), wb_offline_getList=pages(),
                  wb_offline_getRow=lambda p: RowReply(row=deal(900, id=p["id"], org_id="org-2"), org_id="org-2"),
                  wb_org_switch=lambda p: active.update(org=p["orgId"]) or OrgListReply(orgs=orgs, active=p["orgId"]),
                  wb_rbac_can=lambda _: RbacReply(allowed=True))
    window = MainWindow(bus)
    view = window.views["deals"]
    assert run(window.open_target(deeplink.Target("deals", "d900")))
    assert bus.sent("wb:org:switch") == [{"orgId": "org-2"}] and window.orgs.currentText() == "Globex"
    assert view.org_id == "org-2" and view.pane.title.text() == "Deal 900"  # shown though not among the rows
    QTest.keySequence(window, "Ctrl+F")
    assert view.search.hasFocus() or qapp.focusWidget() is view.search
    QTest.keySequence(window, "Ctrl+N")
    assert view.pane.title.text() == "New deal"
    act(lambda: QTest.keySequence(window, "Ctrl+PgDown"), lambda: window.tabs.currentWidget() is window.views["tickets"])
    act(lambda: window.tabs.setCurrentWidget(window.views["tasks"]), lambda: bus.sent("wb:offline:getList")[-1]["table"] == "tasks")
    before = len(bus.sent("wb:offline:getList"))
    window.entity_changed("deals")  # not on screen: reloaded when shown again
    assert len(bus.sent("wb:offline:getList")) == before
    act(lambda: window.tabs.setCurrentWidget(view), lambda: len(bus.sent("wb:offline:getList")) > before)
    window.hide()


def test_views_show_error_replies_instead_of_failing(qapp):
    view = EntityView(FakeBus(), "tasks")
    assert not run(view.load())
    assert "not implemented" in view.status.text()
    view.bus = FakeBus(wb_offline_getList=refuse("unauthenticated", "not signed in"))
    assert not run(view.load())
    assert view.status.text() == "not signed in (sign in first)"
    pane = EntityView(FakeBus(wb_queue_create=refuse("forbidden", "viewer may not queue.write")), "deals").pane
    pane.new_record()
    pane._editors["name"].setText("A deal")
    assert not run(pane.save()) and pane.status.text() == "viewer may not queue.write"


def test_sign_out_clears_and_sign_in_and_org_switch_reload(qapp):
    orgs = [Org(id="org-1", name="Acme"), Org(id="org-2", name="Globex")]
    bus = FakeBus(wb_org_list=lambda _: OrgListReply(orgs=orgs, active="org-1"), wb_offline_getList=pages(),
                  wb_org_switch=lambda p: OrgListReply(orgs=orgs, active=p["orgId"]),
                  wb_rbac_can=lambda _: RbacReply(allowed=True))
    window = MainWindow(bus)
    view = window.views["deals"]
    assert run(window.open_target(deeplink.Target("deals")))
    view.table.selectRow(2)
    window.signed_out()
    assert view.table.rowCount() == 0 and view.pane.title.text() == "" and window.orgs.count() == 0
    act(window.signed_in, lambda: view.table.rowCount() == 100 and window.orgs.currentText() == "Acme")
    view.table.selectRow(2)
    run(window.switch_org("org-2"))  # another org: its rows, nothing of the old one in the pane
    assert view.org_id == "org-2" and view.pane.title.text() == ""
    run(_until(lambda: bus.sent("wb:offline:getList")[-1].get("orgId") == "org-2" and view.table.rowCount() == 100))
    window.hide()


def test_ctrl_end_and_home_keep_the_column_in_sight(qapp):
    """Ctrl+End goes to the last row of the current column; Qt's own went to the last column too,
    scrolling the Name column out of a narrow table."""
    table = tables.new_table("deals")
    columns = [tables.MARK, *formats.columns("deals", []), *(f"extra_{n}" for n in range(12))]
    tables.append(table, [deal(n) | {f"extra_{k}": "x" * 30 for k in range(12)} for n in range(40)], columns)
    table.resize(400, 300)
    table.show()
    table.setCurrentCell(3, 1)
    table.setFocus()
    QTest.keySequence(table, "Ctrl+End")
    assert (table.currentRow(), table.currentColumn()) == (39, 1)
    assert table.horizontalScrollBar().value() == 0
    QTest.keySequence(table, "Ctrl+Home")
    assert (table.currentRow(), table.currentColumn()) == (0, 1)
    table.close()


def test_server_owned_fields_are_shown_read_only_last_in_one_order(qapp):
    """Id and the server's times read as values, not as fields to fill in (no box, no date
    picker, Tab passes them by), after every other field, whatever the row's key order."""
    view = EntityView(FakeBus(), "deals")
    pane = view.pane
    created = CLOSE - 86_400_000
    for row in ({"updated_at": CLOSE, "id": "d9", "created_at": created, "name": "Deal 9", "org_id": "org-1",
                 "extra": {"a": 1}},
                {"created_at": created, "name": "Deal 9", "id": "d9", "extra": {"a": 1}, "updated_at": CLOSE}):
        pane.show_record(row)
        labels = [pane.form.itemAt(r, pane.form.ItemRole.LabelRole).widget().text() for r in range(pane.form.rowCount())]
        assert labels[-3:] == ["Id", "Created at", "Updated at"] and "Org id" not in labels
        for key in ("id", "created_at", "updated_at", "extra"):
            shown = pane._editors[key]
            assert isinstance(shown, QLineEdit) and shown.isReadOnly() and not shown.hasFrame(), key
            assert shown.focusPolicy() == Qt.FocusPolicy.ClickFocus, key
        assert pane._editors["updated_at"].text() == formats.text("updated_at", CLOSE)
        assert pane._editors["id"].text() == "d9"
        assert not pane.dirty()
    pane._editors["name"].setText("Deal nine")
    assert pane.changes() == {"name": "Deal nine"}
