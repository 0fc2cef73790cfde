"""``portalOrigin`` is the one origin every actor uses: after a switch from sandbox A to
sandbox B, queued writes (CRM, e-mail drafts, calendar events) and sync pulls go to B.
Two real sandbox processes."""

from __future__ import annotations

import pytest

from tests.fixtures.node import Node, wait_for
from tests.fixtures.sandbox import SandboxProcess, sandbox_factory  # noqa: F401
from tests.fixtures.signed_in import FILE_KEYRING, login, sync
from tests.test_queue_node import queue
from workbuoy.actors.queue.writes import Write, new_id

pytestmark = pytest.mark.timeout(240)


def batch(tag: str) -> list[Write]:
    return [
        Write("crm", {"name": f"{tag}-deal", "stage": "new", "amount": 1}, "deals", "create", new_id()),
        Write("email", {"to": ["a@example.com"], "subject": f"{tag}-mail", "body": "b"}),
        Write("calendar", {"title": f"{tag}-event", "starts_at": 1_000, "ends_at": 2_000}),
    ]


def written(sb: SandboxProcess) -> list[str]:
    """``METHOD path`` of every write the server's ledger holds (keyed by Idempotency-Key)."""
    return sorted(f"{w['method']} {w['path']}" for w in sb.admin.get("/writes").json()["writes"])


def requests(sb: SandboxProcess) -> list[str]:
    """The node's requests (not this test's own admin calls)."""
    return [line for line in sb.admin.get("/requests").json()["requests"] if " /_sandbox/" not in line]


def all_sent(node: Node) -> bool:
    return all(i.status == "synced" for i in node.call("wb:queue:list", {}).items)


WRITES = ["POST /api/deals", "POST /calendar/events", "POST /email/drafts"]


def test_queued_writes_and_sync_follow_a_new_portal_origin(sandbox_factory, node_factory):
    a, b = sandbox_factory(), sandbox_factory()
    node = node_factory(**FILE_KEYRING).start()  # no WB_*_BASE_URL: every base follows the setting
    node.call("wb:updateSettings", {"portalOrigin": a.origin})
    login(node)
    for w in batch("a"):
        queue(node, w)
    wait_for(lambda: all_sent(node), 60, what="the first writes sent to A")
    assert written(a) == WRITES and written(b) == []

    node.call("wb:updateSettings", {"portalOrigin": b.origin})  # signs out of A
    wait_for(lambda: node.call("wb:auth:status").state == "signed_out", 30, what="signed out of A")
    login(node)
    before = len(requests(a))
    for w in batch("b"):
        queue(node, w)
    wait_for(lambda: all_sent(node), 60, what="the writes queued after the switch sent")
    assert written(b) == WRITES, written(b)
    assert written(a) == WRITES  # nothing more reached A
    sync(node)
    pulls = [line for line in requests(b) if line.startswith("GET /api/deals")]
    assert pulls, requests(b)
    assert requests(a)[before:] == []  # once signed in at B, nothing more reaches A
