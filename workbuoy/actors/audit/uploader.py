"""The single audit uploader: batches due events to ``POST <api>/audit/events``.

Only one flush runs at a time (an asyncio lock), so two triggers never send the same
events twice. A batch that fails stays queued with exponential backoff and full
jitter; nothing is dropped. Events a crashed uploader left as ``sending`` go back to
``pending`` at start.
"""

from __future__ import annotations

import asyncio
import logging
import time

from workbuoy import metrics
from workbuoy.backoff import full_jitter
from workbuoy.api import ApiClient, ApiError
from workbuoy.store import Store

BATCH = 100
BACKOFF_BASE_MS = 1_000
BACKOFF_CAP_MS = 15 * 60_000


class Uploader:
    def __init__(self, store: Store, api: ApiClient, log: logging.Logger) -> None:
        self.store = store
        self.api = api
        self.log = log
        self._lock = asyncio.Lock()
        self._kicked = asyncio.Event()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        recovered = self.store.audit_reset_sending()
        if recovered:
            self.log.info("audit: %d events from a stopped uploader queued again", recovered)
        self._task = asyncio.ensure_future(self._run())
        self.kick()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self.store.audit_reset_sending()

    def kick(self) -> None:
        self._kicked.set()

    async def _run(self) -> None:
        while True:
            await self._kicked.wait()
            self._kicked.clear()
            try:
                await self.flush_now()
            except Exception:
                self.log.exception("audit: flush failed")

    async def flush_now(self) -> int:
        """Send every due event; return how many the server took."""
        sent = 0
        async with self._lock:
            while batch := self.store.audit_take(BATCH):
                ids = [item.id for item in batch]
                events = [{"event": item.event, **item.payload} for item in batch]
                try:
                    await self.api.request("POST", "/audit/events", endpoint="audit", json={"events": events})
                except ApiError as exc:
                    attempt = max(item.attempt for item in batch)
                    delay = full_jitter(attempt + 1, BACKOFF_BASE_MS, BACKOFF_CAP_MS)
                    self.store.audit_retry(ids, int(time.time() * 1000 + delay))
                    asyncio.get_running_loop().call_later(delay / 1000, self.kick)
                    metrics.audit_failures.inc()
                    self.log.warning("audit: %d events not delivered (%s), retry in %.0fs", len(ids), exc.message, delay / 1000)
                    return sent
                self.store.audit_done(ids)
                metrics.audit_flushed.inc(len(ids))
                sent += len(ids)
        return sent
