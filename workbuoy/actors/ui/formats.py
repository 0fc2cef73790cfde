"""Values as a person reads them: the columns each entity shows, stage labels, amounts, dates, yes/no.

The cache holds the server's raw JSON (``closed_won``, ``3500``, ``True``, epoch
milliseconds); every table cell and record field goes through :func:`text` so the same
value reads the same everywhere, in the user's locale (``QLocale``). Headings, labels and
nouns are source texts marked with ``QT_TRANSLATE_NOOP`` and translated where shown
(``workbuoy.i18n``); counts pick the singular or plural text by the number (English and
Bokmål share that rule) because ``pyside6-lupdate`` drops Qt's numerus forms from Python sources.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDateTime, QLocale

from workbuoy.i18n import translate

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
    "deals": (QT_TRANSLATE_NOOP("Formats", "deal"), QT_TRANSLATE_NOOP("Formats", "deals")),
    "calendar": (QT_TRANSLATE_NOOP("Formats", "event"), QT_TRANSLATE_NOOP("Formats", "events")),
    "meetings": (QT_TRANSLATE_NOOP("Formats", "meeting"), QT_TRANSLATE_NOOP("Formats", "meetings")),
    "messages": (QT_TRANSLATE_NOOP("Formats", "message"), QT_TRANSLATE_NOOP("Formats", "messages")),
    "customers": (QT_TRANSLATE_NOOP("Formats", "customer"), QT_TRANSLATE_NOOP("Formats", "customers")),
    "tasks": (QT_TRANSLATE_NOOP("Formats", "task"), QT_TRANSLATE_NOOP("Formats", "tasks")),
    "tickets": (QT_TRANSLATE_NOOP("Formats", "ticket"), QT_TRANSLATE_NOOP("Formats", "tickets")),
}
#: The tab's name and the "New …" button per entity (the noun's gender varies in Bokmål: "Nytt møte").
TABS = {"deals": QT_TRANSLATE_NOOP("Formats", "Deals"), "calendar": QT_TRANSLATE_NOOP("Formats", "Calendar"),
        "meetings": QT_TRANSLATE_NOOP("Formats", "Meetings"), "messages": QT_TRANSLATE_NOOP("Formats", "Messages"),
        "customers": QT_TRANSLATE_NOOP("Formats", "Customers"), "tasks": QT_TRANSLATE_NOOP("Formats", "Tasks"),
        "tickets": QT_TRANSLATE_NOOP("Formats", "Tickets")}
NEW = {"deals": QT_TRANSLATE_NOOP("Formats", "New deal"), "calendar": QT_TRANSLATE_NOOP("Formats", "New event"),
       "meetings": QT_TRANSLATE_NOOP("Formats", "New meeting"), "messages": QT_TRANSLATE_NOOP("Formats", "New message"),
       "customers": QT_TRANSLATE_NOOP("Formats", "New customer"), "tasks": QT_TRANSLATE_NOOP("Formats", "New task"),
       "tickets": QT_TRANSLATE_NOOP("Formats", "New ticket")}
#: What a write does, in the outbox and a workflow's steps.
OPS = {"create": QT_TRANSLATE_NOOP("Formats", "create"), "update": QT_TRANSLATE_NOOP("Formats", "update"),
       "delete": QT_TRANSLATE_NOOP("Formats", "delete"), "send": QT_TRANSLATE_NOOP("Formats", "send")}
#: A count's wording by (adjective, out of a total): the noun agrees with the total when there is one.
COUNTS = {
    ("", False): QT_TRANSLATE_NOOP("Formats", "{n} {noun}"),
    ("matching", False): QT_TRANSLATE_NOOP("Formats", "{n} matching {noun}"),
    ("upcoming", False): QT_TRANSLATE_NOOP("Formats", "{n} upcoming {noun}"),
    ("", True): QT_TRANSLATE_NOOP("Formats", "{n} of {total} {noun}"),
    ("matching", True): QT_TRANSLATE_NOOP("Formats", "{n} of {total} matching {noun}"),
    ("upcoming", True): QT_TRANSLATE_NOOP("Formats", "{n} of {total} upcoming {noun}"),
}
#: The field that names a record (a conflict, the record pane's title).
NAME_FIELDS = ("name", "title", "subject", "id")
#: Headings of the portal's fields; another field reads as its name in words.
HEADINGS = {
    "name": QT_TRANSLATE_NOOP("Formats", "Name"), "company": QT_TRANSLATE_NOOP("Formats", "Company"),
    "stage": QT_TRANSLATE_NOOP("Formats", "Stage"), "amount": QT_TRANSLATE_NOOP("Formats", "Amount"),
    "currency": QT_TRANSLATE_NOOP("Formats", "Currency"),
    "close_date": QT_TRANSLATE_NOOP("Formats", "Close date"), "owner": QT_TRANSLATE_NOOP("Formats", "Owner"),
    "starts_at": QT_TRANSLATE_NOOP("Formats", "Starts"), "ends_at": QT_TRANSLATE_NOOP("Formats", "Ends"),
    "title": QT_TRANSLATE_NOOP("Formats", "Title"), "location": QT_TRANSLATE_NOOP("Formats", "Location"),
    "attendees": QT_TRANSLATE_NOOP("Formats", "Attendees"), "from": QT_TRANSLATE_NOOP("Formats", "From"),
    "to": QT_TRANSLATE_NOOP("Formats", "To"), "subject": QT_TRANSLATE_NOOP("Formats", "Subject"),
    "body": QT_TRANSLATE_NOOP("Formats", "Body"), "folder": QT_TRANSLATE_NOOP("Formats", "Folder"),
    "sent_at": QT_TRANSLATE_NOOP("Formats", "Received"), "read": QT_TRANSLATE_NOOP("Formats", "Read"),
    "email": QT_TRANSLATE_NOOP("Formats", "Email"), "phone": QT_TRANSLATE_NOOP("Formats", "Phone"),
    "city": QT_TRANSLATE_NOOP("Formats", "City"), "status": QT_TRANSLATE_NOOP("Formats", "Status"),
    "due_at": QT_TRANSLATE_NOOP("Formats", "Due"), "priority": QT_TRANSLATE_NOOP("Formats", "Priority"),
    "assignee": QT_TRANSLATE_NOOP("Formats", "Assignee"), "requester": QT_TRANSLATE_NOOP("Formats", "Requester"),
    "id": QT_TRANSLATE_NOOP("Formats", "Id"), "updated_at": QT_TRANSLATE_NOOP("Formats", "Updated at"),
    "created_at": QT_TRANSLATE_NOOP("Formats", "Created at"),
    # the outbox's columns (queue_view.py)
    "state": QT_TRANSLATE_NOOP("Formats", "State"), "record": QT_TRANSLATE_NOOP("Formats", "Record"),
    "entity": QT_TRANSLATE_NOOP("Formats", "Entity"), "op": QT_TRANSLATE_NOOP("Formats", "Op"),
}
#: Labels of the portal's enumerated values (stages, statuses, priorities, folders).
LABELS = {
    "prospecting": QT_TRANSLATE_NOOP("Formats", "Prospecting"), "qualification": QT_TRANSLATE_NOOP("Formats", "Qualification"),
    "proposal": QT_TRANSLATE_NOOP("Formats", "Proposal"), "negotiation": QT_TRANSLATE_NOOP("Formats", "Negotiation"),
    "closed_won": QT_TRANSLATE_NOOP("Formats", "Won"), "closed_lost": QT_TRANSLATE_NOOP("Formats", "Lost"),
    "low": QT_TRANSLATE_NOOP("Formats", "Low"), "normal": QT_TRANSLATE_NOOP("Formats", "Normal"),
    "high": QT_TRANSLATE_NOOP("Formats", "High"), "urgent": QT_TRANSLATE_NOOP("Formats", "Urgent"),
    "new": QT_TRANSLATE_NOOP("Formats", "New"), "open": QT_TRANSLATE_NOOP("Formats", "Open"),
    "pending": QT_TRANSLATE_NOOP("Formats", "Pending"), "solved": QT_TRANSLATE_NOOP("Formats", "Solved"),
    "closed": QT_TRANSLATE_NOOP("Formats", "Closed"), "in_progress": QT_TRANSLATE_NOOP("Formats", "In progress"),
    "done": QT_TRANSLATE_NOOP("Formats", "Done"), "lead": QT_TRANSLATE_NOOP("Formats", "Lead"),
    "active": QT_TRANSLATE_NOOP("Formats", "Active"), "churned": QT_TRANSLATE_NOOP("Formats", "Churned"),
    "inbox": QT_TRANSLATE_NOOP("Formats", "Inbox"), "sent": QT_TRANSLATE_NOOP("Formats", "Sent"),
}
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
    return translate("Formats", HEADINGS[key]) if key in HEADINGS else " ".join(_WORDS.split(key)).lower().capitalize()


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
    out_of = total is not None and total > n
    return translate("Formats", COUNTS[adjective, out_of]).format(
        n=locale().toString(n), total=locale().toString(total or 0), noun=noun(entity, total if out_of else n))


def noun(entity: str, n: int = 2) -> str:
    """What ``n`` records of ``entity`` are called ("deal", "deals")."""
    one, many = NOUNS.get(entity, (entity, entity))
    return translate("Formats", one if n == 1 else many)


def one(entity: str) -> str:
    return noun(entity, 1)


def tab_name(entity: str) -> str:
    return translate("Formats", TABS[entity]) if entity in TABS else entity.capitalize()


def new_label(entity: str) -> str:
    """"New deal": the button and the empty record pane's title."""
    return translate("Formats", NEW[entity]) if entity in NEW else f"New {entity}"


def operation(op: str) -> str:
    return translate("Formats", OPS[op]) if op in OPS else op


def label(value: str) -> str:
    """``closed_won`` -> ``Won``; ``negotiation`` -> ``Negotiation``."""
    return translate("Formats", LABELS[value]) if value in LABELS else value.replace("_", " ").capitalize()


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
        return translate("Formats", "Yes") if value else translate("Formats", "No")
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
    return next((str(row[k]) for k in NAME_FIELDS if row.get(k)), translate("Formats", "this record"))

