"""The API client every actor that talks to the WorkBuoy API uses (sync, queue, audit, plugins).

Usage from an actor::

    api = ApiClient.for_actor(self)            # in start()
    resp = await api.request("GET", "/deals", params={"org_id": org, "limit": 200})
    page = decode(resp, MyPage, endpoint="deals")   # msgspec-validated, or ProtocolError
    ...
    await api.aclose()                          # in stop()

Why one client and not one per actor: the rules of the contract are the same for every
caller and are easy to get subtly wrong, so they live here once:

* **Credentials come from the bus** (``wb:auth:credentials``) and are reused for at most
  ``credentials_ttl`` seconds (10) and never past one second before their ``expiresAt``:
  asking for every request costs a bus round trip through two more processes per page,
  a third of the sync's time with small pages. A 401 asks again with ``forceRefresh: true``
  and retries once; a second 401 (or the auth actor answering ``unauthenticated``) raises
  :class:`Unauthenticated`.
* **Transient failures** (5xx, dropped connections, timeouts) are retried with exponential
  backoff and full jitter (``sleep = uniform(0, min(cap, base * 2**n))``), ``attempts``
  tries in all, then :class:`ServerUnavailable` — :class:`TransportError` when the last
  try got no HTTP answer at all (refused, dropped, timed out, TLS or proxy failure), so
  callers can tell "the server is not there" from "the server answered 5xx" without
  looking at exception internals. Full jitter keeps several actors that failed together
  from retrying in lockstep.
* **429** waits ``Retry-After`` (seconds or an HTTP date, capped by ``max_retry_after``);
  at most ``rate_limit_waits`` such waits, then :class:`RateLimited`.
* Any other 4xx raises :class:`Refused` carrying the contract's ``{"error", "detail"}``.
* A body that is not what the contract promises (HTML, truncated JSON, wrong types) is a
  :class:`ProtocolError`, from :func:`decode` or from an error body of the wrong shape,
  and is counted in ``protocol_errors{endpoint}``. It is not retried: the server answered,
  wrongly, and the caller must keep its last good data.

Every request is idempotent from this module's point of view: it is the caller's job to
send ``Idempotency-Key`` on writes (``headers=``) so a retried POST cannot apply twice.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, Literal, Protocol

import httpx
import msgspec

from workbuoy import logs as wblog
from workbuoy import metrics
from workbuoy.backoff import full_jitter
from workbuoy.api_errors import (  # noqa: F401  re-exported: callers import the errors from here
    ApiError,
    ErrorBody,
    ProtocolError,
    RateLimited,
    Refused,
    ServerUnavailable,
    TransportError,
    Unauthenticated,
    api_result,
    bus_error,
    decode,
    protocol_error,
)
from workbuoy.api_urls import Base, resolve
from workbuoy.bus.errors import BusError
from workbuoy.schemas.auth import Credentials, CredentialsRequest

log = wblog.create("api")

#: ``(reason, seconds)`` before a retry sleep: reason is ``"rate_limited"`` or ``"transient"``.
WaitHook = Callable[[Literal["rate_limited", "transient"], float], None]
CredentialSource = Callable[[bool], Awaitable[Credentials]]


class _Caller(Protocol):
    async def call(self, channel: str, payload: Any = None, *, timeout: float = 10.0) -> Any: ...


def retry_after(value: str | None, *, default: float, cap: float) -> float:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if value is None:
        return default
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return default
    return min(max(seconds, 0.0), cap)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process's one TLS context: each parses the CA bundle (~1.8 MiB), so clients share it.

    Made as httpx makes its own (``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` honoured). The zygote
    makes it before it forks, so every forked actor shares those pages too.
    """
    return httpx.create_ssl_context()


class ApiClient:
    """An ``httpx.AsyncClient`` wrapper that applies the contract's auth and retry rules."""

    def __init__(
        self,
        credentials: CredentialSource,
        *,
        attempts: int = 5,
        backoff_base: float = 0.2,
        backoff_cap: float = 8.0,
        rate_limit_waits: int = 10,
        max_retry_after: float = 60.0,
        timeout: float = 30.0,
        max_connections: int = 20,
        credentials_ttl: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._credentials = credentials
        self.credentials_ttl = credentials_ttl
        self._cached: tuple[Credentials, float] | None = None  # and its monotonic deadline
        self.attempts = attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.rate_limit_waits = rate_limit_waits
        self.max_retry_after = max_retry_after
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        # Cookies come from the auth actor on every request; httpx's jar would keep a stale
        # (or revoked) session and send it along, so it is emptied after every response.
        self._http = httpx.AsyncClient(timeout=timeout, limits=limits, transport=transport, follow_redirects=False,
                                       verify=tls_context())

    @classmethod
    def for_actor(cls, actor: _Caller, **kwargs: Any) -> ApiClient:
        """A client whose credentials come from ``wb:auth:credentials`` through ``actor.call``."""

        async def credentials(force: bool) -> Credentials:
            try:
                return await actor.call("wb:auth:credentials", CredentialsRequest(force_refresh=force))
            except BusError as exc:
                if exc.code == "unauthenticated":
                    raise Unauthenticated(exc.message) from None
                raise ServerUnavailable(f"no credentials: {exc.message}") from None

        return cls(credentials, **kwargs)

    async def aclose(self) -> None:
        await self._http.aclose()

    def forget_credentials(self) -> None:
        """Drop the cached credentials: the session changed (signed in, out, or at another origin),
        so the next call asks again instead of using the old origin's for up to ``credentials_ttl``."""
        self._cached = None

    async def request(
        self,
        method: str,
        url: str,
        *,
        endpoint: str | None = None,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        on_wait: WaitHook | None = None,
        renew_on_401: bool = True,
        base: Base = "api",
    ) -> httpx.Response:
        """Send one request with credentials and retries; returns a 2xx or 304 response.

        ``url`` is absolute or a path under ``base`` of the session's origin (``"/deals"``
        under the API; ``base="email"`` for ``"/drafts"``), read from the credentials at each
        attempt, so a call follows the origin the user is signed in at. ``endpoint`` labels
        protocol errors and the call's duration (default: the first path segment).
        ``renew_on_401=False`` is for the portal's own sign-in calls, where a 401 is the
        answer, not a stale token. Every call, whatever its end, is observed once in
        ``api_request_duration{endpoint,method,status_class}``: ``2xx``…``5xx`` from the last
        answer, ``none`` when there was none (unreachable, no credentials, cancelled).
        """
        endpoint = endpoint or url.lstrip("/").split("/", 1)[0].split("?", 1)[0] or "api"
        started = time.monotonic()
        status_class = "none"
        try:
            resp = await self._send(method, url, base, endpoint, params, json, headers, on_wait, renew_on_401)
            status_class = f"{resp.status_code // 100}xx"
            return resp
        except ApiError as exc:
            status_class = f"{exc.status // 100}xx" if exc.status else "none"
            raise
        finally:
            metrics.api_request_duration.labels(endpoint, method, status_class).observe(time.monotonic() - started)

    async def _send(
        self,
        method: str,
        url: str,
        base: Base,
        endpoint: str,
        params: Mapping[str, str | int] | None,
        json: Any,
        headers: Mapping[str, str] | None,
        on_wait: WaitHook | None,
        renew_on_401: bool,
    ) -> httpx.Response:
        """:meth:`request` without the measuring: the contract's retry and renewal loop.

        Over 50 lines: one loop whose branches are the contract's answer codes, read in order.
        """
        failures = rate_waits = 0
        renewed = force = False
        while True:
            creds = await self._headers(force)
            force = False
            target = resolve(creds, base, url)
            try:
                resp = await self._http.request(
                    method, target, params=params, json=json, headers={**(headers or {}), **creds.headers}
                )
            except httpx.TransportError as exc:
                self._http.cookies.clear()
                failures += 1
                await self._backoff(failures, f"{type(exc).__name__}: {exc}", 0, on_wait, type(exc).__name__)
                continue
            self._http.cookies.clear()
            status = resp.status_code
            if status < 300 or status == 304:
                return resp
            if status == 401 and renew_on_401 and not renewed:
                renewed = force = True
                continue
            if status == 401:
                raise Unauthenticated(f"{endpoint}: {self._error_body(resp, endpoint).error}", 401)
            if status == 429:
                rate_waits += 1
                if rate_waits > self.rate_limit_waits:
                    raise RateLimited(f"{endpoint}: still rate limited after {self.rate_limit_waits} waits", 429)
                delay = retry_after(resp.headers.get("retry-after"), default=1.0, cap=self.max_retry_after)
                if on_wait is not None:
                    on_wait("rate_limited", delay)
                await asyncio.sleep(delay)
                continue
            if status >= 500:
                failures += 1
                await self._backoff(failures, f"HTTP {status}", status, on_wait)
                continue
            body = self._error_body(resp, endpoint)
            error = Refused(f"{endpoint}: HTTP {status}: {body.error}", status, body.detail)
            error.server = body.server
            raise error

    async def _headers(self, force: bool) -> Credentials:
        now = time.monotonic()
        if not force and self._cached is not None and now < self._cached[1]:
            return self._cached[0]
        creds = await self._credentials(force)
        ttl = self.credentials_ttl
        if creds.expires_at:
            ttl = min(ttl, creds.expires_at / 1000 - time.time() - 1.0)
        self._cached = (creds, now + ttl) if ttl > 0 else None
        return creds

    async def _backoff(self, failures: int, reason: str, status: int, on_wait: WaitHook | None,
                       transport: str | None = None) -> None:
        """Sleep before the next try, or raise once ``attempts`` are used (``transport``: the
        httpx error's name when there was no answer)."""
        if failures >= self.attempts:
            if transport is not None:
                raise TransportError(f"{reason} ({failures} attempts)", transport)
            raise ServerUnavailable(f"{reason} ({failures} attempts)", status)
        delay = full_jitter(failures, self.backoff_base, self.backoff_cap)
        log.debug("transient failure (%s), retry %d in %.2fs", reason, failures, delay)
        if on_wait is not None:
            on_wait("transient", delay)
        await asyncio.sleep(delay)

    @staticmethod
    def _error_body(resp: httpx.Response, endpoint: str) -> ErrorBody:
        try:
            return msgspec.json.decode(resp.content, type=ErrorBody)
        except (msgspec.DecodeError, msgspec.ValidationError):
            raise protocol_error(endpoint, f"{endpoint}: HTTP {resp.status_code} without a JSON error body",
                                 resp.status_code) from None
