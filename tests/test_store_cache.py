"""The entity cache: newer wins, tombstones, conflicts, the checkpoint, paging, meta."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbuoy.store import CachedRow, NewQueueItem, PageResult, Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "wb.db")
    yield store
    store.close()


def row(id_: str, updated_at: int, **fields: Any) -> dict[str, Any]:
    return {"id": id_, "updated_at": updated_at, **fields}


def page(store: Store, rows: list[dict[str, Any]], cursor: str | None = "c") -> PageResult:
    return store.apply_page("deals", "org", rows, cursor=cursor, etag="e", last_modified="lm")


def queue_write(store: Store, entity_id: str) -> int:
    (item,) = store.enqueue([NewQueueItem(org_id="org", entity="deals", op="update", entity_id=entity_id, payload={})])
    return item.id


def test_insert_then_newer_update_then_older_is_a_conflict(store: Store) -> None:
    assert page(store, [row("a", 10, v=1), row("b", 10)]) == PageResult(
        inserted=2, changed=[("a", True), ("b", True)]
    )
    assert page(store, [row("a", 20, v=2)]) == PageResult(updated=1, changed=[("a", False)])
    assert store.get_row("deals", "a") == CachedRow(
        id="a", org_id="org", updated_at=20, payload={"id": "a", "updated_at": 20, "v": 2}
    )
    assert page(store, [row("a", 15, v=3)]) == PageResult(conflicts=1)
    got = store.get_row("deals", "a")
    assert got is not None and got.conflicted and got.updated_at == 20
    assert got.payload["v"] == 2 and got.server_payload == row("a", 15, v=3)


def test_same_version_again_changes_nothing(store: Store) -> None:
    page(store, [row("a", 10)])
    assert page(store, [row("a", 10)]) == PageResult()


def test_a_newer_row_clears_a_conflict_without_local_writes(store: Store) -> None:
    page(store, [row("a", 10)])
    store.mark_conflict("deals", "a", row("a", 11))
    page(store, [row("a", 12)])
    assert store.get_row("deals", "a") == CachedRow(id="a", org_id="org", updated_at=12, payload=row("a", 12))


def test_a_late_answer_of_an_older_version_does_not_take_the_cached_row_back(store: Store) -> None:
    """A send that outlived its lease answers after a later write of the record was taken:
    the server row it brings is older than the cached one, which stays."""
    store.set_server_row("deals", row("a", 20, v=2), org_id="org")
    store.set_server_row("deals", row("a", 10, v=1), org_id="org")
    assert store.get_row("deals", "a") == CachedRow(id="a", org_id="org", updated_at=20, payload=row("a", 20, v=2))
    store.set_server_row("deals", row("a", 30, v=3))
    assert store.get_row("deals", "a").payload["v"] == 3


def test_tombstones_delete(store: Store) -> None:
    page(store, [row("a", 10), row("b", 10)])
    result = page(store, [{"id": "a", "deleted": True}, {"id": "zz", "deleted": True}])
    assert result == PageResult(deleted=1)
    assert store.get_row("deals", "a") is None
    assert store.count_rows("deals") == 1


def test_open_local_write_makes_a_conflict_even_for_a_newer_row(store: Store) -> None:
    page(store, [row("a", 10, v=1)])
    store.put_local("deals", "org", "a", {"v": "local"}, 11)
    queue_write(store, "a")
    assert page(store, [row("a", 50, v=2), row("b", 5)]) == PageResult(inserted=1, conflicts=1, changed=[("b", True)])
    got = store.get_row("deals", "a")
    assert got is not None and got.payload == {"v": "local"} and got.updated_at == 11
    assert got.conflicted and got.server_payload == row("a", 50, v=2)


def test_the_base_version_of_an_open_write_is_not_a_conflict(store: Store) -> None:
    page(store, [row("a", 10, v=1)])
    store.put_local("deals", "org", "a", {"v": "local"}, 11)
    store.enqueue([NewQueueItem(org_id="org", entity="deals", op="update", entity_id="a", payload={}, base_updated_at=10)])
    assert page(store, [row("a", 10, v=1)]) == PageResult()  # a re-pull of the base: nothing moved
    got = store.get_row("deals", "a")
    assert got is not None and not got.conflicted and got.payload == {"v": "local"}
    assert page(store, [row("a", 12, v=2)]) == PageResult(conflicts=1)  # a colleague's change after our base
    assert store.get_row("deals", "a").server_payload == row("a", 12, v=2)


def test_tombstone_for_a_row_with_a_local_write_is_a_conflict(store: Store) -> None:
    page(store, [row("a", 10)])
    queue_write(store, "a")
    tombstone = {"id": "a", "deleted": True, "updated_at": 20}
    assert page(store, [tombstone]) == PageResult(conflicts=1)
    got = store.get_row("deals", "a")
    assert got is not None and got.conflicted and got.server_payload == tombstone


def test_local_write_without_a_cached_row_takes_the_server_row_as_both(store: Store) -> None:
    queue_write(store, "new")
    assert page(store, [row("new", 5)]) == PageResult(conflicts=1)
    got = store.get_row("deals", "new")
    assert got is not None and got.conflicted and got.payload == got.server_payload == row("new", 5)


def test_synced_writes_no_longer_make_conflicts(store: Store) -> None:
    page(store, [row("a", 10)])
    queue_write(store, "a")
    (lease,) = store.lease(1, 60_000)
    assert store.finish(lease.item.id, lease.claim, status="synced")
    assert page(store, [row("a", 20)]) == PageResult(updated=1, changed=[("a", False)])


def test_a_page_repeating_an_id_counts_its_last_change_once(store: Store) -> None:
    assert page(store, [row("a", 1), row("a", 3), row("a", 2)]) == PageResult(inserted=1, changed=[("a", True)])
    got = store.get_row("deals", "a")
    assert got is not None and got.updated_at == 2


def test_checkpoint_is_written_with_the_page_and_errors_keep_the_cursor(store: Store) -> None:
    store.set_sync_error("deals", "org", "first pull failed")  # a state row may start as an error
    page(store, [row("a", 1)], cursor="c1")
    state = store.get_sync_state("deals", "org")
    assert state is not None and (state.cursor, state.etag, state.last_modified, state.last_error) == (
        "c1",
        "e",
        "lm",
        None,
    )
    store.set_sync_error("deals", "org", "HTTP 503")
    state = store.get_sync_state("deals", "org")
    assert state is not None and (state.cursor, state.last_error) == ("c1", "HTTP 503")
    assert store.count_rows("deals", "org") == 1
    store.upsert_rows("deals", "org", [row("b", 1)])
    assert store.get_sync_state("deals", "org") == state
    assert [s.entity for s in store.list_sync_state()] == ["deals"]


def test_bad_input_is_refused_and_nothing_is_written(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown entity"):
        store.apply_page("widgets", "org", [], cursor=None, etag=None, last_modified=None)
    with pytest.raises(ValueError, match="no updated_at"):
        page(store, [row("a", 1), {"id": "b"}])
    with pytest.raises(ValueError, match="bad server row"):
        page(store, [{"id": 5, "updated_at": 1}])
    assert store.count_rows("deals") == 0 and store.get_sync_state("deals", "org") is None


def test_list_rows_pages_newest_first_and_filters(store: Store) -> None:
    rows = [row(f"r{i:02d}", i // 2, name=f"Name {i}") for i in range(25)]
    page(store, rows)
    store.upsert_rows("deals", "other", [row("x", 100, name="ÄRGER")])
    store.mark_conflict("deals", "r03", None)
    seen: list[str] = []
    cursor = None
    while True:
        chunk, cursor = store.list_rows("deals", org_id="org", limit=7, cursor=cursor)
        seen += [r.id for r in chunk]
        if cursor is None:
            break
    expected = sorted(rows, key=lambda r: (r["updated_at"], r["id"]), reverse=True)
    assert seen == [r["id"] for r in expected]
    assert [r.id for r in store.list_rows("deals", query="name 1")[0]] == [f"r{i}" for i in range(19, 9, -1)] + ["r01"]
    assert [r.id for r in store.list_rows("deals", query="ärger")[0]] == ["x"]
    assert [r.id for r in store.list_rows("deals", conflicted=True)[0]] == ["r03"]
    assert store.count_rows("deals") == 26 and store.count_rows("deals", "other") == 1
    with pytest.raises(ValueError, match="cursor"):
        store.list_rows("deals", cursor="garbage")


def test_local_writes_and_server_rows(store: Store) -> None:
    store.put_local("tasks", "org", "t1", {"title": "local"}, 5)
    store.mark_conflict("tasks", "t1", {"title": "server"})
    store.put_local("tasks", "org", "t1", {"title": "local 2"}, 6)
    got = store.get_row("tasks", "t1")
    assert got is not None and got.conflicted and got.payload == {"title": "local 2"}
    store.set_server_row("tasks", row("t1", 7, title="server"))
    assert store.get_row("tasks", "t1") == CachedRow(id="t1", org_id="org", updated_at=7, payload=row("t1", 7, title="server"))
    store.set_server_row("tasks", row("t2", 1, org_id="org2"))
    assert store.count_rows("tasks", "org2") == 1
    with pytest.raises(ValueError, match="no org_id"):
        store.set_server_row("tasks", row("t3", 1))
    store.set_server_row("tasks", {"id": "t2", "deleted": True})
    store.delete_local("tasks", "t1")
    assert store.count_rows("tasks") == 0


def test_meta(store: Store) -> None:
    assert store.get_meta("active_org") is None
    store.set_meta("active_org", "o1")
    store.set_meta("active_org", "o2")
    assert store.get_meta("active_org") == "o2"


# --- property: apply_page against a model of the rules ---------------------------

rows_st = st.lists(
    st.tuples(st.sampled_from("abcde"), st.integers(0, 6), st.booleans()), max_size=12
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pages=st.lists(rows_st, max_size=5), pending=st.sets(st.sampled_from("abcde"), max_size=2))
def test_apply_page_matches_the_model(tmp_path: Path, pages: list[list[tuple[str, int, bool]]], pending: set[str]) -> None:
    path = tmp_path / f"prop-{len(list(tmp_path.iterdir()))}.db"
    store = Store.open(path)
    try:
        for id_ in sorted(pending):
            queue_write(store, id_)
        model: dict[str, dict[str, Any]] = {}  # id -> {"ts", "payload", "conflicted", "server"}
        for number, rows in enumerate(pages):
            server = [({"id": i, "deleted": True, "updated_at": ts} if dead else row(i, ts, p=number)) for i, ts, dead in rows]
            expected = PageResult()
            for incoming in {r["id"]: r for r in server}.values():
                local = model.get(incoming["id"])
                if incoming.get("deleted"):
                    if local is not None and incoming["id"] in pending:
                        local.update(conflicted=True, server=incoming)
                        expected.conflicts += 1
                    elif local is not None:
                        del model[incoming["id"]]
                        expected.deleted += 1
                elif incoming["id"] in pending:
                    if local is None:
                        model[incoming["id"]] = {"ts": incoming["updated_at"], "payload": incoming, "conflicted": True, "server": incoming}
                    else:
                        local.update(conflicted=True, server=incoming)
                    expected.conflicts += 1
                elif local is None:
                    model[incoming["id"]] = {"ts": incoming["updated_at"], "payload": incoming, "conflicted": False, "server": None}
                    expected.inserted += 1
                    expected.changed.append((incoming["id"], True))
                elif incoming["updated_at"] > local["ts"]:
                    model[incoming["id"]] = {"ts": incoming["updated_at"], "payload": incoming, "conflicted": False, "server": None}
                    expected.updated += 1
                    expected.changed.append((incoming["id"], False))
                elif incoming["updated_at"] < local["ts"]:
                    local.update(conflicted=True, server=incoming)
                    expected.conflicts += 1
            assert page(store, server, cursor=str(number)) == expected
            for id_ in "abcde":
                got = store.get_row("deals", id_)
                want = model.get(id_)
                assert (got is None) == (want is None)
                if got is not None and want is not None:
                    assert (got.updated_at, got.payload, got.conflicted, got.server_payload) == (
                        want["ts"],
                        want["payload"],
                        want["conflicted"],
                        want["server"],
                    )
    finally:
        store.close()
