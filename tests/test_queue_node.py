"""The queue actor in a real node, signed in to a real sandbox process."""

from __future__ import annotations

import os
import random
import signal
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fixtures.node import Node, pid_alive, wait_for
from tests.fixtures.sandbox import DEMO, SandboxProcess, sandbox  # noqa: F401
from tests.test_queue_engine import mixed_writes
from workbuoy.bus.errors import BusError
from workbuoy.store import Store

FILE_KEYRING = {"WB_KEYRING_BACKEND": "file", "WB_KEYRING_KEY": "test-keyring-key"}


def signed_in(node_factory, sb: SandboxProcess, **env: str) -> Node:
    node = node_factory(WB_PORTAL_BASE_URL=f"{sb.origin}/portal", WB_API_BASE_URL=f"{sb.origin}/api",
                        **FILE_KEYRING, **env).start()
    assert node.call("wb:auth:login", {"email": DEMO[0], "password": DEMO[1]}).state == "signed_in"
    return node


@pytest.fixture
def store_of() -> Iterator[Any]:
    opened: list[Store] = []

    def open_(node: Node) -> Store:
        opened.append(Store.open(node.data_dir / "workbuoy.db"))
        return opened[-1]

    yield open_
    for s in opened:
        s.close()


def queue(node: Node, w) -> Any:
    if w.qtype == "email":
        return node.call("wb:email:draft", {"to": w.body["to"], "subject": w.body["subject"], "body": w.body["body"]})
    if w.qtype == "calendar":
        b = w.body
        return node.call("wb:calendar:create", {"title": b["title"], "startsAt": b["starts_at"], "endsAt": b["ends_at"]})
    payload = {"entity": w.entity, "op": w.op, "entityId": w.entity_id}
    if w.body is not None:
        payload["payload"] = w.body
    return node.call("wb:queue:create", payload)


def kill_queue_actor(node: Node) -> None:
    pid = node.actor_pids()["queue"]
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not pid_alive(pid), 20, what="queue actor to die")
    wait_for(lambda: node.actor_pids().get("queue") not in (None, pid), 60, what="queue actor restarted")
    node.wait_ready(("queue",))


@pytest.mark.timeout(240)
def test_offline_writes_arrive_exactly_once_in_order_through_kills(node_factory, sandbox: SandboxProcess, store_of) -> None:  # noqa: F811
    node = signed_in(node_factory, sandbox)
    sandbox.stop()
    ws = mixed_writes(random.Random(11), 1000)
    refs = [queue(node, w) for w in ws]
    store = store_of(node)
    assert store.queue_depth()["pending"] + store.queue_depth()["inflight"] == 1000
    sandbox.restart()
    sandbox.set_faults(fail_rate=0.05, reset_rate=0.02, garbage_rate=0.02, latency_ms=2)
    for _ in range(3):  # kill -9 in the middle of the flush, three times
        synced = store.queue_depth()["synced"]
        wait_for(lambda: store.queue_depth()["synced"] > synced + 50 and store.queue_depth()["inflight"], 60,
                 interval=0.01, what="sends in flight")
        kill_queue_actor(node)
    assert node.status().actors["queue"].restarts >= 3
    try:
        wait_for(lambda: store.queue_depth()["synced"] == 1000, 120, interval=0.2, what="every write synced")
    except AssertionError as exc:  # say which writes are still out, and why
        left = [(i.id, i.status, i.attempt, i.next_attempt_at, i.last_error) for s in ("pending", "inflight", "failed")
                for i in store.list_queue(s, 20)]
        raise AssertionError(f"{exc}: {store.queue_depth()} {node.call('wb:queue:status', {})} {left}") from None
    d = store.queue_depth()
    assert d["failed"] == d["conflicted"] == d["inflight"] == d["pending"] == 0, d
    ledger = sandbox.admin.get("/writes").json()["writes"]
    op_ids = [store.get_queue_item(r.id).op_id for r in refs]
    assert sorted(w["key"] for w in ledger) == sorted(op_ids)  # every write taken once
    assert all(200 <= w["status"] < 300 for w in ledger)
    position = {w["key"]: n for n, w in enumerate(ledger)}
    per_record: dict[str, list[int]] = defaultdict(list)
    for r, op_id in zip(refs, op_ids):
        if r.entity_id:
            per_record[r.entity_id].append(position[op_id])
    assert all(p == sorted(p) for p in per_record.values())
    # A kill between the cache file's commit and the outbox's must not leave a record's cached
    # row behind the server (or marked in conflict) once its last write is taken.
    for entity, eid in {(w.entity, w.entity_id) for w in ws if w.qtype == "crm"}:
        server = sandbox.admin.get(f"/rows/{entity}/{eid}")
        cached = store.get_row(entity, eid)
        if server.status_code == 404 or server.json().get("deleted"):
            assert cached is None, (entity, eid, cached)
        else:
            assert cached is not None and (cached.updated_at, cached.conflicted) == (server.json()["updated_at"], False), \
                (entity, eid, cached, server.json())


@pytest.mark.timeout(90)
def test_refused_writes_leave_the_queue_untouched(node_factory, sandbox: SandboxProcess, store_of) -> None:  # noqa: F811
    node = signed_in(node_factory, sandbox)
    bad = [
        ("invalid_payload", {"entity": "invoices", "op": "create", "payload": {}}),
        ("invalid_payload", {"entity": "deals", "op": "upsert", "entityId": "d1", "payload": {}}),
        ("invalid_payload", {"entity": "deals", "op": "update", "payload": {"a": 1}}),  # no entityId
        ("invalid_payload", {"entity": "deals", "op": "update", "entityId": "d1", "payload": {"updated_at": 1}}),
        ("forbidden", {"entity": "deals", "op": "create", "payload": {"a": 1}, "orgId": "org-999"}),
    ]
    for code, payload in bad:
        with pytest.raises(BusError) as err:
            node.call("wb:queue:create", payload)
        assert err.value.code == code, (payload, err.value)
    with pytest.raises(BusError) as err:
        node.call("wb:ai:workflow", {"entity": "deals", "entityId": "d1", "kind": "delete_everything"})
    assert err.value.code == "invalid_payload"
    assert node.call("wb:queue:list", {}).items == []
    assert store_of(node).queue_depth()["pending"] == 0
    samples = node.call("wb:metrics:snapshot").samples
    refused = {k.split('reason="')[1][:-2]: v for k, v in samples.items() if "invalid_ipc" in k and "wb:queue:create" in k}
    assert refused.get("refused", 0) >= 1 and refused.get("rbac") == 1  # the org is RBAC's (Channel.guard)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("resolution", ["keepLocal", "keepServer"])
def test_conflict_resolution_through_the_bus(node_factory, sandbox: SandboxProcess, store_of, resolution: str) -> None:  # noqa: F811
    node = signed_in(node_factory, sandbox)
    store = store_of(node)
    ref = node.call("wb:queue:create", {"entity": "deals", "op": "create", "payload": {"stage": "new", "amount": 1}})
    wait_for(lambda: store.get_queue_item(ref.id).status == "synced", 30, what="create synced")
    sandbox.admin.put(f"/rows/deals/{ref.entity_id}", json={"stage": "server"}).raise_for_status()
    upd = node.call("wb:queue:create", {"entity": "deals", "op": "update", "entityId": ref.entity_id, "payload": {"stage": "local"}})
    wait_for(lambda: store.get_queue_item(upd.id).conflicted, 30, what="conflict")
    listed = {i.id: i for i in node.call("wb:queue:list", {"status": "failed"}).items}
    assert listed[upd.id].conflicted
    if resolution == "keepLocal":
        assert node.call("wb:queue:resolveConflict", {"entity": "deals", "entityId": ref.entity_id, "resolution": resolution}).ok
    else:
        out = node.cli("queue", "resolve", "deals", ref.entity_id, "--keep", "server")
        assert out.returncode == 0, out.stderr
    expected = "local" if resolution == "keepLocal" else "server"

    def agreed() -> bool:
        server = sandbox.admin.get(f"/rows/deals/{ref.entity_id}").json()
        cached = store.get_row("deals", ref.entity_id)
        return server["stage"] == expected and cached is not None and cached.payload == server and not cached.conflicted

    wait_for(agreed, 30, what="cache and server agree")
    wait_for(lambda: store.get_queue_item(upd.id).status == "synced", 30, what="the item to be done")
    assert store.get_queue_item(upd.id).last_error.startswith(f"resolved: {resolution} by cli at ")
    with pytest.raises(BusError) as err:  # nothing left to resolve
        node.call("wb:queue:resolveConflict", {"entity": "deals", "entityId": ref.entity_id, "resolution": resolution})
    assert err.value.code == "failed"


@pytest.mark.timeout(120)
def test_assistant_workflow_chat_and_org_switch(node_factory, sandbox: SandboxProcess, store_of) -> None:  # noqa: F811
    node = signed_in(node_factory, sandbox)
    store = store_of(node)
    assert node.call("wb:org:switch", {"orgId": "org-2"}).active == "org-2"
    wf = node.call("wb:ai:workflow", {"entity": "deals", "entityId": "deal-2-0000001", "kind": "close_deal"})
    assert [store.get_queue_item(i.id).step_index for i in wf.items] == [0, 1]
    wait_for(lambda: all(store.get_queue_item(i.id).status == "synced" for i in wf.items), 30, what="workflow synced")
    assert all(store.get_queue_item(i.id).org_id == "org-2" for i in wf.items)
    assert sandbox.admin.get("/rows/deals/deal-2-0000001").json()["stage"] == "closed_won"
    reply = node.call("wb:ai:chat", {"messages": [{"role": "user", "content": "hello there"}]})
    assert "hello there" in reply.message.content
    sandbox.stop()
    with pytest.raises(BusError) as err:
        node.call("wb:ai:chat", {"messages": [{"role": "user", "content": "offline?"}]})
    assert err.value.code == "unavailable"


@pytest.mark.timeout(90)
def test_cli_lists_and_retries_a_failed_write(node_factory, sandbox: SandboxProcess, store_of) -> None:  # noqa: F811
    node = signed_in(node_factory, sandbox)
    store = store_of(node)
    ref = node.call("wb:queue:create", {"entity": "tasks", "op": "update", "entityId": "task-1-9999999", "payload": {"x": 1}})
    wait_for(lambda: store.get_queue_item(ref.id).status == "failed", 30, what="the 404 to fail the write")
    out = node.cli("queue", "list", "--status", "failed")
    assert out.returncode == 0 and f"{ref.id}" in out.stdout and "404" in out.stdout, out
    sandbox.admin.put("/rows/tasks/task-1-9999999", json={"org_id": "org-1", "title": "now it exists"}).raise_for_status()
    out = node.cli("queue", "retry", str(ref.id))
    assert out.returncode == 0, out.stderr
    wait_for(lambda: store.get_queue_item(ref.id).status == "synced", 30, what="the retried write to go out")
    assert sandbox.admin.get("/rows/tasks/task-1-9999999").json()["x"] == 1
    out = node.cli("queue", "retry", str(ref.id))
    assert out.returncode == 1 and "not a failed write" in out.stderr


@pytest.mark.timeout(90)
def test_crdt_tenant_merges_disjoint_edits_by_itself(node_factory, sandbox: SandboxProcess, store_of) -> None:  # noqa: F811
    node = signed_in(node_factory, sandbox, WB_CRDT_TENANTS="org-1")
    store = store_of(node)
    ref = node.call("wb:queue:create", {"entity": "deals", "op": "create", "payload": {"stage": "new", "amount": 1}})
    wait_for(lambda: store.get_queue_item(ref.id).status == "synced", 30, what="create synced")
    sandbox.admin.put(f"/rows/deals/{ref.entity_id}", json={"amount": 99}).raise_for_status()
    upd = node.call("wb:queue:create", {"entity": "deals", "op": "update", "entityId": ref.entity_id, "payload": {"stage": "won"}})
    wait_for(lambda: store.get_queue_item(upd.id).status == "synced", 30, what="merged update synced")
    server = sandbox.admin.get(f"/rows/deals/{ref.entity_id}").json()
    assert (server["stage"], server["amount"]) == ("won", 99)
    assert store.get_row("deals", ref.entity_id).payload == server
    assert store.get_queue_item(upd.id).last_error == "resolved: merged field by field"
