"""Assembles the ASGI application: routes, error shapes, fault injection, counters."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from workbuoy.sandbox import admin, api, portal, releases, signin
from workbuoy.sandbox.faults import FaultInjector
from workbuoy.sandbox.openapi import build_openapi
from workbuoy.sandbox.state import Sandbox, Settings
from workbuoy.sandbox.stats import RequestStats
from workbuoy.sandbox.web import HttpError, json_response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HttpError)
    return exc.response()


async def _starlette_error(request: Request, exc: Exception) -> Response:
    """Routing errors (unknown path, wrong method) in the contract's error shape."""
    assert isinstance(exc, HTTPException)
    return HttpError(exc.status_code, exc.detail, headers=exc.headers).response()


async def _internal_error(request: Request, exc: Exception) -> Response:
    return HttpError(500, "internal server error", type(exc).__name__).response()


async def _openapi(request: Request) -> Response:
    return json_response(request.app.state.openapi)


def build_app(settings: Settings, origin: str) -> tuple[RequestStats, Sandbox]:
    """The ASGI app to serve (outermost middleware first) and its state."""
    sandbox = Sandbox(settings, origin)
    app = Starlette(
        routes=[*signin.ROUTES, *api.ROUTES, *releases.ROUTES, *portal.ROUTES, *admin.ROUTES,
                Route("/openapi.json", _openapi, methods=["GET"])],
        exception_handlers={HttpError: _http_error, HTTPException: _starlette_error, Exception: _internal_error},
    )
    app.state.sandbox = sandbox
    app.state.openapi = build_openapi(sandbox)
    sandbox.injector = FaultInjector(app, settings.seed, settings.faults)
    sandbox.stats = RequestStats(sandbox.injector, app.router)
    return sandbox.stats, sandbox
