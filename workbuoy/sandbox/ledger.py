"""Idempotency keys: the first response to a key is the response to every replay.

Keys are scoped per (user, method, path): the same key on another route is simply
another request (the client's op ids are unique anyway, and refusing it would punish
generic clients that reuse a key value across routes). Every response
produced once the key is accepted is recorded, refusals included (400 for a bad
body, 403, 404, 409, 412): the request itself is what the key names. Requests
refused before the key is looked at (401, 400 for a missing key) and injected
faults are not recorded, so a retry after them performs the write.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Recorded:
    status: int
    body: bytes
    seen: int = 1


class IdempotencyLedger:
    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], Recorded] = {}

    def replay(self, user_id: str, key: str, method: str, path: str) -> Recorded | None:
        """The recorded response for the key (counting this sighting), or ``None`` if new."""
        entry = self._entries.get((user_id, method, path, key))
        if entry is not None:
            entry.seen += 1
        return entry

    def record(self, user_id: str, key: str, method: str, path: str, status: int, body: bytes) -> None:
        self._entries[(user_id, method, path, key)] = Recorded(status, body)

    def listing(self) -> list[dict[str, object]]:
        return [
            {"key": key, "user": user, "method": method, "path": path, "status": e.status, "seen": e.seen}
            for (user, method, path, key), e in self._entries.items()
        ]
