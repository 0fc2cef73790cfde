"""Integration adapters: ``wb:plugins:*``."""

from __future__ import annotations

from typing import Literal

from workbuoy.schemas.base import Id, Msg


class PluginInfo(Msg):
    id: str
    name: str
    version: str
    enabled: bool
    verified: bool
    permissions: list[str] = []
    #: Why the manifest did not verify ("" when it did); such an adapter is never enabled.
    reason: str = ""


class PluginsReply(Msg):
    plugins: list[PluginInfo]


class PluginToggle(Msg):
    id: Id
    enabled: bool


class PluginRef(Msg):
    id: Id


class PluginHealthQuery(Msg):
    id: Id | None = None


class PluginHealth(Msg):
    id: str
    status: Literal["ok", "degraded", "down", "disabled"]
    detail: str = ""
    #: When the last run started (ms since the epoch); ``None`` before the first run.
    last_run_at: int | None = None


class PluginHealthReply(Msg):
    plugins: list[PluginHealth]


class PluginVerifyReply(Msg):
    id: str
    valid: bool
    reason: str = ""
