"""Real processes on a real file: concurrent writers, and SIGKILL in the middle of a page (rows,
checkpoint and search index all or none)."""

from __future__ import annotations

import multiprocessing
import random
import traceback
from pathlib import Path
from typing import Any

import apsw
import pytest

from tests.fixtures.killing import kill_mid_page
from workbuoy.store import NewQueueItem, Store
from workbuoy.store.listing import ListRequest
from workbuoy.store.db import cache_path_for

ctx = multiprocessing.get_context("spawn")
WRITERS, ROUNDS, PAGE, WRITES = 3, 40, 50, 5


def _writer(path: str, index: int, start: Any, results: Any) -> None:
    """Pull pages, queue writes and flush them, all against the one shared file."""
    try:
        store = Store.open(path)
        start.wait(30)
        finished: list[int] = []
        for round_ in range(ROUNDS):
            rows = [{"id": f"w{index}-{round_}-{k}", "updated_at": round_} for k in range(PAGE)]
            store.apply_page("deals", f"org{index}", rows, cursor=str(round_), etag=None, last_modified=None)
            store.enqueue(
                [
                    NewQueueItem(org_id=f"org{index}", entity="tasks", op="update", entity_id=f"t{k % 3}", payload={})
                    for k in range(WRITES)
                ],
                durable=round_ % 2 == 0,
            )
            for lease in store.lease(4, 60_000):
                if store.finish(lease.item.id, lease.claim, status="synced"):
                    finished.append(lease.item.id)
        store.close()
        results.put((index, finished, None))
    except BaseException:
        results.put((index, [], traceback.format_exc()))


@pytest.mark.timeout(90)
def test_three_writer_processes_never_see_busy_and_counts_add_up(tmp_path: Path) -> None:
    path = tmp_path / "wb.db"
    Store.open(path).close()
    start, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(str(path), i, start, results)) for i in range(WRITERS)]
    for proc in procs:
        proc.start()
    start.set()
    outcomes = [results.get(timeout=80) for _ in procs]
    for proc in procs:
        proc.join(10)
    assert [error for _, _, error in outcomes] == [None] * WRITERS
    finished = [item_id for _, ids, _ in outcomes for item_id in ids]
    assert len(finished) == len(set(finished))  # no item finished twice

    store = Store.open(path)
    try:
        while leases := store.lease(100, 60_000):  # what the writers left queued
            finished += [lease.item.id for lease in leases if store.finish(lease.item.id, lease.claim, status="synced")]
        total = WRITERS * ROUNDS * WRITES
        assert sorted(finished) == list(range(1, total + 1))
        assert store.queue_depth() == {"pending": 0, "inflight": 0, "failed": 0, "synced": total, "conflicted": 0}
        for index in range(WRITERS):
            assert store.count_rows("deals", f"org{index}") == ROUNDS * PAGE
            state = store.get_sync_state("deals", f"org{index}")
            assert state is not None and state.cursor == str(ROUNDS - 1)
    finally:
        store.close()


KILL_ROWS = 20_000


@pytest.mark.timeout(240)
def test_sigkill_mid_page_leaves_all_or_none(tmp_path: Path) -> None:
    path = tmp_path / "wb.db"
    Store.open(path).close()
    rng = random.Random(1234)
    killed_mid_page, committed = 0, 0
    for _ in range(10):
        began = kill_mid_page(str(path), KILL_ROWS, committed, rng, 0.08)

        store = Store.open(path)  # recovers the WAL the dead process left
        conn = apsw.Connection(str(path))
        conn.execute("ATTACH DATABASE ? AS cache", (str(cache_path_for(path)),))
        try:
            for schema in ("main", "cache"):
                assert conn.execute(f"PRAGMA {schema}.integrity_check").fetchall() == [("ok",)]
            state = store.get_sync_state("deals", "org")
            assert state is not None and state.cursor is not None
            committed = int(state.cursor)
            versions = conn.execute("SELECT updated_at, count(*) FROM deals GROUP BY updated_at").fetchall()
            assert versions == [(committed, KILL_ROWS)]  # every row from the checkpointed page
            # ... and the search index holds exactly those rows' text (it is kept in the same transaction)
            conn.execute("INSERT INTO cache.deals_search (deals_search) VALUES ('integrity-check')")
            assert conn.execute("SELECT count(*) FROM cache.deals_search").fetchone() == (KILL_ROWS,)
            for version, rows in ((committed, KILL_ROWS), (committed - 1, 0)):
                asked = ListRequest("deals", query=f"version {version}.", with_total=True)
                assert store.list_page(asked).total == rows
            killed_mid_page += began > committed
        finally:
            conn.close()
            store.close()
    print(f"{killed_mid_page}/10 kills landed inside a page")
    assert killed_mid_page > 0  # the kills did land inside a page
