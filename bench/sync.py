"""Sync benchmark: a real node's initial sync against a best-case loop, then a no-change sync.

Run: ``PYTHONPATH=. .venv/bin/python bench/sync.py [--rows 200000] [--page 1000]``.

One sandbox process serves both sides in the same run:

* **baseline**: one process, no actors, no bus: ``httpx`` GETs every page of every
  (entity, org) stream, ``msgspec`` decodes it and ``apsw`` ``executemany`` upserts it
  into the same schema (one transaction per page). Nothing validated, no checkpoint, no
  events, no index: the least work that still moves the rows from the server into SQLite.
  Run before and after the node, the ratios against the mean of both: the load of this
  shared machine drifts during a run (the same code measured 0.73x and 1.00x against a
  baseline run before it only);
* **node**: ``workbuoy node`` signed in, ``wb:sync:start``, until ``wb:sync:status`` says
  the run ended (every page validated and committed with its checkpoint, progress events);
* **incremental**: the node syncs again with nothing changed; the sandbox counts the
  requests and their statuses.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

import apsw
import httpx
import msgspec

# The repository root instead of bench/: a bench/queue.py would shadow the standard ``queue``.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from tests.fixtures.node import Node, wait_for  # noqa: E402
from tests.fixtures.sandbox import SandboxProcess  # noqa: E402
from tests.fixtures.signed_in import FILE_KEYRING, login, set_page_size  # noqa: E402
from workbuoy.schemas.base import ENTITIES  # noqa: E402
from workbuoy.store import Store  # noqa: E402
from workbuoy.store.db import cache_path_for  # noqa: E402

ORGS = ("org-1", "org-2")
UPSERT = """
INSERT INTO {table} (id, org_id, updated_at, payload) VALUES (?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at
WHERE excluded.updated_at > {table}.updated_at
"""


class Page(msgspec.Struct):
    items: list[dict[str, Any]]
    next_cursor: str
    has_more: bool


def baseline(sandbox: SandboxProcess, folder: Path, page_size: int) -> tuple[int, float]:
    """Rows and seconds of the best-case loop: fetch, decode, executemany."""
    folder.mkdir(exist_ok=True)
    store = Store.open(folder / "baseline.db")  # the same tables, migrated ...
    store.suspend_indexes(list(ENTITIES))  # ... without the sort and search indexes
    store.close()
    conn = apsw.Connection(str(cache_path_for(folder / "baseline.db")))  # the entity tables' file
    conn.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
    decoder, encode = msgspec.json.Decoder(Page), msgspec.json.Encoder().encode
    rows = 0
    started = time.perf_counter()
    with httpx.Client(base_url=sandbox.origin + "/api", headers={"Cookie": f"wb_session={sandbox.login_cookie()}"},
                      timeout=60) as client:
        for entity in ENTITIES:
            sql = UPSERT.format(table=entity)
            for org in ORGS:
                params: dict[str, Any] = {"org_id": org, "limit": page_size}
                while True:
                    page = decoder.decode(client.get(f"/{entity}", params=params).content)
                    with conn:
                        conn.executemany(sql, [(r["id"], org, r["updated_at"], encode(r)) for r in page.items])
                    rows += len(page.items)
                    if not page.has_more:
                        break
                    params["cursor"] = page.next_cursor
    elapsed = time.perf_counter() - started
    conn.close()
    return rows, elapsed


class Synced(NamedTuple):
    rows: int
    seconds: float  #: to the run's end: every row pulled and searchable through its index
    cached: float  #: to the first look at ``wb:sync:status`` that counted every row (a search may still scan)


def node_sync(node: Node) -> Synced:
    """A sync run through the bus, looked at every 0.5 s (each look counts the rows)."""
    run_id = node.call("wb:sync:start", {}).run_id
    started, looks = time.perf_counter(), []

    def ended() -> Any:
        status = node.call("wb:sync:status")
        looks.append((time.perf_counter() - started, sum(s.rows for s in status.entities)))
        return status if status.run_id >= run_id and not status.running else None

    status = wait_for(ended, 1800, interval=0.5, what=f"sync run {run_id} to end")
    failed = [s for s in status.entities if s.last_error]
    if failed:
        raise SystemExit(f"the node's sync failed: {failed}")
    rows = looks[-1][1]
    return Synced(rows, looks[-1][0], next(seconds for seconds, counted in looks if counted == rows))


def list_requests(sandbox: SandboxProcess) -> dict[str, int]:
    return sandbox.admin.get("/stats").json()["routes"].get("GET /api/{entity}", {})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=3, help="WB_SYNC_CONCURRENCY of the node")
    args = parser.parse_args()
    sandbox = SandboxProcess("--rows", str(args.rows), "--orgs", str(len(ORGS))).start()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "data").mkdir()
        node = Node(folder / "data", {"WB_PORTAL_BASE_URL": sandbox.origin, "WB_SYNC_CONCURRENCY": str(args.concurrency),
                                          **FILE_KEYRING})
        try:
            base_rows, base_s = baseline(sandbox, folder / "before", args.page)
            node.start()
            login(node)
            set_page_size(node, args.page)
            synced = node_sync(node)
            before = list_requests(sandbox)
            node_sync(node)
            after = list_requests(sandbox)
            node.stop()
            _, again_s = baseline(sandbox, folder / "after", args.page)
        finally:
            node.stop()
            sandbox.stop()
    delta = {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
    base_rate, node_rate = base_rows / ((base_s + again_s) / 2), synced.rows / synced.seconds
    print(f"baseline (httpx + msgspec + apsw, one process), before and after the node: {base_rows} rows in"
          f" {base_s:.2f} s and {again_s:.2f} s = {base_rate:,.0f} rows/s (the mean: the machine's load drifts)")
    print(f"node initial sync ({args.concurrency} streams at once), to the run's end (pulled, searchable through the index):"
          f" {synced.rows} rows in {synced.seconds:.2f} s = {node_rate:,.0f} rows/s")
    print(f"  ... to every row cached (a search may still scan): {synced.cached:.2f} s ="
          f" {synced.rows / synced.cached:,.0f} rows/s ({synced.rows / synced.cached / base_rate:.2f}x the baseline)")
    print(f"ratio node / baseline: {node_rate / base_rate:.2f}x")
    print(f"incremental sync, no change: {sum(delta.values())} requests, {delta.get('304', 0)} answered 304 ({delta})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
