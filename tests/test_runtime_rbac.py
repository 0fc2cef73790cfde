"""The broker's caller rules with a registered ui actor (its spawn key, its pid seen by ZAP)."""

from __future__ import annotations

import os

import msgspec
import pytest
import zmq

from tests.fixtures.broker import broker  # noqa: F401  (the fixture)
from workbuoy.schemas import envelope as env
from workbuoy.schemas.envelope import Hello, Kind
from workbuoy.schemas.registry import CHANNELS

pytestmark = pytest.mark.timeout(60)


def reply(sock: zmq.Socket) -> env.Envelope:
    assert sock.poll(10_000), "no reply"
    return env.decode(sock.recv_multipart()[-1])


def test_a_registered_ui_actor_is_refused_credentials_and_allowed_its_channels(broker):
    b, ctx, hellos = broker
    b.expect("ui", "k" * 32, os.getpid(), "ui:spawn-1")
    ui = ctx.socket(zmq.DEALER)
    ui.linger = 0
    ui.identity = b"ui:spawn-1"
    ui.connect(b.endpoints.bus)
    try:
        ui.send(env.encode(Kind.HELLO, "hello", 1, Hello(name="ui", key="k" * 32, pid=os.getpid())))
        assert reply(ui).kind == Kind.REP and hellos == ["ui"]
        ui.send(env.encode(Kind.REQ, "wb:auth:credentials", 2, {}))
        refused = reply(ui)
        info = msgspec.msgpack.decode(refused.payload, type=env.ErrorInfo)
        assert refused.kind == Kind.ERR and info.code == "forbidden" and info.message.startswith("ui may not call")
        ui.send(env.encode(Kind.REQ, "wb:queue:list", 3, {}))
        allowed = msgspec.msgpack.decode(reply(ui).payload, type=env.ErrorInfo)
        assert allowed.code == "unavailable"  # allowed, routed, and no queue actor runs here
    finally:
        ui.close(0)
    assert "ui" not in CHANNELS["wb:auth:credentials"].callers


def test_a_hello_with_the_wrong_key_is_refused(broker):
    b, ctx, hellos = broker
    b.expect("ui", "right-key", os.getpid(), "ui:spawn-1")
    fake = ctx.socket(zmq.DEALER)
    fake.linger = 0
    fake.identity = b"ui:spawn-1"
    fake.connect(b.endpoints.bus)
    try:
        fake.send(env.encode(Kind.HELLO, "hello", 1, Hello(name="ui", key="wrong-key", pid=os.getpid())))
        refused = reply(fake)
        assert refused.kind == Kind.ERR and hellos == []
        assert msgspec.msgpack.decode(refused.payload, type=env.ErrorInfo).code == "impostor"
    finally:
        fake.close(0)
