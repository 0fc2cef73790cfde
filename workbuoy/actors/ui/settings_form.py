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
from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox, QWidget

from workbuoy.i18n import num, translate

# Source texts are marked with QT_TRANSLATE_NOOP (for pyside6-lupdate) and translated where shown.
LABELS = {
    "deals": QT_TRANSLATE_NOOP("Settings", "Deals"),
    "tickets": QT_TRANSLATE_NOOP("Settings", "Tickets"),
    "meetings": QT_TRANSLATE_NOOP("Settings", "Meetings"),
    "startAtLogin": QT_TRANSLATE_NOOP("Settings", "Start at login"),
    "notificationsEnabled": QT_TRANSLATE_NOOP("Settings", "Desktop notifications"),
    "syncIntervalSec": QT_TRANSLATE_NOOP("Settings", "Sync every (seconds)"),
    "portalOrigin": QT_TRANSLATE_NOOP("Settings", "Portal address"),
    "version": QT_TRANSLATE_NOOP("Settings", "Version"),
    "syncPageSize": QT_TRANSLATE_NOOP("Settings", "Rows per sync page"),
    "preferBearerToken": QT_TRANSLATE_NOOP("Settings", "Prefer a bearer token"),
    "externalLinks": QT_TRANSLATE_NOOP("Settings", "Hosts whose links open in the browser (comma-separated)"),
    "wipeCacheOnSignOut": QT_TRANSLATE_NOOP("Settings", "Wipe the offline copy on sign-out"),
    "updateIntervalMin": QT_TRANSLATE_NOOP("Settings", "Check for updates every (minutes)"),
    "notify": QT_TRANSLATE_NOOP("Settings", "Notify me about"),
    "queueRetryCapSec": QT_TRANSLATE_NOOP("Settings", "Longest wait between retries of a write (seconds)"),
    "queueStuckAfterSec": QT_TRANSLATE_NOOP("Settings", "Tell me when a write waits longer than (seconds)"),
    "appearance": QT_TRANSLATE_NOOP("Settings", "Appearance"),
    "language": QT_TRANSLATE_NOOP("Settings", "Language (after a restart)"),
    "miniBuoyShortcut": QT_TRANSLATE_NOOP("Settings", "Mini-Buoy shortcut (empty: none)"),
}
#: Top-level fields per section; a field not named here goes to Advanced, so none is ever hidden.
SECTIONS = {
    QT_TRANSLATE_NOOP("Settings", "General"): ("startAtLogin", "appearance", "language", "miniBuoyShortcut", "portalOrigin", "wipeCacheOnSignOut", "version"),
    QT_TRANSLATE_NOOP("Settings", "Notifications"): ("notificationsEnabled", "notify", "queueStuckAfterSec"),
    QT_TRANSLATE_NOOP("Settings", "Sync"): ("syncIntervalSec", "updateIntervalMin", "queueRetryCapSec"),
    QT_TRANSLATE_NOOP("Settings", "Advanced"): (),
}
CHOICES = {"system": QT_TRANSLATE_NOOP("Settings", "As the system"), "light": QT_TRANSLATE_NOOP("Settings", "Light"),
           "dark": QT_TRANSLATE_NOOP("Settings", "Dark"), "en": "English", "nb": "Norsk bokmål"}  # languages in their own words
INT_FALLBACK = (-(2**31), 2**31 - 1)  # a number field without limits in the schema
# A text field shows this many characters at least: the default external links
# ("workbuoy.com, *.workbuoy.com") and a portal address whole, not cut off.
TEXT_MIN_CHARS = 40


def section_of(name: str) -> str:
    return next((str(s) for s, names in SECTIONS.items() if name in names), "Advanced")


def label_of(name: str) -> str:
    return translate("Settings", LABELS[name]) if name in LABELS else name[:1].upper() + name[1:]


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
            combo.addItem(translate("Settings", CHOICES[value]) if value in CHOICES else str(value), value)
        return combo
    line = QLineEdit()
    line.setProperty("is_list", isinstance(kind, mi.ListType))
    line.setMinimumWidth(line.fontMetrics().averageCharWidth() * TEXT_MIN_CHARS)
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
#: msgspec's wording → a sentence about the field (``{label}``, and ``{n}`` where the rule has a number).
RULES = (
    (re.compile(r"Expected `int` >= (-?\d+)"), QT_TRANSLATE_NOOP("Settings", "{label} must be at least {n}.")),
    (re.compile(r"Expected `int` <= (-?\d+)"), QT_TRANSLATE_NOOP("Settings", "{label} must be at most {n}.")),
    (re.compile(r"Expected `str` matching regex()"), QT_TRANSLATE_NOOP("Settings", "{label} is not in the expected form.")),
    (re.compile(r"Expected `(?:str|array)` of length <= (\d+)"), QT_TRANSLATE_NOOP("Settings", "{label} is too long (at most {n}).")),
    (re.compile(r"Expected `(?:str|array)` of length >= (\d+)"), QT_TRANSLATE_NOOP("Settings", "{label} must not be empty.")),
    (re.compile(r"Invalid enum value()"), QT_TRANSLATE_NOOP("Settings", "{label} is not one of the choices.")),
)


def in_words(message: str) -> str:
    """A refusal for people: the field's label and what it must be; other messages unchanged."""
    match = ERROR.match(message.strip())
    if match is None:
        return message
    parts = re.findall(r"[A-Za-z0-9_]+|\[\d+\]", match["path"])
    names = [p for p in parts if not p.startswith("[")]
    label = " › ".join(label_of(n) for n in names) if names else translate("Settings", "A setting")
    entry = next((int(p[1:-1]) + 1 for p in parts if p.startswith("[")), None)
    if entry is not None:
        label = translate("Settings", "{label} (entry {n})").format(label=label, n=entry)
    for pattern, sentence in RULES:
        if (found := pattern.search(match["what"])) is not None:
            n = num(int(found[1])) if found[1] else ""
            return translate("Settings", sentence).format(label=label, n=n)
    return f"{label}: {match['what'].rstrip('.')}."
