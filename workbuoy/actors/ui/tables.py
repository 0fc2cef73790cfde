"""Rows of dicts into a ``QTableWidget``: the one table code the entity and queue views share.

Cells show what a person reads (``formats.text``); the row's dict rides on its first cell,
so selection, the record pane and deep links work on the data, not on the text. A row with
a local change carries a mark ("Pending", "Conflict", "Failed") in the first column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from workbuoy.actors.ui import formats
from workbuoy.i18n import translate

ROW_KEY = Qt.ItemDataRole.UserRole  # the row's dict, on the first cell
MARK_KEY = Qt.ItemDataRole.UserRole + 1  # its mark ("pending", …, "" for none), on the first cell
MARK = "mark"  # the pseudo-column of local-change marks
MARK_TEXT = {"pending": QT_TRANSLATE_NOOP("Tables", "Pending"), "conflict": QT_TRANSLATE_NOOP("Tables", "Conflict"),
             "failed": QT_TRANSLATE_NOOP("Tables", "Failed")}
MARK_COLOUR = {"pending": "#b7791f", "conflict": "#b03a2e", "failed": "#b03a2e"}


class RowTable(QTableWidget):
    """A table of whole rows: Home/End and Ctrl+Home/End go to the first/last row and keep the
    current column. Qt's own moves to the first/last column, which scrolls the Name column out
    of sight in a table read row by row."""

    def moveCursor(self, action: QAbstractItemView.CursorAction,  # noqa: N802 (Qt's name)
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        home, end = QAbstractItemView.CursorAction.MoveHome, QAbstractItemView.CursorAction.MoveEnd
        if action not in (home, end) or not self.rowCount():
            return super().moveCursor(action, modifiers)
        row = 0 if action == home else self.rowCount() - 1
        return self.model().index(row, max(0, self.currentIndex().column()))


def new_table(name: str = "") -> QTableWidget:
    t = RowTable(0, 0)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setAlternatingRowColors(True)
    t.horizontalHeader().setStretchLastSection(True)
    t.verticalHeader().setVisible(False)
    t.setAccessibleName(name)
    return t


def _cell(key: str, row: dict[str, Any], marks: dict[str, str]) -> QTableWidgetItem:
    if key == MARK:
        mark = marks.get(str(row.get("id")), "")
        item = QTableWidgetItem(translate("Tables", MARK_TEXT[mark]) if mark in MARK_TEXT else mark)
        if mark:
            item.setForeground(QColor(MARK_COLOUR.get(mark, "#b7791f")))
        return item
    return QTableWidgetItem(formats.text(key, row.get(key), row))


def set_columns(table: QTableWidget, columns: Sequence[str]) -> None:
    table.setColumnCount(len(columns))
    table.setHorizontalHeaderLabels(["" if c == MARK else formats.heading(c) for c in columns])


def append(table: QTableWidget, rows: Iterable[dict[str, Any]], columns: Sequence[str],
           marks: dict[str, str] | None = None) -> None:
    if table.columnCount() != len(columns):
        set_columns(table, columns)
    marks, rows = marks or {}, list(rows)
    first = table.rowCount()
    table.setUpdatesEnabled(False)
    try:
        table.setRowCount(first + len(rows))  # one insertion, not one per row
        for r, row in enumerate(rows, first):
            for c, key in enumerate(columns):
                item = _cell(key, row, marks)
                if c == 0:
                    item.setData(ROW_KEY, row)
                    item.setData(MARK_KEY, marks.get(str(row.get("id")), ""))
                table.setItem(r, c, item)
    finally:
        table.setUpdatesEnabled(True)


def replace(table: QTableWidget, rows: Sequence[dict[str, Any]], columns: Sequence[str],
            marks: dict[str, str] | None = None) -> None:
    """All rows anew; the selected row (by ``id``) stays selected when it is still there.

    One ``itemSelectionChanged`` at the end, not "nothing selected" in between: whoever
    follows the selection (the record pane) sees the same record with fresh data.
    """
    keep = (selected(table) or {}).get("id")
    table.blockSignals(True)
    try:
        table.setRowCount(0)
        set_columns(table, columns)
        append(table, rows, columns, marks)
        if keep is not None:
            select_where(table, "id", str(keep), scroll=False)
    finally:
        table.blockSignals(False)
    table.resizeColumnsToContents()
    table.itemSelectionChanged.emit()


def selected(table: QTableWidget) -> dict[str, Any] | None:
    """The dict of the selected row, if any."""
    items = table.selectedItems()
    return table.item(items[0].row(), 0).data(ROW_KEY) if items else None


def selected_mark(table: QTableWidget) -> str:
    """The selected row's mark ("pending", "conflict", "failed"), "" when it has none."""
    items = table.selectedItems()
    return table.item(items[0].row(), 0).data(MARK_KEY) or "" if items else ""


def select_where(table: QTableWidget, key: str, value: str, *, scroll: bool = True) -> bool:
    """Select (and scroll to) the first row whose ``key`` equals ``value``; False when there is none."""
    for r in range(table.rowCount()):
        if str(table.item(r, 0).data(ROW_KEY).get(key)) == value:
            table.selectRow(r)
            if scroll:
                table.scrollToItem(table.item(r, 0))
            return True
    return False


def lay_out(owner: QWidget, bar: Sequence[QWidget], stretch: QWidget, rows: QWidget, detail: QWidget,
            status: QWidget) -> None:
    """The views' one layout: a bar of controls (``stretch`` takes the room), the rows beside
    their detail (3:2, the user may drag the divider), and a status line."""
    top = QHBoxLayout()
    for widget in bar:
        top.addWidget(widget, 1 if widget is stretch else 0)
    split = QSplitter()
    split.addWidget(rows)
    split.addWidget(detail)
    split.setStretchFactor(0, 3)
    split.setStretchFactor(1, 2)
    split.setSizes([3000, 2000])  # 3:2 from the start too: the stretch alone left the rows less than half
    layout = QVBoxLayout(owner)
    layout.addLayout(top)
    layout.addWidget(split, 1)
    layout.addWidget(status)
