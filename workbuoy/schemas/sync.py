"""Pull sync control, progress and CRM change events."""

from __future__ import annotations

from typing import Literal

from workbuoy.schemas.base import Entity, Msg


class SyncStart(Msg):
    entity: Entity | None = None  # None: every entity


class SyncStarted(Msg):
    run_id: int
    already_running: bool = False


class SyncProgress(Msg):
    """Event ``wb:sync:progress``: after committed pages (at most every 0.2 s per stream), at each
    stream's end, and once with ``finished`` when the run ends. Counts are cumulative per stream."""

    run_id: int
    entity: str
    org_id: str
    pages: int
    rows: int
    state: Literal["running", "done", "failed", "not_modified"]
    error: str = ""
    finished: bool = False  # the whole run ended


class SyncEntityState(Msg):
    entity: str
    org_id: str
    last_sync_at: int | None
    last_error: str | None
    rows: int


class SyncStatus(Msg):
    running: bool
    run_id: int
    entities: list[SyncEntityState]


class CrmChange(Msg):
    """Event ``wb:crm:changed``: new or updated deals, tickets and meetings."""

    entity: Literal["deals", "tickets", "meetings"]
    org_id: str
    ids: list[str]
    created: int
    updated: int
    summary: bool = False  # a first sync reports one summary, not each row
