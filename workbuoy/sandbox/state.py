"""Everything one sandbox server holds, in one place the routes reach through ``app.state``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbuoy.sandbox.auth import Sessions
from workbuoy.sandbox.cursor import CursorCodec
from workbuoy.sandbox.faults import FaultInjector, Faults
from workbuoy.sandbox.ledger import IdempotencyLedger
from workbuoy.sandbox.seed import Dataset
from workbuoy.sandbox.stats import RequestStats
from workbuoy.sandbox.store import Store


@dataclass
class Settings:
    """What the command line decides; the server's identity derives from it."""

    rows: int = 1400
    orgs: int = 2
    seed: int = 1
    token_ttl: int = 900
    faults: Faults = field(default_factory=Faults)
    releases: Path | None = None  # folder of releases written by the release command


class Sandbox:
    def __init__(self, settings: Settings, origin: str) -> None:
        self.settings = settings
        self.origin = origin
        self.data = Dataset(settings.rows, settings.orgs, settings.seed)
        self.store = Store(self.data)
        self.sessions = Sessions(self.data, settings.token_ttl)
        self.codec = CursorCodec(settings.seed)
        self.ledger = IdempotencyLedger()
        self.audit: list[dict[str, Any]] = []
        # Set by app.build_app once the middleware exists.
        self.injector: FaultInjector
        self.stats: RequestStats

    def reset(self) -> None:
        """Back to the state right after start: no overlay, writes, audit, stats; flag faults."""
        self.store.reset()
        self.ledger = IdempotencyLedger()
        self.audit.clear()
        self.stats.reset()
        self.injector.set(self.settings.faults)
        self.injector.counts.clear()
