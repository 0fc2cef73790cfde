"""``wb:rbac:can``: the client-side mirror of the server's roles, to grey out what would fail.

The server stays the authority (it answers 403); this table only keeps the UI from
offering what the user's roles in ``/me`` do not allow. Unknown roles grant nothing.

| role   | actions |
| ------ | ------- |
| admin  | everything, including ``settings.update`` and ``plugins.toggle`` |
| sales  | ``queue.write``, ``queue.resolve``, ``email.draft``, ``calendar.create``, ``workflow.run``, ``ai.use``, ``org.switch``, ``plugins.view`` |
| viewer | ``ai.use``, ``org.switch``, ``plugins.view`` |

Without an ``org_id`` the roles of every org count (global actions such as settings).
"""

from __future__ import annotations

from typing import get_args

from workbuoy.schemas.auth import Me
from workbuoy.schemas.rbac import Action, RbacReply

ALL_ACTIONS: frozenset[str] = frozenset(get_args(Action))
READER = frozenset({"ai.use", "org.switch", "plugins.view"})
WRITER = READER | {"queue.write", "queue.resolve", "email.draft", "calendar.create", "workflow.run"}
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "admin": ALL_ACTIONS,
    "sales": WRITER,
    "viewer": READER,
}


def decide(me: Me | None, action: str, org_id: str | None) -> RbacReply:
    if me is None:
        return RbacReply(allowed=False, reason="not signed in")
    orgs = [o for o in me.orgs if org_id is None or o.id == org_id]
    if not orgs:
        return RbacReply(allowed=False, reason=f"no access to org {org_id}")
    roles = sorted({r for o in orgs for r in o.roles})
    if any(action in ROLE_ACTIONS.get(r, frozenset()) for r in roles):
        return RbacReply(allowed=True, roles=roles)
    return RbacReply(allowed=False, roles=roles, reason=f"roles {', '.join(roles) or 'none'} do not allow {action}")
