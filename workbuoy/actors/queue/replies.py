"""What the queue answers and tells about its items: reply structs and events built from store rows."""

from __future__ import annotations

from typing import Any

import msgspec

from workbuoy.schemas import outbox
from workbuoy.store import QueueItem


def ref(item: QueueItem) -> outbox.QueueItemRef:
    return outbox.QueueItemRef(id=item.id, op_id=item.op_id, status=item.status, entity_id=item.entity_id)


def view(item: QueueItem) -> outbox.QueueItemView:
    fields = msgspec.structs.asdict(item)
    return outbox.QueueItemView(**{k: fields[k] for k in outbox.QueueItemView.__struct_fields__})


def fields_of(request: msgspec.Struct, *drop: str) -> dict[str, Any]:
    """A request's fields by their Python (snake_case) names, as the server wants them."""
    return {k: v for k, v in msgspec.structs.asdict(request).items() if k not in drop and v is not None}


def failed_event(item: QueueItem, error: str, conflicted: bool) -> outbox.QueueFailed:
    """``wb:queue:failed``: a write now waits for the user (the ui notifies, naming the record)."""
    return outbox.QueueFailed(id=item.id, org_id=item.org_id, qtype=item.qtype, entity=item.entity,
                              entity_id=item.entity_id, label=label_of(item), conflicted=conflicted, error=error[:500])


def label_of(item: QueueItem) -> str:
    """What a person calls the record: its name, title or subject, from the write or the server's copy."""
    for source in (item.payload or {}, item.server_payload or {}):
        for key in ("name", "title", "subject"):
            if isinstance(value := source.get(key), str) and value.strip():
                return value.strip()[:200]
    return ""
