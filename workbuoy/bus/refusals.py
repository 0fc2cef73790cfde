"""How the broker says no: an error reply, a count in ``wb_desktop_invalid_ipc_total``, a log line, a trace record.

Refusals are logged through :class:`workbuoy.logs.Repeats`: the first of a kind per
peer, channel and reason each minute, then a count, so a flood cannot rotate the log
away. An impostor is logged once per identity.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import msgspec

from workbuoy import logs as wblog
from workbuoy import metrics
from workbuoy.bus.peers import Peers
from workbuoy.bus.trace import TraceTap
from workbuoy.schemas import envelope as env
from workbuoy.schemas.envelope import ErrorInfo, Kind
from workbuoy.schemas.registry import CHANNELS, EVENTS, SECRET_CHANNELS

log = wblog.create("bus")

_builtins_decoder: env.Decoder[Any] = env.Decoder()


class Refusals:
    """Sends through ``send_to`` (the broker's); names peers as ``peers`` knows them; records on ``tap``."""

    def __init__(self, send_to: Callable[[bytes, bytes], None], peers: Peers, tap: TraceTap) -> None:
        self.send_to = send_to
        self._peers = peers
        self._tap = tap
        self._repeats = wblog.Repeats(log)

    def count(self, channel: str, reason: str) -> None:
        metrics.invalid_ipc.labels(channel if channel in CHANNELS or channel in EVENTS else "?", reason).inc()

    def refuse(self, ident: bytes, cid: int, channel: str, code: str, message: str, *, count: bool = True) -> None:
        if count:
            self.count(channel, code)
        self._repeats.log(logging.INFO, (ident, channel, code), "refused %.100s from %r: %s: %.300s",
                          channel, ident[:40], code, message)
        frame = env.encode(Kind.ERR, channel, cid, ErrorInfo(code=code, message=message))
        self.send_to(ident, frame)
        if self._tap.tracers:
            receiver = self._peers.role(ident) or ident.decode(errors="replace")[:64]
            self._tap.record(Kind.ERR, channel, cid, "broker", receiver, len(frame), None, error=f"{code}: {message}")

    def invalid_payload(self, ident: bytes, cid: int, channel: str, why: str, payload: msgspec.Raw) -> None:
        """Refused as ``invalid_payload``; the payload itself is logged too (masked by the log filter), unless secret."""
        self.refuse(ident, cid, channel, "invalid_payload", why)
        if channel not in SECRET_CHANNELS:
            self._repeats.log(logging.INFO, (ident, channel, "excerpt"), "invalid %s payload was: %.300r",
                              channel, _excerpt(payload))

    def impostor(self, ident: bytes, cid: int, channel: str) -> None:
        """A peer that poses as an actor it did not prove to be: counted always, logged once per identity."""
        self.count(channel, "impostor")
        if self._peers.first_impostor_sighting(ident):
            log.warning("impostor on the bus: identity %r is not an actor this supervisor started", ident[:40])
        message = "not an actor this supervisor started"
        frame = env.encode(Kind.ERR, channel, cid, ErrorInfo(code="impostor", message=message))
        self.send_to(ident, frame)
        if self._tap.tracers:
            self._tap.record(Kind.ERR, channel, cid, "broker", "impostor", len(frame), None, error=f"impostor: {message}")

    def drop_event(self, ident: bytes, channel: str, reason: str, why: str) -> None:
        """An event that is not published: counted, logged like a refusal (an event has no reply)."""
        self.count(channel, reason)
        self._repeats.log(logging.WARNING, (ident, channel, reason), "dropped event %.100s from %r: %s: %.300s",
                          channel, ident[:40], reason, why)


def _excerpt(payload: msgspec.Raw) -> object:
    """The refused payload for the log (the log's filter masks secrets and e-mails)."""
    try:
        return _builtins_decoder.decode(payload)
    except msgspec.DecodeError:
        return bytes(payload)[:300]
