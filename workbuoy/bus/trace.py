"""The trace tap: every routed message, masked, published in batches only while a tracer listens.

The tap is an XPUB socket: its subscriptions tell the broker whether anybody traces,
so routing pays for records only while ``workbuoy trace`` runs.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
import zmq

from workbuoy import metrics
from workbuoy.masking import mask_obj
from workbuoy.schemas import envelope as env
from workbuoy.schemas.control import TraceRecord
from workbuoy.schemas.envelope import Kind
from workbuoy.schemas.registry import SECRET_CHANNELS

TRACE_TOPIC = b"trace"
TRACE_BATCH = 256  # records per trace message at most
TRACE_MAX_DELAY_SEC = 0.01  # a record waits at most this long (plus one poll tick) for its batch

_builtins_decoder: env.Decoder[Any] = env.Decoder()
_KIND_NAMES = {k.value: k.name.lower() for k in Kind}


class TraceTap:
    """Counts the tracers subscribed to ``socket`` (an XPUB) and batches records for them."""

    def __init__(self, socket: zmq.Socket) -> None:
        self.socket = socket
        self.tracers = 0
        self._batch: list[TraceRecord] = []
        self._since = 0.0

    def drain_subscriptions(self) -> None:
        while True:
            try:
                msg = self.socket.recv(zmq.NOBLOCK)
            except zmq.Again:
                return
            if not TRACE_TOPIC.startswith(msg[1:]):  # a topic that would never receive a record
                continue
            if msg[:1] == b"\x01":
                self.tracers += 1
            elif msg[:1] == b"\x00":
                self.tracers = max(0, self.tracers - 1)

    def record(self, kind: int, channel: str, cid: int, sender: str, receiver: str, size: int, body: Any, *,
               latency: float | None = None, error: str | None = None) -> None:
        """Queue a trace record; ``body`` is a Struct, builtins, raw msgpack or ``None``."""
        if channel in SECRET_CHANNELS:
            shown: Any = "<secret>"
        elif isinstance(body, msgspec.Raw):
            try:
                shown = mask_obj(_builtins_decoder.decode(body))
            except msgspec.DecodeError:
                shown = "<unreadable>"
        else:
            shown = mask_obj(body)  # walks Structs too
        record = TraceRecord(
            ts=time.time(), kind=_KIND_NAMES.get(kind, "?"), channel=channel, cid=cid, sender=sender,
            receiver=receiver, size=size, payload=shown,
            latency_ms=None if latency is None else round(latency * 1000, 3), error=error,
        )
        if not self._batch:
            self._since = time.monotonic()
        self._batch.append(record)

    def flush(self, *, force: bool = False) -> None:
        """Send the tapped records as one message once the batch is full or old enough.

        Batching pays the socket send (here) and the wake-up and receive (in the tracer)
        once per batch instead of once per routed message.
        """
        if not self._batch or not (
            force or len(self._batch) >= TRACE_BATCH or time.monotonic() - self._since >= TRACE_MAX_DELAY_SEC
        ):
            return
        batch, self._batch = self._batch, []
        try:
            self.socket.send_multipart([TRACE_TOPIC, msgspec.msgpack.encode(batch)], zmq.NOBLOCK)
        except zmq.Again:  # the tracer is slower than the bus: drop and count, never block routing
            metrics.trace_dropped.inc(len(batch))
