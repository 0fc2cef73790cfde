"""A real broker (a thread) and a real actor (this process's main thread) on real ipc sockets.

The actor is built with its ordinary constructor and admitted like a spawned one:
the test expects its spawn (key, identity, our pid) and lets it say hello.
"""

from __future__ import annotations

import asyncio
import os

import msgspec
import pytest
from prometheus_client import REGISTRY

from tests.fixtures.broker import broker  # noqa: F401  (the fixture)
from workbuoy import config
from workbuoy.actors.base import Actor, handles
from workbuoy.bus.errors import BusError
from workbuoy.bus.client import Client
from workbuoy.bus.connection import DRAIN_BATCH
from workbuoy.schemas import envelope as env
from workbuoy.schemas.base import Empty
from workbuoy.schemas.envelope import ErrorInfo, Kind, SpawnSecrets
from workbuoy.schemas.outbox import QueueItemRef, QueueRetry, QueueStatusReply, ServerState
from workbuoy.schemas.settings import Settings

pytestmark = pytest.mark.timeout(120)


class SlowPlugins(Actor):
    """Owns the plugins channels and handles none; its start() waits until the test lets it finish."""

    name = "plugins"

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.starting = asyncio.Event()
        self.may_finish = asyncio.Event()
        self.started = False
        self.settings_seen: list[tuple[int, bool]] = []  # (sync interval, whether start() was done)

    async def start(self) -> None:
        self.starting.set()
        await self.may_finish.wait()
        self.started = True

    async def on_settings(self, settings: Settings) -> None:
        self.settings_seen.append((settings.sync_interval_sec, self.started))


def answer(client: Client, cid: int) -> env.Envelope:
    """The reply to request ``cid`` (others are not expected here)."""
    got = client.recv_raw(15)
    assert got is not None, f"no answer to request {cid}"
    assert got.cid == cid, (got.cid, cid)
    return got


def error_of(e: env.Envelope) -> ErrorInfo:
    assert e.kind == Kind.ERR
    return msgspec.msgpack.decode(e.payload, type=ErrorInfo)


def test_nothing_reaches_an_actor_before_its_start_is_done(broker, tmp_path):  # noqa: F811
    """Held while it starts, sent on at READY; refused ``unavailable`` if it starts too slowly; never ``internal``."""
    b, _, hellos = broker
    env_ = config.load({"WB_DATA_DIR": str(tmp_path / "data"), "WB_HEARTBEAT_SEC": "0.5"})
    actor = SlowPlugins(env_, b.endpoints, SpawnSecrets(key="k" * 32, identity="plugins:in-process"))
    b.expect("plugins", "k" * 32, os.getpid(), "plugins:in-process")
    client = Client(b.endpoints)

    def ask(cid: int) -> None:
        client.send_raw(env.encode(Kind.REQ, "wb:plugins:list", cid, {}))

    async def scenario() -> tuple[ErrorInfo, list[env.Envelope], ErrorInfo]:
        running = asyncio.ensure_future(actor.run())
        await asyncio.wait_for(actor.starting.wait(), 30)  # admitted (hello answered), start() under way
        assert hellos == ["plugins"]
        ask(1)
        too_slow = error_of(await asyncio.to_thread(answer, client, 1))  # held for HOLD_SEC, then refused
        ask(2)
        ask(3)
        client.send_raw(env.encode(Kind.REQ, "wb:getSettings", 4, {}))  # same connection: 2 and 3 are held by now
        assert (await asyncio.to_thread(answer, client, 4)).kind == Kind.REP
        b.publish("wb:settings:changed", Settings(sync_interval_sec=600))
        await asyncio.sleep(0.2)  # the event has arrived by now; it must wait for start() all the same
        actor.may_finish.set()
        held = [await asyncio.to_thread(answer, client, cid) for cid in (2, 3)]
        b.retire("plugins")  # its stop begins: nothing new for it, but its bye is no impostor's
        ask(5)
        stopping = error_of(await asyncio.to_thread(answer, client, 5))
        impostors = impostor_count()
        actor.request_stop()
        await asyncio.wait_for(running, 30)
        await asyncio.sleep(0.2)  # its bye has reached the broker
        assert impostor_count() == impostors
        return too_slow, held, stopping

    try:
        too_slow, held, stopping = asyncio.run(scenario())
    finally:
        client.close()
    assert too_slow.code == "unavailable" and too_slow.message == "the plugins actor is starting"
    assert [error_of(e).code for e in held] == ["not_implemented"] * 2  # owned, no handler: answered once ready
    assert stopping.code == "unavailable" and stopping.message == "the plugins actor is stopping"
    assert actor.settings_seen == [(600, True)]


def impostor_count() -> float:
    return REGISTRY.get_sample_value("wb_desktop_invalid_ipc_total", {"channel": "?", "reason": "impostor"}) or 0.0



class InlineQueue(Actor):
    """A plain-function handler (answered in the wake-up that read it) beside a coroutine one (a task)."""

    name = "queue"

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.may_retry = asyncio.Event()
        self.status_tasks: list[asyncio.Task | None] = []  # the task each status call ran in
        self.retry_task: asyncio.Task | None = None

    @handles("wb:queue:status")
    def status(self, request: Empty, caller: str) -> QueueStatusReply:
        self.status_tasks.append(asyncio.current_task())
        if len(self.status_tasks) == 3:
            raise BusError("failed", "the third status fails")
        if len(self.status_tasks) == 4:
            return {"not": object()}  # type: ignore[return-value]  # a reply the channel cannot carry
        return QueueStatusReply(server=ServerState(online=True, since=0), depth={"calls": len(self.status_tasks)})

    @handles("wb:queue:retry")
    async def retry(self, request: QueueRetry, caller: str) -> QueueItemRef:
        self.retry_task = asyncio.current_task()
        await self.may_retry.wait()
        return QueueItemRef(id=request.id, op_id="op", status="pending")


def test_a_plain_handler_answers_inline_while_a_coroutine_waits_in_its_task(broker, tmp_path):  # noqa: F811
    """Requests that arrive together: the plain ones are answered in order, errors included (one
    raised, one a reply that cannot be encoded), outside any task, while the coroutine before
    them still waits; it answers once it may. No failure ends the drain: the last one is answered."""
    b, _, _ = broker
    env_ = config.load({"WB_DATA_DIR": str(tmp_path / "data"), "WB_HEARTBEAT_SEC": "0.5"})
    actor = InlineQueue(env_, b.endpoints, SpawnSecrets(key="k" * 32, identity="queue:in-process"))
    b.expect("queue", "k" * 32, os.getpid(), "queue:in-process")
    client = Client(b.endpoints)

    async def scenario() -> tuple[list[env.Envelope], env.Envelope]:
        running = asyncio.ensure_future(actor.run())
        client.send_raw(env.encode(Kind.REQ, "wb:queue:retry", 1, QueueRetry(id=7)))  # held until the actor is ready
        for cid in range(2, 7):
            client.send_raw(env.encode(Kind.REQ, "wb:queue:status", cid, {}))
        inline = [await asyncio.to_thread(answer, client, cid) for cid in range(2, 7)]
        assert actor.retry_task is not None and not actor.retry_task.done()  # still waiting, and answered after
        actor.may_retry.set()
        later = await asyncio.to_thread(answer, client, 1)
        actor.request_stop()
        await asyncio.wait_for(running, 30)
        return inline, later

    try:
        inline, later = asyncio.run(scenario())
    finally:
        client.close()
    replies = [msgspec.msgpack.decode(e.payload, type=QueueStatusReply) for e in inline if e.kind == Kind.REP]
    assert [r.depth["calls"] for r in replies] == [1, 2, 5]
    assert error_of(inline[2]).message == "the third status fails"
    assert inline[3].kind == Kind.ERR and "object" in error_of(inline[3]).message
    assert actor.status_tasks == [None] * 5  # no task per plain request
    assert msgspec.msgpack.decode(later.payload, type=QueueItemRef).id == 7


def test_a_guarded_channel_refuses_a_plain_handler():
    """Its role check is a bus call to wait for: a plain function there is a mistake, caught at class creation."""
    with pytest.raises(TypeError, match="guarded"):
        type("PlainPlugins", (Actor,), {"name": "plugins", "list_plugins": handles("wb:plugins:list")(lambda self, r, c: None)})


class FloodQueue(Actor):
    """Counts its plain status calls into ``marks``, beside a ticker that marks each loop turn."""

    name = "queue"

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.marks: list[str] = []

    @handles("wb:queue:status")
    def status(self, request: Empty, caller: str) -> QueueStatusReply:
        self.marks.append("s")
        return QueueStatusReply(server=ServerState(online=True, since=0), depth={})


def test_a_flood_of_inline_requests_leaves_the_loop_its_turns(broker, tmp_path):  # noqa: F811
    """Requests held for an actor that is starting arrive at once; answering them inline must
    give the loop a turn every ``DRAIN_BATCH`` frames (timers, heartbeats, events wait there)."""
    b, _, _ = broker
    env_ = config.load({"WB_DATA_DIR": str(tmp_path / "data"), "WB_HEARTBEAT_SEC": "0.5"})
    actor = FloodQueue(env_, b.endpoints, SpawnSecrets(key="k" * 32, identity="queue:in-process"))
    b.expect("queue", "k" * 32, os.getpid(), "queue:in-process")
    client = Client(b.endpoints)
    n = 3 * DRAIN_BATCH

    async def ticker() -> None:
        while True:
            actor.marks.append("t")
            await asyncio.sleep(0)

    async def scenario() -> None:
        for cid in range(1, n + 1):  # held by the broker until the actor is ready
            client.send_raw(env.encode(Kind.REQ, "wb:queue:status", cid, {}))
        ticking = asyncio.ensure_future(ticker())
        running = asyncio.ensure_future(actor.run())
        for cid in range(1, n + 1):
            await asyncio.to_thread(answer, client, cid)
        actor.request_stop()
        await asyncio.wait_for(running, 30)
        ticking.cancel()

    try:
        asyncio.run(scenario())
    finally:
        client.close()
    runs = [len(run) for run in "".join(actor.marks).split("t") if run]
    assert sum(runs) == n and max(runs) <= DRAIN_BATCH, runs
