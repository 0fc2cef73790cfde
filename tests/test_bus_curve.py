"""CURVE on the bus (macOS, Windows, ``WB_BUS_TRANSPORT=tcp``, ``WB_BUS_CURVE=1``): only keys we handed out talk.

Adversaries: a process with a key of its own, one without CURVE, one with the user's
commands' key posing as an actor, and the node itself run on tcp with keys on stdin.
"""

from __future__ import annotations

import os
import stat

import msgspec
import pytest
import zmq

from tests.fixtures.broker import running_broker
from tests.fixtures.node import wait_for
from workbuoy import metrics
from workbuoy.bus.client import Client
from workbuoy.bus.errors import BusError
from workbuoy.bus.runtime import BUS_FILE, Endpoints, KeyPair, read
from workbuoy.schemas import envelope as env
from workbuoy.schemas.envelope import Hello, Kind

pytestmark = pytest.mark.linux_only  # the node test reads /proc; the broker tests would run anywhere


@pytest.fixture(params=["ipc", "tcp"])
def curve_broker(request, tmp_path):
    yield from running_broker(tmp_path, request.param, curve=True)


def _dealer(ctx: zmq.Context, endpoints: Endpoints, identity: bytes, keys: KeyPair | None) -> zmq.Socket:
    s = ctx.socket(zmq.DEALER)
    s.linger = 0
    s.identity = identity
    if keys is not None:
        endpoints.secure_client(s, keys)
    s.connect(endpoints.bus)
    return s


def _ask(sock: zmq.Socket, seconds: float) -> env.Envelope | None:
    """The reply to one request, or None; a socket whose handshake failed has no peer to send to at all."""
    try:
        sock.send(env.encode(Kind.REQ, "wb:sup:status", 1, {}), zmq.NOBLOCK)
    except zmq.Again:  # nothing connected: the broker refused the handshake
        return None
    return env.decode(sock.recv_multipart()[-1]) if sock.poll(int(seconds * 1000)) else None


def _hello(sock: zmq.Socket, name: str, key: str) -> str:
    sock.send(env.encode(Kind.HELLO, "hello", 1, Hello(name=name, key=key, pid=os.getpid())))
    assert sock.poll(10_000), "no reply to the hello"
    e = env.decode(sock.recv_multipart()[-1])
    return "ok" if e.kind == Kind.REP else msgspec.msgpack.decode(e.payload, type=env.ErrorInfo).code


def test_the_published_endpoints_are_private_and_the_commands_key_is_answered(curve_broker):
    b, ctx, _ = curve_broker
    published = read(b.endpoints.folder)
    assert published == b.endpoints and published.curve and published.cli_keys is not None
    assert stat.S_IMODE(os.stat(b.endpoints.folder / BUS_FILE).st_mode) == 0o600
    assert b._server is not None and b._server.secret not in (b.endpoints.folder / BUS_FILE).read_text()
    with Client(published, timeout=10) as c:
        with pytest.raises(BusError):  # no arbiter here: any reply at all proves we were admitted
            c.call("wb:sup:status")


def zap_refusals() -> float:
    """This process's count (the broker runs in it), whichever metrics mode an earlier test left."""
    return metrics.invalid_ipc.labels("?", "unauthenticated")._value.get()


def test_a_foreign_key_or_no_curve_gets_no_answer(curve_broker):
    b, ctx, _ = curve_broker
    before = zap_refusals()
    foreign = _dealer(ctx, b.endpoints, b"cli:foreign", KeyPair.new())
    plain = ctx.socket(zmq.DEALER)
    plain.linger = 0
    plain.connect(b.endpoints.bus)
    try:
        assert _ask(foreign, 3) is None
        assert _ask(plain, 1) is None
        wait_for(lambda: zap_refusals() > before, 10, what="the foreign key refused by ZAP")  # it reached ZAP
        own = _dealer(ctx, b.endpoints, b"cli:own", b.endpoints.cli_keys)
        try:
            assert _ask(own, 10) is not None  # the same broker answers the key it handed out
        finally:
            own.close(0)
    finally:
        foreign.close(0)
        plain.close(0)


def test_an_actor_hello_counts_only_over_its_own_spawn_key(curve_broker):
    b, ctx, hellos = curve_broker
    spawn = KeyPair.new()
    b.expect("ui", "hello-key", os.getpid(), "ui:secret", spawn.public)
    thief = _dealer(ctx, b.endpoints, b"ui:secret", b.endpoints.cli_keys)  # right identity and key, the commands' CURVE key
    try:
        assert _hello(thief, "ui", "hello-key") == "impostor" and hellos == []
    finally:
        thief.close(0)
    b.expect("ui", "hello-key-2", os.getpid(), "ui:secret-2", spawn.public)
    actor = _dealer(ctx, b.endpoints, b"ui:secret-2", spawn)
    try:
        assert _hello(actor, "ui", "hello-key-2") == "ok" and hellos == ["ui"]
    finally:
        actor.close(0)
    b.expect("ui", "hello-key-3", os.getpid(), "ui:secret-3", KeyPair.new().public)  # a respawn: new key pair
    stale = _dealer(ctx, b.endpoints, b"ui:stale", spawn)  # the old spawn's key opens nothing any more
    try:
        assert _ask(stale, 2) is None
    finally:
        stale.close(0)


def test_a_node_on_tcp_gets_its_actors_ready_with_keys_on_stdin(node_factory):
    node = node_factory(WB_BUS_TRANSPORT="tcp").start()
    endpoints = node.endpoints
    assert endpoints.bus.startswith("tcp://127.0.0.1:") and endpoints.curve
    status = node.cli("status")
    assert status.returncode == 0, status.stderr
    assert node.cli("restart", "audit").returncode == 0  # a respawn gets a new key pair and says hello again
    node.wait_ready()
    assert node.status().actors["audit"].restarts == 1
    for pid in node.actor_pids().values():  # the keys travel on stdin: nothing in what other processes can read
        seen = open(f"/proc/{pid}/environ", "rb").read() + open(f"/proc/{pid}/cmdline", "rb").read()
        assert endpoints.cli_keys is not None and endpoints.cli_keys.secret.encode() not in seen
    ctx = zmq.Context()
    try:
        foreign = _dealer(ctx, endpoints, b"cli:foreign", KeyPair.new())
        assert _ask(foreign, 3) is None
        foreign.close(0)
    finally:
        ctx.term()
