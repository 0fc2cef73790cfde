"""Typed replies: turn a reply frame into the channel's reply Struct or a ``BusError``."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import msgspec

from workbuoy.bus.errors import BusError
from workbuoy.schemas.envelope import Envelope, ErrorInfo, Kind
from workbuoy.schemas.registry import CHANNELS

_error_decoder = msgspec.msgpack.Decoder(ErrorInfo)
_any_decoder = msgspec.msgpack.Decoder()


@lru_cache(maxsize=None)
def reply_decoder(channel: str) -> msgspec.msgpack.Decoder:
    ch = CHANNELS.get(channel)
    return msgspec.msgpack.Decoder(ch.reply) if ch else _any_decoder


def unwrap(e: Envelope, channel: str) -> Any:
    """The reply payload of ``e`` decoded as ``channel``'s reply type; raise on an error reply."""
    if e.kind == Kind.ERR:
        try:
            info = _error_decoder.decode(e.payload)
        except (msgspec.DecodeError, msgspec.ValidationError):
            raise BusError("malformed", "unreadable error reply") from None
        raise BusError(info.code, info.message, info.detail)
    return reply_decoder(channel).decode(e.payload)


def as_payload(payload: Any) -> Any:
    """Accept a Struct, a plain dict (validated by the broker) or ``None`` (an empty request)."""
    return {} if payload is None else payload
