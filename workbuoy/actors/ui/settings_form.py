"""The settings window's editors, made from ``schemas/settings.py``, and its errors in words.

The schema is the one source of the rules: a number box takes its range from the field's
``msgspec.Meta`` (``ge``/``le``), a choice its values from the ``Literal``, and a refusal
of the broker (msgspec's ``Expected `int` >= 30 - at `$.syncIntervalSec```) is reworded
here with the field's label ("Sync every (seconds) must be at least 30."), not checked twice.
"""

from __future__ import annotations

import re
from typing import Any

from msgspec import inspect as mi
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox, QWidget

LABELS = {
    "startAtLogin": "Start at login",
    "notificationsEnabled": "Desktop notifications",
    "syncIntervalSec": "Sync every (seconds)",
    "portalOrigin": "Portal address",
    "version": "Version",
    "syncPageSize": "Rows per sync page",
    "preferBearerToken": "Prefer a bearer token",
    "externalLinks": "Hosts whose links open in the browser (comma-separated)",
    "wipeCacheOnSignOut": "Wipe the offline copy on sign-out",
    "updateIntervalMin": "Check for updates every (minutes)",
    "notify": "Notify me about",
    "queueRetryCapSec": "Longest wait between retries of a write (seconds)",
    "queueStuckAfterSec": "Tell me when a write waits longer than (seconds)",
    "appearance": "Appearance",
    "miniBuoyShortcut": "Mini-Buoy shortcut (empty: none)",
}
#: Top-level fields per section; a field not named here goes to Advanced, so none is ever hidden.
SECTIONS = {
    "General": ("startAtLogin", "appearance", "miniBuoyShortcut", "portalOrigin", "wipeCacheOnSignOut", "version"),
    "Notifications": ("notificationsEnabled", "notify", "queueStuckAfterSec"),
    "Sync": ("syncIntervalSec", "updateIntervalMin", "queueRetryCapSec"),
    "Advanced": (),
}
CHOICES = {"system": "As the system", "light": "Light", "dark": "Dark"}
INT_FALLBACK = (-(2**31), 2**31 - 1)  # a number field without limits in the schema


def section_of(name: str) -> str:
    return next((s for s, names in SECTIONS.items() if name in names), "Advanced")


def label_of(name: str) -> str:
    return LABELS.get(name, name[:1].upper() + name[1:])


def int_range(kind: mi.IntType) -> tuple[int, int]:
    low = kind.ge if kind.ge is not None else (kind.gt + 1 if kind.gt is not None else INT_FALLBACK[0])
    high = kind.le if kind.le is not None else (kind.lt - 1 if kind.lt is not None else INT_FALLBACK[1])
    return low, high


def editor_for(kind: mi.Type) -> QWidget:
    if isinstance(kind, mi.BoolType):
        return QCheckBox()
    if isinstance(kind, mi.IntType):
        box = QSpinBox()
        box.setRange(*int_range(kind))
        box.setGroupSeparatorShown(True)
        return box
    if isinstance(kind, mi.LiteralType):
        combo = QComboBox()
        order = list(CHOICES)  # msgspec sorts a Literal's values: show ours in their natural order
        for value in sorted(kind.values, key=lambda v: order.index(v) if v in order else len(order)):
            combo.addItem(CHOICES.get(value, str(value)), value)
        return combo
    line = QLineEdit()
    line.setProperty("is_list", isinstance(kind, mi.ListType))
    return line


def get_value(w: QWidget) -> Any:
    if isinstance(w, QCheckBox):
        return w.isChecked()
    if isinstance(w, QSpinBox):
        return w.value()
    if isinstance(w, QComboBox):
        return w.currentData()
    if w.property("is_list"):
        return [part.strip() for part in w.text().split(",") if part.strip()]
    return w.text()


def set_value(w: QWidget, value: Any) -> None:
    if isinstance(w, QCheckBox):
        w.setChecked(bool(value))
    elif isinstance(w, QSpinBox):
        w.setValue(int(value))
    elif isinstance(w, QComboBox):
        w.setCurrentIndex(max(0, w.findData(value)))
    elif isinstance(value, list):
        w.setText(", ".join(map(str, value)))
    else:
        w.setText(str(value))


ERROR = re.compile(r"^(?P<what>.*?) - at `\$\.(?P<path>[A-Za-z0-9_.\[\]]+)`$")
RULES = (
    (re.compile(r"Expected `int` >= (-?\d+)"), lambda m: f"must be at least {int(m[1]):,}"),
    (re.compile(r"Expected `int` <= (-?\d+)"), lambda m: f"must be at most {int(m[1]):,}"),
    (re.compile(r"Expected `str` matching regex"), lambda m: "is not in the expected form"),
    (re.compile(r"Expected `(str|array)` of length <= (\d+)"), lambda m: f"is too long (at most {m[2]})"),
    (re.compile(r"Expected `(str|array)` of length >= (\d+)"), lambda m: "must not be empty"),
    (re.compile(r"Invalid enum value"), lambda m: "is not one of the choices"),
)


def in_words(message: str) -> str:
    """A refusal for people: the field's label and what it must be; other messages unchanged."""
    match = ERROR.match(message.strip())
    if match is None:
        return message
    parts = re.findall(r"[A-Za-z0-9_]+|\[\d+\]", match["path"])
    names = [p for p in parts if not p.startswith("[")]
    label = " › ".join(label_of(n) for n in names) if names else "A setting"
    item = next((f" (entry {int(p[1:-1]) + 1})" for p in parts if p.startswith("[")), "")
    for pattern, say in RULES:
        if (found := pattern.search(match["what"])) is not None:
            return f"{label}{item} {say(found)}."
    return f"{label}{item}: {match['what'].rstrip('.')}."
