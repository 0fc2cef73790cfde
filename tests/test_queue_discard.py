"""``wb:queue:discard``: a write that cannot succeed is dropped unsent and undone offline (real node, sandbox)."""

from __future__ import annotations

import pytest

from tests.fixtures.node import wait_for
from tests.fixtures.sandbox import SandboxProcess, sandbox  # noqa: F401
from tests.test_queue_engine import Engine, engine  # noqa: F401
from tests.test_queue_node import signed_in, store_of  # noqa: F401
from workbuoy.actors.queue import writes
from workbuoy.actors.queue.writes import Write
from workbuoy.bus.errors import BusError
from workbuoy.store.outbox import HELD

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


def test_a_discarded_workflow_step_holds_the_steps_after_it(engine: Engine) -> None:  # noqa: F811
    """The later steps were planned on top of the discarded one: not sent unasked, not lost either."""
    follow_up = writes.new_id()
    steps = [
        Write("crm", {"stage": "won"}, "deals", "update", "deal-1-9999999"),  # no such row: 404, failed
        Write("crm", {"title": "congratulate"}, "tasks", "create", follow_up),
        Write("email", {"to": ["a@example.com"], "subject": "we won", "body": ""}),
    ]
    items = engine.commit(*steps, workflow=True)
    engine.flush(until=lambda: engine.store.queue_depth()["failed"] == 1)
    assert writes.discard(engine.store, engine.store.get_queue_item(items[0].id), "by test") is not None
    engine.flush(timeout=10)
    after = [engine.store.get_queue_item(i.id) for i in items]
    assert [i.status for i in after] == ["synced", "failed", "failed"]
    assert after[1].last_error == after[2].last_error == HELD
    assert not {i.op_id for i in items[1:]} & {w["key"] for w in engine.ledger()}, "a step after the discarded one was sent"
    assert engine.store.get_row("tasks", follow_up) is not None  # held, still shown offline

    assert engine.store.retry(items[1].id) is not None  # the user sends one of them after all
    engine.flush()
    assert engine.store.get_queue_item(items[1].id).status == "synced"
    assert engine.server_row("tasks", follow_up)["title"] == "congratulate"
    assert engine.store.get_queue_item(items[2].id).status == "failed"


def test_a_discarded_write_shows_the_servers_newer_version_not_the_stale_base(engine: Engine) -> None:  # noqa: F811
    """A pull while the write was open put the server's newer row beside it; the cursor has passed it since."""
    deal = writes.new_id()
    engine.commit(Write("crm", {"name": "Mine", "amount": 1}, "deals", "create", deal))
    engine.flush()
    (refused,) = engine.commit(Write("crm", {"amount": 2, "org_id": "org-2"}, "deals", "update", deal))  # 400
    engine.flush(until=lambda: engine.store.queue_depth()["failed"] == 1)
    engine.admin.put(f"/rows/deals/{deal}", json={"amount": 99}).raise_for_status()  # another client's edit
    server = engine.server_row("deals", deal)
    assert server is not None
    engine.store.upsert_rows("deals", "org-1", [server])  # the sync's pull of it
    assert engine.store.get_row("deals", deal).conflicted  # beside the open write, as every pull does

    assert writes.discard(engine.store, engine.store.get_queue_item(refused.id), "by test") is not None
    row = engine.store.get_row("deals", deal)
    assert (row.payload["amount"], row.updated_at, row.conflicted) == (99, server["updated_at"], False)


def test_a_discarded_edit_leaves_the_later_queued_edits_of_its_record_on_show(engine: Engine) -> None:  # noqa: F811
    deal = writes.new_id()
    engine.commit(Write("crm", {"name": "Mine", "amount": 1}, "deals", "create", deal))
    engine.flush()
    refused, later = engine.commit(Write("crm", {"amount": 2, "org_id": "org-2"}, "deals", "update", deal),  # 400
                                   Write("crm", {"stage": "mine"}, "deals", "update", deal))  # held behind it
    engine.flush(until=lambda: engine.store.queue_depth()["failed"] == 1)
    writes.discard(engine.store, engine.store.get_queue_item(refused.id), "by test")
    shown = engine.store.get_row("deals", deal).payload
    assert (shown["amount"], shown["org_id"], shown["stage"]) == (1, "org-1", "mine")  # undone, and the later edit kept
    engine.flush()
    assert engine.store.get_queue_item(later.id).status == "synced"
    assert engine.store.get_row("deals", deal).payload == engine.server_row("deals", deal)
