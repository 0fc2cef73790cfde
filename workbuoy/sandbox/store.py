"""Server-side state: the seeded base rows plus an in-memory overlay of changes.

Every change (client write, admin edit, delete) writes the row's new version into
the overlay with an ``updated_at`` from :meth:`Store.tick`, which is larger than every
timestamp issued before it and than every base row. Hence each stream is

    base rows (computed, sorted)  ++  overlay log (appended, sorted)

and a page is the base rows after the cursor (skipping those the overlay shadows)
followed by the overlay entries after the cursor — no sort and no scan of the
whole stream. The overlay lives in memory: a restart or ``/_sandbox/reset`` drops it.
"""

from __future__ import annotations

import re
import time
import uuid
from bisect import bisect_right, insort
from collections.abc import Iterator
from itertools import chain
from dataclasses import dataclass
from typing import Any

from workbuoy.sandbox.cursor import Position
from workbuoy.sandbox.seed import PREFIX, Dataset, Row
from workbuoy.schemas.base import ENTITIES

#: Fields the server owns; a client payload cannot set them.
SERVER_FIELDS = frozenset({"updated_at", "deleted", "created_at"})
#: Fields that identify a row; a payload may repeat them but not change them.
KEY_FIELDS = ("id", "org_id")
ID_PATTERN = re.compile(r"[A-Za-z0-9_.:@\-]{1,128}")


class WriteError(Exception):
    """A write the server refuses; ``row`` is the server's version when there is one."""

    def __init__(self, status: int, message: str, row: Row | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.row = row


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Row]
    last: Position
    has_more: bool


class Store:
    def __init__(self, data: Dataset) -> None:
        self.data = data
        self.reset()

    def reset(self) -> None:
        self._overlay: dict[str, dict[str, Row]] = {e: {} for e in ENTITIES}
        self._log: dict[tuple[str, str], list[tuple[int, str]]] = {s: [] for s in self.data.counts}
        self._clock = self.data.max_ms
        self._horizon = 0

    # -- time -------------------------------------------------------------------------

    def tick(self) -> int:
        """A fresh ``updated_at``: wall-clock ms, but always after anything issued or promised."""
        self._clock = max(int(time.time() * 1000), self._clock + 1, self._horizon)
        return self._clock

    def last_modified(self, entity: str, org_id: str) -> int:
        """The ``Last-Modified`` second (epoch s) of a stream: strictly after its newest change.

        HTTP dates have one-second resolution. Rounding *up* and promising (through
        the horizon) that every later change gets a timestamp at or after that
        second makes ``If-Modified-Since`` exact: 304 means nothing changed.
        """
        log = self._log[(entity, org_id)]
        n = self.data.count(entity, org_id)
        newest = log[-1][0] if log else self.data.updated_at(entity, org_id, n - 1) if n else 0
        seconds = newest // 1000 + 1
        self._horizon = max(self._horizon, seconds * 1000)
        return seconds

    # -- reads ------------------------------------------------------------------------

    def get(self, entity: str, row_id: str) -> Row | None:
        """The server's version of a row, tombstones included; ``None`` if it never existed."""
        row = self._overlay[entity].get(row_id)
        if row is not None:
            return row
        found = self.data.locate(entity, row_id)
        return self.data.row(entity, found[0], found[1]) if found else None

    def page(self, entity: str, org_id: str, after: Position, limit: int) -> Page:
        shadow = self._overlay[entity]
        n = self.data.count(entity, org_id)
        items: list[Row] = []
        i = self.data.index_after(entity, org_id, after.updated_at, after.id)
        while i < n and len(items) <= limit:
            if self.data.base_id(entity, org_id, i) not in shadow:
                items.append(self.data.row(entity, org_id, i))
            i += 1
        if len(items) <= limit:
            log = self._log[(entity, org_id)]
            start = bisect_right(log, after.key())
            items.extend(shadow[rid] for _, rid in log[start : start + limit + 1 - len(items)])
        has_more = len(items) > limit
        del items[limit:]
        last = Position(items[-1]["updated_at"], items[-1]["id"]) if items else after
        return Page(items, last, has_more)

    def live_rows(self, entity: str, org_id: str, *, deleted: bool = False) -> Iterator[Row]:
        """Every row of a stream in sync order, as of now (later changes do not show)."""
        shadow = dict(self._overlay[entity])
        log = list(self._log[(entity, org_id)])
        base = (i for i in range(self.data.count(entity, org_id)) if self.data.base_id(entity, org_id, i) not in shadow)
        changed = (shadow[rid] for _, rid in log if deleted or not shadow[rid].get("deleted"))
        return chain((self.data.row(entity, org_id, i) for i in base), changed)

    # -- writes -----------------------------------------------------------------------

    def _save(self, entity: str, row: Row) -> Row:
        old = self._overlay[entity].get(row["id"])
        log = self._log[(entity, row["org_id"])]
        if old is not None:
            del log[bisect_right(log, (old["updated_at"], old["id"])) - 1]
        row["updated_at"] = self.tick()
        self._overlay[entity][row["id"]] = row
        insort(log, (row["updated_at"], row["id"]))
        return row

    def new_id(self, entity: str, org_id: str) -> str:
        """A server-assigned id; never of the base-row shape, so never taken."""
        return f"{PREFIX[entity]}-{org_id[4:]}-{uuid.uuid4().hex[:16]}"

    def create(self, entity: str, org_id: str, payload: dict[str, Any]) -> Row:
        row_id = payload.get("id") or self.new_id(entity, org_id)
        if not isinstance(row_id, str) or not ID_PATTERN.fullmatch(row_id):
            raise WriteError(400, "id must be 1..128 characters of A-Z a-z 0-9 _ . : @ -")
        existing = self.get(entity, row_id)
        if existing is not None:
            raise WriteError(409, f"{entity}/{row_id} already exists", existing)
        row = {k: v for k, v in payload.items() if k not in SERVER_FIELDS}
        row.update(id=row_id, org_id=org_id)
        saved = self._save(entity, row)
        saved["created_at"] = saved["updated_at"]
        return saved

    def _current(self, entity: str, row_id: str, if_match: int | None) -> Row:
        row = self.get(entity, row_id)
        if row is None:
            raise WriteError(404, f"{entity}/{row_id} not found")
        if if_match is not None and row["updated_at"] != if_match:
            raise WriteError(412, f"{entity}/{row_id} changed on the server", row)
        return row

    def update(self, entity: str, row_id: str, patch: dict[str, Any], if_match: int | None = None) -> Row:
        """JSON merge patch (RFC 7396, one level): ``null`` removes a field."""
        row = self._current(entity, row_id, if_match)
        if row.get("deleted"):
            raise WriteError(409, f"{entity}/{row_id} is deleted", row)
        for key in KEY_FIELDS:
            if key in patch and patch[key] != row[key]:
                raise WriteError(400, f"{key} cannot be changed")
        new = dict(row)
        for key, value in patch.items():
            if key in SERVER_FIELDS or key in KEY_FIELDS:
                continue
            if value is None:
                new.pop(key, None)
            else:
                new[key] = value
        return self._save(entity, new)

    def upsert(self, entity: str, row_id: str, patch: dict[str, Any]) -> Row:
        """Admin edit: merge into the row (reviving a tombstone) or create it."""
        row = self.get(entity, row_id)
        if row is None:
            org_id = patch.get("org_id") or self.data.org_ids[0]
            if org_id not in self.data.org_ids:
                raise WriteError(400, f"unknown org {org_id!r}")
            return self.create(entity, org_id, {**patch, "id": row_id})
        new = {k: v for k, v in row.items() if k != "deleted"}
        new.update((k, v) for k, v in patch.items() if k not in SERVER_FIELDS and k not in KEY_FIELDS)
        return self._save(entity, new)

    def delete(self, entity: str, row_id: str, if_match: int | None = None) -> Row:
        """Replace the row by a tombstone; deleting a tombstone returns it unchanged."""
        row = self._current(entity, row_id, if_match)
        if row.get("deleted"):
            return row
        return self._save(entity, {"id": row_id, "org_id": row["org_id"], "deleted": True})
