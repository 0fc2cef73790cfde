"""Sync against hostile conditions: SIGKILL mid-sync, expiring tokens, 429, garbage, secrets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import apsw
import pytest

from tests.fixtures.node import wait_for
from tests.fixtures.sandbox import sandbox, sandbox_factory  # noqa: F401
from tests.fixtures.signed_in import (
    assert_cache_equals_server, cache_rows, files_under, sandbox_secrets, set_page_size, signed_in_node, sync,
)
from workbuoy.schemas.base import ENTITIES

pytestmark = pytest.mark.timeout(300)


def cached_total(node) -> int:
    conn = apsw.Connection(str(node.data_dir / "workbuoy-cache.db"), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        return sum(conn.execute(f"SELECT count(*) FROM {e}").fetchone()[0] for e in ENTITIES)
    finally:
        conn.close()


def metric_sum(node, prefix: str) -> float:
    samples = node.call("wb:metrics:snapshot").samples
    return sum(v for k, v in samples.items() if k.startswith(prefix))


def statuses(sandbox, route: str) -> dict[str, int]:
    return sandbox.admin.get("/stats").json()["routes"].get(route, {})


def test_kill_9_of_the_sync_actor_mid_sync_still_ends_equal(sandbox_factory, node_factory):
    sandbox = sandbox_factory("--rows", "7000", "--latency-ms", "15")
    node = signed_in_node(node_factory, sandbox)
    set_page_size(node, 40)
    kills = 0
    while kills < 5:
        run = node.call("wb:sync:start", {})
        assert node.call("wb:sync:start", {}) == type(run)(run_id=run.run_id, already_running=True)
        floor = cached_total(node)
        wait_for(lambda: cached_total(node) >= floor + 150, 60, what="sync progress")
        pid = node.actor_pids()["sync"]
        os.kill(pid, signal.SIGKILL)
        kills += 1
        wait_for(lambda: node.actor_pids().get("sync") not in (None, pid), 60, what="sync actor restart")
        node.wait_ready(("sync",))
    assert cached_total(node) < 7000, "the kills all landed after the sync ended"
    status = sync(node)
    assert [s for s in status.entities if s.last_error] == []
    assert assert_cache_equals_server(node, sandbox) == 7000 == cached_total(node)


def test_token_expiry_during_a_long_sync_is_invisible(sandbox_factory, node_factory):
    sandbox = sandbox_factory("--rows", "5600", "--token-ttl", "2", "--latency-ms", "40")
    # One stream at a time: 126 requests of 40 ms or more outlive two tokens whatever the machine.
    node = signed_in_node(node_factory, sandbox, WB_PREFER_BEARER="1", WB_SYNC_CONCURRENCY="1")
    set_page_size(node, 50)
    before = sum(statuses(sandbox, "POST /auth/refresh").values())
    status = sync(node)
    assert [s for s in status.entities if s.last_error] == []
    assert assert_cache_equals_server(node, sandbox) == 5600
    assert sum(statuses(sandbox, "POST /auth/refresh").values()) - before >= 2


def test_rate_limits_wait_for_retry_after(sandbox, node_factory):
    node = signed_in_node(node_factory, sandbox)
    sandbox.set_faults(rate_limit_rate=0.3)
    started = time.monotonic()
    status = sync(node)
    elapsed = time.monotonic() - started
    limited = statuses(sandbox, "GET /api/{entity}").get("429", 0)
    assert limited > 0
    assert elapsed >= 1.0, "every 429 says Retry-After: 1"
    assert [s for s in status.entities if s.last_error] == []
    assert metric_sum(node, "wb_desktop_sync_rate_limited_total") == limited
    assert_cache_equals_server(node, sandbox)


def test_garbage_keeps_the_last_good_data_and_sets_last_error(sandbox, node_factory):
    node = signed_in_node(node_factory, sandbox)
    sync(node)
    deal = next(iter(cache_rows(node, "deals", "org-1")))
    old = cache_rows(node, "deals", "org-1")[deal]
    sandbox.admin.put(f"/rows/deals/{deal}", json={"amount": 7}).raise_for_status()
    sandbox.set_faults(garbage_rate=1.0)
    status = sync(node)
    assert all(s.last_error for s in status.entities), [s for s in status.entities if not s.last_error]
    assert any(s.last_error.startswith("protocol:") for s in status.entities)
    assert cache_rows(node, "deals", "org-1")[deal] == old
    assert sum(s.rows for s in status.entities) == 1400
    assert metric_sum(node, "wb_desktop_protocol_errors_total") > 0
    assert metric_sum(node, 'wb_desktop_sync_errors_total{entity="deals",reason="protocol"}') > 0
    assert node.status().actors["sync"].restarts == 0

    sandbox.set_faults(garbage_rate=0)
    status = sync(node)
    assert [s for s in status.entities if s.last_error] == []
    assert cache_rows(node, "deals", "org-1")[deal]["amount"] == 7
    assert_cache_equals_server(node, sandbox)


def test_no_credential_in_logs_trace_or_database(sandbox_factory, node_factory):
    sandbox = sandbox_factory("--rows", "2800", "--token-ttl", "2", "--latency-ms", "30")
    node = signed_in_node(node_factory, sandbox, WB_PREFER_BEARER="1", WB_LOG_LEVEL="DEBUG")
    set_page_size(node, 50)
    log = node.data_dir.parent / "trace.jsonl"  # outside the data folder, which is checked below
    with open(log, "wb") as sink:
        trace = subprocess.Popen([sys.executable, "-m", "workbuoy", "trace", "--json"], env=node.env, stdout=sink,
                                 stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: node.call("wb:auth:status") and log.stat().st_size > 0, 30, what="the tracer to attach")
        sync(node)
        node.cli("logout")
        node.cli("login", "--email", "demo@workbuoy.test", "--password-stdin", input="demo-password\n")
    finally:
        trace.send_signal(signal.SIGINT)
        trace.wait(timeout=30)
    out = log.read_bytes()
    assert b"wb:auth:credentials" in out and b"wb:auth:login" in out
    assert sandbox_secrets(out) == [] and b"demo-password" not in out
    assert sum(statuses(sandbox, "POST /auth/refresh").values()) >= 2  # tokens were issued and renewed
    for path in files_under(node.data_dir):
        blob = path.read_bytes()
        assert sandbox_secrets(blob) == [], path
        assert b"demo-password" not in blob, path
