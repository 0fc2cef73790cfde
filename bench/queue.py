"""Queue benchmark: flush throughput of a real node vs sequential sends, and enqueue latency.

Run: ``PYTHONPATH=. .venv/bin/python bench/queue.py [--writes N] [--latency-ms MS]``. One run does:

1. baseline: the same N creates sent one after another by one httpx client (keep-alive,
   one ``Idempotency-Key`` each) to a fresh sandbox;
2. a real headless node signed in to the sandbox; the sandbox stops (offline) and N
   ``wb:queue:create`` calls go through the bus, each timed (p50/p99 of the round trip,
   which includes the fsynced commit);
3. the sandbox comes back on the same port (fresh state) and the node flushes the N
   writes; throughput is N over the span between the first and the last finished item
   (the store's ``updated_at``), so the up-to-5 s reachability probe does not count;
4. the in-process cost of one durable commit (queue item and optimistic cache row).
"""

from __future__ import annotations

import os
import sys

# This file is named like the stdlib's ``queue``, which the fixtures import: take the
# script's own folder off the path before anything imports it, and put the repository's
# root there instead (the fixtures live in ``tests``, which is not installed).
if sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
    sys.path[0] = os.path.dirname(sys.path[0])

import argparse  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import httpx  # noqa: E402

from tests.fixtures.node import Node, wait_for  # noqa: E402
from tests.fixtures.sandbox import DEMO, SandboxProcess  # noqa: E402
from workbuoy.actors.queue import writes  # noqa: E402
from workbuoy.actors.queue.writes import Write  # noqa: E402
from workbuoy.store import Store  # noqa: E402


def body(i: int) -> dict:
    return {"name": f"Deal {i}", "stage": ("lead", "won")[i % 2], "amount": i * 37 % 100_000, "currency": "EUR"}


def baseline(sb: SandboxProcess, n: int) -> float:
    """ops/s of N creates sent sequentially by one keep-alive client."""
    with httpx.Client(base_url=f"{sb.origin}/api", cookies={"wb_session": sb.login_cookie()}, timeout=30) as c:
        start = time.perf_counter()
        for i in range(n):
            c.post("/deals", json={**body(i), "id": f"base-{i}", "org_id": "org-1"},
                   headers={"Idempotency-Key": uuid.uuid4().hex}).raise_for_status()
        return n / (time.perf_counter() - start)


def enqueue(node: Node, n: int) -> list[float]:
    """Latency (s) of each ``wb:queue:create`` round trip."""
    client = node.client()
    out = []
    for i in range(n):
        start = time.perf_counter()
        client.call("wb:queue:create", {"entity": "deals", "op": "create", "payload": body(i)})
        out.append(time.perf_counter() - start)
    return out


def commit_latency(n: int) -> tuple[float, float]:
    """p50/p99 (s) of one ``writes.commit`` (queue item + cache row, fsynced) in-process."""
    with tempfile.TemporaryDirectory() as d:
        store = Store.open(Path(d) / "wb.db")
        out = []
        for i in range(n):
            start = time.perf_counter()
            writes.commit(store, "org-1", [Write("crm", body(i), "deals", "create", f"c-{i}")])
            out.append(time.perf_counter() - start)
        store.close()
    q = statistics.quantiles(out, n=100)
    return q[49], q[98]


def flush_rate(store: Store, n: int) -> tuple[float, float]:
    """(ops/s over the first-to-last finish span, seconds from server back to all synced)."""
    start = time.perf_counter()
    wait_for(lambda: store.queue_depth()["synced"] == n, 600, interval=0.05, what="every write synced")
    wall = time.perf_counter() - start
    finished = [i.updated_at for i in store.list_queue("synced", limit=n)]
    span_s = max(1, max(finished) - min(finished)) / 1000
    return n / span_s, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=5000)
    parser.add_argument("--latency-ms", type=int, default=0, help="server-side delay per request (a WAN round trip)")
    args = parser.parse_args()
    n = args.writes
    sb = SandboxProcess("--latency-ms", str(args.latency_ms)).start()
    data = Path(tempfile.mkdtemp(prefix="wb-bench-queue-"))
    node = Node(data, {"WB_PORTAL_BASE_URL": f"{sb.origin}/portal", "WB_API_BASE_URL": f"{sb.origin}/api",
                       "WB_KEYRING_BACKEND": "file", "WB_KEYRING_KEY": "bench", "WB_LOG_LEVEL": "WARNING"})
    try:
        base = baseline(sb, n)
        node.start()
        node.call("wb:auth:login", {"email": DEMO[0], "password": DEMO[1]})
        sb.stop()
        lat = enqueue(node, n)
        store = Store.open(data / "workbuoy.db")
        sb.restart()
        rate, wall = flush_rate(store, n)
        store.close()
    finally:
        node.stop()
        sb.stop()
    q = statistics.quantiles(lat, n=100)
    c50, c99 = commit_latency(min(n, 2000))
    print(f"writes                      {n}, server latency {args.latency_ms} ms")
    print(f"baseline, sequential httpx  {base:8.0f} ops/s")
    print(f"queue flush, pipelined      {rate:8.0f} ops/s  ({rate / base:.2f}x baseline; {wall:.1f} s from server back to all synced)")
    print(f"enqueue through the bus     p50 {q[49] * 1000:.2f} ms  p99 {q[98] * 1000:.2f} ms  (durable commit included)")
    print(f"durable commit, in-process  p50 {c50 * 1000:.2f} ms  p99 {c99 * 1000:.2f} ms  (queue item + cache row, synchronous=FULL)")
    print(f"machine                     {os.cpu_count()} cpus, python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
