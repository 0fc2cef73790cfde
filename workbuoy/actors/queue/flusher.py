"""The flusher: lease ready items, send them, finish each with its outcome.

Sends are pipelined: up to ``concurrency`` requests are in flight over one keep-alive
client, and a freed slot is refilled at once (no batch barrier). The store's lease rule
keeps writes to one record in order and workflow steps one after another, so everything
it hands out at the same time is independent.

Every finish is fenced on the lease's claim and runs in one transaction with its cache
update: a flusher that lost its lease (the actor was killed and restarted) changes
nothing, and the resend it left behind is harmless because the ``Idempotency-Key`` is
the op_id.

A failure that retrying can cure never ends a write: it stays ``pending`` with capped,
fully jittered back-off. Whether the server is there at all is the breaker's call
(``breaker.py``): while it is open nothing is leased, and the flush resumes the moment a
probe gets a healthy answer.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
import msgspec

from workbuoy import api, metrics
from workbuoy import logs as wblog
from workbuoy.backoff import full_jitter
from workbuoy.actors.queue import conflict, writes
from workbuoy.actors.queue.breaker import Breaker, reason_of
from workbuoy.actors.queue.outgoing import ASSISTANT, Request, origin_of, request_for
from workbuoy.schemas.outbox import ServerState
from workbuoy.store import Lease, QueueItem, Store
from workbuoy.store.db import now_ms

log = logging.getLogger(__name__)

#: Starts the ``last_error`` of a write the server refused (a recorded 4xx answer, not an outage).
REJECTED = "rejected: "

#: ``ApiClient.request`` of one outgoing request: a 2xx response, or an ``api.ApiError``.
Send = Callable[[Request], Awaitable[httpx.Response]]


@dataclass(frozen=True, slots=True)
class Settle:
    """What one send's outcome changes: ``show`` in the cache file, then ``record`` in the outbox.

    WAL commits the two files of a transaction one after the other (the outbox first), so
    a crash in between could finish a write while its record in the cache stays a version
    behind, conflict mark included, with nothing left to put it right. So the cache's part
    is committed first, on its own: a crash after it leaves the write in flight, to be sent
    again and answered from the server's replay, which shows the same row again.
    """

    record: Callable[[], None]
    show: Callable[[], None] | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    concurrency: int = 8
    #: Longer than a send can take in ApiClient (2 attempts of up to 30 s each, plus back-off).
    lease_ms: int = 120_000
    backoff_base_s: float = 0.5
    #: Longest back-off of one item (full jitter below it); the ``queueRetryCapSec`` setting.
    backoff_cap_s: float = 300.0
    #: Longest sleep between two looks at the queue, whatever ``next_due_at`` says.
    idle_s: float = 30.0
    #: Server errors (5xx, unreadable answers) in a row that open the breaker.
    breaker_threshold: int = 3
    #: Probe interval bounds while the breaker is open (doubling, jittered).
    probe_min_s: float = 0.25
    probe_max_s: float = 5.0


class Flusher:
    def __init__(
        self,
        store: Store,
        send: Send,
        reachable: Callable[[], Awaitable[bool]],
        on_change: Callable[[], None],
        policy: Policy = Policy(),
        on_state: Callable[[ServerState], None] = lambda state: None,
        on_failed: Callable[[QueueItem, str, bool], None] = lambda item, error, conflicted: None,
    ) -> None:
        self.store, self.policy = store, policy
        self._send, self._reachable, self._on_change, self._on_failed = send, reachable, on_change, on_failed
        self._wake = asyncio.Event()
        self._probe_now = asyncio.Event()
        self.breaker = Breaker(policy.breaker_threshold, on_state)

    @property
    def online(self) -> bool:
        return self.breaker.closed

    def wake(self) -> None:
        """Flush now (a write was queued, the user retried); while the breaker is open, the
        next probe keeps its back-off: a user typing fast must not hammer a dead server."""
        self._wake.set()

    def reconnect(self) -> None:
        """Flush now, and if the breaker is open probe at once: the session (or network) is back."""
        self._probe_now.set()
        self._wake.set()

    async def run(self) -> None:
        """Flush whenever woken, when the next retry falls due, and once the server is back.

        There is one flusher per data folder (the queue actor), so leases still held when
        it starts belong to a run that died: they are released now, not after ``lease_ms``.
        Should that run still be sending, the claim fences its finish and the op_id its resend.
        """
        self.store.release_expired(now_ms() + self.policy.lease_ms + 1)
        while True:
            self._wake.clear()
            try:
                if not self.online:
                    await self._wait_until_reachable()
                await self.flush()
            except Exception:  # a store or network surprise must not end flushing for good
                log.exception("queue: a flush round failed; trying again when due")
                await self._sleep_until_due()
                continue
            if self.breaker.closed:  # open: probe at once, whatever is due
                await self._sleep_until_due()

    async def flush(self) -> None:
        """Send every ready item, ``concurrency`` at a time, until none is ready or the server is gone.

        Outcomes are recorded in groups: all sends that ended together are finished in one
        transaction (one commit instead of one per item), and new leases are taken once a
        quarter of the slots is free, so the store costs little beside the HTTP work.
        """
        running: set[asyncio.Task[Settle]] = set()
        refill = max(1, self.policy.concurrency // 4)
        try:
            while self.breaker.closed:
                room = self.policy.concurrency - len(running)
                leases = self.store.lease(room, self.policy.lease_ms) if room >= refill or not running else []
                running.update(asyncio.ensure_future(self._push(lease)) for lease in leases)
                if not running:
                    break
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                self._settle(done)
            if running:
                self._settle((await asyncio.wait(running))[0])
        finally:  # stopped: abandon the sends; their leases expire and the items go out again
            for task in running:
                task.cancel()

    def _settle(self, done: set[asyncio.Task[Settle]]) -> None:
        """Record the outcomes of sends that ended together: the cache's part of all of them in
        one transaction, then the outbox's in another (``Settle`` says why in that order)."""
        outcomes: list[Settle] = []
        for task in done:
            try:
                outcomes.append(task.result())
            except Exception:  # a bug in one send must not lose the others' outcomes
                log.exception("queue: a send ended in an error; the write goes out again when its lease ends")
        self._each([o.show for o in outcomes if o.show is not None])
        self._each([o.record for o in outcomes])
        self._on_change()

    def _each(self, steps: list[Callable[[], None]]) -> None:
        if not steps:
            return
        with self.store.transaction():
            for step in steps:
                try:
                    step()
                except Exception:  # a bug in one outcome must not lose the others'
                    log.exception("queue: recording an outcome failed")

    async def _sleep_until_due(self) -> None:
        due = self.store.next_due_at()
        delay = self.policy.idle_s if due is None else min(self.policy.idle_s, max(0.0, (due - now_ms()) / 1000))
        try:
            await asyncio.wait_for(self._wake.wait(), delay)
        except asyncio.TimeoutError:
            pass

    async def _wait_until_reachable(self) -> None:
        """Probe with back-off until the server answers; the breaker closes on that answer."""
        delay = self.policy.probe_min_s
        while not await self._reachable():
            wait = random.uniform(delay / 2, delay)
            self.breaker.probing(now_ms() + int(wait * 1000))
            try:
                await asyncio.wait_for(self._probe_now.wait(), wait)
            except asyncio.TimeoutError:
                pass
            self._probe_now.clear()
            delay = min(delay * 2, self.policy.probe_max_s)
        log.info("queue: the server is reachable again")
        self.breaker.close()

    # -- one item ------------------------------------------------------------------

    async def _push(self, lease: Lease) -> Settle:
        """Send one item; what to record is returned, to be finished with others in one commit."""
        with wblog.for_org(lease.item.org_id):  # this send's own task: its records carry the org
            return await self._push_for_org(lease)

    async def _push_for_org(self, lease: Lease) -> Settle:
        item = lease.item
        try:
            req = request_for(item, self._if_match(item))
        except ValueError as exc:  # an id that cannot be a path segment: sending it would hit another URL
            return Settle(partial(self._fail, lease, REJECTED + str(exc), "rejected"))
        try:
            resp = await self._send(req)
        except api.Refused as exc:
            self.breaker.answered()
            if exc.status in (409, 412):
                return Settle(partial(self._conflict, lease, exc.status, exc.server, exc.message))
            return Settle(partial(self._fail, lease, REJECTED + exc.message, "rejected"))
        except api.ApiError as exc:  # unavailable, unreachable, rate limited, signed out, unreadable
            return self._transient(lease, exc)
        row = _json(resp)
        if isinstance(row, dict) and isinstance(row.get("id"), str) and (
            row.get("deleted") is True or type(row.get("updated_at")) is int
        ):
            self.breaker.answered()
            return Settle(partial(self._synced, lease, row), show=partial(writes.show_taken, self.store, lease.item, row))
        # A 2xx we cannot read: the write may not have happened; the key makes a resend safe.
        metrics.protocol_errors.labels("queue").inc()
        return self._transient(lease, api.ProtocolError(f"unreadable {resp.status_code} answer", resp.status_code))

    def _transient(self, lease: Lease, exc: api.ApiError) -> Settle:
        """A failure retrying can cure: the item stays ``pending``, however long it lasts.

        A send that ends after the breaker opened was under way during an outage already
        detected: it goes back uncharged and due at once, to go out when the breaker closes.
        """
        error = reason_of(exc)
        if not self.breaker.closed:
            return Settle(partial(self._put_back, lease, error))
        if self.breaker.failed(exc):
            log.warning("queue: the server looks down (%s); sending stops until a probe gets an answer",
                        self.breaker.state.reason)
        return Settle(partial(self._retry, lease, error))

    def _if_match(self, item: QueueItem) -> int | None:
        """The server version this write builds on: the outbox's ``base_updated_at``, which each
        synced write of the record moves on (``rebase_open``), so queued edits of one record do
        not trip over each other. Not the cached row's: the cache is another file, and a crash
        between the two files' commits (WAL commits them one after the other) can leave it a
        version behind the outbox. The cached row serves only a write queued without a base."""
        if item.qtype != "crm" or item.op == "create" or item.entity is None or item.entity_id is None:
            return None
        if item.base_updated_at:
            return item.base_updated_at
        cached = self.store.get_row(item.entity, item.entity_id)
        return (cached.updated_at if cached is not None else None) or None

    def _synced(self, lease: Lease, row: dict[str, Any]) -> None:
        with self.store.transaction():
            note = lease.item.last_error if (lease.item.last_error or "").startswith(writes.RESOLVED) else None
            accepted = self.store.finish(lease.item.id, lease.claim, status="synced", last_error=note)
            if accepted:
                writes.rebase_taken(self.store, lease.item, row)
        metrics.queue_flush.labels("synced").inc()
        if accepted:
            _count_accepted(lease.item)

    def _conflict(self, lease: Lease, status: int, server: dict[str, Any] | None, error: str) -> None:
        item = lease.item
        rebase = conflict.strategy_for(item.org_id).on_conflict(item, server)
        with self.store.transaction():
            if not self.store.finish(item.id, lease.claim, status="failed", conflicted=True,
                                     server_payload=server, last_error=f"{status}: {error}"):
                return
            if rebase is not None:
                writes.rebase(self.store, item, rebase, server, rebase.note)
        if rebase is not None:
            metrics.queue_flush.labels("merged").inc()
            self.wake()
        else:
            metrics.queue_flush.labels("conflict").inc()
            metrics.offline_conflicts.labels(item.entity if item.qtype == "crm" else item.qtype).inc()
            self._on_failed(item, f"{status}: {error}", True)

    def _retry(self, lease: Lease, error: str) -> None:
        """Charge an attempt and wait ``uniform(0, min(cap, base * 2**(attempt-1)))``: never ``failed``."""
        delay = full_jitter(lease.item.attempt + 1, self.policy.backoff_base_s, self.policy.backoff_cap_s)
        self.store.finish(lease.item.id, lease.claim, status="pending", last_error=error,
                          next_attempt_at=now_ms() + int(delay * 1000))
        metrics.queue_flush.labels("retry").inc()

    def _put_back(self, lease: Lease, error: str) -> None:
        self.store.finish(lease.item.id, lease.claim, status="pending", last_error=error, charge=False)
        metrics.queue_flush.labels("held").inc()

    def _fail(self, lease: Lease, error: str, outcome: str) -> None:
        """``failed`` waits for ``wb:queue:retry``; it holds back later writes to the same record."""
        if self.store.finish(lease.item.id, lease.claim, status="failed", last_error=error):
            self._on_failed(lease.item, error, False)
        metrics.queue_flush.labels(outcome).inc()


def _count_accepted(item: QueueItem) -> None:
    """The product counters count what the server took, not what was queued (a write may never go out)."""
    if item.qtype == "email":
        metrics.email_drafts.inc()
    elif item.qtype == "calendar":
        metrics.calendar_events.inc()
    elif origin_of(item) == ASSISTANT:
        metrics.assistant_sessions.inc()


def _json(resp: httpx.Response) -> Any:
    try:
        return msgspec.json.decode(resp.content)
    except msgspec.DecodeError:
        return None
