"""The broker: one ROUTER that every actor and client talks to, hosted by the supervisor.

Requests are routed by channel to the owning actor once it is ready (or answered
in-process for the supervisor's own channels), replies go back to the caller. Events
are :mod:`~workbuoy.bus.fanout`'s business, who is who :mod:`~workbuoy.bus.peers`',
requests held or pending :mod:`~workbuoy.bus.inflight`'s, saying no
:mod:`~workbuoy.bus.refusals`', the trace tap :mod:`~workbuoy.bus.trace`'s. Anything
malformed, unknown, forbidden, oversized or invalid is refused and counted; the
broker itself never dies of garbage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
import zmq

from workbuoy import logs as wblog
from workbuoy.bus import runtime
from workbuoy.bus.errors import BusError, NotImplementedOnBus, error_info
from workbuoy.bus.fanout import Fanout
from workbuoy.bus.inflight import InFlight, Request
from workbuoy.bus.peers import PeerHooks, Peers, claims_actor
from workbuoy.bus.refusals import Refusals
from workbuoy.bus.runtime import Endpoints, KeyPair, bind
from workbuoy.bus.stats import BusStats
from workbuoy.bus.trace import TraceTap
from workbuoy.bus.zap import ZapHandler
from workbuoy.schemas import envelope as env
from workbuoy.schemas.envelope import Hello, Kind
from workbuoy.schemas.registry import CHANNELS

log = wblog.create("bus")

MAX_MSG_BYTES = 1 << 20  # refused with an error reply
HARD_MAX_MSG_BYTES = 4 << 20  # libzmq drops the peer's connection (MAXMSGSIZE)

LocalHandler = Callable[[Any, str], msgspec.Struct]

_hello_decoder = env.Decoder(Hello)


@dataclass
class Broker:
    ctx: zmq.Context
    endpoints: Endpoints
    hooks: PeerHooks
    local: dict[str, LocalHandler] = field(default_factory=dict)
    inflight: InFlight = field(default_factory=InFlight)

    def __post_init__(self) -> None:
        self._curve_keys: dict[str, str] = {}  # actor name -> its current spawn's CURVE public key (tcp bus)
        self._decoders = {name: ch.decoder() for name, ch in CHANNELS.items()}
        self.stats = BusStats()  # exported by whoever serves /metrics (the arbiter)
        self._server = KeyPair.new() if self.endpoints.curve else None
        self.zap = ZapHandler(self.ctx.socket(zmq.REP))
        self.router = bind(self.ctx, zmq.ROUTER, self.endpoints.bus, HARD_MAX_MSG_BYTES, self._server)
        self.tap = TraceTap(bind(self.ctx, zmq.XPUB, self.endpoints.trace, HARD_MAX_MSG_BYTES, self._server))
        self.peers = Peers(self.zap.vouched)
        self.no = Refusals(self._send_to, self.peers, self.tap)
        self.events = Fanout(bind(self.ctx, zmq.PUB, self.endpoints.events, HARD_MAX_MSG_BYTES, self._server),
                             self.stats, self.tap, self.no)
        self._publish_endpoints()

    def _publish_endpoints(self) -> None:
        """Write where we listen (tcp ports are picked at bind) and, with CURVE, the keys the user's commands use."""
        if self._server is not None:
            cli = KeyPair.new()
            self.zap.allow(cli.public, "cli")
            self.endpoints = msgspec.structs.replace(
                self.endpoints, bus=self.router.last_endpoint.decode(), events=self.events.socket.last_endpoint.decode(),
                trace=self.tap.socket.last_endpoint.decode(), server_key=self._server.public, cli_keys=cli)
        runtime.publish(self.endpoints)

    # -- the arbiter's side ------------------------------------------------

    def expect(self, name: str, key: str, pid: int, identity: str, curve_key: str | None = None) -> None:
        """Admit actor ``name`` once it says hello with ``key`` from ``pid`` on routing ``identity``.

        On a tcp bus ``curve_key`` is the public half of the key pair the spawn got on stdin.
        """
        self.zap.revoke(self._curve_keys.pop(name, ""))  # the previous spawn's key opens nothing any more
        if curve_key:
            self.zap.allow(curve_key, name)
            self._curve_keys[name] = curve_key
        self.peers.expect(name, key, pid, identity, curve_key)

    def retire(self, name: str) -> None:
        """The actor is stopping: no new request reaches it; it may still answer, beat and say bye."""
        self.peers.retire(name)
        for r in self.inflight.release(name):
            self.no.refuse(r.caller, r.cid, r.channel, "unavailable", f"the {name} actor is stopping", count=False)

    def forget(self, name: str) -> None:
        """The actor is gone: callers still waiting on it get an error now, not a timeout later."""
        self.peers.forget(name)
        for r in self.inflight.gone(name):
            self.no.refuse(r.caller, r.cid, r.channel, "unavailable", f"the {name} actor stopped before it answered", count=False)

    def publish(self, channel: str, payload: msgspec.Struct) -> None:
        """Publish an event of the supervisor's own."""
        self.events.publish(channel, payload)

    # -- the loop ----------------------------------------------------------

    def register(self, poller: zmq.Poller) -> None:
        for sock in (self.router, self.tap.socket, self.zap.socket):
            poller.register(sock, zmq.POLLIN)

    def handle(self, ready: dict) -> None:
        """Drain every socket the poller found readable (call it every poll, readable or not: it also expires)."""
        if self.zap.socket in ready:
            self.zap.drain()
        if self.tap.socket in ready:
            self.tap.drain_subscriptions()
        if self.router in ready:
            self._drain_router()
        for owner, r in self.inflight.expired(time.monotonic()):
            self.no.refuse(r.caller, r.cid, r.channel, "unavailable", f"the {owner} actor is starting", count=False)

    def _drain_router(self) -> None:
        """Route the ready frames (bounded: the supervisor's timers run under load too); ``EVENTS`` says when none is left."""
        for _ in range(1000):
            try:
                frames = self.router.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:  # the poll's word was stale
                return
            try:
                self._route(frames)
            except Exception:  # a bug here must not take the node down
                log.exception("broker: unexpected error while routing")
            if not self.router.getsockopt(zmq.EVENTS) & zmq.POLLIN:
                return

    def close(self) -> None:
        self.tap.flush(force=True)
        for sock in (self.router, self.events.socket, self.tap.socket):
            sock.close(0)
        self.zap.close()

    # -- routing -----------------------------------------------------------

    def _route(self, frames: list[bytes]) -> None:
        ident = frames[0]
        if len(frames) == 2:
            self._from_peer(ident, frames[1])
        elif len(frames) == 3 and self.peers.name_of(ident) is not None:
            self._reply(ident, frames[1], frames[2])
        elif claims_actor(ident):
            self.no.impostor(ident, 0, "?")
        else:
            self.no.refuse(ident, 0, "?", "malformed", f"expected 1 or 2 frames after the identity, got {len(frames) - 1}")

    def _from_peer(self, ident: bytes, frame: bytes) -> None:
        if len(frame) > MAX_MSG_BYTES:
            self.no.refuse(ident, 0, "?", "too_large", f"message of {len(frame)} bytes exceeds {MAX_MSG_BYTES}")
            return
        try:
            e = env.decode(frame)
        except env.TooDeep as exc:
            _, channel, cid = exc.header or (0, "?", 0)
            self.no.refuse(ident, cid, channel, "too_deep", "the frame is nested too deep to read")
            return
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            self.no.refuse(ident, 0, "?", "malformed", f"not a bus frame: {exc}")
            return
        kind = e.kind
        if kind != Kind.HELLO and self.peers.name_of(ident) is None and claims_actor(ident):
            self.no.impostor(ident, e.cid, e.channel)
        elif kind == Kind.REQ:
            self._request(ident, e, frame)
        elif kind == Kind.EVT:
            self.events.relay(ident, e, frame, self.peers.role(ident))
        elif kind == Kind.HB:
            if (name := self.peers.name_of(ident)) is not None:
                self.hooks.on_heartbeat(name)
            else:  # nothing to answer, but a refusal all the same
                self.no.count("?", "forbidden")
        elif kind in (Kind.HELLO, Kind.READY, Kind.BYE):
            self._lifecycle(ident, e)
        else:
            self.no.refuse(ident, e.cid, e.channel, "malformed", f"kind {kind} is not sent to the broker")

    def _request(self, ident: bytes, e: env.Envelope, frame: bytes) -> None:
        channel = e.channel
        ch = CHANNELS.get(channel)
        if ch is None:
            self.no.refuse(ident, e.cid, channel, "unknown_channel", f"no channel named {channel!r}")
            return
        role = self.peers.role(ident)
        if role is None or role not in ch.callers:
            self.no.refuse(ident, e.cid, channel, "forbidden", f"{role or 'an unregistered peer'} may not call {channel}")
            return
        try:
            request = self._decoders[channel].decode(e.payload)
        except env.TooDeep:
            self.no.refuse(ident, e.cid, channel, "too_deep", "the payload is nested too deep to read")
            return
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            self.no.invalid_payload(ident, e.cid, channel, str(exc), e.payload)
            return
        self.stats.count(channel, "req")
        if self.tap.tracers:
            self.tap.record(Kind.REQ, channel, e.cid, role, ch.owner, len(frame), request)
        if ch.owner == "supervisor":
            self._answer_locally(ident, e, request, role)
            return
        r = Request(ident, self.peers.caller_tag(ident, role), e.cid, channel, frame, time.monotonic())
        if not (self.peers.is_starting(ch.owner) and self.inflight.hold(ch.owner, r)):  # sent on at READY
            self._forward(ch.owner, r)

    def _forward(self, owner: str, r: Request) -> None:
        """Send a request on to its owner if it is ready (nothing reaches an actor before its start() is done)."""
        try:  # EHOSTUNREACH (ROUTER_MANDATORY): gone
            self.router.send_multipart([self.peers.ready_ident(owner), r.tag, r.frame])
        except (LookupError, zmq.ZMQError):
            why = self.peers.why_not_routable(owner)
            self.no.refuse(r.caller, r.cid, r.channel, "unavailable", f"the {owner} actor {why}", count=False)
            return
        self.inflight.sent(owner, r)

    def _answer_locally(self, ident: bytes, e: env.Envelope, request: Any, role: str) -> None:
        t0 = time.monotonic()
        handler = self.local.get(e.channel)
        try:
            if handler is None:
                raise NotImplementedOnBus(e.channel)
            kind, payload = Kind.REP, handler(request, role)
        except BusError as exc:
            kind, payload = Kind.ERR, error_info(exc)
        except Exception as exc:
            log.exception("supervisor handler for %s failed", e.channel)
            kind, payload = Kind.ERR, error_info(exc)
        frame = env.encode(kind, e.channel, e.cid, payload)
        self._send_to(ident, frame)
        elapsed = time.monotonic() - t0
        self.stats.observe(e.channel, elapsed)
        if self.tap.tracers:
            self.tap.record(kind, e.channel, e.cid, "supervisor", self.peers.role(ident) or "?", len(frame), payload,
                            latency=elapsed)

    def _reply(self, owner: bytes, tag: bytes, frame: bytes) -> None:
        started = None
        try:
            e = env.decode(frame)
        except (msgspec.DecodeError, msgspec.ValidationError):
            self.no.count("?", "malformed_reply")
            log.error("dropped a malformed reply from %s", self.peers.name_of(owner))
            return
        caller = self.peers.reply_to(tag)
        if caller is None:
            log.debug("reply from %s to %r, which is gone", self.peers.name_of(owner), tag[:40])
            return
        if (request := self.inflight.answered(caller, e.cid)) is not None:
            started = time.monotonic() - request.since
            self.stats.observe(request.channel, started)
        self._send_to(caller, frame)
        if self.tap.tracers:
            self.tap.record(e.kind, e.channel, e.cid, self.peers.name_of(owner) or "?", self.peers.role(caller) or "?", len(frame),
                            e.payload, latency=started)

    def _lifecycle(self, ident: bytes, e: env.Envelope) -> None:
        if e.kind == Kind.HELLO:
            self._hello(ident, e)
        elif (name := self.peers.name_of(ident)) is None:
            self.no.refuse(ident, e.cid, "lifecycle", "forbidden", "say hello first")
        elif e.kind == Kind.READY:
            self.peers.mark_ready(name)
            for r in self.inflight.release(name):
                self._forward(name, r)
            self.hooks.on_ready(name)
        else:
            self.hooks.on_bye(name)

    def _hello(self, ident: bytes, e: env.Envelope) -> None:
        """Bind an actor name to the one connection that proves its spawn: identity, key and pid.

        The key is good for one hello; a restarted actor comes with a new identity and
        key, and its hello retires the old identity, so a stale connection routes nothing.
        """
        try:
            hello = _hello_decoder.decode(e.payload)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            self.no.refuse(ident, e.cid, "hello", "malformed", str(exc))
            return
        if not self.peers.admit(ident, hello):
            self.no.impostor(ident, e.cid, "hello")
            return
        self.hooks.on_hello(hello.name, hello.pid)  # before the reply: the supervisor knows first
        self._send_to(ident, env.encode(Kind.REP, "hello", e.cid, env.NIL))

    def _send_to(self, ident: bytes, frame: bytes) -> None:
        try:
            self.router.send_multipart([ident, frame])
        except zmq.ZMQError:
            log.debug("reply to a peer that is gone: %r", ident)
