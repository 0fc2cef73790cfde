"""Mini-Buoy keeps your words (issue 11 item 5): keyboard typing with QTest, offscreen, against
an assistant whose replies the test releases one by one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("PySide6", reason="the ui extra is not installed")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QKeySequence  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from tests.test_ui_widgets import FakeBus, refuse, run  # noqa: E402
from workbuoy.actors.ui import tables  # noqa: E402
from workbuoy.actors.ui.overlay import SIGNED_OUT, MiniBuoy, Record, selected_in  # noqa: E402
from workbuoy.bus.errors import BusError  # noqa: E402
from workbuoy.schemas.outbox import AiChatReply, AssistantApplied, ChatMessage, QueueItemRef  # noqa: E402

pytestmark = pytest.mark.timeout(60)


class HeldAssistant:
    """``wb:ai:chat`` whose every answer waits until the test releases it (a slow server)."""

    def __init__(self) -> None:
        self.asked: list[list[dict[str, str]]] = []
        self.gates: list[asyncio.Future[None]] = []
        self.fail_next = False

    async def call(self, channel: str, payload: Any = None, *, timeout: float = 10.0) -> Any:
        assert channel == "wb:ai:chat"
        self.asked.append(payload["messages"])
        gate = asyncio.get_running_loop().create_future()
        self.gates.append(gate)
        await gate
        if self.fail_next:
            self.fail_next = False
            raise BusError("unauthenticated", "no session")
        return AiChatReply(message=ChatMessage(role="assistant", content=f"answer {len(self.asked)}"))

    def release(self) -> None:
        next(g for g in self.gates if not g.done()).set_result(None)


async def until(cond: Callable[[], Any], what: str, timeout: float = 10) -> None:
    """Wait on a condition the loop makes true (Qt events and bus replies run meanwhile)."""
    async with asyncio.timeout(timeout):
        while not cond():
            await asyncio.sleep(0.01)
    assert cond(), what


def typed(text: str) -> None:
    """Type as a keyboard does: into whatever has the focus now."""
    QTest.keyClicks(QApplication.focusWidget(), text)


def enter(modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, modifier)


def shown(bus: Any) -> MiniBuoy:
    overlay = MiniBuoy(bus)
    overlay.set_visible(True)
    assert QTest.qWaitForWindowActive(overlay, 5000)
    assert QApplication.focusWidget() is overlay.input  # focus on open
    return overlay


def test_three_questions_typed_fast_through_slow_replies_are_all_kept_and_asked_in_order(qapp):
    bus = HeldAssistant()
    overlay = shown(bus)

    async def main() -> None:
        for n in (1, 2, 3):
            typed(f"question {n} with spaces")
            enter()
            await until(lambda: len(bus.asked) >= 1, "the first question asked")
        typed(" and a fourth, still typing")  # the space that used to hit the × button
        for n in (1, 2, 3):
            await until(lambda: len(bus.gates) == n, f"question {n} asked")
            bus.release()
            await until(lambda: f"answer {n}" in overlay.transcript.toPlainText(), f"answer {n}")
            assert overlay.isVisible() and QApplication.focusWidget() is overlay.input
        await until(lambda: len(bus.gates) == 3 and all(g.done() for g in bus.gates), "every question answered")

    run(main())
    assert [m[-1]["content"] for m in bus.asked] == [f"question {n} with spaces" for n in (1, 2, 3)]
    assert [m["content"] for m in bus.asked[2]] == ["question 1 with spaces", "answer 1", "question 2 with spaces",
                                                   "answer 2", "question 3 with spaces"]
    assert overlay.input.toPlainText() == " and a fourth, still typing"
    overlay.hide()


def test_shift_enter_breaks_the_line_and_esc_hides(qapp):
    bus = FakeBus(wb_ai_chat=lambda p: AiChatReply(message=ChatMessage(role="assistant", content="ok")))
    overlay = shown(bus)
    typed("first line")
    enter(Qt.KeyboardModifier.ShiftModifier)
    typed("second line")
    assert overlay.input.toPlainText() == "first line\nsecond line" and bus.calls == []

    async def main() -> None:
        enter()
        await until(lambda: "Mini-Buoy: ok" in overlay.transcript.toPlainText(), "the reply")

    run(main())
    assert bus.sent("wb:ai:chat")[0]["messages"][-1]["content"] == "first line\nsecond line"
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert not overlay.isVisible()


def test_a_failed_question_is_marked_not_kept_and_never_sent_again(qapp):
    bus = HeldAssistant()
    overlay = shown(bus)

    async def main() -> None:
        bus.fail_next = True
        typed("lost one")
        enter()
        await until(lambda: bus.gates, "asked")
        bus.release()
        await until(lambda: overlay.status.text(), "the error line")
        typed("next one")
        enter()
        await until(lambda: len(bus.gates) == 2, "asked again")
        bus.release()
        await until(lambda: "answer 2" in overlay.transcript.toPlainText(), "the second answer")

    run(main())
    assert "not answered, not kept: “lost one”" in overlay.transcript.toPlainText()
    assert [m["content"] for m in bus.asked[1]] == ["next one"]  # the failed one is not resent
    assert overlay.status.text() == ""  # the error line clears with the next answer
    overlay.hide()


def test_one_clear_error_line_and_signed_out_keeps_the_question(qapp):
    overlay = shown(FakeBus(wb_ai_chat=refuse("unauthenticated", "sign in first; token expired; 401")))
    typed("hello")
    run(overlay.send())
    assert overlay.status.text() == SIGNED_OUT
    overlay.set_signed_in(False)
    typed("kept")
    run(overlay.send())
    assert overlay.input.toPlainText() == "kept" and overlay.status.text() == SIGNED_OUT
    assert len(overlay.bus.calls) == 1  # nothing is sent while signed out
    overlay.set_signed_in(True)
    assert overlay.status.text() == ""
    overlay.hide()


class DealsTab(QWidget):
    """A main-window tab as Mini-Buoy sees one: an ``entity`` and a ``table`` with a selection."""

    def __init__(self) -> None:
        super().__init__()
        self.entity = "deals"
        self.table = tables.new_table()
        rows = [{"id": "deal-7", "name": "Big deal", "amount": 3500}]
        tables.replace(self.table, rows, ["id", "name", "amount"])


def test_attach_the_selected_record_and_apply_the_answer_as_a_queued_note(qapp):
    tab = DealsTab()
    bus = FakeBus(wb_ai_chat=lambda p: AiChatReply(message=ChatMessage(role="assistant", content="Call them Monday.")),
                  wb_assistant_apply=lambda p: AssistantApplied(items=[QueueItemRef(id=9, op_id="o", status="pending")]))
    overlay = MiniBuoy(bus, lambda: tab)
    assert selected_in(tab) is None
    tab.table.selectRow(0)
    assert selected_in(tab) == Record("deals", {"id": "deal-7", "name": "Big deal", "amount": 3500})
    overlay.set_visible(True)
    overlay.attach.setChecked(True)
    assert overlay.attach.text() == "Attach “Big deal”" and not overlay.apply.isEnabled()
    overlay.input.setPlainText("What next?")
    run(overlay.send())
    sent = bus.sent("wb:ai:chat")[0]["messages"]
    assert sent[0]["role"] == "system" and "deal-7" in sent[0]["content"] and sent[-1]["content"] == "What next?"
    assert overlay.apply.isEnabled()
    run(overlay.apply_reply())
    assert bus.sent("wb:assistant:apply") == [{"actions": [{"entity": "deals", "op": "update", "entityId": "deal-7",
                                                            "payload": {"notes": "Call them Monday."}}]}]
    assert overlay.status.text() == "Queued as a note on “Big deal”: it is in the outbox."
    overlay.hide()


def test_an_application_shortcut_toggles_it(qapp):
    overlay = MiniBuoy(FakeBus())
    host = QWidget()
    overlay.shortcut_on(host).setKey(QKeySequence("Ctrl+Shift+Space"))
    host.show()
    assert QTest.qWaitForWindowActive(host, 5000)
    QTest.keyClick(host, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert overlay.isVisible()
    assert QTest.qWaitForWindowActive(overlay, 5000)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not overlay.isVisible()
    host.hide()
