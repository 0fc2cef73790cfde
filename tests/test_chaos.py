"""The chaos run, CI-sized: faults, outages and kill -9 while syncing and writing, then every
write applied exactly once and the cache equal to the server (``tests/fixtures/chaos.py``).

``bench/chaos.py`` is the full run (100 kills, 1,000 writes) and prints its figures.
"""

from __future__ import annotations

import pytest

from tests.fixtures.chaos import SUPERVISOR, ChaosRun, Plan
from tests.fixtures.chaos_check import Outcome, check_writes
from tests.fixtures.chaos_writer import Attempt
from tests.fixtures.sandbox import sandbox  # noqa: F401
from tests.test_queue_engine import Engine, engine  # noqa: F401
from workbuoy.actors.queue.writes import Write
from workbuoy.store import QueueItem
from workbuoy.store.db import now_ms


@pytest.mark.timeout(900)
def test_chaos_run_loses_and_duplicates_nothing(tmp_path) -> None:
    figures = ChaosRun(Plan(rows=50_000, writes=400, kills=15, seed=7), tmp_path).run()
    print("\n".join(figures.lines()))
    o = figures.outcome
    assert sum(figures.kills.values()) >= 15 and figures.kills[SUPERVISOR] >= 1, figures.kills
    assert o.rows >= 50_000 and o.writes >= 400
    assert o.duplicates == 0, o.problems
    assert o.lost == 0, o.problems
    assert o.failed_unexpectedly == 0 and o.out_of_order == 0, o.problems
    assert o.in_flight == 0 and o.conflicted_rows == 0, o.problems
    assert o.cache_equal, o.cache_diffs
    assert o.integrity_ok, o.integrity


@pytest.mark.timeout(120)
def test_an_edit_retried_after_a_delete_was_queued_keeps_its_version(engine: Engine) -> None:  # noqa: F811
    """Found by the chaos run. An update of a record goes out and the flusher dies (kill -9);
    before the resend, a delete of the record is queued, which removes the cached row. The
    resend must carry the same ``If-Match`` (the server's version the edit builds on), not
    the stale version the update was committed against: else the server answers 412, or 422
    when the first send was applied, the update ends ``failed`` and holds the delete back."""
    engine.commit(Write("crm", {"title": "a"}, "tasks", "create", "t-del"))
    engine.flush()
    _, second = engine.commit(*(Write("crm", {"title": t}, "tasks", "update", "t-del") for t in ("b", "c")))
    engine.sb.set_faults(latency_ms=500)  # time to stop the flusher while the second edit is on the wire
    engine.flush(until=lambda: engine.store.get_queue_item(second.id).status == "inflight")
    engine.store.release_expired(now=now_ms() + 3_600_000)  # as the queue actor does when it starts again
    delete = engine.commit(Write("crm", None, "tasks", "delete", "t-del"))[0]
    engine.sb.set_faults(latency_ms=0)
    engine.flush(until=lambda: engine.store.get_queue_item(second.id).status == "failed" or engine.open_count() == 0)
    ends = {i.id: (i.status, i.last_error) for i in map(engine.store.get_queue_item, (second.id, delete.id))}
    assert ends == {second.id: ("synced", None), delete.id: ("synced", None)}, ends
    assert engine.server_row("tasks", "t-del")["deleted"] is True


def test_the_check_sees_a_duplicate_a_loss_and_disorder() -> None:
    """The check itself can fail: a key applied twice, an acknowledged write missing from the
    outbox, one never applied, and two writes of a record applied in the wrong order."""

    def item(id_: int, tag: str, status: str = "synced") -> QueueItem:
        return QueueItem(id=id_, op_id=f"k{id_}", org_id="org-1", qtype="crm", entity="deals", op="update",
                         entity_id="chaos-a-1", payload={"body": {"chaos": tag}, "base": None}, base_updated_at=None,
                         status=status, attempt=0, last_error=None, next_attempt_at=None, lease_until=None, claim=None,
                         wf_id=None, step_index=None, conflicted=False, server_payload=None, created_at=0, updated_at=0)

    attempts = [Attempt(f"a-{n}", "update", "deals", "chaos-a-1", True, n, f"k{n}") for n in (1, 2, 3, 4)]
    items = [item(1, "a-1"), item(2, "a-2"), item(3, "a-3", "pending")]  # a-4 acknowledged, never stored
    ledger = [{"key": "k2", "status": 200, "seen": 1, "applied": 1}, {"key": "k1", "status": 200, "seen": 2, "applied": 2}]
    out = Outcome()
    check_writes(out, attempts, items, ledger)
    assert (out.duplicates, out.lost, out.out_of_order, out.in_flight, out.applied) == (1, 2, 1, 1, 2)
    assert not out.clean
