"""The settings window, built from ``schemas/settings.py`` so that it shows every field.

Editors come from the schema's types (a check box per bool, a number box per int, a
line per string, a group per nested struct); a field ``SettingsPatch`` lacks (the
version) is shown read-only. The window sends only what the user changed and lets the
broker validate it: its error reply, not a second copy of the rules, tells the user
what is wrong. ``wb:settings:changed`` refreshes the window through :meth:`show_settings`.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import inspect as mi
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from workbuoy.actors.ui.calls import Bus, ask, spawn
from workbuoy.schemas.settings import Settings, SettingsPatch

Path = tuple[str, ...]  # wire (camelCase) names from the top

LABELS = {
    "startAtLogin": "Start at login",
    "notificationsEnabled": "Desktop notifications",
    "syncIntervalSec": "Sync every (seconds)",
    "portalOrigin": "Portal address",
    "version": "Version",
    "syncPageSize": "Rows per sync page",
    "preferBearerToken": "Prefer a bearer token",
    "externalLinks": "Open portal links in the browser",
    "notify": "Notify me about",
    "queueRetryCapSec": "Longest wait between retries of a write (seconds)",
    "queueStuckAfterSec": "Tell me when a write waits longer than (seconds)",
}
INT_RANGE = (-(2**31), 2**31 - 1)  # the broker checks the real bounds and says which


def _editor(kind: mi.Type) -> QWidget:
    if isinstance(kind, mi.BoolType):
        return QCheckBox()
    if isinstance(kind, mi.IntType):
        box = QSpinBox()
        box.setRange(*INT_RANGE)
        return box
    return QLineEdit()


def _get(w: QWidget) -> Any:
    if isinstance(w, QCheckBox):
        return w.isChecked()
    if isinstance(w, QSpinBox):
        return w.value()
    return w.text()


def _set(w: QWidget, value: Any) -> None:
    if isinstance(w, QCheckBox):
        w.setChecked(bool(value))
    elif isinstance(w, QSpinBox):
        w.setValue(int(value))
    else:
        w.setText(str(value))


def _lookup(data: dict[str, Any], path: Path) -> Any:
    for key in path:
        data = data[key]
    return data


class SettingsWindow(QWidget):
    def __init__(self, bus: Bus) -> None:
        super().__init__()
        self.bus = bus
        self.setWindowTitle("WorkBuoy settings")
        self.editors: dict[Path, QWidget] = {}
        self.current: dict[str, Any] = msgspec.to_builtins(Settings())
        form = QFormLayout()
        self._add_fields(mi.type_info(Settings), (), form, editable=set(SettingsPatch.__struct_encode_fields__))
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self._save_clicked)
        revert = QPushButton("Revert")
        revert.clicked.connect(self.revert)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(revert)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.show_settings(self.current)

    def _add_fields(self, struct: mi.StructType, prefix: Path, form: QFormLayout, editable: set[str] | None) -> None:
        """One row per field; ``editable`` None means every field of a nested struct is."""
        for f in struct.fields:
            path, label = (*prefix, f.encode_name), LABELS.get(f.encode_name, f.encode_name.capitalize())
            if isinstance(f.type, mi.StructType):
                group = QGroupBox(label)
                inner = QFormLayout(group)
                self._add_fields(f.type, path, inner, None)
                form.addRow(group)
            elif editable is not None and f.encode_name not in editable:
                self.editors[path] = shown = QLabel()
                shown.setEnabled(False)
                form.addRow(label, shown)
            else:
                self.editors[path] = editor = _editor(f.type)
                form.addRow(label if not isinstance(editor, QCheckBox) else "", editor)
                if isinstance(editor, QCheckBox):
                    editor.setText(label)

    def show_settings(self, settings: Settings | dict[str, Any]) -> None:
        self.current = settings if isinstance(settings, dict) else msgspec.to_builtins(settings)
        for path, w in self.editors.items():
            _set(w, _lookup(self.current, path))

    def patch(self) -> dict[str, Any]:
        """The changed editable fields, nested as ``wb:updateSettings`` takes them."""
        out: dict[str, Any] = {}
        for path, w in self.editors.items():
            if isinstance(w, QLabel) or (value := _get(w)) == _lookup(self.current, path):
                continue
            node = out
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = value
        return out

    def revert(self) -> None:
        self.show_settings(self.current)

    def _save_clicked(self) -> None:
        spawn(self.save())

    async def load(self) -> None:
        if (settings := await ask(self.bus, "wb:getSettings", None, self.status)) is not None:
            self.show_settings(settings)

    async def save(self) -> None:
        patch = self.patch()
        if not patch:
            self.status.setText("Nothing changed.")
            return
        if (settings := await ask(self.bus, "wb:updateSettings", patch, self.status)) is not None:
            self.show_settings(settings)
            self.status.setText("Saved.")
