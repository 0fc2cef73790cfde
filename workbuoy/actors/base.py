"""The generic half of every actor, apart from its callbacks (as OTP's gen_server).

An actor subclass declares its ``name`` and methods decorated with ``@handles``
(one per channel it owns) and ``@on_event``; it may override ``start`` and ``stop``
and schedule work with ``every``/``after``. Channels it owns but does not handle
answer ``not_implemented``. The base class does the hello/ready handshake,
heartbeats, the settings cache, orphan detection and the graceful stop.

It also keeps the event loop free and the disk's failures visible: ``read`` runs a
store read that can scan in a worker thread with a deadline, the heartbeat loop
measures how late it ran (``wb_desktop_event_loop_lag_seconds``), and a disk full,
corrupt or I/O error becomes a ``storage`` error reply plus a ``wb:store:fault`` event
and a notification (at most one per kind a minute) instead of a crash.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ClassVar, TypeVar

import apsw
import msgspec

from workbuoy import logs as wblog
from workbuoy import metrics
from workbuoy.bus.connection import ActorConnection
from workbuoy.bus.errors import BusError, NotImplementedOnBus
from workbuoy.bus.runtime import Endpoints
from workbuoy.config import Env
from workbuoy.platform import current
from workbuoy.schemas.audit import AuditRecord
from workbuoy.schemas.envelope import Kind, SpawnSecrets
from workbuoy.schemas.rbac import RbacCan, RbacReply
from workbuoy.schemas.registry import CHANNELS, EVENTS
from workbuoy.schemas.settings import Settings
from workbuoy.schemas.store import StoreFault
from workbuoy.schemas.ui import Notify
from workbuoy.store import Store
from workbuoy.store.faults import classify
from workbuoy.store.readers import ReadBusy, ReadPool, ReadTimeout

FAULT_NOTICE_EVERY_S = 60.0
T = TypeVar("T")


def handles(channel: str) -> Callable:
    """Mark a method as the handler of ``channel``: ``async def h(self, request, caller) -> Reply``.

    A handler with nothing to wait for may be a plain ``def``: it is answered in the
    wake-up that read the request, without a task (the bus's fast path). A guarded
    channel's handler must be ``async``: its role check is a bus call.
    """

    def mark(fn: Callable) -> Callable:
        fn.__wb_channel__ = channel
        return fn

    return mark


def on_event(channel: str) -> Callable:
    """Mark a method as a listener of event ``channel``: ``async def h(self, payload) -> None``."""

    def mark(fn: Callable) -> Callable:
        fn.__wb_event__ = channel
        return fn

    return mark


class Actor:
    name: ClassVar[str]
    _handlers: ClassVar[dict[str, str]]
    _listeners: ClassVar[dict[str, str]]
    _inline: ClassVar[frozenset[str]]  # channels whose handler is a plain function

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls._handlers, cls._listeners, inline = {}, {}, set()
        for attr in dir(cls):
            fn = getattr(cls, attr)
            if (ch := getattr(fn, "__wb_channel__", None)) is not None:
                spec = CHANNELS.get(ch)
                if spec is None or spec.owner != cls.name:
                    raise TypeError(f"{cls.__name__}.{attr}: {ch} is not a channel owned by {cls.name}")
                cls._handlers[ch] = attr
                if not inspect.iscoroutinefunction(fn):
                    if spec.guard is not None:
                        raise TypeError(f"{cls.__name__}.{attr}: {ch} is guarded, its handler must be async")
                    inline.add(ch)
            if (ev := getattr(fn, "__wb_event__", None)) is not None:
                if ev not in EVENTS:
                    raise TypeError(f"{cls.__name__}.{attr}: no event named {ev}")
                cls._listeners[ev] = attr
        cls._inline = frozenset(inline)

    def __init__(self, env: Env, endpoints: Endpoints, spawn: SpawnSecrets) -> None:
        self.env = env
        self.log = wblog.create(self.name)
        self.bus = ActorConnection(endpoints, self.name, spawn)
        self.settings = Settings()
        self._stopping = asyncio.Event()
        self._started = asyncio.Event()  # events wait for it: no listener runs before start() is done
        self._timers: set[asyncio.Task] = set()
        self._reads: ReadPool | None = None
        self._fault_noticed: dict[str, float] = {}

    # -- callbacks for subclasses -------------------------------------------

    async def start(self) -> None:
        """Open resources; runs after hello and before ready, so no request or event arrives before it is done."""

    async def stop(self) -> None:
        """Release resources; runs on SIGTERM or when the supervisor is gone."""

    async def on_settings(self, settings: Settings) -> None:
        """React to a settings change (the new value is already in ``self.settings``)."""

    # -- helpers for subclasses ---------------------------------------------

    async def call(self, channel: str, payload: Any = None, *, timeout: float = 10.0) -> Any:
        return await self.bus.call(channel, payload, timeout=timeout)

    async def publish(self, channel: str, payload: msgspec.Struct) -> None:
        await self.bus.publish(channel, payload)

    async def audit(self, event: str, payload: dict[str, Any]) -> None:
        """Record an audit event, best effort: an audit outage must not fail the user's action."""
        try:
            await self.call("wb:audit:record", AuditRecord(event=event, payload=payload), timeout=5)
        except BusError as exc:
            self.log.warning("audit record %s not taken (%s)", event, exc.code)

    async def read(self, fn: Callable[[Store], T], *, timeout: float | None = None) -> T:
        """``fn(store)`` off the event loop, for reads that can scan; a slow one ends in a ``timeout`` error."""
        if self._reads is None:
            self._reads = ReadPool(self.env.db_path)
        try:
            return await self._reads.run(fn, timeout=timeout)
        except ReadTimeout as exc:
            metrics.store_reads.labels(actor=self.name, outcome="timeout").inc()
            raise BusError("timeout", str(exc)) from None
        except ReadBusy as exc:
            metrics.store_reads.labels(actor=self.name, outcome="busy").inc()
            raise BusError("unavailable", f"too many reads at once, try again: {exc}") from None

    def store_fault(self, where: str, exc: BaseException) -> BusError | None:
        """For a disk failure: count it, announce it (event + notification, rate-limited) and return the error reply."""
        fault = classify(exc)
        if fault is None:
            return None
        metrics.store_faults.labels(actor=self.name, kind=fault.kind).inc()
        self.log.error("%s: %s hit a store fault: %s", self.name, where, fault.message)
        now = time.monotonic()
        if now - self._fault_noticed.get(fault.kind, -FAULT_NOTICE_EVERY_S) >= FAULT_NOTICE_EVERY_S:
            self._fault_noticed[fault.kind] = now
            self._keep(asyncio.ensure_future(self._announce_fault(StoreFault(
                actor=self.name, where=where, kind=fault.kind, message=fault.message[:1000]))))
        return BusError("storage", fault.message, detail={"kind": fault.kind})

    async def _announce_fault(self, fault: StoreFault) -> None:
        try:
            await self.publish("wb:store:fault", fault)
            await self.call("wb:notify", Notify(title="WorkBuoy cannot use its local database", body=fault.message[:2000],
                                                kind="error"), timeout=5)
        except BusError as exc:  # no ui (a headless node): the event and the log are the notice
            self.log.info("store fault notification not shown (%s)", exc.code)

    def every(self, seconds: Callable[[], float] | float, fn: Callable[[], Awaitable[None]]) -> asyncio.Task:
        """Run ``fn`` every ``seconds`` (a number, or a callable read before each wait)."""

        async def loop() -> None:
            while True:
                await asyncio.sleep(seconds() if callable(seconds) else seconds)
                await self._guarded(fn)

        return self._keep(asyncio.ensure_future(loop()))

    def after(self, seconds: float, fn: Callable[[], Awaitable[None]]) -> asyncio.Task:
        async def once() -> None:
            await asyncio.sleep(seconds)
            await self._guarded(fn)

        return self._keep(asyncio.ensure_future(once()))

    def request_stop(self) -> None:
        self._stopping.set()

    # -- the generic part -----------------------------------------------------

    def _keep(self, task: asyncio.Task) -> asyncio.Task:
        self._timers.add(task)
        task.add_done_callback(self._timers.discard)
        return task

    async def _guarded(self, fn: Callable[[], Awaitable[None]]) -> None:
        try:
            await fn()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if self.store_fault(getattr(fn, "__name__", "timer"), exc) is not None:
                return
            self.log.exception("%s: timer %s failed", self.name, getattr(fn, "__name__", fn))

    def _on_request(self, channel: str, request: Any, caller: str) -> msgspec.Struct | Coroutine[Any, Any, msgspec.Struct]:
        """The reply of a plain handler, or the coroutine that will give it (the connection runs that as a task)."""
        attr = self._handlers.get(channel)
        if attr is None:
            raise NotImplementedOnBus(channel)
        if channel not in self._inline:
            return self._answer(channel, attr, request, caller)
        try:
            return getattr(self, attr)(request, caller)
        except apsw.Error as exc:  # a disk failure is a storage error reply (and a notice); any other stays itself
            raise (self.store_fault(channel, exc) or exc) from None

    async def _answer(self, channel: str, attr: str, request: Any, caller: str) -> msgspec.Struct:
        if (action := CHANNELS[channel].guard) is not None:
            await self._assert_allowed(channel, action, getattr(request, "org_id", None), caller)
        try:
            return await getattr(self, attr)(request, caller)
        except apsw.Error as exc:
            raise (self.store_fault(channel, exc) or exc) from None

    async def _assert_allowed(self, channel: str, action: str, org_id: str | None, caller: str) -> None:
        """Refuse a guarded channel up front (``forbidden``, counted and audited) unless RBAC allows it.

        The server stays the authority; asking first keeps a viewer's write out of the
        outbox instead of failing later with the server's 403.
        """
        try:
            reply: RbacReply = await self.call("wb:rbac:can", RbacCan(action=action, org_id=org_id))
            reason = "" if reply.allowed else reply.reason or "not allowed"
        except BusError as exc:
            reason = f"the role check failed ({exc.code}: {exc.message})"
        if reason:
            metrics.invalid_ipc.labels(channel, "rbac").inc()
            self.after(0, lambda: self.audit(f"{action}_refused", {"channel": channel, "by": caller, "reason": reason}))
            raise BusError("forbidden", f"{action} refused: {reason}")

    async def _on_event(self, channel: str, payload: Any) -> None:
        await self._started.wait()
        if channel == "wb:settings:changed":
            self.settings = payload
            await self._guarded(lambda: self.on_settings(payload))
        if (attr := self._listeners.get(channel)) is not None:
            await self._guarded(lambda: getattr(self, attr)(payload))

    async def _heartbeat(self, parent: int) -> None:
        """Beat every ``heartbeat_sec``; how much later than asked each beat ran is the event loop's lag."""
        lag = metrics.event_loop_lag.labels(actor=self.name)
        while True:
            if os.getppid() != parent:  # the supervisor died: do not linger as an orphan
                self.log.warning("%s: supervisor %d is gone, stopping", self.name, parent)
                self._stopping.set()
                return
            await self.bus.lifecycle(Kind.HB)
            asked = time.monotonic()
            await asyncio.sleep(self.env.heartbeat_sec)
            lag.set(max(0.0, time.monotonic() - asked - self.env.heartbeat_sec))

    async def run(self) -> None:
        parent = os.getppid()
        current.die_with_parent()  # the heartbeat loop checks the parent too
        current.on_stop_signal(asyncio.get_running_loop(), self._stopping.set)
        await self.bus.hello(os.getpid(), timeout=15)
        self.bus.subscribe("wb:settings:changed")
        for ev in self._listeners:
            self.bus.subscribe(ev)
        serving = asyncio.ensure_future(self.bus.serve(self._on_request, self._on_event))
        beating = asyncio.ensure_future(self._heartbeat(parent))
        try:
            self.settings = await self.call("wb:getSettings", timeout=15)
            await self.start()
            self._started.set()
            await self.bus.lifecycle(Kind.READY)  # the broker routes requests to us from now on
            self.log.info("%s ready (pid %d)", self.name, os.getpid())
            await self._stopping.wait()
            self.log.info("%s stopping", self.name)
            for t in list(self._timers):
                t.cancel()
            await self.bus.drain_tasks(timeout=2)
            await self.stop()
            if self._reads is not None:
                await asyncio.to_thread(self._reads.close)
            await self.bus.lifecycle(Kind.BYE)
        finally:
            serving.cancel()
            beating.cancel()
            await asyncio.gather(serving, beating, return_exceptions=True)  # readers off before the sockets close
            self.bus.close()

