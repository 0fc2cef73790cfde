"""The audit actor: takes sanitized audit records and uploads them, one flusher at a time.

Records are masked (``workbuoy.masking``) before they are stored, so no e-mail address,
token or cookie reaches the disk or the server in clear. Delivery lives in
``flusher.py``; this module maps the channels to it.
"""

from __future__ import annotations

import time

from workbuoy.actors.audit.flusher import Flusher
from workbuoy.actors.base import Actor, handles, on_event
from workbuoy.api import ApiClient
from workbuoy.masking import mask_obj
from workbuoy.schemas.audit import AuditFlushed, AuditRecord
from workbuoy.schemas.auth import AuthState
from workbuoy.schemas.base import Empty, Ok
from workbuoy.store import Store

PERIOD_SEC = 30.0


class AuditActor(Actor):
    name = "audit"

    async def start(self) -> None:
        self.store = Store.open(self.env.db_path)
        self.api = ApiClient.for_actor(self)
        self.flusher = Flusher(self.store, self.api, self.log)
        self.flusher.start()
        self.every(PERIOD_SEC, self._tick)

    async def stop(self) -> None:
        await self.flusher.stop()
        await self.api.aclose()
        self.store.close()

    async def _tick(self) -> None:
        self.flusher.kick()

    @handles("wb:audit:record")
    async def record(self, request: AuditRecord, caller: str) -> Ok:
        self.store.audit_enqueue(request.event, {"actor": caller, "at": int(time.time() * 1000), "data": mask_obj(request.payload)})
        self.flusher.kick()
        return Ok()

    @handles("wb:audit:flush")
    async def flush(self, request: Empty, caller: str) -> AuditFlushed:
        sent = await self.flusher.flush_now()
        return AuditFlushed(sent=sent, pending=await self.read(lambda store: store.audit_depth()))  # a count scans

    @on_event("wb:auth:state")
    async def auth_changed(self, state: AuthState) -> None:
        if state.state == "signed_in":
            self.flusher.kick()


ACTOR = AuditActor
