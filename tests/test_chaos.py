"""The chaos run, CI-sized: faults, outages and kill -9 while syncing and writing, then every
write applied exactly once and the cache equal to the server (``tests/fixtures/chaos.py``).

``bench/chaos.py`` is the full run (100 kills, 1,000 writes) and prints its figures.
"""

from __future__ import annotations

import pytest

from tests.fixtures.chaos import SUPERVISOR, ChaosRun, Plan


@pytest.mark.timeout(900)
def test_chaos_run_loses_and_duplicates_nothing(tmp_path) -> None:
    figures = ChaosRun(Plan(rows=50_000, writes=400, kills=15, seed=7), tmp_path).run()
    print("\n".join(figures.lines()))
    o = figures.outcome
    assert sum(figures.kills.values()) >= 15 and figures.kills[SUPERVISOR] >= 1, figures.kills
    assert o.rows >= 50_000 and o.writes >= 400
    assert o.duplicates == 0, o.problems
    assert o.lost == 0, o.problems
    assert o.failed_unexpectedly == 0 and o.out_of_order == 0, o.problems
    assert o.in_flight == 0, o.problems
    assert o.cache_equal, o.cache_diffs
    assert o.integrity_ok, o.integrity
