"""The store's files on disk: integrity checks, and moving a damaged cache aside.

The cache file only holds what the next sync pulls again, so a cache that fails its
check when the node starts is renamed (with its ``-wal`` and ``-shm``) rather than
repaired: the actors then create an empty one and the sync fills it. The main file
(outbox, audit queue, meta) is never moved; ``workbuoy doctor`` reports it instead.
"""

from __future__ import annotations

import time
from pathlib import Path

import apsw

from workbuoy.store.db import cache_path_for

SIDE_FILES = ("", "-wal", "-shm")
#: What SQLite answers when the bytes of a file are wrong (rather than busy or unreadable).
DAMAGED = (apsw.CorruptError, apsw.NotADBError)


def check_file(path: Path, *, full: bool = False) -> str | None:
    """``None`` if ``path`` is a sound SQLite file, else what is damaged in it.

    ``quick_check`` (the default) reads every page but skips the index-to-table
    cross-checks; ``full=True`` runs ``integrity_check``. An error that says nothing
    about the file's content (locked, unreadable) is raised, not reported as damage.
    """
    pragma = "integrity_check" if full else "quick_check"
    conn = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        rows = [row[0] for row in conn.execute(f"PRAGMA {pragma}(20)")]
    except DAMAGED as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()
    return None if rows == ["ok"] else "; ".join(rows)


def recover_cache(main_path: Path) -> Path | None:
    """Move the cache beside ``main_path`` aside if it fails ``quick_check``; returns its new name.

    Call it before any process opens the store (the supervisor does, at start): a
    process that has the old file open would go on writing to the renamed one.
    """
    cache = cache_path_for(main_path)
    try:
        if not cache.exists() or check_file(cache) is None:
            return None
    except apsw.Error:  # locked or unreadable, not damaged: the actors will say so if it lasts
        return None
    aside = cache.with_name(f"{cache.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
    for suffix in SIDE_FILES:
        part = cache.with_name(cache.name + suffix)
        if part.exists():
            part.rename(aside.with_name(aside.name + suffix))
    return aside
