"""Idempotency keys: the first response to a key is the response to every replay.

Keys are scoped per (user, method, path): the same key on another route is simply
another request (the client's op ids are unique anyway, and refusing it would punish
generic clients that reuse a key value across routes). On the same route a replay
must be the same request — same query, ``If-Match`` and JSON body (compared after
canonicalisation, so key order and whitespace do not matter) — else 422, as a key
reused for different content is a client bug that must not be silently answered
with an unrelated result. Every response
produced once the key is accepted is recorded, refusals included (400 for a bad
body, 403, 404, 409, 412): the request itself is what the key names. Requests
refused before the key is looked at (401, 400 for a missing key) and injected
faults are not recorded, so a retry after them performs the write.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import msgspec


@dataclass(slots=True)
class Recorded:
    fingerprint: bytes
    status: int
    body: bytes
    seen: int = 1


class KeyReused(ValueError):
    """The key was first used on this route for a request with other content."""


def fingerprint(query: str, if_match: str | None, body: bytes) -> bytes:
    """What must match for a replay: the body canonicalised when it is JSON, else its bytes."""
    try:
        canonical = msgspec.json.encode(msgspec.json.decode(body), order="sorted") if body else b""
    except msgspec.DecodeError:
        canonical = body
    parts = msgspec.json.encode([query, if_match]) + b"\0" + canonical
    return hashlib.blake2b(parts, digest_size=16).digest()


class IdempotencyLedger:
    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], Recorded] = {}

    def replay(self, user_id: str, key: str, method: str, path: str, print_: bytes) -> Recorded | None:
        """The recorded response for the key (counting this sighting), or ``None`` if new."""
        entry = self._entries.get((user_id, method, path, key))
        if entry is None:
            return None
        entry.seen += 1
        if entry.fingerprint != print_:
            raise KeyReused("Idempotency-Key already used on this route for a different request")
        return entry

    def record(self, user_id: str, key: str, method: str, path: str, print_: bytes, status: int, body: bytes) -> None:
        self._entries[(user_id, method, path, key)] = Recorded(print_, status, body)

    def listing(self) -> list[dict[str, object]]:
        return [
            {"key": key, "user": user, "method": method, "path": path, "status": e.status, "seen": e.seen}
            for (user, method, path, key), e in self._entries.items()
        ]
