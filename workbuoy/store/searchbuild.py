"""Building a search index beside the cache, so that its writers wait only while it moves in.

Filled in place, an FTS5 index holds the cache's write lock while it tokenizes every row:
a first sync's pages waited, and the sync lost most of its speed to the builds of the
entities it had already pulled (``bench/sync.py``). Here the index is built in a scratch
file of its own (``<cache>.<entity>-search-<build>``, no one else's): the cache is only read, a
chunk of rows at a time, each chunk its own short snapshot. The finished index then moves
into the cache in one short transaction, the only time the build holds the lock: the FTS5
table is created there and its shadow tables (``_data``, ``_idx``, ``_docsize``,
``_config``) are copied from the scratch file's, made by the same definition (0.2–0.5 s
for 150,000 rows).

Rows written meanwhile: when a build begins, triggers on the entity's table note the rowid
of every insert, payload update and delete in ``search_log``, after a marker row of the
build. Under the lock, before the copy, each rowid noted after the marker is taken out of
the scratch index and indexed again from its current payload (if the row is still there);
the move replaces the log's triggers with the index's own and empties the entity's log.
A build whose marker is gone when it moves in (another build moved in first, or the index
was suspended meanwhile) throws its scratch away. Until the move commits, the cache has no
search index for the entity and a search scans; a crash at any point leaves it so, and the
next build begins again.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import apsw
import msgspec

from workbuoy.platform import current
from workbuoy.store.db import Database
from workbuoy.store.listing import search_table
from workbuoy.store.searchtext import search_text_of_json

#: Rows read from the cache per snapshot (and indexed per statement) while a scratch index fills.
READ_CHUNK = 10_000
#: Memory FTS5 may fill before it writes a segment: larger makes a bulk build faster
#: (1.5x at 16 MiB over the 1 MiB default); a page of a sync never comes near it.
FTS_HASH_BYTES = 16 * 2**20
_FTS_COLUMNS = "text, content='', contentless_delete=1, tokenize='trigram case_sensitive 1'"
_SHADOWS = ("data", "idx", "docsize", "config")
_SCRATCH = "search_scratch"


def search_objects(schema: str, entity: str) -> Iterator[tuple[str, str]]:
    """(name, CREATE) of the search index of ``entity`` and of the triggers that keep it."""
    fts = search_table(entity)
    insert = f"INSERT INTO {fts} (rowid, text) VALUES (new.rowid, wb_search_text('{entity}', new.payload));"
    delete = f"DELETE FROM {fts} WHERE rowid = old.rowid;"
    yield fts, f"CREATE VIRTUAL TABLE IF NOT EXISTS {schema}.{fts} USING fts5({_FTS_COLUMNS})"
    yield f"{fts}_insert", f"CREATE TRIGGER IF NOT EXISTS {schema}.{fts}_insert AFTER INSERT ON {entity} BEGIN {insert} END"
    yield f"{fts}_update", (
        f"CREATE TRIGGER IF NOT EXISTS {schema}.{fts}_update AFTER UPDATE OF payload ON {entity}"
        f" BEGIN {delete} {insert} END"
    )
    yield f"{fts}_delete", f"CREATE TRIGGER IF NOT EXISTS {schema}.{fts}_delete AFTER DELETE ON {entity} BEGIN {delete} END"


def log_triggers(schema: str, entity: str) -> Iterator[tuple[str, str]]:
    """(name, CREATE) of the triggers that note the rows a build must index again."""
    fts = search_table(entity)
    for event, ref in (("INSERT", "new"), ("UPDATE OF payload", "new"), ("DELETE", "old")):
        name = f"{fts}_log_{event.split()[0].lower()}"
        yield name, (f"CREATE TRIGGER IF NOT EXISTS {schema}.{name} AFTER {event} ON {entity}"
                     f" BEGIN INSERT INTO search_log (entity, row) VALUES ('{entity}', {ref}.rowid); END")


def scratch_file(db: Database, entity: str, build: int | str) -> Path:
    """The scratch file of a build of ``entity`` (``build``: its marker; ``*`` matches any)."""
    return db.cache_path.with_name(f"{db.cache_path.name}.{entity}-search-{build}")


def remove_stale_scratch(db: Database, entity: str) -> None:
    """Delete the scratch files that builds of ``entity`` left behind (killed before they
    deleted their own). Only once its index is whole: any build still running then began
    before that index moved in, so it will give up anyway."""
    for path in db.cache_path.parent.glob(scratch_file(db, entity, "*").name):
        with contextlib.suppress(OSError):  # Windows: still open by such a build
            path.unlink()


def stop_log(conn: apsw.Connection, schema: str, entity: str) -> None:
    """Drop the log's triggers on ``entity`` and its rows: a build still under way then finds
    its marker gone and gives up (its index would lack what was written from now on)."""
    for name, _ in log_triggers(schema, entity):
        conn.execute(f"DROP TRIGGER IF EXISTS {schema}.{name}")
    if conn.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE name = 'search_log'").fetchone():
        conn.execute(f"DELETE FROM {schema}.search_log WHERE entity = ?", (entity,))


def build_search(db: Database, schema: str, entity: str) -> None:
    """Build the search index of ``entity`` beside the cache and move it in (module doc)."""
    build = SearchBuild(db, schema, entity)
    if not build.begin():
        return
    try:
        build.fill()
        build.move_in()
    finally:
        build.scratch.unlink(missing_ok=True)


class SearchBuild:
    """One build of one entity's search index, in its three steps (``build_search`` runs them)."""

    def __init__(self, db: Database, schema: str, entity: str) -> None:
        self.db, self.schema, self.entity = db, schema, entity
        self.fts = search_table(entity)
        self._begun = 0

    def begin(self) -> bool:
        """Turn the log on and mark where this build began; ``False`` if there is nothing to
        build: the index is there (built meanwhile), or the table is empty and the index
        was made at once, in place."""
        schema, entity = self.schema, self.entity
        with self.db.write() as conn:
            present = {row[0] for row in conn.execute(f"SELECT name FROM {schema}.sqlite_master")}
            objects = list(search_objects(schema, entity))
            if present.issuperset(name for name, _ in objects):
                return False
            if conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {schema}.{entity})").fetchone()[0]:
                self._create(conn, objects)
                return False
            conn.execute(f"CREATE TABLE IF NOT EXISTS {schema}.search_log"  # seqs never reused: they name scratch files
                         " (seq INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, row INTEGER)")
            for _, sql in log_triggers(schema, entity):
                conn.execute(sql)
            conn.execute(f"INSERT INTO {schema}.search_log (entity) VALUES (?)", (entity,))
            self._begun = conn.last_insert_rowid()
            return True

    @property
    def scratch(self) -> Path:
        """This build's scratch file: its own, even beside another build of the same entity."""
        return scratch_file(self.db, self.entity, self._begun)

    def fill(self) -> None:
        """Index every row into a new scratch file, reading the cache a chunk at a time.

        The text of a chunk is made in Python and handed to SQLite as one JSON array, so the
        tokenizing runs in one statement that holds no Python lock (the sync's loop keeps running).
        """
        fts, scratch = self.fts, self.scratch
        os.close(os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))  # CRM data: the owner's alone
        current.make_private(scratch)
        conn = apsw.Connection(str(scratch))
        try:
            conn.execute("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF")  # thrown away on any failure
            conn.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({_FTS_COLUMNS})")
            conn.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('hashsize', {FTS_HASH_BYTES})")
            conn.execute("BEGIN")
            after = -1
            while chunk := self.db.rows(f"SELECT rowid, payload FROM {self.schema}.{self.entity} WHERE rowid > ?"
                                        " ORDER BY rowid LIMIT ?", (after, READ_CHUNK)):
                after = chunk[-1][0]
                texts = msgspec.json.encode([(rowid, search_text_of_json(self.entity, text)) for rowid, text in chunk])
                conn.execute(f"INSERT INTO {fts} (rowid, text) SELECT value ->> 0, value ->> 1 FROM json_each(?)",
                             (texts,))
            conn.execute("COMMIT")
        finally:
            conn.close()

    def move_in(self) -> bool:
        """Index again the rows noted since the build began, then make the scratch index the
        cache's, in one transaction; ``False`` if this build was overtaken (module doc)."""
        schema, entity, fts = self.schema, self.entity, self.fts
        with self.db.scratch(self.scratch, _SCRATCH), self.db.write() as conn:
            if conn.execute(f"SELECT 1 FROM {schema}.search_log WHERE seq = ?", (self._begun,)).fetchone() is None:
                return False  # another build moved in, or the index was suspended, since this one began
            noted = f"SELECT row FROM {schema}.search_log WHERE entity = '{entity}' AND seq > {self._begun}"
            if conn.execute(f"SELECT EXISTS ({noted})").fetchone()[0]:
                conn.execute(f"DELETE FROM {_SCRATCH}.{fts} WHERE rowid IN ({noted})")
                conn.execute(f"INSERT INTO {_SCRATCH}.{fts} (rowid, text) SELECT rowid, wb_search_text('{entity}', payload)"
                             f" FROM {schema}.{entity} WHERE rowid IN ({noted})")
            self._create(conn, list(search_objects(schema, entity)), copy_from=_SCRATCH)
            return True

    def _create(self, conn: apsw.Connection, objects: list[tuple[str, str]], copy_from: str | None = None) -> None:
        """The index and its triggers in place of the log's; its content copied from the
        schema ``copy_from`` (a scratch file's index of the same definition), or empty."""
        schema, fts = self.schema, self.fts
        stop_log(conn, schema, self.entity)
        for name, _ in objects[1:]:
            conn.execute(f"DROP TRIGGER IF EXISTS {schema}.{name}")
        conn.execute(f"DROP TABLE IF EXISTS {schema}.{fts}")
        conn.execute(objects[0][1])
        if copy_from is None:
            conn.execute(f"INSERT INTO {schema}.{fts} ({fts}, rank) VALUES ('hashsize', {FTS_HASH_BYTES})")
        for shadow in _SHADOWS if copy_from else ():
            conn.execute(f"DELETE FROM {schema}.{fts}_{shadow}")
            conn.execute(f"INSERT INTO {schema}.{fts}_{shadow} SELECT * FROM {copy_from}.{fts}_{shadow}")
        for _, trigger in objects[1:]:
            conn.execute(trigger)
