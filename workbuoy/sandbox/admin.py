"""``/_sandbox/`` routes: steer and inspect the server from tests and the demo.

No authentication, but only loopback peers are served (403 otherwise), and no
fault is ever injected here.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from workbuoy.sandbox.api import by_method, entity_of
from workbuoy.sandbox.store import WriteError
from workbuoy.sandbox.web import JSON, HttpError, json_response, read_json, sb

DUMP_CHUNK = 2000


def _loopback_only(request: Request) -> None:
    host = request.client.host if request.client else ""
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise HttpError(403, "the sandbox admin API only answers loopback clients")


def _row_or_404(request: Request) -> tuple[str, str]:
    _loopback_only(request)
    return entity_of(request), request.path_params["id"]


async def get_row(request: Request) -> Response:
    entity, row_id = _row_or_404(request)
    row = sb(request).store.get(entity, row_id)
    if row is None:
        raise HttpError(404, f"{entity}/{row_id} not found")
    return json_response(row)


async def put_row(request: Request) -> Response:
    """Merge a JSON object into the row as a server-side change (creates it if absent)."""
    entity, row_id = _row_or_404(request)
    patch = await read_json(request, dict[str, Any])
    try:
        return json_response(sb(request).store.upsert(entity, row_id, patch))
    except WriteError as exc:
        raise HttpError(exc.status, str(exc), server=exc.row) from None


async def delete_row(request: Request) -> Response:
    entity, row_id = _row_or_404(request)
    try:
        return json_response(sb(request).store.delete(entity, row_id))
    except WriteError as exc:
        raise HttpError(exc.status, str(exc)) from None


async def dump_rows(request: Request) -> Response:
    """Every live row of a stream as one streamed ``{"items": [...]}`` (``?deleted=1`` adds tombstones)."""
    _loopback_only(request)
    s, entity = sb(request), entity_of(request)
    org_id = request.query_params.get("org_id", "")
    if org_id not in s.data.org_ids:
        raise HttpError(400, "org_id must name one of the sandbox orgs", list(s.data.org_ids))
    rows = s.store.live_rows(entity, org_id, deleted=request.query_params.get("deleted") == "1")

    async def body() -> AsyncIterator[bytes]:
        yield b'{"items":['
        chunk: list[Any] = []
        first = True
        for row in rows:
            chunk.append(row)
            if len(chunk) == DUMP_CHUNK:
                yield (b"" if first else b",") + msgspec.json.encode(chunk)[1:-1]
                chunk, first = [], False
        if chunk:
            yield (b"" if first else b",") + msgspec.json.encode(chunk)[1:-1]
        yield b"]}"

    return StreamingResponse(body(), media_type=JSON)


async def writes(request: Request) -> Response:
    _loopback_only(request)
    return json_response({"writes": sb(request).ledger.listing()})


async def requests(request: Request) -> Response:
    _loopback_only(request)
    return json_response({"requests": list(sb(request).stats.lines)})


async def stats(request: Request) -> Response:
    _loopback_only(request)
    s = sb(request)
    return json_response({"routes": s.stats.snapshot(), "faults": s.injector.counts})


async def get_faults(request: Request) -> Response:
    _loopback_only(request)
    return json_response(sb(request).injector.faults.to_dict())


async def put_faults(request: Request) -> Response:
    """Change some rates (others keep their value); the fault RNG restarts from the seed."""
    _loopback_only(request)
    s = sb(request)
    changes = await read_json(request, dict[str, Any])
    try:
        s.injector.set(s.injector.faults.merged(changes))
    except (TypeError, ValueError) as exc:
        raise HttpError(400, str(exc)) from None
    return json_response(s.injector.faults.to_dict())


async def revoke(request: Request) -> Response:
    _loopback_only(request)
    sb(request).sessions.revoke_all()
    return Response(status_code=204)


async def reset(request: Request) -> Response:
    _loopback_only(request)
    sb(request).reset()
    return Response(status_code=204)


async def audit(request: Request) -> Response:
    _loopback_only(request)
    return json_response({"events": sb(request).audit})


ROUTES = [
    Route("/_sandbox/rows/{entity:wb_entity}", dump_rows, methods=["GET"]),
    by_method("/_sandbox/rows/{entity:wb_entity}/{id}", GET=get_row, PUT=put_row, DELETE=delete_row),
    Route("/_sandbox/writes", writes, methods=["GET"]),
    Route("/_sandbox/stats", stats, methods=["GET"]),
    Route("/_sandbox/requests", requests, methods=["GET"]),
    by_method("/_sandbox/faults", GET=get_faults, PUT=put_faults),
    Route("/_sandbox/revoke", revoke, methods=["POST"]),
    Route("/_sandbox/reset", reset, methods=["POST"]),
    Route("/_sandbox/audit", audit, methods=["GET"]),
]
