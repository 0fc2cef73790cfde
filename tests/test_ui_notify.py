"""Notifications worth having (issue 11 item 6): one for a first sync, per-org words, a click
that opens the record, conflict/failed/expired notices, a bounded rate; and through a real
desktop node signed in to the sandbox."""

from __future__ import annotations

import asyncio
import re

import pytest

pytest.importorskip("PySide6", reason="the ui extra is not installed")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QSystemTrayIcon  # noqa: E402

from tests.fixtures.node import wait_for  # noqa: E402
from tests.fixtures.signed_in import FILE_KEYRING, login, sync  # noqa: E402
from tests.test_ui_widgets import run  # noqa: E402
from workbuoy.actors.ui import deeplink  # noqa: E402
from workbuoy.actors.ui.alerts import Alerts  # noqa: E402
from workbuoy.actors.ui.notifications import FirstSync, Notifier, RateGate  # noqa: E402
from workbuoy.schemas.outbox import QueueFailed  # noqa: E402
from workbuoy.schemas.settings import EntityNotifications, Settings  # noqa: E402
from workbuoy.schemas.sync import CrmChange  # noqa: E402
from workbuoy.schemas.ui import Notify  # noqa: E402

pytestmark = pytest.mark.timeout(180)


def summary(entity: str, org: str, rows: int) -> CrmChange:
    return CrmChange(entity=entity, org_id=org, ids=[], created=rows, updated=0, summary=True)  # type: ignore[arg-type]


class Opened:
    """Records what a click opened."""

    def __init__(self) -> None:
        self.targets: list[deeplink.Target] = []
        self.outbox = 0
        self.sign_in = 0

    async def target(self, target: deeplink.Target) -> bool:
        self.targets.append(target)
        return True

    def open_outbox(self) -> None:
        self.outbox += 1

    def open_sign_in(self) -> None:
        self.sign_in += 1


def alerts(settings: Settings | None = None) -> tuple[Alerts, Opened]:
    opened = Opened()
    made = Alerts(Notifier(QSystemTrayIcon()), lambda: settings or Settings(), opened.target, opened.open_outbox,
                  opened.open_sign_in)
    made.notifier.gate = RateGate(burst=100)  # these tests count notifications, not the gate
    return made, opened


def test_a_first_sync_is_one_notification_with_every_org(qapp):
    first = FirstSync()
    for org, entity, rows in (("org-1", "deals", 12_000), ("org-1", "tickets", 1), ("org-2", "deals", 8_999)):
        first.add(summary(entity, org, rows))
    note = first.take({"org-1": "Acme", "org-2": "Globex"})
    assert note is not None and note.title == "21,000 records synced"
    assert note.body == "Acme: 12,000 deals, 1 ticket\nGlobex: 8,999 deals"
    assert first.take({}) is None


def test_summaries_wait_for_the_runs_end_and_leave_as_one(qapp):
    made, _ = alerts()
    made.org_names = {"org-1": "Acme"}
    told = [made.crm_changed(summary(e, "org-1", 10)) for e in ("deals", "tickets", "meetings")]
    assert [t.shown for t in told] == [False] * 3 and not made.notifier.popup.isVisible()
    ended = made.sync_ended()
    assert ended.shown and ended.title == "30 records synced" and made.notifier.popup.title.text() == "30 records synced"
    assert not made.sync_ended().shown  # told once
    made.notifier.popup.hide()


def test_a_click_opens_the_record_it_is_about(qapp):
    made, opened = alerts()
    made.org_names = {"org-2": "Globex"}
    told = made.crm_changed(CrmChange(entity="deals", org_id="org-2", ids=["deal-9"], created=0, updated=1))
    assert told.title == "Globex: Deal — 1 updated"
    popup = made.notifier.popup

    async def click(clicks: int) -> None:  # the click spawns the opening on the loop
        QTest.mouseClick(popup, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
        async with asyncio.timeout(10):
            while len(opened.targets) < clicks:
                await asyncio.sleep(0.01)

    run(click(1))
    assert opened.targets == [deeplink.Target("deals", "deal-9")] and not popup.isVisible()
    made.crm_changed(CrmChange(entity="tickets", org_id="org-2", ids=["t1", "t2"], created=2, updated=0))
    run(click(2))
    assert opened.targets[-1] == deeplink.Target("tickets", None)  # many: the tab


def test_conflict_failed_write_and_expired_session_notices(qapp):
    made, opened = alerts()
    made.org_names = {"org-1": "Acme"}
    conflict = QueueFailed(id=3, org_id="org-1", qtype="crm", entity="deals", entity_id="deal-7", label="Big deal",
                           conflicted=True, error="412: precondition failed")
    told = made.write_failed(conflict)
    assert told.title == "Acme: Conflict on deal “Big deal”"
    assert made.notifier.popup.body.text().startswith("Someone changed this deal on the server while you were offline.")
    refused = QueueFailed(id=4, org_id="org-1", qtype="email", error="forbidden: HTTP 403")
    assert made.write_failed(refused).title == "Acme: Could not save an e-mail draft"
    assert "the server refused access" in made.notifier.popup.body.text()
    made.notifier.clicked()
    assert opened.outbox == 1  # an e-mail draft has no record tab: the outbox
    told = made.expired("refresh token revoked")
    assert told.title == "Your WorkBuoy session has expired"
    made.notifier.clicked()
    assert opened.sign_in == 1
    made.notifier.popup.hide()


def test_the_rate_is_bounded_and_what_was_held_back_is_said(qapp):
    gate = RateGate(burst=3, window_ms=10_000)
    assert [gate.admit(t) for t in (0, 10, 20, 30, 40, 50)] == [True, True, True, False, False, False]
    assert gate.admit(10_001) and gate.held == 3
    note = gate.note_held(Notify(title="t", body="b"))
    assert note.body == "b\n(and 3 more held back)" and gate.held == 0
    made, _ = alerts()
    made.notifier.gate = RateGate(burst=3, window_ms=60_000)
    told = [made.tell(Notify(title=f"n{i}")) for i in range(6)]  # six in a burst, as a first sync once fired
    assert [t.shown for t in told] == [True] * 3 + [False] * 3
    assert told[-1].how.startswith("held back: at most 3 notifications per 60 s")


def test_per_entity_settings_still_apply(qapp):
    made, _ = alerts(Settings(notify=EntityNotifications(deals=False)))
    told = made.crm_changed(CrmChange(entity="deals", org_id="o", ids=["d"], created=1, updated=0))
    assert not told.shown and "about deals are turned off" in told.how


# -- the real node ------------------------------------------------------------------------------


def log_lines(node, pattern: str) -> list[str]:
    text = (node.data_dir / "logs" / "ui.log").read_text()
    return re.findall(pattern, text)


def test_a_first_sync_and_a_conflict_through_the_real_bus(sandbox_factory, node_factory):
    sandbox = sandbox_factory("--rows", "700")
    node = node_factory(mode="run", WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING).start()
    login(node)
    sync(node)  # 700 rows over 7 entities and 2 orgs: deals, tickets and meetings (300 rows) notify
    told = wait_for(lambda: log_lines(node, r"sync \d+ ended: “([\d,]+) records synced” shown"), 30,
                    what="the first sync's one notification")
    assert told == ["300"] and log_lines(node, r"changed \(\d+ new, 0 updated\): merged")  # each stream merged

    ref = node.call("wb:queue:create", {"entity": "deals", "op": "create", "orgId": "org-1",
                                        "payload": {"name": "Big deal", "stage": "new"}})
    wait_for(lambda: node.call("wb:queue:status").depth.get("synced", 0) >= 1, 30, what="the create sent")
    sandbox.admin.put(f"/rows/deals/{ref.entity_id}", json={"stage": "server"}).raise_for_status()
    node.call("wb:queue:create", {"entity": "deals", "op": "update", "entityId": ref.entity_id, "orgId": "org-1",
                                  "payload": {"stage": "local"}})
    told = wait_for(lambda: log_lines(node, r"conflict \d+ \(deals/[^)]+\): “(.+: Conflict on deal “Big deal”)” (\w+)"),
                    30, what="the conflict notification")
    org = node.call("wb:org:list", {}).orgs[0].name
    assert told == [(f"{org}: Conflict on deal “Big deal”", "shown")]
    node.call("wb:queue:create", {"entity": "deals", "op": "delete", "entityId": "deal-never-was", "orgId": "org-1"})
    told = wait_for(lambda: log_lines(node, r"failed write \d+ \(deals/deal-never-was\): “(.+)” (\w+)"), 30,
                    what="the failed write's notification")
    assert told == [(f"{org}: Could not save a deal", "shown")]
    assert node.status().actors["ui"].restarts == 0
