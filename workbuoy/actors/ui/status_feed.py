"""What the ui actor asks other actors for the status lines: at start, and when an event
says it may have changed (the orgs after a sign-in or a sync run). Events themselves go
straight to the model; these are the calls, whose failure is a log line, never an error."""

from __future__ import annotations

import logging

from workbuoy.actors.ui.alerts import Alerts
from workbuoy.actors.ui.calls import Bus, explain
from workbuoy.actors.ui.status_model import StatusModel
from workbuoy.bus.errors import BusError


class StatusFeed:
    def __init__(self, bus: Bus, model: StatusModel, alerts: Alerts, log: logging.Logger) -> None:
        self.bus, self.model, self.alerts, self.log = bus, model, alerts, log

    async def server(self) -> None:
        try:
            status = await self.bus.call("wb:queue:status")
        except BusError as exc:
            self.log.info("server state unknown until the queue says: %s", explain(exc))
            return
        self.model.set_server(status.server)
        self.model.set_depth(status.depth)

    async def history(self) -> None:
        try:
            self.model.set_history(await self.bus.call("wb:sync:status"))
        except BusError as exc:
            self.log.info("last sync unknown until the sync actor says: %s", explain(exc))

    async def orgs(self) -> None:
        """The active org's name for the status lines, and every org's for the notifications' wording."""
        try:
            reply = await self.bus.call("wb:org:list", {})
        except BusError as exc:
            self.log.info("orgs unknown for now: %s", explain(exc))
            return
        self.alerts.org_names = {o.id: o.name for o in reply.orgs}
        self.model.set_org(self.alerts.org_names.get(reply.active or "", ""))

    def org_shown(self, name: str) -> None:
        """The main window's org picker shows another org (a switch, the list reloaded): the status lines follow."""
        if name:
            self.model.set_org(name)
