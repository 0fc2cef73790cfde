"""``wb:rbac:can``: may the signed-in user do this in this org?"""

from __future__ import annotations

from typing import Literal

from workbuoy.schemas.base import Id, Msg

Action = Literal[
    "settings.update",
    "plugins.toggle",
    "queue.write",
    "queue.resolve",
    "email.draft",
    "calendar.create",
    "workflow.run",
    "ai.use",
    "org.switch",
    "plugins.view",
]


class RbacCan(Msg):
    action: Action
    org_id: Id | None = None


class RbacReply(Msg):
    allowed: bool
    roles: list[str] = []
    reason: str = ""
