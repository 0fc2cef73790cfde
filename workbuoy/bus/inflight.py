"""Requests the broker has taken but not yet answered: held for a starting actor, or pending a reply.

An actor gets requests only once its ``start()`` is done (READY). A request that
arrives while its owner is spawned but not ready is *held*, up to ``hold_sec`` and
``limit`` requests per actor, and goes on at READY; one that waits longer, or finds
the queue full, is refused ``unavailable`` ("the X actor is starting"). So nothing
reaches an actor before its resources exist, and a caller is not left to its own
timeout. A request sent on is *pending* until its reply passes (for the latency
histogram) or its owner is forgotten (its caller gets ``unavailable`` at once).
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass

HOLD_SEC = 5.0
HOLD_LIMIT = 1000  # held requests per actor
PENDING_TTL_SEC = 120.0  # a caller waits far less: the entry only feeds the latency histogram
SWEEP_EVERY_SEC = 10.0


@dataclass(frozen=True, slots=True)
class Request:
    caller: bytes  # routing identity of the caller
    tag: bytes  # how the actor sees the caller
    cid: int
    channel: str
    frame: bytes
    since: float


class InFlight:
    def __init__(self, hold_sec: float = HOLD_SEC, limit: int = HOLD_LIMIT) -> None:
        self.hold_sec = hold_sec
        self.limit = limit
        self._held: defaultdict[str, deque[Request]] = defaultdict(deque)
        self._pending: dict[tuple[bytes, int], tuple[Request, str]] = {}  # (caller, cid) -> (request, owner)
        self._swept = time.monotonic()

    def hold(self, owner: str, request: Request) -> bool:
        """Keep ``request`` until ``owner`` is ready; False when its queue is full (refuse it then)."""
        waiting = self._held[owner]
        if len(waiting) >= self.limit:
            return False
        waiting.append(request)
        return True

    def release(self, owner: str) -> list[Request]:
        """Everything held for ``owner``, oldest first: to send on (it is ready) or refuse (it is stopping)."""
        return list(self._held.pop(owner, ()))

    def sent(self, owner: str, request: Request) -> None:
        self._pending[(request.caller, request.cid)] = (request, owner)

    def answered(self, caller: bytes, cid: int) -> Request | None:
        """The request a reply answers, if it is still known."""
        found = self._pending.pop((caller, cid), None)
        return None if found is None else found[0]

    def gone(self, owner: str) -> list[Request]:
        """Remove and return everything held for or pending at ``owner``: its callers must hear it now."""
        out = list(self._held.pop(owner, ()))
        for key, (request, at) in list(self._pending.items()):
            if at == owner:
                del self._pending[key]
                out.append(request)
        return out

    def expired(self, now: float) -> list[tuple[str, Request]]:
        """Remove and return the requests held longer than ``hold_sec`` (cheap: checks only the oldest of each).

        Every ``SWEEP_EVERY_SEC`` it also forgets pending requests past their TTL.
        """
        if now - self._swept > SWEEP_EVERY_SEC:
            self.sweep(now)
        out = []
        for owner, waiting in self._held.items():
            while waiting and now - waiting[0].since > self.hold_sec:
                out.append((owner, waiting.popleft()))
        return out

    def sweep(self, now: float) -> None:
        """Forget pending requests past their TTL (callers that gave up long ago)."""
        self._swept = now
        self._pending = {k: v for k, v in self._pending.items() if now - v[0].since < PENDING_TTL_SEC}
