"""Scale benchmark: a node against a large server, end to end, with every figure of issue 15.

Run: ``PYTHONPATH=. .venv/bin/python bench/scale.py --rows 1000000``.

One sandbox (``--rows`` rows over two orgs) serves, in this order: the single-process
baseline of ``bench/sync.py`` (fetch, decode, executemany, no indexes; run again after the
node's sync, the ratios against the mean of both); the node's initial sync, timed to the run's end (every row pulled, every search index built, the default sort's
index kept throughout) and to every sort index usable (built after the run), with the peak
memory (VmHWM) of every process and the bulk builds timed again alone;
an incremental sync after 1 % of the rows changed on the server (requests and seconds);
the read figures of ``bench/search.py`` through the bus; the cache compared with the server.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import apsw

sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.search import every_index_usable, read_figures, signed_in, sizes  # noqa: E402
from bench.sync import ORGS, baseline, list_requests, node_sync  # noqa: E402
from tests.fixtures.node import Node  # noqa: E402
from tests.fixtures.sandbox import SandboxProcess  # noqa: E402
from tests.fixtures.signed_in import assert_cache_equals_server  # noqa: E402
from workbuoy.sandbox.seed import PREFIX, Dataset  # noqa: E402
from workbuoy.schemas.base import ENTITIES  # noqa: E402
from workbuoy.store import build_indexes  # noqa: E402
from workbuoy.store.db import cache_path_for  # noqa: E402
from workbuoy.store.indexes import drop_statements  # noqa: E402

#: PowerSync's published figure (theirs, not measured here): initial sync on a desktop.
POWERSYNC_ROWS_S = 27_600


def peak_mib(pid: int) -> float:
    """The peak resident memory of a live process (``VmHWM``), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rebuild_seconds(path: Path) -> tuple[float, float]:
    """Seconds to build, alone, the search indexes and then the other sort indexes of the
    cache (dropped first, as a first sync suspends them: the default sort's stays)."""
    conn = apsw.Connection(str(cache_path_for(path)))
    conn.set_busy_timeout(60_000)
    for entity in ENTITIES:
        for statement in drop_statements("main", entity, keep_default_sort=True):
            conn.execute(statement)
    conn.close()
    started = time.perf_counter()
    build_indexes(path, search_only=True)
    search = time.perf_counter() - started
    build_indexes(path)
    return search, time.perf_counter() - started - search


def change_one_percent(sandbox: SandboxProcess, rows: int) -> int:
    """Server-side edits of 1 % of the rows, spread over every stream."""
    data = Dataset(rows, len(ORGS), seed=1)
    changed = 0
    with sandbox.admin as admin:
        for entity in ENTITIES:
            for org in ORGS:
                for i in range(0, data.count(entity, org), 100):
                    row_id = f"{PREFIX[entity]}-{org[4:]}-{i:07d}"
                    admin.put(f"/rows/{entity}/{row_id}", json={"note": "changed for bench/scale.py"}).raise_for_status()
                    changed += 1
    return changed


def incremental(node: Node, sandbox: SandboxProcess, rows: int) -> None:
    changed = change_one_percent(sandbox, rows)
    before, started = list_requests(sandbox), time.perf_counter()
    node_sync(node)
    elapsed = time.perf_counter() - started
    requests = sum(list_requests(sandbox).values()) - sum(before.values())
    print(f"incremental sync, {changed:,} rows changed on the server: {requests} requests, {elapsed:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    sandbox = SandboxProcess("--rows", str(args.rows), "--orgs", str(len(ORGS))).start()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "data").mkdir()
        base_rows, base_s = baseline(sandbox, folder / "before", args.page)
        with signed_in(sandbox, folder / "data", args.page) as node:
            started = time.perf_counter()
            rows, seconds, cached = node_sync(node)
            every_index_usable(node.data_dir / "workbuoy.db")
            every = time.perf_counter() - started
            _, again_s = baseline(sandbox, folder / "after", args.page)  # the node idle: the load drifts (sync.py)
            base_rate = base_rows / ((base_s + again_s) / 2)
            print(f"baseline (one process, no indexes), before and after the node's sync: {base_rows:,} rows in"
                  f" {base_s:.1f} s and {again_s:.1f} s = {base_rate:,.0f} rows/s (the mean)")
            print(f"node initial sync, rows pulled and searchable through their index (the run's end): {rows:,} rows"
                  f" in {seconds:.1f} s = {rows / seconds:,.0f} rows/s ({rows / seconds / base_rate:.2f}x the baseline;"
                  f" PowerSync publishes {POWERSYNC_ROWS_S:,} rows/s on a desktop: theirs, not measured here)")
            print(f"  ... to every row cached (a search may still scan): {cached:.1f} s = {rows / cached:,.0f} rows/s"
                  f" ({rows / cached / base_rate:.2f}x the baseline)")
            print(f"  ... to every sort index usable (built after the run): {every:.1f} s = {rows / every:,.0f} rows/s"
                  f" ({rows / every / base_rate:.2f}x the baseline)")
            print("peak memory (VmHWM) during the sync: " + ", ".join(
                f"{name} {peak_mib(pid):,.0f} MiB" for name, pid in sorted(node.actor_pids().items())
            ) + f", supervisor {peak_mib(node.proc.pid):,.0f} MiB")
            search_s, sorts_s = rebuild_seconds(node.data_dir / "workbuoy.db")
            print(f"the bulk builds timed again here, alone: search indexes {search_s:.1f} s, other sort indexes"
                  f" {sorts_s:.1f} s (the default sort's index is kept row by row during the sync)")
            sizes(node.data_dir / "workbuoy.db", rows)
            try:
                incremental(node, sandbox, args.rows)
            except Exception:
                print(node.output())
                raise
            read_figures(node, node.data_dir / "workbuoy.db", args.repeats)
            print(f"cache equals the server: {assert_cache_equals_server(node, sandbox, ORGS):,} rows compared")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
