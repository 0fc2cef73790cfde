"""The audit outbox: events wait here until the audit flusher delivered them.

There is one flusher, so no leases: ``audit_take`` marks what it hands out ``sending``
so a second take does not send it twice. A flusher that died mid-send leaves rows in
``sending``; the next one calls ``audit_reset_sending`` when it starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbuoy.store.db import Database, dumps, loads, now_ms
from workbuoy.store.types import AuditItem

_FIELDS = AuditItem.__struct_fields__
_COLUMNS = ", ".join(_FIELDS)


def _audit_item(row: tuple[Any, ...]) -> AuditItem:
    fields = dict(zip(_FIELDS, row))
    fields["payload"] = loads(fields["payload"])
    return AuditItem(**fields)


class AuditMixin:
    """Audit outbox methods of ``Store``."""

    _db: Database

    def audit_enqueue(self, event: str, payload: dict[str, Any]) -> int:
        """Queue an event; returns its id."""
        now = now_ms()
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO audit_queue (event, payload, earliest_at, created_at) VALUES (?, ?, ?, ?)",
                (event, dumps(payload), now, now),
            )
            return conn.last_insert_rowid()

    def audit_take(self, limit: int, *, now: int | None = None) -> list[AuditItem]:
        """Up to ``limit`` due events, oldest first, marked ``sending``."""
        with self._db.write() as conn:
            rows = conn.execute(
                "UPDATE audit_queue SET status = 'sending' WHERE id IN (SELECT id FROM audit_queue"
                " WHERE status = 'pending' AND earliest_at <= ? ORDER BY id LIMIT ?)"
                f" RETURNING {_COLUMNS}",
                (now_ms() if now is None else now, limit),
            ).fetchall()
        return sorted((_audit_item(row) for row in rows), key=lambda item: item.id)

    def audit_done(self, ids: Sequence[int]) -> None:
        """Delivered: the rows go (the server keeps the audit trail, not the client)."""
        with self._db.write() as conn:
            conn.executemany("DELETE FROM audit_queue WHERE id = ?", [(id_,) for id_ in ids])

    def audit_retry(self, ids: Sequence[int], earliest_at: int) -> None:
        """Not delivered: send again no sooner than ``earliest_at``."""
        with self._db.write() as conn:
            conn.executemany(
                "UPDATE audit_queue SET status = 'pending', attempt = attempt + 1, earliest_at = ? WHERE id = ?",
                [(earliest_at, id_) for id_ in ids],
            )

    def audit_reset_sending(self) -> int:
        """Put events a dead flusher was sending back to ``pending``; the count returned."""
        with self._db.write() as conn:
            conn.execute("UPDATE audit_queue SET status = 'pending' WHERE status = 'sending'")
            return conn.changes()

    def audit_depth(self) -> int:
        """Events not delivered yet (pending or sending)."""
        row = self._db.one("SELECT count(*) FROM audit_queue")
        return row[0] if row else 0
