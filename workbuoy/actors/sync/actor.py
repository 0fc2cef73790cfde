"""The sync actor: pulls the CRM into the local cache and answers offline reads from it.

Scheduling: the first run ``WB_SYNC_INITIAL_DELAY_SEC`` after start (or after signing
in), then every ``sync_interval_sec``; a settings change reschedules at once. One run
at a time: ``wb:sync:start`` during a run reports the running one. The page loop is in
``puller.py``, the run (streams in parallel, errors, events) in ``run.py``.
"""

from __future__ import annotations

import asyncio
import functools
import time

import msgspec

from workbuoy.actors.base import Actor, handles, on_event
from workbuoy.actors.sync.run import SyncRun
from workbuoy.api import ApiClient, ApiError, bus_error, decode
from workbuoy.bus.errors import BusError
from workbuoy.platform import current
from workbuoy.schemas.auth import AuthState
from workbuoy.schemas.base import ENTITIES, Empty
from workbuoy.schemas.offline import GetList, GetMessages, GetRow, ListReply, MessagesReply, RowReply
from workbuoy.schemas.settings import Settings
from workbuoy.schemas.sync import SyncEntityState, SyncStart, SyncStarted, SyncStatus
from workbuoy.store import Store, build_indexes
from workbuoy.store.indexbuild import build_in_process
from workbuoy.store.listing import ListError, ListRequest


class SyncActor(Actor):
    name = "sync"
    async def start(self) -> None:
        self._timer: asyncio.Task | None = None
        self._running: asyncio.Task | None = None
        self.store = Store.open(self.env.db_path)
        self.api = ApiClient.for_actor(self)
        self.run_id = int(self.store.get_meta("sync_run_id") or 0)
        self._first_run_after_delay()

    async def stop(self) -> None:
        # A running sync was cancelled with the timers; a page commit still in its thread
        # finishes first (close waits for the store lock), so the checkpoint stays whole.
        await self.api.aclose()
        self.store.close()

    # -- schedule ---------------------------------------------------------------------

    def _first_run_after_delay(self) -> None:
        """Schedule as if the last run started so long ago that the next is due after the initial delay."""
        self._last_start = time.monotonic() - self.settings.sync_interval_sec + self.env.sync_initial_delay_sec
        self._reschedule()

    def _reschedule(self) -> None:
        """Next run ``sync_interval_sec`` after the last one started (now, if that is past)."""
        if self._timer is not None:
            self._timer.cancel()
        due = self._last_start + self.settings.sync_interval_sec - time.monotonic()
        self._timer = self.after(max(0.0, due), self._scheduled)

    async def _scheduled(self) -> None:
        self._timer = None
        try:
            if await self._signed_in():
                self._begin(None)
        finally:
            self._last_start = time.monotonic()
            self._reschedule()

    async def on_settings(self, settings: Settings) -> None:
        if self._timer is not None:
            self._reschedule()

    @on_event("wb:auth:state")
    async def auth_changed(self, state: AuthState) -> None:
        self.api.forget_credentials()
        if state.state == "signed_in":  # first sync after sign-in, as after start
            self._first_run_after_delay()

    async def _signed_in(self) -> bool:
        try:
            return (await self.call("wb:auth:status")).state == "signed_in"
        except BusError:
            return False

    # -- runs -------------------------------------------------------------------------

    def _streams(self, entity: str | None) -> list[tuple[str, str]]:
        me = self.store.me()
        orgs = [o.id for o in me.orgs] if me else []
        return [(e, o) for e in ((entity,) if entity else ENTITIES) for o in orgs]

    def _begin(self, entity: str | None) -> SyncStarted:
        if self._running is not None and not self._running.done():
            return SyncStarted(run_id=self.run_id, already_running=True)
        self.run_id += 1
        self.store.set_meta("sync_run_id", str(self.run_id))
        run = SyncRun(self.run_id, self._streams(entity), self.api, self.store, self.settings.sync_page_size,
                      self.env.sync_concurrency, self.publish, self.store_fault)
        self._running = self._keep(asyncio.ensure_future(self._guarded(functools.partial(self._run, run))))
        return SyncStarted(run_id=self.run_id)

    async def _run(self, run: SyncRun) -> None:
        """The run, with the indexes of tables it fills from empty suspended and built in bulk.

        An entity's search index is built as soon as its last stream ends, while the others
        still download; the run ends when every entity is pulled and searchable. The sort
        indexes other than the default one follow after the run (``_build_later``). A search
        index is built in a process of its own (``store/indexbuild.py``: no GIL shared with this
        loop), beside the cache, and holds the cache's write lock only to move in
        (``store/searchbuild.py``), so the download goes on meanwhile. One at a time: each
        build holds its rows' texts and FTS5's 16 MiB of pending terms (two at a time, in
        threads then, took the actor's peak memory from 79 to 122 MiB at a million rows).
        """
        started = time.monotonic()
        suspended = self.store.suspend_indexes(sorted({entity for entity, _ in run.streams}))
        one_at_a_time = asyncio.Lock()

        async def searchable(entity: str) -> None:
            if entity not in suspended:
                return
            try:
                async with one_at_a_time:
                    await asyncio.to_thread(build_in_process, self.env.db_path, (entity,), search_only=True)
            except Exception as exc:  # the rows are in; the build after the run tries again
                if self.store_fault("index build", exc) is None:
                    self.log.exception("search index of %s not built", entity)

        run.settled = searchable
        await run.execute()  # never raises but when cancelled (the actor stops): the next run builds then
        if suspended:
            self.log.info("%s pulled and searchable in %.1fs", ", ".join(suspended), time.monotonic() - started)
        self._keep(asyncio.ensure_future(self._guarded(functools.partial(self._build_later, suspended))))

    async def _build_later(self, suspended: list[str]) -> None:
        """Every index still missing (the other sorts of a first sync); a sort without its
        index meanwhile reads its table in order, in the read pool."""
        started = time.monotonic()
        await asyncio.to_thread(build_indexes, self.env.db_path)
        if suspended:
            self.log.info("sort indexes of %s built in %.1fs", ", ".join(suspended), time.monotonic() - started)
        await asyncio.to_thread(current.release_free_memory)  # what the run's pages and builds freed

    @handles("wb:sync:start")
    async def sync_start(self, request: SyncStart, caller: str) -> SyncStarted:
        if not await self._signed_in():
            raise BusError("unauthenticated", "not signed in: run `workbuoy login` first")
        return self._begin(request.entity)

    @handles("wb:sync:status")
    async def sync_status(self, request: Empty, caller: str) -> SyncStatus:
        def entities(store: Store) -> list[SyncEntityState]:  # counts scan: off the event loop
            return [
                SyncEntityState(entity=s.entity, org_id=s.org_id, last_sync_at=s.last_sync_at, last_error=s.last_error,
                                rows=store.count_rows(s.entity, s.org_id))
                for s in store.list_sync_state()
            ]

        entities = await self.read(entities)
        running = self._running is not None and not self._running.done()
        return SyncStatus(running=running, run_id=self.run_id, entities=entities)

    # -- offline reads (a search or a page can scan: in the read pool, never on the loop) ------

    @handles("wb:offline:getMessages")
    async def get_messages(self, request: GetMessages, caller: str) -> MessagesReply:
        rows, _ = await self.read(lambda store: store.list_rows("messages", org_id=request.org_id, limit=request.limit))
        return MessagesReply(items=[r.payload for r in rows])

    @handles("wb:offline:getList")
    async def get_list(self, request: GetList, caller: str) -> ListReply:
        asked = ListRequest(
            request.table, request.org_id, request.limit, request.cursor, request.query, request.sort,
            request.descending, request.conflicted, request.upcoming, request.with_total,
        )
        try:
            found = await self.read(lambda store: store.list_page(asked))
        except ListError as exc:
            raise BusError("invalid_payload", str(exc)) from None
        return ListReply(items=[r.payload for r in found.rows], next_cursor=found.next_cursor, total=found.total,
                         marks=found.marks)

    @handles("wb:offline:getRow")
    async def get_row(self, request: GetRow, caller: str) -> RowReply:
        found = await self.read(lambda store: store.get_row(request.table, request.id))
        return RowReply() if found is None else RowReply(row=found.payload, org_id=found.org_id)


ACTOR = SyncActor
