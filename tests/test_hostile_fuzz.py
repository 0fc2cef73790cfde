"""The broker fuzzed: 10,000 random and mutated frames per run, with a tracer attached.

Every frame must end in an answer or a counted refusal, the counter must grow by
exactly the refusals, and no actor may restart. The seed is in every failure message.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import msgspec
import pytest

from tests.fixtures.node import Node, wait_for
from tests.test_hostile_bus import Tracer, frame, nested, offline_node, refusals, supervisor_log  # noqa: F401
from workbuoy.bus.client import Client
from workbuoy.schemas import envelope as env
from workbuoy.schemas.envelope import Kind
from workbuoy.schemas.registry import CHANNELS, EVENTS

pytestmark = pytest.mark.timeout(300)

FUZZ_FRAMES = 10_000
#: A valid request on these would stop the node, restart an actor or sign in: always sent invalid.
DANGEROUS = frozenset({"wb:sup:stop", "wb:sup:restart", "wb:auth:login"})
#: Codes with which the broker refuses and counts; anything else is an answer.
COUNTED = frozenset({"malformed", "too_large", "unknown_channel", "forbidden", "invalid_payload", "too_deep"})
WORDS = ("", "a", "deals", "org-1", "d-1", "x\ny", "\x1b[2K\r", "\u2028", "é", "a" * 300, "dora@workbuoy.test",
         "wb:sup:status", "..", "a/b", "follow_up", "keepLocal", "crm", "create", "update", "delete", "auth")
SCALARS = (None, True, False, 0, 1, -1, 7, 300, 2**63 - 1, -(2**63), 2**64 - 1, 1.5, float("inf"), b"\x00\xff")


class Fuzzer:
    """Random frames built from the registry's channels and fields, then sometimes mutated."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names = [*CHANNELS, *EVENTS]
        self.fields = {name: [f.encode_name for f in msgspec.structs.fields(ch.request)] for name, ch in CHANNELS.items()}

    def value(self, keys: list[str], depth: int = 0) -> Any:
        r = self.rng.random()
        if depth > 3 or r < 0.5:
            return self.rng.choice((*SCALARS, *WORDS))
        if r < 0.7:
            return [self.value(keys, depth + 1) for _ in range(self.rng.randrange(4))]
        pool = keys + list(WORDS)
        return {self.rng.choice(pool): self.value(keys, depth + 1) for _ in range(self.rng.randrange(5))}

    def payload(self, channel: str) -> bytes:
        rng = self.rng
        keys = self.fields.get(channel, [])
        if channel in DANGEROUS:
            return msgspec.msgpack.encode({"zz": self.value(keys)})
        roll = rng.random()
        if roll < 0.05:  # deep, either side of the decoder's limit but not at it
            return nested(rng.choice((rng.randrange(1, 700), rng.randrange(1_500, 20_000))))
        if roll < 0.1:
            return rng.randbytes(rng.randrange(1, 40))
        if roll < 0.2 and not keys:
            return b"\x80"
        return msgspec.msgpack.encode({k: self.value(keys) for k in rng.sample(keys, rng.randrange(len(keys) + 1))}
                                      if rng.random() < 0.7 else self.value(keys))

    def frames(self, cid: int) -> list[bytes]:
        rng = self.rng
        channel = rng.choice(self.names) if rng.random() < 0.9 else rng.choice(WORDS)
        kind = int(rng.choice(list(Kind))) if rng.random() < 0.9 else rng.choice((0, 9, -1, 2**40))
        if rng.random() < 0.6:
            kind = Kind.REQ
        data = frame(kind, channel, cid, self.payload(channel))
        if rng.random() < 0.2:
            data = self.mutate(data)
        if rng.random() < 0.02:
            return [data, rng.randbytes(3)][: rng.choice((2, 2, 3))] + [b""] * rng.randrange(2)
        return [data]

    def mutate(self, data: bytes) -> bytes:
        b = bytearray(data)
        for _ in range(self.rng.randrange(1, 4)):
            i = self.rng.randrange(len(b))
            op = self.rng.randrange(4)
            if op == 0:
                b[i] ^= 1 << self.rng.randrange(8)
            elif op == 1:
                del b[i:]
            elif op == 2:
                b[i:i] = self.rng.randbytes(self.rng.randrange(1, 8))
            else:
                b[i:i] = b[i: i + self.rng.randrange(1, 16)]
            if not b:
                b = bytearray(b"\xc1")
        return bytes(b)


def outcome(frames: list[bytes]) -> tuple[bool, set[int]]:
    """(whether the broker must answer, the cids its answer may carry) for what one peer sent."""
    if len(frames) != 1 or len(frames[0]) > 1 << 20:
        return True, {0}
    try:
        e = env.decode(frames[0])
    except env.TooDeep as exc:  # the broker may find the frame truncated before it finds it too deep
        return True, {0, exc.header[2] if exc.header else 0}
    except (msgspec.DecodeError, msgspec.ValidationError):
        return True, {0}
    return e.kind not in (Kind.EVT, Kind.HB), {e.cid}


def harmless(frames: list[bytes]) -> bool:
    """Not a valid request on a dangerous channel (a mutation may, in theory, make one)."""
    try:
        e = env.decode(frames[0])
        if e.kind == Kind.REQ and e.channel in DANGEROUS:
            CHANNELS[e.channel].decoder().decode(e.payload)
            return False
    except (msgspec.DecodeError, msgspec.ValidationError):
        pass
    return True


def test_fuzz_every_frame_gets_a_reply_or_a_counted_refusal(offline_node: Node) -> None:
    node = offline_node
    pids, before = node.actor_pids(), refusals(node)
    seed = random.randrange(1 << 32)
    fuzz, tracer = Fuzzer(random.Random(seed)), Tracer(node)
    answered = silent = 0
    try:
        with Client(node.endpoints) as cli, Client(node.endpoints, identity=b"stranger:1") as stranger:
            for i in range(FUZZ_FRAMES):
                frames = fuzz.frames(i + 1)
                if not harmless(frames):
                    continue
                peer = cli if i % 4 else stranger
                peer.send_raw(*frames)
                must_answer, cids = outcome(frames)
                if not must_answer:
                    silent += 1
                    continue
                reply = peer.recv_raw(20)
                assert reply is not None, f"seed {seed}: no answer to frame {i}: {frames!r:.300}"
                assert reply.cid in cids and reply.kind in (Kind.REP, Kind.ERR), f"seed {seed}: frame {i}: {msgspec.msgpack.decode(reply.payload)} {frames!r:.300}"
                answered += 1
                if i % 200 == 0:
                    tracer.seen("", 0.01)  # keep reading, as a real tracer does
            assert cli.recv_raw(0.5) is None and stranger.recv_raw(0.1) is None, f"seed {seed}: an extra answer"
        node.status()
        while tracer.seen("", 1.0):  # everything the tap published, until it is quiet
            pass
    finally:
        tracer.close()
    # The broker's refusals are in the trace (sender "broker"); an actor's own error answers are not refusals.
    refused = sum(r.sender == "broker" and r.kind == "err" and (r.error or "").split(":")[0] in COUNTED for r in tracer.records)
    actors_own = ("refused", "rbac", "trace_dropped")  # refusals of the actors themselves, not the broker's
    own = Counter({k: v for k, v in before.items() if k not in actors_own})
    expected = sum(own.values()) + refused + silent

    def counted() -> int:
        return sum(v for k, v in refusals(node).items() if k not in actors_own)

    wait_for(lambda: counted() >= expected, 30, what=f"seed {seed}: {expected} refusals counted, not {counted()}")
    assert counted() == expected and refusals(node)["trace_dropped"] == 0, f"seed {seed}: {refusals(node)}"
    assert answered + silent > 0.99 * FUZZ_FRAMES
    status = node.status()
    assert node.actor_pids() == pids and all(a.restarts == 0 for a in status.actors.values()), f"seed {seed}"
    assert "Traceback" not in supervisor_log(node)
