"""Opaque sync cursors: a signed ``(entity, org, updated_at, id)`` position.

A cursor names the last row a client has seen, not a page number, so it stays
meaningful while rows change between pages and after a restart (the signing key
comes from the seed). It is bound to its stream: a ``deals`` cursor sent to
``tickets`` is refused like a tampered one.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbuoy.sandbox.signing import BadSignature, Signer

_VERSION = 1


class BadCursor(ValueError):
    """The cursor was not issued by this server for this stream."""


@dataclass(frozen=True, slots=True)
class Position:
    updated_at: int
    id: str

    def key(self) -> tuple[int, str]:
        return (self.updated_at, self.id)


#: Before every row: where a sync without a cursor starts.
START = Position(-1, "")


class CursorCodec:
    def __init__(self, seed: int) -> None:
        self._signer = Signer(seed, "cursor")

    def encode(self, entity: str, org_id: str, pos: Position) -> str:
        return self._signer.sign([_VERSION, entity, org_id, pos.updated_at, pos.id])

    def decode(self, entity: str, org_id: str, cursor: str) -> Position:
        try:
            payload = self._signer.unsign(cursor)
        except BadSignature as exc:
            raise BadCursor(f"invalid cursor ({exc})") from None
        match payload:
            case [1, str(e), str(o), int(ua), str(row_id)] if (e, o) == (entity, org_id):
                return Position(ua, row_id)
            case [1, str(), str(), int(), str()]:
                raise BadCursor("cursor belongs to another entity or org")
        raise BadCursor("invalid cursor (unknown layout)")
