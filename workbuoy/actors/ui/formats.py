"""Values as a person reads them: the columns each entity shows, stage labels, amounts, dates, yes/no.

The cache holds the server's raw JSON (``closed_won``, ``3500``, ``True``, epoch
milliseconds); every table cell and record field goes through :func:`text` so the same
value reads the same everywhere, in the user's locale (``QLocale``).
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QDateTime, QLocale

#: What a salesperson needs first, per entity (other fields are in the record pane).
COLUMNS: dict[str, tuple[str, ...]] = {
    "deals": ("name", "company", "stage", "amount", "close_date", "owner"),
    "calendar": ("starts_at", "title", "location", "attendees"),
    "meetings": ("starts_at", "title", "location", "attendees"),
    "messages": ("from", "subject", "sent_at", "read"),
    "customers": ("name", "company", "email", "phone", "city", "status"),
    "tasks": ("title", "due_at", "status", "priority", "assignee"),
    "tickets": ("subject", "company", "status", "priority", "requester"),
}
#: What one and several records of an entity are called ("1 deal", "12 upcoming events").
NOUNS: dict[str, tuple[str, str]] = {
    "deals": ("deal", "deals"), "calendar": ("event", "events"), "meetings": ("meeting", "meetings"),
    "messages": ("message", "messages"), "customers": ("customer", "customers"), "tasks": ("task", "tasks"),
    "tickets": ("ticket", "tickets"),
}
#: The field that names a record (a conflict, the record pane's title).
NAME_FIELDS = ("name", "title", "subject", "id")
#: Headings that are not the field name in words.
HEADINGS = {"sent_at": "Received", "starts_at": "Starts", "ends_at": "Ends", "due_at": "Due", "from": "From"}
#: Labels of enumerated values that are not the value in words.
LABELS = {"closed_won": "Won", "closed_lost": "Lost", "in_progress": "In progress"}
#: Fields with a fixed set of values (the portal's), edited with a list of their labels.
CHOICES = {
    "stage": ("prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"),
    "priority": ("low", "normal", "high", "urgent"),
}
#: Fields never shown (the org picker already says which org) or not meant for people.
HIDDEN = frozenset({"org_id", "orgId", "currency"})
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}  # other currencies by their code: "kr" is three currencies
_WORDS = re.compile(r"_|(?<=[a-z0-9])(?=[A-Z])")
_EPOCH_2001_MS = 978_307_200_000  # smaller numbers in a date field are not epoch milliseconds


def heading(key: str) -> str:
    """``entityId`` / ``entity_id`` -> ``Entity id``; a few fields have a better word."""
    return HEADINGS.get(key) or " ".join(_WORDS.split(key)).lower().capitalize()


def is_time(key: str) -> bool:
    return key.endswith(("_at", "At", "_date", "Date"))


def columns(entity: str, rows: list[dict[str, Any]]) -> list[str]:
    """The entity's column set; for an entity without one, the scalar keys the rows have."""
    if entity in COLUMNS:
        return list(COLUMNS[entity])
    seen: list[str] = []
    for row in rows:
        seen += [k for k, v in row.items() if k not in seen and k not in HIDDEN and not isinstance(v, (dict, list))]
    return seen[:8]


def locale() -> QLocale:
    """The user's locale; the C locale (no ``LANG`` set) reads as English, not as ``3500.00EUR``."""
    system = QLocale()
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates) if system.language() == QLocale.Language.C else system


def count(n: int, entity: str, *, total: int | None = None, adjective: str = "") -> str:
    """``100 of 14,286 deals``, ``1 upcoming event``: numbers in the locale, the noun agreeing."""
    one, many = NOUNS.get(entity, (entity, entity))
    of = f" of {locale().toString(total)}" if total is not None and total > n else ""
    noun = one if (total if of else n) == 1 else many
    return f"{locale().toString(n)}{of} {adjective + ' ' if adjective else ''}{noun}"


def one(entity: str) -> str:
    return NOUNS.get(entity, (entity, entity))[0]


def label(value: str) -> str:
    """``closed_won`` -> ``Won``; ``negotiation`` -> ``Negotiation``."""
    return LABELS.get(value) or value.replace("_", " ").capitalize()


def when(ms: int, *, date_only: bool = False) -> str:
    moment = QDateTime.fromMSecsSinceEpoch(ms)
    if date_only:  # a close date is a day, not a midnight
        return locale().toString(moment.date(), QLocale.FormatType.ShortFormat)
    return locale().toString(moment, QLocale.FormatType.ShortFormat)


def amount(value: float, currency: str | None) -> str:
    here = locale()
    return here.toCurrencyString(float(value), _SYMBOLS.get(currency, currency)) if currency else here.toString(float(value), "f", 2)


def text(key: str, value: Any, row: dict[str, Any] | None = None) -> str:
    """``value`` of field ``key`` (of ``row``, for the currency of an amount) for a person."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(text(key, v) for v in value)
    if isinstance(value, (int, float)):
        if is_time(key) and value >= _EPOCH_2001_MS:
            return when(int(value), date_only=key.endswith(("_date", "Date")))
        if key == "amount":
            return amount(value, (row or {}).get("currency"))
        return locale().toString(value) if isinstance(value, int) else locale().toString(value, "g", 12)
    if isinstance(value, str) and key in ("stage", "status", "priority", "folder") and value.islower():
        return label(value)
    return str(value)


def name_of(row: dict[str, Any]) -> str:
    """What to call a record: its name, title or subject, else its id."""
    return next((str(row[k]) for k in NAME_FIELDS if row.get(k)), "this record")

