"""The portal's web pages, so the desktop's portal window is tested against real HTML.

``GET /portal/login`` is the sign-in form (posted to ``/auth/login`` as a form), ``GET
/portal/`` the signed-in home (it shows the user's e-mail), ``GET /portal/<entity>/<id>``
a record. Without a valid ``wb_session`` cookie a page answers ``303`` to the login page
with ``next``. Every page carries a strict CSP: no script at all, styles and forms
from this origin only, no framing.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from urllib.parse import parse_qs, quote, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from workbuoy.sandbox.auth import COOKIE, AuthError, Principal
from workbuoy.sandbox.state import Sandbox
from workbuoy.schemas.base import ENTITIES

BASE = "/portal"
FORM = "application/x-www-form-urlencoded"
#: One link to another host, so clients can test how they treat links that leave the portal.
HELP_URL = "https://help.workbuoy.example/portal"
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
STYLE = """body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1b2631}
header{background:#14507a;color:#fff;padding:12px 24px;font-weight:600}
main{max-width:640px;margin:32px auto;background:#fff;padding:24px 32px;border-radius:8px}
label{display:block;margin:12px 0 4px}input{width:100%;padding:8px;box-sizing:border-box}
button{margin-top:16px;padding:8px 20px;background:#14507a;color:#fff;border:0;border-radius:4px}
.error{color:#b03a2e}dt{font-weight:600}a{color:#14507a}"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (f"<!doctype html><html lang=en><meta charset=utf-8><title>{escape(title)}</title>"
            f"<link rel=stylesheet href={BASE}/style.css><header>WorkBuoy</header><main>{body}</main></html>")
    return HTMLResponse(html, status, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"})


def safe_next(raw: str | None) -> str:
    """``next`` only if it is a path of this origin's portal; otherwise the home."""
    if not raw:
        return f"{BASE}/"
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not raw.startswith(f"{BASE}/") or "\\" in raw:
        return f"{BASE}/"
    return raw


def _signed_in(request: Request) -> Principal | None:
    sandbox: Sandbox = request.app.state.sandbox
    try:
        return sandbox.sessions.from_cookie(request.cookies.get(COOKIE, ""))
    except AuthError:
        return None


def _to_login(request: Request) -> Response:
    target = f"{BASE}/login?next={quote(request.url.path, safe='/')}"
    return HTMLResponse(f'<a href="{escape(target)}">Sign in</a>', 303, headers={"Location": target, "Content-Security-Policy": CSP})


def login_form(next_path: str, error: str = "", status: int = 200) -> HTMLResponse:
    message = f'<p class=error role=alert>{escape(error)}</p>' if error else ""
    return _page("Sign in - WorkBuoy", (
        f"<h1>Sign in</h1>{message}<form method=post action=/auth/login>"
        f"<input type=hidden name=next value=\"{escape(next_path)}\">"
        "<label for=email>E-mail</label><input id=email name=email type=email autocomplete=username autofocus required>"
        "<label for=password>Password</label>"
        "<input id=password name=password type=password autocomplete=current-password required>"
        "<button type=submit>Sign in</button></form>"), status)


async def login_page(request: Request) -> Response:
    return login_form(safe_next(request.query_params.get("next")))


async def form_login(request: Request, set_cookie: Callable[[Response, str], Response]) -> Response:
    """``/auth/login`` posted by the login page: 303 to ``next`` with the cookie, or the form again (401)."""
    sandbox: Sandbox = request.app.state.sandbox
    fields = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    next_path = safe_next(fields.get("next"))
    cookie = sandbox.sessions.login(fields.get("email", "")[:254], fields.get("password", "")[:1024])
    if cookie is None:
        return login_form(next_path, "Wrong e-mail or password.", 401)
    return set_cookie(Response(status_code=303, headers={"Location": next_path}), cookie)


async def home(request: Request) -> Response:
    if (who := _signed_in(request)) is None:
        return _to_login(request)
    sandbox: Sandbox = request.app.state.sandbox
    orgs = "".join(f"<li>{escape(o['name'])}</li>" for o in sandbox.data.orgs_of(who.user))
    first = f"{BASE}/deals/deal-1-0000000"
    return _page(f"WorkBuoy - {who.user.email}", (
        f"<h1>Welcome, {escape(who.user.name)}</h1><p id=who>Signed in as <b>{escape(who.user.email)}</b></p>"
        f"<h2>Your organisations</h2><ul>{orgs}</ul>"
        f'<p><a id=record href="{first}">A deal</a> · <a id=help href="{HELP_URL}">Help centre</a></p>'))


async def record(request: Request) -> Response:
    if (who := _signed_in(request)) is None:
        return _to_login(request)
    sandbox: Sandbox = request.app.state.sandbox
    entity, row_id = request.path_params["entity"], request.path_params["id"]
    row = sandbox.store.get(entity, row_id) if entity in ENTITIES else None
    if row is None or row.get("deleted") or who.user.roles_in(row["org_id"], sandbox.data.org_ids) is None:
        return _page("Not found - WorkBuoy", f"<h1>Not found</h1><p>No {escape(entity)} {escape(row_id)} for you.</p>", 404)
    fields = "".join(f"<dt>{escape(str(k))}</dt><dd>{escape(str(v))}</dd>" for k, v in row.items())
    return _page(f"{entity} {row_id} - WorkBuoy", f"<h1>{escape(entity)} {escape(row_id)}</h1><dl>{fields}</dl>"
                 f'<p><a href="{BASE}/">Home</a></p>')


async def style(request: Request) -> Response:
    return Response(STYLE, media_type="text/css", headers={"Content-Security-Policy": CSP})


ROUTES = [
    Route(BASE, home, methods=["GET"]),
    Route(f"{BASE}/", home, methods=["GET"]),
    Route(f"{BASE}/login", login_page, methods=["GET"]),
    Route(f"{BASE}/style.css", style, methods=["GET"]),
    Route(BASE + "/{entity}/{id}", record, methods=["GET"]),
]
