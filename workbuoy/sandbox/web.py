"""HTTP helpers shared by the public and admin routes: JSON in and out, errors.

Every error leaves as ``{"error": str, "detail"?: any}`` (the contract's shape),
raised as :class:`HttpError` from anywhere in a handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response

if TYPE_CHECKING:
    from workbuoy.sandbox.state import Sandbox

T = TypeVar("T")
JSON = "application/json"


def sb(request: Request) -> Sandbox:
    """The sandbox's state (data, sessions, faults) that the app carries."""
    return request.app.state.sandbox


class HttpError(Exception):
    """An error response; ``server`` is the server's row for 409/412 conflicts."""

    def __init__(self, status: int, error: str, detail: Any = None, *,
                 headers: dict[str, str] | None = None, server: dict[str, Any] | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.detail = detail
        self.headers = headers
        self.server = server

    def body(self) -> bytes:
        payload: dict[str, Any] = {"error": self.error}
        if self.detail is not None:
            payload["detail"] = self.detail
        if self.server is not None:
            payload["server"] = self.server
        return msgspec.json.encode(payload)

    def response(self) -> Response:
        return Response(self.body(), self.status, self.headers, media_type=JSON)


def json_response(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(msgspec.json.encode(obj), status, headers, media_type=JSON)


async def read_json(request: Request, into: type[T]) -> T:
    """The request body decoded and validated as ``into``; 415 unless it is declared JSON, 400 if invalid."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != JSON and not ctype.endswith("+json"):
        raise HttpError(415, "the request body must be application/json", ctype or None)
    raw = await request.body()
    try:
        return msgspec.json.decode(raw or b"null", type=into)
    except msgspec.ValidationError as exc:
        raise HttpError(400, "invalid request body", str(exc)) from None
    except msgspec.DecodeError as exc:
        raise HttpError(400, "request body is not JSON", str(exc)) from None
