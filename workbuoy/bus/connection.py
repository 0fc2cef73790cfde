"""An actor's asyncio connection to the broker (a DEALER and a SUB): calls, handlers, events.

Incoming requests arrive as ``[caller, frame]``. A request whose handler gives its reply
at once (a plain function: nothing to wait for) is answered in the wake-up that read it,
every ready frame in turn; one that must wait (a coroutine) runs as its own task, so a
slow handler never delays heartbeats or other requests. Replies to our own calls
arrive as a single frame and resolve the future waiting on their correlation id.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import msgspec
import zmq

from workbuoy import logs as wblog
from workbuoy.bus.codec import as_payload, unwrap
from workbuoy.bus.errors import BusError, error_info
from workbuoy.bus.runtime import Endpoints, KeyPair
from workbuoy.schemas import envelope as env
from workbuoy.schemas.base import ACTOR_NAMES
from workbuoy.schemas.envelope import ErrorInfo, Hello, Kind, SpawnSecrets
from workbuoy.schemas.registry import CHANNELS, EVENTS

log = wblog.create("bus.connection")

#: Frames an actor reads per wake-up before its event loop gets a turn.
DRAIN_BATCH = 256

RequestHandler = Callable[[str, Any, str], msgspec.Struct | Coroutine[Any, Any, msgspec.Struct]]
EventHandler = Callable[[str, Any], Awaitable[None]]


def role_of(caller: bytes) -> str:
    """The broker names an actor caller by its name and passes a cli's identity as it is."""
    name = caller.decode(errors="replace")
    return name if name in ACTOR_NAMES else "cli"


class ActorConnection:
    """Plain (not ``zmq.asyncio``) sockets driven by the event loop's reader callbacks.

    ZeroMQ's FD is edge-triggered, so every drain reads until ``EVENTS`` says empty and
    every send schedules a drain; this skips the per-message futures of ``zmq.asyncio``,
    the largest cost on the request path.
    """

    def __init__(self, endpoints: Endpoints, name: str, spawn: SpawnSecrets) -> None:
        self.name = name
        self._key = spawn.key
        self._ctx = zmq.Context()
        self.dealer = self._ctx.socket(zmq.DEALER)
        self.dealer.linger = 0
        self.dealer.sndhwm = 100_000
        self.dealer.identity = spawn.identity.encode()  # per spawn and secret: nobody else can take our place
        self.sub = self._ctx.socket(zmq.SUB)
        self.sub.linger = 0
        keys = KeyPair(zmq.curve_public(spawn.curve_secret.encode()).decode(), spawn.curve_secret) if spawn.curve_secret else None
        for sock, address in ((self.dealer, endpoints.bus), (self.sub, endpoints.events)):
            endpoints.secure_client(sock, keys)  # on a tcp bus: this spawn's CURVE key, nobody else's
            sock.connect(address)
        self._cids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[env.Envelope]] = {}
        self._event_decoders = {n: msgspec.msgpack.Decoder(e.payload) for n, e in EVENTS.items()}
        self._request_decoders = {n: c.decoder() for n, c in CHANNELS.items() if c.owner == name}
        self._tasks: set[asyncio.Task] = set()
        self._on_request: RequestHandler | None = None
        self._on_event: EventHandler | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._drain_due = False  # a drain is scheduled for the next loop turn (``_drain_later``)

    def _send(self, *frames: bytes) -> None:
        try:
            self.dealer.send_multipart(frames, zmq.NOBLOCK)
        except zmq.Again:
            raise BusError("unavailable", "the broker is not taking messages") from None
        # A send can swallow the FD's edge for a frame that arrived meanwhile: look (one getsockopt)
        # rather than schedule a drain after every send (a loop turn per reply).
        if self.dealer.getsockopt(zmq.EVENTS) & zmq.POLLIN:
            self._drain_later()

    async def hello(self, pid: int, timeout: float) -> None:
        """Prove who we are; the broker routes nothing to us before this succeeds and we sent READY.

        The reply is the frame with our hello's correlation id; anything else arriving
        first is not an answer to it and is dropped.
        """
        cid = next(self._cids)
        self.dealer.send(env.encode(Kind.HELLO, "hello", cid, Hello(name=self.name, key=self._key, pid=pid)))
        deadline = time.monotonic() + timeout
        while True:
            while not self.dealer.poll(0):
                if time.monotonic() > deadline:
                    raise BusError("timeout", "the broker did not answer hello")
                await asyncio.sleep(0.005)
            e = env.decode(self.dealer.recv_multipart()[-1])
            if e.cid == cid and e.channel == "hello":
                break
            log.warning("%s: dropped a %s frame that came before the hello reply", self.name, e.channel)
        if e.kind == Kind.ERR:
            unwrap(e, "hello")

    async def lifecycle(self, kind: Kind) -> None:
        try:
            self._send(env.encode(kind, "", 0, env.NIL))
        except BusError:
            log.warning("%s: could not send %s to the broker", self.name, kind.name)

    async def call(self, channel: str, payload: Any = None, *, timeout: float = 10.0) -> Any:
        cid = next(self._cids)
        fut: asyncio.Future[env.Envelope] = asyncio.get_running_loop().create_future()
        self._waiting[cid] = fut
        try:
            self._send(env.encode(Kind.REQ, channel, cid, as_payload(payload)))
            e = await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            raise BusError("timeout", f"no reply to {channel} within {timeout:g}s") from None
        finally:
            self._waiting.pop(cid, None)
        return unwrap(e, channel)

    async def publish(self, channel: str, payload: msgspec.Struct) -> None:
        self._send(env.encode(Kind.EVT, channel, 0, payload))

    def subscribe(self, channel: str) -> None:
        self.sub.setsockopt(zmq.SUBSCRIBE, channel.encode())

    async def serve(self, on_request: RequestHandler, on_event: EventHandler) -> None:
        """Dispatch requests, replies and events until cancelled."""
        self._on_request, self._on_event = on_request, on_event
        self._loop = loop = asyncio.get_running_loop()
        loop.add_reader(self.dealer.FD, self._on_readable)
        loop.add_reader(self.sub.FD, self._drain_sub)
        loop.call_soon(self._drain_dealer)
        loop.call_soon(self._drain_sub)
        try:
            await loop.create_future()
        finally:
            loop.remove_reader(self.dealer.FD)
            loop.remove_reader(self.sub.FD)
            self._loop = None

    def _on_readable(self) -> None:
        """The socket's FD fired: drain now, unless a drain is already due this loop turn."""
        if not self._drain_due:
            self._drain_dealer()

    def _drain_later(self) -> None:
        """One drain in the next loop turn, however many ask for it."""
        if not self._drain_due and self._loop is not None:
            self._drain_due = True
            self._loop.call_soon(self._due_drain)

    def _due_drain(self) -> None:
        self._drain_due = False
        self._drain_dealer()

    def _drain_dealer(self) -> None:
        """Read what is ready, ``DRAIN_BATCH`` frames at most before the loop gets a turn:
        a flood of requests answered inline must not hold up timers, heartbeats and events."""
        dealer = self.dealer
        for _ in range(DRAIN_BATCH):
            if not dealer.getsockopt(zmq.EVENTS) & zmq.POLLIN:
                return
            frames = dealer.recv_multipart(zmq.NOBLOCK)
            try:
                e = env.decode(frames[-1])
            except (msgspec.DecodeError, msgspec.ValidationError):  # the broker sends none: a bug, not a reason to stall
                log.error("%s: dropped an unreadable frame from the broker", self.name)
                continue
            if len(frames) == 1:
                fut = self._waiting.get(e.cid)
                if fut is not None and not fut.done():
                    fut.set_result(e)
            elif len(frames) == 2:
                self._request(frames[0], e)
        self._drain_later()  # more may be ready: the socket's edge has passed, so look again

    def _drain_sub(self) -> None:
        while self.sub.getsockopt(zmq.EVENTS) & zmq.POLLIN:
            topic, frame = self.sub.recv_multipart(zmq.NOBLOCK)
            channel = topic.decode()
            decoder = self._event_decoders.get(channel)
            if decoder is None or self._on_event is None:
                continue
            try:
                payload = decoder.decode(env.decode(frame).payload)
            except (msgspec.DecodeError, msgspec.ValidationError):
                log.warning("ignored an unreadable %s event", channel)
                continue
            self._spawn(self._on_event(channel, payload))

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _request(self, caller: bytes, e: env.Envelope) -> None:
        """Answer now if the handler's reply is ready, else once its coroutine is done (in a task).

        Inline, a request costs no task and no extra loop turns: the payload is decoded
        once, into the channel's type (the broker validated it the same way), and the
        reply goes out before the next frame is read.
        """
        try:
            decoder = self._request_decoders.get(e.channel)
            if decoder is None or self._on_request is None:
                raise BusError("unknown_channel", f"{self.name} does not own {e.channel}")
            try:
                request = decoder.decode(e.payload)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                raise BusError("invalid_payload", str(exc)) from None
            answer = self._on_request(e.channel, request, role_of(caller))
        except Exception as exc:
            self._reply(caller, e, *self._failure(e.channel, exc))
            return
        if asyncio.iscoroutine(answer):
            self._spawn(self._answer_later(caller, e, answer))
        else:
            self._reply(caller, e, Kind.REP, answer)

    async def _answer_later(self, caller: bytes, e: env.Envelope, pending: Coroutine[Any, Any, msgspec.Struct]) -> None:
        try:
            kind, payload = Kind.REP, await pending
        except Exception as exc:
            kind, payload = self._failure(e.channel, exc)
        self._reply(caller, e, kind, payload)

    @staticmethod
    def _failure(channel: str, exc: Exception) -> tuple[Kind, ErrorInfo]:
        if not isinstance(exc, BusError):
            log.exception("handler for %s failed", channel, exc_info=exc)
        return Kind.ERR, error_info(exc)

    def _reply(self, caller: bytes, e: env.Envelope, kind: Kind, payload: msgspec.Struct) -> None:
        """Send a reply; one that cannot be encoded becomes an error reply, and nothing here
        may end the drain it runs in (frames left unread would wait for the next edge)."""
        try:
            frame = env.encode(kind, e.channel, e.cid, payload)
        except Exception as exc:  # a handler returned something its channel cannot carry
            log.exception("%s: the reply to %s cannot be encoded", self.name, e.channel, exc_info=exc)
            frame = env.encode(Kind.ERR, e.channel, e.cid, error_info(exc))
        try:
            self._send(caller, frame)
        except BusError:
            log.warning("%s: reply to %s dropped, the broker is not taking messages", self.name, e.channel)

    async def drain_tasks(self, timeout: float) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    def close(self) -> None:
        for t in list(self._tasks):
            t.cancel()
        self.dealer.close(0)
        self.sub.close(0)
        self._ctx.term()
