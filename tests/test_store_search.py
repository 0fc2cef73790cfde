"""The search index: equal to a scan of every row, kept whole by every write path, a crash and an error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbuoy.store import Store, build_indexes
from workbuoy.store.indexes import drop_statements, missing
from workbuoy.store.listing import FEW_MATCHES, ListRequest
from workbuoy.store.searchtext import search_text



def agree(store: Store, entity: str = "deals") -> None:
    """The index holds exactly the table's rows, each found by its own text, and FTS5's own check passes."""
    conn = store._db.conn
    conn.execute(f"INSERT INTO {entity}_search ({entity}_search) VALUES ('integrity-check')")
    indexed = {row[0] for row in conn.execute(f"SELECT rowid FROM {entity}_search")}
    rows = dict(conn.execute(f"SELECT rowid, payload FROM {entity}"))
    assert indexed == set(rows)
    for rowid, payload in rows.items():
        text = search_text(entity, msgspec.json.decode(payload))
        if len(text) >= 3:
            phrase = '"' + text.replace('"', '""') + '"'
            hits = {r[0] for r in conn.execute(f"SELECT rowid FROM {entity}_search WHERE {entity}_search MATCH ?", (phrase,))}
            assert rowid in hits


def found(store: Store, query: str, entity: str = "deals") -> set[str]:
    page = store.list_page(ListRequest(entity, limit=500, query=query, with_total=True))
    assert page.total == len(page.rows)
    return {r.id for r in page.rows}


def scan(rows: dict[str, dict[str, Any]], query: str) -> set[str]:
    """The old search: a case-insensitive substring of each row's visible text."""
    needle = query.casefold()
    return {i for i, r in rows.items() if any(needle in str(r.get(f, "")).casefold() for f in ("name", "company", "owner"))}


words = st.text("abAB ßé-", min_size=0, max_size=8)
ops = st.lists(st.tuples(st.sampled_from(("page", "local", "server", "delete", "conflict")),
                         st.integers(0, 7), words), max_size=12)


def write(store: Store, model: dict[str, dict[str, Any]], ops: list[tuple[str, int, str]]) -> None:
    """Each write of ``ops`` through its cache write path, and into ``model`` (id -> the payload searched)."""
    for op, index, text in ops:
        version = store._db.one("SELECT coalesce(max(updated_at), 0) + 1 FROM deals")[0]
        id_ = f"d{index}"
        row = {"id": id_, "updated_at": version, "name": text, "company": text[::-1]}
        if op == "page":
            store.apply_page("deals", "o", [row], cursor=str(version), etag=None, last_modified=None)
            model[id_] = row
        elif op == "local":
            store.put_local("deals", "o", id_, {"owner": text}, version)
            model[id_] = {"owner": text}
        elif op == "server":
            store.set_server_row("deals", row, org_id="o")
            model[id_] = row
        elif op == "delete":
            store.delete_local("deals", id_)
            model.pop(id_, None)
        else:
            store.mark_conflict("deals", id_, row)  # the local payload stays: nothing to search changes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=ops, queries=st.lists(st.text("abAB ßé-", min_size=3, max_size=5), min_size=1, max_size=6))
def test_search_equals_a_scan_through_every_write_path(tmp_path: Path, ops: list[tuple[str, int, str]],
                                                       queries: list[str]) -> None:
    store = Store.open(tmp_path / f"s{len(list(tmp_path.iterdir()))}.db")
    try:
        model: dict[str, dict[str, Any]] = {}
        write(store, model, ops)
        agree(store)
        for query in queries:
            assert found(store, query) == scan(model, query), query
        store.wipe_cache()
        agree(store)
        assert found(store, "abc") == set()
    finally:
        store.close()


def test_an_error_mid_transaction_leaves_the_index_and_rows_agreeing(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "wb.db")
    store.upsert_rows("deals", "o", [{"id": "a", "updated_at": 1, "name": "Harbor"}])
    with pytest.raises(RuntimeError), store.transaction():
        store.upsert_rows("deals", "o", [{"id": f"n{i}", "updated_at": 2, "name": "Harbor"} for i in range(50)])
        store.put_local("deals", "o", "a", {"name": "Granite"}, 3)
        raise RuntimeError("mid-page")
    agree(store)
    assert found(store, "harbor") == {"a"} and found(store, "granite") == set()
    store.close()


def test_short_queries_and_a_suspended_index_test_every_row(tmp_path: Path) -> None:
    """Under three characters trigrams cannot answer; with the index suspended nothing can: both scan."""
    store = Store.open(tmp_path / "wb.db")
    assert store.suspend_indexes(["deals", "tasks"]) == ["deals", "tasks"]
    rows = [{"id": f"d{i}", "updated_at": i, "name": f"Straße {i}", "company": "Ab"} for i in range(30)]
    store.upsert_rows("deals", "o", rows)
    assert {"deals_search", "deals_by_name"} <= missing(store._db)
    assert found(store, "STRASSE 1") == {"d1", *(f"d{i}" for i in range(10, 20))}
    build_indexes(store.path)
    assert not missing(store._db)
    agree(store)
    assert found(store, "STRASSE 1") == {"d1", *(f"d{i}" for i in range(10, 20))}
    assert found(store, "aB") == {r["id"] for r in rows} and found(store, "ß") == {r["id"] for r in rows}
    assert store.suspend_indexes(["deals"]) == []  # a table with rows keeps its indexes
    store.close()


def test_a_first_sync_keeps_the_default_sort_and_builds_search_before_the_other_sorts(tmp_path: Path) -> None:
    """What the sync actor does: the newest-first index kept, the search index built first, the other sorts last."""
    store = Store.open(tmp_path / "wb.db")
    assert store.suspend_indexes(["deals", "tasks"]) == ["deals", "tasks"]
    assert "deals_by_updated_at" not in missing(store._db)
    store.upsert_rows("deals", "o", [{"id": f"d{i}", "updated_at": i, "name": f"Harbor {i}"} for i in range(30)])
    plan = store._db.rows("EXPLAIN QUERY PLAN SELECT id FROM deals WHERE org_id = 'o' ORDER BY updated_at DESC, id DESC")
    assert "deals_by_updated_at" in str(plan)
    build_indexes(store.path, ("deals",), search_only=True)
    assert {"deals_by_name", "tasks_search"} <= missing(store._db) and "deals_search" not in missing(store._db)
    agree(store)
    assert found(store, "harbor 2") == {"d2", *(f"d{i}" for i in range(20, 30))}
    build_indexes(store.path)
    assert not missing(store._db)
    store.close()


def test_many_matches_walk_the_sort_and_few_are_read_by_rowid(tmp_path: Path) -> None:
    """Past ``FEW_MATCHES`` a search takes the other plan: both page every match once, in order."""
    store = Store.open(tmp_path / "wb.db")
    rows = [{"id": f"d{i:05d}", "updated_at": i, "name": f"Harbor {i % 7}", "amount": i % 13} for i in range(FEW_MATCHES + 300)]
    store.upsert_rows("deals", "o", rows)
    for query, want in (("harbor", rows), ("harbor 3", [r for r in rows if r["name"] == "Harbor 3"])):
        assert (len(want) > FEW_MATCHES) == (query == "harbor")
        seen, cursor = [], None
        while True:
            page = store.list_page(ListRequest("deals", "o", 500, cursor, query, sort="amount", with_total=True))
            assert page.total == len(want)
            seen += [r.id for r in page.rows]
            if (cursor := page.next_cursor) is None:
                break
        assert seen == [r["id"] for r in sorted(want, key=lambda r: (r["amount"], r["id"]))]
    store.close()


def test_an_older_cache_gets_its_indexes_at_open_once(tmp_path: Path) -> None:
    """A cache from before these indexes (rows, the old org index, nothing else) is migrated in place."""
    store = Store.open(tmp_path / "wb.db")
    store.upsert_rows("deals", "o", [{"id": f"d{i}", "updated_at": i, "name": f"Polar {i}"} for i in range(40)])
    with store.transaction():
        for statement in drop_statements("cache", "deals"):
            store._db.conn.execute(statement)
        store._db.conn.execute("CREATE INDEX cache.deals_org_updated ON deals (org_id, updated_at)")
    store.close()
    for _ in range(2):  # the second open finds nothing to do
        store = Store.open(tmp_path / "wb.db")
        assert not missing(store._db) and store._db.one("SELECT 1 FROM cache.sqlite_master WHERE name = 'deals_org_updated'") is None
        agree(store)
        assert found(store, "POLAR 3") == {"d3", *(f"d{i}" for i in range(30, 40))}
        store.close()


def test_a_half_filled_index_of_the_version_before_is_built_again_at_open(tmp_path: Path) -> None:
    """That version filled an index in place, in chunks, and named it in ``search_fill`` until
    done; after a crash between two chunks, rows past the mark were not in it yet."""
    store = Store.open(tmp_path / "wb.db")
    store.upsert_rows("deals", "o", [{"id": f"d{i}", "updated_at": i, "name": f"Polar {i}"} for i in range(40)])
    with store.transaction():
        store._db.conn.execute("DELETE FROM deals_search WHERE rowid > 10")
        store._db.conn.execute("CREATE TABLE cache.search_fill (entity TEXT PRIMARY KEY, after INTEGER NOT NULL)")
        store._db.conn.execute("INSERT INTO cache.search_fill VALUES ('deals', 10)")
    store.close()
    store = Store.open(tmp_path / "wb.db")
    assert not missing(store._db) and store._db.one("SELECT 1 FROM cache.sqlite_master WHERE name = 'search_fill'") is None
    agree(store)
    assert found(store, "POLAR 3") == {"d3", *(f"d{i}" for i in range(30, 40))}
    store.close()


hostile = st.lists(st.sampled_from(['a', 'b', '"', '*', '^', ':', '(', ')', '-', ' ', 'NEAR', 'AND', 'ß', 'Σ', 'ς', 'ﬃ',
                                    '𝔘', '\x00', '\n', 'İ']), max_size=8).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.tuples(hostile, hostile), min_size=1, max_size=30),
       queries=st.lists(hostile.filter(lambda q: len(q) >= 3), min_size=1, max_size=8))
def test_a_query_of_fts_syntax_nul_or_line_breaks_finds_what_a_scan_field_by_field_finds(
        tmp_path: Path, names: list[tuple[str, str]], queries: list[str]) -> None:
    store = Store.open(tmp_path / f"s{len(list(tmp_path.iterdir()))}.db")
    try:
        model = {f"d{i}": {"id": f"d{i}", "updated_at": i + 1, "name": name, "company": company}
                 for i, (name, company) in enumerate(names)}
        store.apply_page("deals", "o", list(model.values()), cursor="1", etag=None, last_modified=None)
        for query in [*queries, '"' * 3, "NEAR(a b)", "a AND b", "x" * 5000]:
            assert found(store, query) == scan(model, query), repr(query)
    finally:
        store.close()
