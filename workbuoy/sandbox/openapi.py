"""The OpenAPI 3.1 description of every public route, built from the same msgspec
models the handlers validate with. Contract gaps the sandbox decides are stated
in the ``description`` fields (and in ``docs/sandbox.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from workbuoy.sandbox import models as m
from workbuoy.sandbox.faults import RETRY_AFTER_S
from workbuoy.schemas.base import ENTITIES

if TYPE_CHECKING:
    from workbuoy.sandbox.state import Sandbox

_MODELS = (
    m.Row, m.Error, m.ConflictError, m.Login, m.LoginReply, m.Me, m.Token, m.Page, m.NewRow, m.Draft,
    m.CalendarEvent, m.AuditBatch, m.Accepted, m.Chat, m.ChatReply, m.WorkflowRequest, m.Manifest, m.Release,
)
ID_PATTERN = r"^[A-Za-z0-9_.:@\-]{1,128}$"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        out["headers"] = headers
    return out


def _error(description: str) -> dict[str, Any]:
    return _json(ref("Error"), description)


def _header(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "schema": schema or {"type": "string"}}


TRANSIENT = {
    "429": _json(ref("Error"), "Rate limited (fault injection).",
                 {"Retry-After": _header(f"Seconds to wait (the sandbox says {RETRY_AFTER_S}).", {"type": "integer"})}),
    "5XX": _error("Transient server failure (fault injection; 500, 502 or 503)."),
}
UNAUTHORIZED = {"401": _json(ref("Error"), "Missing, unknown, expired or revoked session/token.",
                             {"WWW-Authenticate": _header("`Bearer realm=\"workbuoy\"`")})}
FORBIDDEN = {"403": _error("The user has no role in that org, or only the read-only `viewer` role for a write.")}
INVALID = {"400": _error("Malformed body, query or header; `detail` says what.")}
BAD_REQUEST = {**INVALID, "415": _error("A request body that is not declared `application/json`.")}
SECURED = [{"cookieAuth": []}, {"bearerAuth": []}]


def _param(name: str, where: str, schema: dict[str, Any], description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required or where == "path", "schema": schema,
            "description": description}


ENTITY = _param("entity", "path", {"type": "string", "enum": list(ENTITIES)}, "The entity (stream).")
ROW_ID = _param("id", "path", {"type": "string", "pattern": ID_PATTERN, "examples": ["deal-1-0000000"]},
                "Row id (base rows are `<prefix>-<org number>-<7-digit index>`).")
ORG_QUERY = _param("org_id", "query", {"type": "string", "pattern": ID_PATTERN, "examples": ["org-1"]},
                   "The org; for writes it may come from the body instead (both given must agree).")
IDEMPOTENCY = _param(
    "Idempotency-Key", "header", {"type": "string", "minLength": 1, "maxLength": 255},
    "Required on writes. Keys are scoped per user, method and path. A replay (same query, If-Match and "
    "canonical JSON body) of a 2xx returns that status and body with `Idempotent-Replayed: true` and changes "
    "nothing; after a 4xx (which changed nothing) the same key is evaluated afresh.",
    required=True)
IF_MATCH = _param("If-Match", "header", {"type": "string", "pattern": r'^\s*(\*|(W/)?"?-?[0-9]+"?)?\s*$'},
                  "The `updated_at` of the client's base version (quotes and `W/` tolerated; `*` or empty: any). "
                  "Mismatch is 412 with the server row.")


def _write_responses(ok: str, ok_status: str = "200", *, conflict: str = "", precondition: bool = False,
                     missing: bool = False, body: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {ok_status: _json(ref("Row"), ok), **(BAD_REQUEST if body else INVALID),
                           **UNAUTHORIZED, **FORBIDDEN}
    if missing:
        out["404"] = _error("No such row (or not in the given `org_id`).")
    if conflict:
        out["409"] = _json(ref("ConflictError"), conflict)
    if precondition:
        out["412"] = _json(ref("ConflictError"), "`If-Match` does not match the server row's `updated_at`.")
    out["422"] = _error("The Idempotency-Key was already used on this route for a request with another query, "
                        "If-Match or body.")
    return {**out, **TRANSIENT}


def _op(summary: str, description: str, responses: dict[str, Any], *, params: list[dict[str, Any]] | None = None,
        body: str | dict[str, Any] | None = None, secured: bool = True) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "description": description, "responses": responses}
    if params:
        op["parameters"] = params
    if body:
        schema = ref(body) if isinstance(body, str) else body
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    if secured:
        op["security"] = SECURED
    return op


_PAGE_HEADERS = {
    "ETag": _header("Strong validator of this page (its rows' ids and versions, cursor and has_more)."),
    "Last-Modified": _header("One second after the stream's newest change (HTTP dates have second "
                             "resolution; later changes are stamped at or after it, so If-Modified-Since is exact)."),
    "Cache-Control": _header("`no-cache`: revalidate every time."),
}


def _signin_paths(token_ttl: int) -> dict[str, Any]:
    """The portal home, /auth/* and /api/me."""
    return {
        "/portal": {"get": _op("Portal home", "The signed-in home page (HTML; shows the user's e-mail); without "
                               "a valid `wb_session` cookie a 303 to `/portal/login?next=/portal`. The other portal pages "
                               "(`/portal/login`, `/portal/<entity>/<id>`) are HTML, described in docs/sandbox.md.",
                               {"200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}},
                                "303": {"description": "Not signed in: to the login page.",
                                        "headers": {"Location": _header("`/portal/login?next=…`")},
                                        "content": {"text/html": {"schema": {"type": "string"}}}}},
                               secured=False)},
        "/auth/login": {"post": _op(
            "Log in", "Seeded users: `demo@workbuoy.test`/`demo-password` (every org, roles admin+sales) and "
            "`viewer@workbuoy.test`/`viewer-password` (org-1, role viewer, read-only).",
            {"200": _json(ref("LoginReply"), "Logged in.", {"Set-Cookie": _header("`wb_session=…; HttpOnly; Path=/`")}),
             **BAD_REQUEST, "401": _error("Bad credentials."), **TRANSIENT},
            body="Login", secured=False)},
        "/auth/refresh": {"post": _op(
            "Access token from the session cookie",
            f"Needs the `wb_session` cookie (a bearer token is not accepted here). Tokens live {token_ttl} s. "
            "The cookie value is rotated with `Set-Cookie` (same session: the previous value stays valid; "
            "logout or revoke ends both).",
            {"200": _json(ref("Token"), "A bearer token.", {"Set-Cookie": _header("The rotated session cookie.")}),
             "401": _error("No, unknown, expired or revoked session."), **TRANSIENT},
            params=[_param("wb_session", "cookie", {"type": "string"}, "The session cookie.")], secured=False)},
        "/auth/logout": {"post": _op(
            "Log out", "Revokes the session of the cookie or token (and every token issued from it) and clears the "
            "cookie. Always 204, also without valid credentials, so logging out cannot fail.",
            {"204": {"description": "Logged out."}, **TRANSIENT}, secured=False)},
        "/api/me": {"get": _op("The user and their orgs", "Roles drive RBAC.",
                               {"200": _json(ref("Me"), "The caller."), **UNAUTHORIZED, **TRANSIENT})},
    }


def _entity_paths() -> dict[str, Any]:
    """Pull, read and write rows of the seven entities."""
    return {
        "/api/{entity}": {
            "get": _op(
                "Pull a page of rows",
                "Rows in `(updated_at, id)` order after the cursor. The cursor is a signed position "
                "`(entity, org, updated_at, id)`: valid across restarts of a server with the same `--seed`, and "
                "a tampered or other-stream cursor is 400. `next_cursor` is the last row's position (the given "
                "cursor when the page is empty). A row changed server-side gets an `updated_at` above every "
                "other, so it reappears after the checkpoint. If-None-Match wins over If-Modified-Since.",
                {"200": _json(ref("Page"), "A page.", _PAGE_HEADERS),
                 "304": {"description": "The page would not change (no body).", "headers": _PAGE_HEADERS},
                 **INVALID, **UNAUTHORIZED, **FORBIDDEN,
                 "404": _error("Unknown entity."), **TRANSIENT},
                params=[ENTITY, {**ORG_QUERY, "required": True, "description": "The org."},
                        _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 200},
                               "Page size; anything else is 400."),
                        _param("cursor", "query", {"type": "string"}, "Opaque; omit to start from the beginning."),
                        _param("If-None-Match", "header", {"type": "string"}, "An ETag of this page."),
                        _param("If-Modified-Since", "header", {"type": "string"}, "A Last-Modified of this page.")]),
            "post": _op(
                "Create a row", "Body: the row's fields; `id` optional (assigned when absent), `org_id` from the "
                "body or the query. `updated_at`, `created_at` and `deleted` are the server's and ignored.",
                _write_responses("The created row.", "201", conflict="The id exists (tombstones included); `server` is "
                                 "the server's row.") | {"404": _error("Unknown entity.")},
                params=[ENTITY, ORG_QUERY, IDEMPOTENCY], body="NewRow"),
        },
        "/api/{entity}/{id}": {
            "get": _op("One row", "The server's version, tombstones included (sandbox extension).",
                       {"200": _json(ref("Row"), "The row."), **UNAUTHORIZED, **FORBIDDEN,
                        "404": _error("No such row."), **TRANSIENT},
                       params=[ENTITY, ROW_ID]),
            "patch": _op(
                "Update a row", "A one-level JSON merge patch (`null` removes a field). `id`/`org_id` may be "
                "repeated but not changed (400); server fields are ignored.",
                _write_responses("The updated row.", precondition=True, missing=True,
                                 conflict="The row is deleted; `server` is the tombstone."),
                params=[ENTITY, ROW_ID, ORG_QUERY, IDEMPOTENCY, IF_MATCH],
                body={"type": "object"}),
            "delete": _op(
                "Delete a row", "Replaces the row by a tombstone and returns it. Deleting a tombstone returns it "
                "unchanged (200).",
                _write_responses("The tombstone.", precondition=True, missing=True, body=False),
                params=[ENTITY, ROW_ID, ORG_QUERY, IDEMPOTENCY, IF_MATCH]),
        },
    }


def _other_paths() -> dict[str, Any]:
    """Audit, AI, e-mail drafts, calendar events and the update feed."""
    return {
        "/api/audit/events": {"post": _op(
            "Upload audit events", "Stored (see `/_sandbox/audit`). A batch in which any event carries an e-mail "
            "address, a bearer token or a signed sandbox value in clear is refused whole with 400 "
            "(`detail.event` is its index). Idempotency-Key is not required here.",
            {"202": _json(ref("Accepted"), "Accepted."), **BAD_REQUEST, **UNAUTHORIZED, **TRANSIENT},
            body="AuditBatch")},
        "/api/ai/chat": {"post": _op(
            "Assistant chat", "A deterministic canned reply built from the request; it says it is the sandbox.",
            {"200": _json(ref("ChatReply"), "The reply."), **BAD_REQUEST, **UNAUTHORIZED, **TRANSIENT}, body="Chat")},
        "/api/ai/workflow": {"post": _op(
            "Workflow manifest", "Steps derived from the target row (times from its `updated_at`).",
            {"200": _json(ref("Manifest"), "The manifest."), **BAD_REQUEST, **UNAUTHORIZED, **FORBIDDEN,
             "404": _error("No such (live) row."),
             "409": _json(ref("ConflictError"), "Server rule: `close_deal` needs `deals`, `escalate_ticket` needs "
                          "`tickets`; `server` is the row."), **TRANSIENT}, body="WorkflowRequest")},
        "/email/drafts": {"post": _op(
            "Create an e-mail draft", "Stored as a `messages` row with `folder: \"drafts\"` (so pull sync returns it).",
            _write_responses("The draft's row.", "201"), params=[ORG_QUERY, IDEMPOTENCY], body="Draft")},
        "/calendar/events": {"post": _op(
            "Create a calendar event", "Stored as a `calendar` row.",
            _write_responses("The event's row.", "201", conflict="Server rule: `ends_at` is before `starts_at` "
                             "(no `server` row)."), params=[ORG_QUERY, IDEMPOTENCY],
            body="CalendarEvent")},
        "/repos/workbuoy/desktop/releases": {"get": _op(
            "Update feed", "GitHub-Releases-shaped, newest first: the releases in --releases DIR, else a placeholder.",
            {"200": _json({"type": "array", "items": ref("Release")}, "Releases.")}, secured=False)},
    }


def build_openapi(sandbox: Sandbox) -> dict[str, Any]:
    _, schemas = msgspec.json.schema_components(_MODELS, ref_template="#/components/schemas/{name}")
    schemas["Row"]["description"] = (
        "A row: `id`, `org_id`, `updated_at` (ms since the epoch) plus the entity's own fields; a tombstone is "
        "`{id, org_id, updated_at, deleted: true}`. Extra properties are allowed.")
    paths = {**_signin_paths(sandbox.settings.token_ttl), **_entity_paths(), **_other_paths()}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "WorkBuoy sandbox API", "version": "1",
            "description": "The sandbox implementation of the WorkBuoy portal/API contract. Every 4xx/5xx body is "
            "`{error, detail?}`. Faults (fail/429/latency/reset/garbage) apply to /api, /email, /calendar and "
            "/auth only. Admin routes under `/_sandbox/` are not part of this API (see docs/sandbox.md).",
        },
        "servers": [{"url": sandbox.origin}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "wb_session"},
                "bearerAuth": {"type": "http", "scheme": "bearer"},
            },
        },
    }
