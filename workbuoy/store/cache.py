"""The entity cache and its pull checkpoints: reading rows, local and server writes of one row, the wipe.

Pulled pages are applied by :mod:`~workbuoy.store.pages`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import apsw
import msgspec

from workbuoy.schemas.base import ENTITIES
from workbuoy.store.db import Database, dumps, now_ms
from workbuoy.store.listing import CACHED_COLUMNS, ListingMixin, ListRequest, cached_row, table
from workbuoy.store.types import CachedRow, SyncState

#: Outbox rows that still stand for a local change the server has not taken.
OPEN_WRITE = "(status != 'synced' OR conflicted = 1)"

_SYNC_COLUMNS = ", ".join(SyncState.__struct_fields__)

# A conflict keeps the local payload and puts the server's beside it.
MARK_CONFLICT = "UPDATE {table} SET conflicted = 1, server_payload = ? WHERE id = ?"


class Head(msgspec.Struct):
    """The fields of a server row the cache reads; the whole row is the payload."""

    id: str
    updated_at: int | None = None
    deleted: bool = False


def mark_conflict(conn: apsw.Connection, entity: str, id: str, server_row: dict[str, Any] | None) -> None:
    """Open a conflict on the cached row ``id`` (if cached), inside the caller's transaction."""
    conn.execute(MARK_CONFLICT.format(table=table(entity)), (None if server_row is None else dumps(server_row), id))


def heads(rows: Sequence[dict[str, Any]]) -> list[Head]:
    """The heads of server rows; a row without an id, or without updated_at and not a tombstone, is refused."""
    try:
        parsed = msgspec.convert(rows, list[Head])
    except msgspec.ValidationError as exc:
        raise ValueError(f"bad server row: {exc}") from None
    for head in parsed:
        if head.updated_at is None and not head.deleted:
            raise ValueError(f"server row {head.id!r} has no updated_at")
    return parsed


def _sync_state(row: tuple[Any, ...]) -> SyncState:
    return SyncState(**dict(zip(SyncState.__struct_fields__, row)))


class CacheMixin(ListingMixin):
    """Cache and sync-state methods of ``Store`` (applying pulled pages: :mod:`~workbuoy.store.pages`)."""

    _db: Database

    def get_row(self, entity: str, id: str) -> CachedRow | None:
        row = self._db.one(f"SELECT {CACHED_COLUMNS} FROM {table(entity)} WHERE id = ?", (id,))
        return None if row is None else cached_row(row)

    def list_rows(
        self, entity: str, *, org_id: str | None = None, limit: int = 50, cursor: str | None = None,
        query: str | None = None, conflicted: bool | None = None,
    ) -> tuple[list[CachedRow], str | None]:
        """A page of cached rows, newest edit first, and the cursor of the next (see ``list_page``)."""
        found = self.list_page(ListRequest(entity, org_id, limit, cursor, query, conflicted=conflicted))
        return found.rows, found.next_cursor

    def count_rows(self, entity: str, org_id: str | None = None) -> int:
        if org_id is None:
            row = self._db.one(f"SELECT count(*) FROM {table(entity)}")
        else:
            row = self._db.one(f"SELECT count(*) FROM {table(entity)} WHERE org_id = ?", (org_id,))
        return row[0] if row else 0

    def put_local(self, entity: str, org_id: str, id: str, payload: dict[str, Any], updated_at: int) -> None:
        """Show a queued write at once; an open conflict stays open."""
        with self._db.write() as conn:
            conn.execute(
                f"INSERT INTO {table(entity)} (id, org_id, updated_at, payload) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, updated_at = excluded.updated_at,"
                " payload = excluded.payload",
                (id, org_id, updated_at, dumps(payload)),
            )

    def delete_local(self, entity: str, id: str) -> None:
        with self._db.write() as conn:
            conn.execute(f"DELETE FROM {table(entity)} WHERE id = ?", (id,))

    def set_server_row(self, entity: str, row: dict[str, Any], *, org_id: str | None = None) -> None:
        """Take the server's row as the truth (a push succeeded, or the user kept the server's).

        Clears the conflict; a tombstone deletes. A row not cached yet needs its org from
        ``org_id`` or the row's own ``org_id`` field. A cached row of a newer version stays:
        a send that outlived its lease may answer after a later write of the record was taken.
        """
        (head,) = heads([row])
        name = table(entity)
        with self._db.write() as conn:
            if head.deleted:
                conn.execute(f"DELETE FROM {name} WHERE id = ?", (head.id,))
                return
            conn.execute(
                f"UPDATE {name} SET updated_at = ?, payload = ?, conflicted = 0, server_payload = NULL"
                " WHERE id = ? AND updated_at <= ?",
                (head.updated_at, dumps(row), head.id, head.updated_at),
            )
            if conn.changes() or conn.execute(f"SELECT 1 FROM {name} WHERE id = ?", (head.id,)).fetchone():
                return
            org = org_id if org_id is not None else row.get("org_id")
            if not isinstance(org, str):
                raise ValueError(f"{entity} {head.id!r} is not cached and no org_id was given")
            conn.execute(
                f"INSERT INTO {name} (id, org_id, updated_at, payload) VALUES (?, ?, ?, ?)",
                (head.id, org, head.updated_at, dumps(row)),
            )

    def mark_conflict(self, entity: str, id: str, server_row: dict[str, Any] | None) -> None:
        """Open a conflict on a cached row, keeping the local payload."""
        with self._db.write() as conn:
            mark_conflict(conn, entity, id, server_row)

    # --- sync state ---

    def get_sync_state(self, entity: str, org_id: str) -> SyncState | None:
        row = self._db.one(f"SELECT {_SYNC_COLUMNS} FROM sync_state WHERE entity = ? AND org_id = ?", (entity, org_id))
        return None if row is None else _sync_state(row)

    def set_sync_error(self, entity: str, org_id: str, error: str) -> None:
        """Record a failed pull; the cursor and the cached rows stay for the next try."""
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO sync_state (entity, org_id, last_error) VALUES (?, ?, ?)"
                " ON CONFLICT (entity, org_id) DO UPDATE SET last_error = excluded.last_error",
                (table(entity), org_id, error),
            )

    def list_sync_state(self) -> list[SyncState]:
        rows = self._db.rows(f"SELECT {_SYNC_COLUMNS} FROM sync_state ORDER BY entity, org_id")
        return [_sync_state(row) for row in rows]

    def wipe_cache(self) -> int:
        """Forget the offline copy (sign-out with the wipe setting, or another user signing in).

        Rows with an open local write stay, so no unsent change is lost; every checkpoint
        goes, so the next sync pulls the new user's data from the start. Returns rows removed.
        """
        removed = 0
        with self._db.write() as conn:
            for entity in ENTITIES:
                name = table(entity)
                conn.execute(f"DELETE FROM {name} WHERE id NOT IN (SELECT entity_id FROM sync_queue"
                             f" WHERE entity = ? AND entity_id IS NOT NULL AND {OPEN_WRITE})", (name,))
                removed += conn.changes()
            conn.execute("DELETE FROM sync_state")
        return removed
