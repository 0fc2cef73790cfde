"""The settings window, built from ``schemas/settings.py`` so that it shows every field.

Editors come from the schema's types (``settings_form.py``: a check box per bool, a number
box per int with the schema's limits, a choice per ``Literal``, a line per string, a group
per nested struct), in four sections (General, Notifications, Sync, Advanced); a field
``SettingsPatch`` lacks (the version) is shown read-only. The window sends only what the
user changed and lets the broker validate it: its error reply, reworded with the field's
label, not a second copy of the rules, tells the user what is wrong. ``wb:settings:changed`` refreshes the window through :meth:`show_settings`.

A field the environment sets for this run (``environment``) is shown locked, "set by the
environment". A new portal address signs the user out, so saving one asks first (a
non-modal question: a modal ``exec()`` would stall the bus). Below the settings, the
plugins with their trust badges (``plugins_view.py``).
"""

from __future__ import annotations

from typing import Any, cast

import msgspec
from msgspec import inspect as mi
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QMessageBox, QPushButton,
                               QTabWidget, QVBoxLayout, QWidget)

from workbuoy.actors.ui.calls import Bus, ask, spawn
from workbuoy.i18n import translate
from workbuoy.actors.ui.plugins_view import PluginsView
from workbuoy.actors.ui.settings_form import SECTIONS, editor_for, get_value, in_words, label_of, section_of, set_value
from workbuoy.schemas.settings import Settings, SettingsPatch

Path = tuple[str, ...]  # wire (camelCase) names from the top


def _lookup(data: dict[str, Any], path: Path) -> Any:
    for key in path:
        data = data[key]
    return data


class SettingsWindow(QWidget):
    def __init__(self, bus: Bus) -> None:
        super().__init__()
        self.bus = bus
        self.setWindowTitle(translate("Settings", "WorkBuoy settings"))
        self.editors: dict[Path, QWidget] = {}
        self.labels: dict[Path, str] = {}
        self.row_labels: dict[Path, QWidget | None] = {}
        self.current: dict[str, Any] = msgspec.to_builtins(Settings())
        self.confirm: QMessageBox | None = None
        self.sections = QTabWidget()
        self.sections.setObjectName("settingsSections")
        forms: dict[str, QFormLayout] = {str(name): QFormLayout() for name in SECTIONS}
        for name, form in forms.items():
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # a long label goes above its field
            page = QWidget()
            page.setLayout(form)
            self.sections.addTab(page, translate("Settings", name))
        self._add_fields(cast(mi.StructType, mi.type_info(Settings)), (), forms, editable=set(SettingsPatch.__struct_encode_fields__))
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.save_button = QPushButton(translate("Settings", "Save"))
        self.save_button.clicked.connect(self._save_clicked)
        revert = QPushButton(translate("Settings", "Revert"))
        revert.clicked.connect(self.revert)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(revert)
        buttons.addWidget(self.save_button)
        self.plugins = PluginsView(bus)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sections)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        layout.addWidget(self.plugins)
        self.show_settings(self.current)

    def _add_fields(self, struct: mi.StructType, prefix: Path, forms: dict[str, QFormLayout],
                    editable: set[str] | None) -> None:
        """One row per field in its section's form; ``editable`` None means every field of a nested struct is."""
        for f in struct.fields:
            path, label = (*prefix, f.encode_name), label_of(f.encode_name)
            if f.encode_name == "environment":
                continue  # shown on the fields it pins, not as a field of its own
            form = forms[section_of(path[0])]
            self.labels[path] = label
            if isinstance(f.type, mi.StructType):
                group = QGroupBox(label)
                inner = QFormLayout(group)
                inner.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
                self._add_fields(f.type, path, {name: inner for name in forms}, None)
                form.addRow(group)
            elif editable is not None and f.encode_name not in editable:
                self.editors[path] = shown = QLabel()
                shown.setEnabled(False)
                form.addRow(label, shown)
            else:
                self.editors[path] = editor = editor_for(f.type)
                editor.setAccessibleName(label)
                form.addRow(label if not isinstance(editor, QCheckBox) else "", editor)
                self.row_labels[path] = form.labelForField(editor)
                if isinstance(editor, QCheckBox):
                    editor.setText(label)

    def show_settings(self, settings: Settings | dict[str, Any]) -> None:
        self.current = settings if isinstance(settings, dict) else msgspec.to_builtins(settings)
        pinned = set(self.current.get("environment", ()))
        for path, w in self.editors.items():
            set_value(w, _lookup(self.current, path))
            if isinstance(w, QLabel):
                continue
            by_env = path[0] in pinned
            w.setEnabled(not by_env)
            w.setToolTip(translate("Settings", "set by the environment for this run (a WB_* variable)") if by_env else "")
            text = translate("Settings", "{label} (set by the environment)").format(label=self.labels[path]) if by_env \
                else self.labels[path]
            if isinstance(w, QCheckBox):
                w.setText(text)
            elif isinstance(row := self.row_labels.get(path), QLabel):
                row.setText(text)

    def patch(self) -> dict[str, Any]:
        """The changed editable fields, nested as ``wb:updateSettings`` takes them."""
        out: dict[str, Any] = {}
        for path, w in self.editors.items():
            if isinstance(w, QLabel) or not w.isEnabled() or (value := get_value(w)) == _lookup(self.current, path):
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
        await self.plugins.load()

    async def save(self, *, confirmed: bool = False) -> None:
        patch = self.patch()
        if not patch:
            self.status.setText(translate("Settings", "Nothing changed."))
            return
        if "portalOrigin" in patch and not confirmed:
            self._ask_origin_change(patch["portalOrigin"])
            return
        if (settings := await ask(self.bus, "wb:updateSettings", patch, self.status)) is None:
            self.status.setText(in_words(self.status.text()))
        else:
            self.show_settings(settings)
            self.status.setText(self._saved_note(patch))

    @staticmethod
    def _saved_note(patch: dict[str, Any]) -> str:
        """What saving did beyond saving: a new portal signs out, a new language waits for the next start."""
        if "portalOrigin" in patch:
            return translate("Settings", "Saved. You are signed out of the old portal.")
        if "language" in patch:
            return translate("Settings", "Saved. The new language applies when WorkBuoy next starts.")
        return translate("Settings", "Saved.")

    def _ask_origin_change(self, origin: str) -> None:
        self.confirm = QMessageBox(QMessageBox.Icon.Question, translate("Settings", "Change the portal address?"),
                                   translate("Settings", "WorkBuoy will sign you out and use {origin} from now on.").format(
                                       origin=origin),
                                   QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel, self)
        self.confirm.finished.connect(self._origin_answered)
        self.confirm.open()

    def _origin_answered(self, answer: int) -> None:
        if answer == QMessageBox.StandardButton.Ok.value:
            spawn(self.save(confirmed=True))
        else:
            self.status.setText(translate("Settings", "The portal address was not changed."))
