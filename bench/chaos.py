"""Chaos run: a node under faults, outages and kill -9 ends with every write applied exactly once.

Run: ``.venv/bin/python bench/chaos.py [--rows 150000] [--writes 1000] [--kills 100]`` from the
repository root. A real headless node syncs ``--rows`` rows (7 entities x 2 orgs) from the
sandbox with 5xx, 429, resets and garbage on and whole outages now and then (connections
accepted and dropped, refused, or cut in flight by a proxy); two writer processes queue ``--writes``
writes through the bus; the run sends ``kill -9`` to a random actor or to the supervisor
(then starts the node again) ``--kills`` times at random moments. Then the faults stop and
it prints what the node ended with (``tests/fixtures/chaos.py``, ``chaos_check.py``).
Exit status 1 when a write was lost or duplicated, or the cache is not the server's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

# The repository root instead of bench/: a bench/queue.py would shadow the standard ``queue``.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from tests.fixtures.chaos import ChaosRun, Plan  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=150_000, help="so that more kills fall into the initial sync")
    parser.add_argument("--writes", type=int, default=Plan.writes)
    parser.add_argument("--kills", type=int, default=Plan.kills)
    parser.add_argument("--rate", type=float, default=1.0, help="writes per second of each writer, so that they span the run")
    parser.add_argument("--seed", type=int, default=Plan.seed)
    parser.add_argument("--keep", action="store_true", help="keep the data folder and the writers' logs")
    args = parser.parse_args()
    plan = Plan(rows=args.rows, writes=args.writes, kills=args.kills, write_rate=args.rate, seed=args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="wb-chaos-"))
    figures = ChaosRun(plan, workdir).run()
    print(f"chaos run: {args.rows} rows, {args.writes} writes from 2 processes, {args.kills} kills, seed {args.seed}")
    print("\n".join(figures.lines()))
    for problem in figures.outcome.problems[:20]:
        print("  problem:", problem)
    print(f"machine          {os.cpu_count()} cpus, python {sys.version.split()[0]}")
    if args.keep:
        print(f"data folder and writer logs kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if figures.outcome.clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
