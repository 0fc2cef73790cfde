"""Rows of dicts into a ``QTableWidget``: the one table code the entity and queue views share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem

MAX_COLUMNS = 8
ROW_KEY = Qt.ItemDataRole.UserRole  # the row's dict, on the first cell


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
    seen = [k for k in first]
    for row in rows:
        seen += [k for k, v in row.items() if k not in seen and not isinstance(v, (dict, list))]
    return seen[:MAX_COLUMNS]


def text_of(value: Any) -> str:
    return "" if value is None else str(value)


def append(table: QTableWidget, rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    if table.columnCount() != len(columns):
        table.setColumnCount(len(columns))
        table.setHorizontalHeaderLabels(list(columns))
    for row in rows:
        r = table.rowCount()
        table.insertRow(r)
        for c, key in enumerate(columns):
            item = QTableWidgetItem(text_of(row.get(key)))
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
        if text_of(table.item(r, 0).data(ROW_KEY).get(key)) == value:
            table.selectRow(r)
            table.scrollToItem(table.item(r, 0))
            return True
    return False
