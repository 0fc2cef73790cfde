"""Pull sync through 50,000 rows: exactly once, across a restart, and with changes between pages."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import httpx
import pytest

from tests.fixtures.sandbox import SandboxProcess, sandbox_factory  # noqa: F401

ROWS_PER_STREAM = 50_000
ARGS = ("--rows", str(ROWS_PER_STREAM * 7 * 2), "--orgs", "2", "--seed", "11")
PARAMS = {"org_id": "org-1", "limit": 1000}


def pages(api: httpx.Client, entity: str, cursor: str | None = None):
    """Yield each page (and its cursor) until has_more is false."""
    while True:
        r = api.get(f"/{entity}", params={**PARAMS, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        page = r.json()
        cursor = page["next_cursor"]
        yield page["items"], cursor
        if not page["has_more"]:
            return


def server_rows(sb: SandboxProcess, entity: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in sb.admin.get(f"/rows/{entity}", params={"org_id": "org-1"}).json()["items"]}


def apply(cache: dict[str, dict[str, Any]], items: list[dict[str, Any]]) -> None:
    for row in items:
        if row.get("deleted"):
            cache.pop(row["id"], None)
        else:
            cache[row["id"]] = row


@pytest.fixture
def big(sandbox_factory) -> SandboxProcess:
    return sandbox_factory(*ARGS)


@pytest.mark.timeout(120)
def test_every_row_exactly_once_in_order(big: SandboxProcess) -> None:
    seen: list[tuple[int, str]] = []
    for items, _ in pages(big.api, "deals"):
        seen.extend((r["updated_at"], r["id"]) for r in items)
    assert len(seen) == ROWS_PER_STREAM == len(set(seen))
    assert seen == sorted(seen)
    assert {i for _, i in seen} == set(server_rows(big, "deals"))


@pytest.mark.timeout(120)
def test_restart_midway_keeps_the_cursor_valid(big: SandboxProcess) -> None:
    api, seen, cursor = big.api, Counter[str](), None
    for n, (items, cursor) in enumerate(pages(api, "tickets")):
        seen.update(r["id"] for r in items)
        if n == 19:
            break
    big.restart()
    for items, cursor in pages(big.api, "tickets", cursor):
        seen.update(r["id"] for r in items)
    assert len(seen) == ROWS_PER_STREAM and set(seen.values()) == {1}


@pytest.mark.timeout(120)
def test_changes_between_pages_show_up_later_at_their_last_version(big: SandboxProcess) -> None:
    api, admin, rng = big.api, big.admin, random.Random(5)
    cache: dict[str, dict[str, Any]] = {}
    seen = Counter[str]()
    changed: set[str] = set()
    cursor = None
    for n, (items, cursor) in enumerate(pages(api, "meetings")):
        apply(cache, items)
        seen.update(r["id"] for r in items)
        if n % 5 == 0 and n < 45:  # change rows already synced and rows still ahead, then delete some of each
            for i in rng.sample(range(ROWS_PER_STREAM), 20):
                row_id = f"mtg-1-{i:07d}"
                admin.put(f"/rows/meetings/{row_id}", json={"title": f"changed {n}"})
                changed.add(row_id)
            for i in rng.sample(range(ROWS_PER_STREAM), 5):
                admin.delete(f"/rows/meetings/mtg-1-{i:07d}")
                changed.add(f"mtg-1-{i:07d}")
    created = admin.put("/rows/meetings/mtg-new-1", json={"org_id": "org-1", "title": "new"}).json()

    server = server_rows(big, "meetings")
    assert created["id"] not in cache
    assert all(seen[i] == 1 for i in server if i not in changed and i != created["id"])  # untouched: exactly once
    # poll from the checkpoint: only what changed since, then an empty page
    tail = []
    for items, cursor in pages(api, "meetings", cursor):
        tail.append(items)
    assert [r["id"] for r in tail[0]] == [created["id"]]
    apply(cache, tail[0])
    assert cache == server  # every live row at its last version, deleted rows gone
    r = api.get("/meetings", params={**PARAMS, "cursor": cursor})
    assert r.json()["items"] == []
    assert api.get("/meetings", params={**PARAMS, "cursor": cursor}, headers={"If-None-Match": r.headers["etag"]}).status_code == 304


@pytest.mark.timeout(60)
def test_admin_dump_streams_50k_rows_fast(big: SandboxProcess) -> None:
    import time

    started = time.monotonic()
    rows = big.admin.get("/rows/customers", params={"org_id": "org-2"}).json()["items"]
    assert len(rows) == ROWS_PER_STREAM and time.monotonic() - started < 15
