"""Honest status (issue 11 item 4): the status model's words, the tray and the main window's
status line from one model, and the real desktop node saying offline and failed when the
sandbox is down."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

pytest.importorskip("PySide6", reason="the ui extra is not installed")

from PySide6.QtWidgets import QApplication, QComboBox, QSystemTrayIcon  # noqa: E402

from tests.fixtures.node import wait_for  # noqa: E402
from tests.fixtures.signed_in import FILE_KEYRING, login, sync  # noqa: E402
from tests.test_ui_widgets import FakeBus, run  # noqa: E402
from workbuoy.actors.ui import status_line, style  # noqa: E402
from workbuoy.actors.ui.alerts import Alerts  # noqa: E402
from workbuoy.actors.ui.main_window import MainWindow  # noqa: E402
from workbuoy.actors.ui.notifications import Notifier  # noqa: E402
from workbuoy.actors.ui.status_feed import StatusFeed  # noqa: E402
from workbuoy.actors.ui.status_line import StatusLine  # noqa: E402
from workbuoy.actors.ui.status_model import StatusModel, ago, shared  # noqa: E402
from workbuoy.actors.ui.tray import Tray  # noqa: E402
from workbuoy.schemas.auth import AuthState  # noqa: E402
from workbuoy.schemas.orgs import Org, OrgListReply  # noqa: E402
from workbuoy.schemas.outbox import ServerState  # noqa: E402
from workbuoy.schemas.settings import Settings  # noqa: E402
from workbuoy.schemas.sync import SyncEntityState, SyncProgress, SyncStatus  # noqa: E402

pytestmark = pytest.mark.timeout(300)
MIN = 60_000
TRAY_CALLBACKS = ("sign_in", "open_main", "open_portal", "sync_now", "toggle_overlay", "open_settings", "sign_out", "quit_node")


def stream(run: int, entity: str, state: str, error: str = "") -> SyncProgress:
    return SyncProgress(run_id=run, entity=entity, org_id="org-1", pages=1, rows=10, state=state, error=error)  # type: ignore[arg-type]


def ended(run: int) -> SyncProgress:
    return SyncProgress(run_id=run, entity="", org_id="", pages=0, rows=0, state="done", finished=True)


def test_ages_read_as_people_say_them():
    assert [ago(0, ms) for ms in (10_000, 2 * MIN + 5_000, 3 * 60 * MIN, 25 * 60 * MIN, 4 * 24 * 60 * MIN)] == [
        "just now", "2 min ago", "3 h ago", "yesterday", "4 days ago"]


def test_a_run_whose_every_stream_failed_is_failed_not_done(qapp):
    model = StatusModel()
    assert model.sync_text(0) == ("Not synced yet", "warn")
    model.add_progress(stream(6, "deals", "running"))
    assert model.sync_text(0) == ("Syncing… (deals, 10 rows)", "busy")
    for entity in ("deals", "tickets"):
        model.add_progress(stream(6, entity, "failed", "unreachable: ConnectError: [Errno 111]"))
    model.add_progress(ended(6))  # the run's closing event says "done" whatever its streams did
    assert model.sync_text(0) == ("Sync failed: the server could not be reached", "error")
    assert model.last_synced_ms is None


def test_a_partly_failed_run_counts_as_synced_and_names_what_failed(qapp):
    model = StatusModel()
    model.add_progress(stream(7, "deals", "done"), now_ms=0)
    model.add_progress(stream(7, "tickets", "failed", "server: HTTP 500"), now_ms=0)
    model.add_progress(ended(7), now_ms=1_000)
    assert model.sync_text(2 * MIN + 1_000) == ("Last synced 2 min ago; tickets failed: the server answered with an error", "warn")
    model.add_progress(stream(8, "deals", "not_modified"))
    model.add_progress(ended(8), now_ms=10 * MIN)
    assert model.sync_text(12 * MIN) == ("Last synced 2 min ago", "ok")
    model.add_progress(stream(9, "deals", "failed", "unreachable: x"))
    model.add_progress(ended(9), now_ms=20 * MIN)
    assert model.sync_text(20 * MIN) == ("Sync failed: the server could not be reached (last synced 10 min ago)", "error")


def test_history_from_sync_status_at_start(qapp):
    model = StatusModel()
    model.set_history(SyncStatus(running=False, run_id=4, entities=[
        SyncEntityState(entity="deals", org_id="org-1", last_sync_at=1_000, last_error=None, rows=5),
        SyncEntityState(entity="tickets", org_id="org-1", last_sync_at=MIN, last_error="unreachable: x", rows=0)]))
    assert model.sync_text(MIN + 3 * MIN) == ("Last synced 3 min ago; tickets failed: the server could not be reached", "warn")


def test_account_org_writes_and_server_words(qapp):
    model = StatusModel()
    assert model.account_text() == ("Not signed in", "warn")
    model.set_auth(AuthState(state="signed_in", email="ann@example.test"))
    model.set_org("Acme")
    assert model.account_text() == ("Signed in as ann@example.test · Acme", "ok")
    model.set_depth({"pending": 2, "inflight": 1, "synced": 40})
    assert model.writes_text() == ("3 writes waiting", "busy")
    model.set_depth({"pending": 1, "failed": 2})
    assert model.writes_text() == ("1 write waiting, 2 failed", "error")
    since = int(time.mktime((2026, 1, 2, 9, 5, 0, 0, 0, -1)) * 1000)
    model.set_server(ServerState(online=False, since=since, reason="server unavailable: HTTP 503"))
    assert model.server_text() == ("Offline since 09:05 — server unavailable: HTTP 503", "error")
    model.set_auth(AuthState(state="signed_out"))
    assert model.org_name == ""


def test_a_conflict_is_a_conflict_to_resolve_not_a_failure(qapp):
    """The queue's depth counts a conflicted write as ``failed`` and as ``conflicted``
    (``Outbox.queue_depth``): the words tell the two apart."""
    model = StatusModel()
    model.set_depth({"pending": 0, "failed": 1, "conflicted": 1})
    assert model.writes_text() == ("No writes waiting, 1 conflict to resolve", "error")
    model.set_depth({"pending": 2, "failed": 4, "conflicted": 3})
    assert model.writes_text() == ("2 writes waiting, 3 conflicts to resolve, 1 failed", "error")


def test_the_tray_and_the_main_windows_status_line_say_the_same(qapp):
    model = StatusModel()
    tray = Tray(**{n: (lambda: None) for n in TRAY_CALLBACKS}, model=model)
    line = StatusLine(model)
    model.set_auth(AuthState(state="signed_in", email="ann@example.test"))
    model.set_server(ServerState(online=False, since=0, reason="unreachable: ConnectError"))
    model.set_depth({"pending": 4})
    tray_lines = [a.text() for a in (tray.auth_line, tray.server_line, tray.sync_line, tray.writes_line)]
    assert line.texts() == tray_lines and tray_lines[3] == "4 writes waiting"
    assert line.labels["server"].styleSheet() == status_line.tone_style("error", style.is_dark())
    assert "4 writes waiting" in tray.icon.toolTip()


def test_the_main_window_carries_the_shared_status_line(qapp):
    window = MainWindow(bus=None)  # type: ignore[arg-type]  # no call is made before it is shown
    line = window.findChild(StatusLine)
    assert line is not None and line.model is shared()
    shared().set_depth({"pending": 1})
    assert line.labels["writes"].text() == "1 write waiting"


def test_the_org_follows_the_org_list_and_the_main_windows_picker(qapp):
    model = StatusModel()
    alerts = Alerts(Notifier(QSystemTrayIcon()), Settings, lambda target: asyncio.sleep(0), lambda: None, lambda: None)
    orgs = OrgListReply(orgs=[Org(id="org-1", name="Acme"), Org(id="org-2", name="Globex")], active="org-2")
    feed = StatusFeed(FakeBus(wb_org_list=lambda _: orgs), model, alerts, logging.getLogger("test"))
    model.set_auth(AuthState(state="signed_in", email="ann@example.test"))
    run(feed.orgs())
    assert model.account_text()[0] == "Signed in as ann@example.test · Globex"
    assert alerts.org_names == {"org-1": "Acme", "org-2": "Globex"}
    picker = QComboBox()
    picker.currentTextChanged.connect(feed.org_shown)
    picker.addItems(["Acme", "Globex"])
    picker.setCurrentIndex(0)
    assert model.account_text()[0] == "Signed in as ann@example.test · Acme"


def test_dark_palette_and_tones_that_read_on_it(qapp):
    look = style.Look(qapp)
    look.apply("dark")
    try:
        assert style.is_dark() and qapp.palette().window().color().name() == style.DARK[style.QPalette.ColorRole.Window]
        assert status_line.tone_style("error", True) == "color: #ff8a7a"
    finally:
        look.apply("light")
    assert not style.is_dark()


# -- the real node: tray lines over wb:ui:windows --------------------------------------------


def tray_lines(node) -> list[str]:
    return node.call("wb:ui:windows").tray_menu


def tray_says(node, predicate, what: str, timeout: float = 60) -> list[str]:
    def now() -> list[str] | None:
        lines = tray_lines(node)
        return lines if predicate(lines) else None

    return wait_for(now, timeout, interval=0.2, what=what)


def test_the_tray_says_offline_failed_and_writes_waiting_against_a_downed_sandbox(sandbox_factory, node_factory):
    sandbox = sandbox_factory("--rows", "140")
    node = node_factory(mode="run", WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING).start()
    login(node)
    sync(node)
    lines = tray_says(node, lambda ls: "Last synced just now" in ls and any("·" in x for x in ls), "a synced tray")
    assert "Online" in lines and "No writes waiting" in lines
    assert any(x.startswith("Signed in as demo@workbuoy.test · ") for x in lines), lines

    sandbox.set_faults(outage="drop")
    node.call("wb:queue:create", {"entity": "deals", "op": "create", "payload": {"name": "Offline deal"}})
    tray_says(node, lambda ls: any(x.startswith("Offline since") for x in ls) and "1 write waiting" in ls,
              "the tray saying offline, one write waiting")
    sync(node)
    lines = tray_says(node, lambda ls: any(x.startswith("Sync failed:") for x in ls), "the tray saying the sync failed")
    assert not any(x.endswith(": done") for x in lines), lines

    sandbox.set_faults(outage="none")
    tray_says(node, lambda ls: "Online" in ls and "No writes waiting" in ls, "online again, the write sent", timeout=90)
    sync(node)
    tray_says(node, lambda ls: "Last synced just now" in ls, "a good sync after the outage")

    sandbox.set_faults(outage="refuse", outage_s=12)  # connections refused; it listens again by itself
    node.call("wb:queue:create", {"entity": "deals", "op": "create", "payload": {"name": "Refused deal"}})
    tray_says(node, lambda ls: any(x.startswith("Offline since") for x in ls) and "1 write waiting" in ls,
              "the tray saying offline while the sandbox refuses")
    tray_says(node, lambda ls: "Online" in ls and "No writes waiting" in ls, "online once it listens again", timeout=90)
    assert node.status().actors["ui"].restarts == 0
