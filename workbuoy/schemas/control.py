"""Supervisor control: status, restart, stop, deep links, metrics."""

from __future__ import annotations

from typing import Literal

from workbuoy.schemas.base import ActorName, Msg, Url

ActorStateName = Literal["starting", "ready", "restarting", "failed", "stopped"]


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


class RestartActor(Msg):
    actor: ActorName


class DeepLink(Msg):
    url: Url


class MetricsSnapshot(Msg):
    samples: dict[str, float]
