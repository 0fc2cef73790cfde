"""UI responsiveness with many cached rows: the longest the ui thread is blocked while a person
switches tabs, sorts by headings and scrolls down page after page.

Run: ``.venv/bin/python bench/ui.py [--rows N] [--pages N]`` (offscreen Qt). ``--rows`` deals
(and a tenth as many of every other entity) are written into a store in a temporary folder.
The main window talks to that store through a bus that answers ``wb:offline:getList`` as
the sync actor does (``Store.list_page`` in a ``ReadPool`` thread, the reply decoded from
msgpack as it would come off the socket), so the ui thread does what it does in the app: wait
for the reply without blocking, then build the rows.

A ``QTimer`` heartbeat every 5 ms records how late each beat fires; the longest lateness is
the longest block of the ui thread. The baseline is the same heartbeat in the same run with
the window shown and idle.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# bench/queue.py would shadow the standard library's queue (imported by logging.handlers).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import msgspec  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from workbuoy.actors.ui.main_window import MainWindow  # noqa: E402
from workbuoy.qtloop import QtEventLoop  # noqa: E402
from workbuoy.schemas.base import ENTITIES  # noqa: E402
from workbuoy.schemas.offline import GetList, ListReply  # noqa: E402
from workbuoy.schemas.orgs import Org, OrgListReply  # noqa: E402
from workbuoy.store import Store  # noqa: E402
from workbuoy.store.listing import ListRequest  # noqa: E402
from workbuoy.store.readers import ReadPool  # noqa: E402

ORG = "org-1"
BEAT_MS = 5
STAGES = ("prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost")


def rows(entity: str, start: int, end: int) -> list[dict[str, Any]]:
    """Rows ``start``..``end`` of an entity, with every field any entity's columns sort by."""
    base = 1_700_000_000_000
    return [{"id": f"{entity}-{i:08d}", "updated_at": base + i * 1000, "name": f"Company {i % 9973} — deal {i}",
             "title": f"Meeting {i}", "subject": f"Subject {i}", "company": f"Company {i % 9973}",
             "stage": STAGES[i % 6], "amount": (i * 37) % 400_000, "currency": "EUR", "starts_at": base + i * 60_000,
             "close_date": base + (i % 365) * 86_400_000, "owner": f"owner{i % 400}@example.com",
             "sent_at": base + i * 1000, "from": f"from{i % 700}@example.com"} for i in range(start, end)]


def fill(path: Path, deals: int) -> None:
    store = Store.open(path)
    try:
        for entity in ENTITIES:
            n = deals if entity == "deals" else deals // 10
            for start in range(0, n, 20_000):
                store.upsert_rows(entity, ORG, rows(entity, start, min(n, start + 20_000)))
    finally:
        store.close()


class StoreBus:
    """``wb:offline:getList`` from the store, off the ui thread, the reply through msgpack as on the bus."""

    def __init__(self, path: Path) -> None:
        self.pool = ReadPool(path, timeout=60)

    async def call(self, channel: str, payload: Any = None, *, timeout: float = 10.0) -> Any:
        if channel == "wb:org:list":
            return OrgListReply(orgs=[Org(id=ORG, name="Bench org")], active=ORG)
        if channel != "wb:offline:getList":
            raise LookupError(channel)
        r = msgspec.convert(payload, GetList)
        asked = ListRequest(r.table, r.org_id, r.limit, r.cursor, r.query, r.sort, r.descending, r.conflicted,
                            r.upcoming, r.with_total)
        found = await self.pool.run(lambda store: store.list_page(asked))
        wire = msgspec.msgpack.encode(ListReply(items=[x.payload for x in found.rows], next_cursor=found.next_cursor,
                                                total=found.total, marks=found.marks))
        return msgspec.msgpack.decode(wire, type=ListReply)


class Heartbeat:
    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(BEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.worst = 0.0
        self._last = 0.0

    def _beat(self) -> None:
        now = time.perf_counter()
        if self._last:
            self.worst = max(self.worst, (now - self._last) * 1000 - BEAT_MS)
        self._last = now

    def start(self) -> None:
        self.worst, self._last = 0.0, 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.worst


async def settle(view, rounds: int = 6000) -> None:
    """Until the view has no load in flight and its tasks ran (bounded)."""
    for _ in range(rounds):
        await asyncio.sleep(0.005)
        if not view.loading:
            await asyncio.sleep(0.05)
            if not view.loading:
                return


async def measure(window: MainWindow, pages: int) -> dict[str, float]:
    beat, out = Heartbeat(), {}
    window.open()
    await settle(window.views["messages"])
    beat.start()
    await asyncio.sleep(1.0)
    out["idle (baseline)"] = beat.stop()
    beat.start()
    for entity in ENTITIES:
        window.tabs.setCurrentWidget(window.views[entity])
        await settle(window.views[entity])
    out["switching all tabs"] = beat.stop()
    deals = window.views["deals"]
    window.tabs.setCurrentWidget(deals)
    await settle(deals)
    beat.start()
    for column in (4, 4, 1, 5):  # amount up, amount down, name, close date
        deals.table.horizontalHeader().sectionClicked.emit(column)
        await settle(deals)
    out["sorting 4 times"] = beat.stop()
    beat.start()
    for _ in range(pages):
        deals.table.scrollToBottom()
        await settle(deals)
    out[f"scrolling {pages} pages down"] = beat.stop()
    out["rows loaded"] = deals.table.rowCount()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="deals cached (other entities a tenth)")
    parser.add_argument("--pages", type=int, default=30, help="pages scrolled down in the deals table")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(["bench"])
    with tempfile.TemporaryDirectory(prefix="wb-bench-ui-") as tmp:
        path = Path(tmp) / "workbuoy.db"
        started = time.perf_counter()
        fill(path, args.rows)
        print(f"cached {args.rows:,} deals and {args.rows // 10:,} of each other entity in "
              f"{time.perf_counter() - started:.0f} s")
        bus = StoreBus(path)
        window = MainWindow(bus)
        window.resize(1300, 760)
        with asyncio.Runner(loop_factory=QtEventLoop) as runner:
            figures = runner.run(measure(window, args.pages))
        bus.pool.close()
        window.hide()
    for what, ms in figures.items():
        print(f"{what:>28}: " + (f"{ms:,.0f}" if what == "rows loaded" else f"longest ui-thread block {ms:6.1f} ms"))
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
