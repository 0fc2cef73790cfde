"""What an API call can end with, and the one way each ending becomes a metric label or a bus error.

Split from ``workbuoy.api`` (which re-exports every name, so callers import from there):
the client is the retry loop, this is the vocabulary its callers share.
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
import msgspec

from workbuoy import metrics
from workbuoy.bus.errors import BusError

T = TypeVar("T")


class ApiError(Exception):
    """Base of every failure of :meth:`ApiClient.request`; ``status`` is 0 without a response."""

    def __init__(self, message: str, status: int = 0, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail


class Unauthenticated(ApiError):
    """Signed out, or the session was refused even after one forced renewal."""


class Refused(ApiError):
    """A 4xx other than 401/429, with the server's ``error`` text and ``detail``; a 409/412
    conflict also carries the server's current row as ``server`` (the queue keeps it for the user)."""

    server: dict[str, Any] | None = None


class ServerUnavailable(ApiError):
    """5xx or a broken connection on every attempt."""


class TransportError(ServerUnavailable):
    """No HTTP answer on the last attempt: the connection was refused, dropped or timed out,
    or TLS / a proxy failed. ``cause`` names the httpx error (``ConnectError``, ``ReadTimeout``, …)."""

    def __init__(self, message: str, cause: str) -> None:
        super().__init__(message)
        self.cause = cause


class RateLimited(ApiError):
    """Still 429 after the allowed number of ``Retry-After`` waits."""


class ProtocolError(ApiError):
    """The server answered something the contract does not allow."""


def api_result(exc: ApiError) -> str:
    """A metric's one-word name for how a call failed."""
    if isinstance(exc, Unauthenticated):
        return "unauthenticated"
    if isinstance(exc, ProtocolError):
        return "invalid"
    return "refused" if isinstance(exc, Refused) else "unavailable"


def bus_error(exc: ApiError, doing: str) -> BusError:
    """The bus error an API failure becomes, the one mapping every actor uses; ``doing`` says what failed.

    Signed out is ``unauthenticated``; a request the server refused or answered wrongly is
    ``failed`` (retrying the same will not help); anything else (5xx, unreachable, rate
    limited) is ``unavailable``.
    """
    if isinstance(exc, Unauthenticated):
        return BusError("unauthenticated", f"{doing}: {exc.message}")
    if isinstance(exc, Refused | ProtocolError):
        return BusError("failed", f"{doing}: {exc.message}", exc.detail)
    return BusError("unavailable", f"{doing}: the server is unreachable: {exc.message}")


class ErrorBody(msgspec.Struct):
    error: str
    detail: Any = None
    server: dict[str, Any] | None = None


def decode(response: httpx.Response, into: type[T], *, endpoint: str) -> T:
    """The JSON body validated as ``into``; anything else is a counted :class:`ProtocolError`."""
    try:
        return msgspec.json.decode(response.content, type=into)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise protocol_error(endpoint, f"bad {endpoint} response: {exc}", response.status_code) from None


def protocol_error(endpoint: str, message: str, status: int = 0) -> ProtocolError:
    """A :class:`ProtocolError`, counted once in ``protocol_errors{endpoint}``."""
    metrics.protocol_errors.labels(endpoint=endpoint).inc()
    return ProtocolError(message, status)
