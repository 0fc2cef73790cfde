"""One conflict, so a person can judge it: the record's name, yours vs the server's, field by field.

The outbox item carries what was queued (``payload.body``: the fields you wrote,
``payload.base``: the row you wrote them over) and, while conflicted, the server's version
(``server_payload``). A field you changed is bold, one the server changed since is
highlighted, and a field you both changed to different values is red: those are the ones
to decide. "Keep mine" and "Keep server's" settle the whole write
(``wb:queue:resolveConflict``); "Merge" keeps the server's version and writes back only the
fields whose "Mine" box is ticked (``keepServer``, then one ``wb:queue:create``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from workbuoy.actors.ui import formats
from workbuoy.actors.ui.calls import Bus, ask
from workbuoy.actors.ui.style import is_dark
from workbuoy.i18n import translate
from workbuoy.schemas.outbox import QueueItemView

SKIP = frozenset({"id", "org_id", "orgId", "updated_at", "created_at"})
#: Tints of a row by who changed it, (the server, both differently), on a light and a dark palette.
TINTS = {False: (QColor("#fdf2d0"), QColor("#f8d7d3")), True: (QColor("#4a3f1c"), QColor("#5a2b27"))}
TINT_ROLE = Qt.ItemDataRole.UserRole + 1  # on a row's first cell: its index in TINTS[...], or None
GRID_HEADINGS = (QT_TRANSLATE_NOOP("ConflictView", "Field"), QT_TRANSLATE_NOOP("ConflictView", "Before"),
                 QT_TRANSLATE_NOOP("ConflictView", "Mine"), QT_TRANSLATE_NOOP("ConflictView", "Server's"))


def fields(item: QueueItemView) -> list[tuple[str, Any, Any, Any]]:
    """``(field, base, mine, server)`` for every field of the record, the ones you wrote first."""
    body = (item.payload or {}).get("body") or {}
    base = (item.payload or {}).get("base") or {}
    server = item.server_payload or {}
    keys = [*body, *(k for k in {**base, **server} if k not in body)]
    return [(k, base.get(k), body.get(k, base.get(k)), server.get(k)) for k in keys if k not in SKIP]


def headline(item: QueueItemView) -> str:
    """The conflict in words: who changed what, while you were offline."""
    thing = formats.one(item.entity) if item.entity else translate("ConflictView", "record")
    if item.server_payload is None:
        said = translate("ConflictView", "This {thing} was deleted on the server while you were offline.")
    elif item.op == "delete":
        said = translate("ConflictView", "Someone changed this {thing} on the server after you deleted it offline.")
    else:
        said = translate("ConflictView", "Someone changed this {thing} on the server while you were offline.")
    return said.format(thing=thing)


class ConflictView(QWidget):
    def __init__(self, bus: Bus, status: QLabel) -> None:
        super().__init__()
        self.bus = bus
        self.item: QueueItemView | None = None
        self.status = status
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; font-size: 13pt")
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.grid = QTableWidget(0, 4)
        self.grid.setHorizontalHeaderLabels([translate("ConflictView", t) for t in GRID_HEADINGS])
        self.grid.setAccessibleName(translate("ConflictView", "Mine and the server's version, field by field"))
        self.grid.verticalHeader().setVisible(False)
        self.grid.horizontalHeader().setStretchLastSection(True)
        self.keep_local = QPushButton(translate("ConflictView", "Keep mine"))
        self.keep_server = QPushButton(translate("ConflictView", "Keep server's"))
        self.merge = QPushButton(translate("ConflictView", "Merge ticked fields"))
        self.keep_local.setAccessibleName(translate("ConflictView", "Keep my version and send it again"))
        self.keep_server.setAccessibleName(translate("ConflictView", "Keep the server's version and drop my change"))
        self.merge.setAccessibleName(translate("ConflictView", "Keep the server's version with the ticked fields of mine"))
        buttons = QHBoxLayout()
        for b in (self.keep_local, self.keep_server, self.merge):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.headline)
        layout.addWidget(self.grid, 1)
        layout.addLayout(buttons)
        self.show_item(None)

    def show_item(self, item: QueueItemView | None) -> None:
        self.item = item
        self.setVisible(item is not None)
        if item is None:
            return
        rows = fields(item)
        name = formats.name_of(item.server_payload or (item.payload or {}).get("base") or {"id": item.entity_id})
        thing = formats.one(item.entity) if item.entity else translate("ConflictView", "record")
        self.title.setText(f"{thing.capitalize()} “{name}”")
        self.headline.setText(headline(item) + " " + translate("ConflictView", "Compare the two and keep the right one."))
        self.grid.setRowCount(0)
        self.grid.setRowCount(len(rows))
        for r, (key, base, mine, server) in enumerate(rows):
            self._show_field(r, key, base, mine, server)
        self.grid.resizeColumnsToContents()
        self.merge.setEnabled(item.op == "update" and item.server_payload is not None)

    def _show_field(self, r: int, key: str, base: Any, mine: Any, server: Any) -> None:
        row = (self.item.server_payload if self.item else None) or {}
        cells = [QTableWidgetItem(formats.heading(key))] + [QTableWidgetItem(formats.text(key, v, row))
                                                            for v in (base, mine, server)]
        mine_changed, server_changed = mine != base, server != base
        if mine_changed:
            font = QFont()
            font.setBold(True)
            cells[2].setFont(font)
            cells[2].setFlags(cells[2].flags() | Qt.ItemFlag.ItemIsUserCheckable)
            cells[2].setCheckState(Qt.CheckState.Checked)
        tint = 1 if mine_changed and server_changed and mine != server else 0 if server_changed else None
        for c, cell in enumerate(cells):
            cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if c == 0:
                cell.setData(Qt.ItemDataRole.UserRole, (key, mine))
                cell.setData(TINT_ROLE, tint)
            self.grid.setItem(r, c, cell)
        self._tint(r)

    def _tint(self, r: int) -> None:
        """Row ``r`` in the tint of who changed it, for the palette in use."""
        tint = self.grid.item(r, 0).data(TINT_ROLE)
        if tint is not None:
            for c in range(self.grid.columnCount()):
                self.grid.item(r, c).setBackground(TINTS[is_dark()][tint])

    def changeEvent(self, event: QEvent) -> None:
        """The appearance switched (light/dark) while a conflict is shown: its tints follow, its ticks stay."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            for r in range(self.grid.rowCount()):
                self._tint(r)

    def ticked(self) -> dict[str, Any]:
        """The fields of mine whose box is ticked, for a merge."""
        chosen: dict[str, Any] = {}
        for r in range(self.grid.rowCount()):
            mine = self.grid.item(r, 2)
            if mine.flags() & Qt.ItemFlag.ItemIsUserCheckable and mine.checkState() == Qt.CheckState.Checked:
                key, value = self.grid.item(r, 0).data(Qt.ItemDataRole.UserRole)
                chosen[key] = value
        return chosen

    async def resolve(self, resolution: str) -> bool:
        item = self.item
        assert item is not None and item.entity and item.entity_id
        payload = {"entity": item.entity, "entityId": item.entity_id, "resolution": resolution}
        return await ask(self.bus, "wb:queue:resolveConflict", payload, self.status) is not None

    async def merge_fields(self) -> bool:
        """The server's version, then the ticked fields of mine written over it as a new write."""
        item, chosen = self.item, self.ticked()
        assert item is not None
        if not await self.resolve("keepServer"):
            return False
        if not chosen:
            return True
        write = {"entity": item.entity, "op": "update", "entityId": item.entity_id, "payload": chosen,
                 "orgId": item.org_id}
        return await ask(self.bus, "wb:queue:create", write, self.status) is not None
