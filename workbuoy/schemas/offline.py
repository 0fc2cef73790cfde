"""Reads from the local cache: ``wb:offline:getMessages`` and ``wb:offline:getList``."""

from __future__ import annotations

from typing import Annotated, Any

from msgspec import Meta

from workbuoy.schemas.base import Cursor, Entity, Id, Limit, Msg

Query = Annotated[str, Meta(max_length=200)]


class GetMessages(Msg):
    org_id: Id | None = None
    limit: Limit = 100


class MessagesReply(Msg):
    items: list[dict[str, Any]]


class GetList(Msg):
    table: Entity
    org_id: Id | None = None
    limit: Limit = 50
    cursor: Cursor | None = None
    query: Query | None = None


class ListReply(Msg):
    items: list[dict[str, Any]]
    next_cursor: str | None = None
