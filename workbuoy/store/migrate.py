"""Schema migrations: ``migrations/NNN_name.sql``, applied in order when a store opens.

The schema version is ``PRAGMA user_version`` (the number of the last applied file).
Applying runs under ``BEGIN IMMEDIATE`` and reads the version again inside, so when two
processes open a fresh file at once one migrates and the other finds nothing left to do.
DDL is transactional in SQLite: a crash mid-migration leaves the previous version.

``ALTER TABLE t ADD COLUMN c`` has no ``IF NOT EXISTS``; the runner checks
``PRAGMA table_info(t)`` and skips the statement when ``c`` is already there (a column
added by a hotfix build, or a file restored from a copy with a stale ``user_version``).
Every other statement runs as written and should carry its own ``IF NOT EXISTS``.

The version counts the main file's schema. The cache file (attached as ``cache``) is
created from ``cache.sql`` whenever its tables are missing, so a cache moved aside is
recreated empty at the next open; migration 003 moved existing caches into it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import apsw

from workbuoy.store.db import CACHE, Database
from workbuoy.store.indexes import ensure_indexes

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
CACHE_SCHEMA = Path(__file__).with_name("cache.sql")

#: Opening builds a missing cache index only for tables up to this size (well under a second);
#: the sync actor builds the rest in its own thread (``indexes.py``).
INDEX_AT_OPEN_MAX_ROWS = 50_000

_FILE = re.compile(r"^(\d{3})_(\w+)\.sql$")
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_ADD_COLUMN = re.compile(r'^\s*ALTER\s+TABLE\s+"?(\w+)"?\s+ADD\s+(?:COLUMN\s+)?"?(\w+)"?', re.I)


class SchemaTooNewError(RuntimeError):
    """The file was migrated by a newer WorkBuoy; this build does not know its schema."""


class Migration(NamedTuple):
    version: int
    name: str
    sql: str


def load(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in version order; versions must run 1, 2, 3 ... without gaps."""
    found = sorted(
        Migration(int(m[1]), m[2], path.read_text(encoding="utf-8"))
        for path in directory.iterdir()
        if (m := _FILE.match(path.name))
    )
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migration {expected:03d} is missing or doubled in {directory}")
    return found


def schema_version(db: Database) -> int:
    row = db.one("PRAGMA user_version")
    return row[0] if row else 0


def migrate(db: Database, migrations: Sequence[Migration]) -> int:
    """Bring ``db`` up to the last of ``migrations`` (and the cache file to ``cache.sql``); returns the version."""
    create_cache(db)
    ensure_indexes(db, max_rows=INDEX_AT_OPEN_MAX_ROWS)
    target = migrations[-1].version if migrations else 0
    if schema_version(db) == target:
        return target
    with db.write() as conn:
        current = schema_version(db)
        if current > target:
            raise SchemaTooNewError(f"{db.path}: schema version {current}, this build knows up to {target}")
        for migration in migrations[current:]:
            for statement in _statements(migration.sql):
                if not _column_exists(conn, statement):
                    conn.execute(statement)
        conn.execute(f"PRAGMA user_version={target}")
    return target


def create_cache(db: Database) -> None:
    """Create the cache file's tables if missing (``cache.sql``); an emptied cache is simply pulled again."""
    if db.one(f"SELECT 1 FROM {CACHE}.sqlite_master WHERE name = 'sync_state'"):
        return
    with db.write() as conn:
        for statement in _statements(CACHE_SCHEMA.read_text(encoding="utf-8")):
            conn.execute(statement)


def _statements(sql: str) -> Iterator[str]:
    """Split a script into statements (``apsw.complete`` knows strings, comments, triggers)."""
    pending = ""
    for piece in sql.split(";"):
        pending += piece + ";"
        if apsw.complete(pending):
            if _COMMENT.sub("", pending).strip(" \t\r\n;"):
                yield pending
            pending = ""


def _column_exists(conn: apsw.Connection, statement: str) -> bool:
    """True for an ``ADD COLUMN`` whose column the table already has."""
    match = _ADD_COLUMN.match(_COMMENT.sub("", statement))
    if match is None:
        return False
    table, column = match.groups()
    columns = {row[1].lower() for row in conn.execute(f'PRAGMA table_info("{table}")')}
    return column.lower() in columns
