"""What a person tripped on when walking the real app under Xvfb (200,000 rows, keyboard only),
each reproduced offscreen in a shown main window, where key presses go through Qt's shortcuts."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the ui extra is not installed")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QPushButton, QSplitter  # noqa: E402

from tests.test_ui_i18n import bokmal, untranslated  # noqa: E402, F401
from tests.test_ui_views import CLOSE, _until, conflict_item, deal, english, pages  # noqa: E402, F401
from tests.test_ui_widgets import FakeBus, run  # noqa: E402
from workbuoy.actors.ui import formats, status_line, style, tables  # noqa: E402
from workbuoy.actors.ui.entity_view import EntityView  # noqa: E402
from workbuoy.actors.ui.main_window import MainWindow  # noqa: E402
from workbuoy.actors.ui.queue_view import QueueView  # noqa: E402
from workbuoy.actors.ui.status_line import StatusLine  # noqa: E402
from workbuoy.actors.ui.status_model import StatusModel  # noqa: E402
from workbuoy.schemas.auth import AuthState  # noqa: E402
from workbuoy.schemas.offline import ListReply  # noqa: E402
from workbuoy.schemas.orgs import Org, OrgListReply  # noqa: E402
from workbuoy.schemas.outbox import QueueItemRef, QueueListReply  # noqa: E402
from workbuoy.schemas.rbac import RbacReply  # noqa: E402

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def window(qapp):
    bus = FakeBus(wb_offline_getList=pages(), wb_rbac_can=lambda _: RbacReply(allowed=True),
                  wb_org_list=lambda _: OrgListReply(orgs=[Org(id="org-1", name="Acme")], active="org-1"))
    window = MainWindow(bus)
    window.resize(1100, 640)
    window.show()
    async def deals() -> None:
        window.tabs.setCurrentWidget(window.views["deals"])
        await _until(lambda: window.views["deals"].table.rowCount() == 100)
    run(deals())
    yield window
    window.hide()


def keys(*presses) -> None:
    """Key presses on the ui's loop, as a person's arrive: ``(widget, key)`` or ``(widget, "text")``."""
    async def main() -> None:
        for widget, key in presses:
            QTest.keyClicks(widget, key) if isinstance(key, str) else QTest.keyClick(widget, key)
    run(main())


def test_enter_in_the_search_box_searches_and_arrows_walk_the_rows(window):
    view = window.views["deals"]
    QTest.keySequence(window, "Ctrl+F")
    keys((view.search, "deal 299"), (view.search, Qt.Key.Key_Return))
    run(_until(lambda: view.table.rowCount() == 1))
    assert view.bus.sent("wb:offline:getList")[-1]["query"] == "deal 299"
    async def cleared() -> None:
        view.search.clear()
        await _until(lambda: view.table.rowCount() == 100)
    run(cleared())
    keys((view.search, Qt.Key.Key_Down), (view.table, Qt.Key.Key_Down), (view.table, Qt.Key.Key_Down))
    assert tables.selected(view.table)["id"] == "d2"  # Down moves in the rows, not back to the first
    keys((view.table, Qt.Key.Key_Return))
    assert view.pane.isAncestorOf(window.focusWidget())  # Enter opens the record: focus in its fields


def test_the_rows_get_more_room_than_the_record_pane(window):
    """At the default size the rows had 45% of the width and the deals' amount and close date
    were cut off behind a scroll bar, beside an empty pane."""
    split = window.views["deals"].findChild(QSplitter)
    rows, pane = split.sizes()
    assert rows > pane


def test_a_save_sends_only_what_was_typed_and_only_once(qapp):
    """Saving an amount also sent the close date moved to midnight (the day field dropped its
    time), and a second Ctrl+S sent the same write again."""
    at_4pm = CLOSE + 16 * 3_600_000 + 17 * 60_000
    bus = FakeBus(wb_offline_getList=lambda p: ListReply(items=[deal(0, close_date=at_4pm)], total=1),
                  wb_rbac_can=lambda _: RbacReply(allowed=True),
                  wb_queue_create=lambda p: QueueItemRef(id=1, op_id="op", status="pending", entity_id="d0"))
    view = EntityView(bus, "deals")
    run(view.load())
    view.table.selectRow(0)
    view.pane._editors["amount"].setText("80000")
    assert run(view.pane.save())
    assert bus.sent("wb:queue:create")[0]["payload"] == {"amount": 80000}
    assert not run(view.pane.save()) and view.pane.status.text() == "Nothing changed."
    assert len(bus.sent("wb:queue:create")) == 1


def test_the_outbox_says_when_each_write_was_last_touched(qapp):
    """The "Updated at" column was empty for every write (the row's key is ``updatedAt``), "Op" raw."""
    sent = conflict_item(status="synced", conflicted=False, server_payload=None, updated_at=CLOSE)
    view = QueueView(FakeBus(wb_queue_list=lambda _: QueueListReply(items=[sent])))
    run(view.load())
    shown = {view.table.horizontalHeaderItem(c).text(): view.table.item(0, c).text() for c in range(view.table.columnCount())}
    assert shown["Updated at"] == formats.when(CLOSE) and shown["Op"] == "Update"


def test_the_record_pane_says_what_became_of_a_saved_change(qapp):
    """"Saved offline: waiting to be sent" stayed under a row marked Conflict, and after it was sent."""
    marks: dict[str, str] = {}
    bus = FakeBus(wb_offline_getList=lambda p: pages(marks=marks)(p), wb_rbac_can=lambda _: RbacReply(allowed=True),
                  wb_queue_create=lambda p: QueueItemRef(id=3, op_id="op", status="pending", entity_id=p["entityId"]))
    view = EntityView(bus, "deals")
    run(view.load())
    view.table.selectRow(1)
    view.pane._editors["amount"].setText("81000")
    marks["d1"] = "pending"
    assert run(view.pane.save())
    run(view.load())
    assert view.pane.status.text() == "Saved offline: waiting to be sent (write 3 in the outbox)."
    marks["d1"] = "conflict"
    run(view.load())
    assert view.pane.status.text().startswith("Someone changed this record on the server")
    view.pane._editors["amount"].setText("82000")
    marks["d1"] = "pending"  # a new write over the conflict
    assert run(view.pane.save())
    del marks["d1"]
    run(view.load())
    assert view.pane.status.text() == "Sent: the server has your change."
    view.table.selectRow(2)
    assert view.pane.status.text() == ""


def test_settings_open_from_the_main_window_too(qapp):
    """Settings were reachable only from the tray icon, and a desktop without a tray had no way in."""
    opened: list[bool] = []
    window = MainWindow(FakeBus(), open_settings=lambda: opened.append(True))
    window.show()
    window.activateWindow()  # a shortcut works in the active window
    assert QTest.qWaitForWindowActive(window)
    buttons = [b for b in window.findChildren(QPushButton) if b.text() == "Settings…"]
    assert len(buttons) == 1 and buttons[0].isVisible() and buttons[0].accessibleName() == "Settings (Ctrl+,)"
    buttons[0].click()
    QTest.keySequence(window, "Ctrl+,")
    assert opened == [True, True]
    window.hide()


def test_a_deep_link_drops_the_search_that_would_hide_its_record(window):
    """The linked deal stood in the pane beside rows of an old search that did not hold it."""
    view = window.views["deals"]
    view.search.setText("deal 299")
    view.conflicts.setChecked(True)
    run(view.load())
    assert run(view.reveal(deal(3)))
    assert view.search.text() == "" and not view.conflicts.isChecked() and view.table.rowCount() == 100
    assert tables.selected(view.table)["id"] == "d3"


def test_every_field_of_the_record_pane_is_named_in_bokmal(bokmal):
    """A deal's "Currency" stayed English in the Norwegian record pane: a field without a heading
    of its own was named by its key, which no translation covers."""
    view = EntityView(FakeBus(wb_offline_getList=pages(), wb_rbac_can=lambda _: RbacReply(allowed=True)), "deals")
    run(view.load())
    view.table.selectRow(0)
    assert set(view.pane._editors) <= set(formats.HEADINGS)
    labels = [view.pane.form.labelForField(editor).text() for editor in view.pane._editors.values()]
    assert "Valuta" in labels and untranslated(labels) == []


def test_the_status_line_follows_a_switch_to_dark_at_once(qapp):
    """After a switch to dark the status line kept its light palette's dark green on the dark
    window (barely readable) until the next status change."""
    model = StatusModel()
    model.set_auth(AuthState(state="signed_in", email="ann@example.test"))
    line = StatusLine(model)
    line.show()
    look = style.Look(qapp)
    assert line.labels["account"].styleSheet() == status_line.tone_style("ok", False)
    look.apply("dark")
    try:
        qapp.processEvents()  # the palette change is delivered as a posted event
        assert line.labels["account"].styleSheet() == status_line.tone_style("ok", True)
    finally:
        look.apply("light")
        line.hide()


def test_a_new_record_is_selected_once_saved(qapp):
    """Saving a new deal left the row selected before Ctrl+N selected, and the pane jumped to it."""
    created: list[dict] = []

    def rows(p):
        return ListReply(items=[*created, *pages()(p).items], total=100 + len(created),
                         marks={"local-1": "pending"} if created else {})  # as the queue marks it

    def create(p):
        created.append(deal(0, id="local-1", name=p["payload"]["name"]))
        return QueueItemRef(id=1, op_id="op", status="pending", entity_id="local-1")

    bus = FakeBus(wb_offline_getList=rows, wb_rbac_can=lambda _: RbacReply(allowed=True), wb_queue_create=create)
    view = EntityView(bus, "deals")
    run(view.load())
    view.table.selectRow(3)
    view.pane.new_record()
    view.pane._editors["name"].setText("Testfirma AS")
    assert run(view.pane.save())
    run(_until(lambda: len(bus.sent("wb:offline:getList")) == 2))
    assert tables.selected(view.table)["id"] == "local-1" and view.pane.title.text() == "Testfirma AS"
    assert view.pane.status.text().startswith("Created offline")


def test_the_empty_record_pane_says_what_goes_there(qapp):
    """With no row selected the pane was an empty grey box above greyed-out buttons."""
    view = EntityView(FakeBus(wb_offline_getList=pages(), wb_rbac_can=lambda _: RbacReply(allowed=True)), "deals")
    view.show()
    run(view.load())
    assert view.pane.hint.isVisible() and "Pick a row" in view.pane.hint.text()
    view.table.selectRow(0)
    assert not view.pane.hint.isVisible()
    view.hide()
