"""The outbox (``wb:queue:list``): writes by status, retry a failed one, settle a conflict.

Each write is named by its record ("Fjord Seafood AS — CRM Suite"), and where it stands is
said in words. A selected conflict opens the conflict view beside the list (yours vs the
server's, field by field); a failed write can be retried, or discarded when it cannot
succeed (``wb:queue:discard``: dropped unsent, the record back as it was). Feedback stays in the status line
until the user does something else (a reload does not wipe it).
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QWidget

from workbuoy.actors.ui import formats, tables
from workbuoy.actors.ui.calls import Bus, ask, spawn
from workbuoy.actors.ui.conflict_view import ConflictView, headline
from workbuoy.schemas.outbox import QueueItemView, describe

#: Filter label -> the ``wb:queue:list`` status it asks for (conflicts are failed writes, filtered here).
FILTERS = {"All": None, "Waiting": "pending", "Sending": "inflight", "Failed": "failed", "Conflicts": "failed",
           "Sent": "synced"}
COLUMNS = ("state", "record", "entity", "op", "updated_at", "id")
REJECTED = "rejected: "


def in_words(item: QueueItemView, now_ms: int) -> str:
    """Where a write stands, for a person: no HTTP codes, no actor names."""
    if item.conflicted:
        return headline(item)
    if item.status == "failed" and (item.last_error or "").startswith(REJECTED):
        return f"The server refused this write: {item.last_error[len(REJECTED):]}"  # type: ignore[index]
    return describe(item, now_ms).capitalize()


def record_name(item: QueueItemView) -> str:
    body = (item.payload or {}).get("body") or {}
    row = {**((item.payload or {}).get("base") or {}), **(item.server_payload or {}), **body}
    if item.qtype != "crm":
        return str(body.get("subject") or body.get("title") or item.qtype)
    return formats.name_of(row) if row else str(item.entity_id or "")


class QueueView(QWidget):
    def __init__(self, bus: Bus) -> None:
        super().__init__()
        self.bus = bus
        self.filter = QComboBox()
        self.filter.addItems(list(FILTERS))
        self.filter.setAccessibleName("Show writes")
        self.filter.currentIndexChanged.connect(self.reload)
        self.table = tables.new_table("Outbox")
        self.table.itemSelectionChanged.connect(self._follow_selection)
        self.retry_button = QPushButton("Retry")
        self.retry_button.setAccessibleName("Send the selected failed write again")
        self.retry_button.clicked.connect(self._retry_clicked)
        self.discard_button = QPushButton("Discard")
        self.discard_button.setAccessibleName("Drop the selected failed write and undo it in the offline copy")
        self.discard_button.clicked.connect(self._discard_clicked)
        self.depth = QLabel()
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.conflict = ConflictView(bus, self.status)
        self.conflict.keep_local.clicked.connect(self._keep_local_clicked)
        self.conflict.keep_server.clicked.connect(self._keep_server_clicked)
        self.conflict.merge.clicked.connect(self._merge_clicked)
        self.keep_local, self.keep_server = self.conflict.keep_local, self.conflict.keep_server
        show = QLabel("Show")
        bar = [show, self.filter, self.depth, self.retry_button, self.discard_button]
        tables.lay_out(self, bar, self.depth, self.table, self.conflict, self.status)
        self._follow_selection()

    def reload(self) -> None:
        spawn(self.load())

    def show_depth(self, depth: dict[str, int]) -> None:
        waiting = depth.get("pending", 0) + depth.get("inflight", 0)
        failed = depth.get("failed", 0)
        parts = [f"{waiting} waiting to be sent" if waiting else "Nothing waiting to be sent"]
        if failed:
            parts.append(f"{failed} failed or in conflict")
        self.depth.setText(", ".join(parts))

    async def load(self, said: str = "") -> None:
        label = self.filter.currentText()
        status = FILTERS[label]
        reply = await ask(self.bus, "wb:queue:list", {} if status is None else {"status": status}, self.status)
        if reply is None:
            return
        items = [i for i in reply.items if i.conflicted or label != "Conflicts"]
        now = int(time.time() * 1000)
        rows = [{**msgspec.to_builtins(i), "state": in_words(i, now), "record": record_name(i), "item": i}
                for i in items]
        tables.replace(self.table, rows, COLUMNS)
        if tables.selected(self.table) is None:  # a conflict waits for the user: shown first
            tables.select_where(self.table, "conflicted", "True")
        self._follow_selection()
        one = "write" if len(items) == 1 else "writes"
        shown = "" if label == "All" else f" ({label.lower()})"
        self.status.setText(said or (f"{len(items)} {one}{shown}" if items else f"No writes{shown}."))

    def _follow_selection(self) -> None:
        row = tables.selected(self.table)
        self.retry_button.setEnabled(bool(row and row["status"] == "failed" and not row["conflicted"]))
        self.discard_button.setEnabled(bool(row and row["status"] == "failed"))
        self.conflict.show_item(row["item"] if row and row["conflicted"] else None)

    def _retry_clicked(self) -> None:
        spawn(self.retry())

    def _discard_clicked(self) -> None:
        spawn(self.discard())

    def _keep_local_clicked(self) -> None:
        spawn(self.resolve("keepLocal"))

    def _keep_server_clicked(self) -> None:
        spawn(self.resolve("keepServer"))

    def _merge_clicked(self) -> None:
        spawn(self._settled(self.conflict.merge_fields(), "merged: the server's version with your ticked fields"))

    async def retry(self) -> None:
        if row := tables.selected(self.table):
            if await ask(self.bus, "wb:queue:retry", {"id": row["id"]}, self.status) is not None:
                await self.load(f"“{row['record']}” will be sent again.")

    async def discard(self) -> None:
        """A write that cannot succeed: dropped unsent, and the record back as it was."""
        if row := tables.selected(self.table):
            if await ask(self.bus, "wb:queue:discard", {"id": row["id"]}, self.status) is not None:
                await self.load(f"Write to “{row['record']}” discarded; the record is back as it was.")

    async def resolve(self, resolution: str) -> None:
        what = "your version will be sent again" if resolution == "keepLocal" else "the server's version kept"
        await self._settled(self.conflict.resolve(resolution), what)

    async def _settled(self, done: Any, what: str) -> None:
        row = tables.selected(self.table)
        if await done and row is not None:
            await self.load(f"Conflict on “{row['record']}” settled: {what}.")
