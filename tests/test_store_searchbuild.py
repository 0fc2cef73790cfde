"""A search index built beside the cache and moved in: rows written meanwhile, a build that is
overtaken, and a build killed at a random point (``workbuoy/store/searchbuild.py``)."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures.node import wait_for
from tests.test_store_search import agree, found, ops, scan, write
from workbuoy.store import Store, build_indexes
from workbuoy.store.indexbuild import build_in_process
from workbuoy.store.indexes import drop_statements, missing
from workbuoy.store.searchbuild import SearchBuild, scratch_file

ctx = multiprocessing.get_context("spawn")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=ops, read=ops, missed=ops, after=ops,
       queries=st.lists(st.text("abAB ßé-", min_size=3, max_size=5), min_size=1, max_size=4))
def test_rows_written_while_a_build_runs_are_in_the_index_it_moves_in(
        tmp_path: Path, before: list[Any], read: list[Any], missed: list[Any], after: list[Any], queries: list[str]) -> None:
    """Writes after the build began are noted: those the fill read and those it missed are indexed again."""
    store = Store.open(tmp_path / f"s{len(list(tmp_path.iterdir()))}.db")
    try:
        store.suspend_indexes(["deals"])
        model: dict[str, dict[str, Any]] = {}
        write(store, model, [("page", 99, "seed"), *before])
        build = SearchBuild(store._db, "cache", "deals")
        assert build.begin()
        write(store, model, read)  # before the fill reads the table
        build.fill()
        write(store, model, missed)  # after it
        for query in queries:  # meanwhile a search scans
            assert found(store, query) == scan(model, query), query
        assert build.move_in() and "deals_search" not in missing(store._db)
        write(store, model, after)  # the index's own triggers, on the connection that moved it in
        agree(store)
        for query in queries:
            assert found(store, query) == scan(model, query), query
    finally:
        store.close()


def test_a_build_overtaken_by_another_or_by_a_suspend_gives_up(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "wb.db")
    assert not SearchBuild(store._db, "cache", "deals").begin()  # the index is there: nothing to build
    store.suspend_indexes(["deals", "tasks"])
    store.upsert_rows("deals", "o", [{"id": f"d{i}", "updated_at": i, "name": f"Polar {i}"} for i in range(40)])
    first, second = SearchBuild(store._db, "cache", "deals"), SearchBuild(store._db, "cache", "deals")
    assert first.begin() and second.begin() and first.scratch != second.scratch  # each fills its own file
    first.fill()
    second.fill()
    store.upsert_rows("deals", "o", [{"id": "d3", "updated_at": 99, "name": "Granite"}])
    assert second.move_in()
    assert not first.move_in()  # its marker went with the log when the second moved in
    agree(store)
    assert found(store, "granite") == {"d3"} and found(store, "polar 3") == {f"d{i}" for i in range(30, 40)}

    tasks = SearchBuild(store._db, "cache", "tasks")
    store.upsert_rows("tasks", "o", [{"id": "t1", "updated_at": 1, "title": "Call Ada"}])
    assert tasks.begin()
    store.delete_local("tasks", "t1")
    assert store.suspend_indexes(["tasks"]) == ["tasks"]  # empty again: a first sync begins
    tasks.fill()
    assert not tasks.move_in() and "tasks_search" in missing(store._db)

    store.upsert_rows("tasks", "o", [{"id": "t1", "updated_at": 2, "title": "Call Ada"}])
    assert tasks.begin()
    store.delete_local("tasks", "t1")
    assert not SearchBuild(store._db, "cache", "tasks").begin()  # an empty table: its index made in place ...
    store.upsert_rows("tasks", "o", [{"id": "t2", "updated_at": 3, "title": "Book demo"}])  # ... and kept by its triggers
    tasks.fill()
    assert not tasks.move_in()  # the older build would have lost t2
    agree(store, "tasks")
    store.close()


ROWS = 60_000  # over INDEX_AT_OPEN_MAX_ROWS: opening a store leaves the index to a build


def build_forever(path: str, builds: Any) -> None:
    """Build the deals search index, drop it, build it again ... counting the builds begun."""
    store = Store.open(path)
    while True:
        builds.value += 1
        build_indexes(store.path, ("deals",), search_only=True)
        with store.transaction():
            for statement in drop_statements("cache", "deals"):
                if "_search" in statement:
                    store._db.conn.execute(statement)


def whole(store: Store) -> None:
    """The deals index holds every row (FTS5's own check, the rowids) and finds one by its text."""
    conn = store._db.conn
    conn.execute("INSERT INTO deals_search (deals_search) VALUES ('integrity-check')")
    assert {r[0] for r in conn.execute("SELECT rowid FROM deals_search")} == {r[0] for r in conn.execute("SELECT rowid FROM deals")}
    assert found(store, "harbor 4321.") == {"d4321"}


def test_sigkill_mid_build_leaves_a_scan_and_the_next_build_a_whole_index(tmp_path: Path) -> None:
    path = tmp_path / "wb.db"
    store = Store.open(path)
    store.upsert_rows("deals", "o", [{"id": f"d{i}", "updated_at": i, "name": f"Harbor {i}."} for i in range(ROWS)])
    store.close()
    rng, mid_fill = random.Random(7), 0
    for kill in range(6):
        builds = ctx.Value("q", 0)
        proc = ctx.Process(target=build_forever, args=(str(path), builds))
        proc.start()
        wait_for(lambda: builds.value >= 2 or not proc.is_alive(), 120, 0.002, "a second build under way")
        assert proc.is_alive()
        time.sleep(rng.uniform(0, 1.0))  # a random point of a build, not a wait
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(10)
        store = Store.open(path)
        try:
            scratch = scratch_file(store._db, "deals", "*")
            mid_fill += any(scratch.parent.glob(scratch.name))
            if "deals_search" in missing(store._db):  # cut short: a search scans, and finds what a scan finds
                assert found(store, "harbor 4321.") == {"d4321"}
            else:
                whole(store)
            store.upsert_rows("deals", "o", [{"id": f"k{kill}", "updated_at": ROWS + kill, "name": f"Kestrel {kill}"}])
            build_indexes(path)
            whole(store)
            assert found(store, f"kestrel {kill}") == {f"k{kill}"} and not any(scratch.parent.glob(scratch.name))
        finally:
            store.close()
    print(f"{mid_fill}/6 kills landed while a scratch index was filling")
    assert mid_fill > 0


def test_a_build_in_a_process_of_its_own_builds_or_says_why_not(tmp_path: Path) -> None:
    """What the sync actor runs for each entity of a first sync (``store/indexbuild.py``)."""
    store = Store.open(tmp_path / "wb.db")
    store.suspend_indexes(["deals"])
    store.upsert_rows("deals", "o", [{"id": f"d{i}", "updated_at": i, "name": f"Polar {i}"} for i in range(40)])
    build_in_process(store.path, ("deals",), search_only=True)
    assert "deals_search" not in missing(store._db) and "deals_by_name" in missing(store._db)
    agree(store)
    with pytest.raises(RuntimeError, match="unknown entity nope"):
        build_in_process(store.path, ("nope",))
    store.close()
