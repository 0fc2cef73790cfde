"""One cached CRM table (``wb:offline:getList``): search, keyset paging, deep-link rows.

Paging follows the cursor the sync actor returns ("Load more" appends the next page),
so rows that change while the user scrolls neither repeat nor vanish.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from workbuoy.actors.ui import tables
from workbuoy.actors.ui.calls import Bus, ask, spawn
from workbuoy.schemas.base import Entity

PAGE = 50


class EntityView(QWidget):
    def __init__(self, bus: Bus, entity: Entity, open_portal: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.bus = bus
        self.entity = entity
        self._open_portal = open_portal
        self.org_id: str | None = None
        self.cursor: str | None = None
        self.columns: list[str] = []
        self.search = QLineEdit()
        self.search.setPlaceholderText(f"Search {entity}…")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.reload)
        self.table = tables.new_table()
        self.more = QPushButton("Load more")
        self.more.setEnabled(False)
        self.more.clicked.connect(self.load_more)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.in_portal = QPushButton("Open in portal")
        self.in_portal.setEnabled(False)
        self.in_portal.clicked.connect(self.open_in_portal)
        self.in_portal.setVisible(open_portal is not None)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.in_portal)
        bottom.addWidget(self.more)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    def reload(self) -> None:
        spawn(self.load())

    def _selection_changed(self) -> None:
        self.in_portal.setEnabled(tables.selected(self.table) is not None)

    def open_in_portal(self) -> None:
        """The selected record's page in the portal window."""
        if (row := tables.selected(self.table)) is not None and self._open_portal is not None:
            self._open_portal(f"/{self.entity}/{row['id']}")

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.cursor = None
        self.more.setEnabled(False)
        self.status.setText("")

    def load_more(self) -> None:
        spawn(self.load(reset=False))

    def request(self, reset: bool) -> dict[str, Any]:
        req: dict[str, Any] = {"table": self.entity, "limit": PAGE}
        if self.org_id:
            req["orgId"] = self.org_id
        if query := self.search.text().strip():
            req["query"] = query
        if not reset and self.cursor:
            req["cursor"] = self.cursor
        return req

    async def load(self, reset: bool = True) -> bool:
        """Fetch the first page (``reset``) or the next one; False when the call failed."""
        reply = await ask(self.bus, "wb:offline:getList", self.request(reset), self.status)
        if reply is None:
            return False
        if reset or not self.columns:
            self.columns = tables.columns_for(reply.items)
            tables.replace(self.table, reply.items, self.columns)
        else:
            tables.append(self.table, reply.items, self.columns)
        self.cursor = reply.next_cursor
        self.more.setEnabled(self.cursor is not None)
        shown, matching = self.table.rowCount(), " matching" if self.search.text().strip() else ""
        if shown:
            self.status.setText(f"{shown}{matching} {self.entity}" + (" (more available)" if self.cursor else ""))
        else:
            self.status.setText(f"No{matching} {self.entity} in the offline copy.")
        return True

    async def reveal(self, row_id: str) -> bool:
        """Search for ``row_id`` and select its row; the deep-link path."""
        self.search.setText(row_id)
        if not await self.load():
            return False  # the status line already says why
        if tables.select_where(self.table, "id", row_id):
            return True
        self.status.setText(f"{self.entity}/{row_id} is not in the offline copy")
        return False
