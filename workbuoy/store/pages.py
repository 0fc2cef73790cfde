"""Applying a page pulled from the server to the cache.

A page from the server lands in one transaction together with its checkpoint, so a
crash leaves either the old rows and the old cursor or the new rows and the new cursor;
the next pull never skips or half-applies a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import apsw

from workbuoy.store.cache import MARK_CONFLICT, OPEN_WRITE, Head, heads, table
from workbuoy.store.db import Database, dumps, now_ms
from workbuoy.store.types import PageResult

# apply_page reads the batch's current (id, updated_at) first, under the write lock, and
# then runs plain INSERTs and UPDATEs: that is as fast as a blind upsert (the read is an
# index probe the upsert would do anyway), and it tells inserts, updates, repeats and
# conflicts apart without RETURNING, which costs a quarter of the write time.
_EXISTING = "SELECT id, updated_at FROM {table} WHERE id IN (SELECT value FROM json_each(?))"
# The leading EXISTS is constant, so SQLite checks it once before probing every id:
# with no open local writes to this entity (the common case) the probe is skipped.
# id -> the oldest base version of its open local writes (-1 for a create).
_OPEN_WRITES = (
    f"SELECT entity_id, MIN(COALESCE(base_updated_at, -1)) FROM sync_queue"
    f" WHERE EXISTS (SELECT 1 FROM sync_queue WHERE entity = ?1 AND {OPEN_WRITE})"
    f" AND entity = ?1 AND {OPEN_WRITE} AND entity_id IN (SELECT value FROM json_each(?2)) GROUP BY entity_id"
)
_INSERT = "INSERT INTO {table} (id, org_id, updated_at, payload) VALUES (?, ?, ?, ?)"
# The updated_at guard repeats the newer-wins rule in SQL, where it cannot be bypassed.
_UPDATE = """
UPDATE {table} SET org_id = ?1, updated_at = ?2, payload = ?3, conflicted = 0, server_payload = NULL
WHERE id = ?4 AND updated_at < ?2
"""
# An open local write without a cached row: nothing local to keep, the server's row is both.
_INSERT_CONFLICT = (
    "INSERT INTO {table} (id, org_id, updated_at, payload, conflicted, server_payload) VALUES (?1, ?2, ?3, ?4, 1, ?4)"
)
_DELETE = "DELETE FROM {table} WHERE id = ?"
_CHECKPOINT = """
INSERT INTO sync_state (entity, org_id, cursor, etag, last_modified, last_sync_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (entity, org_id) DO UPDATE SET cursor = excluded.cursor, etag = excluded.etag,
    last_modified = excluded.last_modified, last_sync_at = excluded.last_sync_at, last_error = NULL
"""


@dataclass
class _Plan:
    """The statements one page needs, sorted by kind, and what it changed."""

    inserts: list[tuple] = field(default_factory=list)
    updates: list[tuple] = field(default_factory=list)
    marks: list[tuple] = field(default_factory=list)
    conflict_inserts: list[tuple] = field(default_factory=list)
    deletes: list[tuple] = field(default_factory=list)
    result: PageResult = field(default_factory=PageResult)

    def add(self, head: Head, row: dict[str, Any], org_id: str, local: int | None, open_base: int | None) -> None:
        """Sort one server row: ``local`` is the cached updated_at, ``open_base`` that of its open local writes."""
        id_ = head.id
        if open_base is not None and head.updated_at <= open_base:
            return  # the very version our open write is based on: nothing moved on the server
        if head.deleted:
            if local is not None and open_base is not None:
                self.marks.append((dumps(row), id_))
            elif local is not None:
                self.deletes.append((id_,))
        elif open_base is not None:
            if local is None:
                self.conflict_inserts.append((id_, org_id, head.updated_at, dumps(row)))
            else:
                self.marks.append((dumps(row), id_))
        elif local is None:
            self.inserts.append((id_, org_id, head.updated_at, dumps(row)))
            self.result.changed.append((id_, True))
        elif head.updated_at > local:
            self.updates.append((org_id, head.updated_at, dumps(row), id_))
            self.result.changed.append((id_, False))
        elif head.updated_at < local:
            self.marks.append((dumps(row), id_))

    def run(self, conn: apsw.Connection, name: str) -> PageResult:
        for sql, params in ((_INSERT, self.inserts), (_UPDATE, self.updates), (MARK_CONFLICT, self.marks),
                            (_INSERT_CONFLICT, self.conflict_inserts), (_DELETE, self.deletes)):
            if params:
                conn.executemany(sql.format(table=name), params)
        result = self.result
        result.inserted, result.updated, result.deleted = len(self.inserts), len(self.updates), len(self.deletes)
        result.conflicts = len(self.marks) + len(self.conflict_inserts)
        return result


class PagesMixin:
    """Applying pulled pages, a part of ``Store``."""

    _db: Database

    def apply_page(
        self,
        entity: str,
        org_id: str,
        rows: Sequence[dict[str, Any]],
        *,
        cursor: str | None,
        etag: str | None,
        last_modified: str | None,
    ) -> PageResult:
        """Apply one pulled page and move the checkpoint, in one transaction.

        Rows are server rows with ``id`` and ``updated_at`` (ms); ``"deleted": true`` marks
        a tombstone, which deletes the cached row unless it has an open local write (then
        it is a conflict whose ``server_payload`` is the tombstone). The checkpoint clears
        ``last_error``.
        """
        with self._db.write() as conn:
            result = _apply(conn, table(entity), org_id, rows)
            conn.execute(_CHECKPOINT, (entity, org_id, cursor, etag, last_modified, now_ms()))
        return result

    def upsert_rows(self, entity: str, org_id: str, rows: Sequence[dict[str, Any]]) -> PageResult:
        """``apply_page`` without touching the checkpoint."""
        with self._db.write() as conn:
            return _apply(conn, table(entity), org_id, rows)


def _apply(conn: apsw.Connection, name: str, org_id: str, rows: Sequence[dict[str, Any]]) -> PageResult:
    # A page that repeats an id stands for its last change: counted once, applied once.
    latest = {head.id: (head, row) for head, row in zip(heads(rows), rows)}
    ids = dumps(list(latest))
    open_bases = dict(conn.execute(_OPEN_WRITES, (name, ids)))
    existing = dict(conn.execute(_EXISTING.format(table=name), (ids,)))
    plan = _Plan()
    for id_, (head, row) in latest.items():
        plan.add(head, row, org_id, existing.get(id_), open_bases.get(id_))
    return plan.run(conn, name)
