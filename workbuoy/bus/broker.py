"""The broker: one ROUTER that every actor and client talks to, hosted by the supervisor.

Requests are routed by channel to the owning actor (or answered in-process for the
supervisor's own channels), replies go back to the caller, events fan out on a PUB
socket, and a trace tap on an XPUB socket publishes every routed message only while
a tracer is subscribed. Anything malformed, unknown, forbidden, oversized or invalid
gets an error reply and a count in ``wb_desktop_invalid_ipc_total``; the broker
itself never dies of garbage. Refusals are logged through :class:`workbuoy.logging.Repeats`:
the first of a kind per peer, channel and reason each minute, then a count, so a
flood cannot rotate the log away.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
import zmq

from workbuoy import logging as wblog
from workbuoy import metrics
from workbuoy.bus.errors import BusError, NotImplementedOnBus, error_info
from workbuoy.bus import runtime
from workbuoy.bus.runtime import Endpoints, KeyPair
from workbuoy.bus.stats import BusStats
from workbuoy.bus.zap import ZapHandler
from workbuoy.masking import mask_obj
from workbuoy.schemas import envelope as env
from workbuoy.schemas.base import ACTOR_NAMES
from workbuoy.schemas.control import TraceRecord
from workbuoy.schemas.envelope import ErrorInfo, Hello, Kind
from workbuoy.schemas.registry import CHANNELS, EVENTS, SECRET_CHANNELS

log = wblog.create("bus")

MAX_MSG_BYTES = 1 << 20  # refused with an error reply
HARD_MAX_MSG_BYTES = 4 << 20  # libzmq drops the peer's connection (MAXMSGSIZE)
CLI_PREFIX = b"cli:"
_ACTOR_PREFIXES = frozenset(n.encode() for n in ACTOR_NAMES)
IMPOSTORS_REMEMBERED = 4096  # identities already logged as impostors
PENDING_TTL_SEC = 120.0
TRACE_TOPIC = b"trace"
TRACE_BATCH = 256  # records per trace message at most
TRACE_MAX_DELAY_SEC = 0.01  # a record waits at most this long (plus one poll tick) for its batch

LocalHandler = Callable[[Any, str], msgspec.Struct]

_hello_decoder = env.Decoder(Hello)
_builtins_decoder: env.Decoder[Any] = env.Decoder()
_KIND_NAMES = {k.value: k.name.lower() for k in Kind}


@dataclass
class PeerHooks:
    """What the arbiter wants to hear about its actors."""

    on_hello: Callable[[str, int], None]
    on_ready: Callable[[str], None]
    on_heartbeat: Callable[[str], None]
    on_bye: Callable[[str], None]


@dataclass
class _Expected:
    key: str
    pid: int
    identity: bytes
    curve_key: str | None  # the spawn's CURVE public key, on a tcp bus


def claims_actor(ident: bytes) -> bool:
    """A routing identity that names an actor (``sync``, ``sync:…``): only the spawned one may use it."""
    return ident.split(b":", 1)[0] in _ACTOR_PREFIXES


@dataclass
class Broker:
    ctx: zmq.Context
    endpoints: Endpoints
    hooks: PeerHooks
    local: dict[str, LocalHandler] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._expected: dict[str, _Expected] = {}
        self._curve_keys: dict[str, str] = {}  # actor name -> its current spawn's CURVE public key (tcp bus)
        self._actors: dict[bytes, str] = {}  # routing identity that completed its hello -> actor name
        self._idents: dict[str, bytes] = {}  # actor name -> its current routing identity
        self._impostors: OrderedDict[bytes, None] = OrderedDict()
        self._pending: dict[tuple[bytes, int], tuple[float, str, str]] = {}  # (caller, cid) -> (t0, channel, owner)
        self._decoders = {name: ch.decoder() for name, ch in CHANNELS.items()}
        self._event_decoders = {name: env.Decoder(ev.payload) for name, ev in EVENTS.items()}
        self._refusals = wblog.Repeats(log)
        self._tracing = 0
        self._trace_batch: list[TraceRecord] = []
        self._trace_since = 0.0
        self.stats = BusStats()  # exported by whoever serves /metrics (the arbiter)
        self._last_sweep = time.monotonic()
        self._server = KeyPair.new() if self.endpoints.curve else None
        old = os.umask(0o077)  # socket files are created by bind and follow the umask
        try:
            self.zap = ZapHandler(self.ctx)
            self.router = self._bind(zmq.ROUTER, self.endpoints.bus)
            self.pub = self._bind(zmq.PUB, self.endpoints.events)
            self.trace = self._bind(zmq.XPUB, self.endpoints.trace, nodrop=True)
        finally:
            os.umask(old)
        self._publish_endpoints()

    def _publish_endpoints(self) -> None:
        """Write where we listen (tcp ports are picked at bind) and, with CURVE, the keys the user's commands use."""
        if self._server is not None:
            cli = KeyPair.new()
            self.zap.allow(cli.public, "cli")
            self.endpoints = msgspec.structs.replace(
                self.endpoints, bus=self.router.last_endpoint.decode(), events=self.pub.last_endpoint.decode(),
                trace=self.trace.last_endpoint.decode(), server_key=self._server.public, cli_keys=cli)
        runtime.publish(self.endpoints)

    def _bind(self, kind: int, endpoint: str, nodrop: bool = False) -> zmq.Socket:
        sock = self.ctx.socket(kind)
        sock.linger = 0
        sock.zap_domain = b"workbuoy"
        if self._server is not None:
            sock.curve_server = True
            sock.curve_secretkey = self._server.secret.encode()
        sock.maxmsgsize = HARD_MAX_MSG_BYTES
        if kind == zmq.ROUTER:  # no ROUTER_HANDOVER: a second connection never takes an identity in use
            sock.setsockopt(zmq.ROUTER_MANDATORY, 1)
        if nodrop:
            sock.setsockopt(zmq.XPUB_NODROP, 1)
            sock.sndhwm = 10_000
        sock.bind(endpoint)
        return sock

    # -- the arbiter's side ------------------------------------------------

    def expect(self, name: str, key: str, pid: int, identity: str, curve_key: str | None = None) -> None:
        """Admit actor ``name`` once it says hello with ``key`` from ``pid`` on routing ``identity``.

        On a tcp bus ``curve_key`` is the public half of the key pair the spawn got on stdin.
        """
        self.zap.revoke(self._curve_keys.pop(name, ""))  # the previous spawn's key opens nothing any more
        if curve_key:
            self.zap.allow(curve_key, name)
            self._curve_keys[name] = curve_key
        self._expected[name] = _Expected(key, pid, identity.encode(), curve_key)

    def forget(self, name: str) -> None:
        """The actor is gone: callers still waiting on it get an error now, not a timeout later."""
        self._expected.pop(name, None)
        self._actors.pop(self._idents.pop(name, b""), None)
        for (caller, cid), (_, channel, owner) in list(self._pending.items()):
            if owner == name:
                del self._pending[(caller, cid)]
                self._refuse(caller, cid, channel, "unavailable", f"the {name} actor stopped before it answered", count=False)

    def publish(self, channel: str, payload: msgspec.Struct) -> None:
        """Publish an event of the supervisor's own."""
        frame = env.encode(Kind.EVT, channel, 0, payload)
        self.pub.send_multipart([channel.encode(), frame])
        if self._tracing:
            self._tap(Kind.EVT, channel, 0, "supervisor", "*", len(frame), payload)

    # -- the loop ----------------------------------------------------------

    def register(self, poller: zmq.Poller) -> None:
        for sock in (self.router, self.trace, self.zap.socket):
            poller.register(sock, zmq.POLLIN)

    def handle(self, ready: dict) -> None:
        """Drain every socket the poller found readable."""
        if self.zap.socket in ready:
            self.zap.drain()
        if self.trace in ready:
            self._drain_subscriptions()
        if self.router in ready:
            for _ in range(1000):  # bounded, so the supervisor's timers still run under load
                try:
                    frames = self.router.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                try:
                    self._route(frames)
                except Exception:  # a bug here must not take the node down
                    log.exception("broker: unexpected error while routing")
        now = time.monotonic()
        if now - self._last_sweep > 10:
            self._last_sweep = now
            cutoff = now - PENDING_TTL_SEC
            for k in [k for k, (t0, _, _) in self._pending.items() if t0 < cutoff]:
                del self._pending[k]

    def close(self) -> None:
        self.flush_trace(force=True)
        for sock in (self.router, self.pub, self.trace):
            sock.close(0)
        self.zap.close()

    # -- routing -----------------------------------------------------------

    def _route(self, frames: list[bytes]) -> None:
        ident = frames[0]
        if len(frames) == 2:
            self._from_peer(ident, frames[1])
        elif len(frames) == 3 and ident in self._actors:
            self._reply(ident, frames[1], frames[2])
        elif claims_actor(ident):
            self._impostor(ident, 0, "?")
        else:
            self._refuse(ident, 0, "?", "malformed", f"expected 1 or 2 frames after the identity, got {len(frames) - 1}")

    def _from_peer(self, ident: bytes, frame: bytes) -> None:
        if len(frame) > MAX_MSG_BYTES:
            self._refuse(ident, 0, "?", "too_large", f"message of {len(frame)} bytes exceeds {MAX_MSG_BYTES}")
            return
        try:
            e = env.decode(frame)
        except env.TooDeep as exc:
            _, channel, cid = exc.header or (0, "?", 0)
            self._refuse(ident, cid, channel, "too_deep", "the frame is nested too deep to read")
            return
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            self._refuse(ident, 0, "?", "malformed", f"not a bus frame: {exc}")
            return
        kind = e.kind
        if kind != Kind.HELLO and ident not in self._actors and claims_actor(ident):
            self._impostor(ident, e.cid, e.channel)
        elif kind == Kind.REQ:
            self._request(ident, e, frame)
        elif kind == Kind.EVT:
            self._event(ident, e, frame)
        elif kind == Kind.HB:
            if (name := self._actors.get(ident)) is not None:
                self.hooks.on_heartbeat(name)
            else:  # nothing to answer, but a refusal all the same
                self._count("?", "forbidden")
        elif kind in (Kind.HELLO, Kind.READY, Kind.BYE):
            self._lifecycle(ident, e)
        else:
            self._refuse(ident, e.cid, e.channel, "malformed", f"kind {kind} is not sent to the broker")

    def _role(self, ident: bytes) -> str | None:
        if (name := self._actors.get(ident)) is not None:
            return name
        if ident.startswith(CLI_PREFIX):
            return "cli"
        return None

    def _caller_tag(self, ident: bytes, role: str) -> bytes:
        """How an actor sees its caller: an actor by name (its routing identity stays secret), the cli as itself."""
        return ident if role == "cli" else role.encode()

    def _caller_ident(self, tag: bytes) -> bytes | None:
        """The routing identity a reply goes to: the current one of a named actor, a cli identity as it is."""
        if tag.startswith(CLI_PREFIX):
            return tag
        return self._idents.get(tag.decode(errors="replace"))

    def _request(self, ident: bytes, e: env.Envelope, frame: bytes) -> None:
        channel = e.channel
        ch = CHANNELS.get(channel)
        if ch is None:
            self._refuse(ident, e.cid, channel, "unknown_channel", f"no channel named {channel!r}")
            return
        role = self._role(ident)
        if role is None or role not in ch.callers:
            self._refuse(ident, e.cid, channel, "forbidden", f"{role or 'an unregistered peer'} may not call {channel}")
            return
        try:
            request = self._decoders[channel].decode(e.payload)
        except env.TooDeep:
            self._refuse(ident, e.cid, channel, "too_deep", "the payload is nested too deep to read")
            return
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            self._refuse(ident, e.cid, channel, "invalid_payload", str(exc))
            if channel not in SECRET_CHANNELS:
                self._refusals.log(logging.INFO, (ident, channel, "excerpt"), "invalid %s payload was: %.300r",
                                   channel, _excerpt(e.payload))
            return
        self.stats.count(channel, "req")
        if self._tracing:
            self._tap(Kind.REQ, channel, e.cid, role, ch.owner, len(frame), request)
        if ch.owner == "supervisor":
            self._answer_locally(ident, e, request, role)
            return
        try:
            self.router.send_multipart([self._idents[ch.owner], self._caller_tag(ident, role), frame])
        except (KeyError, zmq.ZMQError):  # no hello yet, or EHOSTUNREACH with ROUTER_MANDATORY: gone
            self._refuse(ident, e.cid, channel, "unavailable", f"the {ch.owner} actor is not running", count=False)
            return
        self._pending[(ident, e.cid)] = (time.monotonic(), channel, ch.owner)

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
        if self._tracing:
            self._tap(kind, e.channel, e.cid, "supervisor", self._role(ident) or "?", len(frame), payload, latency=elapsed)

    def _reply(self, owner: bytes, tag: bytes, frame: bytes) -> None:
        started = None
        try:
            e = env.decode(frame)
        except (msgspec.DecodeError, msgspec.ValidationError):
            metrics.invalid_ipc.labels("?", "malformed_reply").inc()
            log.error("dropped a malformed reply from %s", self._actors[owner])
            return
        caller = self._caller_ident(tag)
        if caller is None:
            log.debug("reply from %s to %r, which is gone", self._actors[owner], tag[:40])
            return
        pending = self._pending.pop((caller, e.cid), None)
        if pending is not None:
            started = time.monotonic() - pending[0]
            self.stats.observe(pending[1], started)
        self._send_to(caller, frame)
        if self._tracing:
            self._tap(e.kind, e.channel, e.cid, self._actors[owner], self._role(caller) or "?", len(frame), e.payload, latency=started)

    def _event(self, ident: bytes, e: env.Envelope, frame: bytes) -> None:
        ev = EVENTS.get(e.channel)
        role = self._role(ident)
        if ev is None or role not in ev.publishers:
            self._drop_event(ident, e.channel, "unknown_event" if ev is None else "forbidden", f"from {role}")
            return
        try:
            self._event_decoders[e.channel].decode(e.payload)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            self._drop_event(ident, e.channel, "too_deep" if isinstance(exc, env.TooDeep) else "invalid_payload", str(exc))
            return
        self.stats.count(e.channel, "evt")
        self.pub.send_multipart([e.channel.encode(), frame])
        if self._tracing:
            self._tap(Kind.EVT, e.channel, 0, role or "?", "*", len(frame), e.payload)

    def _lifecycle(self, ident: bytes, e: env.Envelope) -> None:
        if e.kind == Kind.HELLO:
            self._hello(ident, e)
        elif (name := self._actors.get(ident)) is None:
            self._refuse(ident, e.cid, "lifecycle", "forbidden", "say hello first")
        elif e.kind == Kind.READY:
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
            self._refuse(ident, e.cid, "hello", "malformed", str(exc))
            return
        want = self._expected.get(hello.name)
        if (want is None or ident != want.identity or not hmac.compare_digest(hello.key.encode(), want.key.encode())
                or hello.pid != want.pid or not self.zap.vouched(want.curve_key or hello.pid)):
            self._impostor(ident, e.cid, "hello")
            return
        del self._expected[hello.name]
        self._actors.pop(self._idents.get(hello.name, b""), None)
        self._actors[ident] = hello.name
        self._idents[hello.name] = ident
        self._send_to(ident, env.encode(Kind.REP, "hello", e.cid, env.NIL))
        self.hooks.on_hello(hello.name, hello.pid)

    def _impostor(self, ident: bytes, cid: int, channel: str) -> None:
        """A peer that poses as an actor it did not prove to be: counted always, logged once per identity."""
        self._count(channel, "impostor")
        if ident not in self._impostors:
            self._impostors[ident] = None
            if len(self._impostors) > IMPOSTORS_REMEMBERED:
                self._impostors.popitem(last=False)
            log.warning("impostor on the bus: identity %r is not an actor this supervisor started", ident[:40])
        message = "not an actor this supervisor started"
        frame = env.encode(Kind.ERR, channel, cid, ErrorInfo(code="impostor", message=message))
        self._send_to(ident, frame)
        if self._tracing:
            self._tap(Kind.ERR, channel, cid, "broker", "impostor", len(frame), None, error=f"impostor: {message}")

    # -- replies, refusals, trace --------------------------------------------

    def _send_to(self, ident: bytes, frame: bytes) -> None:
        try:
            self.router.send_multipart([ident, frame])
        except zmq.ZMQError:
            log.debug("reply to a peer that is gone: %r", ident)

    def _count(self, channel: str, reason: str) -> None:
        metrics.invalid_ipc.labels(channel if channel in CHANNELS or channel in EVENTS else "?", reason).inc()

    def _refuse(self, ident: bytes, cid: int, channel: str, code: str, message: str, *, count: bool = True) -> None:
        if count:
            self._count(channel, code)
        self._refusals.log(logging.INFO, (ident, channel, code), "refused %.100s from %r: %s: %.300s",
                           channel, ident[:40], code, message)
        frame = env.encode(Kind.ERR, channel, cid, ErrorInfo(code=code, message=message))
        self._send_to(ident, frame)
        if self._tracing:
            self._tap(Kind.ERR, channel, cid, "broker", self._role(ident) or ident.decode(errors="replace")[:64], len(frame), None,
                      error=f"{code}: {message}")

    def _drop_event(self, ident: bytes, channel: str, reason: str, why: str) -> None:
        """An event that is not published: counted, logged like a refusal (an event has no reply)."""
        self._count(channel, reason)
        self._refusals.log(logging.WARNING, (ident, channel, reason), "dropped event %.100s from %r: %s: %.300s",
                           channel, ident[:40], reason, why)

    def _drain_subscriptions(self) -> None:
        while True:
            try:
                msg = self.trace.recv(zmq.NOBLOCK)
            except zmq.Again:
                return
            if not TRACE_TOPIC.startswith(msg[1:]):  # a topic that would never receive a record
                continue
            if msg[:1] == b"\x01":
                self._tracing += 1
            elif msg[:1] == b"\x00":
                self._tracing = max(0, self._tracing - 1)

    def _tap(self, kind: int, channel: str, cid: int, sender: str, receiver: str, size: int, body: Any, *,
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
        if not self._trace_batch:
            self._trace_since = time.monotonic()
        self._trace_batch.append(record)

    def flush_trace(self, *, force: bool = False) -> None:
        """Send the tapped records as one message once the batch is full or old enough.

        Batching pays the socket send (here) and the wake-up and receive (in the tracer)
        once per batch instead of once per routed message.
        """
        if not self._trace_batch or not (
            force or len(self._trace_batch) >= TRACE_BATCH or time.monotonic() - self._trace_since >= TRACE_MAX_DELAY_SEC
        ):
            return
        batch, self._trace_batch = self._trace_batch, []
        try:
            self.trace.send_multipart([TRACE_TOPIC, msgspec.msgpack.encode(batch)], zmq.NOBLOCK)
        except zmq.Again:  # the tracer is slower than the bus: drop and count, never block routing
            metrics.trace_dropped.inc(len(batch))


def _excerpt(payload: msgspec.Raw) -> object:
    """The refused payload for the log (the log's filter masks secrets and e-mails)."""
    try:
        return _builtins_decoder.decode(payload)
    except msgspec.DecodeError:
        return bytes(payload)[:300]
