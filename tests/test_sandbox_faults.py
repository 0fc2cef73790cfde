"""Fault injection: rates hold statistically, every fault has its documented shape,
the admin routes and /openapi.json are never hit, and a seed reproduces the pattern."""

from __future__ import annotations

import time

import httpx
import msgspec
import pytest

from tests.fixtures.node import wait_for
from tests.fixtures.sandbox import SandboxProcess, sandbox, sandbox_factory  # noqa: F401

N = 400


def outcomes(sb: SandboxProcess, n: int = N, **rates: float) -> list[int | str]:
    """Set the rates, then the status of n GET /api/me (``reset`` for a dropped connection)."""
    cookie = sb.login_cookie()
    sb.set_faults(**rates)
    out: list[int | str] = []
    with httpx.Client(base_url=sb.origin + "/api", cookies={"wb_session": cookie}, timeout=30) as api:
        for _ in range(n):
            try:
                out.append(api.get("/me").status_code)
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.ConnectError):
                out.append("reset")
    return out


def within(count: int, rate: float, n: int = N) -> bool:
    """Tolerant binomial bound: mean ± 5 standard deviations."""
    mean, sd = n * rate, (n * rate * (1 - rate)) ** 0.5
    return mean - 5 * sd <= count <= mean + 5 * sd


@pytest.mark.timeout(120)
def test_fail_rate_gives_5xx_with_error_body(sandbox: SandboxProcess) -> None:
    api = sandbox.api
    got = outcomes(sandbox, fail_rate=0.3)
    failures = [s for s in got if isinstance(s, int) and s >= 500]
    assert within(len(failures), 0.3) and set(failures) <= {500, 502, 503}
    assert set(got) - {200, 500, 502, 503} == set()
    for _ in range(50):
        r = api.get("/me")
        if r.status_code >= 500:
            assert r.json() == {"error": "injected server failure"}
            break
    else:
        pytest.fail("no injected failure in 50 requests at rate 0.3")


@pytest.mark.timeout(120)
def test_rate_limit_rate_gives_429_with_retry_after(sandbox: SandboxProcess) -> None:
    assert within(outcomes(sandbox, rate_limit_rate=0.25).count(429), 0.25)
    sandbox.set_faults(rate_limit_rate=1.0)
    r = sandbox.client("/api").get("/me")
    assert r.status_code == 429 and r.headers["retry-after"] == "1" and r.json()["error"]


@pytest.mark.timeout(120)
def test_reset_rate_drops_connections(sandbox: SandboxProcess) -> None:
    got = outcomes(sandbox, reset_rate=0.2)
    assert within(got.count("reset"), 0.2) and set(got) == {200, "reset"}
    assert sandbox.stderr() == ""  # uvicorn neither logs an error nor answers a 500 of its own


@pytest.mark.timeout(120)
def test_garbage_rate_breaks_the_protocol(sandbox: SandboxProcess) -> None:
    assert within(sum(s != 200 for s in outcomes(sandbox, garbage_rate=0.5)), 0.5 / 3)  # only HTML is not a 200
    api, kinds = sandbox.api, set()
    sandbox.set_faults(garbage_rate=1.0)
    for _ in range(60):
        r = api.get("/deals", params={"org_id": "org-1"})
        if r.headers["content-type"].startswith("text/html"):
            kinds.add("html")
            continue
        try:
            page = msgspec.json.decode(r.content)
        except msgspec.DecodeError:
            kinds.add("truncated")
            continue
        assert not isinstance(page["items"], list)
        kinds.add("wrong types")
    assert kinds == {"html", "truncated", "wrong types"}


@pytest.mark.timeout(60)
def test_latency_applies_to_api_not_admin(sandbox: SandboxProcess) -> None:
    api, admin = sandbox.api, sandbox.admin
    sandbox.set_faults(latency_ms=300)
    started = time.monotonic()
    assert api.get("/me").status_code == 200
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    admin.get("/faults")
    assert time.monotonic() - started < 0.3


def test_admin_and_openapi_are_never_faulted(sandbox_factory) -> None:
    sb = sandbox_factory("--fail-rate", "1", "--garbage-rate", "1", "--reset-rate", "1")
    c = sb.client()
    for _ in range(20):
        assert c.get("/openapi.json").status_code == 200
        assert c.get("/_sandbox/faults").status_code == 200
    assert c.post("/auth/login", json={"email": "demo@workbuoy.test", "password": "demo-password"}).status_code >= 500
    for prefix in ("/api/me", "/email/drafts", "/calendar/events"):
        assert c.request("POST" if prefix != "/api/me" else "GET", prefix).status_code >= 500


def test_flags_set_faults_and_reset_restores_them(sandbox_factory) -> None:
    sb = sandbox_factory("--fail-rate", "1", "--latency-ms", "5")
    admin = sb.admin
    assert admin.get("/faults").json() == {"fail_rate": 1.0, "rate_limit_rate": 0.0, "latency_ms": 5, "reset_rate": 0.0,
                                           "garbage_rate": 0.0, "outage": "none", "outage_s": 0.0, "burst_503": 0}
    admin.put("/faults", json={"fail_rate": 0})
    assert sb.client("/api").get("/me").status_code == 401
    admin.post("/reset")
    assert admin.get("/faults").json()["fail_rate"] == 1.0
    assert sb.client("/api").get("/me").status_code >= 500
    assert admin.get("/stats").json()["faults"] == {"fail": 1}
    assert sum(admin.get("/stats").json()["routes"]["GET /api/me"].values()) == 1


@pytest.mark.timeout(120)
def test_seeded_faults_are_reproducible(sandbox_factory) -> None:
    args = ("--seed", "3", "--fail-rate", "0.2", "--rate-limit-rate", "0.1")
    a, b = sandbox_factory(*args), sandbox_factory(*args)
    for sb in (a, b):  # log in with faults off so both runs draw the same sequence
        sb.set_faults(fail_rate=0, rate_limit_rate=0)
    cookies = {sb.origin: sb.login_cookie() for sb in (a, b)}
    runs = []
    for sb in (a, b):
        sb.set_faults(fail_rate=0.2, rate_limit_rate=0.1)
        with httpx.Client(base_url=sb.origin, cookies={"wb_session": cookies[sb.origin]}) as c:
            runs.append([c.get("/api/me").status_code for _ in range(100)])
    assert runs[0] == runs[1] and len(set(runs[0])) > 1


def get_me(sb: SandboxProcess) -> int | str:
    """GET /api/me on a new connection: the status, or how the connection failed."""
    try:
        return httpx.get(sb.origin + "/api/me", timeout=10).status_code
    except httpx.ConnectError:
        return "refused"
    except (httpx.RemoteProtocolError, httpx.ReadError):
        return "dropped"


@pytest.mark.timeout(120)
def test_drop_outage_accepts_and_closes_without_an_answer_then_ends_by_itself(sandbox: SandboxProcess) -> None:
    sandbox.set_faults(outage="drop", outage_s=3)
    assert [get_me(sandbox) for _ in range(5)] == ["dropped"] * 5
    assert sandbox.admin.get("/faults").json()["outage"] == "drop"  # the admin routes still answer
    wait_for(lambda: get_me(sandbox) == 401, timeout=30, what="the drop outage to end after 3 s")
    assert sandbox.admin.get("/faults").json()["outage"] == "none"
    assert sandbox.admin.get("/stats").json()["faults"]["reset"] >= 5
    assert sandbox.stderr() == ""


@pytest.mark.timeout(120)
def test_refuse_outage_stops_listening_and_kills_open_connections_then_listens_again(sandbox: SandboxProcess) -> None:
    kept = sandbox.client("/api")
    assert kept.get("/me").status_code == 401  # a keep-alive connection opened before the outage
    assert sandbox.admin.put("/faults", json={"outage": "refuse"}).status_code == 400  # no way back without outage_s
    sandbox.set_faults(outage="refuse", outage_s=4)
    wait_for(lambda: get_me(sandbox) == "refused", timeout=10, what="connections to be refused")
    with pytest.raises(httpx.TransportError):
        kept.get("/me")
    wait_for(lambda: get_me(sandbox) == 401, timeout=30, what="the server to listen again")
    assert sandbox.admin.get("/faults").json()["outage"] == "none"
    assert sandbox.admin.get("/stats").json()["faults"]["refuse"] == 1


@pytest.mark.timeout(120)
def test_outage_and_503_burst_flags_at_start(sandbox_factory) -> None:
    sb = sandbox_factory("--outage", "drop", "--outage-s", "2", "--burst-503", "3")
    assert get_me(sb) == "dropped"
    wait_for(lambda: get_me(sb) != "dropped", timeout=30, what="the drop outage to end")
    burst = [httpx.get(sb.origin + "/api/me") for _ in range(3)]  # the first answer after the outage was one too
    assert [r.status_code for r in burst] == [503, 503, 401]
    assert burst[0].headers["content-type"].startswith("text/html")
    refused = sb.client().put("/_sandbox/faults", json={"burst_503": -1})
    assert refused.status_code == 400 and "burst_503" in refused.json()["error"]
    sb2 = sandbox_factory("--outage", "refuse", "--outage-s", "3")
    wait_for(lambda: get_me(sb2) == 401, timeout=30, what="the refusal given at start to end")


@pytest.mark.timeout(120)
def test_ledger_counts_applied_runs_per_key(sandbox: SandboxProcess) -> None:
    api, key = sandbox.api, "op-ledger-1"
    first = api.post("/customers", params={"org_id": "org-1"}, json={"name": "Ledger"}, headers={"Idempotency-Key": key})
    replay = api.post("/customers", params={"org_id": "org-1"}, json={"name": "Ledger"}, headers={"Idempotency-Key": key})
    assert first.status_code == replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
    (entry,) = [w for w in sandbox.admin.get("/writes").json()["writes"] if w["key"] == key]
    assert (entry["seen"], entry["applied"]) == (2, 1)
