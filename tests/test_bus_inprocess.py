"""A real broker (a thread) and a real actor (this process's main thread) on real ipc sockets.

The actor is built with its ordinary constructor and admitted like a spawned one:
the test expects its spawn (key, identity, our pid) and lets it say hello.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from tests.fixtures.broker import broker  # noqa: F401  (the fixture)
from tests.fixtures.node import wait_for
from workbuoy import config
from workbuoy.actors.base import Actor
from workbuoy.bus.client import Client
from workbuoy.bus.errors import BusError
from workbuoy.schemas.envelope import SpawnSecrets
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


def call_code(client: Client, channel: str) -> tuple[str, str]:
    try:
        client.call(channel, {}, timeout=10)
    except BusError as exc:
        return exc.code, exc.message
    return "ok", ""


def test_nothing_reaches_an_actor_before_its_start_is_done(broker, tmp_path):  # noqa: F811
    b, _, hellos = broker
    env = config.load({"WB_DATA_DIR": str(tmp_path / "data"), "WB_HEARTBEAT_SEC": "0.5"})
    actor = SlowPlugins(env, b.endpoints, SpawnSecrets(key="k" * 32, identity="plugins:in-process"))
    b.expect("plugins", "k" * 32, os.getpid(), "plugins:in-process")
    client = Client(b.endpoints)

    async def scenario() -> list[tuple[str, str]]:
        running = asyncio.ensure_future(actor.run())
        await asyncio.wait_for(actor.starting.wait(), 30)  # admitted (hello answered), start() under way
        assert hellos == ["plugins"]
        during = [await asyncio.to_thread(call_code, client, "wb:plugins:list") for _ in range(3)]
        b.publish("wb:settings:changed", Settings(sync_interval_sec=600))
        await asyncio.sleep(0.2)  # the event has arrived by now; it must wait for start() all the same
        actor.may_finish.set()
        after = await asyncio.to_thread(_first_answer_after_ready, client)
        actor.request_stop()
        await asyncio.wait_for(running, 30)
        return during + [after]

    try:
        answers = asyncio.run(scenario())
    finally:
        client.close()
    *during, after = answers
    assert all(code == "unavailable" and "the plugins actor is starting" in message for code, message in during), during
    assert after[0] == "not_implemented"  # an owned channel without a handler, answered once ready
    assert actor.settings_seen == [(600, True)]


def _first_answer_after_ready(client: Client) -> tuple[str, str]:
    """Ask until the broker routes to the actor; every answer before must be ``unavailable``, never ``internal``."""

    def routed() -> tuple[str, str] | None:
        code, message = call_code(client, "wb:plugins:list")
        if code == "unavailable":
            assert "starting" in message
            return None
        return code, message

    return wait_for(routed, 30, what="the actor routable once ready")
