"""The ui package's windows and its Qt-driven loop, offscreen, against a fake bus."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Coroutine
from typing import Any

import msgspec
import pytest

pytest.importorskip("PySide6", reason="the ui extra is not installed")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel  # noqa: E402

from workbuoy.actors.ui import deeplink, notifications  # noqa: E402
from workbuoy.actors.ui.overlay import MiniBuoy  # noqa: E402
from workbuoy.qtloop import QtEventLoop  # noqa: E402
from workbuoy.actors.ui.settings_window import SettingsWindow  # noqa: E402
from workbuoy.actors.ui.status_model import StatusModel  # noqa: E402
from workbuoy.actors.ui.tray import Tray  # noqa: E402
from workbuoy.bus.errors import BusError, NotImplementedOnBus  # noqa: E402
from workbuoy.schemas.outbox import AiChatReply, ChatMessage, QueueStuck, ServerState  # noqa: E402
from workbuoy.schemas.settings import EntityNotifications, Settings  # noqa: E402
from workbuoy.schemas.auth import AuthState  # noqa: E402
from workbuoy.schemas.sync import CrmChange, SyncProgress  # noqa: E402

pytestmark = pytest.mark.timeout(30)
Answer = Callable[[Any], Any]


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coro`` on the ui's Qt-driven loop, as the actor does."""
    with asyncio.Runner(loop_factory=QtEventLoop) as runner:
        return runner.run(coro)


class FakeBus:
    """Answers each channel with a function of the payload; records every call."""

    def __init__(self, **answers: Answer) -> None:
        self.answers = {k.replace("_", ":"): v for k, v in answers.items()}
        self.calls: list[tuple[str, Any]] = []

    async def call(self, channel: str, payload: Any = None, *, timeout: float = 10.0) -> Any:
        self.calls.append((channel, payload))
        answer = self.answers.get(channel)
        if answer is None:
            raise NotImplementedOnBus(channel)
        return answer(payload)

    def sent(self, channel: str) -> list[Any]:
        return [p for c, p in self.calls if c == channel]


def refuse(code: str, message: str) -> Answer:
    def answer(payload: Any) -> Any:
        raise BusError(code, message)

    return answer


# -- the loop -------------------------------------------------------------------------------


def test_loop_serves_readers_timers_and_qt_slots(qapp):
    async def main() -> tuple[bytes, float, bool]:
        loop = asyncio.get_running_loop()
        a, b = socket.socketpair()
        got: asyncio.Future[bytes] = loop.create_future()
        loop.add_reader(a.fileno(), lambda: got.done() or got.set_result(a.recv(16)))
        loop.call_later(0.02, b.send, b"ping")
        data = await asyncio.wait_for(got, 5)
        loop.remove_reader(a.fileno())
        a.close(), b.close()
        t0 = time.monotonic()
        await asyncio.sleep(0.05)
        slept = time.monotonic() - t0
        from_slot = asyncio.Event()
        QTimer.singleShot(10, lambda: asyncio.ensure_future(asyncio.sleep(0)).add_done_callback(lambda _: from_slot.set()))
        await asyncio.wait_for(from_slot.wait(), 5)
        return data, slept, from_slot.is_set()

    data, slept, from_slot = run(main())
    assert data == b"ping"
    assert 0.045 <= slept < 1.0
    assert from_slot


def test_loop_survives_many_qt_calls(qapp):
    """PySide6 6.12.0 on CPython 3.11 drops a reference to None per void call (excluded in pyproject.toml)."""
    label = QLabel()

    async def main() -> None:
        for i in range(20_000):
            label.setText(str(i))
            if i % 1000 == 0:
                await asyncio.sleep(0)

    run(main())


# -- deep links and notification rules ---------------------------------------------------------


@pytest.mark.parametrize("url,entity,row", [
    ("workbuoy://deals/42", "deals", "42"),
    ("workbuoy://tickets/t-1.2:x", "tickets", "t-1.2:x"),
    ("workbuoy://customers", "customers", None),
    ("workbuoy://meetings/", "meetings", None),
])
def test_deep_link_targets(url, entity, row):
    assert deeplink.parse(url) == deeplink.Target(entity, row)


@pytest.mark.parametrize("url,reason", [
    ("https://deals/42", "not a workbuoy"),
    ("workbuoy://nonsense/1", "unknown entity"),
    ("workbuoy://deals/42?x=1", "no query"),
    ("workbuoy://deals/4 2", "not a row id"),
    ("workbuoy://deals/a/b", "not a row id"),
    ("workbuoy://user@deals/1", "no query, fragment, user"),
])
def test_deep_link_refusals(url, reason):
    with pytest.raises(ValueError, match=reason):
        deeplink.parse(url)


def test_notification_rules():
    quiet_deals = Settings(notify=EntityNotifications(deals=False))
    assert notifications.refusal(Settings(), "deal") == ""
    assert "deals" in notifications.refusal(quiet_deals, "deal")
    assert notifications.refusal(quiet_deals, "ticket") == ""
    assert "turned off" in notifications.refusal(Settings(notifications_enabled=False), "info")
    note = notifications.from_change(CrmChange(entity="deals", org_id="o", ids=["d1", "d2"], created=1, updated=1), "Acme")
    assert (note.kind, note.title) == ("deal", "Acme: Deals — 1 new, 1 updated")
    one = notifications.from_change(CrmChange(entity="tickets", org_id="o", ids=["t1"], created=0, updated=1))
    assert (one.kind, one.title, one.body) == ("ticket", "Ticket — 1 updated", "Click to open it.")


# -- windows ------------------------------------------------------------------------------------


def test_settings_window_has_every_field_and_sends_only_changes(qapp):
    saved = Settings(sync_interval_sec=600, notify=EntityNotifications(deals=False))
    bus = FakeBus(wb_getSettings=lambda _: Settings(), wb_updateSettings=lambda _: saved)
    window = SettingsWindow(bus)
    run(window.load())

    def paths(struct: type, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
        out: set[tuple[str, ...]] = set()
        for f in msgspec.structs.fields(struct):
            sub = f.type if isinstance(f.type, type) and issubclass(f.type, msgspec.Struct) else None
            out |= paths(sub, (*prefix, f.encode_name)) if sub else {(*prefix, f.encode_name)}
        return out

    assert set(window.editors) == paths(Settings) - {("environment",)}  # shown on the fields it pins
    assert isinstance(window.editors[("version",)], QLabel)
    window.editors[("syncIntervalSec",)].setValue(600)
    window.editors[("notify", "deals")].setChecked(False)
    run(window.save())
    assert bus.sent("wb:updateSettings") == [{"syncIntervalSec": 600, "notify": {"deals": False}}]
    assert window.status.text() == "Saved." and window.patch() == {}
    window.show_settings(Settings(notifications_enabled=False))  # a wb:settings:changed event
    box = window.editors[("notificationsEnabled",)]
    assert isinstance(box, QCheckBox) and not box.isChecked()


def test_settings_window_locks_what_the_environment_sets_and_edits_host_lists(qapp):
    pinned = Settings(sync_page_size=50, environment=["syncPageSize", "preferBearerToken"])
    bus = FakeBus(wb_updateSettings=lambda p: msgspec.structs.replace(pinned, external_links=p["externalLinks"]))
    window = SettingsWindow(bus)
    window.show_settings(pinned)
    size, bearer = window.editors[("syncPageSize",)], window.editors[("preferBearerToken",)]
    assert not size.isEnabled() and "set by the environment" in size.toolTip()
    assert window.row_labels[("syncPageSize",)].text() == "Rows per sync page (set by the environment)"
    assert not bearer.isEnabled() and bearer.text().endswith("(set by the environment)")
    size.setValue(70)  # even if changed, a pinned field is never sent
    window.editors[("externalLinks",)].setText("help.example.com,  *.docs.example.com , ")
    run(window.save())
    assert bus.sent("wb:updateSettings") == [{"externalLinks": ["help.example.com", "*.docs.example.com"]}]
    assert window.editors[("externalLinks",)].text() == "help.example.com, *.docs.example.com"


def test_a_new_portal_address_is_saved_only_after_the_user_confirms(qapp):
    bus = FakeBus(wb_updateSettings=lambda p: Settings(portal_origin=p["portalOrigin"]))
    window = SettingsWindow(bus)
    window.editors[("portalOrigin",)].setText("https://eu.workbuoy.example")
    run(window.save())
    assert bus.sent("wb:updateSettings") == [] and window.confirm is not None and window.confirm.isVisible()
    window.confirm.button(window.confirm.StandardButton.Cancel).click()
    assert window.status.text() == "The portal address was not changed."
    run(window.save())

    async def settle() -> None:
        window.confirm.button(window.confirm.StandardButton.Ok).click()  # the slot spawns the save on this loop
        for _ in range(50):
            if bus.sent("wb:updateSettings"):
                return
            await asyncio.sleep(0.01)

    run(settle())
    assert bus.sent("wb:updateSettings") == [{"portalOrigin": "https://eu.workbuoy.example"}]


def test_settings_window_shows_the_brokers_refusal_in_words(qapp):
    message = "Expected `str` matching regex '^x$' - at `$.externalLinks[1]`"
    bus = FakeBus(wb_updateSettings=refuse("invalid_payload", message))
    window = SettingsWindow(bus)
    window.editors[("externalLinks",)].setText("a.example, bad host")
    run(window.save())
    assert window.status.text() == "Hosts whose links open in the browser (comma-separated) (entry 2) is not in the expected form."
    assert window.patch() == {"externalLinks": ["a.example", "bad host"]}  # the input stays for the user to fix


def test_overlay_toggles_and_chats(qapp):
    bus = FakeBus(wb_ai_chat=lambda p: AiChatReply(message=ChatMessage(role="assistant", content=f"{len(p['messages'])} seen")))
    overlay = MiniBuoy(bus)
    assert overlay.set_visible(None) is True
    assert overlay.set_visible(None) is False
    assert overlay.set_visible(False) is False
    overlay.input.setPlainText("hello")
    run(overlay.send())
    assert "Mini-Buoy: 1 seen" in overlay.transcript.toPlainText()
    overlay.bus = FakeBus(wb_ai_chat=refuse("unavailable", "the assistant needs the server"))
    overlay.input.setPlainText("again")
    run(overlay.send())
    assert overlay.status.text() == "Mini-Buoy needs the server, which cannot be reached now."
    assert "not answered, not kept" in overlay.transcript.toPlainText() and overlay.input.isEnabled()


def test_tray_menu_and_status_lines(qapp):
    hits: list[str] = []
    names = ("sign_in", "open_main", "open_portal", "sync_now", "toggle_overlay", "open_settings", "sign_out", "quit_node")

    def record(name: str) -> Callable[[], None]:
        return lambda: hits.append(name)

    model = StatusModel()
    tray = Tray(**{n: record(n) for n in names}, model=model)
    for action in tray.menu.actions():
        if action.isEnabled() and not action.isSeparator():
            action.trigger()
    assert hits == [n for n in names if n != "sign_out"]  # signed out: no "Sign out" to click
    assert tray.sign_in.isVisible() and not tray.sign_out.isVisible()
    model.set_auth(AuthState(state="signed_in", email="ann@example.test"))
    assert tray.sign_out.isVisible() and not tray.sign_in.isVisible()
    tray.sign_out.trigger()
    assert hits[-1] == "sign_out"
    model.add_progress(SyncProgress(run_id=3, entity="deals", org_id="o", pages=2, rows=400, state="running"))
    assert tray.auth_line.text() == "Signed in as ann@example.test"
    assert tray.sync_line.text() == "Syncing… (deals, 400 rows)"
    assert "Syncing" in tray.icon.toolTip()
    model.add_progress(SyncProgress(run_id=3, entity="deals", org_id="o", pages=0, rows=0, state="failed",
                                    error="unreachable: ConnectError"))
    model.add_progress(SyncProgress(run_id=3, entity="", org_id="", pages=0, rows=0, state="done", finished=True))
    assert tray.sync_line.text() == "Sync failed: the server could not be reached"
    assert tray.server_line.text() == "Online"
    since = int(time.mktime((2026, 1, 2, 10, 42, 0, 0, 0, -1)) * 1000)
    model.set_server(ServerState(online=False, since=since, reason="unreachable: ConnectError"))
    assert tray.server_line.text() == "Offline since 10:42 — the server could not be reached"
    assert "Offline since 10:42" in tray.icon.toolTip()
    model.set_server(ServerState(online=True, since=since))
    assert tray.server_line.text() == "Online"


def test_stuck_writes_notice(qapp):
    note = notifications.from_stuck(QueueStuck(count=3, oldest_id=7, since=0, last_error="unreachable: ConnectError"))
    assert (note.title, note.kind) == ("3 writes have not reached the server yet", "sync")
    assert "unreachable: ConnectError" in note.body
    assert notifications.from_stuck(QueueStuck(count=1, oldest_id=7, since=0)).title == "1 write has not reached the server yet"
