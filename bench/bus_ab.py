"""Two versions of the bus side by side: one node per code tree, rounds alternated with a direct pair.

Run: ``.venv/bin/python bench/bus_ab.py TREE_A,TREE_B [--rounds 15] [--n 2000] [--channel C]``,
where a tree is a folder holding a ``workbuoy`` package (e.g. ``git archive main workbuoy | tar -x -C /tmp/main``).
Per tree it prints the 2-hop p50 and its ratio to the direct pair's p50 of the same round
(median and range), the throughput, and the CPU time per request of the supervisor and the
channel's owner (every thread of each, libzmq's I/O thread included), beside the echo's.
On a shared machine a before/after in two runs compares two loads; here both run in turn.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bus import CHANNEL, broker_latencies, broker_rate, median_range, pct, ratios, start_node  # noqa: E402
from busdirect import EchoPair  # noqa: E402

from workbuoy.bus import runtime  # noqa: E402
from workbuoy.bus.client import Client  # noqa: E402
from workbuoy.schemas import envelope as env  # noqa: E402
from workbuoy.schemas.envelope import Kind  # noqa: E402
from workbuoy.schemas.registry import CHANNELS  # noqa: E402


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    """Start a node per tree, then alternate; over 50 lines as one run read top to bottom."""
    ap = argparse.ArgumentParser()
    ap.add_argument("trees")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--channel", default=CHANNEL)
    args = ap.parse_args()
    trees, channel, n = args.trees.split(","), args.channel, args.n
    owner = CHANNELS[channel].owner
    with tempfile.TemporaryDirectory(prefix="wbab") as tmp:
        pair = EchoPair(tmp, env.encode(Kind.REQ, CHANNEL, 1, {}))
        nodes, clients = [], []
        try:
            for i, tree in enumerate(trees):
                proc, _ = start_node(Path(tmp) / f"d{i}", {"PYTHONPATH": tree})
                nodes.append(proc)
                clients.append(Client(runtime.locate(Path(tmp) / f"d{i}"), timeout=30))
            pids = [[p.pid] + ([c.call("wb:sup:status").actors[owner].pid] if owner != "supervisor" else [])
                    for p, c in zip(nodes, clients)]
            for c in clients:
                broker_rate(c, 5000, channel)  # warm
            load = os.getloadavg()[0]
            direct, echo_cpu = [], 0.0
            p50s: list[list[float]] = [[] for _ in trees]
            cpu = [[0.0] * len(p) for p in pids]
            for r in range(args.rounds):
                before = cpu_seconds(pair.pid)
                direct.append(pct(pair.latencies(n), 50))
                echo_cpu += cpu_seconds(pair.pid) - before
                for i in (range(len(trees)) if r % 2 == 0 else reversed(range(len(trees)))):
                    before_each = [cpu_seconds(pid) for pid in pids[i]]
                    p50s[i].append(pct(broker_latencies(clients[i], n, channel), 50))
                    cpu[i] = [t + cpu_seconds(pid) - b for t, pid, b in zip(cpu[i], pids[i], before_each)]
            rates = [statistics.median(broker_rate(c, 20_000, channel) for _ in range(3)) for c in clients]
        finally:
            for c in clients:
                c.close()
            for p in nodes:
                p.terminate()
                p.wait(60)
            pair.close()
    per_request = args.rounds * n / 1e6
    print(f"{channel}, {args.rounds} rounds of {n}, load {load:.1f} -> {os.getloadavg()[0]:.1f}; direct p50 "
          f"{statistics.median(direct):.0f} us, echo CPU {echo_cpu / per_request:.1f} us/request")
    for tree, p50, c, rate in zip(trees, p50s, cpu, rates):
        where = " ".join(f"{name} {t / per_request:.1f}" for name, t in zip(("supervisor", owner), c))
        print(f"{tree}: p50 {statistics.median(p50):.0f} us, {median_range(ratios(p50, direct))} direct; "
              f"{rate:,.0f} msg/s; CPU us/request: {where}")


if __name__ == "__main__":
    main()
