"""Typed rows the store hands out and takes in.

Actors see these Structs, never SQL rows: a column rename stays inside the store,
and a field an actor reads is checked by the type checker instead of by a KeyError
at run time. JSON columns arrive decoded (``dict``), flags as ``bool``.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from workbuoy.schemas.base import Op, QType, QueueStatus
from workbuoy.schemas.offline import RowMark

AuditStatus = Literal["pending", "sending"]


class Row(msgspec.Struct, kw_only=True):
    """Base of the store's rows: keyword construction, no camelCase renaming."""


class CachedRow(Row):
    """One cached server row of an entity table."""

    id: str
    org_id: str
    updated_at: int
    payload: dict[str, Any]
    conflicted: bool = False
    #: The server's version while a conflict is open (a tombstone when the server deleted it).
    server_payload: dict[str, Any] | None = None


class ListPage(Row):
    """One page of a cached table (``Store.list_page``)."""

    rows: list[CachedRow]
    next_cursor: str | None = None
    total: int | None = None
    #: id -> "pending" | "failed" | "conflict", for the rows with a local write or a conflict.
    marks: dict[str, RowMark] = msgspec.field(default_factory=dict)


class PageResult(Row):
    """What one ``apply_page``/``upsert_rows`` did; ``changed`` feeds change events."""

    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    conflicts: int = 0
    #: ``(id, created)`` of every non-conflicting insert (``created=True``) or update.
    changed: list[tuple[str, bool]] = msgspec.field(default_factory=list)


class SyncState(Row):
    """The pull checkpoint of one (entity, org)."""

    entity: str
    org_id: str
    cursor: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_sync_at: int | None = None
    last_error: str | None = None


class NewQueueItem(Row):
    """A local write to queue. ``org_id`` may be left out only in ``enqueue_workflow`` steps."""

    qtype: QType = "crm"
    org_id: str | None = None
    entity: str | None = None
    op: Op | None = None
    entity_id: str | None = None
    payload: dict[str, Any] | None = None
    #: ``updated_at`` of the server row the write was based on (for the server's conflict check).
    base_updated_at: int | None = None
    wf_id: str | None = None
    step_index: int | None = None
    #: Idempotency key sent to the server; a uuid4 hex is generated when absent.
    op_id: str | None = None


class QueueItem(Row):
    """One outbox row. Field order is the column order the store selects."""

    id: int
    op_id: str
    org_id: str
    qtype: QType
    entity: str | None
    op: Op | None
    entity_id: str | None
    payload: dict[str, Any] | None
    base_updated_at: int | None
    status: QueueStatus
    attempt: int
    last_error: str | None
    next_attempt_at: int | None
    lease_until: int | None
    claim: str | None
    wf_id: str | None
    step_index: int | None
    conflicted: bool
    #: The server's version when the push ended in a conflict.
    server_payload: dict[str, Any] | None
    created_at: int
    updated_at: int


class Lease(Row):
    """A claimed outbox item; ``claim`` must be handed back to ``finish``."""

    item: QueueItem
    claim: str


class AuditItem(Row):
    """One audit event waiting to be sent."""

    id: int
    event: str
    payload: dict[str, Any]
    status: AuditStatus
    attempt: int
    earliest_at: int
    created_at: int
