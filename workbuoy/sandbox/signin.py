"""Sign-in routes (``/auth/login``, ``/auth/refresh``, ``/auth/logout``, ``/api/me``) and who a caller is.

Every public route starts with :func:`authenticate` and, for org data, :func:`require_org`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from workbuoy.sandbox import portal
from workbuoy.sandbox.auth import COOKIE, SESSION_TTL_S, AuthError, Principal
from workbuoy.sandbox.models import Login, LoginReply, Me, Token, User
from workbuoy.sandbox.web import HttpError, json_response, read_json, sb


def authenticate(request: Request) -> Principal:
    """The caller from ``Authorization: Bearer`` (preferred when present) or the session cookie."""
    sessions = sb(request).sessions
    auth = request.headers.get("authorization")
    try:
        if auth is not None:
            scheme, _, token = auth.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise AuthError("expected Authorization: Bearer <access_token>")
            return sessions.from_token(token.strip())
        cookie = request.cookies.get(COOKIE)
        if not cookie:
            raise AuthError("no credentials: send the wb_session cookie or a bearer token")
        return sessions.from_cookie(cookie)
    except AuthError as exc:
        raise HttpError(401, "unauthorized", str(exc), headers={"WWW-Authenticate": 'Bearer realm="workbuoy"'}) from None


def require_org(request: Request, who: Principal, org_id: str, *, write: bool = False) -> None:
    roles = who.user.roles_in(org_id, sb(request).data.org_ids)
    if roles is None:
        raise HttpError(403, f"no access to org {org_id!r}")
    if write and not any(r != "viewer" for r in roles):
        raise HttpError(403, f"roles {roles} in {org_id} are read-only")


async def me(request: Request) -> Response:
    s, who = sb(request), authenticate(request)
    u = who.user
    return json_response(Me(user=User(id=u.id, email=u.email, name=u.name), orgs=s.data.orgs_of(u)))


def _with_cookie(response: Response, value: str) -> Response:
    response.set_cookie(COOKIE, value, max_age=SESSION_TTL_S, path="/", httponly=True, samesite="lax")
    return response


async def login(request: Request) -> Response:
    s = sb(request)
    if request.headers.get("content-type", "").split(";")[0].strip().lower() == portal.FORM:
        return await portal.form_login(request, _with_cookie)
    body = await read_json(request, Login)
    cookie = s.sessions.login(body.email, body.password)
    if cookie is None:
        raise HttpError(401, "invalid e-mail or password")
    who = s.sessions.from_cookie(cookie)
    u = who.user
    return _with_cookie(json_response(LoginReply(user=User(id=u.id, email=u.email, name=u.name))), cookie)


async def refresh(request: Request) -> Response:
    """A fresh access token; the cookie value is rotated (same session, so the old value stays valid)."""
    s = sb(request)
    try:
        who = s.sessions.from_cookie(request.cookies.get(COOKIE, ""))
    except AuthError as exc:
        raise HttpError(401, "unauthorized", str(exc)) from None
    token = Token(access_token=s.sessions.issue_token(who), token_type="Bearer", expires_in=s.sessions.token_ttl)
    return _with_cookie(json_response(token), s.sessions.rotate_cookie(who))


async def logout(request: Request) -> Response:
    """Revokes the caller's session (and its tokens); always 204 so logging out cannot fail."""
    s = sb(request)
    try:
        s.sessions.revoke(authenticate(request))
    except HttpError:
        pass
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
    return response


ROUTES = [
    Route("/auth/login", login, methods=["POST"]),
    Route("/auth/refresh", refresh, methods=["POST"]),
    Route("/auth/logout", logout, methods=["POST"]),
    Route("/api/me", me, methods=["GET"]),
]
