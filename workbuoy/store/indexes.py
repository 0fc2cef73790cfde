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
field added to ``SORTABLE``) in one transaction, fills a new search index from the rows
already cached, and drops the index the sorts replaced. It does nothing when all is there.
"""

from __future__ import annotations

from collections.abc import Iterator

from workbuoy.schemas.base import ENTITIES
from workbuoy.schemas.columns import SORTABLE
from workbuoy.store.db import CACHE, Database
from workbuoy.store.listing import search_table, sort_key_sql, table

#: Indexes of earlier versions that the sort indexes replace.
_REPLACED = tuple(f"{entity}_org_updated" for entity in ENTITIES)


#: Rows indexed per transaction while a search index is filled (≈0.2 s each here).
FILL_CHUNK = 10_000
#: Memory FTS5 may fill before it writes a segment: larger makes a bulk build faster
#: (1.5x at 16 MiB over the 1 MiB default); a page of a sync never comes near it.
FTS_HASH_BYTES = 16 * 2**20
_SEARCH_TABLES = frozenset(search_table(entity) for entity in ENTITIES)


def _sort_indexes(schema: str, entity: str) -> Iterator[tuple[str, str]]:
    for field in SORTABLE[entity]:
        name = f"{entity}_by_{field}"
        yield name, f"CREATE INDEX IF NOT EXISTS {schema}.{name} ON {entity} (org_id, {sort_key_sql(field)}, id)"


def _search_objects(schema: str, entity: str) -> Iterator[tuple[str, str]]:
    fts = search_table(entity)
    insert = f"INSERT INTO {fts} (rowid, text) VALUES (new.rowid, wb_search_text('{entity}', new.payload));"
    delete = f"DELETE FROM {fts} WHERE rowid = old.rowid;"
    yield fts, (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {schema}.{fts} USING fts5(text, content='', contentless_delete=1,"
        " tokenize='trigram case_sensitive 1')"
    )
    yield f"{fts}_insert", f"CREATE TRIGGER IF NOT EXISTS {schema}.{fts}_insert AFTER INSERT ON {entity} BEGIN {insert} END"
    yield f"{fts}_update", (
        f"CREATE TRIGGER IF NOT EXISTS {schema}.{fts}_update AFTER UPDATE OF payload ON {entity}"
        f" BEGIN {delete} {insert} END"
    )
    yield f"{fts}_delete", f"CREATE TRIGGER IF NOT EXISTS {schema}.{fts}_delete AFTER DELETE ON {entity} BEGIN {delete} END"


def cache_objects(schema: str = CACHE) -> list[tuple[str, str]]:
    """(name, CREATE statement) of every index, FTS table and trigger the cache needs."""
    return [obj for e in ENTITIES for obj in (*_sort_indexes(schema, e), *_search_objects(schema, e))]


def missing(db: Database, schema: str = CACHE) -> set[str]:
    """Names of the cache objects ``cache_objects`` wants that are not there, and the
    entities whose search index is still being filled."""
    present = {row[0] for row in db.rows(f"SELECT name FROM {schema}.sqlite_master")}
    filling = set()
    if "search_fill" in present:
        filling = {row[0] for row in db.rows(f"SELECT entity FROM {schema}.search_fill")}
    return ({name for name, _ in cache_objects(schema)} - present) | filling


def ensure_indexes(db: Database, schema: str = CACHE, *, max_rows: int | None = None,
                   entities: tuple[str, ...] = ENTITIES, search_only: bool = False) -> None:
    """Create what is missing (see the module doc); idempotent.

    One transaction per sort index; a search index and its triggers in one, then filled in
    chunks (``_build_search``). ``max_rows``: leave tables
    with more rows to a later call (the sync builds them in its own thread; opening a
    store must stay quick). ``entities`` and ``search_only`` narrow it to what a first sync
    builds while its other streams still download (``docs/sync.md``).
    """
    absent = missing(db, schema)
    for entity in entities:
        sorts = [] if search_only else [sql for name, sql in _sort_indexes(schema, entity) if name in absent]
        search = [(name, sql) for name, sql in _search_objects(schema, entity)]
        if not sorts and not absent.intersection(name for name, _ in search) and entity not in absent:
            continue
        if max_rows is not None and _rows_over(db, schema, entity, max_rows):
            continue
        for sql in sorts:
            with db.write() as conn:
                conn.execute(sql)
        _build_search(db, schema, entity, search)
    replaced = {row[0] for row in db.rows(f"SELECT name FROM {schema}.sqlite_master")} & set(_REPLACED)
    for name in replaced:
        with db.write() as conn:
            conn.execute(f"DROP INDEX IF EXISTS {schema}.{name}")


def _build_search(db: Database, schema: str, entity: str, objects: list[tuple[str, str]]) -> None:
    """Create the search index and its triggers, then fill it from the rows in chunks.

    The triggers index every row written from the first transaction on; the chunks add the
    rows that were there before, skipping any a trigger already indexed. A row in
    ``search_fill`` says the fill is under way (and from which rowid): until it is gone a
    search scans, and a crash resumes the fill at the next ``ensure_indexes``. Chunks keep
    each transaction short, so other processes' writes never wait long for the lock.
    """
    fts = search_table(entity)
    with db.write() as conn:  # looked at again under the lock: another process may be building it
        conn.execute(f"CREATE TABLE IF NOT EXISTS {schema}.search_fill (entity TEXT PRIMARY KEY, after INTEGER NOT NULL)")
        new = conn.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE name = ?", (fts,)).fetchone() is None
        for _, sql in objects:
            conn.execute(sql)
        if new:
            conn.execute(f"INSERT OR REPLACE INTO {schema}.search_fill VALUES (?, -1)", (entity,))
            conn.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('hashsize', {FTS_HASH_BYTES})")
    while True:
        with db.write() as conn:
            row = conn.execute(f"SELECT after FROM {schema}.search_fill WHERE entity = ?", (entity,)).fetchone()
            if row is None:
                return
            last = conn.execute(f"SELECT max(rowid) FROM (SELECT rowid FROM {schema}.{entity} WHERE rowid > ?"
                                " ORDER BY rowid LIMIT ?)", (row[0], FILL_CHUNK)).fetchone()[0]
            if last is None:
                conn.execute(f"DELETE FROM {schema}.search_fill WHERE entity = ?", (entity,))
                return
            conn.execute(
                f"INSERT INTO {fts} (rowid, text) SELECT rowid, wb_search_text('{entity}', payload)"
                f" FROM {schema}.{entity} AS t WHERE rowid > ? AND rowid <= ?"
                f" AND NOT EXISTS (SELECT 1 FROM {fts} WHERE {fts}.rowid = t.rowid)", (row[0], last))
            conn.execute(f"UPDATE {schema}.search_fill SET after = ? WHERE entity = ?", (last, entity))


def drop_statements(schema: str, entity: str, *, keep_default_sort: bool = False) -> list[str]:
    """``DROP`` of every sort and search index object of ``entity`` (but the default sort's, if asked)."""
    sorts = list(_sort_indexes(schema, entity))[1 if keep_default_sort else 0:]
    return [
        f"DROP {'INDEX' if name.startswith(f'{entity}_by_') else 'TABLE' if name in _SEARCH_TABLES else 'TRIGGER'}"
        f" IF EXISTS {schema}.{name}"
        for name, _ in (*sorts, *_search_objects(schema, entity))
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
            suspended.append(entity)
    return suspended


def _rows_over(db: Database, schema: str, entity: str, limit: int) -> bool:
    row = db.one(f"SELECT count(*) FROM (SELECT 1 FROM {schema}.{entity} LIMIT ?)", (limit + 1,))
    return row is not None and row[0] > limit

