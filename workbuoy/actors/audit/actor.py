"""The audit actor: takes sanitized audit records and uploads them, one uploader at a time.

Records are masked (``workbuoy.masking``) before they are stored, so no e-mail address,
token or cookie reaches the disk or the server in clear. Delivery lives in
``uploader.py``; this module maps the channels to it.
"""

from __future__ import annotations

import time

from workbuoy.actors.audit.uploader import Uploader
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
        self.uploader = Uploader(self.store, self.api, self.log)
        self.uploader.start()
        self.every(PERIOD_SEC, self._tick)

    async def stop(self) -> None:
        await self.uploader.stop()
        await self.api.aclose()
        self.store.close()

    async def _tick(self) -> None:
        self.uploader.kick()

    @handles("wb:audit:record")
    def record(self, request: AuditRecord, caller: str) -> Ok:
        self.store.audit_enqueue(request.event, {"actor": caller, "at": int(time.time() * 1000), "data": mask_obj(request.payload)})
        self.uploader.kick()
        return Ok()

    @handles("wb:audit:flush")
    async def flush(self, request: Empty, caller: str) -> AuditFlushed:
        sent = await self.uploader.flush_now()
        return AuditFlushed(sent=sent, pending=await self.read(lambda store: store.audit_depth()))  # a count scans

    @on_event("wb:auth:state")
    async def auth_changed(self, state: AuthState) -> None:
        self.api.forget_credentials()
        if state.state == "signed_in":
            self.uploader.kick()


ACTOR = AuditActor
