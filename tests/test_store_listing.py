"""Listing a cached table: every sort, filters, search, keyset paging, totals, marks (against a Python model)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbuoy.schemas.columns import SORTABLE
from workbuoy.store import NewQueueItem, Store
from workbuoy.store.listing import ListError, ListRequest

ORGS = ("o1", "o2")
# Values of mixed type and some missing: SQLite orders numbers before text, text by bytes.
values = st.one_of(st.none(), st.integers(-5, 5), st.text("aAbß é", max_size=3))
rows_st = st.lists(
    st.fixed_dictionaries({"name": values, "amount": values, "company": values, "org": st.sampled_from(ORGS),
                           "ts": st.integers(0, 4)}),
    max_size=14,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "wb.db")
    yield store
    store.close()


def server_row(index: int, spec: dict[str, Any]) -> dict[str, Any]:
    row = {"id": f"d{index:02d}", "updated_at": spec["ts"]}
    row.update({k: spec[k] for k in ("name", "amount", "company") if spec[k] is not None})
    return row


def expected_order(rows: list[dict[str, Any]], field: str, down: bool) -> list[str]:
    """The model: valued rows by (numbers first, value, id), then rows lacking the field by id."""
    valued = [r for r in rows if r.get(field) is not None]
    valued.sort(key=lambda r: (isinstance(r[field], str), r[field], r["id"]), reverse=down)
    missing = sorted((r for r in rows if r.get(field) is None), key=lambda r: r["id"], reverse=down)
    return [r["id"] for r in valued + missing]


def matches(row: dict[str, Any], query: str | None) -> bool:
    seen = [str(row[f]) for f in ("name", "company", "amount") if row.get(f) is not None]
    return not query or query.casefold() in "\n".join(seen).casefold()


def walk(store: Store, request: ListRequest, between: Any = None) -> list[str]:
    seen, cursor = [], None
    while True:
        page = store.list_page(ListRequest(**{**request.__dict__, "cursor": cursor}))
        seen += [r.id for r in page.rows]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor
        if between is not None:
            between()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=rows_st, field=st.sampled_from(SORTABLE["deals"][:4]), down=st.booleans(), limit=st.integers(1, 4),
       org=st.sampled_from((None, None, *ORGS)), query=st.one_of(st.none(), st.text("aAbß é1", min_size=1, max_size=4)))
def test_paging_any_sort_yields_every_row_once_in_order(
    tmp_path: Path, specs: list[dict[str, Any]], field: str, down: bool, limit: int, org: str | None, query: str | None
) -> None:
    store = Store.open(tmp_path / f"p{len(list(tmp_path.iterdir()))}.db")
    try:
        rows = {org_id: [] for org_id in ORGS}
        for index, spec in enumerate(specs):
            rows[spec["org"]].append(server_row(index, spec))
        for org_id, org_rows in rows.items():
            store.upsert_rows("deals", org_id, org_rows)
        visible = [r for o in ORGS if org in (None, o) for r in rows[o] if matches(r, query)]
        request = ListRequest("deals", org, limit, sort=field, descending=down, query=query, with_total=True)
        assert walk(store, request) == expected_order(visible, field, down)
        assert store.list_page(request).total == len(visible)
    finally:
        store.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=rows_st, edits=st.lists(st.tuples(st.integers(0, 13), values), min_size=1, max_size=6),
       field=st.sampled_from(("name", "amount", "updated_at")), down=st.booleans())
def test_rows_changed_between_pages_keep_the_keyset_promise(
    tmp_path: Path, specs: list[dict[str, Any]], edits: list[tuple[int, Any]], field: str, down: bool
) -> None:
    """Rows left alone come exactly once and in order; a changed row at most once per version it had."""
    store = Store.open(tmp_path / f"c{len(list(tmp_path.iterdir()))}.db")
    try:
        rows = [server_row(i, s) for i, s in enumerate(specs)]
        store.upsert_rows("deals", "o1", rows)
        pending = list(edits)
        changed: set[str] = set()

        def edit() -> None:
            if pending and rows:
                index, value = pending.pop()
                target = dict(rows[index % len(rows)], updated_at=100 + len(pending))
                target["name" if field == "updated_at" else field] = value
                store.upsert_rows("deals", "o1", [target])
                changed.add(target["id"])

        seen = walk(store, ListRequest("deals", "o1", 2, sort=field, descending=down), edit)
        untouched = [i for i in expected_order(rows, field, down) if i not in changed]
        assert [i for i in seen if i not in changed] == untouched
        assert all(seen.count(i) <= 2 for i in changed)
    finally:
        store.close()


def test_marks_totals_filters_and_refusals(store: Store) -> None:
    rows = [{"id": f"t{i}", "updated_at": i, "title": f"Call {i}", "due_at": i * 10**13} for i in range(6)]
    store.upsert_rows("tasks", "org", rows)
    store.mark_conflict("tasks", "t1", None)
    store.enqueue([NewQueueItem(org_id="org", entity="tasks", op="update", entity_id="t3", payload={})])
    (lease,) = store.lease(10, 60_000)
    assert store.finish(lease.item.id, lease.claim, status="failed", last_error="refused")
    store.enqueue([NewQueueItem(org_id="org", entity="tasks", op="update", entity_id=i, payload={}) for i in ("t2", "t1")])
    store.put_local("tasks", "org", "t2", {"title": "Call 2 (edited)", "due_at": 1}, 50)
    page = store.list_page(ListRequest("tasks", "org", 10, sort="due_at", with_total=True))
    assert [r.id for r in page.rows] == ["t0", "t2", "t1", "t3", "t4", "t5"]  # the local edit sorts by its data
    assert page.total == 6 and page.marks["t1"] == "conflict" and page.marks["t2"] == "pending"
    assert page.marks["t3"] == "failed" and set(page.marks) == {"t1", "t2", "t3"}
    upcoming = store.list_page(ListRequest("tasks", "org", 10, sort="due_at", upcoming=True, with_total=True))
    assert [r.id for r in upcoming.rows] == ["t1", "t3", "t4", "t5"] and upcoming.total == 4
    assert [r.id for r in store.list_page(ListRequest("tasks", conflicted=True)).rows] == ["t1"]
    with pytest.raises(ListError, match="sortable: updated_at, due_at, title"):
        store.list_page(ListRequest("tasks", sort="amount"))
    with pytest.raises(ListError, match="upcoming needs a time sort"):
        store.list_page(ListRequest("tasks", sort="title", upcoming=True))
    first = store.list_page(ListRequest("tasks", limit=2, sort="title"))
    with pytest.raises(ListError, match="another sort"):
        store.list_page(ListRequest("tasks", limit=2, sort="due_at", cursor=first.next_cursor))
    with pytest.raises(ListError, match="bad list cursor"):
        store.list_page(ListRequest("tasks", cursor="garbage"))
    for huge in (2**63, -(2**63) - 1, 2**64):  # a forged cursor: refused, not an OverflowError from the binding
        forged = base64.urlsafe_b64encode(json.dumps(["updated_at", True, huge, "t1"]).encode()).decode()
        with pytest.raises(ListError, match="bad list cursor"):
            store.list_page(ListRequest("tasks", cursor=forged, descending=True))
