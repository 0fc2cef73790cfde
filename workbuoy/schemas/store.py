"""Store events: the local disk failed an actor."""

from __future__ import annotations

from typing import Literal

from workbuoy.schemas.base import Msg

StoreFaultKind = Literal["full", "corrupt", "io"]


class StoreFault(Msg):
    """Event ``wb:store:fault``: SQLite answered disk full, corrupt or I/O error. At most one per
    actor and kind a minute; the node keeps running and the request that hit it got an error."""

    actor: str
    where: str  # the channel, or the timer, that hit it
    kind: StoreFaultKind
    message: str
