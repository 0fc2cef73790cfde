"""RBAC guards: every guarded channel asks ``wb:rbac:can`` before its handler runs.

A viewer's e-mail, calendar, workflow and assistant writes are refused up front with the
role and the action in the error, counted in ``invalid_ipc_total{reason="rbac"}``,
and leave the outbox untouched; the same requests from a sales/admin user pass the guard.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fixtures.node import Node
from tests.fixtures.sandbox import SandboxProcess
from tests.fixtures.signed_in import FILE_KEYRING, login
from workbuoy.bus.errors import BusError
from workbuoy.schemas.registry import CHANNELS

pytestmark = pytest.mark.timeout(240)

DAY_MS = 86_400_000
#: One valid request per guarded channel (org-1 is the viewer's only org).
REQUESTS: dict[str, dict[str, Any]] = {
    "wb:queue:create": {"entity": "deals", "op": "create", "payload": {"name": "Guarded"}, "orgId": "org-1"},
    "wb:queue:resolveConflict": {"entity": "deals", "entityId": "d-1", "resolution": "keepServer"},
    "wb:queue:discard": {"id": 1},
    "wb:email:draft": {"to": ["a@example.test"], "subject": "Hi", "orgId": "org-1"},
    "wb:calendar:create": {"title": "Call", "startsAt": 1_900_000_000_000, "endsAt": 1_900_000_000_000 + DAY_MS, "orgId": "org-1"},
    "wb:assistant:apply": {"actions": [{"entity": "deals", "op": "create", "payload": {"name": "AI"}, "orgId": "org-1"}]},
    "wb:workflow:run": {"steps": [{"qtype": "crm", "entity": "tasks", "op": "create", "payload": {"title": "x"}}], "orgId": "org-1"},
    "wb:ai:workflow": {"entity": "deals", "entityId": "d-1", "kind": "follow_up"},
    "wb:ai:chat": {"messages": [{"role": "user", "content": "hello"}]},
    "wb:plugins:list": {},
    "wb:plugins:toggle": {"id": "ics_export", "enabled": False},
    "wb:plugins:health": {},
    "wb:plugins:verify": {"id": "ics_export"},
}
#: What a viewer may not do (the rest of ``REQUESTS`` it may).
VIEWER_REFUSED = {
    "wb:queue:create": "queue.write", "wb:queue:resolveConflict": "queue.resolve", "wb:queue:discard": "queue.write", "wb:email:draft": "email.draft",
    "wb:calendar:create": "calendar.create", "wb:assistant:apply": "queue.write", "wb:workflow:run": "workflow.run",
    "wb:ai:workflow": "workflow.run", "wb:plugins:toggle": "plugins.toggle",
}


def test_every_guarded_channel_is_covered_here():
    assert {c.name for c in CHANNELS.values() if c.guard} == set(REQUESTS)


def forbidden_count(node: Node, channel: str) -> float:
    samples = node.call("wb:metrics:snapshot").samples
    return samples.get(f'wb_desktop_invalid_ipc_total{{channel="{channel}",reason="rbac"}}', 0.0)


def outcome(node: Node, channel: str) -> BusError | None:
    try:
        node.call(channel, REQUESTS[channel])
    except BusError as exc:
        return exc
    return None


@pytest.fixture(scope="module")
def nodes(tmp_path_factory) -> Iterator[dict[str, Node]]:
    """One sandbox and three nodes for the whole module: signed out, a viewer, the demo (admin+sales) user."""
    sb = SandboxProcess().start()
    made = {role: Node(tmp_path_factory.mktemp(role), {"WB_PORTAL_BASE_URL": sb.origin, **FILE_KEYRING}) for role in
            ("signed_out", "viewer", "admin")}
    try:
        for n in made.values():
            n.start()
        login(made["viewer"], "viewer@workbuoy.test", "viewer-password")
        login(made["admin"])
        yield made
    finally:
        for n in made.values():
            n.stop()
        sb.stop()


@pytest.mark.parametrize("channel", sorted(REQUESTS))
def test_a_viewer_is_refused_up_front_and_counted(channel, nodes):
    node = nodes["viewer"]
    before = forbidden_count(node, channel)
    err = outcome(node, channel)
    if channel in VIEWER_REFUSED:
        assert err is not None and err.code == "forbidden", err
        assert VIEWER_REFUSED[channel] in err.message and "viewer" in err.message
        assert forbidden_count(node, channel) == before + 1
        assert node.call("wb:queue:list", {}).items == []  # nothing reached the outbox
    else:
        assert err is None or err.code != "forbidden", err


@pytest.mark.parametrize("channel", sorted(REQUESTS))
def test_a_sales_admin_passes_every_guard(channel, nodes):
    node = nodes["admin"]
    err = outcome(node, channel)
    # the guard let it through; the handler may still refuse on its own (no such conflict)
    assert err is None or err.code != "forbidden", err
    assert forbidden_count(node, channel) == 0


@pytest.mark.parametrize("channel", sorted(REQUESTS))
def test_signed_out_every_guarded_channel_says_so(channel, nodes):
    err = outcome(nodes["signed_out"], channel)
    assert err is not None and err.code == "forbidden" and "not signed in" in err.message, err
