"""``workbuoy.api``: the retry, renewal and protocol rules, against an in-process transport."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
import msgspec
import pytest

from workbuoy import metrics
from workbuoy.api import (
    ApiClient, Refused, ProtocolError, RateLimited, ServerUnavailable, Unauthenticated, decode, retry_after,
)
from workbuoy.schemas.auth import Credentials

pytestmark = pytest.mark.timeout(60)


class Server:
    """Answers from a script, one response per request, and records what it saw."""

    def __init__(self, *script: httpx.Response | Exception) -> None:
        self.script = list(script)
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


def client(server: Server, forced: list[bool], **kwargs) -> ApiClient:
    async def credentials(force: bool) -> Credentials:
        forced.append(force)
        return Credentials(headers={"Authorization": f"Bearer t{len(forced)}"}, expires_at=0,
                           api_base="http://api.test/api", portal_base="http://api.test/portal",
                           email_base="http://api.test/email", cal_base="http://api.test/calendar")

    kwargs.setdefault("backoff_base", 0.001)
    return ApiClient(credentials, transport=httpx.MockTransport(server), **kwargs)


def run(server: Server, forced: list[bool] | None = None, **kwargs) -> Callable:
    def go(*args, **kw):
        async def main():
            api = client(server, forced if forced is not None else [], **kwargs)
            try:
                return await api.request(*args, **kw)
            finally:
                await api.aclose()

        return asyncio.run(main())

    return go


def ok(body: object = None, **kw) -> httpx.Response:
    return httpx.Response(200, json=body if body is not None else {"ok": True}, **kw)


def test_a_401_renews_once_and_retries_once():
    forced: list[bool] = []
    server = Server(httpx.Response(401, json={"error": "expired"}), ok())
    resp = run(server, forced)("GET", "/deals")
    assert resp.status_code == 200 and forced == [False, True]
    assert [r.headers["authorization"] for r in server.seen] == ["Bearer t1", "Bearer t2"]
    assert str(server.seen[0].url) == "http://api.test/api/deals"

    twice = Server(httpx.Response(401, json={"error": "no"}), httpx.Response(401, json={"error": "no"}))
    with pytest.raises(Unauthenticated):
        run(twice)("GET", "/deals")
    assert len(twice.seen) == 2


def test_transient_failures_back_off_and_are_bounded():
    server = Server(httpx.Response(503, json={"error": "x"}), httpx.ConnectError("refused"), ok())
    assert run(server)("GET", "/deals").status_code == 200
    down = Server(*[httpx.Response(502, text="<html>") for _ in range(4)])
    with pytest.raises(ServerUnavailable, match="4 attempts"):
        run(down, attempts=4)("GET", "/deals")
    assert len(down.seen) == 4


def test_rate_limits_wait_for_retry_after_then_give_up():
    server = Server(httpx.Response(429, headers={"Retry-After": "0.3"}, json={"error": "slow"}), ok())
    waits: list[tuple[str, float]] = []
    started = time.monotonic()
    run(server)("GET", "/deals", on_wait=lambda reason, s: waits.append((reason, s)))
    assert time.monotonic() - started >= 0.3 and waits == [("rate_limited", 0.3)]
    limited = Server(*[httpx.Response(429, headers={"Retry-After": "0"}, json={"error": "x"}) for _ in range(3)])
    with pytest.raises(RateLimited):
        run(limited, rate_limit_waits=2)("GET", "/deals")


def test_retry_after_accepts_seconds_and_dates_and_is_capped():
    assert retry_after("2", default=1, cap=60) == 2
    assert retry_after(None, default=1, cap=60) == 1
    assert retry_after("999", default=1, cap=60) == 60
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", default=1, cap=60) == 0  # in the past
    assert retry_after("soon", default=1.5, cap=60) == 1.5


def test_client_errors_carry_the_contract_body_and_bad_bodies_are_protocol_errors():
    with pytest.raises(Refused) as err:
        run(Server(httpx.Response(403, json={"error": "no access", "detail": "org-9"})))("GET", "/deals")
    assert err.value.status == 403 and err.value.detail == "org-9"
    before = metrics.protocol_errors.labels(endpoint="deals")._value.get()
    with pytest.raises(ProtocolError):
        run(Server(httpx.Response(404, text="<html>not found</html>")))("GET", "/deals")
    resp = run(Server(httpx.Response(200, content=b'{"items": [')))("GET", "/deals")
    with pytest.raises(ProtocolError):
        decode(resp, dict, endpoint="deals")
    assert metrics.protocol_errors.labels(endpoint="deals")._value.get() == before + 2


def test_the_cookie_jar_is_never_sent():
    server = Server(ok(headers={"Set-Cookie": "wb_session=stale; Path=/"}), ok())

    async def twice():
        api = client(server, [])
        await api.request("GET", "/a")
        await api.request("GET", "/b")
        await api.aclose()

    asyncio.run(twice())
    assert "cookie" not in server.seen[1].headers


def test_decode_validates_types():
    class Body(msgspec.Struct):
        n: int

    assert decode(httpx.Response(200, json={"n": 1}), Body, endpoint="x").n == 1
    with pytest.raises(ProtocolError):
        decode(httpx.Response(200, json={"n": "one"}), Body, endpoint="x")


def test_credentials_are_reused_briefly_and_never_near_their_expiry():
    asked: list[bool] = []

    def source(expires_in: float):
        async def credentials(force: bool) -> Credentials:
            asked.append(force)
            expires_at = int((time.time() + expires_in) * 1000) if expires_in else 0
            return Credentials(headers={}, expires_at=expires_at, api_base="http://api.test/api", portal_base="",
                               email_base="", cal_base="")
        return credentials

    async def three(expires_in: float, **kwargs) -> None:
        api = ApiClient(source(expires_in), transport=httpx.MockTransport(Server(ok(), ok(), ok())), **kwargs)
        for _ in range(3):
            await api.request("GET", "/x")
        await api.aclose()

    asyncio.run(three(0))
    assert asked == [False]  # no expiry: reused for credentials_ttl
    asked.clear()
    asyncio.run(three(0.5))
    assert asked == [False] * 3  # expires within a second: asked every time
    asked.clear()
    asyncio.run(three(0, credentials_ttl=0))
    assert asked == [False] * 3
