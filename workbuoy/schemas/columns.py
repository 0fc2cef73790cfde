"""What the offline views may sort by and what a search looks at, per entity.

Both come from the fields the sandbox seed (and the portal) gives each entity. A sort
field is read from the cached row's payload; ``updated_at`` (the last edit) is a column
and sortable for every entity. Search is a case-insensitive substring match over the
``SEARCHABLE`` fields: the text a person sees in a view, not ids or timestamps.
"""

from __future__ import annotations

from typing import Literal

from workbuoy.schemas.base import ENTITIES

SortField = Literal[
    "updated_at", "name", "company", "stage", "amount", "close_date", "owner", "city", "status",
    "sent_at", "from", "subject", "starts_at", "title", "location", "due_at", "priority", "assignee", "requester",
]

_APPOINTMENT = ("starts_at", "title", "location")
_PAYLOAD_SORTS: dict[str, tuple[SortField, ...]] = {
    "deals": ("name", "company", "stage", "amount", "close_date", "owner"),
    "customers": ("name", "company", "city", "status"),
    "messages": ("sent_at", "from", "subject"),
    "calendar": _APPOINTMENT,
    "meetings": _APPOINTMENT,
    "tasks": ("due_at", "title", "status", "priority", "assignee"),
    "tickets": ("subject", "priority", "status", "company", "requester"),
}

#: Per entity, the fields a view may sort by (``updated_at`` first, for every entity).
SORTABLE: dict[str, tuple[SortField, ...]] = {e: ("updated_at", *_PAYLOAD_SORTS[e]) for e in ENTITIES}

#: Fields holding a time (epoch ms): the ones ``upcoming`` may filter on.
TIME_FIELDS: frozenset[str] = frozenset({"updated_at", "close_date", "sent_at", "starts_at", "due_at"})

_APPOINTMENT_TEXT = ("title", "location", "attendees")
#: Per entity, the fields a search covers: what a person reads in a row.
SEARCHABLE: dict[str, tuple[str, ...]] = {
    "deals": ("name", "company", "stage", "owner", "amount", "currency"),
    "customers": ("name", "company", "email", "phone", "city", "status"),
    "messages": ("subject", "from", "to", "body"),
    "calendar": _APPOINTMENT_TEXT,
    "meetings": _APPOINTMENT_TEXT,
    "tasks": ("title", "status", "priority", "assignee"),
    "tickets": ("subject", "priority", "status", "requester", "company"),
}
