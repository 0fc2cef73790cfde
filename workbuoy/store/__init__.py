"""The local SQLite store every actor process shares: cache, checkpoints, outboxes, meta.

Each process opens one ``Store`` and keeps it. All SQL lives in this package; actors
call the typed methods below. See ``docs/store.md`` for the schema and the guarantees.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from workbuoy.schemas.base import ENTITIES
from workbuoy.store.audit import AuditMixin
from workbuoy.store.cache import CacheMixin
from workbuoy.store.db import Database, StoreBusyError
from workbuoy.store.indexes import ensure_indexes, suspend_indexes
from workbuoy.store.migrate import SchemaTooNewError, load, migrate
from workbuoy.store.outbox import OutboxMixin
from workbuoy.store.pages import PagesMixin
from workbuoy.store.profile import ForeignOrg, NoOrg, OrgError, ProfileMixin, SignedOut
from workbuoy.store.types import (
    AuditItem,
    CachedRow,
    Lease,
    NewQueueItem,
    PageResult,
    QueueItem,
    SyncState,
)

__all__ = [
    "AuditItem",
    "CachedRow",
    "ForeignOrg",
    "Lease",
    "NewQueueItem",
    "NoOrg",
    "OrgError",
    "PageResult",
    "QueueItem",
    "SchemaTooNewError",
    "SignedOut",
    "Store",
    "StoreBusyError",
    "SyncState",
    "build_indexes",
]


class Store(ProfileMixin, CacheMixin, PagesMixin, OutboxMixin, AuditMixin):
    """A process's handle on the database file."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating the folder and file if needed) and migrate to the current schema."""
        db = Database(path)
        try:
            migrate(db, load())
        except BaseException:
            db.close()
            raise
        return cls(db)

    def close(self) -> None:
        self._db.close()

    @property
    def path(self) -> Path:
        return self._db.path

    @property
    def cache_path(self) -> Path:
        return self._db.cache_path

    def suspend_indexes(self, entities: list[str]) -> list[str]:
        """Drop the sort and search indexes of the empty tables among ``entities`` (see ``indexes.py``)."""
        return suspend_indexes(self._db, entities)

    def interrupt(self) -> None:
        """Abort the statement this store's connection is running (any thread may call it)."""
        self._db.interrupt()

    @contextmanager
    def transaction(self, *, durable: bool = False) -> Iterator[None]:
        """Make several calls one transaction, e.g. ``enqueue`` with its ``put_local``."""
        with self._db.write(durable=durable):
            yield


def build_indexes(path: Path, entities: tuple[str, ...] = ENTITIES, *, search_only: bool = False) -> None:
    """Build the missing cache indexes of ``entities`` (all, or just their search indexes)
    on a connection of its own (call it in a worker thread)."""
    db = Database(path)
    try:
        ensure_indexes(db, entities=entities, search_only=search_only)
    finally:
        db.close()
