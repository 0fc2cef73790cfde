"""The event path of the broker: an event is checked against the registry (who may
publish it, what its payload is) and fanned out on the PUB socket, traced while traced."""

from __future__ import annotations

import msgspec
import zmq

from workbuoy.bus.refusals import Refusals
from workbuoy.bus.stats import BusStats
from workbuoy.bus.trace import TraceTap
from workbuoy.schemas import envelope as env
from workbuoy.schemas.envelope import Kind
from workbuoy.schemas.registry import EVENTS


class Fanout:
    def __init__(self, socket: zmq.Socket, stats: BusStats, tap: TraceTap, no: Refusals) -> None:
        self.socket, self.stats, self.tap, self.no = socket, stats, tap, no
        self._decoders = {name: env.Decoder(ev.payload) for name, ev in EVENTS.items()}

    def publish(self, channel: str, payload: msgspec.Struct) -> None:
        """An event of the supervisor's own (trusted: typed by the caller, not counted as bus traffic)."""
        self._send(channel, env.encode(Kind.EVT, channel, 0, payload), "supervisor", payload)

    def relay(self, ident: bytes, e: env.Envelope, frame: bytes, role: str | None) -> None:
        """A peer's event: dropped and counted unless its role may publish it and its payload is valid."""
        ev = EVENTS.get(e.channel)
        if ev is None or role not in ev.publishers:
            self.no.drop_event(ident, e.channel, "unknown_event" if ev is None else "forbidden", f"from {role}")
            return
        try:
            self._decoders[e.channel].decode(e.payload)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            self.no.drop_event(ident, e.channel, "too_deep" if isinstance(exc, env.TooDeep) else "invalid_payload", str(exc))
            return
        self.stats.count(e.channel, "evt")
        self._send(e.channel, frame, role or "?", e.payload)

    def _send(self, channel: str, frame: bytes, publisher: str, payload: object) -> None:
        self.socket.send_multipart([channel.encode(), frame])
        if self.tap.tracers:
            self.tap.record(Kind.EVT, channel, 0, publisher, "*", len(frame), payload)
