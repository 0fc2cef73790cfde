"""The record pane: every field of one record, edited in place, created and deleted through the outbox.

A save is a ``wb:queue:create`` of the changed fields only (``update``), of every filled
field (``create``) or of nothing (``delete``); the queue actor caches the change at once,
so the table shows it, marked "Pending", before it reaches the server. Nothing here writes
the cache or the server itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from workbuoy.actors.ui import editors, formats
from workbuoy.actors.ui.calls import Bus, ask, spawn
from workbuoy.actors.ui.record_actions import RecordActions
from workbuoy.i18n import translate

#: Saved: what the user sees until the write is sent.
SAVED = {"create": QT_TRANSLATE_NOOP("RecordPane", "Created offline: waiting to be sent (write {id} in the outbox)."),
         "update": QT_TRANSLATE_NOOP("RecordPane", "Saved offline: waiting to be sent (write {id} in the outbox)."),
         "delete": QT_TRANSLATE_NOOP("RecordPane", "Deleted offline: waiting to be sent (write {id} in the outbox).")}

#: What became of a saved change, once its row's mark says so ("": sent).
SETTLED = {"": QT_TRANSLATE_NOOP("RecordPane", "Sent: the server has your change."),
           "conflict": QT_TRANSLATE_NOOP("RecordPane", "Someone changed this record on the server while you were "
                                                       "offline: compare and settle it in the Outbox."),
           "failed": QT_TRANSLATE_NOOP("RecordPane", "The server refused this change: retry or discard it in the Outbox.")}


class RecordPane(QWidget):
    def __init__(self, bus: Bus, entity: str, saved: Callable[[str | None], None],
                 open_portal: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.bus = bus
        self.entity = entity
        self.org_id: str | None = None
        self.row: dict[str, Any] | None = None  # None: a new record
        self._saved = saved
        self._open_portal = open_portal
        self._editors: dict[str, QWidget] = {}
        self._waiting_for: str | None = None  # the record whose saved change the status line says is waiting
        self.title = QLabel()
        self.title.setObjectName("recordTitle")
        self.title.setStyleSheet("font-weight: bold; font-size: 14pt")
        self.hint = QLabel(translate("RecordPane", "Nothing selected. Pick a row to see all its fields here, "
                                                   "or press Ctrl+N for a new one."))
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.form = QFormLayout()
        body = QWidget()
        body.setLayout(self.form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.save_button = self._button(translate("RecordPane", "Save"),
                                        translate("RecordPane", "Save the changes (sent when online)"), self._save_clicked)
        self.delete_button = self._button(translate("RecordPane", "Delete"),
                                          translate("RecordPane", "Delete this record (sent when online)"), self._delete_clicked)
        self.in_portal = self._button(translate("RecordPane", "Open in portal"),
                                      translate("RecordPane", "Open this record in the portal"), self._portal_clicked)
        self.in_portal.setVisible(open_portal is not None)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.assistant = RecordActions(bus, entity)
        buttons = QHBoxLayout()
        for b in (self.save_button, self.delete_button, self.in_portal):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.assistant)
        QShortcut(QKeySequence.StandardKey.Save, self, self._save_clicked)
        self.show_record(None, blank=True)

    def _button(self, text: str, accessible: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.clicked.connect(slot)
        return button

    def show_record(self, row: dict[str, Any] | None, *, blank: bool = False, fields: tuple[str, ...] = ()) -> None:
        """``row`` in the form; ``None``: an empty form for a new record with ``fields``.

        The same record again (a live reload) keeps the status line, and keeps the form
        while the user has unsaved edits in it: a sync never wipes what they are typing.
        """
        same = row is not None and self.row is not None and row.get("id") == self.row.get("id")
        if same and self.dirty():
            return
        self.row = row
        self._confirm_delete = False
        self.delete_button.setText(translate("RecordPane", "Delete"))
        while self.form.rowCount():
            self.form.removeRow(0)
        self._editors = {}
        values = row if row is not None else {f: None for f in fields}
        for key in self._order(values):
            value = values[key]
            editor = editors.editor_for(key, value)
            editor.setAccessibleName(formats.heading(key))
            self._editors[key] = editor
            self.form.addRow(formats.heading(key), editor)
        self.title.setText("" if blank else (formats.name_of(row) if row else formats.new_label(self.entity)))
        self.hint.setVisible(blank)  # not an empty box and grey buttons without a word
        self.save_button.setEnabled(not blank)
        self.delete_button.setEnabled(row is not None)
        self.in_portal.setEnabled(row is not None)
        self.assistant.show_record(None if blank else row, self.org_id)
        if not blank and not same and (row or {}).get("id") != self._waiting_for:
            self._waiting_for = None
            self.status.setText("")

    def show_mark(self, mark: str) -> None:
        """The row's mark changed under a "waiting to be sent": say what became of the change,
        not "waiting" for a write that was sent or is in conflict."""
        if self.row is not None and self.row.get("id") == self._waiting_for and mark in SETTLED:
            self._waiting_for = None
            self._say(translate("RecordPane", SETTLED[mark]), error=bool(mark))

    def _order(self, values: dict[str, Any]) -> list[str]:
        """The entity's table columns first, then the other fields, the server's own (id, times) last,
        always in the same order (the row's key order varies with where it came from); the org is not shown."""
        first = [k for k in formats.COLUMNS.get(self.entity, ()) if k in values]
        rest = [k for k in values if k not in first and k not in editors.READ_ONLY]
        return first + rest + [k for k in editors.SERVER_FIELDS if k in values and k not in ("org_id", "orgId")]

    def new_record(self) -> None:
        self.show_record(None, fields=formats.COLUMNS.get(self.entity, ("name",)))
        if self._editors:
            next(iter(self._editors.values())).setFocus()

    def focus_first_field(self) -> None:
        editable = [e for e in self._editors.values() if editors.editable(e)]
        if editable:
            editable[0].setFocus()

    def dirty(self) -> bool:
        try:
            return bool(self.changes())
        except editors.BadValue:
            return True

    def changes(self) -> dict[str, Any]:
        """The fields whose value differs from the record's (every filled one for a new record)."""
        before = self.row or {}
        changed: dict[str, Any] = {}
        for key, editor in self._editors.items():
            if not editors.editable(editor):
                continue
            value = editors.value_of(key, editor, before.get(key))
            if value != before.get(key) and (self.row is not None or value not in (None, "", [])):
                changed[key] = value
        return changed

    def _save_clicked(self) -> None:
        if self.save_button.isEnabled():
            spawn(self.save())

    def _delete_clicked(self) -> None:
        if not self._confirm_delete:  # no modal dialog on the shared loop: a second click confirms
            self._confirm_delete = True
            self.delete_button.setText(translate("RecordPane", "Click again to delete"))
            return
        spawn(self.delete())

    def _portal_clicked(self) -> None:
        if self.row is not None and self._open_portal is not None:
            self._open_portal(f"/{self.entity}/{self.row['id']}")

    async def save(self) -> bool:
        try:
            changed = self.changes()
        except editors.BadValue as exc:
            self._say(str(exc), error=True)
            return False
        if self.row is not None and not changed:
            self._say(translate("RecordPane", "Nothing changed."))
            return False
        op = "update" if self.row is not None else "create"
        payload: dict[str, Any] = {"entity": self.entity, "op": op, "payload": changed}
        if self.row is not None:
            payload["entityId"] = self.row["id"]
        return await self._write(op, payload)

    async def delete(self) -> bool:
        assert self.row is not None
        return await self._write("delete", {"entity": self.entity, "op": "delete", "entityId": self.row["id"]})

    async def _write(self, op: str, payload: dict[str, Any]) -> bool:
        if self.org_id:
            payload["orgId"] = self.org_id
        ref = await ask(self.bus, "wb:queue:create", payload, self.status)
        if ref is None:
            return False
        if op == "delete":
            self.show_record(None, blank=True)
        elif op == "update" and self.row is not None:  # the saved values are the record's now: not "changed" again
            self.row = self.row | payload["payload"]
        self._say(translate("RecordPane", SAVED[op]).format(id=ref.id))
        self._waiting_for = None if op == "delete" else ref.entity_id
        self._saved(None if op == "delete" else ref.entity_id)
        return True

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #b03a2e" if error else "")
