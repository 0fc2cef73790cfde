"""The broker against garbage, forbidden calls and invalid payloads; tracing; metrics."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import msgspec
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.fixtures.node import wait_for
from workbuoy.bus.client import Client
from workbuoy.bus.errors import BusError
from workbuoy.schemas import envelope as env
from workbuoy.schemas.envelope import Kind
from workbuoy.schemas.registry import CHANNELS

pytestmark = pytest.mark.timeout(240)


def invalid_count(node) -> float:
    text = httpx.get(node.status().metrics_url, timeout=10).text
    return sum(s.value for f in text_string_to_metric_families(text) if f.name == "wb_desktop_invalid_ipc" for s in f.samples
               if s.name.endswith("_total"))


def refusal(client: Client, *frames: bytes) -> env.Envelope:
    client.send_raw(*frames)
    reply = client.recv_raw(10)
    assert reply is not None, "the broker did not answer"
    assert reply.kind == Kind.ERR
    return reply


def code_of(reply: env.Envelope) -> str:
    return msgspec.msgpack.decode(reply.payload)["code"]


def test_garbage_frames_get_error_replies_and_are_counted(node):
    before = invalid_count(node)
    with Client(node.endpoints) as c:
        assert code_of(refusal(c, b"\x00garbage")) == "malformed"
        assert code_of(refusal(c, b"a", b"b", b"c")) == "malformed"
        assert code_of(refusal(c, msgspec.msgpack.encode([1, "wb:nope", 1, {}]))) == "unknown_channel"
        assert code_of(refusal(c, b"x" * (1 << 20 + 1))) == "too_large"
        assert code_of(refusal(c, msgspec.msgpack.encode(["req", 2, "x"]))) == "malformed"
    assert node.status().actors["sync"].state == "ready"
    wait_for(lambda: invalid_count(node) >= before + 5, 20, what="invalid_ipc_total to grow")


def test_every_channel_refuses_an_invalid_payload(node):
    before = invalid_count(node)
    with Client(node.endpoints) as c:
        for i, name in enumerate(CHANNELS):
            reply = refusal(c, env.encode(Kind.REQ, name, i + 1, {"notAField": [1, 2, 3]}))
            assert code_of(reply) in ("invalid_payload", "forbidden"), name
            assert reply.cid == i + 1
        with pytest.raises(BusError) as err:
            c.call("wb:updateSettings", {"syncIntervalSec": -5})
        assert err.value.code == "invalid_payload"
    wait_for(lambda: invalid_count(node) >= before + len(CHANNELS) + 1, 20, what="counter")


def test_only_api_actors_obtain_credentials(node):
    with Client(node.endpoints) as cli, Client(node.endpoints, identity=b"ui") as ui:
        for c, code in ((cli, "forbidden"), (ui, "impostor")):
            with pytest.raises(BusError) as err:
                c.call("wb:auth:credentials", {})
            assert err.value.code == code
    assert "ui" not in CHANNELS["wb:auth:credentials"].callers


def test_an_unstarted_peer_cannot_pose_as_an_actor(node):
    with Client(node.endpoints, identity=b"sync") as fake:
        fake.send_raw(env.encode(Kind.HELLO, "hello", 1, env.Hello(name="sync", key="guess", pid=1)))
        reply = fake.recv_raw(10)
        assert reply.kind == Kind.ERR and code_of(reply) == "impostor"


def test_a_channel_whose_owner_is_absent_is_unavailable(node):
    with pytest.raises(BusError) as err:  # a headless node has no ui to show a notification
        node.call("wb:notify", {"title": "hello"})
    assert err.value.code == "unavailable"


def test_call_command_prints_json_and_exits_1_on_error(node):
    out = node.cli("call", "wb:getSettings")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["syncIntervalSec"] == 300
    out = node.cli("call", "wb:updateSettings", '{"syncPageSize": 5000}')
    assert out.returncode == 1 and "invalid_payload" in out.stderr
    out = node.cli("call", "wb:getSettings", "{not json")
    assert out.returncode == 2


def test_trace_shows_request_and_reply_with_latency(node):
    tracer = subprocess.Popen([sys.executable, "-m", "workbuoy", "trace", "--json", "--channel", "wb:sup:status", "--count", "2"],
                              env=node.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def traced():  # the subscription reaches the broker asynchronously: keep calling until seen
            node.status()
            return tracer.poll() is not None

        wait_for(traced, 60, interval=0.2, what="trace output")
        lines = [json.loads(line) for line in tracer.stdout.read().splitlines()]
    finally:
        tracer.kill()
    kinds = [r["kind"] for r in lines]
    assert kinds == ["req", "rep"], lines
    assert lines[0]["sender"] == "cli" and lines[0]["receiver"] == "supervisor"
    assert lines[1]["latencyMs"] is not None and lines[1]["cid"] == lines[0]["cid"]


def test_metrics_parse_and_are_loopback_only(node):
    node.status()
    url = node.status().metrics_url
    assert url.startswith("http://127.0.0.1:")
    families = {f.name: f for f in text_string_to_metric_families(httpx.get(url, timeout=10).text)}
    assert "wb_desktop_ipc_messages" in families
    assert "wb_desktop_ipc_latency_seconds" in families
    assert any(s.labels.get("channel") == "wb:sup:status" for s in families["wb_desktop_ipc_messages"].samples)


def test_an_error_code_outside_the_schema_still_makes_a_readable_reply():
    from workbuoy.bus.codec import unwrap
    from workbuoy.bus.errors import error_info

    frame = env.encode(Kind.ERR, "wb:queue:create", 7, error_info(BusError("no_such_code", "oops")))
    with pytest.raises(BusError) as err:
        unwrap(env.decode(frame), "wb:queue:create")
    assert err.value.code == "internal" and "no_such_code" in err.value.message
