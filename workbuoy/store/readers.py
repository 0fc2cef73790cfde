"""Scanning reads off the event loop: a few threads, each with its own read connection.

A search (``list_rows`` with a query), a large page or a count can scan a whole table;
on the event loop it would hold up heartbeats and every other request. ``ReadPool.run``
runs such a read in a worker thread with a deadline. apsw connections belong to the
thread that uses them, so each worker opens its own (WAL lets them read beside the
writer). A read that misses its deadline is interrupted (``sqlite3_interrupt``) so the
worker is free again, and the caller gets ``ReadTimeout``; a read still waiting for a
worker when its deadline passes never starts. At most ``max_waiting`` reads wait at once;
more are refused at once with ``ReadBusy`` rather than queued behind a minute of scans.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from workbuoy.store import Store
from workbuoy.store.db import Database

T = TypeVar("T")

READ_TIMEOUT_S = 5.0


class ReadTimeout(TimeoutError):
    """The read did not finish within its deadline and was interrupted."""


class ReadBusy(RuntimeError):
    """Too many reads are already waiting."""


class _Job:
    """One read: which store runs it, and whether the caller gave up on it."""

    def __init__(self) -> None:
        self.store: Store | None = None
        self.abandoned = False
        self.lock = threading.Lock()

    def abandon(self) -> None:
        with self.lock:
            self.abandoned = True
            if self.store is not None:
                self.store.interrupt()


class ReadPool:
    def __init__(self, path: Path, *, workers: int = 2, timeout: float = READ_TIMEOUT_S, max_waiting: int = 64) -> None:
        self.path = path
        self.timeout = timeout
        self.max_waiting = max_waiting
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="store-read")
        self._local = threading.local()
        self._stores: list[Store] = []
        self._waiting = 0

    def _store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:  # the schema is the writer's business: a reader opens without migrating
            store = self._local.store = Store(Database(self.path))
            self._stores.append(store)
        return store

    def _work(self, job: _Job, fn: Callable[[Store], T]) -> T | None:
        with job.lock:
            if job.abandoned:
                return None
            job.store = self._store()
        try:
            return fn(job.store)
        finally:
            with job.lock:
                job.store = None

    async def run(self, fn: Callable[[Store], T], *, timeout: float | None = None) -> T:
        """``fn(store)`` in a worker; ``ReadTimeout`` after ``timeout`` seconds, ``ReadBusy`` when full."""
        if self._waiting >= self.max_waiting:
            raise ReadBusy(f"{self._waiting} reads are already waiting")
        job = _Job()
        self._waiting += 1
        future = asyncio.get_running_loop().run_in_executor(self._executor, self._work, job, fn)
        future.add_done_callback(lambda f: f.cancelled() or f.exception())  # an abandoned read's error is not news
        limit = self.timeout if timeout is None else timeout
        try:
            return await asyncio.wait_for(asyncio.shield(future), limit)
        except asyncio.TimeoutError:
            job.abandon()
            raise ReadTimeout(f"the read took longer than {limit:g}s and was stopped") from None
        finally:
            self._waiting -= 1

    def close(self) -> None:
        """Stop the workers (an unfinished read is interrupted) and close their connections."""
        for store in self._stores:
            store.interrupt()
        self._executor.shutdown(wait=True, cancel_futures=True)
        for store in self._stores:
            store.close()
