"""Store benchmark: batch upsert vs raw apsw, durable vs normal enqueue, lease throughput,
and the latency of a durable enqueue while another process runs a full sync, with the
cache in its own file (the layout in use) and in the outbox's file (the layout before).

Run: ``.venv/bin/python bench/store.py [--rows N] [--batch N]``. Each throughput figure is the
best of a few repeats on fresh files in a temporary folder (the machine's own disk).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import apsw
import msgspec

from workbuoy.actors.queue.writes import Write, commit
from workbuoy.store import NewQueueItem, Store
from workbuoy.store.db import cache_path_for
from workbuoy.store.migrate import CACHE_SCHEMA, _statements

_encode = msgspec.json.Encoder().encode

# The statement a hand-written sync loop would use: newer-wins upsert, nothing else.
RAW_UPSERT = """
INSERT INTO deals (id, org_id, updated_at, payload) VALUES (?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, payload = excluded.payload, updated_at = excluded.updated_at
WHERE excluded.updated_at > deals.updated_at
"""


def server_rows(n: int, version: int) -> list[dict]:
    """Deal rows shaped like the portal's (about 300 bytes of JSON each)."""
    return [
        {
            "id": f"deal-{i:07d}",
            "updated_at": 1_700_000_000_000 + version * 10_000_000 + i,
            "name": f"Deal {i} for customer {i % 977}",
            "stage": ("lead", "qualified", "proposal", "won", "lost")[i % 5],
            "amount": (i * 37) % 100_000,
            "currency": "EUR",
            "owner": f"user-{i % 50}@example.com",
            "customer_id": f"cust-{i % 977:05d}",
            "tags": ["q3", "renewal"] if i % 3 else ["new"],
            "notes": "Follow up after the demo; send the revised quote.",
        }
        for i in range(n)
    ]


def best_of(repeats: int, run: Callable[[Path], float]) -> float:
    """The fastest of ``repeats`` runs, each on a new file (seconds)."""
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            times.append(run(Path(folder) / "bench.db"))
    return min(times)


def store_upsert(pages: list[list[list[dict]]]) -> Callable[[Path], float]:
    def run(path: Path) -> float:
        store = Store.open(path)
        store.suspend_indexes(["deals"])  # as in a first sync: both sides without the sort and search indexes
        start = time.perf_counter()
        for batches in pages:
            for n, batch in enumerate(batches):
                store.apply_page("deals", "org-1", batch, cursor=str(n), etag=None, last_modified=None)
        elapsed = time.perf_counter() - start
        store.close()
        return elapsed

    return run


def raw_upsert(pages: list[list[list[dict]]]) -> Callable[[Path], float]:
    def run(path: Path) -> float:
        store = Store.open(path)  # the same schema and pragmas ...
        store.suspend_indexes(["deals"])  # ... and, as in a first sync, no sort and search indexes
        store.close()
        conn = apsw.Connection(str(cache_path_for(path)))
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        start = time.perf_counter()
        for batches in pages:
            for batch in batches:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    RAW_UPSERT, [(r["id"], "org-1", r["updated_at"], _encode(r).decode()) for r in batch]
                )
                conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        conn.close()
        return elapsed

    return run


def enqueue_commits(n: int, durable: bool) -> Callable[[Path], float]:
    def run(path: Path) -> float:
        store = Store.open(path)
        store.suspend_indexes(["deals"])  # as in a first sync: both sides without the sort and search indexes
        start = time.perf_counter()
        for i in range(n):
            item = NewQueueItem(org_id="org-1", entity="deals", op="update", entity_id=f"d{i}", payload={"n": i})
            store.enqueue([item], durable=durable)
        elapsed = time.perf_counter() - start
        store.close()
        return elapsed

    return run


def lease_cycle(n: int, batch: int, *, blocked: bool) -> Callable[[Path], float]:
    """Lease ``batch`` items and finish each, until ``n`` items synced.

    ``blocked`` puts a failed write at the head of every record's chain first, so the
    lease query has to walk past blocked items (10k of them) on every call.
    """

    def run(path: Path) -> float:
        store = Store.open(path)
        if blocked:
            heads = store.enqueue(
                [NewQueueItem(org_id="o", entity="tasks", op="update", entity_id=f"b{i}", payload={}) for i in range(n)],
                durable=False,
            )
            for lease in store.lease(n, 60_000):
                store.finish(lease.item.id, lease.claim, status="failed", last_error="bench")
            store.enqueue(
                [NewQueueItem(org_id="o", entity="tasks", op="update", entity_id=h.entity_id, payload={}) for h in heads],
                durable=False,
            )
        store.enqueue(
            [NewQueueItem(org_id="o", entity="deals", op="update", entity_id=f"d{i}", payload={}) for i in range(n)],
            durable=False,
        )
        start = time.perf_counter()
        done = 0
        while leases := store.lease(batch, 60_000):
            with store.transaction():
                for lease in leases:
                    store.finish(lease.item.id, lease.claim, status="synced")
            done += len(leases)
        elapsed = time.perf_counter() - start
        assert done == n, (done, n)
        store.close()
        return elapsed

    return run


def one_file(store: Store) -> None:
    """The layout before: cache tables in the main file. Unqualified names find ``main`` first,
    so the same code then reads and writes the cache there and the attached file stays empty."""
    with store.transaction():
        for statement in _statements(CACHE_SCHEMA.read_text().replace("cache.", "main.")):
            store._db.conn.execute(statement)


def full_sync(path: str, rows: int, batch: int, started, stop) -> None:
    """Another process pulling a full sync, page after page, until told to stop."""
    store = Store.open(Path(path))
    version = 0
    started.set()
    while not stop.is_set():
        version += 1
        page = server_rows(rows, version)
        for i in range(0, rows, batch):
            if stop.is_set():
                break
            store.apply_page("deals", "org-1", page[i : i + batch], cursor=str(i), etag=None, last_modified=None)
    store.close()


def enqueue_during_sync(layout: str, rows: int, batch: int, n: int) -> list[float]:
    """Latency (s) of ``n`` durable queue commits (outbox item + optimistic cache row) during a full sync."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        store = Store.open(path)
        if layout == "one file":
            one_file(store)
        ctx = multiprocessing.get_context("spawn")
        started, stop = ctx.Event(), ctx.Event()
        sync = ctx.Process(target=full_sync, args=(str(path), rows, batch, started, stop))
        sync.start()
        started.wait(60)
        out = []
        for i in range(n):
            begin = time.perf_counter()
            commit(store, "org-1", [Write("crm", {"name": f"local {i}"}, "tasks", "create", f"t-{i}")])
            out.append(time.perf_counter() - begin)
            time.sleep(0.002)  # a busy user, not a bulk import
        stop.set()
        sync.join(120)
        store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--queue", type=int, default=10_000)
    parser.add_argument("--during-sync", type=int, default=1_000, help="enqueues timed while a full sync runs")
    args = parser.parse_args()

    def paged(version: int) -> list[list[dict]]:
        rows = server_rows(args.rows, version)
        return [rows[i : i + args.batch] for i in range(0, len(rows), args.batch)]

    pages = [paged(0), paged(1)]  # insert every row, then update every row
    store_s = best_of(args.repeats, store_upsert(pages))
    raw_s = best_of(args.repeats, raw_upsert(pages))
    full_s = best_of(args.repeats, enqueue_commits(args.commits, durable=True))
    normal_s = best_of(args.repeats, enqueue_commits(args.commits, durable=False))
    lease_s = best_of(args.repeats, lease_cycle(args.queue, 100, blocked=False))
    blocked_s = best_of(args.repeats, lease_cycle(args.queue, 100, blocked=True))

    upserts = 2 * args.rows
    table = [
        ("upsert rows/s, Store.apply_page", upserts / store_s, f"{raw_s / store_s:.2f}x of raw"),
        ("upsert rows/s, raw apsw executemany", upserts / raw_s, f"batch {args.batch}"),
        ("enqueue commits/s, durable (FULL)", args.commits / full_s, f"{normal_s / full_s:.2f}x of NORMAL"),
        ("enqueue commits/s, NORMAL", args.commits / normal_s, ""),
        ("lease+finish items/s", args.queue / lease_s, "lease(100), 10k queued"),
        ("lease+finish items/s, 10k blocked", args.queue / blocked_s, "10k held-back items in front"),
    ]
    width = max(len(name) for name, _, _ in table)
    print(f"{'measure':<{width}}  {'value':>12}  note")
    print(f"{'-' * width}  {'-' * 12}  {'-' * 30}")
    for name, value, note in table:
        print(f"{name:<{width}}  {value:>12,.0f}  {note}")
    print(f"\nratio Store/raw = {raw_s / store_s:.2f} (target >= 0.80)")

    print(f"\ndurable enqueue + cache row while another process runs a full sync ({args.rows} rows, pages of {args.batch}):")
    for layout in ("one file", "two files"):
        lat = sorted(enqueue_during_sync(layout, args.rows, args.batch, args.during_sync))
        q = statistics.quantiles(lat, n=100)
        print(f"  {layout:<9}  p50 {q[49] * 1000:6.2f} ms  p99 {q[98] * 1000:6.2f} ms  max {lat[-1] * 1000:7.2f} ms")


if __name__ == "__main__":
    main()
