"""The broker against hostile frames: too deep, forged log lines, floods, and a fuzz run.

Every frame a peer sends must end in a reply or a counted refusal; the node must not
restart an actor, drop a routed message while traced, or let the sender write its own
lines into ``supervisor.log``.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import httpx
import msgspec
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.fixtures.node import Node, wait_for
from workbuoy.bus.client import Client, Subscriber
from workbuoy.bus.errors import BusError
from workbuoy.schemas import envelope as env
from workbuoy.schemas.control import TraceRecord
from workbuoy.schemas.envelope import Kind

pytestmark = pytest.mark.timeout(300)

#: A closed loopback port: an actor that tries the network fails at once, never reaching the internet.
OFFLINE = {"WB_PORTAL_BASE_URL": "http://127.0.0.1:9/portal", "WB_API_BASE_URL": "http://127.0.0.1:9/api"}


def refusals(node: Node) -> Counter[str]:
    """``wb_desktop_invalid_ipc_total`` by reason, and ``wb_desktop_trace_dropped_total`` as ``trace_dropped``."""
    text = httpx.get(node.status().metrics_url, timeout=10).text
    out: Counter[str] = Counter()
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if family.name == "wb_desktop_invalid_ipc" and s.name.endswith("_total"):
                out[s.labels["reason"]] += int(s.value)
            elif family.name == "wb_desktop_trace_dropped" and s.name.endswith("_total"):
                out["trace_dropped"] += int(s.value)
    return out


def nested(depth: int) -> bytes:
    """msgpack of ``{"a": {"a": ... 1}}``, ``depth`` maps deep (no encoder recursion needed)."""
    return b"\x81\xa1a" * depth + b"\x01"


def frame(kind: int, channel: str, cid: int, payload: bytes) -> bytes:
    return msgspec.msgpack.encode([kind, channel, cid, msgspec.Raw(payload)])


def code_of(reply: env.Envelope) -> str:
    return msgspec.msgpack.decode(reply.payload)["code"]


def supervisor_log(node: Node) -> str:
    return (node.data_dir / "logs" / "supervisor.log").read_text(errors="replace")


@pytest.fixture
def offline_node(node_factory) -> Node:
    return node_factory(**OFFLINE).start()


class Tracer:
    """A trace subscriber that the broker has seen (it taps only while someone listens)."""

    def __init__(self, node: Node) -> None:
        self.sub = Subscriber(node.endpoints.trace)
        self.records: list[TraceRecord] = []
        self.decoder = msgspec.msgpack.Decoder(list[TraceRecord])
        wait_for(lambda: node.status() and self.seen("wb:sup:status"), 60, what="the trace tap to start")

    def seen(self, channel: str, timeout: float = 0.2) -> bool:
        """Read whole batches until one holds a record of ``channel``, or nothing comes for ``timeout`` seconds."""
        while (msg := self.sub.recv(timeout)) is not None:
            batch = self.decoder.decode(msg[1])
            self.records += batch
            if any(rec.channel == channel for rec in batch):
                return True
        return False

    def close(self) -> None:
        self.sub.close()


def test_a_payload_nested_too_deep_is_refused_and_counted(offline_node: Node) -> None:
    node = offline_node
    before = refusals(node)
    with Client(node.endpoints) as c:
        for depth in (1_000, 5_000, 100_000):
            c.send_raw(frame(Kind.REQ, "wb:queue:create", depth, nested(depth)))
            reply = c.recv_raw(10)
            assert reply is not None and reply.kind == Kind.ERR and reply.cid == depth, depth
            assert code_of(reply) == "too_deep"
        # Too deep for the envelope itself (msgspec recurses to skip the raw payload): answered
        # like any unreadable frame, even an event, with the cid its header holds.
        for kind, cid in ((Kind.EVT, 0), (Kind.REQ, 7)):
            c.send_raw(frame(kind, "wb:crm:changed", cid, b"\x91" * 5_000 + b"\x01"))
            reply = c.recv_raw(10)
            assert reply is not None and reply.cid == cid and code_of(reply) == "too_deep"
        assert c.recv_raw(0.5) is None
    wait_for(lambda: refusals(node)["too_deep"] >= before["too_deep"] + 5, 20, what="too_deep counted")
    assert "Traceback" not in supervisor_log(node)
    assert all(a.restarts == 0 for a in node.status().actors.values())


def test_a_deep_valid_message_is_routed_while_a_tracer_listens(offline_node: Node) -> None:
    node = offline_node
    deep: Any = 1
    for _ in range(700):
        deep = {"a": deep}
    tracer = Tracer(node)
    try:  # the queue actor answers (its RBAC guard refuses a signed-out user), so the message reached it
        with pytest.raises(BusError) as err:
            node.call("wb:queue:create", {"entity": "deals", "op": "update", "entityId": "d-1", "payload": {"x": deep}},
                      timeout=20)
        assert err.value.code == "forbidden" and "not signed in" in err.value.message
        assert tracer.seen("wb:queue:create", 5)
    finally:
        tracer.close()


FORGED = "2026-01-01T00:00:00.000Z CRITICAL supervisor[1] workbuoy.bus: forged"


def test_control_characters_cannot_forge_a_line_in_the_supervisor_log(offline_node: Node) -> None:
    node = offline_node
    with Client(node.endpoints) as c:
        for i, sep in enumerate(("\n", "\r\n", "\r", "\x1b[2K\r", "\u2028", "\x85")):
            c.send_raw(frame(Kind.REQ, f"wb:nope{sep}{FORGED}{i}", i + 1, b"\x80"))
            assert c.recv_raw(10) is not None
        c.send_raw(frame(Kind.REQ, "wb:sup:status", 9, msgspec.msgpack.encode({f"x\n{FORGED}k": 1})))
        assert c.recv_raw(10) is not None
    wait_for(lambda: "forged5" in supervisor_log(node), 20, what="the refusals logged")
    text = supervisor_log(node)
    assert not [line for line in re.split(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", text) if line.startswith(FORGED)]
    assert "\\n" + FORGED in text and "\\x1b[2K\\r" + FORGED in text and "\\u2028" + FORGED in text


def test_a_flood_of_bad_frames_is_counted_in_full_and_logged_in_brief(offline_node: Node) -> None:
    node = offline_node
    before = refusals(node)
    size_before = len(supervisor_log(node))
    n = 3_000
    with Client(node.endpoints) as c:
        for i in range(n):
            c.send_raw(frame(Kind.REQ, "wb:nope", i + 1, b"\x80"))
            assert c.recv_raw(10) is not None
        with Client(node.endpoints) as other:  # another peer's first refusal is still logged
            other.send_raw(frame(Kind.REQ, "wb:nope", 1, b"\x80"))
            assert other.recv_raw(10) is not None
    wait_for(lambda: refusals(node)["unknown_channel"] >= before["unknown_channel"] + n + 1, 20, what="every refusal counted")
    logged = supervisor_log(node)[size_before:]
    assert logged.count("refused wb:nope") == 2, logged[-2000:]
    assert len(logged) < 4_000
