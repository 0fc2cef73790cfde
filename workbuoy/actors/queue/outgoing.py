"""Where each queued item goes: its ``qtype`` and op decide the URL and method.

A queued item's payload is ``{"body": ..., "base": ...}``: ``body`` is what is sent,
``base`` the cached row the local edit started from (``None`` when nothing was cached),
and ``origin`` only on the write that stands for an assistant session (for its metric).
Keeping the base on the item, in the same durable commit, is what lets the field-level
merge run long after the edit, when the cache has moved on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from workbuoy.api import ApiClient
from workbuoy.api_urls import Base, path
from workbuoy.store import QueueItem

METHODS = {"create": "POST", "update": "PATCH", "delete": "DELETE"}


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    #: A path under ``base`` of the origin signed in at when it is sent (not when it was queued).
    url: str
    base: Base
    body: dict[str, Any] | None
    headers: dict[str, str]
    #: The API client's metric label: ``email/drafts``, ``calendar/events`` or the entity.
    endpoint: str

    async def send(self, api: ApiClient) -> httpx.Response:
        return await api.request(self.method, self.url, base=self.base, json=self.body, headers=self.headers,
                                 endpoint=self.endpoint)


#: ``origin`` of the one write per ``wb:assistant:apply`` that counts the session once the server takes it.
ASSISTANT = "assistant"


def wrap(body: dict[str, Any] | None, base: dict[str, Any] | None = None, origin: str | None = None) -> dict[str, Any]:
    """The stored payload of a queued item; ``origin`` only when the write stands for more than itself."""
    return {"body": body, "base": base} | ({"origin": origin} if origin else {})


def origin_of(item: QueueItem) -> str | None:
    return None if item.payload is None else item.payload.get("origin")


def body_of(item: QueueItem) -> dict[str, Any] | None:
    return None if item.payload is None else item.payload.get("body")


def base_of(item: QueueItem) -> dict[str, Any] | None:
    return None if item.payload is None else item.payload.get("base")


def request_for(item: QueueItem, if_match: int | None) -> Request:
    """The HTTP request of one item; ``Idempotency-Key`` is its op_id, so a resend is harmless.

    Its URL is relative: the API client puts it under the bases of the session's origin,
    so writes queued before a change of ``portalOrigin`` go to the new one.

    Raises ``ValueError`` for an id that cannot be a path segment (see :func:`workbuoy.api_urls.path`).
    """
    headers = {"Idempotency-Key": item.op_id}
    body = body_of(item)
    match item.qtype:
        case "email":
            return Request("POST", "/drafts", "email", {**(body or {}), "org_id": item.org_id}, headers, "email/drafts")
        case "calendar":
            return Request("POST", "/events", "calendar", {**(body or {}), "org_id": item.org_id}, headers,
                           "calendar/events")
    assert item.entity is not None and item.op is not None  # the store refuses a crm item without them
    if item.op == "create":
        return Request("POST", path(item.entity), "api", {**(body or {}), "id": item.entity_id, "org_id": item.org_id},
                       headers, item.entity)
    if if_match is not None:
        headers["If-Match"] = str(if_match)
    url = path(item.entity, item.entity_id or "")
    return Request(METHODS[item.op], url, "api", body if item.op == "update" else None, headers, item.entity)
