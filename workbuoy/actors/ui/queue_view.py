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
from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QWidget

from workbuoy.actors.ui import formats, tables
from workbuoy.actors.ui.calls import Bus, ask, spawn
from workbuoy.actors.ui.conflict_view import ConflictView, headline
from workbuoy.i18n import num, translate
from workbuoy.schemas.outbox import QueueItemView

#: Filter label -> the ``wb:queue:list`` status it asks for (conflicts are failed writes, filtered here).
FILTERS = {QT_TRANSLATE_NOOP("QueueView", "All"): None, QT_TRANSLATE_NOOP("QueueView", "Waiting"): "pending",
           QT_TRANSLATE_NOOP("QueueView", "Sending"): "inflight", QT_TRANSLATE_NOOP("QueueView", "Failed"): "failed",
           QT_TRANSLATE_NOOP("QueueView", "Conflicts"): "failed", QT_TRANSLATE_NOOP("QueueView", "Sent"): "synced"}
#: How the status line names a filtered list ("12 writes (failed)").
FILTERED = {"Waiting": QT_TRANSLATE_NOOP("QueueView", "waiting"), "Sending": QT_TRANSLATE_NOOP("QueueView", "sending"),
            "Failed": QT_TRANSLATE_NOOP("QueueView", "failed"), "Conflicts": QT_TRANSLATE_NOOP("QueueView", "conflicts"),
            "Sent": QT_TRANSLATE_NOOP("QueueView", "sent")}
STATES = {"synced": QT_TRANSLATE_NOOP("QueueView", "Sent"), "inflight": QT_TRANSLATE_NOOP("QueueView", "Sending")}
COLUMNS = ("state", "record", "entity", "op", "updated_at", "id")
REJECTED = "rejected: "


def in_words(item: QueueItemView, now_ms: int) -> str:
    """Where a write stands, for a person: no HTTP codes, no actor names (``outbox.describe``'s
    states, in the user's language; the CLI keeps ``describe``)."""
    if item.conflicted:
        return headline(item)
    if item.status == "failed" and (item.last_error or "").startswith(REJECTED):
        return translate("QueueView", "The server refused this write: {reason}").format(
            reason=item.last_error[len(REJECTED):])  # type: ignore[index]
    if item.status == "failed":
        return translate("QueueView", "Failed: {reason}").format(
            reason=item.last_error or translate("QueueView", "no reason recorded"))
    if item.status in STATES:
        return translate("QueueView", STATES[item.status])
    last = (item.last_error or "unknown").split(":", 1)[0]
    if not item.attempt:  # never sent, or put back uncharged when an outage was detected
        waiting = translate("QueueView", "Waiting to be sent")
        return waiting + (translate("QueueView", ", last: {error}").format(error=last) if item.last_error else "")
    due = item.next_attempt_at is None or item.next_attempt_at <= now_ms
    when = translate("QueueView", "now") if due else translate("QueueView", "in {minutes} min").format(
        minutes=num(max(1, round(((item.next_attempt_at or 0) - now_ms) / 60_000))))
    return translate("QueueView", "Retrying: {n} attempts, next {when}, last: {error}").format(
        n=num(item.attempt), when=when, error=last)


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
        for label in FILTERS:
            self.filter.addItem(translate("QueueView", label), label)
        self.filter.setAccessibleName(translate("QueueView", "Show writes"))
        self.filter.currentIndexChanged.connect(self.reload)
        self.table = tables.new_table(translate("QueueView", "Outbox"))
        self.table.itemSelectionChanged.connect(self._follow_selection)
        self.retry_button = QPushButton(translate("QueueView", "Retry"))
        self.retry_button.setAccessibleName(translate("QueueView", "Send the selected failed write again"))
        self.retry_button.clicked.connect(self._retry_clicked)
        self.discard_button = QPushButton(translate("QueueView", "Discard"))
        self.discard_button.setAccessibleName(
            translate("QueueView", "Drop the selected failed write and undo it in the offline copy"))
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
        show = QLabel(translate("QueueView", "Show"))
        bar = [show, self.filter, self.depth, self.retry_button, self.discard_button]
        tables.lay_out(self, bar, self.depth, self.table, self.conflict, self.status)
        self._follow_selection()

    def reload(self) -> None:
        spawn(self.load())

    def show_depth(self, depth: dict[str, int]) -> None:
        waiting = depth.get("pending", 0) + depth.get("inflight", 0)
        failed = depth.get("failed", 0)
        parts = [translate("QueueView", "{n} waiting to be sent").format(n=num(waiting)) if waiting
                 else translate("QueueView", "Nothing waiting to be sent")]
        if failed:
            parts.append(translate("QueueView", "{n} failed or in conflict").format(n=num(failed)))
        self.depth.setText(", ".join(parts))

    async def load(self, said: str = "") -> None:
        label = self.filter.currentData()
        status = FILTERS[label]
        reply = await ask(self.bus, "wb:queue:list", {} if status is None else {"status": status}, self.status)
        if reply is None:
            return
        items = [i for i in reply.items if i.conflicted or label != "Conflicts"]
        now = int(time.time() * 1000)
        rows = [{**msgspec.to_builtins(i), "state": in_words(i, now), "record": record_name(i), "item": i,
                 "entity": formats.tab_name(i.entity) if i.entity else i.qtype,
                 "op": formats.operation(i.op or "").capitalize(), "updated_at": i.updated_at}  # the wire's is updatedAt
                for i in items]
        tables.replace(self.table, rows, COLUMNS)
        if tables.selected(self.table) is None:  # a conflict waits for the user: shown first
            tables.select_where(self.table, "conflicted", "True")
        self._follow_selection()
        self.status.setText(said or self._count_text(len(items), label))

    @staticmethod
    def _count_text(n: int, label: str) -> str:
        """"12 writes (failed)", "1 write", "No writes."."""
        counted = translate("QueueView", "No writes") if not n else translate("QueueView", "1 write") if n == 1 else \
            translate("QueueView", "{n} writes").format(n=num(n))
        shown = f" ({translate('QueueView', FILTERED[label])})" if label in FILTERED else ""
        return counted + shown + ("." if not n else "")

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
        merged = translate("QueueView", "merged: the server's version with your ticked fields")
        spawn(self._settled(self.conflict.merge_fields(), merged))

    async def retry(self) -> None:
        if row := tables.selected(self.table):
            if await ask(self.bus, "wb:queue:retry", {"id": row["id"]}, self.status) is not None:
                await self.load(translate("QueueView", "“{record}” will be sent again.").format(record=row["record"]))

    async def discard(self) -> None:
        """A write that cannot succeed: dropped unsent, and the record back as it was."""
        if row := tables.selected(self.table):
            if await ask(self.bus, "wb:queue:discard", {"id": row["id"]}, self.status) is not None:
                await self.load(translate("QueueView", "Write to “{record}” discarded; the record is back as it was.")
                                .format(record=row["record"]))

    async def resolve(self, resolution: str) -> None:
        what = translate("QueueView", "your version will be sent again") if resolution == "keepLocal" \
            else translate("QueueView", "the server's version kept")
        await self._settled(self.conflict.resolve(resolution), what)

    async def _settled(self, done: Any, what: str) -> None:
        row = tables.selected(self.table)
        if await done and row is not None:
            await self.load(translate("QueueView", "Conflict on “{record}” settled: {what}.")
                            .format(record=row["record"], what=what))
