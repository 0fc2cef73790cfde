"""One editor per record field, chosen by the value's type, and the value read back in that type.

A field keeps the JSON type the server gave it: an amount stays a number, a close date
stays epoch milliseconds, ``read`` stays a bool; a person edits them with a number field,
a date-and-time field and a check box, never as raw JSON.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDateTime, QLocale, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateTimeEdit, QLineEdit, QWidget

from workbuoy.actors.ui import formats
from workbuoy.i18n import translate

#: Fields the server owns: shown, never edited, at the end of the record pane in this order.
SERVER_FIELDS = ("id", "created_at", "createdAt", "updated_at", "updatedAt", "deleted", "org_id", "orgId")
READ_ONLY = frozenset(SERVER_FIELDS)
# The property that marks an editor as a value shown only (``editable`` is False).
SHOWN_ONLY = "shownOnly"


class BadValue(ValueError):
    """What the person typed is not a value of the field's type; the message says so in words."""


def editor_for(key: str, value: Any) -> QWidget:
    if key in READ_ONLY or isinstance(value, dict):
        return _shown(key, value)
    if isinstance(value, bool):
        box = QCheckBox()
        box.setChecked(value)
        return box
    if key in formats.CHOICES and (value is None or value in formats.CHOICES[key]):
        combo = QComboBox()
        for choice in formats.CHOICES[key]:
            combo.addItem(formats.label(choice), choice)
        combo.setCurrentIndex(max(0, combo.findData(value)))
        return combo
    if formats.is_time(key) and (value is None or isinstance(value, int)):
        edit = QDateTimeEdit(QDateTime.fromMSecsSinceEpoch(value) if value else QDateTime.currentDateTime())
        edit.setCalendarPopup(True)
        day = key.endswith(("_date", "Date"))
        edit.setDisplayFormat(formats.locale().dateFormat(QLocale.FormatType.ShortFormat) if day
                              else formats.locale().dateTimeFormat(QLocale.FormatType.ShortFormat))
        return edit
    line = QLineEdit()
    if isinstance(value, list):
        line.setText(", ".join(str(v) for v in value))
    elif isinstance(value, (int, float)):
        line.setText(formats.locale().toString(value) if isinstance(value, int) else formats.locale().toString(value, "g", 12))
    elif value is not None:
        line.setText(str(value))
    return line


def _shown(key: str, value: Any) -> QLineEdit:
    """A value the person reads (and may copy) but cannot change: no frame, no white box, no
    date picker, and Tab passes it by, so it does not look like a field to fill in."""
    line = QLineEdit(formats.text(key, value))
    line.setReadOnly(True)
    line.setFrame(False)
    line.setStyleSheet("QLineEdit { background: transparent; }")
    line.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    line.setProperty(SHOWN_ONLY, True)
    return line


def editable(editor: QWidget) -> bool:
    """False for a value shown only: a server-owned field or a nested object."""
    return not editor.property(SHOWN_ONLY)


def value_of(key: str, editor: QWidget, like: Any) -> Any:
    """The editor's value in the type of ``like`` (the field's current value); ``BadValue`` if it is none."""
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QComboBox):
        return editor.currentData()
    if isinstance(editor, QDateTimeEdit):
        return _moment(editor, like)
    assert isinstance(editor, QLineEdit)
    typed = editor.text().strip()
    if isinstance(like, list):
        return [part.strip() for part in typed.split(",") if part.strip()]
    if isinstance(like, (int, float)) and not isinstance(like, bool):
        return _number(key, typed, integer=isinstance(like, int))
    return typed if typed or like is not None else None


def _moment(editor: QDateTimeEdit, like: Any) -> int:
    """Epoch ms; ``like`` itself while the editor shows it unchanged. A close date at 16:17 shown
    as a day would otherwise come back as midnight, and every save would move it."""
    shown = editor.displayFormat()
    if isinstance(like, int) and QDateTime.fromMSecsSinceEpoch(like).toString(shown) == editor.dateTime().toString(shown):
        return like
    return editor.dateTime().toMSecsSinceEpoch()


def _number(key: str, typed: str, *, integer: bool) -> float | int | None:
    if not typed:
        return None
    locale = formats.locale()
    number, ok = locale.toDouble(typed)
    if not ok:  # "3500.5" typed on a comma-decimal locale is still meant as a number
        number, ok = QLocale.c().toDouble(typed.replace(" ", ""))
    if not ok:
        raise BadValue(translate("Editors", "{field}: {typed} is not a number")
                       .format(field=formats.heading(key), typed=repr(typed)))
    return int(number) if integer and number == int(number) else number
