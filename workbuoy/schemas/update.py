"""``wb:update:*``: the signed auto-update's state, served by the supervisor."""

from __future__ import annotations

from typing import Literal

from workbuoy.schemas.base import Msg, ShortText

UpdatePhase = Literal["idle", "checking", "up_to_date", "available", "ready", "refused", "failed", "applied", "rolled_back"]


class UpdateStatus(Msg):
    """``available``: a verified newer version that this install only reports;
    ``ready``: verified and staged, applied by ``wb:update:apply`` (or at once on an
    auto-updating headless node); ``refused``: ``reason`` names why (a metrics label)."""

    current: str
    channel: Literal["latest", "beta"]
    phase: UpdatePhase = "idle"
    checking: bool = False
    version: str | None = None
    reason: str = ""
    detail: ShortText = ""
    downloaded_bytes: int = 0
    checked_at: float | None = None
    auto: bool = False
