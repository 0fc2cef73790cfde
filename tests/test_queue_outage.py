"""Outages against a real node and a real sandbox: writes wait, never fail, and go out once.

The sandbox plays a load balancer in front of a dead backend (``drop``: connections
accepted and closed without an answer, then 503s while it warms up) or a host that is
gone (``refuse``). Every test reads the sandbox's idempotency ledger: each queued write
must have been applied exactly once.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from tests.fixtures.node import Node, pid_alive, wait_for
from tests.fixtures.sandbox import SandboxProcess, sandbox  # noqa: F401
from tests.test_queue_node import signed_in, store_of  # noqa: F401
from workbuoy.bus.client import Subscriber
from workbuoy.schemas.outbox import QueueStuck, ServerState
from workbuoy.store import Store


def edits(node: Node, n: int, prefix: str) -> list[Any]:
    """``n`` offline edits: creates of tasks with ids of our own, as a user would make them."""
    return [node.call("wb:queue:create", {"entity": "tasks", "op": "create", "entityId": f"{prefix}-{i}",
                                          "payload": {"title": f"{prefix} {i}"}}) for i in range(n)]


def decoded(sub: Subscriber, kind: type, timeout: float = 0.5) -> list[Any]:
    return [msgspec.msgpack.decode(e.payload, type=kind) for _, e in sub.events(timeout)]


def assert_applied_once(sandbox: SandboxProcess, store: Store, refs: list[Any]) -> None:
    """Every write in the ledger once, applied once, answered 2xx: no duplicate, none lost."""
    keys = {store.get_queue_item(r.id).op_id for r in refs}
    ledger = {w["key"]: w for w in sandbox.admin.get("/writes").json()["writes"] if w["key"] in keys}
    assert ledger.keys() == keys, f"{len(keys - ledger.keys())} writes never reached the server"
    assert [w for w in ledger.values() if w["applied"] != 1 or not 200 <= w["status"] < 300] == []


def flush_metric(node: Node, outcome: str) -> float:
    samples = node.call("wb:metrics:snapshot").samples
    return sum(v for k, v in samples.items() if k.startswith("wb_desktop_queue_flush_total{") and f'"{outcome}"' in k)


@pytest.fixture
def watched(node_factory, sandbox: SandboxProcess, store_of) -> Iterator[tuple[Node, Store, Subscriber]]:  # noqa: F811
    """A signed-in node, its store, and a subscription to its ``wb:server:state`` events."""
    node = signed_in(node_factory, sandbox)
    states = Subscriber(node.endpoints.events, ("wb:server:state",))
    yield node, store_of(node), states
    states.close()


@pytest.mark.timeout(240)
def test_a_40_s_dropped_connection_outage_with_503s_ends_with_every_write_synced_once(
        watched, sandbox: SandboxProcess) -> None:  # noqa: F811
    node, store, states = watched
    # A dead backend behind a load balancer for 40 s, then 503s while it warms up.
    sandbox.set_faults(outage="drop", outage_s=40, burst_503=6)
    started = time.monotonic()
    refs = edits(node, 100, "outage")
    offline = wait_for(lambda: decoded(states, ServerState), 30, what="the breaker to open")
    assert [s.online for s in offline] == [False] and offline[0].reason.startswith("unreachable: ")

    # While the server is down: nothing failed, nothing burns attempts, and everyone can see it.
    wait_for(lambda: time.monotonic() - started > 10, 30, interval=0.5, what="the outage to last a while")
    depth = store.queue_depth()
    assert depth["failed"] == 0 and depth["pending"] + depth["inflight"] == 100, depth
    items = node.call("wb:queue:list", {"limit": 100}).items
    assert sum(i.attempt for i in items) <= 2, [(i.id, i.attempt) for i in items if i.attempt]
    status = node.cli("status")
    assert status.returncode == 0 and "server offline since" in status.stdout and "unreachable" in status.stdout
    listing = node.cli("queue", "list", "--limit", "100")
    assert listing.returncode == 0 and listing.stdout.count("waiting to be sent") >= 95, listing.stdout
    assert node.call("wb:queue:status", {}).server.online is False

    # It comes back: every write goes out, exactly once, without anybody pressing retry.
    wait_for(lambda: store.queue_depth()["synced"] == 100, 150, interval=0.5, what="all 100 writes synced")
    assert time.monotonic() - started >= 40
    depth = store.queue_depth()
    assert depth["failed"] == depth["pending"] == depth["inflight"] == 0, depth
    assert_applied_once(sandbox, store, refs)
    seen = wait_for(lambda: decoded(states, ServerState), 10, what="the breaker to close")
    assert seen[-1].online is True
    assert sandbox.admin.get("/stats").json()["faults"]["burst_503"] == 6
    assert node.call("wb:queue:status", {}).server.online is True
    assert "server online" in node.cli("status").stdout


@pytest.mark.timeout(120)
def test_sends_in_flight_when_the_breaker_opens_are_not_charged(
        watched, sandbox: SandboxProcess) -> None:  # noqa: F811
    node, store, states = watched
    sandbox.set_faults(latency_ms=1500)  # every send waits 1.5 s inside the server
    actions = [{"entity": "tasks", "op": "create", "entityId": f"inflight-{i}", "payload": {"title": str(i)}} for i in range(8)]
    refs = node.call("wb:assistant:apply", {"actions": actions}).items  # one commit: 8 = the concurrency, all out at once
    wait_for(lambda: store.queue_depth()["inflight"] == 8, 10, interval=0.01, what="8 sends in flight")
    sandbox.set_faults(outage="drop")  # the server dies under them: each is dropped, none answered
    wait_for(lambda: decoded(states, ServerState), 30, what="the breaker to open")
    wait_for(lambda: store.queue_depth()["inflight"] == 0, 30, interval=0.05, what="the sends to come back")
    attempts = sorted(store.get_queue_item(r.id).attempt for r in refs)
    assert attempts == [0] * 7 + [1], attempts  # the send that found the outage is charged, the others are not
    assert flush_metric(node, "held") == 7
    sandbox.set_faults(outage="none", latency_ms=0)
    wait_for(lambda: store.queue_depth()["synced"] == 8, 60, interval=0.2, what="the 8 writes synced")
    assert_applied_once(sandbox, store, refs)


@pytest.mark.timeout(180)
def test_a_refused_connection_outage_holds_writes_until_the_server_listens_again(
        watched, sandbox: SandboxProcess) -> None:  # noqa: F811
    node, store, states = watched
    sandbox.set_faults(outage="refuse", outage_s=15)
    refs = edits(node, 30, "refused")
    offline = wait_for(lambda: decoded(states, ServerState), 30, what="the breaker to open")
    assert not offline[0].online and "ConnectError" in offline[0].reason
    wait_for(lambda: store.queue_depth()["synced"] == 30, 120, interval=0.5, what="all 30 writes synced")
    assert store.queue_depth()["failed"] == 0
    assert_applied_once(sandbox, store, refs)
    assert sum(store.get_queue_item(r.id).attempt for r in refs) <= 2
    assert [s.online for s in decoded(states, ServerState, 2)][-1:] == [True]


@pytest.mark.timeout(120)
def test_a_4xx_still_fails_at_once_and_5xx_in_a_row_open_the_breaker(
        watched, sandbox: SandboxProcess) -> None:  # noqa: F811
    node, store, states = watched
    rejected = node.call("wb:queue:create", {"entity": "tasks", "op": "update", "entityId": "task-1-9999999",
                                              "payload": {"x": 1}})
    item = wait_for(lambda: (i := store.get_queue_item(rejected.id)).status == "failed" and i, 30, what="the 404")
    assert item.attempt == 1 and item.last_error.startswith("rejected: ") and "404" in item.last_error
    assert decoded(states, ServerState) == []  # a refusal says the server is there

    sandbox.set_faults(fail_rate=1.0)  # 500/502/503 with a JSON body: the server answers, badly
    refs = edits(node, 10, "fivexx")
    offline = wait_for(lambda: decoded(states, ServerState), 30, what="the breaker to open on 5xx")
    assert not offline[0].online and offline[0].reason.startswith("3 server errors in a row")
    assert store.queue_depth()["failed"] == 1  # only the 404
    sandbox.set_faults(fail_rate=0.0)
    wait_for(lambda: store.queue_depth()["synced"] == 10, 60, interval=0.2, what="the 10 writes synced")
    assert [s.online for s in decoded(states, ServerState, 2)][-1:] == [True]
    assert_applied_once(sandbox, store, refs)
    assert store.get_queue_item(rejected.id).status == "failed"


@pytest.mark.timeout(180)
def test_a_write_stuck_longer_than_the_setting_raises_one_notice(
        watched, sandbox: SandboxProcess) -> None:  # noqa: F811
    node, store, _ = watched
    node.call("wb:updateSettings", {"queueStuckAfterSec": 2})
    wait_for(lambda: node.call("wb:getSettings").queue_stuck_after_sec == 2, 10, what="the setting")
    stuck = Subscriber(node.endpoints.events, ("wb:queue:stuck",))
    sandbox.set_faults(outage="drop")
    first = edits(node, 3, "stuck")
    notices: list[QueueStuck] = []
    wait_for(lambda: notices.extend(decoded(stuck, QueueStuck)) or sum(n.count for n in notices) >= 3, 30,
             what="notices for the 3 stuck writes")
    assert sum(n.count for n in notices) == 3 and notices[0].oldest_id == first[0].id  # checks may split them, never repeat
    assert notices[0].last_error is None or notices[0].last_error.startswith("unreachable")

    # The queue actor dies and comes back: the same writes are not announced again.
    pid = node.actor_pids()["queue"]
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not pid_alive(pid) and node.actor_pids().get("queue") not in (None, pid), 60, what="restart")
    node.wait_ready(("queue",))
    later = edits(node, 1, "later")
    notices = wait_for(lambda: decoded(stuck, QueueStuck, 1.0), 30, what="a notice for the new write only")
    assert [(n.count, n.oldest_id) for n in notices] == [(1, later[0].id)]
    assert decoded(stuck, QueueStuck, 3.0) == []  # 3 s = six more checks, and no second notice
    sandbox.set_faults(outage="none")
    wait_for(lambda: store.queue_depth()["synced"] == 4, 60, interval=0.2, what="the stuck writes synced")
    assert_applied_once(sandbox, store, first + later)
    stuck.close()


def test_backoff_is_full_jitter_under_the_cap() -> None:
    from workbuoy.backoff import full_jitter

    rng_state = random.getstate()
    try:
        random.seed(7)
        for attempt in (1, 2, 5, 10, 11, 30):
            bound = min(300.0, 0.5 * 2 ** (attempt - 1))
            draws = [full_jitter(attempt, 0.5, 300.0) for _ in range(2000)]
            assert 0 <= min(draws) < bound * 0.01 and bound * 0.99 < max(draws) <= bound
    finally:
        random.setstate(rng_state)


@pytest.mark.timeout(60)
def test_api_client_names_a_missing_answer_a_transport_error(sandbox: SandboxProcess) -> None:  # noqa: F811
    from workbuoy import api
    from workbuoy.schemas.auth import Credentials

    async def creds(force: bool) -> Credentials:
        return Credentials(headers={}, expires_at=0, api_base=f"{sandbox.origin}/api", portal_base=sandbox.origin,
                           email_base=f"{sandbox.origin}/email", cal_base=f"{sandbox.origin}/calendar")

    async def failure() -> api.ApiError:
        client = api.ApiClient(creds, attempts=2, backoff_base=0.01, timeout=5)
        try:
            await client.request("GET", "/me", renew_on_401=False)
        except api.ApiError as exc:
            return exc
        finally:
            await client.aclose()
        raise AssertionError("no error")

    sandbox.set_faults(outage="drop")
    dropped = asyncio.run(failure())
    assert isinstance(dropped, api.TransportError) and dropped.cause in ("RemoteProtocolError", "ReadError")
    sandbox.set_faults(outage="none", burst_503=2)
    answered = asyncio.run(failure())
    assert type(answered) is api.ServerUnavailable and answered.status == 503
    sandbox.set_faults(outage="refuse", outage_s=5)
    wait_for(lambda: isinstance(e := asyncio.run(failure()), api.TransportError) and e.cause == "ConnectError", 10,
             what="a refused connection")


def test_a_retry_waits_at_most_the_cap_setting_and_never_fails(tmp_path) -> None:
    from workbuoy.actors.queue import writes
    from workbuoy.actors.queue.actor import QueueActor
    from workbuoy.actors.queue.flusher import Flusher
    from workbuoy.schemas.settings import Settings
    from workbuoy.store.db import now_ms

    policy = QueueActor._policy(Settings(queue_retry_cap_sec=2))
    assert policy.backoff_cap_s == 2.0
    store = Store.open(tmp_path / "workbuoy.db")
    try:
        writes.commit(store, "org-1", [writes.Write("crm", {"title": "t"}, "tasks", "create", "cap-1")])
        flusher = Flusher(store, send=None, reachable=None, on_change=lambda: None,  # type: ignore[arg-type]
                          policy=policy)
        for attempt in range(1, 41):  # 40 transient failures in a row: still pending, never longer than the cap
            (lease,) = store.lease(1, 60_000, now=10**15)  # far in the future: whatever the back-off, it is due
            flusher._retry(lease, "unreachable: ConnectError")
            item = store.get_queue_item(lease.item.id)
            assert (item.status, item.attempt) == ("pending", attempt)
            assert 0 <= item.next_attempt_at - now_ms() <= 2000
    finally:
        store.close()
