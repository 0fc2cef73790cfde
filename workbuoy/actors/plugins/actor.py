"""The plugins actor: hosts the statically registered adapters behind signed manifests.

Every adapter of ``adapters.ADAPTERS`` is checked at start (``trust.load``); one whose
manifest does not verify is listed with the reason and can never be enabled. The
highest manifest version ever accepted per adapter is the store meta
``plugins.accepted`` (a JSON object), the floor below which a manifest is a rollback. Enabled
adapters run in a worker thread at once and then every ``period_sec``; which ones are
enabled is the store meta ``plugins.enabled`` (a JSON list of ids), so it survives
restarts. Every channel is guarded by RBAC (``Channel.guard``); a toggle is audited.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

import msgspec

from workbuoy.actors.base import Actor, handles
from workbuoy.actors.plugins import trust
from workbuoy.actors.plugins.adapters import ADAPTERS
from workbuoy.actors.plugins.adapters.base import Adapter, Context
from workbuoy.bus.errors import BusError
from workbuoy.schemas.base import Empty
from workbuoy.schemas.plugins import (
    PluginHealth,
    PluginHealthQuery,
    PluginHealthReply,
    PluginInfo,
    PluginRef,
    PluginsReply,
    PluginToggle,
    PluginVerifyReply,
)
from workbuoy.store import Store

ENABLED_KEY = "plugins.enabled"
ACCEPTED_KEY = "plugins.accepted"


@dataclass
class Slot:
    """One registered adapter: its verified manifest (or why there is none) and its timer."""

    adapter: Adapter
    manifest: trust.Manifest | None = None
    reason: str = ""
    timer: asyncio.Task | None = None

    @property
    def enabled(self) -> bool:
        return self.timer is not None

    def check(self, floor: str | None) -> None:
        """Verify the manifest on disk; the adapter gets exactly the permissions it signs."""
        try:
            self.manifest, self.reason = trust.load(trust.Binding.of(type(self.adapter)), now=datetime.now(UTC), floor=floor), ""
        except trust.Untrusted as exc:
            self.manifest, self.reason = None, str(exc)
        self.adapter.ctx.permissions = frozenset(self.manifest.permissions if self.manifest else ())


class PluginsActor(Actor):
    name = "plugins"

    async def start(self) -> None:
        self.store = Store.open(self.env.db_path)
        self.slots = {cls.id: self._load(cls) for cls in ADAPTERS}
        wanted = msgspec.json.decode(self.store.get_meta(ENABLED_KEY) or "[]", type=list[str])
        for slot in self.slots.values():
            if slot.adapter.id in wanted and slot.manifest is not None:
                await self._enable(slot)
        self._save()  # drops ids that are gone or no longer verify

    async def stop(self) -> None:
        self.store.close()

    def _load(self, cls: type[Adapter]) -> Slot:
        slot = Slot(cls(Context(self.store, self.env.data_dir / "exports"), self.log))
        self._check(slot)
        if slot.manifest is None:
            self.log.error("plugins: %s is not trusted: %s", cls.id, slot.reason)
        return slot

    def _check(self, slot: Slot) -> None:
        """Verify against the version floor, and raise the floor to a newer accepted version."""
        try:
            accepted = msgspec.json.decode(self.store.get_meta(ACCEPTED_KEY) or "{}", type=dict[str, trust.Version])
        except msgspec.DecodeError as exc:  # only the user can write the store, and could delete the key as well
            self.log.error("plugins: the stored version floors are unreadable (%s); starting them afresh", exc)
            accepted = {}
        floor = accepted.get(slot.adapter.id)
        slot.check(floor)
        if slot.manifest is not None and (floor is None or trust.version_key(slot.manifest.version) > trust.version_key(floor)):
            accepted[slot.adapter.id] = slot.manifest.version
            self.store.set_meta(ACCEPTED_KEY, msgspec.json.encode(accepted).decode())

    def _slot(self, adapter_id: str) -> Slot:
        if (slot := self.slots.get(adapter_id)) is None:
            raise BusError("invalid_payload", f"no adapter {adapter_id!r}; known: {', '.join(self.slots)}")
        return slot

    def _save(self) -> None:
        self.store.set_meta(ENABLED_KEY, msgspec.json.encode(sorted(s.adapter.id for s in self.slots.values() if s.enabled)).decode())

    async def _run(self, slot: Slot) -> None:
        last = await asyncio.to_thread(slot.adapter.run)
        self.log.log(logging.INFO if last.ok else logging.WARNING, "plugins: %s %s", slot.adapter.id, last.detail)

    async def _enable(self, slot: Slot) -> None:
        """Run now (so enabling is also "export now"), then on the adapter's period.

        The timer replaces the old one before the first await, so concurrent toggles
        never leave a timer running that no slot points to.
        """
        self._disable(slot)
        slot.timer = self.every(slot.adapter.period_sec, partial(self._run, slot))
        await self._run(slot)

    def _disable(self, slot: Slot) -> None:
        if slot.timer is not None:
            slot.timer.cancel()
            slot.timer = None

    def _info(self, slot: Slot) -> PluginInfo:
        m = slot.manifest
        return PluginInfo(
            id=slot.adapter.id, name=m.name if m else slot.adapter.id, version=m.version if m else "",
            enabled=slot.enabled, verified=m is not None, permissions=list(m.permissions) if m else [], reason=slot.reason,
        )

    def _health(self, slot: Slot) -> PluginHealth:
        if slot.manifest is None:
            return PluginHealth(id=slot.adapter.id, status="disabled", detail=f"not verified: {slot.reason}")
        if not slot.enabled:
            return PluginHealth(id=slot.adapter.id, status="disabled", detail="disabled")
        return slot.adapter.health()

    @handles("wb:plugins:list")
    async def list_plugins(self, request: Empty, caller: str) -> PluginsReply:
        return PluginsReply(plugins=[self._info(slot) for slot in self.slots.values()])

    @handles("wb:plugins:toggle")
    async def toggle(self, request: PluginToggle, caller: str) -> PluginInfo:
        """Enable (and run now) or disable an adapter; enabling an unverified one is refused."""
        slot = self._slot(request.id)
        if request.enabled and slot.manifest is None:
            raise BusError("failed", f"{request.id} cannot be enabled: its manifest is not trusted ({slot.reason})")
        if request.enabled:
            await self._enable(slot)
        else:
            self._disable(slot)
        self._save()
        await self.audit("plugins.toggled", {"id": request.id, "enabled": request.enabled, "by": caller})
        return self._info(slot)

    @handles("wb:plugins:health")
    async def health(self, request: PluginHealthQuery, caller: str) -> PluginHealthReply:
        slots = [self._slot(request.id)] if request.id else list(self.slots.values())
        return PluginHealthReply(plugins=[self._health(slot) for slot in slots])

    @handles("wb:plugins:verify")
    async def verify(self, request: PluginRef, caller: str) -> PluginVerifyReply:
        """Check the manifest on disk again; one that no longer verifies is disabled at once."""
        slot = self._slot(request.id)
        self._check(slot)
        if slot.manifest is None and slot.enabled:
            self._disable(slot)
            self._save()
        return PluginVerifyReply(id=request.id, valid=slot.manifest is not None, reason=slot.reason)


ACTOR = PluginsActor
