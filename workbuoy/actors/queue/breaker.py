"""The breaker: is the server there? Decided from the sends' own outcomes, not from attempts.

An outage is a fact about the server, not about any one write. So the first send that
gets no HTTP answer at all (refused, dropped, timed out, TLS or proxy failure), a lost
session, or ``threshold`` server errors in a row (5xx, unreadable answers: what a load
balancer or a captive portal says while the backend is gone) *open* the breaker: the
flusher stops leasing and probes with back-off; sends still under way are put back
without being charged an attempt. The first healthy answer to a probe *closes* it and
the flush resumes at once. Each change is handed to ``on_change`` (the actor publishes
it as ``wb:server:state``).
"""

from __future__ import annotations

from collections.abc import Callable

from workbuoy import api
from workbuoy.schemas.outbox import ServerState
from workbuoy.store.db import now_ms


def reason_of(exc: api.ApiError) -> str:
    """What went wrong in a few words before the details: the outbox shows the words alone
    ("last: server unavailable"), ``lastError`` keeps the details."""
    if isinstance(exc, api.TransportError):
        return f"unreachable: {exc.message}"
    if isinstance(exc, api.Unauthenticated):
        return f"signed out: {exc.message}"
    if isinstance(exc, api.RateLimited):
        return f"rate limited: {exc.message}"
    if isinstance(exc, api.ProtocolError):
        return f"unreadable answer: {exc.message}"
    return f"server unavailable: {exc.message}"


def _bad_answer(exc: api.ApiError) -> bool:
    """The server (or what stands in front of it) answered, but with an error a retry may cure."""
    return isinstance(exc, api.ProtocolError) or (isinstance(exc, api.ServerUnavailable) and exc.status >= 500)


class Breaker:
    def __init__(self, threshold: int, on_change: Callable[[ServerState], None]) -> None:
        self.threshold = threshold
        self.state = ServerState(online=True, since=now_ms())
        self._on_change = on_change
        self._bad_in_a_row = 0

    @property
    def closed(self) -> bool:
        return self.state.online

    def failed(self, exc: api.ApiError) -> bool:
        """Count one failed send; True when this very failure opened the breaker."""
        if isinstance(exc, (api.TransportError, api.Unauthenticated)):
            reason = reason_of(exc)
        elif _bad_answer(exc):
            self._bad_in_a_row += 1
            if self._bad_in_a_row < self.threshold:
                return False
            reason = f"{self._bad_in_a_row} server errors in a row, the last: {exc.message}"
        else:  # e.g. 429: the server is there and says when to come back
            self._bad_in_a_row = 0
            return False
        if self.closed:
            self._set(ServerState(online=False, since=now_ms(), reason=reason))
            return True
        return False

    def answered(self) -> None:
        """A healthy answer to a send: server errors are no longer "in a row"."""
        self._bad_in_a_row = 0

    def probing(self, next_probe_at: int) -> None:
        """Record when the next probe goes out (shown by ``wb:queue:status``; no event)."""
        self.state = ServerState(online=False, since=self.state.since, reason=self.state.reason,
                                 next_probe_at=next_probe_at)

    def close(self) -> None:
        self._bad_in_a_row = 0
        if not self.closed:
            self._set(ServerState(online=True, since=now_ms()))

    def _set(self, state: ServerState) -> None:
        self.state = state
        self._on_change(state)
