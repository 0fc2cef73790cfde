"""Semantic refusals: requests the schema lets through but the queue must not take.

The broker already refuses (and counts) payloads that break a schema or a whitelist;
these are the rules that need the store (the user's orgs, the cache). Each refusal is a
bus error (``invalid_payload``, ``forbidden`` for another user's org, ``failed`` for a
state that does not allow it) with a message saying why, and a count in
``invalid_ipc{channel, reason="refused"}``. It happens before anything is written, so a
refused request leaves the queue untouched.
"""

from __future__ import annotations

import time

from workbuoy import metrics
from workbuoy.actors.queue.merge import SERVER_FIELDS
from workbuoy.actors.queue.writes import Write
from workbuoy.bus.errors import BusError
from workbuoy.schemas.envelope import ErrorCode
from workbuoy.store import OrgError, SignedOut, Store

def refused(channel: str, message: str, code: ErrorCode = "invalid_payload") -> BusError:
    metrics.invalid_ipc.labels(channel, "refused").inc()
    return BusError(code, message)


def changed_meanwhile(channel: str, what: str) -> BusError:
    """Another call settled the item between our read and our write: the caller lists again."""
    return refused(channel, f"{what} changed meanwhile; list the queue again", "failed")


def stamp(caller: str, what: str = "") -> str:
    """The note kept on an item a person settled: (what,) by whom, when (UTC)."""
    return f"{what} by {caller} at {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}".lstrip()


def org_for(store: Store, channel: str, requested: str | None) -> str:
    """The org a write goes to (``Store.resolve_org``); a refusal says why there is none."""
    try:
        return store.resolve_org(requested)
    except SignedOut as exc:
        raise BusError(exc.code, str(exc)) from None
    except OrgError as exc:
        raise refused(channel, str(exc), exc.code) from None


def crm_write(store: Store, channel: str, w: Write) -> None:
    """A CRM write may not set server-owned fields nor create a record that exists."""
    owned = sorted(SERVER_FIELDS & (w.body or {}).keys())
    if owned:
        raise refused(channel, f"payload may not set {', '.join(owned)} (the record id is entityId)")
    if w.op == "create" and w.entity_id is not None and w.entity is not None and store.get_row(w.entity, w.entity_id):
        raise refused(channel, f"{w.entity}/{w.entity_id} already exists; update it instead")
