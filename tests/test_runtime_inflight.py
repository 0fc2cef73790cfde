"""A caller waiting on an actor that dies gets an error at once, not a timeout."""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time

import pytest

from tests.fixtures.node import wait_for
from tests.fixtures.signed_in import signed_in_node
from workbuoy.bus.client import Client, Subscriber
from workbuoy.bus.errors import BusError

pytestmark = pytest.mark.timeout(240)


def test_request_in_flight_to_a_killed_actor_fails_fast(sandbox, node_factory):
    node = signed_in_node(node_factory, sandbox)
    sandbox.set_faults(latency_ms=20_000)
    outcome: dict = {}

    def slow_call() -> None:
        with Client(node.endpoints, timeout=60) as c:
            t0 = time.monotonic()
            try:
                c.call("wb:org:list", {"refresh": True})
            except BusError as exc:
                outcome["error"] = exc
            outcome["seconds"] = time.monotonic() - t0

    tracer = Subscriber(node.endpoints.trace)

    def traced(channel: str) -> bool:
        return any(r is not None and r.channel == channel for r in itertools.islice(tracer.traces(0.05), 20))

    wait_for(lambda: node.status() and traced("wb:sup:status"), 30, what="the tracer subscribed")
    t = threading.Thread(target=slow_call)
    t.start()
    wait_for(lambda: traced("wb:org:list"), 30, what="the request routed to queue")
    tracer.close()
    os.kill(node.status().actors["queue"].pid, signal.SIGKILL)
    t.join(60)
    sandbox.set_faults(latency_ms=0)
    assert outcome["error"].code == "unavailable"
    assert outcome["seconds"] < 19  # well before the server would have answered
