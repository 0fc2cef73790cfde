"""Public routes: the CRM API, audit, AI, e-mail drafts, calendar events.

Sign-in and the caller's identity are :mod:`.signin`'s, the update feed :mod:`.releases`'.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.convertors import Convertor, register_url_convertor
from starlette.routing import Route

from workbuoy.sandbox import assistant
from workbuoy.sandbox.auth import Principal
from workbuoy.sandbox.cursor import START, BadCursor
from workbuoy.sandbox.ledger import KeyReused, fingerprint
from workbuoy.sandbox.models import (
    Accepted, AuditBatch, CalendarEvent, Chat, Draft, NewRow, WorkflowRequest,
)
from workbuoy.sandbox.signin import authenticate, require_org
from workbuoy.sandbox.store import WriteError
from workbuoy.sandbox.web import JSON, HttpError, json_response, read_json, sb
from workbuoy.schemas.base import ENTITIES

DEFAULT_LIMIT, MAX_LIMIT = 200, 1000
#: Audit events must not carry PII or secrets in clear (contract): e-mail addresses,
#: bearer tokens and this server's signed values are refused.
_SECRETISH = re.compile(r"[A-Za-z0-9._%+-]+@[^@\s\"]+\.[A-Za-z]{2,}|[Bb]earer\s+\S+|[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{24}")


class EntityConvertor(Convertor[str]):
    """Only the seven entities match ``{entity:wb_entity}``, so ``/api/ai/chat`` is never
    mistaken for a row and a wrong method on it gets 405 instead of 404."""

    regex = "|".join(ENTITIES)

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("wb_entity", EntityConvertor())


def entity_of(request: Request) -> str:
    return request.path_params["entity"]


def by_method(path: str, **handlers: Callable[[Request], Awaitable[Response]]) -> Route:
    """One route per path, so a 405 lists every method of the path in ``Allow``."""
    if "GET" in handlers:
        handlers["HEAD"] = handlers["GET"]

    async def endpoint(request: Request) -> Response:
        return await handlers[request.method](request)

    return Route(path, endpoint, methods=list(handlers))


def _parse_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise HttpError(400, f"limit must be an integer from 1 to {MAX_LIMIT}", raw)
    return int(raw)


def _not_modified(request: Request, etag: str, last_modified: int) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = request.headers.get("if-modified-since")
    if ims is None:
        return False
    try:
        return last_modified <= parsedate_to_datetime(ims).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return False


async def list_rows(request: Request) -> Response:
    s, who, entity = sb(request), authenticate(request), entity_of(request)
    q = request.query_params
    org_id = q.get("org_id")
    if not org_id:
        raise HttpError(400, "org_id is required")
    require_org(request, who, org_id)
    limit = _parse_limit(q.get("limit"))
    try:
        after = s.codec.decode(entity, org_id, q["cursor"]) if q.get("cursor") else START
    except BadCursor as exc:
        raise HttpError(400, str(exc)) from None
    page = s.store.page(entity, org_id, after, limit)
    last_modified = s.store.last_modified(entity, org_id)
    next_cursor = s.codec.encode(entity, org_id, page.last)
    version = msgspec.json.encode([entity, org_id, next_cursor, page.has_more, [(r["id"], r["updated_at"]) for r in page.items]])
    etag = f'"{hashlib.blake2b(version, digest_size=12).hexdigest()}"'
    headers = {"ETag": etag, "Last-Modified": formatdate(last_modified, usegmt=True), "Cache-Control": "no-cache"}
    if _not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    return json_response({"items": page.items, "next_cursor": next_cursor, "has_more": page.has_more}, headers=headers)


async def get_row(request: Request) -> Response:
    s, who, entity = sb(request), authenticate(request), entity_of(request)
    row = s.store.get(entity, request.path_params["id"])
    if row is None:
        raise HttpError(404, f"{entity}/{request.path_params['id']} not found")
    require_org(request, who, row["org_id"])
    return json_response(row)


Action = Callable[[], Awaitable[tuple[int, Any]]]


async def idempotent(request: Request, who: Principal, action: Action) -> Response:
    """Run a write once per Idempotency-Key; a replay of a success gets its status and body."""
    key = request.headers.get("idempotency-key", "")
    if not 1 <= len(key) <= 255:
        raise HttpError(400, "the Idempotency-Key header is required (1..255 characters)")
    ledger, method, path = sb(request).ledger, request.method, request.url.path
    sig = fingerprint(str(request.query_params), request.headers.get("if-match"), await request.body())
    try:
        entry = ledger.sight(who.user.id, key, method, path, sig)
    except KeyReused as exc:
        raise HttpError(422, str(exc)) from None
    if entry.body is not None:
        return Response(entry.body, entry.status, {"Idempotent-Replayed": "true"}, media_type=JSON)
    try:
        status, obj = await action()
        body = msgspec.json.encode(obj)
    except WriteError as exc:
        status, body = exc.status, HttpError(exc.status, str(exc), server=exc.row).body()
    except HttpError as exc:
        status, body = exc.status, exc.body()
    ledger.settle(entry, status, body)
    return Response(body, status, media_type=JSON)


def _org_for_write(request: Request, who: Principal, body_org: str | None) -> str:
    query_org = request.query_params.get("org_id")
    if body_org and query_org and body_org != query_org:
        raise HttpError(400, "org_id in the body and in the query differ")
    org_id = body_org or query_org
    if not org_id:
        raise HttpError(400, "org_id is required (in the body or as ?org_id=)")
    require_org(request, who, org_id, write=True)
    return org_id


IF_MATCH = re.compile(r'\s*(?:\*|(?:W/)?"?(-?\d+)"?)?\s*')


def _if_match(request: Request) -> int | None:
    """The expected ``updated_at``; ``None`` when absent, empty or ``*`` (any version)."""
    raw = request.headers.get("if-match", "")
    m = IF_MATCH.fullmatch(raw)
    if m is None:
        raise HttpError(400, "If-Match must be the row's updated_at (an integer)", raw)
    return int(m[1]) if m[1] else None


async def create_row(request: Request) -> Response:
    s, who, entity = sb(request), authenticate(request), entity_of(request)

    async def action() -> tuple[int, Any]:
        payload = await read_json(request, dict[str, Any])
        try:
            meta = msgspec.convert(payload, NewRow)
        except msgspec.ValidationError as exc:
            raise HttpError(400, "invalid row", str(exc)) from None
        return 201, s.store.create(entity, _org_for_write(request, who, meta.org_id), payload)

    return await idempotent(request, who, action)


def _existing_in_scope(request: Request, who: Principal, entity: str) -> str:
    """The path's row id after checking the caller may write it (404 / 403)."""
    row_id = request.path_params["id"]
    row = sb(request).store.get(entity, row_id)
    query_org = request.query_params.get("org_id")
    if row is None or (query_org and query_org != row["org_id"]):
        raise HttpError(404, f"{entity}/{row_id} not found")
    require_org(request, who, row["org_id"], write=True)
    return row_id


async def update_row(request: Request) -> Response:
    s, who, entity = sb(request), authenticate(request), entity_of(request)

    async def action() -> tuple[int, Any]:
        row_id = _existing_in_scope(request, who, entity)
        patch = await read_json(request, dict[str, Any])
        return 200, s.store.update(entity, row_id, patch, _if_match(request))

    return await idempotent(request, who, action)


async def delete_row(request: Request) -> Response:
    s, who, entity = sb(request), authenticate(request), entity_of(request)

    async def action() -> tuple[int, Any]:
        row_id = _existing_in_scope(request, who, entity)
        return 200, s.store.delete(entity, row_id, _if_match(request))

    return await idempotent(request, who, action)


async def create_draft(request: Request) -> Response:
    """A draft becomes a ``messages`` row in folder ``drafts`` (so sync brings it back)."""
    s, who = sb(request), authenticate(request)

    async def action() -> tuple[int, Any]:
        d = await read_json(request, Draft)
        org_id = _org_for_write(request, who, d.org_id)
        row = {"folder": "drafts", "from": who.user.email, "to": d.to, "cc": d.cc, "subject": d.subject,
               "body": d.body, "read": True}
        if d.entity and d.entity_id:
            row["related"] = {"entity": d.entity, "id": d.entity_id}
        return 201, s.store.create("messages", org_id, row)

    return await idempotent(request, who, action)


async def create_event(request: Request) -> Response:
    """An event becomes a ``calendar`` row; ending before it starts breaks a server rule (409)."""
    s, who = sb(request), authenticate(request)

    async def action() -> tuple[int, Any]:
        e = await read_json(request, CalendarEvent)
        if e.ends_at < e.starts_at:
            raise HttpError(409, "server rule: ends_at is before starts_at")
        org_id = _org_for_write(request, who, e.org_id)
        row = {"title": e.title, "starts_at": e.starts_at, "ends_at": e.ends_at, "attendees": e.attendees,
               "location": e.location, "organizer": who.user.email}
        return 201, s.store.create("calendar", org_id, row)

    return await idempotent(request, who, action)


async def audit_events(request: Request) -> Response:
    """202 and stored for ``/_sandbox/audit``; a batch with PII or a secret in clear is 400."""
    s, who = sb(request), authenticate(request)
    batch = await read_json(request, AuditBatch)
    for i, event in enumerate(batch.events):
        found = _SECRETISH.search(msgspec.json.encode(event).decode())
        if found:
            raise HttpError(400, "audit events must not carry PII or secrets in clear", {"event": i})
    s.audit.extend({"user": who.user.id, **e} for e in batch.events)
    return json_response(Accepted(accepted=len(batch.events)), 202)


async def ai_chat(request: Request) -> Response:
    authenticate(request)
    chat = await read_json(request, Chat)
    return json_response(assistant.chat_reply(chat.messages))


async def ai_workflow(request: Request) -> Response:
    s, who = sb(request), authenticate(request)
    req = await read_json(request, WorkflowRequest)
    row = s.store.get(req.entity, req.entity_id)
    if row is None or row.get("deleted"):
        raise HttpError(404, f"{req.entity}/{req.entity_id} not found")
    require_org(request, who, row["org_id"])
    needed = assistant.KIND_ENTITY.get(req.kind)
    if needed and needed != req.entity:
        raise HttpError(409, f"server rule: {req.kind} works on {needed}, not {req.entity}", server=row)
    return json_response(assistant.manifest(req, row))


ROUTES = [
    Route("/api/audit/events", audit_events, methods=["POST"]),
    Route("/api/ai/chat", ai_chat, methods=["POST"]),
    Route("/api/ai/workflow", ai_workflow, methods=["POST"]),
    by_method("/api/{entity:wb_entity}", GET=list_rows, POST=create_row),
    by_method("/api/{entity:wb_entity}/{id}", GET=get_row, PATCH=update_row, DELETE=delete_row),
    Route("/email/drafts", create_draft, methods=["POST"]),
    Route("/calendar/events", create_event, methods=["POST"]),
]
