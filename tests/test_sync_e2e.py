"""Pull sync through a real node against the sandbox process: equality, changes, 304s, reads."""

from __future__ import annotations

import msgspec
import pytest

from tests.fixtures.node import wait_for
from tests.fixtures.sandbox import sandbox, sandbox_factory  # noqa: F401
from tests.fixtures.signed_in import (
    FILE_KEYRING, ORGS, assert_cache_equals_server, cache_rows, login, set_page_size, signed_in_node, sync,
)
from workbuoy.bus.client import Subscriber
from workbuoy.schemas.sync import CrmChange
from workbuoy.store.db import Database
from workbuoy.store.indexes import cache_objects, missing

pytestmark = pytest.mark.timeout(240)


def route_counts(sandbox) -> dict[str, dict[str, int]]:
    return sandbox.admin.get("/stats").json()["routes"]


def list_requests(before: dict, after: dict) -> dict[str, int]:
    """Status -> count of ``GET /api/{entity}`` requests between two stats snapshots."""
    b, a = before.get("GET /api/{entity}", {}), after.get("GET /api/{entity}", {})
    return {status: n - b.get(status, 0) for status, n in a.items() if n != b.get(status, 0)}


def crm_events(sub: Subscriber) -> list[CrmChange]:
    decoder = msgspec.msgpack.Decoder(CrmChange)
    return [decoder.decode(e.payload) for _, e in sub.events(timeout=1.0)]


def test_full_then_incremental_sync_with_faults(sandbox_factory, node_factory):
    sandbox = sandbox_factory("--rows", "4200")
    node = signed_in_node(node_factory, sandbox)
    set_page_size(node, 100)
    sandbox.set_faults(fail_rate=0.1, reset_rate=0.05, rate_limit_rate=0.03)
    events = Subscriber(node.endpoints.events, ("wb:crm:changed",))
    try:
        status = sync(node)
        assert [s for s in status.entities if s.last_error] == []
        assert len(status.entities) == 14 and sum(s.rows for s in status.entities) == 4200
        assert assert_cache_equals_server(node, sandbox) == 4200
        first = crm_events(events)
        assert {(e.entity, e.org_id) for e in first} == {(e, o) for e in ("deals", "tickets", "meetings") for o in ORGS}
        assert all(e.summary and not e.ids and e.created == 300 for e in first)

        # Server-side changes between syncs: an update, a deletion, a new row.
        deal = next(iter(cache_rows(node, "deals", "org-1")))
        gone = next(iter(cache_rows(node, "tickets", "org-2")))
        sandbox.admin.put(f"/rows/deals/{deal}", json={"stage": "closed_won", "amount": 1}).raise_for_status()
        sandbox.admin.delete(f"/rows/tickets/{gone}").raise_for_status()
        sandbox.admin.put("/rows/meetings/mtg-new-1", json={"org_id": "org-1", "title": "New"}).raise_for_status()
        status = sync(node)
        assert [s for s in status.entities if s.last_error] == []
        assert assert_cache_equals_server(node, sandbox) == 4200
        assert cache_rows(node, "deals", "org-1")[deal]["amount"] == 1
        assert gone not in cache_rows(node, "tickets", "org-2")
        changed = {(e.entity, e.org_id): e for e in crm_events(events)}
        assert changed[("deals", "org-1")].ids == [deal] and changed[("deals", "org-1")].updated == 1
        assert changed[("meetings", "org-1")].ids == ["mtg-new-1"] and changed[("meetings", "org-1")].created == 1
        assert ("tickets", "org-2") not in changed  # a deletion is neither new nor updated
    finally:
        events.close()

    # Nothing changed since: exactly one conditional request per (entity, org), all 304.
    sandbox.set_faults(fail_rate=0, reset_rate=0, rate_limit_rate=0)
    before = route_counts(sandbox)
    status = sync(node)
    assert list_requests(before, route_counts(sandbox)) == {"304": 14}
    assert [s for s in status.entities if s.last_error] == []


def test_offline_reads_and_orgs_come_from_the_cache(sandbox, node_factory):
    node = signed_in_node(node_factory, sandbox)
    sync(node)
    sandbox.stop()  # offline from here on
    page = node.call("wb:offline:getList", {"table": "deals", "orgId": "org-1", "limit": 30})
    assert len(page.items) == 30 and all(r["org_id"] == "org-1" for r in page.items)
    rest = node.call("wb:offline:getList",
                     {"table": "deals", "orgId": "org-1", "limit": 500, "cursor": page.next_cursor})
    assert rest.next_cursor is None and len(page.items) + len(rest.items) == 100
    assert not {r["id"] for r in page.items} & {r["id"] for r in rest.items}
    name = page.items[0]["name"]
    found = node.call("wb:offline:getList", {"table": "deals", "query": name.upper(), "limit": 50})
    assert found.items and all(name in r["name"] for r in found.items)
    messages = node.call("wb:offline:getMessages", {"limit": 5})
    assert len(messages.items) == 5
    orgs = node.call("wb:org:list", {})
    assert [o.id for o in orgs.orgs] == list(ORGS) and orgs.orgs[0].roles == ["admin", "sales"]


def test_cli_sync_shows_progress_and_a_summary(sandbox, node_factory):
    node = signed_in_node(node_factory, sandbox)
    out = node.cli("sync", "--entity", "deals")
    assert out.returncode == 0, out.stderr
    assert "deals" in out.stdout and "200 rows cached, 0 stream(s) failed" in out.stdout
    assert "pages" in out.stderr  # the live progress line


def test_first_sync_starts_by_itself_after_sign_in(sandbox, node_factory):
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, WB_SYNC_INITIAL_DELAY_SEC="0.5", **FILE_KEYRING).start()
    with pytest.raises(AssertionError):  # signed out: the initial delay passes without a request
        wait_for(lambda: "GET /api/{entity}" in route_counts(sandbox), 2, interval=0.2)
    login(node)
    status = wait_for(lambda: (s := node.call("wb:sync:status")).entities and not s.running and s, 60,
                      what="the scheduled first sync")
    assert len(status.entities) == 14 and sum(s.rows for s in status.entities) == 1400
    # the run ends searchable: every search index moved into the cache, no scratch file left
    cache = Database(node.data_dir / "workbuoy.db")
    try:
        assert not {name for name, _ in cache_objects() if name.endswith("_search")} & missing(cache)
    finally:
        cache.close()
    assert not list(node.data_dir.glob("*-search-*"))
    found = node.call("wb:offline:getList", {"table": "deals", "orgId": ORGS[0], "query": "harbor", "withTotal": True})
    assert found.total and found.items


def test_a_shorter_interval_reschedules_the_next_sync_at_once(sandbox, node_factory):
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, WB_SYNC_INITIAL_DELAY_SEC="0", **FILE_KEYRING).start()
    login(node)
    wait_for(lambda: (s := node.call("wb:sync:status")).run_id == 1 and not s.running, 60, what="the first sync")
    node.call("wb:updateSettings", {"syncIntervalSec": 30})  # was 300: the next run moves up to 30 s after the first
    wait_for(lambda: node.call("wb:sync:status").run_id >= 2, 90, interval=0.5, what="the rescheduled sync")
