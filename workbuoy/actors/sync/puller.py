"""The page loop of one (entity, org) stream, from its checkpoint to the end.

Each page's rows and the cursor that follows them are committed in one transaction
(``Store.apply_page``), so a crash at any instant resumes from the last committed page:
no gap (the cursor never runs ahead of the rows) and no duplicate (ids are keys).

The stored ``ETag``/``Last-Modified`` must belong to the request the *next* sync will
make, i.e. the one with the stored cursor. A page with items is followed by one more
request with its ``next_cursor``; that page is empty (nothing newer yet) and its validators
are the ones stored. An incremental sync with no change then costs exactly one
conditional request per stream, answered 304 with no body.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from workbuoy import metrics
from workbuoy.actors.sync.pages import parse_page
from workbuoy.api import ApiClient
from workbuoy.api_urls import path
from workbuoy.store import PageResult, Store

MAX_IDS = 100  # ids kept per stream for change events; the counts stay exact


@dataclass
class PullResult:
    entity: str
    org_id: str
    first: bool  # no checkpoint before: the first sync of this stream
    pages: int = 0
    rows: int = 0
    created: int = 0
    updated: int = 0
    conflicts: int = 0
    not_modified: bool = False
    changed_ids: list[str] = field(default_factory=list)


PageHook = Callable[[PullResult], Awaitable[None]]


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _count_wait(entity: str) -> Callable[[Literal["rate_limited", "transient"], float], None]:
    def on_wait(reason: Literal["rate_limited", "transient"], seconds: float) -> None:
        if reason == "rate_limited":
            metrics.sync_rate_limited.labels(entity=entity).inc()

    return on_wait


async def pull(api: ApiClient, store: Store, entity: str, org_id: str, page_size: int, on_page: PageHook) -> PullResult:
    """Pull ``entity`` of ``org_id`` until the stream is exhausted; API errors propagate."""
    state = store.get_sync_state(entity, org_id)
    cursor = state.cursor if state else None
    validators = (state.etag, state.last_modified) if state else (None, None)
    result = PullResult(entity, org_id, first=cursor is None)
    started = time.monotonic()
    while True:
        params: dict[str, str | int] = {"org_id": org_id, "limit": page_size}
        if cursor:
            params["cursor"] = cursor
        resp = await api.request("GET", path(entity), endpoint=entity, params=params,
                                 headers=_conditional(*validators), on_wait=_count_wait(entity))
        if resp.status_code == 304:
            metrics.sync_not_modified.labels(entity=entity).inc()
            result.not_modified = result.pages == 0
            # An empty page with the same checkpoint: records the sync time, clears last_error.
            store.apply_page(entity, org_id, [], cursor=cursor, etag=validators[0], last_modified=validators[1])
            break
        page = parse_page(resp.content, entity, org_id)
        # Validators are kept only for an empty page: that is the request the next sync repeats.
        kept = (resp.headers.get("etag"), resp.headers.get("last-modified")) if not page.items else (None, None)
        applied = store.apply_page(entity, org_id, page.items, cursor=page.next_cursor, etag=kept[0],
                                   last_modified=kept[1])
        _count_page(result, entity, len(page.items), applied)
        await on_page(result)
        if not page.items:
            break
        cursor, validators = page.next_cursor, (None, None)
    metrics.sync_duration.labels(entity=entity).observe(time.monotonic() - started)
    return result


def _count_page(result: PullResult, entity: str, rows: int, applied: PageResult) -> None:
    result.pages += 1
    result.rows += rows
    result.created += applied.inserted
    result.updated += applied.updated
    result.conflicts += applied.conflicts
    room = MAX_IDS - len(result.changed_ids)
    if room > 0:
        result.changed_ids.extend(id_ for id_, _ in applied.changed[:room])
    metrics.sync_pages.labels(entity=entity).inc()
    metrics.sync_rows.labels(entity=entity).inc(rows)
    if applied.conflicts:
        metrics.offline_conflicts.labels(entity=entity).inc(applied.conflicts)
