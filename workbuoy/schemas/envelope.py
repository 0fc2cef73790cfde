"""The frame every bus message travels in.

A frame is one msgpack array ``[kind, channel, cid, payload]``. The payload stays
raw msgpack until the broker validates it against the channel's request type, so
routing never decodes more than it has to.

msgspec decodes nested values recursively and gives up with ``RecursionError`` past
the interpreter's recursion limit (about 1,000 levels, fewer when called deep in a
stack); even the envelope recurses, to skip over its raw payload. Every decoder here
turns that into :class:`TooDeep`, a ``DecodeError``, so that a frame nested too deep
is one more refusal to count and answer, not an exception escaping a handler.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Generic, Literal, TypeVar

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
    "impostor",
    "invalid_payload",
    "too_deep",
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


class SpawnSecrets(Msg):
    """What the supervisor hands one actor process on its stdin, never in its environment or argv.

    ``key`` proves the hello; ``identity`` is the actor's routing identity on the bus,
    unguessable and new per spawn, so no other process can take its place or its
    replies; ``keyring_key`` goes to the auth actor only; ``curve_secret`` (Z85) is
    the spawn's CURVE secret key on a tcp bus, whose public half the ZAP handler admits.
    """

    key: str
    identity: str
    keyring_key: str | None = None
    curve_secret: str | None = None


#: A payload of msgpack ``nil``, for frames that carry nothing (acks, lifecycle).
NIL = msgspec.Raw(b"\xc0")

T = TypeVar("T")


class TooDeep(msgspec.DecodeError):
    """The data is nested deeper than the decoder can follow.

    ``header`` is the ``(kind, channel, cid)`` of a frame whose payload is the deep part,
    so that the refusal can still answer the request it refuses.
    """

    header: tuple[int, str, int] | None = None


class Decoder(Generic[T]):
    """A ``msgspec.msgpack.Decoder`` whose nesting limit raises :class:`TooDeep`."""

    def __init__(self, type: Any = Any) -> None:
        self._decoder = msgspec.msgpack.Decoder(type)

    def decode(self, data: bytes | msgspec.Raw) -> T:
        try:
            return self._decoder.decode(data)
        except RecursionError:
            raise TooDeep("nested too deep to decode") from None


_encoder = msgspec.msgpack.Encoder()
_envelope_decoder: Decoder[Envelope] = Decoder(Envelope)
_header_decoder = msgspec.msgpack.Decoder(tuple[int, str, int])
HEADER_MAX = 256


def encode(kind: Kind, channel: str, cid: int, payload: Any) -> bytes:
    """Encode a frame; ``payload`` is a Struct (or Raw when forwarding untouched)."""
    raw = payload if isinstance(payload, msgspec.Raw) else msgspec.Raw(_encoder.encode(payload))
    return _encoder.encode(Envelope(int(kind), channel, cid, raw))


def decode(frame: bytes) -> Envelope:
    """Decode a frame; raises ``msgspec.DecodeError`` (:class:`TooDeep` among them) or ``ValidationError`` on garbage."""
    try:
        return _envelope_decoder.decode(frame)
    except TooDeep as exc:
        exc.header = _header_of(frame)
        raise


def _header_of(frame: bytes) -> tuple[int, str, int] | None:
    """``(kind, channel, cid)`` read without the payload, or ``None``.

    The three are self-delimiting scalars at the start of the array, so the shortest
    prefix that decodes as three of them is exactly the header (channel names are short:
    a header longer than ``HEADER_MAX`` bytes is not looked for).
    """
    if frame[:1] != b"\x94":  # a fixarray of 4, as ``encode`` writes it
        return None
    for end in range(4, min(len(frame), HEADER_MAX)):
        try:
            return _header_decoder.decode(b"\x93" + frame[1:end])
        except (msgspec.DecodeError, msgspec.ValidationError):
            continue
    return None


class ForkRequest(Msg):
    """The supervisor asks the zygote (``actors/zygote.py``) for one actor process.

    It carries no secret: the actor's stdin (a pipe the supervisor writes the
    ``SpawnSecrets`` into after the fork) and its log file travel beside it as file
    descriptors (``SCM_RIGHTS``), so the zygote never sees them.
    """

    name: str
    environ: dict[str, str]


class ForkReply(Msg):
    """The forked actor's pid (already re-parented to the supervisor), or why there is none."""

    pid: int = 0
    error: str = ""
