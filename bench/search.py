"""Search and paging benchmark: a real node's offline reads over a large cache, the old full scan beside them.

Run: ``PYTHONPATH=. .venv/bin/python bench/search.py [--rows 1000000] [--sample 100000]``.

* **upkeep**: ``--sample`` seed rows applied in pages of 1000 through ``Store.apply_page``
  on fresh files three ways: no indexes (the floor), indexes kept row by row, and as a first
  sync does: the default sort's index kept, the others suspended and built in bulk after
  (timed to the search indexes built, then to every index); the loss is against the floor;
* **node**: a sandbox with ``--rows`` rows in one org, a node signed in, one initial sync;
  then through the bus: searches (first page, ``--repeats`` times each), the same searches
  with ``withTotal``, pages at every depth of every deals sort, table totals; sizes of the
  cache, its tables and indexes;
* **baseline**: the same searches with the deals search index dropped, so ``getList`` tests
  every row as before this index (the old full scan), then the index is built again.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import apsw

sys.path[0] = str(Path(__file__).resolve().parents[1])

from tests.fixtures.node import Node, wait_for  # noqa: E402
from tests.fixtures.sandbox import SandboxProcess  # noqa: E402
from bench.sync import node_sync  # noqa: E402
from tests.fixtures.signed_in import FILE_KEYRING, login, set_page_size  # noqa: E402
from workbuoy.sandbox.seed import Dataset  # noqa: E402
from workbuoy.schemas.base import ENTITIES  # noqa: E402
from workbuoy.schemas.columns import SORTABLE  # noqa: E402
from workbuoy.store import Store, build_indexes  # noqa: E402
from workbuoy.store.db import Database, cache_path_for  # noqa: E402
from workbuoy.store.indexes import drop_statements, missing  # noqa: E402

ORG = "org-1"
#: What a person types: companies, people, cities, stages, products, mail domains, and misses.
QUERIES = (
    "harbor", "Polar Freight", "juniper", "kestrel aviation", "ada", "grace.hansen", "rossi", "example.org",
    "oslo", "closed_won", "negotiation", "crm suite", "api access", "premium", "12500", "nakamura",
    "zzqx", "no such deal", "Meridian Health — Support", "elena.sch",
)
PAGE_DEPTH = 40


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def timed(fn: Callable[[], Any], times: int) -> tuple[list[float], Any]:
    """Milliseconds of each of ``times`` calls, and the last result."""
    ms, result = [], None
    for _ in range(times):
        started = time.perf_counter()
        result = fn()
        ms.append((time.perf_counter() - started) * 1000)
    return ms, result


def fill(path: Path, rows: int, mode: str) -> dict[str, float]:
    """Rows/s of applying ``rows`` seed rows in pages of 1000: with ``none``, ``live`` or
    ``deferred`` indexes (as a first sync: the default sort kept, the search indexes built
    after the rows, then the other sorts); for ``deferred``, up to each of those two ends."""
    data = Dataset(rows, 1, seed=7)
    store = Store.open(path)
    if mode == "none":
        store._db.conn.execute(";".join(s for e in ENTITIES for s in drop_statements("cache", e)))
    elif mode == "deferred":
        store.suspend_indexes(list(ENTITIES))
    started = time.perf_counter()
    for entity in ENTITIES:
        count = data.count(entity, ORG)
        for first in range(0, count, 1000):
            page = [data.row(entity, ORG, i) for i in range(first, min(count, first + 1000))]
            store.apply_page(entity, ORG, page, cursor=str(first), etag=None, last_modified=None)
    store.close()
    if mode != "deferred":
        return {mode: rows / (time.perf_counter() - started)}
    build_indexes(path, search_only=True)
    searchable = time.perf_counter() - started
    build_indexes(path)
    return {"deferred, searchable": rows / searchable, "deferred, every index": rows / (time.perf_counter() - started)}


def upkeep(sample: int) -> None:
    rates: dict[str, float] = {}
    for mode in ("none", "live", "deferred"):
        with tempfile.TemporaryDirectory() as tmp:
            rates.update(fill(Path(tmp) / "wb.db", sample, mode))
    print(f"index upkeep, {sample:,} rows through Store.apply_page (pages of 1000):")
    for mode, rate in rates.items():
        print(f"  {mode:22} {rate:9,.0f} rows/s  ({rate / rates['none'] - 1:+.0%} vs no indexes)")


def sizes(path: Path, rows: int) -> None:
    """Bytes of the cache file and of its parts (SQLite's dbstat)."""
    conn = apsw.Connection(str(cache_path_for(path)), flags=apsw.SQLITE_OPEN_READONLY)
    parts = dict(conn.execute(
        "SELECT CASE WHEN name LIKE '%\\_search%' ESCAPE '\\' THEN 'search index (FTS5 trigram)'"
        " WHEN name LIKE '%\\_by\\_%' ESCAPE '\\' THEN 'sort indexes' ELSE 'rows (tables, primary keys)' END,"
        " sum(pgsize) FROM dbstat GROUP BY 1"
    ))
    conn.close()
    total = cache_path_for(path).stat().st_size
    print(f"cache file: {total / 2**20:,.0f} MiB, {total / rows:,.0f} bytes/row")
    for part, size in sorted(parts.items()):
        print(f"  {part:30} {size / 2**20:8,.0f} MiB  {size / rows:6,.0f} bytes/row")


def every_index_usable(path: Path) -> None:
    """Wait until the sort indexes a first sync builds after its run are all there."""
    db = Database(path)
    try:
        wait_for(lambda: not missing(db), 1800, interval=0.5, what="every cache index")
    finally:
        db.close()


def report(label: str, ms: list[float], target: str = "") -> None:
    print(f"  {label:44} p50 {pct(ms, 0.5):8.2f} ms  p99 {pct(ms, 0.99):8.2f} ms  {target}")


def searches(node: Node, repeats: int, with_total: bool = False, table: str = "deals") -> list[float]:
    ms: list[float] = []
    for query in QUERIES:
        request = {"table": table, "orgId": ORG, "limit": 50, "query": query, "withTotal": with_total}
        ms += timed(lambda: node.call("wb:offline:getList", request), repeats)[0]
    return ms


def pages(node: Node) -> tuple[list[float], list[float]]:
    """Latency of every page down to ``PAGE_DEPTH`` of every deals sort, both directions; and of the deep ones."""
    every, deep = [], []
    for sort in SORTABLE["deals"]:
        for descending in (False, True):
            request: dict[str, Any] = {"table": "deals", "orgId": ORG, "limit": 50, "sort": sort,
                                       "descending": descending}
            for depth in range(PAGE_DEPTH):
                (ms,), reply = timed(lambda: node.call("wb:offline:getList", request), 1)
                every.append(ms)
                if depth >= PAGE_DEPTH - 10:
                    deep.append(ms)
                request["cursor"] = reply.next_cursor
    return every, deep


def drop_search_index(path: Path, entity: str) -> None:
    """The old full scan: without its search index ``getList`` tests every row's text."""
    conn = apsw.Connection(str(cache_path_for(path)))
    conn.set_busy_timeout(60_000)
    for statement in drop_statements("main", entity):
        if "_search" in statement:
            conn.execute(statement)
    conn.close()


def read_figures(node: Node, path: Path, repeats: int) -> None:
    """Every read figure of the issue through the bus, with the scan baseline (used by ``bench/scale.py`` too)."""
    print("through the bus (wb:offline:getList, 50 rows, one org):")
    first = {"table": "deals", "orgId": ORG, "limit": 50}
    report("first page, newest first", timed(lambda: node.call("wb:offline:getList", first), 50)[0])
    report("first page, no org", timed(lambda: node.call("wb:offline:getList", {"table": "deals"}), 50)[0])
    indexed = searches(node, repeats)
    report(f"search deals ({len(QUERIES)} queries)", indexed, "target p50 <= 20, p99 <= 100")
    report("search messages (bodies)", searches(node, repeats, table="messages"))
    report("search deals with total", searches(node, max(1, repeats // 2), with_total=True), "target p50 <= 50")
    total = {**first, "withTotal": True}
    report("table total (deals, one org)", timed(lambda: node.call("wb:offline:getList", total), 20)[0],
           "target p50 <= 50")
    every, deep = pages(node)
    report(f"pages 1-{PAGE_DEPTH} of all {len(SORTABLE['deals'])} sorts x 2 directions", every, "target p50 <= 5")
    report(f"pages {PAGE_DEPTH - 9}-{PAGE_DEPTH} (the deep ones)", deep, "target p50 <= 5")
    drop_search_index(path, "deals")
    scanned = searches(node, 1)
    report("baseline: the same searches, full scan", scanned)
    print(f"  index over scan: p50 {pct(scanned, 0.5) / pct(indexed, 0.5):,.1f}x faster,"
          f" p99 {pct(scanned, 0.99) / pct(indexed, 0.99):,.1f}x, mean {statistics.mean(scanned) / statistics.mean(indexed):,.1f}x"
          " (a scan that matches often fills its page early; one that rarely matches reads the whole table)")
    build_indexes(path)


@contextmanager
def signed_in(sandbox: SandboxProcess, folder: Path, page: int) -> Iterator[Node]:
    """A node signed in to ``sandbox`` with its data in ``folder``; both stopped at the end."""
    node = Node(folder, {"WB_PORTAL_BASE_URL": sandbox.origin, **FILE_KEYRING})
    try:
        node.start()
        login(node)
        set_page_size(node, page)
        yield node
    finally:
        node.stop()
        sandbox.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=100_000, help="rows of the upkeep comparison")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    upkeep(args.sample)
    sandbox = SandboxProcess("--rows", str(args.rows), "--orgs", "1").start()
    with tempfile.TemporaryDirectory() as tmp, signed_in(sandbox, Path(tmp), 1000) as node:
        rows, elapsed, _ = node_sync(node)
        print(f"node initial sync (to the run's end: pulled and searchable): {rows:,} rows in {elapsed:.1f} s"
              f" = {rows / elapsed:,.0f} rows/s")
        every_index_usable(node.data_dir / "workbuoy.db")  # the sizes and reads with every sort index
        sizes(node.data_dir / "workbuoy.db", rows)
        read_figures(node, node.data_dir / "workbuoy.db", args.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
