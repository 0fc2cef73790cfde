"""Idempotency keys: the first successful response to a key answers every replay.

Keys are scoped per (user, method, path): the same key on another route is simply
another request (the client's op ids are unique anyway, and refusing it would punish
generic clients that reuse a key value across routes). On the same route a replay
must be the same request — same query, ``If-Match`` and JSON body (compared after
canonicalisation, so key order and whitespace do not matter) — else 422: a key
reused for different content is a client bug that must not be answered with an
unrelated result.

Only 2xx responses are stored for replay. A refusal (400, 403, 404, 409, 412)
changed nothing, so a retry with the same key is evaluated afresh: an outbox item
that failed with 404 and is retried once the row exists goes out. Every sighting
is still counted for ``/_sandbox/writes`` (``seen``), and ``applied`` counts the times a
request under the key really ran and succeeded: exactly-once means ``applied == 1`` for
every key (two requests racing under one key would both run and show 2); injected
faults never reach the ledger.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import msgspec


@dataclass(slots=True)
class Sighting:
    fingerprint: bytes
    seen: int = 0
    status: int = 0  # of the latest attempt
    applied: int = 0  # runs that succeeded (not replays)
    body: bytes | None = None  # the stored 2xx response, once there is one


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
        self._entries: dict[tuple[str, str, str, str], Sighting] = {}

    def sight(self, user_id: str, key: str, method: str, path: str, print_: bytes) -> Sighting:
        """Count this use of the key; ``.body`` is set when it is a replay of a success."""
        entry = self._entries.setdefault((user_id, method, path, key), Sighting(print_))
        entry.seen += 1
        if entry.fingerprint != print_:
            raise KeyReused("Idempotency-Key already used on this route for a different request")
        return entry

    @staticmethod
    def settle(entry: Sighting, status: int, body: bytes) -> None:
        entry.status = status
        if 200 <= status < 300:
            entry.body = body
            entry.applied += 1

    def listing(self) -> list[dict[str, object]]:
        return [
            {"key": key, "user": user, "method": method, "path": path, "status": e.status, "seen": e.seen,
             "applied": e.applied}
            for (user, method, path, key), e in self._entries.items()
        ]
