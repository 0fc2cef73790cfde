"""Audit events recorded by any actor and flushed by the audit actor."""

from __future__ import annotations

from typing import Annotated, Any

from msgspec import Meta

from workbuoy.schemas.base import Msg


class AuditRecord(Msg):
    event: Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^[a-z][a-z0-9_.:]*$")]
    payload: Annotated[dict[str, Any], Meta(max_length=50)] = {}


class AuditFlushed(Msg):
    sent: int
    pending: int
