"""Bounded building blocks shared by every message.

Every field that crosses the bus has a bound (length, size, range or a ``Literal``
whitelist) so that a hostile or buggy peer cannot make an actor allocate without
limit or act on a value it does not understand.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

Entity = Literal["messages", "customers", "calendar", "tasks", "deals", "tickets", "meetings"]
ENTITIES: tuple[Entity, ...] = ("messages", "customers", "calendar", "tasks", "deals", "tickets", "meetings")
Op = Literal["create", "update", "delete"]
QType = Literal["crm", "email", "calendar"]
QueueStatus = Literal["pending", "inflight", "failed", "synced"]
ActorName = Literal["auth", "sync", "queue", "audit", "plugins", "ui", "portal"]
ACTOR_NAMES: tuple[ActorName, ...] = ("auth", "sync", "queue", "audit", "plugins", "ui", "portal")

#: An id from data. It ends up as a URL path segment (``DELETE <api>/deals/<id>``), so
#: besides the character whitelist (no ``/``, ``\``, control characters or whitespace)
#: ``.`` and ``..`` are refused: as segments they mean "this folder" and "the parent".
Id = Annotated[str, Meta(min_length=1, max_length=128, pattern=r"^(?!\.\.?$)[A-Za-z0-9_.:@\-]+$")]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, Meta(max_length=1000)]
LongText = Annotated[str, Meta(max_length=200_000)]
Url = Annotated[str, Meta(min_length=1, max_length=2048)]
Email = Annotated[str, Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
Cursor = Annotated[str, Meta(min_length=1, max_length=512)]
EpochMs = Annotated[int, Meta(ge=0, le=253_402_300_799_000)]
RowPayload = Annotated[dict[str, Any], Meta(max_length=200)]
Limit = Annotated[int, Meta(ge=1, le=500)]


class Msg(msgspec.Struct, forbid_unknown_fields=True, rename="camel", kw_only=True):
    """Base of every bus message: unknown fields are refused, names are camelCase on the wire."""


class Empty(Msg):
    """A request that carries no arguments."""


class Ok(Msg):
    ok: bool = True
