"""The outbox (ordering, leases, fencing, retry, pruning) and the audit outbox."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbuoy.store import NewQueueItem, QueueItem, Store

NOW = 1_800_000_000_000


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "wb.db")
    yield store
    store.close()


def write(entity_id: str | None = "d1", entity: str = "deals", op: str = "update", **kw: object) -> NewQueueItem:
    return NewQueueItem(org_id="org", entity=entity, op=op, entity_id=entity_id, payload={"id": entity_id}, **kw)  # type: ignore[arg-type]


def leased_ids(store: Store, limit: int = 100, now: int = NOW) -> list[int]:
    return [lease.item.id for lease in store.lease(limit, 30_000, now=now)]


def finish_all(store: Store, status: str = "synced", now: int = NOW, **kw: object) -> list[int]:
    leases = store.lease(100, 30_000, now=now)
    for lease in leases:
        assert store.finish(lease.item.id, lease.claim, status=status, **kw)  # type: ignore[arg-type]
    return [lease.item.id for lease in leases]


def test_enqueue_fills_in_and_is_all_or_none(store: Store) -> None:
    (item,) = store.enqueue([write("d1")])
    assert isinstance(item, QueueItem) and item.entity_id == "d1"
    assert len(item.op_id) == 32 and item.status == "pending" and item.attempt == 0
    assert item.payload == {"id": "d1"} and item.created_at == item.updated_at
    with pytest.raises(ValueError, match="refused"):
        store.enqueue([write("d2", op_id="same"), write("d3", op_id="same")])
    with pytest.raises(ValueError, match="unknown entity"):
        store.enqueue([write("d2"), write("x", entity="widgets")])
    with pytest.raises(ValueError, match="org_id"):
        store.enqueue([NewQueueItem(qtype="email", payload={})])
    assert store.queue_depth()["pending"] == 1
    (email,) = store.enqueue([NewQueueItem(org_id="org", qtype="email", payload={"to": ["a@b.c"]})], durable=False)
    assert email.entity is None and email.qtype == "email"


def test_writes_to_one_record_go_out_in_order(store: Store) -> None:
    a1, b1, a2, a3 = store.enqueue([write("a"), write("b"), write("a"), write("a")])
    leases = store.lease(100, 30_000, now=NOW)
    assert [lease.item.id for lease in leases] == [a1.id, b1.id]
    assert leased_ids(store) == []  # a2 waits while a1 is inflight
    for lease in leases:
        assert store.finish(lease.item.id, lease.claim, status="synced")
    assert leased_ids(store) == [a2.id]
    assert finish_all(store) == []  # a3 waits for a2 (still inflight)


def test_failed_or_conflicted_holds_back_only_the_same_record(store: Store) -> None:
    a1, b1, c1 = store.enqueue([write("a"), write("b"), write("c")])
    leases = {lease.item.id: lease for lease in store.lease(10, 30_000, now=NOW)}
    assert store.finish(a1.id, leases[a1.id].claim, status="failed", last_error="HTTP 422")
    assert store.finish(
        b1.id, leases[b1.id].claim, status="pending", conflicted=True, server_payload={"id": "b", "v": "server"}
    )
    assert store.finish(c1.id, leases[c1.id].claim, status="synced")
    a2, b2, c2, other = store.enqueue([write("a"), write("b"), write("c"), write("a", entity="tasks")])
    assert leased_ids(store) == [c2.id, other.id]
    failed = store.get_queue_item(a1.id)
    assert failed is not None and (failed.status, failed.attempt, failed.last_error) == ("failed", 1, "HTTP 422")
    conflicted = store.get_queue_item(b1.id)
    assert conflicted is not None and conflicted.conflicted and conflicted.server_payload == {"id": "b", "v": "server"}
    assert [i.id for i in store.pending_for("deals", "b")] == [b1.id, b2.id]
    depth = store.queue_depth()
    assert depth == {"pending": 3, "inflight": 2, "failed": 1, "synced": 1, "conflicted": 1}
    # retry puts them back at the head of their record's chain
    retried = store.retry(a1.id)
    assert retried is not None and (retried.status, retried.attempt, retried.last_error) == ("pending", 0, None)
    assert store.retry(b1.id) is not None and store.retry(c1.id) is None and store.retry(999) is None
    assert leased_ids(store, now=NOW + 1) == [a1.id, b1.id]
    assert a2.id not in leased_ids(store, now=NOW + 1)


def test_conflict_on_finish_opens_it_on_the_cached_row(store: Store) -> None:
    store.put_local("deals", "org", "a", {"v": "local"}, 10)
    (item,) = store.enqueue([write("a")])
    (lease,) = store.lease(1, 30_000)
    assert store.finish(item.id, lease.claim, status="failed", conflicted=True, server_payload={"v": "server"})
    row = store.get_row("deals", "a")
    assert row is not None and row.conflicted and row.server_payload == {"v": "server"}
    assert row.payload == {"v": "local"}


def test_workflow_steps_wait_for_the_earlier_step(store: Store) -> None:
    wf_id, steps = store.enqueue_workflow(
        "org", [write("a"), NewQueueItem(qtype="email", payload={"to": ["x@y.z"]}), write("b", entity="tasks")]
    )
    assert [(s.wf_id, s.step_index, s.org_id) for s in steps] == [(wf_id, i, "org") for i in range(3)]
    (loose,) = store.enqueue([write("z")])
    assert leased_ids(store) == [steps[0].id, loose.id]
    (step0,) = [store.get_queue_item(steps[0].id)]
    assert step0 is not None and step0.claim
    assert store.finish(step0.id, step0.claim, status="pending", last_error="timeout", next_attempt_at=NOW + 500)
    assert leased_ids(store) == []  # step 0 backs off, step 1 still waits
    assert store.next_due_at() == NOW + 500
    assert finish_all(store, now=NOW + 500) == [steps[0].id]
    assert finish_all(store, now=NOW + 500) == [steps[1].id]
    assert finish_all(store, now=NOW + 500) == [steps[2].id]


def test_expired_leases_return_and_stale_claims_are_fenced(store: Store) -> None:
    (item,) = store.enqueue([write("a")])
    (first,) = store.lease(1, 1_000, now=NOW)
    assert store.next_due_at() == NOW + 1_000
    assert store.release_expired(now=NOW + 999) == 0
    (second,) = store.lease(1, 1_000, now=NOW + 1_001)  # the first lease expired on the way
    assert second.item.id == item.id and second.claim != first.claim
    assert not store.finish(item.id, first.claim, status="synced")
    assert store.finish(item.id, second.claim, status="synced")
    assert not store.finish(item.id, second.claim, status="failed")  # finished once only
    done = store.get_queue_item(item.id)
    assert done is not None and (done.status, done.attempt, done.claim, done.lease_until) == ("synced", 0, None, None)
    with pytest.raises(ValueError):
        store.finish(item.id, second.claim, status="inflight")  # type: ignore[arg-type]
    store.enqueue([write("b")])
    store.lease(1, 10, now=NOW)
    assert store.release_expired(now=NOW + 11) == 1


def test_backoff_and_next_due_at(store: Store) -> None:
    assert store.next_due_at() is None
    (item,) = store.enqueue([write("a")])
    assert store.next_due_at() == item.created_at  # due now
    (lease,) = store.lease(1, 5_000, now=NOW)
    assert store.finish(item.id, lease.claim, status="pending", next_attempt_at=NOW + 2_000, last_error="503")
    store.enqueue([write("a")])  # held back behind the retry: not a reason to wake up
    assert store.next_due_at() == NOW + 2_000
    assert leased_ids(store, now=NOW + 1_999) == []
    assert leased_ids(store, now=NOW + 2_000) == [item.id]
    retried = store.get_queue_item(item.id)
    assert retried is not None and retried.attempt == 1


def test_prune_keeps_everything_not_synced(store: Store) -> None:
    items = store.enqueue([write(f"r{i}") for i in range(6)])
    leases = store.lease(4, 30_000, now=NOW)
    assert store.finish(leases[0].item.id, leases[0].claim, status="synced")
    assert store.finish(leases[1].item.id, leases[1].claim, status="failed")
    assert store.finish(leases[2].item.id, leases[2].claim, status="synced", conflicted=True)
    later = time.time_ns() // 1_000_000 + 10_000
    assert store.prune_synced(60_000, now=later) == 0  # too recent
    assert store.prune_synced(0, now=later) == 1
    assert store.get_queue_item(items[0].id) is None
    assert [store.get_queue_item(i.id) is not None for i in items] == [False, True, True, True, True, True]
    assert [i.id for i in store.list_queue(limit=3)] == [items[5].id, items[4].id, items[3].id]
    assert [i.id for i in store.list_queue("failed")] == [items[1].id]


def test_lease_is_fast_with_ten_thousand_queued(store: Store) -> None:
    """10k held-back writes in front (their record's first write failed), then 10k ready ones."""
    heads = store.enqueue([write(f"h{i}", entity="tasks") for i in range(10_000)], durable=False)
    for lease in store.lease(10_000, 60_000, now=NOW):
        store.finish(lease.item.id, lease.claim, status="failed")
    store.enqueue([write(h.entity_id, entity="tasks") for h in heads], durable=False)
    ready = store.enqueue([write(f"d{i}") for i in range(10_000)], durable=False)
    start = time.perf_counter()
    leases = store.lease(100, 60_000, now=NOW)
    elapsed = time.perf_counter() - start
    assert [lease.item.id for lease in leases] == [item.id for item in ready[:100]]
    assert elapsed < 0.5, elapsed  # about 10 ms on a laptop
    start = time.perf_counter()
    store.next_due_at()
    assert time.perf_counter() - start < 0.5


def test_audit_outbox(store: Store) -> None:
    first = store.audit_enqueue("login", {"user": "u"})
    second = store.audit_enqueue("export", {"rows": 3})
    assert store.audit_depth() == 2
    taken = store.audit_take(10, now=time.time_ns() // 1_000_000 + 1)
    assert [(a.id, a.event, a.payload, a.status) for a in taken] == [
        (first, "login", {"user": "u"}, "sending"),
        (second, "export", {"rows": 3}, "sending"),
    ]
    assert store.audit_take(10) == []  # sending is not taken twice
    store.audit_done([first])
    store.audit_retry([second], earliest_at=NOW * 2)
    assert store.audit_take(10) == []  # not before earliest_at
    (again,) = store.audit_take(10, now=NOW * 2)
    assert again.attempt == 1 and store.audit_depth() == 1
    assert store.audit_reset_sending() == 1
    assert [a.id for a in store.audit_take(10, now=NOW * 2)] == [second]
