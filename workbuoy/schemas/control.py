"""Supervisor control: status, restart, stop, deep links, metrics."""

from __future__ import annotations

from typing import Any, Literal

from workbuoy.schemas.base import ActorName, Msg, Url

#: "restarting" is only the wait of a back-off after a crash (the old process is gone);
#: "stopping" is a stop in progress (shutdown or an operator restart, which goes on to "starting").
ActorStateName = Literal["starting", "ready", "stopping", "restarting", "failed", "stopped"]


class ActorStatus(Msg):
    name: str
    pid: int | None
    state: ActorStateName
    restarts: int
    uptime_sec: float
    last_heartbeat_ago_sec: float | None
    reason: str = ""


class Status(Msg):
    pid: int
    data_dir: str
    actors: dict[str, ActorStatus]
    metrics_url: str | None = None


class RestartActor(Msg):
    actor: ActorName


class DeepLink(Msg):
    url: Url


class MetricsSnapshot(Msg):
    samples: dict[str, float]


class TraceRecord(Msg):
    """One routed message as the trace tap shows it (payload masked)."""

    ts: float
    kind: str
    channel: str
    cid: int
    sender: str
    receiver: str
    size: int
    payload: Any = None
    latency_ms: float | None = None
    error: str | None = None
