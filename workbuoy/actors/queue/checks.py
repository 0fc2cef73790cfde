"""Semantic refusals: requests the schema lets through but the queue must not take.

The broker already refuses (and counts) payloads that break a schema or a whitelist;
these are the rules that need the store (the user's orgs, the cache). Each refusal is a
bus error (``invalid_payload``, ``forbidden`` for another user's org, ``failed`` for a
state that does not allow it) with a message saying why, and a count in
``invalid_ipc{channel, reason="refused"}``. It happens before anything is written, so a
refused request leaves the queue untouched.
"""

from __future__ import annotations

import msgspec

from workbuoy import metrics
from workbuoy.actors.queue.merge import SERVER_FIELDS
from workbuoy.actors.queue.writes import Write
from workbuoy.bus.errors import BusError
from workbuoy.schemas.auth import Me
from workbuoy.schemas.envelope import ErrorCode
from workbuoy.store import Store

ACTIVE_ORG = "active_org"


def refused(channel: str, message: str, code: ErrorCode = "invalid_payload") -> BusError:
    metrics.invalid_ipc.labels(channel, "refused").inc()
    return BusError(code, message)


def me(store: Store) -> Me | None:
    """The signed-in user's ``/me`` as the auth actor cached it (``None`` when signed out)."""
    raw = store.get_meta("me")
    return msgspec.json.decode(raw, type=Me | None) if raw else None


def org_for(store: Store, channel: str, requested: str | None) -> str:
    """The org a write goes to: the one asked for (if the user has it), else the active org,
    else the first org of ``/me``."""
    profile = me(store)
    if profile is None:
        raise BusError("unavailable", "no signed-in user: sign in first (wb:auth:login)")
    known = [o.id for o in profile.orgs]
    org = requested or store.get_meta(ACTIVE_ORG)
    if org is None or (requested is None and org not in known):
        org = known[0] if known else None
    if org is None:
        raise refused(channel, "the signed-in user has no org")
    if org not in known:
        raise refused(channel, f"org {org!r} is not one of the user's orgs", "forbidden")
    return org


def crm_write(store: Store, channel: str, w: Write) -> None:
    """A CRM write may not set server-owned fields nor create a record that exists."""
    owned = sorted(SERVER_FIELDS & (w.body or {}).keys())
    if owned:
        raise refused(channel, f"payload may not set {', '.join(owned)} (the record id is entityId)")
    if w.op == "create" and w.entity_id is not None and w.entity is not None and store.get_row(w.entity, w.entity_id):
        raise refused(channel, f"{w.entity}/{w.entity_id} already exists; update it instead")
