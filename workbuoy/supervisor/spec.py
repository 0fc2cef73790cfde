"""Child specifications and the restart policy, after Erlang/OTP's supervisor (strategy one_for_one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Restart = Literal["permanent", "transient", "temporary"]


@dataclass(frozen=True)
class ChildSpec:
    """One actor: how to start it, when to restart it, how long it may take to stop.

    ``permanent`` is always restarted, ``transient`` only after an abnormal exit,
    ``temporary`` never.
    """

    name: str
    restart: Restart = "permanent"
    shutdown_sec: float = 5.0
    start_timeout_sec: float = 30.0


@dataclass(frozen=True)
class RestartPolicy:
    """How a crashed child is restarted (one_for_one: only that child), at most ``intensity`` times in ``period_sec``.

    OTP calls these limits the supervisor's intensity and period; ``missed_heartbeats``
    is how many beats may go missing before a live but stuck child counts as crashed.
    """

    intensity: int = 5
    period_sec: float = 30.0
    backoff_base_sec: float = 0.1
    backoff_max_sec: float = 5.0
    missed_heartbeats: int = 5

    def backoff(self, recent_restarts: int) -> float:
        """No wait for the first restart in a period, then doubling up to the cap."""
        if recent_restarts <= 1:
            return 0.0
        return min(self.backoff_max_sec, self.backoff_base_sec * 2 ** (recent_restarts - 2))


#: Start order; shutdown runs in reverse (the portal and the ui first, auth last).
DESKTOP = (
    ChildSpec("auth"),
    ChildSpec("sync"),
    ChildSpec("queue", shutdown_sec=10.0),
    ChildSpec("audit"),
    ChildSpec("plugins"),
    ChildSpec("ui"),
    ChildSpec("portal"),  # its WebEngine starts when the portal window first opens
)
HEADLESS = tuple(s for s in DESKTOP if s.name not in ("ui", "portal"))
