"""The read pool: a read past its deadline is stopped and frees its worker; too many waiting are refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from workbuoy.store import Store
from workbuoy.store.readers import ReadBusy, ReadPool, ReadTimeout

pytestmark = pytest.mark.timeout(60)

#: Never ends on its own: only sqlite3_interrupt stops it.
ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


def endless(store: Store) -> object:
    return store._db.rows(ENDLESS)


def test_a_read_past_its_deadline_is_stopped_and_the_worker_serves_the_next(tmp_path: Path) -> None:
    path = tmp_path / "workbuoy.db"
    Store.open(path).close()
    pool = ReadPool(path, workers=1, timeout=0.5)

    async def scenario() -> int:
        with pytest.raises(ReadTimeout):
            await pool.run(endless)
        return await pool.run(lambda store: store.count_rows("deals"), timeout=30)  # the one worker is free again

    try:
        assert asyncio.run(scenario()) == 0
    finally:
        pool.close()


def test_reads_beyond_the_waiting_limit_are_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "workbuoy.db"
    Store.open(path).close()
    pool = ReadPool(path, workers=1, timeout=1.0, max_waiting=2)

    async def scenario() -> list[object]:
        return await asyncio.gather(*(pool.run(endless) for _ in range(3)), return_exceptions=True)

    try:
        outcomes = asyncio.run(scenario())
    finally:
        pool.close()
    assert [type(o) for o in outcomes] == [ReadTimeout, ReadTimeout, ReadBusy]
