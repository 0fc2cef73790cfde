"""The cache's secondary indexes: one per sort a view offers, and the search index.

Sort: ``(org_id, <sort key>, id)`` per ``SORTABLE`` field, so a page of any sort in one
org is one ordered index range and a deep page costs what the first does (``listing.py``).

Search: an FTS5 table with the ``trigram`` tokenizer over each row's search text
(``wb_search_text(entity, payload)``: the casefolded ``SEARCHABLE`` fields). It is
contentless (``content=''``, ``contentless_delete=1``): it holds the index only, never a
second copy of the text. Triggers on the entity table keep it, so every cache write path
(a pulled page, a local write, a server row, a delete, the wipe) updates it in the
write's own transaction and a crash can never leave the two apart. The triggers call
``wb_search_text``, which every ``Database`` connection registers: the cache file is
written by WorkBuoy only; any SQLite (the shell, ``quick_check``) can still read and
check it. (An external-content table was tried first: its text column, a generated
column calling ``wb_search_text``, made ``PRAGMA quick_check`` fail on any other
connection, and with it the check that moves a damaged cache aside.) FTS rows are keyed
by the table's rowid, which ``VACUUM`` may renumber: never vacuum the cache file (it is
rebuildable: move it aside instead).

``ensure_indexes`` runs at every open: it creates what is missing (an older cache, or a
field added to ``SORTABLE``), builds a missing search index beside the cache and moves it
in (``searchbuild.py``), and drops the index the sorts replaced. It does nothing when all
is there.
"""

from __future__ import annotations

from collections.abc import Iterator

from workbuoy.schemas.base import ENTITIES
from workbuoy.schemas.columns import SORTABLE
from workbuoy.store.db import CACHE, Database
from workbuoy.store.listing import search_table, sort_key_sql, table
from workbuoy.store.searchbuild import build_search, remove_stale_scratch, search_objects, stop_log

#: Indexes of earlier versions that the sort indexes replace.
_REPLACED = tuple(f"{entity}_org_updated" for entity in ENTITIES)
_SEARCH_TABLES = frozenset(search_table(entity) for entity in ENTITIES)


def _sort_indexes(schema: str, entity: str) -> Iterator[tuple[str, str]]:
    for field in SORTABLE[entity]:
        name = f"{entity}_by_{field}"
        yield name, f"CREATE INDEX IF NOT EXISTS {schema}.{name} ON {entity} (org_id, {sort_key_sql(field)}, id)"


def cache_objects(schema: str = CACHE) -> list[tuple[str, str]]:
    """(name, CREATE statement) of every index, FTS table and trigger the cache needs."""
    return [obj for e in ENTITIES for obj in (*_sort_indexes(schema, e), *search_objects(schema, e))]


def missing(db: Database, schema: str = CACHE) -> set[str]:
    """Names of the cache objects ``cache_objects`` wants that are not there."""
    present = {row[0] for row in db.rows(f"SELECT name FROM {schema}.sqlite_master")}
    return {name for name, _ in cache_objects(schema)} - present


def ensure_indexes(db: Database, schema: str = CACHE, *, max_rows: int | None = None,
                   entities: tuple[str, ...] = ENTITIES, search_only: bool = False) -> None:
    """Create what is missing (see the module doc); idempotent.

    One transaction per sort index; a search index is built in a scratch file and moved
    in (``searchbuild.py``). ``max_rows``: leave tables with more rows to a later call (the
    sync builds them in its own thread; opening a store must stay quick). ``entities`` and ``search_only`` narrow it to what a first sync
    builds while its other streams still download (``docs/sync.md``).
    """
    _drop_fills_cut_short(db, schema)
    absent = missing(db, schema)
    for entity in entities:
        sorts = [] if search_only else [sql for name, sql in _sort_indexes(schema, entity) if name in absent]
        search = not absent.isdisjoint(name for name, _ in search_objects(schema, entity))
        if not sorts and not search:
            continue
        if max_rows is not None and _rows_over(db, schema, entity, max_rows):
            continue
        for sql in sorts:
            with db.write() as conn:
                conn.execute(sql)
        if search:
            build_search(db, schema, entity)
    for entity in set(ENTITIES) - {name.removesuffix("_search") for name in missing(db, schema)}:
        remove_stale_scratch(db, entity)
    replaced = {row[0] for row in db.rows(f"SELECT name FROM {schema}.sqlite_master")} & set(_REPLACED)
    for name in replaced:
        with db.write() as conn:
            conn.execute(f"DROP INDEX IF EXISTS {schema}.{name}")


def _drop_fills_cut_short(db: Database, schema: str) -> None:
    """Drop the search indexes an earlier version left half filled (``search_fill`` names them,
    and that version's readers scanned instead): they are built again like any missing one."""
    if db.one(f"SELECT 1 FROM {schema}.sqlite_master WHERE name = 'search_fill'") is None:
        return
    with db.write() as conn:
        if conn.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE name = 'search_fill'").fetchone() is None:
            return  # another process did it meanwhile
        for (entity,) in conn.execute(f"SELECT entity FROM {schema}.search_fill").fetchall():
            for name, _ in search_objects(schema, entity):
                conn.execute(f"DROP {'TABLE' if name in _SEARCH_TABLES else 'TRIGGER'} IF EXISTS {schema}.{name}")
        conn.execute(f"DROP TABLE {schema}.search_fill")


def drop_statements(schema: str, entity: str, *, keep_default_sort: bool = False) -> list[str]:
    """``DROP`` of every sort and search index object of ``entity`` (but the default sort's, if asked)."""
    sorts = list(_sort_indexes(schema, entity))[1 if keep_default_sort else 0:]
    return [
        f"DROP {'INDEX' if name.startswith(f'{entity}_by_') else 'TABLE' if name in _SEARCH_TABLES else 'TRIGGER'}"
        f" IF EXISTS {schema}.{name}"
        for name, _ in (*sorts, *search_objects(schema, entity))
    ]


def suspend_indexes(db: Database, entities: list[str], schema: str = CACHE) -> list[str]:
    """Drop the search index and every sort index but the default one of those ``entities``
    whose table is empty; returns them.

    A first sync then fills the table without their upkeep (which would cost it most of its
    speed: ``bench/search.py``) and builds them in bulk: the search index of an entity as
    soon as its streams end, the other sorts after the run. Meanwhile a search tests every
    row and a sort without its index reads the table in order. The default sort's index
    (``updated_at``) stays: kept row by row it costs a first sync a few per cent, and the
    newest-first view and the per-org counts of ``wb:sync:status`` read it during the sync.
    """
    suspended = []
    with db.write() as conn:
        for entity in entities:
            if conn.execute(f"SELECT EXISTS (SELECT 1 FROM {schema}.{table(entity)})").fetchone()[0]:
                continue
            for statement in drop_statements(schema, entity, keep_default_sort=True):
                conn.execute(statement)
            stop_log(conn, schema, entity)
            suspended.append(entity)
    return suspended


def _rows_over(db: Database, schema: str, entity: str, limit: int) -> bool:
    row = db.one(f"SELECT count(*) FROM (SELECT 1 FROM {schema}.{entity} LIMIT ?)", (limit + 1,))
    return row is not None and row[0] > limit

