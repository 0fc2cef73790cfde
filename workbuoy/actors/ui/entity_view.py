"""One cached CRM table (``wb:offline:getList``) beside the record pane.

The table pages by the cursor the sync actor returns, loading the next page as the user
scrolls near the end (never ``OFFSET``: rows that change while the user scrolls neither
repeat nor vanish). A click on a sortable heading sorts in the store, by an index, so the
order is the whole table's, not the loaded page's. Rows with a local write the server has
not taken are marked (``ListReply.marks``) and sort where their data says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QPushButton, QStackedWidget, QWidget

from workbuoy.actors.ui import formats, tables
from workbuoy.actors.ui.calls import Bus, ask, spawn
from workbuoy.actors.ui.record_pane import RecordPane
from workbuoy.schemas.base import Entity
from workbuoy.i18n import translate
from workbuoy.schemas.columns import SORTABLE

PAGE = 100
NEAR_END = 20  # rows from the end at which the next page is asked for
#: Where a view starts: appointments by start, upcoming ones; messages newest received first.
DEFAULT_SORT: dict[str, tuple[str, bool, bool]] = {  # entity -> (field, descending, upcoming)
    "calendar": ("starts_at", False, True), "meetings": ("starts_at", False, True), "messages": ("sent_at", True, False),
}


def _widget_key(key: Qt.Key, widget: QWidget, slot: Callable[[], None]) -> None:
    """A key for ``widget`` only, while it has focus. PySide6's ``QShortcut(key, parent, slot,
    context=...)`` drops the context (the shortcut becomes window-wide), which made Return in the
    search box and Down in the rows do the other widget's job, so the context is set after."""
    shortcut = QShortcut(QKeySequence(key), widget)
    shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
    shortcut.activated.connect(slot)


class EntityView(QWidget):
    #: What the user is looking at, for the window title: "Deal name — Pending", or "" for no record.
    caption_changed = Signal(str)

    def __init__(self, bus: Bus, entity: Entity, open_portal: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.bus = bus
        self.entity = entity
        self.org_id: str | None = None
        self.cursor: str | None = None
        self.total: int | None = None
        self.loading = False
        self._shown_query = ""
        self.sort, self.descending, self.upcoming = DEFAULT_SORT.get(entity, (None, False, False))
        self.columns = [tables.MARK, *formats.columns(entity, [])]
        self.search = QLineEdit()
        many = formats.noun(entity)
        self.search.setPlaceholderText(translate("EntityView", "Search {many}… (Ctrl+F)").format(many=many))
        self.search.setAccessibleName(translate("EntityView", "Search {many}").format(many=many))
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.reload)
        self.search.textChanged.connect(self._search_edited)
        self.conflicts = QCheckBox(translate("EntityView", "Conflicts only"))
        self.conflicts.setAccessibleName(translate("EntityView", "Show only {many} with a conflict").format(many=many))
        self.conflicts.toggled.connect(self.reload)
        self.new_button = QPushButton(formats.new_label(entity))
        self.new_button.setAccessibleName(f"{formats.new_label(entity)} (Ctrl+N)")
        self.table = tables.new_table(translate("EntityView", "{name} table").format(name=formats.tab_name(entity)))
        self.table.horizontalHeader().sectionClicked.connect(self._heading_clicked)
        self.table.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.activated.connect(self._opened)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self.pane = RecordPane(bus, entity, self._saved, open_portal)
        self.new_button.clicked.connect(self.pane.new_record)
        _widget_key(Qt.Key.Key_Return, self.table, self._opened)
        _widget_key(Qt.Key.Key_Down, self.search, self._into_rows)
        self.status = QLabel()
        self.status.setObjectName("status")
        tables.lay_out(self, [self.search, self.conflicts, self.new_button], self.search, self.stack, self.pane,
                       self.status)

    def reload(self) -> None:
        spawn(self.load())

    def _search_edited(self, text: str) -> None:
        if not text.strip() and self._shown_query:  # cleared: the whole list again, without an Enter
            self.reload()

    def _selection_changed(self) -> None:
        """The selected record into the pane; with nothing selected the pane keeps its record."""
        if (row := tables.selected(self.table)) is not None:
            self.pane.org_id = self.org_id
            self.pane.show_record(row)
            self.pane.show_mark(tables.selected_mark(self.table))
        self.caption_changed.emit(self.caption())

    def _into_rows(self) -> None:
        """Down from the search box: into the rows, on the first one unless one is selected."""
        self.table.setFocus()
        if tables.selected(self.table) is None and self.table.rowCount():
            self.table.selectRow(0)

    def caption(self) -> str:
        row = self.pane.row
        if row is None:
            return ""
        selected = tables.selected(self.table)
        mark = self.table.item(self.table.selectedItems()[0].row(), 0).text() if selected and selected.get("id") == row.get("id") else ""
        return formats.name_of(row) + (f" — {mark}" if mark else "")

    def _opened(self) -> None:
        """Enter or a double click on a row: into its fields."""
        if tables.selected(self.table) is not None:
            self.pane.focus_first_field()

    def _saved(self, entity_id: str | None) -> None:
        spawn(self._show_saved(entity_id))

    async def _show_saved(self, entity_id: str | None) -> None:
        """The local change is in the cache already: show it, selected, with its mark. The row
        selected before (a new record has none of its own yet) must not be kept by the reload:
        the pane would jump to it and drop the "Created offline" line."""
        if entity_id is not None:
            self.table.blockSignals(True)
            self.table.clearSelection()
            self.table.blockSignals(False)
        await self.load()
        if entity_id is not None and not tables.select_where(self.table, "id", entity_id):
            self.status.setText(translate("EntityView", "Saved; the record is not among the rows shown ({count})")
                               .format(count=self.status.text()))

    def _heading_clicked(self, column: int) -> None:
        key = self.columns[column]
        if key not in SORTABLE.get(self.entity, ()):
            self.status.setText(translate("EntityView", "{column} cannot be sorted.").format(column=formats.heading(key)))
            return
        self.descending = not self.descending if key == self.sort else False
        self.sort, self.upcoming = key, False
        self.reload()

    def _scrolled(self, value: int) -> None:
        bar = self.table.verticalScrollBar()
        rows_left = (bar.maximum() - value) / max(1, bar.singleStep())
        if self.cursor and not self.loading and rows_left <= NEAR_END:
            self.load_more()

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.cursor, self.total = None, None
        self.status.setText("")
        self.pane.show_record(None, blank=True)

    def load_more(self) -> None:
        spawn(self.load(reset=False))

    def request(self, reset: bool) -> dict[str, Any]:
        req: dict[str, Any] = {"table": self.entity, "limit": PAGE, "withTotal": reset}
        if self.org_id:
            req["orgId"] = self.org_id
        if query := self.search.text().strip():
            req["query"] = query
        if self.sort:
            req |= {"sort": self.sort, "descending": self.descending, "upcoming": self.upcoming}
        if self.conflicts.isChecked():
            req["conflicted"] = True
        if not reset and self.cursor:
            req["cursor"] = self.cursor
        return req

    async def load(self, reset: bool = True) -> bool:
        """Fetch the first page (``reset``) or the next one; False when the call failed."""
        self.loading = True
        try:
            reply = await ask(self.bus, "wb:offline:getList", self.request(reset), self.status)
        finally:
            self.loading = False
        if reply is None:
            return False
        if reset:
            self._shown_query = self.search.text().strip()
            self.total = reply.total
            tables.replace(self.table, reply.items, self.columns, reply.marks)
            self._show_sort()
        else:
            tables.append(self.table, reply.items, self.columns, reply.marks)
        self.cursor = reply.next_cursor
        self._show_count()
        return True

    def _show_sort(self) -> None:
        header = self.table.horizontalHeader()
        if self.sort in self.columns:
            order = Qt.SortOrder.DescendingOrder if self.descending else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(self.columns.index(self.sort), order)
            header.setSortIndicatorShown(True)
        else:
            header.setSortIndicatorShown(False)

    def _show_count(self) -> None:
        shown, many = self.table.rowCount(), formats.noun(self.entity)
        adjective = "matching" if self._shown_query or self.conflicts.isChecked() else "upcoming" if self.upcoming else ""
        self.status.setText(formats.count(shown, self.entity, total=self.total, adjective=adjective))
        if not shown:
            self.empty.setText(self._empty_text(many))
        self.stack.setCurrentWidget(self.table if shown else self.empty)

    def _empty_text(self, many: str) -> str:
        """Why no row is shown, and what brings some."""
        if self._shown_query:
            return translate("EntityView", "No {many} match \"{query}\".").format(many=many, query=self._shown_query)
        if self.conflicts.isChecked():
            return translate("EntityView", "No {many} with a conflict.").format(many=many)
        none = translate("EntityView", "No upcoming {many} in the offline copy yet.") if self.upcoming else \
            translate("EntityView", "No {many} in the offline copy yet.")
        then = translate("EntityView", "They appear after the next sync, or create one with \"{new}\" (Ctrl+N).")
        return none.format(many=many) + "\n" + then.format(new=self.new_button.text())

    async def reveal(self, row: dict[str, Any]) -> bool:
        """Show ``row`` (a deep link's, a notification's) in the pane, selected when it is among the rows.
        A search or the conflicts filter left from before is dropped: it would hide the record."""
        for control, drop in ((self.search, self.search.clear), (self.conflicts, lambda: self.conflicts.setChecked(False))):
            control.blockSignals(True)  # one load below, not one per control
            drop()
            control.blockSignals(False)
        if not await self.load():
            return False  # the status line already says why
        if not tables.select_where(self.table, "id", str(row["id"])):
            self.pane.org_id = self.org_id
            self.pane.show_record(row)
            self.caption_changed.emit(self.caption())
        return True
