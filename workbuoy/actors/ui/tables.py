"""Rows of dicts into a ``QTableWidget``: the one table code the entity and queue views share.

Cells show what a person reads: headings in words, epoch-millisecond ``*_at`` fields
as local times, and no org column (the org picker already says which org).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem

MAX_COLUMNS = 8
ROW_KEY = Qt.ItemDataRole.UserRole  # the row's dict, on the first cell
HIDDEN = frozenset({"org_id", "orgId"})
_WORDS = re.compile(r"_|(?<=[a-z0-9])(?=[A-Z])")


def new_table() -> QTableWidget:
    t = QTableWidget(0, 0)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setAlternatingRowColors(True)
    t.horizontalHeader().setStretchLastSection(True)
    t.verticalHeader().setVisible(False)
    return t


def columns_for(rows: Iterable[dict[str, Any]], first: Sequence[str] = ("id",)) -> list[str]:
    """``first`` then the other scalar keys in order of appearance, at most ``MAX_COLUMNS``."""
    seen = list(first)
    for row in rows:
        seen += [k for k, v in row.items() if k not in seen and k not in HIDDEN and not isinstance(v, (dict, list))]
    return seen[:MAX_COLUMNS]


def heading(key: str) -> str:
    """``entityId`` / ``entity_id`` -> ``Entity id``."""
    return " ".join(_WORDS.split(key)).lower().capitalize()


def is_time(key: str) -> bool:
    return key.endswith(("_at", "At"))


def text_of(key: str, value: Any) -> str:
    if value is None:
        return ""
    if is_time(key) and isinstance(value, int) and not isinstance(value, bool):
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(value / 1000))
    return str(value)


def append(table: QTableWidget, rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    if table.columnCount() != len(columns):
        table.setColumnCount(len(columns))
        table.setHorizontalHeaderLabels([heading(c) for c in columns])
    for row in rows:
        r = table.rowCount()
        table.insertRow(r)
        for c, key in enumerate(columns):
            item = QTableWidgetItem(text_of(key, row.get(key)))
            if c == 0:
                item.setData(ROW_KEY, row)
            table.setItem(r, c, item)


def replace(table: QTableWidget, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    table.setRowCount(0)
    append(table, rows, columns)
    table.resizeColumnsToContents()


def selected(table: QTableWidget) -> dict[str, Any] | None:
    """The dict of the selected row, if any."""
    items = table.selectedItems()
    return table.item(items[0].row(), 0).data(ROW_KEY) if items else None


def select_where(table: QTableWidget, key: str, value: str) -> bool:
    """Select and scroll to the first row whose ``key`` equals ``value``; False when there is none."""
    for r in range(table.rowCount()):
        if str(table.item(r, 0).data(ROW_KEY).get(key)) == value:
            table.selectRow(r)
            table.scrollToItem(table.item(r, 0))
            return True
    return False
