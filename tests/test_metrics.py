from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from workbuoy import metrics

REPO = Path(__file__).resolve().parents[1]

# Plays the supervisor: imports prometheus_client early (as some library might), then
# prepare(), sets its own gauges and spawns two actors that count.
SUPERVISOR = textwrap.dedent(
    """
    import json, subprocess, sys
    from pathlib import Path
    import prometheus_client
    from workbuoy import metrics
    metrics.prepare(Path(sys.argv[1]))
    metrics.actor_up.labels(actor="sync").set(1)
    metrics.actor_up.labels(actor="auth").set(0)
    metrics.actor_restarts.labels(actor="sync").inc()
    child = sys.argv[2]
    actors = [subprocess.Popen([sys.executable, "-c", child, str(n)]) for n in (3, 4)]
    assert [a.wait() for a in actors] == [0, 0]
    print(json.dumps({str(n): a.pid for n, a in zip((3, 4), actors)}))
    """
)
ACTOR = textwrap.dedent(
    """
    import sys
    from workbuoy import metrics
    n = int(sys.argv[1])
    metrics.sync_pages.labels(entity="deals").inc(n)
    metrics.sync_duration.labels(entity="deals").observe(n / 10)
    metrics.auth_signed_in.set(n)
    metrics.queue_depth.labels(status="pending").set(n * 10)
    """
)

EXPECTED = {
    "invalid_ipc": ("counter", "wb_desktop_invalid_ipc_total", ("channel", "reason")),
    "trace_dropped": ("counter", "wb_desktop_trace_dropped_total", ()),
    "actor_restarts": ("counter", "wb_desktop_actor_restarts_total", ("actor",)),
    "actor_up": ("gauge", "wb_desktop_actor_up", ("actor",)),
    "updates": ("counter", "wb_desktop_updates_total", ("result",)),
    "event_loop_lag": ("gauge", "wb_desktop_event_loop_lag_seconds", ("actor",)),
    "store_reads": ("counter", "wb_desktop_store_reads_total", ("actor", "outcome")),
    "store_faults": ("counter", "wb_desktop_store_faults_total", ("actor", "kind")),
    "auth_renewals": ("counter", "wb_desktop_auth_renewals_total", ()),
    "auth_renewal_failures": ("counter", "wb_desktop_auth_renewal_failures_total", ()),
    "auth_signed_in": ("gauge", "wb_desktop_auth_signed_in", ()),
    "sync_pages": ("counter", "wb_desktop_sync_pages_total", ("entity",)),
    "sync_rows": ("counter", "wb_desktop_sync_rows_total", ("entity",)),
    "sync_not_modified": ("counter", "wb_desktop_sync_not_modified_total", ("entity",)),
    "sync_rate_limited": ("counter", "wb_desktop_sync_rate_limited_total", ("entity",)),
    "sync_errors": ("counter", "wb_desktop_sync_errors_total", ("entity", "reason")),
    "sync_duration": ("histogram", "wb_desktop_sync_duration_seconds", ("entity",)),
    "offline_conflicts": ("counter", "wb_desktop_offline_conflicts_total", ("entity",)),
    "protocol_errors": ("counter", "wb_desktop_protocol_errors_total", ("endpoint",)),
    "queue_depth": ("gauge", "wb_desktop_queue_depth", ("status",)),
    "queue_flush": ("counter", "wb_desktop_queue_flush_total", ("outcome",)),
    "api_request_duration": ("histogram", "wb_desktop_api_request_duration_seconds", ("endpoint", "method", "status_class")),
    "ai_requests": ("counter", "wb_desktop_ai_requests_total", ("kind", "result")),
    "assistant_sessions": ("counter", "wb_desktop_ai_assistant_sessions_total", ()),
    "email_drafts": ("counter", "wb_desktop_email_drafts_total", ()),
    "calendar_events": ("counter", "wb_desktop_calendar_events_total", ()),
    "audit_flushed": ("counter", "wb_desktop_audit_flushed_total", ()),
    "audit_failures": ("counter", "wb_desktop_audit_failures_total", ()),
    "crm_notifications": ("counter", "wb_desktop_crm_notifications_total", ("entity", "result")),
}


def _run(script: str, *args: str, env: dict[str, str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _single_process_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != metrics.ENV}


def test_every_metric_is_defined_as_specified() -> None:
    script = textwrap.dedent(
        """
        import json
        from workbuoy import metrics
        out = {}
        for attr in metrics.__annotations__:
            m = getattr(metrics, attr)
            name = m._name + "_total" if m._type == "counter" else m._name
            out[attr] = [m._type, name, list(m._labelnames)]
        print(json.dumps(out))
        """
    )
    got = json.loads(_run(script, env=_single_process_env()))
    assert got == {k: [t, n, list(labels)] for k, (t, n, labels) in EXPECTED.items()}


def test_single_process_mode_without_the_variable() -> None:
    script = textwrap.dedent(
        """
        import json
        from pathlib import Path
        from workbuoy import metrics
        metrics.sync_rows.labels(entity="deals").inc(3)
        metrics.process_dead(12345)
        try:
            metrics.prepare(Path("unused"))
        except RuntimeError as exc:
            refused = str(exc)
        print(json.dumps({"snapshot": metrics.snapshot(), "refused": refused}))
        """
    )
    got = json.loads(_run(script, env=_single_process_env()))
    assert got["snapshot"]['wb_desktop_sync_rows_total{entity="deals"}'] == 3.0
    assert not any(k.endswith("_created") for k in got["snapshot"])
    assert "before metrics.prepare()" in got["refused"]
    assert not Path(REPO / "unused").exists()


def _families(text: str) -> dict[str, float]:
    return {
        s.name + json.dumps(s.labels, sort_keys=True): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_two_processes_add_up_and_are_served_on_loopback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    (directory / "counter_999999.db").write_bytes(b"stale run")  # prepare() wipes it
    env = _single_process_env() | {"PYTHONPATH": str(REPO)}
    pids = json.loads(_run(SUPERVISOR, str(directory), ACTOR, env=env))

    monkeypatch.setenv(metrics.ENV, str(directory))
    server = metrics.serve(0)
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1" and server.socket.getsockname()[0] == "127.0.0.1"
        response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
        assert response.status_code == 200
        samples = _families(response.text)
    finally:
        server.shutdown()
        server.server_close()

    assert samples['wb_desktop_sync_pages_total{"entity": "deals"}'] == 7
    assert samples['wb_desktop_sync_duration_seconds_count{"entity": "deals"}'] == 2
    assert samples['wb_desktop_sync_duration_seconds_sum{"entity": "deals"}'] == pytest.approx(0.7)
    assert samples['wb_desktop_sync_duration_seconds_bucket{"entity": "deals", "le": "0.25"}'] == 0
    assert samples['wb_desktop_sync_duration_seconds_bucket{"entity": "deals", "le": "0.5"}'] == 2
    assert samples['wb_desktop_actor_up{"actor": "sync"}'] == 1
    assert samples['wb_desktop_actor_up{"actor": "auth"}'] == 0
    assert samples['wb_desktop_actor_restarts_total{"actor": "sync"}'] == 1
    assert samples["wb_desktop_auth_signed_in{}"] == 4  # the largest of the live processes
    assert samples['wb_desktop_queue_depth{"status": "pending"}'] == 40

    metrics.process_dead(pids["4"])
    snap = metrics.snapshot()
    assert snap["wb_desktop_auth_signed_in"] == 3
    assert snap['wb_desktop_queue_depth{status="pending"}'] == 30
    assert snap['wb_desktop_sync_pages_total{entity="deals"}'] == 7  # counters outlive
    metrics.process_dead(pids["3"])
    snap = metrics.snapshot()
    # Only the (exited, not yet marked) supervisor's initial 0 is left: every process
    # that touches the metrics holds the unlabelled ones at 0.
    assert snap["wb_desktop_auth_signed_in"] == 0
    assert snap['wb_desktop_sync_pages_total{entity="deals"}'] == 7
    assert not (directory / "counter_999999.db").exists()


def test_bus_stats_export_counts_and_cumulative_buckets() -> None:
    from prometheus_client import CollectorRegistry, generate_latest

    from workbuoy.bus.stats import BusStats

    stats = BusStats()
    for _ in range(3):
        stats.count("wb:getSettings", "req")
    for seconds in (0.00004, 0.0003, 0.0003, 20.0):
        stats.observe("wb:getSettings", seconds)
    registry = CollectorRegistry()
    registry.register(stats)
    samples = _families(generate_latest(registry).decode())
    assert samples['wb_desktop_ipc_messages_total{"channel": "wb:getSettings", "kind": "req"}'] == 3
    bucket = 'wb_desktop_ipc_latency_seconds_bucket{"channel": "wb:getSettings", "le": "%s"}'
    assert samples[bucket % "5e-05"] == 1
    assert samples[bucket % "0.0005"] == 3
    assert samples[bucket % "10.0"] == 3
    assert samples[bucket % "+Inf"] == 4
    assert samples['wb_desktop_ipc_latency_seconds_sum{"channel": "wb:getSettings"}'] == pytest.approx(20.00064)


# -- every family on a real node's /metrics ---------------------------------------------


def exposed(node: Any) -> dict[str, list[tuple[dict[str, str], float]]]:
    """The node's ``/metrics`` page: sample name → ``(labels, value)`` of each sample."""
    text = httpx.get(node.status().metrics_url, timeout=10).text
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples.setdefault(s.name, []).append((s.labels, s.value))
    return samples


def value(node: Any, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels`` (0 when there is none)."""
    return sum(v for got, v in exposed(node).get(name, []) if labels.items() <= got.items())


def _queue_product_writes(node: Any) -> list[Any]:
    return [
        node.call("wb:email:draft", {"to": ["ann@workbuoy.test"], "subject": "hi", "body": "text"}),
        node.call("wb:calendar:create", {"title": "call", "startsAt": 1_700_000_000_000, "endsAt": 1_700_000_360_000}),
        *node.call("wb:assistant:apply", {"actions": [
            {"entity": "tasks", "op": "create", "payload": {"title": f"ai {n}"}} for n in range(3)]}).items,
    ]


@pytest.mark.timeout(300)
def test_each_family_appears_on_metrics_after_the_action_that_moves_it(node_factory, sandbox) -> None:
    from tests.fixtures.node import wait_for
    from tests.fixtures.signed_in import FILE_KEYRING, login, sync
    from workbuoy.bus.errors import BusError
    from workbuoy.store import Store

    node = node_factory(mode="run", WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING).start()
    assert value(node, "wb_desktop_actor_up", actor="ui") == 1
    with pytest.raises(BusError):
        node.call("wb:no:such", {})
    assert value(node, "wb_desktop_invalid_ipc_total", reason="unknown_channel") == 1
    login(node)
    assert value(node, "wb_desktop_auth_signed_in") == 1
    assert value(node, "wb_desktop_api_request_duration_seconds_count", endpoint="auth/login", method="POST",
                 status_class="2xx") == 1

    sync(node)  # the first sync: its per-stream summaries merge into one notification
    assert value(node, "wb_desktop_sync_pages_total", entity="deals") >= 1
    assert value(node, "wb_desktop_sync_rows_total", entity="deals") >= 1
    assert value(node, "wb_desktop_sync_duration_seconds_count", entity="deals") >= 1
    assert value(node, "wb_desktop_api_request_duration_seconds_count", endpoint="deals", method="GET",
                 status_class="2xx") >= 1
    wait_for(lambda: value(node, "wb_desktop_crm_notifications_total", entity="deals", result="merged") >= 1, 30,
             what="the deals summary merged")
    node.call("wb:updateSettings", {"notify": {"deals": False}})
    sandbox.admin.put("/rows/deals/deal-1-0000001", json={"name": "changed on the server"}).raise_for_status()
    sync(node)
    wait_for(lambda: value(node, "wb_desktop_crm_notifications_total", entity="deals", result="refused") == 1, 30,
             what="the deals change refused by the settings")
    node.cli("restart", "plugins", check=True)
    assert value(node, "wb_desktop_actor_restarts_total", actor="plugins") >= 1

    # Product counters count what the server took: nothing while it drops every connection.
    sandbox.set_faults(outage="drop")
    refs = _queue_product_writes(node)
    with pytest.raises(BusError) as err:
        node.call("wb:ai:chat", {"messages": [{"role": "user", "content": "offline?"}]})
    assert err.value.code == "unavailable"
    assert value(node, "wb_desktop_ai_requests_total", kind="chat", result="unavailable") == 1
    assert value(node, "wb_desktop_api_request_duration_seconds_count", endpoint="ai/chat", status_class="none") == 1
    store = Store.open(node.data_dir / "workbuoy.db")
    try:
        wait_for(lambda: not node.call("wb:queue:status").server.online, 60, what="the queue to find the server gone")
        wait_for(lambda: value(node, "wb_desktop_queue_depth", status="pending") == 5, 30, what="5 writes pending")
        for name in ("email_drafts", "calendar_events", "ai_assistant_sessions"):
            assert value(node, f"wb_desktop_{name}_total") == 0, name
        sandbox.set_faults(outage="none")
        wait_for(lambda: all(store.get_queue_item(r.id).status == "synced" for r in refs), 120, interval=0.2,
                 what="the writes synced")
    finally:
        store.close()
    assert value(node, "wb_desktop_email_drafts_total") == 1
    assert value(node, "wb_desktop_calendar_events_total") == 1
    assert value(node, "wb_desktop_ai_assistant_sessions_total") == 1  # one session of three writes
    assert value(node, "wb_desktop_queue_flush_total", outcome="synced") == 5
    for endpoint in ("email/drafts", "calendar/events", "tasks"):
        assert value(node, "wb_desktop_api_request_duration_seconds_count", endpoint=endpoint, method="POST",
                     status_class="2xx") >= 1, endpoint
    assert value(node, "wb_desktop_api_request_duration_seconds_count", endpoint="me", status_class="2xx") >= 1

    assert "hello" in node.call("wb:ai:chat", {"messages": [{"role": "user", "content": "hello"}]}).message.content
    assert value(node, "wb_desktop_ai_requests_total", kind="chat", result="ok") == 1
    assert value(node, "wb_desktop_api_request_duration_seconds_bucket", endpoint="ai/chat", status_class="2xx",
                 le="+Inf") == 1
    assert node.call("wb:audit:flush", {}).pending == 0
    assert value(node, "wb_desktop_audit_flushed_total") >= 1
    assert value(node, "wb_desktop_api_request_duration_seconds_count", endpoint="audit", method="POST") >= 1
    assert value(node, "wb_desktop_ipc_messages_total", channel="wb:ai:chat", kind="req") == 2
    assert value(node, "wb_desktop_ipc_latency_seconds_count", channel="wb:ai:chat") >= 1
