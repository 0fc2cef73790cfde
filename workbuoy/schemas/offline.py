"""Reads from the local cache: ``wb:offline:getMessages`` and ``wb:offline:getList``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta

from workbuoy.schemas.base import Cursor, Entity, Id, Limit, Msg
from workbuoy.schemas.columns import SortField

Query = Annotated[str, Meta(max_length=200)]
#: A row of a page with a local write the server has not taken yet (pending or inflight),
#: one the server refused (failed), or an open conflict (which wins over both).
RowMark = Literal["pending", "failed", "conflict"]


class GetMessages(Msg):
    org_id: Id | None = None
    limit: Limit = 100


class MessagesReply(Msg):
    items: list[dict[str, Any]]


class GetRow(Msg):
    """One cached record by id, in whichever org it is (a deep link or a notification names it)."""

    table: Entity
    id: Id


class RowReply(Msg):
    """``row`` is None when the record is not in the offline copy."""

    row: dict[str, Any] | None = None
    org_id: str | None = None


class GetList(Msg):
    """A page of one cached table, keyset-paged (``cursor`` is the previous reply's ``next_cursor``).

    ``sort``: one of ``SORTABLE[table]`` (``None``: newest edit first); rows without the
    field come last in both directions, ties go by id. ``query``: case-insensitive
    substring of the ``SEARCHABLE`` fields. ``conflicted=True``: only rows with an open
    conflict. ``upcoming``: with a time field sort, only rows whose value is now or later.
    """

    table: Entity
    org_id: Id | None = None
    limit: Limit = 50
    cursor: Cursor | None = None
    query: Query | None = None
    sort: SortField | None = None
    descending: bool = False
    conflicted: bool | None = None
    upcoming: bool = False
    with_total: bool = False


class ListReply(Msg):
    items: list[dict[str, Any]]
    next_cursor: str | None = None
    #: Rows matching the filters and query (only when asked ``with_total``).
    total: int | None = None
    #: id -> mark, for the rows of this page with an unsynced local write or an open conflict.
    marks: dict[str, RowMark] = {}
