"""``wb:queue:discard``: a write that cannot succeed is dropped unsent and undone offline (real node, sandbox)."""

from __future__ import annotations

import pytest

from tests.fixtures.node import wait_for
from tests.fixtures.sandbox import SandboxProcess, sandbox  # noqa: F401
from tests.test_queue_node import signed_in, store_of  # noqa: F401
from workbuoy.bus.errors import BusError

pytestmark = pytest.mark.timeout(120)


def test_a_refused_write_and_a_conflict_are_discarded_and_undone(node_factory, sandbox: SandboxProcess, store_of) -> None:  # noqa: F811
    node = signed_in(node_factory, sandbox)
    store = store_of(node)
    gone = node.call("wb:queue:create", {"entity": "tasks", "op": "update", "entityId": "task-1-9999999",
                                         "payload": {"title": "edited offline"}})
    assert store.get_row("tasks", "task-1-9999999") is not None  # shown at once, as every write
    wait_for(lambda: store.get_queue_item(gone.id).status == "failed", 30, what="the 404 to fail the write")
    assert node.call("wb:queue:discard", {"id": gone.id}).status == "synced"
    item = store.get_queue_item(gone.id)
    assert item.status == "synced" and item.last_error.startswith("discarded: by cli")
    assert store.get_row("tasks", "task-1-9999999") is None  # nothing was there before the write
    with pytest.raises(BusError) as again:
        node.call("wb:queue:discard", {"id": gone.id})
    assert again.value.code == "failed" and "not a failed write" in again.value.message

    created = node.call("wb:queue:create", {"entity": "deals", "op": "create", "payload": {"name": "Mine", "amount": 1}})
    wait_for(lambda: store.get_queue_item(created.id).status == "synced", 30, what="the create synced")
    sandbox.set_faults(outage="drop")
    edit = node.call("wb:queue:create", {"entity": "deals", "op": "update", "entityId": created.entity_id,
                                         "payload": {"amount": 2}})
    sandbox.admin.put(f"/rows/deals/{created.entity_id}", json={"amount": 99}).raise_for_status()
    sandbox.set_faults(outage="none")
    wait_for(lambda: store.get_queue_item(edit.id).conflicted, 60, what="the conflict")
    node.call("wb:queue:discard", {"id": edit.id})
    assert store.get_row("deals", created.entity_id).payload["amount"] == 99  # the server's version
    assert store.get_queue_item(edit.id).last_error.startswith("resolved: discarded by cli")
