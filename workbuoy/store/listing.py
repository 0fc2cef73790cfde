"""Pages of one cached table: a sort, filters, a search, keyset cursors, totals and row marks.

Every sort pages by keyset, never ``OFFSET``: the cursor names the last row's (sort value,
id), so rows that change while the user pages neither repeat nor vanish, and a deep page
costs what the first one does. Rows lacking the sort field (``NULL``) come after all
others in both directions; a page walks the rows with a value first, then those without
(ordered by id), so each half is one ordered range of an index. Values compare the way
SQLite compares them: numbers before text, text by its UTF-8 bytes; ties go by id.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, NamedTuple

import msgspec

from workbuoy.schemas.base import ENTITIES
from workbuoy.schemas.columns import SORTABLE, TIME_FIELDS
from workbuoy.schemas.offline import RowMark
from workbuoy.store.db import CACHE, Database, dumps, loads, now_ms
from workbuoy.store.searchtext import FIELD_SEPARATOR
from workbuoy.store.types import CachedRow, ListPage

Scalar = str | int | float | None
CACHED_COLUMNS = "id, org_id, updated_at, payload, conflicted, server_payload"
# id -> what its open outbox rows say: any conflict, any failed, else pending.
_MARKS = """
SELECT entity_id, MAX(conflicted), MAX(status = 'failed') FROM sync_queue
WHERE entity = ? AND entity_id IN (SELECT value FROM json_each(?)) AND (status != 'synced' OR conflicted = 1)
GROUP BY entity_id
"""


#: The shortest query the trigram index answers; shorter ones test every row of the table.
TRIGRAM = 3
#: What no query to the index may hold (``FIELD_SEPARATOR``, and a NUL, where FTS5's parser stops): it scans.
UNINDEXABLE = frozenset((FIELD_SEPARATOR, "\0"))
#: Up to this many index matches a search reads them all and sorts them; beyond, it walks the sort.
FEW_MATCHES = 4_000


class ListError(ValueError):
    """A list request the store cannot answer as asked (bad sort, cursor or filter)."""


@dataclass(frozen=True)
class ListRequest:
    """One page request, as ``wb:offline:getList`` carries it (see ``GetList``)."""

    entity: str
    org_id: str | None = None
    limit: int = 50
    cursor: str | None = None
    query: str | None = None
    sort: str | None = None
    descending: bool = False
    conflicted: bool | None = None
    upcoming: bool = False
    with_total: bool = False

    @property
    def field(self) -> str:
        return self.sort or "updated_at"

    @property
    def down(self) -> bool:
        """True when the page runs from high to low (the default order is newest first)."""
        return True if self.sort is None else self.descending

    def check(self) -> None:
        table(self.entity)
        allowed = SORTABLE[self.entity]
        if self.field not in allowed:
            raise ListError(f"{self.entity} cannot be sorted by {self.field!r}; sortable: {', '.join(allowed)}")
        if self.upcoming and self.field not in TIME_FIELDS:
            time_fields = [f for f in allowed if f in TIME_FIELDS]
            raise ListError(f"upcoming needs a time sort; {self.entity} has {', '.join(time_fields)}")


def table(entity: str) -> str:
    """The cache table of ``entity``; the name is checked, so it is safe to put in SQL."""
    if entity not in ENTITIES:
        raise ValueError(f"unknown entity {entity!r}; expected one of {', '.join(ENTITIES)}")
    return entity


def search_table(entity: str) -> str:
    """The FTS5 table of ``entity``'s search index (``indexes.py``)."""
    return f"{table(entity)}_search"


def sort_key_sql(field: str) -> str:
    """The SQL expression of a sort field (``field`` is checked against ``SORTABLE`` first)."""
    return "updated_at" if field == "updated_at" else f"(payload ->> '$.\"{field}\"')"


def encode_cursor(request: ListRequest, value: Scalar, id_: str) -> str:
    return base64.urlsafe_b64encode(dumps([request.field, request.down, value, id_]).encode()).decode()


def decode_cursor(request: ListRequest) -> tuple[Scalar, str] | None:
    """The (value, id) a cursor names; refused unless it was made for the same sort and direction."""
    if request.cursor is None:
        return None
    try:
        field, down, value, id_ = msgspec.json.decode(
            base64.urlsafe_b64decode(request.cursor), type=tuple[str, bool, Scalar, str]
        )
    except (ValueError, msgspec.ValidationError):
        raise ListError(f"bad list cursor {request.cursor!r}") from None
    if isinstance(value, int) and not -(2**63) <= value < 2**63:  # no SQLite integer: binding it would raise
        raise ListError(f"bad list cursor {request.cursor!r}")
    if (field, down) != (request.field, request.down):
        raise ListError("the cursor was made for another sort; start again without it")
    return value, id_


class Search(NamedTuple):
    """How a page finds the rows of a query: a CTE of candidate rowids, or WHERE terms (for the
    page, and for its total when that is cheaper another way)."""

    prefix: str = ""
    prefix_params: list[Any] = []
    source: str = ""
    term: str = "1"
    params: list[Any] = []
    count_term: str | None = None
    count_params: list[Any] = []


def filters(request: ListRequest) -> tuple[list[str], list[Any]]:
    """WHERE terms and parameters of the org, conflict and upcoming filters."""
    where: list[str] = []
    params: list[Any] = []
    if request.org_id is not None:
        where.append("org_id = ?")
        params.append(request.org_id)
    if request.conflicted is not None:
        where.append("conflicted = ?")
        params.append(int(request.conflicted))
    if request.upcoming:
        where.append(f"{sort_key_sql(request.field)} >= ?")
        params.append(now_ms())
    return where, params


def halves(request: ListRequest, after: tuple[Scalar, str] | None) -> list[tuple[str, list[Any], str]]:
    """The (WHERE term, parameters, ORDER BY) of the rows with a value, then of those without."""
    key = sort_key_sql(request.field)
    op, way = ("<", "DESC") if request.down else (">", "ASC")
    valued = (f"{key} IS NOT NULL", [], f"{key} {way}, id {way}")
    missing = (f"{key} IS NULL", [], f"id {way}")
    if after is None:
        return [valued, missing]
    value, id_ = after
    if value is None:
        return [(f"{missing[0]} AND id {op} ?", [id_], missing[2])]
    return [(f"{valued[0]} AND ({key}, id) {op} (?, ?)", [value, id_], valued[2]), missing]


def cached_row(row: tuple[Any, ...]) -> CachedRow:
    """A ``CachedRow`` from the ``CACHED_COLUMNS`` of a cache table."""
    id_, org_id, updated_at, payload, conflicted, server_payload = row[:6]
    return CachedRow(
        id=id_,
        org_id=org_id,
        updated_at=updated_at,
        payload=loads(payload),
        conflicted=bool(conflicted),
        server_payload=loads(server_payload),
    )


class ListingMixin:
    """Listing a cached table, a part of ``Store``."""

    _db: Database

    def list_page(self, request: ListRequest) -> ListPage:
        """One page of ``request.entity`` as ``request`` asks (``ListError`` for a bad request).

        Without an org the page merges one index range per org (the sort indexes lead with
        the org), which is cheaper than sorting the table and needs no second set of indexes.
        """
        request.check()
        name = table(request.entity)
        search = self._search(request) if request.query else Search()
        where, params = filters(request)
        source = search.source or name
        orgs = [request.org_id] if request.org_id is not None else self._orgs(name)
        found: list[tuple[Any, ...]] = []
        for term, extra, order in halves(request, decode_cursor(request)):
            if request.upcoming and term.endswith("IS NULL") or len(found) > request.limit:
                break
            want = request.limit + 1 - len(found)
            part = [row for org in orgs or [None] for row in self._db.rows(
                f"{search.prefix}SELECT {CACHED_COLUMNS}, {sort_key_sql(request.field)} FROM {source}"
                f" WHERE {' AND '.join([*where, search.term, term, 'org_id = ?' if org is not None else '1'])}"
                f" ORDER BY {order} LIMIT ?",
                (*search.prefix_params, *params, *search.params, *extra, *([org] if org is not None else []), want),
            )]
            if len(orgs) > 1:  # the order SQLite gives: numbers before text, then by value, then id
                part.sort(key=lambda row: (isinstance(row[-1], str), row[-1], row[0]), reverse=request.down)
            found += part[:want]
        rows = [cached_row(r) for r in found[: request.limit]]
        more = len(found) > request.limit
        return ListPage(
            rows=rows,
            next_cursor=encode_cursor(request, found[request.limit - 1][-1], rows[-1].id) if more else None,
            total=self._count(request, search, where, params) if request.with_total else None,
            marks=self._marks(request.entity, rows),
        )

    def _search(self, request: ListRequest) -> Search:
        """How to find the rows of ``request.query``.

        ``TRIGRAM`` characters or more, with the search index there: the index's matches. When
        they are few (``FEW_MATCHES``) the page reads just those rows by rowid and sorts them
        (``CROSS JOIN`` keeps SQLite from walking a sort index instead). When many, the page
        walks the sort index and tests each row's text, which fills it early (at least one row
        in ``rows / FEW_MATCHES`` matches), and only a total reads the index's matches. Shorter
        queries, or any while a first sync has the index suspended, test the text of every
        row in the page's order.
        """
        needle = (request.query or "").casefold()
        name, fts = table(request.entity), search_table(request.entity)
        scan = Search(term="wb_contains(?, payload, ?)", params=[request.entity, needle])
        if len(needle) < TRIGRAM or not UNINDEXABLE.isdisjoint(needle) or not self._search_ready(request.entity):
            return scan
        phrase = '"' + needle.replace('"', '""') + '"'
        few = self._db.rows(f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? LIMIT ?", (phrase, FEW_MATCHES + 1))
        if len(few) > FEW_MATCHES:
            return scan._replace(count_term=f"rowid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)", count_params=[phrase])
        return Search(prefix="WITH m(r) AS MATERIALIZED (SELECT value FROM json_each(?)) ",
                      prefix_params=[dumps([row[0] for row in few])], source=f"m CROSS JOIN {name} ON {name}.rowid = m.r")

    def _search_ready(self, entity: str) -> bool:
        """The search index is there: it only enters the cache whole (``searchbuild.py``)."""
        return self._db.one(f"SELECT 1 FROM {CACHE}.sqlite_master WHERE name = ?", (search_table(entity),)) is not None

    def _orgs(self, name: str) -> list[str]:
        """The orgs with rows in ``name``: one index seek per org, not a scan of the table."""
        return [row[0] for row in self._db.rows(
            f"WITH RECURSIVE o(org) AS (SELECT min(org_id) FROM {name} UNION ALL"
            f" SELECT (SELECT min(org_id) FROM {name} WHERE org_id > o.org) FROM o WHERE o.org IS NOT NULL)"
            " SELECT org FROM o WHERE org IS NOT NULL"
        )]

    def _count(self, request: ListRequest, search: Search, where: list[str], params: list[Any]) -> int:
        term, term_params = (search.term, search.params) if search.count_term is None else (
            search.count_term, search.count_params)
        row = self._db.one(
            f"{search.prefix}SELECT count(*) FROM {search.source or table(request.entity)}"
            f" WHERE {' AND '.join([*where, term])}",
            (*search.prefix_params, *params, *term_params),
        )
        return row[0] if row else 0

    def _marks(self, entity: str, rows: list[CachedRow]) -> dict[str, RowMark]:
        """The mark of each row of a page that has an unsynced local write or an open conflict."""
        marks: dict[str, RowMark] = {r.id: "conflict" for r in rows if r.conflicted}
        for id_, conflicted, failed in self._db.rows(_MARKS, (entity, dumps([r.id for r in rows]))):
            marks[id_] = "conflict" if conflicted or id_ in marks else "failed" if failed else "pending"
        return marks
