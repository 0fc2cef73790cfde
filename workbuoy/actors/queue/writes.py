"""Local writes: the durable queue item and its optimistic cache row, in one commit.

Everything that changes the outbox together with the cache goes through here, inside
one store transaction, so a crash never leaves a queued write the cache does not show
or a cached edit with no queued write behind it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workbuoy.actors.queue.conflict import Rebase
from workbuoy.actors.queue.merge import apply_patch
from workbuoy.actors.queue.outgoing import base_of, body_of, wrap
from workbuoy.schemas.base import Op, QType
from workbuoy.store import NewQueueItem, QueueItem, Store


#: ``entity`` and ``op`` of every e-mail and calendar write: the seed's ``task``/``create``, which keeps
#: its CHECKs (an entity and an op on every row) true, in this store's plural entity names. The
#: flusher routes these writes by ``qtype``; ``entity_id`` stays empty, so no CRM record is involved.
PRODUCT_ENTITY = "tasks"

#: Starts the ``last_error`` of an item a conflict resolution touched: a note, not an error,
#: so it survives the item's successful send (who resolved it and when stays visible).
RESOLVED = "resolved: "
#: Starts the ``last_error`` of a write the user discarded (``wb:queue:discard``).
DISCARDED = "discarded: "


@dataclass(frozen=True, slots=True)
class Write:
    """One write as a channel asked for it, before it is planned against the cache."""

    qtype: QType
    body: dict[str, Any] | None
    entity: str | None = None
    op: Op | None = None
    entity_id: str | None = None
    #: Marks the write that stands for a whole assistant session (``outgoing.ASSISTANT``).
    origin: str | None = None


def new_id() -> str:
    """A client-side id for a create, so the row is cached (and editable) before it is sent."""
    return f"local-{uuid.uuid4().hex}"


def commit(store: Store, org_id: str, writes: Sequence[Write], *, workflow: bool = False) -> list[QueueItem]:
    """Queue ``writes`` (all or none, fsynced) and show them in the cache at once.

    Each write is planned against the cache as the earlier writes of the batch left it,
    so two edits of one record in one batch stack up like two separate calls.
    """
    with store.transaction(durable=True):
        items = [_plan_and_apply(store, org_id, w) for w in writes]
        if workflow:
            return store.enqueue_workflow(org_id, items)[1]
        return store.enqueue(items)


def _plan_and_apply(store: Store, org_id: str, w: Write) -> NewQueueItem:
    if w.qtype != "crm":
        return NewQueueItem(qtype=w.qtype, org_id=org_id, entity=PRODUCT_ENTITY, op="create",
                            payload=wrap(w.body, origin=w.origin))
    if w.entity is None or w.op is None:
        raise ValueError("a crm write needs entity and op")
    entity_id = w.entity_id or new_id()
    cached = store.get_row(w.entity, entity_id)
    base = None if cached is None or w.op == "create" else cached.payload
    item = NewQueueItem(
        qtype="crm", org_id=org_id, entity=w.entity, op=w.op, entity_id=entity_id,
        payload=wrap(w.body, base, w.origin), base_updated_at=None if cached is None else cached.updated_at or None,
    )
    if w.op == "delete":
        store.delete_local(w.entity, entity_id)
    else:
        row = apply_patch({} if cached is None else cached.payload, w.body or {})
        store.put_local(w.entity, org_id, entity_id, {**row, "id": entity_id, "org_id": org_id},
                        0 if cached is None else cached.updated_at)
    return item


def show_taken(store: Store, item: QueueItem, row: dict[str, Any]) -> None:
    """The server took ``item`` and answered ``row``: the cache follows, unless later local
    edits of the record are still queued; then they stay visible on top of the new version.
    The cache file's part of a take, committed before the outbox's (``flusher.Settle``)."""
    if item.qtype != "crm":
        store.set_server_row("messages" if item.qtype == "email" else "calendar", row, org_id=item.org_id)
        return
    assert item.entity is not None and item.entity_id is not None
    cached = store.get_row(item.entity, item.entity_id)
    later = any(p.id != item.id for p in store.pending_for(item.entity, item.entity_id))
    if cached is None or row.get("deleted") or not later:
        store.set_server_row(item.entity, row, org_id=item.org_id)
    else:
        store.put_local(item.entity, item.org_id, item.entity_id, cached.payload, row["updated_at"])


def rebase_taken(store: Store, item: QueueItem, row: dict[str, Any]) -> None:
    """The outbox's part of a take: the record's writes still queued now build on ``row``'s version
    (after a delete there is none: a later write of the record is a create)."""
    if item.qtype == "crm" and not row.get("deleted"):
        assert item.entity is not None and item.entity_id is not None
        store.rebase_open(item.entity, item.entity_id, row["updated_at"])


def rebase(store: Store, item: QueueItem, rb: Rebase, server: dict[str, Any] | None, note: str) -> QueueItem | None:
    """Send a conflicted item again as ``rb`` and show the outcome it aims for in the cache."""
    with store.transaction():
        rebased = store.rebase(item.id, op=rb.op, payload=wrap(rb.body, server), base_updated_at=rb.base_updated_at,
                               note=RESOLVED + note)
        if rebased is None or item.qtype != "crm":
            return rebased
        assert item.entity is not None and item.entity_id is not None
        store.delete_local(item.entity, item.entity_id)  # also drops the open conflict
        if rb.op != "delete":
            body = rb.body or {}
            row = body if rb.op == "create" or server is None else apply_patch(server, body)
            store.put_local(item.entity, item.org_id, item.entity_id, {**row, "id": item.entity_id, "org_id": item.org_id},
                            rb.base_updated_at or 0)
        return rebased


def keep_server(store: Store, item: QueueItem, note: str) -> QueueItem | None:
    """Drop a conflicted item unsent (its row stays, ``synced``) and cache the server's version."""
    with store.transaction():
        settled = store.settle(item.id, RESOLVED + note)
        if settled is None or item.qtype != "crm":
            return settled
        assert item.entity is not None and item.entity_id is not None
        if item.server_payload is None:
            store.delete_local(item.entity, item.entity_id)
        else:
            store.set_server_row(item.entity, item.server_payload, org_id=item.org_id)
        return settled


def discard(store: Store, item: QueueItem, note: str) -> QueueItem | None:
    """Drop a failed write unsent and undo it in the cache (the user gave up on it).

    A conflict takes the server's version (as ``keep_server``); a refused create's row
    goes; a refused update or delete brings back the row it was written over (with the
    record's later queued writes on top), unless a
    pull meanwhile put a newer server version beside it: the sync's cursor has passed that
    one, so it is taken now or never.
    """
    if item.conflicted:
        return keep_server(store, item, f"discarded {note}")
    with store.transaction():
        settled = store.settle(item.id, DISCARDED + note, failed=True)
        if settled is None or item.qtype != "crm":
            return settled
        assert item.entity is not None and item.entity_id is not None
        base = base_of(item)
        cached = store.get_row(item.entity, item.entity_id)
        if cached is not None and cached.server_payload is not None:
            store.set_server_row(item.entity, cached.server_payload, org_id=item.org_id)
        elif item.op == "create" or not base:
            store.delete_local(item.entity, item.entity_id)
        elif (row := _with_later_writes(store, item, base)) is None:
            store.delete_local(item.entity, item.entity_id)
        else:
            store.put_local(item.entity, item.org_id, item.entity_id, row, item.base_updated_at or 0)
        return settled


def _with_later_writes(store: Store, item: QueueItem, base: dict[str, Any]) -> dict[str, Any] | None:
    """The row the discarded ``item`` was written over, with the record's later writes (still
    queued, held behind it until now) on top, as the cache showed them; None if one deletes it."""
    assert item.entity is not None and item.entity_id is not None
    row: dict[str, Any] | None = base
    for later in store.pending_for(item.entity, item.entity_id):
        row = None if later.op == "delete" else apply_patch(row or {}, body_of(later) or {})
    return row
