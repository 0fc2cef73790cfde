"""The frame every bus message travels in.

A frame is one msgpack array ``[kind, channel, cid, payload]``. The payload stays
raw msgpack until the broker validates it against the channel's request type, so
routing never decodes more than it has to.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Literal

import msgspec

from workbuoy.schemas.base import Msg


class Kind(IntEnum):
    REQ = 1  # request, answered by exactly one REP or ERR
    REP = 2
    ERR = 3
    EVT = 4  # published to every subscriber of the channel
    HELLO = 5  # an actor proves who it is (its spawn key)
    READY = 6  # the actor finished starting
    HB = 7  # heartbeat
    BYE = 8  # orderly stop


class Envelope(msgspec.Struct, array_like=True):
    kind: int
    channel: str
    cid: int
    payload: msgspec.Raw = msgspec.Raw(b"\x80")


ErrorCode = Literal[
    "malformed",
    "too_large",
    "unknown_channel",
    "forbidden",
    "invalid_payload",
    "not_implemented",
    "unavailable",
    "timeout",
    "unauthenticated",
    "failed",
    "storage",
    "internal",
]


class ErrorInfo(Msg):
    code: ErrorCode
    message: str
    detail: Any = None


class Hello(Msg):
    name: str
    key: str
    pid: int


#: A payload of msgpack ``nil``, for frames that carry nothing (acks, lifecycle).
NIL = msgspec.Raw(b"\xc0")

_encoder = msgspec.msgpack.Encoder()
_envelope_decoder = msgspec.msgpack.Decoder(Envelope)


def encode(kind: Kind, channel: str, cid: int, payload: Any) -> bytes:
    """Encode a frame; ``payload`` is a Struct (or Raw when forwarding untouched)."""
    raw = payload if isinstance(payload, msgspec.Raw) else msgspec.Raw(_encoder.encode(payload))
    return _encoder.encode(Envelope(int(kind), channel, cid, raw))


def decode(frame: bytes) -> Envelope:
    """Decode a frame; raises ``msgspec.DecodeError`` or ``ValidationError`` on garbage."""
    return _envelope_decoder.decode(frame)
