"""The outbox: durable local writes, leased to the flusher in a safe order.

Ordering rules live in one SQL predicate, ``_READY``, shared by ``lease`` and
``next_due_at``. They are written as ``NOT EXISTS`` probes into small partial indexes
(only unsynced rows), so a lease costs a few index seeks per candidate however long
the synced history is. Leases expire (a flusher that died releases its items), and
every lease carries a random claim: ``finish`` with a stale claim changes nothing,
so a flusher that lost its lease cannot overwrite the outcome of the one that took over.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Literal

import apsw
import msgspec

from workbuoy.schemas.base import ENTITIES, QueueStatus
from workbuoy.store.cache import OPEN_WRITE, mark_conflict
from workbuoy.store.db import Database, dumps, loads, now_ms
from workbuoy.store.types import Lease, NewQueueItem, QueueItem

HELD = "held: an earlier step of its workflow was discarded"
_FIELDS = QueueItem.__struct_fields__
_COLUMNS = ", ".join(_FIELDS)
_INSERT_FIELDS = ("op_id", "org_id", "qtype", "entity", "op", "entity_id", "payload", "base_updated_at", "wf_id", "step_index")
_INSERT = (
    f"INSERT INTO sync_queue ({', '.join(_INSERT_FIELDS)}, created_at, updated_at)"
    f" VALUES ({', '.join('?' * len(_INSERT_FIELDS))}, ?, ?) RETURNING {_COLUMNS}"
)

# Pending, not conflicted, no earlier open write to the same entity id (writes to one
# record go out in order; a stuck one holds back only that record), and every earlier
# step of its workflow synced. The first probe matches the sync_queue_open index's
# predicate word for word so SQLite uses it.
_READY = """
q.status = 'pending' AND q.conflicted = 0
AND NOT EXISTS (SELECT 1 FROM sync_queue e
                WHERE e.entity = q.entity AND e.entity_id = q.entity_id AND e.id < q.id AND (e.status != 'synced' OR e.conflicted = 1))
AND (q.wf_id IS NULL OR NOT EXISTS (SELECT 1 FROM sync_queue w
                WHERE w.wf_id = q.wf_id AND w.step_index < q.step_index AND w.status != 'synced'))
"""


def _item(row: tuple[Any, ...]) -> QueueItem:
    fields = dict(zip(_FIELDS, row))
    fields["payload"] = loads(fields["payload"])
    fields["server_payload"] = loads(fields["server_payload"])
    fields["conflicted"] = bool(fields["conflicted"])
    return QueueItem(**fields)


def _insert_params(item: NewQueueItem, now: int) -> tuple[Any, ...]:
    if item.org_id is None:
        raise ValueError("a queue item needs an org_id")
    if item.entity is not None and item.entity not in ENTITIES:
        raise ValueError(f"unknown entity {item.entity!r}")
    if item.qtype == "crm" and (item.entity is None or item.op is None):
        raise ValueError("a crm write needs entity and op")
    item = msgspec.structs.replace(
        item,
        op_id=item.op_id or uuid.uuid4().hex,
        payload=None if item.payload is None else dumps(item.payload),  # type: ignore[arg-type]
    )
    return (*(getattr(item, name) for name in _INSERT_FIELDS), now, now)


class OutboxMixin:
    """Outbox methods of ``Store``."""

    _db: Database

    def enqueue(self, items: Sequence[NewQueueItem], *, durable: bool = True) -> list[QueueItem]:
        """Queue writes, all or none.

        ``durable=True`` fsyncs this commit (``synchronous=FULL``): once the user saw
        "saved", a power cut cannot take the write back. Cache writes stay ``NORMAL``
        (a crash loses at most what the next pull brings again).
        """
        now = now_ms()
        params = [_insert_params(item, now) for item in items]
        try:
            with self._db.write(durable=durable) as conn:
                return [_item(conn.execute(_INSERT, p).fetchone()) for p in params]
        except apsw.ConstraintError as exc:
            raise ValueError(f"queue item refused: {exc}") from None

    def enqueue_workflow(
        self, org_id: str, steps: Sequence[NewQueueItem], *, durable: bool = True
    ) -> tuple[str, list[QueueItem]]:
        """Queue steps that go out one after another: step n waits until step n-1 synced."""
        wf_id = uuid.uuid4().hex
        items = [
            msgspec.structs.replace(step, org_id=org_id, wf_id=wf_id, step_index=index)
            for index, step in enumerate(steps)
        ]
        return wf_id, self.enqueue(items, durable=durable)

    def lease(self, limit: int, lease_ms: int, *, now: int | None = None) -> list[Lease]:
        """Claim up to ``limit`` ready items (in id order) for ``lease_ms``."""
        now = now_ms() if now is None else now
        with self._db.write() as conn:
            self._release(conn, now)
            rows = conn.execute(
                "UPDATE sync_queue SET status = 'inflight', lease_until = ?1, updated_at = ?2,"
                " claim = lower(hex(randomblob(16)))"
                f" WHERE id IN (SELECT q.id FROM sync_queue q WHERE {_READY}"
                "  AND (q.next_attempt_at IS NULL OR q.next_attempt_at <= ?2) ORDER BY q.id LIMIT ?3)"
                f" RETURNING {_COLUMNS}",
                (now + lease_ms, now, limit),
            ).fetchall()
        items = sorted((_item(row) for row in rows), key=lambda item: item.id)
        return [Lease(item=item, claim=item.claim or "") for item in items]

    def finish(
        self,
        item_id: int,
        claim: str,
        *,
        status: Literal["pending", "failed", "synced"],
        last_error: str | None = None,
        next_attempt_at: int | None = None,
        conflicted: bool = False,
        server_payload: dict[str, Any] | None = None,
        charge: bool = True,
    ) -> bool:
        """Record the outcome of a leased item; False when the lease was lost (stale claim).

        ``pending`` with ``next_attempt_at`` is a retry after back-off, ``failed`` waits for
        the user. Both count an attempt, unless ``charge`` is False (a send cut short by an
        outage the flusher had already detected). A conflict also opens it on the cached row.
        """
        if status not in ("pending", "failed", "synced"):
            raise ValueError(f"cannot finish with status {status!r}")
        with self._db.write() as conn:
            row = conn.execute(
                "UPDATE sync_queue SET status = ?, last_error = ?, next_attempt_at = ?, conflicted = ?,"
                " server_payload = ?, attempt = attempt + ?, lease_until = NULL, claim = NULL,"
                " updated_at = ? WHERE id = ? AND status = 'inflight' AND claim = ? RETURNING entity, entity_id",
                (
                    status,
                    last_error,
                    next_attempt_at,
                    int(conflicted),
                    None if server_payload is None else dumps(server_payload),
                    int(charge and status != "synced"),
                    now_ms(),
                    item_id,
                    claim,
                ),
            ).fetchone()
            if row is None:
                return False
            entity, entity_id = row
            if conflicted and entity in ENTITIES and entity_id is not None:
                mark_conflict(conn, entity, entity_id, server_payload)
        return True

    def release_expired(self, now: int | None = None) -> int:
        """Return items whose lease ran out to ``pending``; the count returned."""
        with self._db.write() as conn:
            return self._release(conn, now_ms() if now is None else now)

    @staticmethod
    def _release(conn: apsw.Connection, now: int) -> int:
        conn.execute(
            "UPDATE sync_queue SET status = 'pending', lease_until = NULL, claim = NULL, updated_at = ?1"
            " WHERE status = 'inflight' AND lease_until < ?1",
            (now,),
        )
        return conn.changes()

    def get_queue_item(self, id: int) -> QueueItem | None:
        row = self._db.one(f"SELECT {_COLUMNS} FROM sync_queue WHERE id = ?", (id,))
        return None if row is None else _item(row)

    def list_queue(self, status: QueueStatus | None = None, limit: int = 100) -> list[QueueItem]:
        """Newest first."""
        if status is None:
            rows = self._db.rows(f"SELECT {_COLUMNS} FROM sync_queue ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self._db.rows(
                f"SELECT {_COLUMNS} FROM sync_queue WHERE status = ? ORDER BY id DESC LIMIT ?", (status, limit)
            )
        return [_item(row) for row in rows]

    def pending_for(self, entity: str, entity_id: str) -> list[QueueItem]:
        """The writes to one record the server has not taken yet, oldest first."""
        rows = self._db.rows(
            f"SELECT {_COLUMNS} FROM sync_queue WHERE entity = ? AND entity_id = ? AND {OPEN_WRITE} ORDER BY id",
            (entity, entity_id),
        )
        return [_item(row) for row in rows]

    def rebase_open(self, entity: str, entity_id: str, base_updated_at: int) -> None:
        """The server took a write of this record at ``base_updated_at``: the writes still open
        behind it build on that version (their If-Match when no cached row remains to ask)."""
        with self._db.write() as conn:
            conn.execute(f"UPDATE sync_queue SET base_updated_at = ? WHERE entity = ? AND entity_id = ? AND {OPEN_WRITE}",
                         (base_updated_at, entity, entity_id))

    def retry(self, id: int, *, new_key: bool = False) -> QueueItem | None:
        """Send a failed or conflicted item again now; None when it is neither.

        ``new_key`` gives it a new ``op_id``: the server replays its recorded answer to a
        key, so a write it refused (4xx) can only succeed under a new one.
        """
        with self._db.write() as conn:
            row = conn.execute(
                "UPDATE sync_queue SET status = 'pending', attempt = 0, next_attempt_at = ?1, conflicted = 0,"
                " last_error = NULL, server_payload = NULL, updated_at = ?1, op_id = coalesce(?3, op_id)"
                f" WHERE id = ?2 AND status != 'inflight' AND (status = 'failed' OR conflicted = 1) RETURNING {_COLUMNS}",
                (now_ms(), id, uuid.uuid4().hex if new_key else None),
            ).fetchone()
        return None if row is None else _item(row)

    def settle(self, id: int, note: str, *, failed: bool = False) -> QueueItem | None:
        """Take a conflicted item (``failed``: or a failed one) off the queue unsent: the user
        kept the server's version, or discarded a write that cannot succeed. It becomes
        ``synced`` with ``note`` as its last word; nothing is deleted. None when it is neither,
        or in flight. A discarded step of a workflow holds the steps after it, planned on top
        of it: they become ``failed`` (``HELD``), to retry or discard one by one, never sent unasked."""
        with self._db.write() as conn:
            row = conn.execute(
                "UPDATE sync_queue SET status = 'synced', conflicted = 0, last_error = ?1, next_attempt_at = NULL,"
                " updated_at = ?2"
                f" WHERE id = ?3 AND status != 'inflight' AND (conflicted = 1 OR (?4 AND status = 'failed'))"
                f" RETURNING {_COLUMNS}",
                (note, now_ms(), id, failed),
            ).fetchone()
            item = None if row is None else _item(row)
            if item is not None and failed and item.wf_id is not None:
                conn.execute("UPDATE sync_queue SET status = 'failed', last_error = ?1, updated_at = ?2 WHERE wf_id = ?3"
                             " AND step_index > ?4 AND status = 'pending'", (HELD, now_ms(), item.wf_id, item.step_index))
        return item

    def rebase(
        self, id: int, *, op: str, payload: dict[str, Any] | None, base_updated_at: int | None, note: str
    ) -> QueueItem | None:
        """Send a conflicted item again against the server's current version.

        It gets a new ``op_id`` (the server answered the old key already and would replay
        that answer) but keeps its id, so it keeps its place before later writes to the
        same record. None when it is not conflicted, or in flight.
        """
        now = now_ms()
        with self._db.write() as conn:
            row = conn.execute(
                "UPDATE sync_queue SET op_id = ?1, op = ?2, payload = ?3, base_updated_at = ?4, status = 'pending',"
                " conflicted = 0, attempt = 0, last_error = ?5, next_attempt_at = ?6, server_payload = NULL, updated_at = ?6"
                f" WHERE id = ?7 AND status != 'inflight' AND conflicted = 1 RETURNING {_COLUMNS}",
                (uuid.uuid4().hex, op, None if payload is None else dumps(payload), base_updated_at, note, now, id),
            ).fetchone()
        return None if row is None else _item(row)

    def queue_depth(self) -> dict[str, int]:
        """Items by status, plus ``conflicted`` (counted across statuses)."""
        depth = dict.fromkeys(("pending", "inflight", "failed", "synced", "conflicted"), 0)
        for status, count, conflicted in self._db.rows(
            "SELECT status, count(*), sum(conflicted) FROM sync_queue GROUP BY status"
        ):
            depth[status] = count
            depth["conflicted"] += conflicted
        return depth

    def prune_synced(self, older_than_ms: int, *, now: int | None = None) -> int:
        """Delete synced items last touched more than ``older_than_ms`` ago.

        Only ``synced`` and not conflicted: nothing the server has not taken is ever
        deleted. Ordering probes look for unsynced rows, so pruning never unblocks or
        blocks anything.
        """
        cutoff = (now_ms() if now is None else now) - older_than_ms
        with self._db.write() as conn:
            conn.execute(
                "DELETE FROM sync_queue WHERE status = 'synced' AND conflicted = 0 AND updated_at < ?", (cutoff,)
            )
            return conn.changes()

    def stuck_since(self, created_before: int, after_id: int) -> tuple[int, int, QueueItem] | None:
        """Unsent items (pending or in flight) with an id above ``after_id`` queued before
        ``created_before``: ``(count, highest id, the oldest)``, or None when there are none."""
        where = "status IN ('pending', 'inflight') AND id > ? AND created_at < ?"
        count, top = self._db.one(f"SELECT count(*), max(id) FROM sync_queue WHERE {where}", (after_id, created_before))
        if not count:
            return None
        oldest = self._db.one(f"SELECT {_COLUMNS} FROM sync_queue WHERE {where} ORDER BY id LIMIT 1", (after_id, created_before))
        return count, top, _item(oldest)

    def next_due_at(self) -> int | None:
        """When the flusher has work next: the earliest retry time of a ready item or lease
        expiry (a time in the past means now). Items held back by an earlier write are
        left out, or a stuck write would wake the flusher in a loop."""
        row = self._db.one(
            f"SELECT min(t) FROM (SELECT min(coalesce(q.next_attempt_at, q.created_at)) AS t FROM sync_queue q"
            f" WHERE {_READY} UNION ALL SELECT min(lease_until) FROM sync_queue WHERE status = 'inflight')"
        )
        return row[0] if row else None
