"""Prometheus metrics of every process, summed by the supervisor's ``/metrics`` endpoint.

Each actor is its own process, so prometheus-client runs in multiprocess mode: values
live in memory-mapped files in one directory, ``PROMETHEUS_MULTIPROC_DIR``, and the
endpoint adds up the files of all processes. prometheus-client decides between
in-memory and file-backed values from that variable, so the order matters:

1. the supervisor calls :func:`prepare` before it uses any metric; it creates the
   directory and sets the variable, which the actors it spawns inherit;
2. a process touches a metric only after that (an actor: always, it inherits the variable).

The metric objects are module attributes, all created together on first access (PEP 562
``__getattr__``) rather than at import, so that importing this module early (the
supervisor must, to call ``prepare``) cannot fix the wrong mode. A metric used before
``prepare`` would count in this process's memory only; ``prepare`` refuses to run then.
Without the variable at all, metrics are ordinary in-memory metrics of the default
registry: single-process mode, for tools and tests.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIServer

import prometheus_client.values
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess, start_http_server
from prometheus_client.registry import Collector

ENV = "PROMETHEUS_MULTIPROC_DIR"
SYNC_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
API_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

# Bus and supervisor.
invalid_ipc: Counter  # wb_desktop_invalid_ipc_total{channel,reason}
trace_dropped: Counter  # wb_desktop_trace_dropped_total
actor_restarts: Counter  # wb_desktop_actor_restarts_total{actor}
actor_up: Gauge  # wb_desktop_actor_up{actor}
updates: Counter  # wb_desktop_updates_total{result}
# Every actor.
event_loop_lag: Gauge  # wb_desktop_event_loop_lag_seconds{actor}
store_reads: Counter  # wb_desktop_store_reads_total{actor,outcome}
store_faults: Counter  # wb_desktop_store_faults_total{actor,kind}
# Auth actor.
auth_renewals: Counter  # wb_desktop_auth_renewals_total
auth_renewal_failures: Counter  # wb_desktop_auth_renewal_failures_total
auth_signed_in: Gauge  # wb_desktop_auth_signed_in
# Sync actor.
sync_pages: Counter  # wb_desktop_sync_pages_total{entity}
sync_rows: Counter  # wb_desktop_sync_rows_total{entity}
sync_not_modified: Counter  # wb_desktop_sync_not_modified_total{entity}
sync_rate_limited: Counter  # wb_desktop_sync_rate_limited_total{entity}
sync_errors: Counter  # wb_desktop_sync_errors_total{entity,reason}
sync_duration: Histogram  # wb_desktop_sync_duration_seconds{entity}
offline_conflicts: Counter  # wb_desktop_offline_conflicts_total{entity}
protocol_errors: Counter  # wb_desktop_protocol_errors_total{endpoint}
# The API client, in every actor that calls the server.
api_request_duration: Histogram  # wb_desktop_api_request_duration_seconds{endpoint,method,status_class}
# Queue actor.
queue_depth: Gauge  # wb_desktop_queue_depth{status}
queue_flush: Counter  # wb_desktop_queue_flush_total{outcome}
ai_requests: Counter  # wb_desktop_ai_requests_total{kind,result}
assistant_sessions: Counter  # wb_desktop_ai_assistant_sessions_total
email_drafts: Counter  # wb_desktop_email_drafts_total
calendar_events: Counter  # wb_desktop_calendar_events_total
# Audit actor.
audit_flushed: Counter  # wb_desktop_audit_flushed_total
audit_failures: Counter  # wb_desktop_audit_failures_total
# Ui actor.
crm_notifications: Counter  # wb_desktop_crm_notifications_total{entity,result}

_lock = threading.Lock()


def _define() -> dict[str, Counter | Gauge | Histogram]:
    # Gauges set by a single process use a "live" mode: mark_process_dead() drops the
    # value of a dead process instead of leaving it stale (a signed-in flag of a crashed
    # auth actor), and "max" needs no pid label, unlike "all".
    return {
        "invalid_ipc": Counter("wb_desktop_invalid_ipc_total", "Bus messages refused.", ["channel", "reason"]),
        "trace_dropped": Counter("wb_desktop_trace_dropped_total", "Trace messages dropped by a slow reader."),
        "actor_restarts": Counter("wb_desktop_actor_restarts_total", "Actor restarts by the supervisor.", ["actor"]),
        "actor_up": Gauge("wb_desktop_actor_up", "1 while the actor is ready.", ["actor"], multiprocess_mode="livemax"),
        "updates": Counter("wb_desktop_updates_total", "Update checks and applies by result (refusals by reason).", ["result"]),
        "event_loop_lag": Gauge(
            "wb_desktop_event_loop_lag_seconds", "How late the actor's last heartbeat tick ran (event loop blocked).",
            ["actor"], multiprocess_mode="livemax",
        ),
        "store_reads": Counter("wb_desktop_store_reads_total", "Scanning store reads off the event loop.", ["actor", "outcome"]),
        "store_faults": Counter("wb_desktop_store_faults_total", "Disk full, corrupt or I/O errors of the store.", ["actor", "kind"]),
        "auth_renewals": Counter("wb_desktop_auth_renewals_total", "Session renewals."),
        "auth_renewal_failures": Counter("wb_desktop_auth_renewal_failures_total", "Session renewals that failed."),
        "auth_signed_in": Gauge("wb_desktop_auth_signed_in", "1 while signed in.", multiprocess_mode="livemax"),
        "sync_pages": Counter("wb_desktop_sync_pages_total", "Pages fetched.", ["entity"]),
        "sync_rows": Counter("wb_desktop_sync_rows_total", "Rows stored.", ["entity"]),
        "sync_not_modified": Counter("wb_desktop_sync_not_modified_total", "Fetches answered 304.", ["entity"]),
        "sync_rate_limited": Counter("wb_desktop_sync_rate_limited_total", "Fetches answered 429.", ["entity"]),
        "sync_errors": Counter("wb_desktop_sync_errors_total", "Failed syncs.", ["entity", "reason"]),
        "sync_duration": Histogram(
            "wb_desktop_sync_duration_seconds", "Duration of one entity sync.", ["entity"], buckets=SYNC_BUCKETS
        ),
        "offline_conflicts": Counter("wb_desktop_offline_conflicts_total", "Offline edits in conflict.", ["entity"]),
        "protocol_errors": Counter("wb_desktop_protocol_errors_total", "Unexpected API answers.", ["endpoint"]),
        "api_request_duration": Histogram(
            "wb_desktop_api_request_duration_seconds", "Duration of one API call, retries and waits included.",
            ["endpoint", "method", "status_class"], buckets=API_BUCKETS,
        ),
        "queue_depth": Gauge("wb_desktop_queue_depth", "Queued operations.", ["status"], multiprocess_mode="livemax"),
        "queue_flush": Counter("wb_desktop_queue_flush_total", "Queue flush attempts.", ["outcome"]),
        "ai_requests": Counter("wb_desktop_ai_requests_total", "AI requests by outcome.", ["kind", "result"]),
        "assistant_sessions": Counter(
            "wb_desktop_ai_assistant_sessions_total", "Assistant sessions whose writes the server accepted."
        ),
        "email_drafts": Counter("wb_desktop_email_drafts_total", "E-mail drafts the server accepted."),
        "calendar_events": Counter("wb_desktop_calendar_events_total", "Calendar events the server accepted."),
        "audit_flushed": Counter("wb_desktop_audit_flushed_total", "Audit records sent."),
        "audit_failures": Counter("wb_desktop_audit_failures_total", "Audit sends that failed."),
        "crm_notifications": Counter(
            "wb_desktop_crm_notifications_total", "CRM change notifications shown or refused.", ["entity", "result"]
        ),
    }


def __getattr__(name: str) -> Counter | Gauge | Histogram:
    if name not in __annotations__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _lock:
        if name not in globals():
            globals().update(_define())
    return globals()[name]


def prepare(directory: Path) -> None:
    """Start multiprocess mode with an empty ``directory``: the supervisor calls it first thing.

    Values of a previous run are wiped, or counters would continue from them.
    """
    if "invalid_ipc" in globals():
        raise RuntimeError("metrics were used before metrics.prepare(): they count in this process's memory only")
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ[ENV] = str(directory)
    # prometheus-client picked its value class when it was imported, possibly before
    # this call; pick again now that the variable is set. Metrics read it when created.
    prometheus_client.values.ValueClass = prometheus_client.values.get_value_class()


_extra = []  # collectors of add_collector(); not annotated: __annotations__ lists the metrics


def add_collector(collector: Collector) -> None:
    """Export samples this process keeps itself (the broker's per-message counts) next to the files of all processes."""
    _extra.append(collector)
    if ENV not in os.environ:
        REGISTRY.register(collector)


def _registry() -> CollectorRegistry:
    if ENV not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    for collector in _extra:
        registry.register(collector)
    return registry


def serve(port: int) -> WSGIServer:
    """Serve ``/metrics`` of all processes on 127.0.0.1 only; stop with ``shutdown()`` and ``server_close()``.

    Loopback only: the samples describe the user's activity and nothing outside the
    machine needs them (prometheus-client would bind 0.0.0.0 by default). Port 0 picks
    a free port, read it back from ``server_address``.
    """
    server, _thread = start_http_server(port, addr="127.0.0.1", registry=_registry())
    return server


def process_dead(pid: int) -> None:
    """Drop the live gauges of a process that exited; the supervisor calls it when an actor dies."""
    if ENV in os.environ:
        multiprocess.mark_process_dead(pid)


def _escape(value: str) -> str:
    return value.replace("\\", r"\\").replace('"', r"\"").replace("\n", r"\n")


def snapshot() -> dict[str, float]:
    """Every current sample of every process, keyed as in the exposition format: ``name{label="value"}``.

    ``*_created`` timestamps (single-process mode only) are left out so that both modes
    give the same keys.
    """
    samples: dict[str, float] = {}
    for family in _registry().collect():
        for s in family.samples:
            if s.name.endswith("_created"):
                continue
            labels = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(s.labels.items()))
            samples[f"{s.name}{{{labels}}}" if labels else s.name] = s.value
    return samples
