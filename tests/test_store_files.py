"""Moving a damaged cache aside at start: only when the bytes are wrong, never when merely locked."""

from __future__ import annotations

import os
from pathlib import Path

import apsw

from workbuoy.store import Store
from workbuoy.store.db import cache_path_for
from workbuoy.store.files import check_file, recover_cache


def cached_store(tmp_path: Path) -> Path:
    path = tmp_path / "workbuoy.db"
    store = Store.open(path)
    rows = [{"id": f"d{i}", "updated_at": i, "text": "x" * 200} for i in range(5_000)]
    store.apply_page("deals", "o", rows, cursor="c", etag=None, last_modified=None)
    store.close()
    return path


def test_a_sound_cache_stays(tmp_path: Path) -> None:
    path = cached_store(tmp_path)
    assert check_file(cache_path_for(path)) is None and check_file(path, full=True) is None
    assert recover_cache(path) is None
    assert recover_cache(tmp_path / "nothing-here.db") is None  # no cache yet: nothing to do


def test_overwritten_bytes_move_the_cache_aside_and_a_new_one_starts_empty(tmp_path: Path) -> None:
    path = cached_store(tmp_path)
    cache = cache_path_for(path)
    with open(cache, "r+b") as f:
        f.seek(cache.stat().st_size // 2)
        f.write(os.urandom(8192))
    assert check_file(cache) is not None
    aside = recover_cache(path)
    assert aside is not None and aside.exists() and not cache.exists()
    store = Store.open(path)
    try:
        assert store.count_rows("deals") == 0 and store.get_sync_state("deals", "o") is None
    finally:
        store.close()


def test_a_locked_cache_is_not_taken_for_a_damaged_one(tmp_path: Path) -> None:
    path = cached_store(tmp_path)
    cache = cache_path_for(path)
    holder = apsw.Connection(str(cache))
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("DELETE FROM deals WHERE id = 'd1'")
    try:
        assert recover_cache(path) is None
        assert cache.exists()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
