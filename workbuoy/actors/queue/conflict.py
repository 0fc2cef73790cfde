"""What happens when the server answers a write with 409 or 412.

A strategy looks at the item, its base and the server row and either rebases the write
on the server's version (send again as a new op) or returns ``None``: the conflict is
marked for the user, who picks ``keepLocal`` or ``keepServer``. The default marks every
conflict; orgs in ``WB_CRDT_TENANTS`` get the field-level merge. Tests and embedders swap
the policy with :func:`set_strategy`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from workbuoy.actors.queue.merge import SERVER_FIELDS, apply_patch, merge3, patch_between
from workbuoy.actors.queue.outgoing import base_of, body_of
from workbuoy.schemas.base import Op
from workbuoy.store import QueueItem


@dataclass(frozen=True, slots=True)
class Rebase:
    """Send the write again as ``op`` with ``body``, based on the server's ``base_updated_at``."""

    op: Op
    body: dict[str, Any] | None
    base_updated_at: int | None
    note: str


class Strategy(Protocol):
    def on_conflict(self, item: QueueItem, server: dict[str, Any] | None) -> Rebase | None: ...


class MarkForUser:
    """Leave every conflict to the user."""

    def on_conflict(self, item: QueueItem, server: dict[str, Any] | None) -> Rebase | None:
        return None


class FieldMerge:
    """Resolve an update's conflict alone when local and server changed different fields."""

    def on_conflict(self, item: QueueItem, server: dict[str, Any] | None) -> Rebase | None:
        base, body = base_of(item), body_of(item)
        if item.op != "update" or base is None or body is None or server is None or server.get("deleted"):
            return None
        merged = merge3(base, apply_patch(base, body), server)
        if not merged.clean:
            return None
        return Rebase("update", patch_between(server, merged.fields), server.get("updated_at"), "merged field by field")


def keep_local(item: QueueItem, server: dict[str, Any] | None) -> Rebase:
    """The user's ``keepLocal``: the local version again, against the server's current one.

    A create that met an existing row becomes an update of it; an edit of a row the server
    deleted becomes a create of the whole local row.
    """
    server_at = None if server is None else server.get("updated_at")
    if item.qtype != "crm" or item.op == "delete":
        return Rebase(item.op or "create", body_of(item), server_at, "kept local")
    if server is None or server.get("deleted"):
        return Rebase("create", _own_fields(_local_row(item)), None, "kept local (re-created)")
    if item.op == "create":
        return Rebase("update", _own_fields(_local_row(item)), server_at, "kept local")
    return Rebase("update", body_of(item), server_at, "kept local")


def _local_row(item: QueueItem) -> dict[str, Any]:
    """The row as the user sees it locally: the base with the item's patch applied."""
    base, body = base_of(item), body_of(item) or {}
    return body if item.op == "create" or base is None else apply_patch(base, body)


def _own_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in SERVER_FIELDS}


def _default(crdt_tenants: frozenset[str]) -> Callable[[str], Strategy]:
    def pick(org_id: str) -> Strategy:
        return FieldMerge() if org_id in crdt_tenants else MarkForUser()

    return pick


_strategy: Callable[[str], Strategy] = _default(frozenset())


def set_strategy(pick: Callable[[str], Strategy]) -> None:
    """Choose the strategy per org id for every later conflict."""
    global _strategy
    _strategy = pick


def use_default(crdt_tenants: frozenset[str]) -> None:
    """Field merge for ``crdt_tenants``, the user decides elsewhere (the actor calls it at start)."""
    set_strategy(_default(crdt_tenants))


def strategy_for(org_id: str) -> Strategy:
    return _strategy(org_id)
