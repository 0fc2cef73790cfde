"""Request and reply bodies as msgspec Structs: they validate what comes in, and
``openapi.py`` derives its component schemas from them, so the published schema
and the server's behaviour cannot drift apart.

Rows themselves are open objects (``dict``): the sandbox stores whatever fields a
client sends, like a schemaless CRM would, and only owns ``id``, ``org_id``,
``updated_at``, ``created_at`` and ``deleted``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from workbuoy.schemas.base import Entity, EpochMs, Id

Text = Annotated[str, Meta(max_length=20_000)]
#: ASCII-only on purpose: Python's and ECMAScript's ``\s`` disagree on some characters,
#: and the published schema must accept exactly what the server accepts.
Email = Annotated[str, Meta(min_length=3, max_length=254, pattern=r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+$")]
WorkflowKind = Literal["follow_up", "schedule_meeting", "close_deal", "escalate_ticket"]


class Body(msgspec.Struct, kw_only=True):
    """Base of request bodies."""


class Row(msgspec.Struct, kw_only=True):
    """A row on the wire: these fields plus any entity fields (the schema allows extra properties)."""

    id: str
    org_id: str
    updated_at: int
    deleted: bool = False


class Error(msgspec.Struct, kw_only=True, omit_defaults=True):
    error: str
    detail: Any = None


class ConflictError(msgspec.Struct, kw_only=True):
    """409/412: ``server`` is the server's row; a 409 for a rule on a new row has none."""

    error: str
    server: Row | None = None


class Login(Body):
    email: Annotated[str, Meta(max_length=254)]
    password: Annotated[str, Meta(max_length=1024)]


class User(msgspec.Struct, kw_only=True):
    id: str
    email: str
    name: str


class Org(msgspec.Struct, kw_only=True):
    id: str
    name: str
    roles: list[str]


class LoginReply(msgspec.Struct, kw_only=True):
    user: User


class Me(msgspec.Struct, kw_only=True):
    user: User
    orgs: list[Org]


class Token(msgspec.Struct, kw_only=True):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int


class Page(msgspec.Struct, kw_only=True):
    items: list[Row]
    next_cursor: str
    has_more: bool


class NewRow(Body):
    """A create payload: any fields; ``id`` optional (the server assigns one)."""

    id: Id | None = None
    org_id: Id | None = None


class Draft(Body):
    to: Annotated[list[Email], Meta(min_length=1, max_length=50)]
    subject: Annotated[str, Meta(max_length=998)]
    body: Annotated[str, Meta(max_length=200_000)] = ""
    cc: Annotated[list[Email], Meta(max_length=50)] = []
    entity: Entity | None = None
    entity_id: Id | None = None
    org_id: Id | None = None


class CalendarEvent(Body):
    title: Annotated[str, Meta(min_length=1, max_length=200)]
    starts_at: EpochMs
    ends_at: EpochMs
    attendees: Annotated[list[Email], Meta(max_length=100)] = []
    location: Annotated[str, Meta(max_length=1000)] | None = None
    org_id: Id | None = None


class AuditBatch(Body):
    events: Annotated[list[dict[str, Any]], Meta(min_length=1, max_length=1000)]


class Accepted(msgspec.Struct, kw_only=True):
    accepted: int


class ChatMessage(msgspec.Struct, kw_only=True):
    role: Literal["user", "assistant", "system"]
    content: Text


class Chat(Body):
    messages: Annotated[list[ChatMessage], Meta(min_length=1, max_length=50)]


class ChatReply(msgspec.Struct, kw_only=True):
    message: ChatMessage


class WorkflowRequest(Body):
    entity: Entity
    entity_id: Id = msgspec.field(name="entityId")
    kind: WorkflowKind


class WorkflowStep(msgspec.Struct, kw_only=True, omit_defaults=True):
    qtype: Literal["crm", "email", "calendar"]
    payload: dict[str, Any]
    entity: Entity | None = None
    op: Literal["create", "update", "delete"] | None = None
    entity_id: Id | None = msgspec.field(default=None, name="entityId")


class Manifest(msgspec.Struct, kw_only=True):
    org_id: str = msgspec.field(name="orgId")
    steps: list[WorkflowStep]


class Asset(msgspec.Struct, kw_only=True):
    name: str
    browser_download_url: str
    size: int
    content_type: str


class Release(msgspec.Struct, kw_only=True):
    id: int
    tag_name: str
    name: str
    draft: bool
    prerelease: bool
    published_at: str
    html_url: str
    assets: list[Asset]
