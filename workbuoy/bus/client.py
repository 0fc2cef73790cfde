"""A blocking bus client for the CLI, tools and tests.

Each client is a DEALER with a ``cli:<pid>:<random>`` identity, so the broker treats
it as the user's terminal (role ``cli``): it may call what a human may call, and
never obtains credentials.
"""

from __future__ import annotations

import itertools
import os
import secrets
import time
from collections.abc import Iterator
from typing import Any

import msgspec
import zmq

from workbuoy.bus.codec import as_payload, unwrap
from workbuoy.bus.errors import BusError
from workbuoy.bus.runtime import Endpoints
from workbuoy.schemas import envelope as env
from workbuoy.schemas.control import TraceRecord
from workbuoy.schemas.envelope import Kind


class Client:
    def __init__(self, endpoints: Endpoints, *, timeout: float = 10.0, identity: bytes | None = None) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        self._ctx = zmq.Context()
        self.socket = self._ctx.socket(zmq.DEALER)
        self.socket.linger = 0
        self.socket.identity = identity or f"cli:{os.getpid()}:{secrets.token_hex(4)}".encode()
        endpoints.secure_client(self.socket)
        self.socket.connect(endpoints.bus)
        self._cids = itertools.count(1)

    def call(self, channel: str, payload: Any = None, *, timeout: float | None = None) -> Any:
        """Send one request and wait for its reply; raise ``BusError`` on an error or a timeout."""
        cid = next(self._cids)
        self.socket.send(env.encode(Kind.REQ, channel, cid, as_payload(payload)))
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not self.socket.poll(int(left * 1000) + 1):
                raise BusError("timeout", f"no reply to {channel} within {timeout or self.timeout:g}s (is the node running?)")
            frames = self.socket.recv_multipart()
            e = env.decode(frames[-1])
            if e.cid == cid:
                return unwrap(e, channel)

    def send_raw(self, *frames: bytes) -> None:
        """Send frames as they are (for tests of the broker's refusal paths)."""
        self.socket.send_multipart(list(frames))

    def recv_raw(self, timeout: float) -> env.Envelope | None:
        if not self.socket.poll(int(timeout * 1000)):
            return None
        return env.decode(self.socket.recv_multipart()[-1])

    def close(self) -> None:
        self.socket.close(0)
        self._ctx.term()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Subscriber:
    """Events (``events``) or trace records (``trace``), filtered by channel prefix."""

    def __init__(self, endpoint: str, prefixes: tuple[str, ...] = ("",), *, endpoints: Endpoints | None = None) -> None:
        """``endpoints`` (``runtime.locate``) gives the keys a tcp bus asks for; an ipc bus needs none."""
        self._ctx = zmq.Context()
        self.socket = self._ctx.socket(zmq.SUB)
        self.socket.linger = 0
        if endpoints is not None:
            endpoints.secure_client(self.socket)
        for p in prefixes:
            self.socket.setsockopt(zmq.SUBSCRIBE, p.encode())
        self.socket.connect(endpoint)

    def recv(self, timeout: float) -> tuple[str, bytes] | None:
        if not self.socket.poll(int(timeout * 1000)):
            return None
        topic, body = self.socket.recv_multipart()
        return topic.decode(), body

    def events(self, timeout: float) -> Iterator[tuple[str, env.Envelope]]:
        """Yield ``(channel, envelope)`` until ``timeout`` seconds pass with nothing new."""
        while (msg := self.recv(timeout)) is not None:
            yield msg[0], env.decode(msg[1])

    def traces(self, timeout: float) -> Iterator[TraceRecord | None]:
        """Yield trace records; ``None`` after each ``timeout`` with nothing, so callers can check a stop flag."""
        decoder = msgspec.msgpack.Decoder(list[TraceRecord])  # the broker sends them in batches
        while True:
            msg = self.recv(timeout)
            if msg is None:
                yield None
            else:
                yield from decoder.decode(msg[1])

    def close(self) -> None:
        self.socket.close(0)
        self._ctx.term()
