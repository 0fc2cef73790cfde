"""The outbox (``wb:queue:list``): writes by status, retry a failed one, settle a conflict.

A conflicted write cannot be retried; it is settled with keepLocal or keepServer
(``wb:queue:resolveConflict``), so the buttons follow the selected row.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workbuoy.actors.ui import tables
from workbuoy.actors.ui.calls import Bus, ask, spawn
from workbuoy.schemas.outbox import describe

STATUSES = ("all", "pending", "inflight", "failed", "synced")
COLUMNS = ("id", "status", "state", "entity", "op", "entityId", "attempt", "lastError")


class QueueView(QWidget):
    def __init__(self, bus: Bus) -> None:
        super().__init__()
        self.bus = bus
        self.filter = QComboBox()
        self.filter.addItems(STATUSES)
        self.filter.currentIndexChanged.connect(self.reload)
        self.table = tables.new_table()
        self.table.itemSelectionChanged.connect(self._follow_selection)
        self.retry_button = QPushButton("Retry")
        self.keep_local = QPushButton("Keep mine")
        self.keep_server = QPushButton("Keep server's")
        self.retry_button.clicked.connect(self._retry_clicked)
        self.keep_local.clicked.connect(self._keep_local_clicked)
        self.keep_server.clicked.connect(self._keep_server_clicked)
        self.depth = QLabel()
        self.status = QLabel()
        self.status.setObjectName("status")
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.filter)
        top.addWidget(self.depth, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for b in (self.retry_button, self.keep_local, self.keep_server):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._follow_selection()

    def reload(self) -> None:
        spawn(self.load())

    def show_depth(self, depth: dict[str, int]) -> None:
        self.depth.setText("  ".join(f"{k}: {v}" for k, v in sorted(depth.items())))

    async def load(self) -> None:
        status = self.filter.currentText()
        reply = await ask(self.bus, "wb:queue:list", {} if status == "all" else {"status": status}, self.status)
        if reply is not None:
            now = int(time.time() * 1000)
            rows = [{**msgspec.to_builtins(i), "state": describe(i, now)} for i in reply.items]
            tables.replace(self.table, rows, COLUMNS)
            self._follow_selection()
            shown = "" if status == "all" else f" {status}"
            self.status.setText(f"{len(reply.items)}{shown} writes" if reply.items else f"No{shown} writes.")

    def _follow_selection(self) -> None:
        row = tables.selected(self.table)
        conflicted = bool(row and row["conflicted"])
        self.retry_button.setEnabled(bool(row and row["status"] == "failed" and not conflicted))
        self.keep_local.setEnabled(conflicted)
        self.keep_server.setEnabled(conflicted)

    def _retry_clicked(self) -> None:
        spawn(self.retry())

    def _keep_local_clicked(self) -> None:
        spawn(self.resolve("keepLocal"))

    def _keep_server_clicked(self) -> None:
        spawn(self.resolve("keepServer"))

    async def _act(self, channel: str, payload: dict[str, Any], done: str) -> None:
        if await ask(self.bus, channel, payload, self.status) is not None:
            await self.load()
            self.status.setText(done)

    async def retry(self) -> None:
        if row := tables.selected(self.table):
            await self._act("wb:queue:retry", {"id": row["id"]}, f"Write {row['id']} queued again.")

    async def resolve(self, resolution: str) -> None:
        if row := tables.selected(self.table):
            payload = {"entity": row["entity"], "entityId": row["entityId"], "resolution": resolution}
            await self._act("wb:queue:resolveConflict", payload, f"Conflict on {row['entity']}/{row['entityId']} settled.")
