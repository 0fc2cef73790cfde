"""Same-user processes on the bus: nobody takes an actor's place, its requests, its replies or its events.

Each test is the attack a process of the same user would try, against a real node
(or a real broker) on real ipc sockets.
"""

from __future__ import annotations

import os
import threading
import time

import httpx
import msgspec
import pytest
import zmq
from prometheus_client.parser import text_string_to_metric_families

from tests.fixtures.broker import broker  # noqa: F401  (the fixture)
from tests.fixtures.node import wait_for
from tests.fixtures.sandbox import DEMO
from tests.fixtures.signed_in import FILE_KEYRING
from workbuoy.bus.client import Client, Subscriber
from workbuoy.schemas import envelope as env
from workbuoy.schemas.auth import AuthState
from workbuoy.schemas.envelope import Hello, Kind

pytestmark = pytest.mark.timeout(240)


def impostor_count(node) -> float:
    text = httpx.get(node.status().metrics_url, timeout=10).text
    return sum(s.value for f in text_string_to_metric_families(text) if f.name == "wb_desktop_invalid_ipc"
               for s in f.samples if s.name.endswith("_total") and s.labels.get("reason") == "impostor")


def code_of(e: env.Envelope) -> str:
    return msgspec.msgpack.decode(e.payload, type=env.ErrorInfo).code


def drain(sock: zmq.Socket, seconds: float) -> list[list[bytes]]:
    """Everything ``sock`` receives within ``seconds``."""
    got, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if sock.poll(int(left * 1000) + 1):
            got.append(sock.recv_multipart())
    return got


def test_an_impostor_sync_is_refused_credentials_counted_and_gets_nothing_meant_for_sync(node):
    before = impostor_count(node)
    pids = node.actor_pids()
    with Client(node.endpoints, identity=b"sync") as fake:
        for cid in (1, 2):
            fake.send_raw(env.encode(Kind.REQ, "wb:auth:credentials", cid, {"forceRefresh": False}))
            reply = fake.recv_raw(10)
            assert reply is not None and reply.kind == Kind.ERR and code_of(reply) == "impostor"
        status = node.call("wb:sync:status")  # routed to sync: the real one answers, the impostor sees nothing
        assert status.running is False
        assert drain(fake.socket, 1.0) == []
    wait_for(lambda: impostor_count(node) >= before + 2, 20, what="both refusals counted")
    log = (node.data_dir / "logs" / "supervisor.log").read_text()
    assert log.count("impostor on the bus") == 1  # once per identity, however many frames
    assert node.actor_pids() == pids and all(a.restarts == 0 for a in node.status().actors.values())


def test_an_impostor_auth_with_forged_heartbeats_never_sees_the_password(sandbox, node_factory):
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING).start()
    auth_pid = node.actor_pids()["auth"]
    seen: list[list[bytes]] = []
    with Client(node.endpoints, identity=b"auth") as fake:
        stop = threading.Event()

        def pose() -> None:  # heartbeats as the real auth sends them, and listening for whatever comes
            while not stop.is_set():
                fake.send_raw(env.encode(Kind.HB, "", 0, env.NIL))
                seen.extend(drain(fake.socket, 0.05))

        poser = threading.Thread(target=pose)
        poser.start()
        try:
            out = node.cli("login", "--email", DEMO[0], "--password-stdin", input=DEMO[1] + "\n")
        finally:
            stop.set()
            poser.join(10)
    assert out.returncode == 0, out.stderr
    assert seen and not any(DEMO[1].encode() in b"".join(m) for m in seen)
    assert {code_of(env.decode(m[-1])) for m in seen} == {"impostor"}
    auth = node.status().actors["auth"]
    assert (auth.pid, auth.state, auth.restarts) == (auth_pid, "ready", 0)
    assert node.call("wb:auth:status").state == "signed_in"
    status = node.cli("status")
    assert status.returncode == 0 and str(auth_pid) in status.stdout


def test_an_impostor_cannot_publish_an_actors_event(node):
    sub = Subscriber(node.endpoints.events, ("wb:auth:state",))
    try:
        with Client(node.endpoints, identity=b"auth") as fake:
            time.sleep(0.3)  # slow joiner: the subscription must reach the broker before the forgery
            fake.send_raw(env.encode(Kind.EVT, "wb:auth:state", 0, AuthState(state="signed_in", email="evil@example.com")))
            reply = fake.recv_raw(10)
            assert reply is not None and code_of(reply) == "impostor"
        assert sub.recv(1.0) is None
    finally:
        sub.close()


def test_a_restarted_actor_takes_over_and_its_predecessor_is_dead(node):
    old = node.actor_pids()["sync"]
    node.call("wb:sup:restart", {"actor": "sync"})
    node.wait_ready()
    assert node.actor_pids()["sync"] != old
    assert node.call("wb:sync:status") is not None  # routed to the new process


def _connect(ctx: zmq.Context, endpoint: str, identity: bytes) -> zmq.Socket:
    s = ctx.socket(zmq.DEALER)
    s.linger = 0
    s.identity = identity
    s.connect(endpoint)
    return s


def _answer(sock: zmq.Socket) -> env.Envelope:
    assert sock.poll(10_000), "no reply"
    return env.decode(sock.recv_multipart()[-1])


def _hello(sock: zmq.Socket, key: str, pid: int, name: str = "ui", ready: bool = True) -> env.Envelope:
    """Hello, and READY when it was accepted (and ``ready``): the broker routes only to ready actors."""
    sock.send(env.encode(Kind.HELLO, "hello", 1, Hello(name=name, key=key, pid=pid)))
    answer = _answer(sock)
    if answer.kind == Kind.REP and ready:
        sock.send(env.encode(Kind.READY, "", 0, env.NIL))
    return answer


def test_a_respawn_retires_the_old_connection_and_a_spawn_key_works_once(broker):
    b, ctx, hellos = broker
    b.expect("ui", "key-1", os.getpid(), "ui:first")
    first = _connect(ctx, b.endpoints.bus, b"ui:first")
    cli = _connect(ctx, b.endpoints.bus, b"cli:test")
    second = replay = wrong_pid = None
    try:
        assert _hello(first, "key-1", os.getpid(), ready=False).kind == Kind.REP  # READY could race the forget
        b.forget("ui")  # the process died; the arbiter forgets it and spawns another
        b.expect("ui", "key-2", os.getpid(), "ui:second")
        second = _connect(ctx, b.endpoints.bus, b"ui:second")
        assert _hello(second, "key-2", os.getpid()).kind == Kind.REP and hellos == ["ui", "ui"]
        first.send(env.encode(Kind.REQ, "wb:queue:list", 2, {}))
        assert code_of(_answer(first)) == "impostor"  # the stale connection is nobody now
        cli.send(env.encode(Kind.REQ, "wb:notify", 3, {"title": "t"}))
        frames = _answer_frames(second)
        assert frames[0] == b"cli:test" and env.decode(frames[1]).channel == "wb:notify"
        assert drain(first, 0.5) == []
        replay = _connect(ctx, b.endpoints.bus, b"ui:second-replay")
        assert code_of(_hello(replay, "key-2", os.getpid())) == "impostor"  # a key is good for one hello
        b.expect("ui", "key-3", os.getpid() + 1, "ui:third")
        wrong_pid = _connect(ctx, b.endpoints.bus, b"ui:third")
        assert code_of(_hello(wrong_pid, "key-3", os.getpid())) == "impostor"  # not the spawned process
    finally:
        for s in (first, second, cli, replay, wrong_pid):
            if s is not None:
                s.close(0)


def _answer_frames(sock: zmq.Socket) -> list[bytes]:
    assert sock.poll(10_000), "nothing routed"
    return sock.recv_multipart()


def test_an_actor_sees_another_actors_calls_by_name_never_by_its_identity(broker):
    b, ctx, _ = broker
    b.expect("ui", "key-ui", os.getpid(), "ui:secret-identity")
    b.expect("queue", "key-queue", os.getpid(), "queue:secret-identity")
    ui = _connect(ctx, b.endpoints.bus, b"ui:secret-identity")
    queue = _connect(ctx, b.endpoints.bus, b"queue:secret-identity")
    try:
        assert _hello(ui, "key-ui", os.getpid()).kind == Kind.REP
        assert _hello(queue, "key-queue", os.getpid(), name="queue").kind == Kind.REP
        ui.send(env.encode(Kind.REQ, "wb:queue:list", 7, {}))
        caller, frame = _answer_frames(queue)
        assert caller == b"ui"
        queue.send_multipart([caller, env.encode(Kind.REP, "wb:queue:list", 7, {"items": []})])
        answered = _answer(ui)
        assert (answered.kind, answered.cid) == (Kind.REP, 7)
    finally:
        ui.close(0)
        queue.close(0)


def test_a_subscription_that_receives_no_trace_does_not_switch_tracing_on(broker):
    b, ctx, _ = broker
    sub = ctx.socket(zmq.SUB)
    sub.linger = 0
    sub.connect(b.endpoints.trace)
    try:
        sub.setsockopt(zmq.SUBSCRIBE, b"tr")  # a prefix of the topic: it receives records
        wait_for(lambda: b.tap.tracers == 1, 20, what="the tracer counted")
        sub.setsockopt(zmq.SUBSCRIBE, b"not-the-trace")  # would receive nothing: must not count
        sub.setsockopt(zmq.UNSUBSCRIBE, b"tr")
        wait_for(lambda: b.tap.tracers == 0, 20, what="tracing off once the only real tracer left")
    finally:
        sub.close(0)


def test_nothing_sent_up_the_event_socket_reaches_a_subscriber(broker):
    b, ctx, _ = broker
    listener = Subscriber(b.endpoints.events, ("wb:",))
    forger = ctx.socket(zmq.XSUB)
    forger.linger = 0
    forger.connect(b.endpoints.events)
    try:
        time.sleep(0.3)  # slow joiner: both connections up before the forgery
        forged = env.encode(Kind.EVT, "wb:auth:state", 0, AuthState(state="signed_out"))
        for _ in range(10):
            forger.send_multipart([b"wb:auth:state", forged])
        assert listener.recv(1.0) is None
    finally:
        forger.close(0)
        listener.close()
