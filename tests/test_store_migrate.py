"""Migrations: from empty, from every earlier version, the ADD COLUMN guard, racing openers."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from workbuoy.store import SchemaTooNewError, Store
from workbuoy.store.db import Database
from workbuoy.store.migrate import Migration, _statements, load, migrate, schema_version

MIGRATIONS = load()
LATEST = MIGRATIONS[-1].version
ENTITY_TABLES = ("messages", "customers", "calendar", "tasks", "deals", "tickets", "meetings")


def columns(db: Database, table: str) -> list[str]:
    return [row[1] for row in db.rows(f"PRAGMA table_info({table})")]


def assert_current(path: Path) -> None:
    db = Database(path)
    try:
        assert schema_version(db) == LATEST
        assert "server_payload" in columns(db, "sync_queue")
        for name in (*ENTITY_TABLES, "sync_state", "audit_queue", "meta"):
            assert columns(db, name), name
        assert db.one("PRAGMA journal_mode") == ("wal",)
        assert db.one("PRAGMA integrity_check") == ("ok",)
    finally:
        db.close()


def test_files_are_numbered_without_gaps() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, LATEST + 1))
    assert LATEST >= 2


def test_open_creates_folder_and_migrates_from_empty(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "wb.db"
    Store.open(path).close()
    assert_current(path)


@pytest.mark.parametrize("version", range(0, LATEST + 1))
def test_migrates_from_each_earlier_version(tmp_path: Path, version: int) -> None:
    path = tmp_path / "wb.db"
    db = Database(path)
    migrate(db, MIGRATIONS[:version])
    assert schema_version(db) == version
    db.close()
    store = Store.open(path)
    store.set_meta("k", "v")  # the store works on the migrated file
    store.close()
    assert_current(path)


def test_reopen_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "wb.db"
    for _ in range(3):
        Store.open(path).close()
    assert_current(path)


def test_add_column_is_skipped_when_the_column_exists(tmp_path: Path) -> None:
    """A file at version 1 that already has 002's column (a hotfix build added it)."""
    path = tmp_path / "wb.db"
    db = Database(path)
    migrate(db, MIGRATIONS[:1])
    with db.write() as conn:
        conn.execute("ALTER TABLE sync_queue ADD COLUMN server_payload TEXT")
    db.close()
    Store.open(path).close()
    assert_current(path)


def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    broken = [*MIGRATIONS, Migration(LATEST + 1, "broken", "CREATE TABLE extra (x);\nSELECT * FROM no_such_table;")]
    db = Database(tmp_path / "wb.db")
    migrate(db, MIGRATIONS)
    with pytest.raises(Exception, match="no_such_table"):
        migrate(db, broken)
    assert schema_version(db) == LATEST
    assert columns(db, "extra") == []
    db.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wb.db"
    Store.open(path).close()
    db = Database(path)
    db.conn.execute(f"PRAGMA user_version={LATEST + 1}")
    db.close()
    with pytest.raises(SchemaTooNewError):
        Store.open(path)


def test_statement_splitter_keeps_semicolons_in_strings_comments_and_triggers() -> None:
    sql = """
    -- a comment; with a semicolon
    CREATE TABLE a (x TEXT DEFAULT 'x;y');
    CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = 'z'; END;
    /* trailing; */
    """
    statements = list(_statements(sql))
    assert len(statements) == 2
    assert "'x;y'" in statements[0]
    assert statements[1].strip().endswith("END;")


def _open(path: str, start: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    start.wait(30)
    Store.open(path).close()


@pytest.mark.timeout(60)
def test_processes_opening_a_fresh_file_at_once(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    path = tmp_path / "wb.db"
    for _ in range(3):
        path.unlink(missing_ok=True)
        start = ctx.Event()
        procs = [ctx.Process(target=_open, args=(str(path), start)) for _ in range(4)]
        for proc in procs:
            proc.start()
        start.set()
        for proc in procs:
            proc.join(50)
        assert [proc.exitcode for proc in procs] == [0, 0, 0, 0]
        assert_current(path)


def test_an_existing_single_file_is_split_and_keeps_every_row(tmp_path: Path) -> None:
    """A user's file from before 003 (everything in workbuoy.db, no cache file): the cache and the
    checkpoints move to the cache file, the outbox, audit queue and meta stay, nothing is lost."""
    import apsw

    from workbuoy.store.db import cache_path_for

    path = tmp_path / "workbuoy.db"
    conn = apsw.Connection(str(path))  # what the build before 003 wrote
    for migration in MIGRATIONS[:2]:
        for statement in _statements(migration.sql):
            conn.execute(statement)
    conn.execute("PRAGMA user_version=2")
    conn.executemany("INSERT INTO deals (id, org_id, updated_at, payload, conflicted, server_payload) VALUES (?, 'o', ?, ?, ?, ?)",
                     [(f"d{i}", i, f'{{"id": "d{i}"}}', i % 2, '{"server": 1}' if i % 2 else None) for i in range(500)])
    conn.execute("INSERT INTO sync_state (entity, org_id, cursor, etag) VALUES ('deals', 'o', 'c-500', 'e')")
    conn.executemany("INSERT INTO sync_queue (op_id, org_id, qtype, entity, op, entity_id, payload, created_at, updated_at)"
                     " VALUES (?, 'o', 'crm', 'deals', 'update', ?, '{}', 1, 1)", [(f"op{i}", f"d{i}") for i in range(50)])
    conn.execute("INSERT INTO audit_queue (event, payload, earliest_at, created_at) VALUES ('e', '{}', 1, 1)")
    conn.execute("INSERT INTO meta (key, value) VALUES ('active_org', 'o')")
    conn.close()

    store = Store.open(path)
    try:
        rows, _ = store.list_rows("deals", limit=500)
        assert len(rows) == 500 and sum(r.conflicted for r in rows) == 250
        assert store.get_sync_state("deals", "o").cursor == "c-500"
        assert len(store.list_queue(limit=100)) == 50 and store.audit_depth() == 1
        assert store.get_meta("active_org") == "o"
    finally:
        store.close()
    main = apsw.Connection(str(path))
    cache = apsw.Connection(str(cache_path_for(path)))
    try:
        tables = {r[0] for r in main.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables.isdisjoint((*ENTITY_TABLES, "sync_state")) and {"sync_queue", "audit_queue", "meta"} <= tables
        assert main.execute("SELECT count(*) FROM sync_queue").fetchone() == (50,)
        assert cache.execute("SELECT count(*) FROM deals").fetchone() == (500,)
    finally:
        main.close()
        cache.close()
