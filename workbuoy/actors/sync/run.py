"""One sync run: every (entity, org) stream, ``sync_concurrency`` at a time.

A stream that fails is recorded (``last_error``) and counted, and the others go on: one
entity answering garbage must not stop the user's messages from arriving. Nothing here
raises out of ``execute``; the actor only learns that the run ended.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from workbuoy import logs as wblog
from workbuoy import metrics
from workbuoy.actors.sync.puller import PullResult, pull
from workbuoy.api import ApiClient, ApiError, Refused, ProtocolError, RateLimited, Unauthenticated
from workbuoy.schemas.sync import CrmChange, SyncProgress
from workbuoy.bus.errors import BusError
from workbuoy.store import Store

CRM_ENTITIES = frozenset({"deals", "tickets", "meetings"})
PROGRESS_EVERY_S = 0.2  # per stream: a live line needs no more, the broker has better things to do
log = wblog.create("sync.run")
Publish = Callable[[str, object], Awaitable[None]]
#: The actor's ``store_fault``: announces a disk failure, returns its error (``None``: not one).
StoreFaultHook = Callable[[str, BaseException], BusError | None]


def _reason(exc: Exception) -> str:
    """The ``reason`` label of ``sync_errors``: a few fixed values, never free text."""
    for kind, reason in ((ProtocolError, "protocol"), (Unauthenticated, "unauthenticated"),
                         (RateLimited, "rate_limited"), (Refused, "http"), (ApiError, "unavailable")):
        if isinstance(exc, kind):
            return reason
    return "internal"


@dataclass
class SyncRun:
    run_id: int
    streams: Sequence[tuple[str, str]]  # (entity, org_id)
    api: ApiClient
    store: Store
    page_size: int
    concurrency: int
    publish: Publish
    store_fault: StoreFaultHook
    #: Awaited once the last stream of an entity has ended (the actor builds its search index
    #: then, while the other entities still download); the run ends after it returns.
    settled: Callable[[str], Awaitable[None]] | None = None
    _reported: dict[tuple[str, str], float] = field(default_factory=dict)  # last progress event per stream

    async def execute(self) -> None:
        gate = asyncio.Semaphore(self.concurrency)
        open_streams = Counter(entity for entity, _ in self.streams)

        async def one(entity: str, org_id: str) -> None:
            with wblog.for_org(org_id):  # this stream's task: its records carry the org
                async with gate:
                    await self._stream(entity, org_id)
            open_streams[entity] -= 1
            if not open_streams[entity] and self.settled is not None:
                await self.settled(entity)

        await asyncio.gather(*(one(e, o) for e, o in self.streams))
        await self.publish("wb:sync:progress", SyncProgress(run_id=self.run_id, entity="", org_id="", pages=0,
                                                            rows=0, state="done", finished=True))

    async def _stream(self, entity: str, org_id: str) -> None:
        try:
            result = await pull(self.api, self.store, entity, org_id, self.page_size, self._progress)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._failed(entity, org_id, exc)
            return
        state = "not_modified" if result.not_modified else "done"
        await self._report(result, state)
        await self._announce(result)

    async def _failed(self, entity: str, org_id: str, exc: Exception) -> None:
        reason, detail = _reason(exc), str(exc)
        if (fault := self.store_fault(f"sync {entity}/{org_id}", exc)) is not None:
            reason, detail = "storage", fault.message
        elif reason == "internal":
            log.exception("sync of %s/%s failed", entity, org_id)
        else:
            log.warning("sync of %s/%s failed: %s", entity, org_id, exc)
        metrics.sync_errors.labels(entity=entity, reason=reason).inc()
        message = f"{reason}: {detail}"[:500]
        try:
            self.store.set_sync_error(entity, org_id, message)
        except Exception as record_exc:  # the disk that failed the page may refuse the note too
            if self.store_fault(f"sync {entity}/{org_id}", record_exc) is None:
                raise
        await self.publish("wb:sync:progress", SyncProgress(run_id=self.run_id, entity=entity, org_id=org_id,
                                                            pages=0, rows=0, state="failed", error=message))

    async def _progress(self, result: PullResult) -> None:
        now, key = time.monotonic(), (result.entity, result.org_id)
        if now - self._reported.get(key, 0.0) >= PROGRESS_EVERY_S:
            self._reported[key] = now
            await self._report(result, "running")

    async def _report(self, result: PullResult, state: str) -> None:
        await self.publish("wb:sync:progress", SyncProgress(run_id=self.run_id, entity=result.entity,
                                                            org_id=result.org_id, pages=result.pages,
                                                            rows=result.rows, state=state))

    async def _announce(self, result: PullResult) -> None:
        """One ``wb:crm:changed`` per stream; a first sync is a summary, not thousands of ids."""
        if result.entity not in CRM_ENTITIES or not (result.created or result.updated):
            return
        await self.publish("wb:crm:changed", CrmChange(
            entity=result.entity, org_id=result.org_id, ids=[] if result.first else result.changed_ids,
            created=result.created, updated=result.updated, summary=result.first,
        ))
