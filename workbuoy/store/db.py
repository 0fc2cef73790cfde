"""The one SQLite connection of a process: pragmas, busy handling, transactions.

Several actor processes write the same file. WAL lets readers run beside the one
writer; a busy timeout makes a writer wait for the lock instead of failing. Two
holes remain that a timeout alone does not close, and this module closes them:

* A deferred transaction that reads first and writes later cannot be granted the
  write lock if another process committed in between (its snapshot is stale), and
  SQLite answers ``SQLITE_BUSY`` at once without waiting. Every write transaction
  therefore starts with ``BEGIN IMMEDIATE``: the lock is taken before the first read.
* Some ``SQLITE_BUSY`` answers skip the busy handler altogether (WAL recovery after a
  crash, a ``journal_mode`` change racing another opener). ``BEGIN IMMEDIATE`` and
  every read are retried with jittered back-off until ``busy_deadline_s`` passes.

Once ``BEGIN IMMEDIATE`` succeeded the transaction holds the write lock, so nothing
inside it can be refused for locking, and ``COMMIT`` in WAL mode needs no other lock.

Two files share the connection: the main file holds what the server cannot give back
(outbox, audit queue, meta and plugin state), the rebuildable entity cache is a second
file ATTACHed as schema ``cache``. Table names are unique across both, so SQL names
tables without a schema. In WAL mode SQLite commits the files of one transaction one
after the other, the main file first: a crash in between can lose a cache change of a
transaction whose outbox row committed, never the reverse.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import apsw
import msgspec

from workbuoy.platform import current
from workbuoy.store.searchtext import search_fields, search_text_of_json

T = TypeVar("T")

#: How long one attempt waits inside SQLite for a lock before the retry loop takes over.
BUSY_TIMEOUT_MS = 5_000
#: A WAL this long (pages) is copied back into its file after the next commit that is not durable.
CHECKPOINT_PAGES = 1_000
#: The schema name of the attached cache file.
CACHE = "cache"
#: Fault injection and quota: the largest number of pages each file may grow to (``PRAGMA max_page_count``).
MAX_PAGES_ENV = "WB_DB_MAX_PAGES"

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


class StoreBusyError(TimeoutError):
    """The database stayed locked for longer than ``busy_deadline_s``: a stuck process."""


def now_ms() -> int:
    """Wall clock in integer milliseconds since the epoch, the store's only time unit."""
    return time.time_ns() // 1_000_000


def dumps(obj: Any) -> str:
    """JSON text for a payload column."""
    return _encoder.encode(obj).decode()


def loads(text: str | None) -> Any:
    """The decoded JSON of a payload column (``None`` stays ``None``)."""
    return None if text is None else _decoder.decode(text)


class Database:
    """A connection with nestable ``BEGIN IMMEDIATE`` transactions and busy retries.

    One per process: SQLite's locks are per connection, so two connections in one
    process would wait on each other. A re-entrant lock makes the connection safe to
    share between the threads of that process (a transaction is never interleaved).
    """

    def __init__(self, path: str | Path, *, busy_deadline_s: float = 120.0) -> None:
        self.path = Path(path)
        self.cache_path = cache_path_for(self.path)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.busy_deadline_s = busy_deadline_s
        self._lock = threading.RLock()
        self._depth = 0
        self.conn = apsw.Connection(str(self.path))
        self.conn.set_busy_handler(self._wait_for_lock)
        self._busy_since = 0.0
        self._wal_pages: dict[str, int] = {}
        self.conn.set_wal_hook(self._note_wal)  # replaces SQLite's auto-checkpoint: see _checkpoint
        self.conn.create_scalar_function("wb_contains", _contains, 3, deterministic=True)
        self.conn.create_scalar_function("wb_search_text", search_text_of_json, 2, deterministic=True)
        self._retry(lambda: self.conn.execute(f"ATTACH DATABASE ? AS {CACHE}", (str(self.cache_path),)))
        # CRM data: the owner's alone (the -wal and -shm files SQLite makes inherit the mode).
        _owner_only(self.path.parent, self.path, self.cache_path)
        for schema in ("main", CACHE):
            self._retry(lambda s=schema: self.conn.execute(f"PRAGMA {s}.journal_mode=WAL").fetchall())
            self.conn.execute(f"PRAGMA {schema}.synchronous=NORMAL")
            if max_pages := os.environ.get(MAX_PAGES_ENV):
                self.conn.execute(f"PRAGMA {schema}.max_page_count={int(max_pages)}")

    def _wait_for_lock(self, tries: int) -> bool:
        """SQLite's busy handler: look at the lock again within 2 ms, for up to ``BUSY_TIMEOUT_MS``.

        SQLite's own ``busy_timeout`` sleeps up to 100 ms between looks; against a sync that
        commits page after page it keeps missing the gaps, and a queued write waited
        hundreds of milliseconds (``bench/store.py``). ``time.sleep`` lets other threads run.
        """
        now = time.monotonic()
        if tries == 0:
            self._busy_since = now
        if now - self._busy_since >= BUSY_TIMEOUT_MS / 1000:
            return False
        time.sleep(random.uniform(0.0002, 0.002))
        return True

    def _note_wal(self, conn: apsw.Connection, schema: str, pages: int) -> int:
        self._wal_pages[schema] = pages
        return apsw.SQLITE_OK

    def _checkpoint(self) -> None:
        """Copy a long WAL back into its file, as SQLite's auto-checkpoint would, but never
        right after a durable commit: the user's queued write does not wait for megabytes
        of a sync's pages to reach the disk (``bench/store.py``); the next sync page or
        lease does it instead."""
        for schema, pages in list(self._wal_pages.items()):
            if pages >= CHECKPOINT_PAGES:
                self._wal_pages[schema] = 0
                try:
                    self.conn.execute(f"PRAGMA {schema}.wal_checkpoint(PASSIVE)").fetchall()
                except apsw.BusyError:  # another process is checkpointing it: nothing left to do
                    pass

    @contextmanager
    def scratch(self, path: Path, schema: str) -> Iterator[None]:
        """``path`` attached as ``schema`` meanwhile, unjournaled: a scratch file any failure throws away."""
        with self._lock:
            self._retry(lambda: self.conn.execute(f"ATTACH DATABASE ? AS {schema}", (str(path),)))
            try:
                self.conn.execute(f"PRAGMA {schema}.journal_mode=OFF; PRAGMA {schema}.synchronous=OFF")
                yield
            finally:
                self.conn.execute(f"DETACH DATABASE {schema}")

    def interrupt(self) -> None:
        """Abort the statement running on this connection (from any thread): it raises ``apsw.InterruptError``."""
        self.conn.interrupt()

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def _retry(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` again after ``SQLITE_BUSY`` until the deadline; ``fn`` must be safe to repeat."""
        deadline = time.monotonic() + self.busy_deadline_s
        delay = 0.001
        while True:
            try:
                return fn()
            except apsw.BusyError as exc:
                if time.monotonic() >= deadline:
                    raise StoreBusyError(f"{self.path}: database locked for over {self.busy_deadline_s}s") from exc
                time.sleep(random.uniform(0, delay))
                delay = min(delay * 2, 0.1)

    @contextmanager
    def write(self, *, durable: bool = False) -> Iterator[apsw.Connection]:
        """A write transaction; nested calls join the outermost one.

        ``durable=True`` commits with ``synchronous=FULL`` (the WAL is fsynced before
        ``COMMIT`` returns, so the write survives a power cut, not only a crash). It only
        takes effect on the outermost transaction, which is the one that commits.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            if durable:
                self.conn.execute("PRAGMA synchronous=FULL")
            try:
                self._retry(lambda: self.conn.execute("BEGIN IMMEDIATE"))
                self._depth = 1
                try:
                    yield self.conn
                    self.conn.execute("COMMIT")
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
                finally:
                    self._depth = 0
                if not durable:
                    self._checkpoint()
            finally:
                if durable:
                    self.conn.execute("PRAGMA synchronous=NORMAL")

    def rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """All rows of one read statement (a single statement is its own snapshot)."""
        with self._lock:
            if self._depth:
                return self.conn.execute(sql, params).fetchall()
            return self._retry(lambda: self.conn.execute(sql, params).fetchall())

    def one(self, sql: str, params: Any = ()) -> tuple[Any, ...] | None:
        """The first row of one read statement, or ``None``."""
        found = self.rows(sql, params)
        return found[0] if found else None


def _owner_only(*paths: Path) -> None:
    """Take group and other access away from our folder and files (``workbuoy doctor`` checks the same)."""
    for path in paths:
        current.make_private(path)


def cache_path_for(path: Path) -> Path:
    """The cache file beside the main file ``path``: ``workbuoy.db`` -> ``workbuoy-cache.db``."""
    return path.with_name(f"{path.stem}-cache{path.suffix}")


def _contains(entity: str, payload: str | None, needle: str) -> bool:
    """SQL ``wb_contains(entity, payload, needle)``: whether one searchable field holds the casefolded
    ``needle``. Field by field: a needle must not match across two (SQLite's ``LIKE`` folds ASCII only)."""
    return payload is not None and any(needle in text for text in search_fields(entity, _decoder.decode(payload)))
