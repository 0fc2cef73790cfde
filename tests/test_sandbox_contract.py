"""Contract tests of every sandbox route: statuses, headers and bodies."""

from __future__ import annotations

import subprocess
import sys
import uuid

import httpx
import pytest

from tests.fixtures.sandbox import ROOT, SandboxProcess, sandbox, sandbox_factory  # noqa: F401

ENTITIES = ("messages", "customers", "calendar", "tasks", "deals", "tickets", "meetings")


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def assert_error(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert isinstance(body["error"], str) and body["error"]
    return body


# -- auth ---------------------------------------------------------------------------------


def test_login_refresh_logout_cycle(sandbox: SandboxProcess) -> None:
    c = sandbox.client()
    assert_error(c.post("/auth/login", json={"email": "demo@workbuoy.test", "password": "nope"}), 401)
    assert_error(c.post("/auth/login", content=b"{", headers={"Content-Type": "application/json"}), 400)
    assert_error(c.post("/auth/login", content=b"{}"), 415)
    r = c.post("/auth/login", json={"email": "demo@workbuoy.test", "password": "demo-password"})
    assert r.status_code == 200 and r.json()["user"]["email"] == "demo@workbuoy.test"
    set_cookie = r.headers["set-cookie"]
    assert "wb_session=" in set_cookie and "httponly" in set_cookie.lower()

    r = c.post("/auth/refresh")
    assert r.status_code == 200
    token = r.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 900 and token["access_token"]
    assert "wb_session=" in r.headers["set-cookie"]

    bearer = sandbox.client("/api", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert bearer.get("/me").status_code == 200
    assert c.post("/auth/logout").status_code == 204
    # logout ends the session: its rotated cookie values and its tokens are all dead
    assert_error(bearer.get("/me"), 401)
    assert_error(sandbox.client("/api", cookies={"wb_session": set_cookie.split(";")[0].split("=", 1)[1]}).get("/me"), 401)


def test_401_without_or_with_bad_credentials(sandbox: SandboxProcess) -> None:
    anon = sandbox.client("/api")
    for path in ("/me", "/deals?org_id=org-1"):
        body = assert_error(anon.get(path), 401)
        assert "detail" in body
    r = anon.get("/me", headers={"Authorization": "Bearer nope.nope"})
    assert_error(r, 401)
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert_error(sandbox.client("/api", cookies={"wb_session": "forged.value"}).get("/me"), 401)
    assert_error(anon.post("/deals?org_id=org-1", json={}, headers=key()), 401)
    assert_error(sandbox.client().post("/auth/refresh"), 401)


def test_short_token_ttl_expires(sandbox_factory) -> None:
    sb = sandbox_factory("--token-ttl", "1")
    c = sb.client()
    c.post("/auth/login", json={"email": "demo@workbuoy.test", "password": "demo-password"})
    token = c.post("/auth/refresh").json()["access_token"]
    bearer = sb.client("/api", headers={"Authorization": f"Bearer {token}"})
    assert bearer.get("/me").status_code == 200
    from tests.fixtures.node import wait_for

    wait_for(lambda: bearer.get("/me").status_code == 401, timeout=10, interval=0.2)


def test_session_and_token_survive_restart_but_not_revoke(sandbox: SandboxProcess) -> None:
    cookie = sandbox.login_cookie()
    c = sandbox.client(cookies={"wb_session": cookie})
    token = c.post("/auth/refresh").json()["access_token"]
    sandbox.restart()
    assert sandbox.client("/api", cookies={"wb_session": cookie}).get("/me").status_code == 200
    assert sandbox.client("/api", headers={"Authorization": f"Bearer {token}"}).get("/me").status_code == 200
    assert sandbox.admin.post("/revoke").status_code == 204
    assert_error(sandbox.client("/api", cookies={"wb_session": cookie}).get("/me"), 401)
    assert_error(sandbox.client("/api", headers={"Authorization": f"Bearer {token}"}).get("/me"), 401)
    assert sandbox.api.get("/me").status_code == 200  # a new login works


def test_me_and_rbac_403(sandbox: SandboxProcess) -> None:
    me = sandbox.api.get("/me").json()
    assert me["user"] == {"id": "u-demo", "email": "demo@workbuoy.test", "name": "Demo User"}
    assert [o["id"] for o in me["orgs"]] == ["org-1", "org-2"]
    assert all(o["name"] and "admin" in o["roles"] for o in me["orgs"])

    viewer = sandbox.client("/api", cookies={"wb_session": sandbox.login_cookie("viewer@workbuoy.test", "viewer-password")})
    assert [o["id"] for o in viewer.get("/me").json()["orgs"]] == ["org-1"]
    assert viewer.get("/deals", params={"org_id": "org-1"}).status_code == 200
    assert_error(viewer.get("/deals", params={"org_id": "org-2"}), 403)
    assert_error(viewer.post("/deals", params={"org_id": "org-1"}, json={"name": "x"}, headers=key()), 403)
    assert_error(sandbox.api.get("/deals", params={"org_id": "org-99"}), 403)


# -- reads --------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", ENTITIES)
def test_every_entity_pages_in_order(sandbox: SandboxProcess, entity: str) -> None:
    r = sandbox.api.get(f"/{entity}", params={"org_id": "org-2", "limit": 50})
    assert r.status_code == 200
    assert r.headers["etag"] and r.headers["last-modified"]
    page = r.json()
    assert set(page) == {"items", "next_cursor", "has_more"}
    keys = [(row["updated_at"], row["id"]) for row in page["items"]]
    assert keys == sorted(keys) and len(keys) == 50 and page["has_more"] is True
    assert all(row["org_id"] == "org-2" and isinstance(row["updated_at"], int) for row in page["items"])


def test_rows_are_realistic_and_deterministic(sandbox_factory) -> None:
    a, b = sandbox_factory("--seed", "7"), sandbox_factory("--seed", "7")
    first = a.api.get("/deals", params={"org_id": "org-1", "limit": 5}).json()["items"]
    assert first == b.api.get("/deals", params={"org_id": "org-1", "limit": 5}).json()["items"]
    deal = first[0]
    assert deal["stage"] in {"prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"}
    assert isinstance(deal["amount"], int) and deal["company"] in deal["name"]
    ticket = a.api.get("/tickets", params={"org_id": "org-1", "limit": 1}).json()["items"][0]
    assert ticket["priority"] in {"low", "normal", "high", "urgent"}
    meeting = a.api.get("/meetings", params={"org_id": "org-1", "limit": 1}).json()["items"][0]
    assert meeting["ends_at"] > meeting["starts_at"]
    customer = a.api.get("/customers", params={"org_id": "org-1", "limit": 1}).json()["items"][0]
    assert "@" in customer["email"] and customer["name"]


@pytest.mark.parametrize("limit", ["0", "1001", "-1", "abc", "2.5", ""])
def test_limit_out_of_bounds_is_400(sandbox: SandboxProcess, limit: str) -> None:
    assert_error(sandbox.api.get("/deals", params={"org_id": "org-1", "limit": limit}), 400)


def test_limit_bounds_and_default(sandbox_factory) -> None:
    sb = sandbox_factory("--rows", "28000")  # 2000 per stream
    api = sb.api
    assert len(api.get("/deals", params={"org_id": "org-1"}).json()["items"]) == 200
    assert len(api.get("/deals", params={"org_id": "org-1", "limit": 1}).json()["items"]) == 1
    assert len(api.get("/deals", params={"org_id": "org-1", "limit": 1000}).json()["items"]) == 1000


def test_bad_requests(sandbox: SandboxProcess) -> None:
    api = sandbox.api
    assert_error(api.get("/deals"), 400)  # org_id missing
    assert_error(api.get("/widgets", params={"org_id": "org-1"}), 404)
    assert_error(api.patch("/ai/chat", json={}), 405)
    allow = sandbox.client().options("/api/deals/x").headers["allow"]
    assert set(allow.split(", ")) == {"GET", "HEAD", "PATCH", "DELETE"}
    cursor = api.get("/deals", params={"org_id": "org-1", "limit": 1}).json()["next_cursor"]
    assert_error(api.get("/deals", params={"org_id": "org-1", "cursor": cursor[:-2] + "xx"}), 400)
    assert_error(api.get("/deals", params={"org_id": "org-1", "cursor": "garbage"}), 400)
    assert_error(api.get("/tickets", params={"org_id": "org-1", "cursor": cursor}), 400)  # other stream
    assert_error(api.get("/deals", params={"org_id": "org-2", "cursor": cursor}), 400)
    assert_error(sandbox.client().get("/nope"), 404)
    assert_error(sandbox.client().delete("/api/me"), 405)


def test_conditional_requests_304(sandbox: SandboxProcess) -> None:
    api = sandbox.api
    params = {"org_id": "org-1", "limit": 1000}
    first = api.get("/tasks", params=params)
    checkpoint = first.json()["next_cursor"]
    assert first.json()["has_more"] is False
    poll = {**params, "cursor": checkpoint}
    r = api.get("/tasks", params=poll)
    assert r.json()["items"] == [] and r.json()["next_cursor"] == checkpoint
    etag, lm = r.headers["etag"], r.headers["last-modified"]
    r304 = api.get("/tasks", params=poll, headers={"If-None-Match": etag})
    assert r304.status_code == 304 and r304.content == b"" and r304.headers["etag"] == etag
    assert api.get("/tasks", params=poll, headers={"If-Modified-Since": lm}).status_code == 304
    assert api.get("/tasks", params=poll, headers={"If-None-Match": '"other"'}).status_code == 200
    # a server-side change invalidates both validators at once, even within the same second
    sandbox.admin.put("/rows/tasks/task-1-0000003", json={"status": "done"})
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": lm}):
        r = api.get("/tasks", params=poll, headers=headers)
        assert r.status_code == 200
        assert [row["id"] for row in r.json()["items"]] == ["task-1-0000003"]


# -- writes -------------------------------------------------------------------------------


def test_create_update_delete_roundtrip(sandbox: SandboxProcess) -> None:
    api = sandbox.api
    r = api.post("/deals", params={"org_id": "org-1"}, json={"name": "Big deal", "amount": 1000, "updated_at": 1}, headers=key())
    assert r.status_code == 201
    row = r.json()
    assert row["id"].startswith("deal-1-") and row["org_id"] == "org-1" and row["updated_at"] > 1_700_000_000_000
    r = api.post("/deals", json={"id": "my-deal", "org_id": "org-2", "name": "Own id"}, headers=key())
    assert r.status_code == 201 and r.json()["id"] == "my-deal" and r.json()["org_id"] == "org-2"

    r = api.patch(f"/deals/{row['id']}", json={"amount": 2000, "name": None}, headers={**key(), "If-Match": str(row["updated_at"])})
    assert r.status_code == 200
    updated = r.json()
    assert updated["amount"] == 2000 and "name" not in updated and updated["updated_at"] > row["updated_at"]

    stale = api.patch(f"/deals/{row['id']}", json={"amount": 1}, headers={**key(), "If-Match": str(row["updated_at"])})
    assert assert_error(stale, 412)["server"] == updated
    assert_error(api.delete(f"/deals/{row['id']}", headers={**key(), "If-Match": str(row["updated_at"])}), 412)

    r = api.delete(f"/deals/{row['id']}", headers={**key(), "If-Match": f'"{updated["updated_at"]}"'})
    assert r.status_code == 200
    tomb = r.json()
    assert tomb["deleted"] is True and tomb["id"] == row["id"] and tomb["updated_at"] > updated["updated_at"]
    assert api.delete(f"/deals/{row['id']}", headers=key()).json() == tomb  # deleting a tombstone: unchanged
    conflict = api.patch(f"/deals/{row['id']}", json={"amount": 3}, headers=key())
    assert assert_error(conflict, 409)["server"] == tomb
    assert api.get(f"/deals/{row['id']}").json() == tomb


def test_create_existing_id_is_409_with_server_row(sandbox: SandboxProcess) -> None:
    api = sandbox.api
    base = api.get("/tickets", params={"org_id": "org-1", "limit": 1}).json()["items"][0]
    body = assert_error(api.post("/tickets", params={"org_id": "org-1"}, json={"id": base["id"]}, headers=key()), 409)
    assert body["server"] == base


def test_write_validation(sandbox: SandboxProcess) -> None:
    api = sandbox.api
    assert_error(api.post("/deals", params={"org_id": "org-1"}, json={"name": "x"}), 400)  # no Idempotency-Key
    assert_error(api.post("/deals", json={"name": "x"}, headers=key()), 400)  # no org
    assert_error(api.post("/deals", params={"org_id": "org-1"}, json={"org_id": "org-2"}, headers=key()), 400)
    assert_error(api.post("/deals", params={"org_id": "org-1"}, json=[1], headers=key()), 400)
    assert_error(api.post("/deals", params={"org_id": "org-1"}, content=b"{}", headers=key()), 415)
    assert_error(api.post("/deals", params={"org_id": "org-1"}, json={"id": "bad id!"}, headers=key()), 400)
    assert_error(api.post("/deals", params={"org_id": "org-99"}, json={}, headers=key()), 403)
    assert_error(api.patch("/deals/nope", json={}, headers=key()), 404)
    assert_error(api.patch("/deals/deal-1-0000000", params={"org_id": "org-2"}, json={}, headers=key()), 404)
    assert_error(api.patch("/deals/deal-1-0000000", json={"id": "other"}, headers=key()), 400)
    assert_error(api.patch("/deals/deal-1-0000000", json={}, headers={**key(), "If-Match": "yesterday"}), 400)
    assert_error(api.delete("/deals/nope", headers=key()), 404)


def test_idempotency_replay_returns_first_result(sandbox: SandboxProcess) -> None:
    api = sandbox.api
    k = {"Idempotency-Key": "op-1"}
    first = api.post("/customers", params={"org_id": "org-1"}, json={"name": "Ada"}, headers=k)
    again = api.post("/customers", params={"org_id": "org-1"}, json={"name": "Ada"}, headers=k)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    rows = sandbox.admin.get("/rows/customers", params={"org_id": "org-1"}).json()["items"]
    assert sum(r.get("name") == "Ada" and r["id"] == first.json()["id"] for r in rows) == 1

    # a refusal is not replayed: once the row exists, a retry with the same key goes out
    bad = {"Idempotency-Key": "op-2"}
    assert api.patch("/customers/cus-1-9999999", json={"x": 1}, headers=bad).status_code == 404
    sandbox.admin.put("/rows/customers/cus-1-9999999", json={"org_id": "org-1"})
    retried = api.patch("/customers/cus-1-9999999", json={"x": 1}, headers=bad)
    assert retried.status_code == 200 and retried.json()["x"] == 1
    assert api.patch("/customers/cus-1-9999999", json={"x": 1}, headers=bad).json() == retried.json()
    assert api.post("/deals", params={"org_id": "org-1"}, json={}, headers=k).status_code == 201  # other route
    # same route, same content in another key order: a replay; other content: 422
    same = api.post("/customers", params={"org_id": "org-1"}, content=b'{ "name" : "Ada" }',
                    headers={**k, "Content-Type": "application/json"})
    assert same.json() == first.json()
    assert_error(api.post("/customers", params={"org_id": "org-1"}, json={"name": "Bob"}, headers=k), 422)

    writes = {(w["key"], w["path"]): w for w in sandbox.admin.get("/writes").json()["writes"]}
    assert writes[("op-1", "/api/customers")] == {
        "key": "op-1", "user": "u-demo", "method": "POST", "path": "/api/customers", "status": 201, "seen": 4,
        "applied": 1}
    assert writes[("op-1", "/api/deals")]["seen"] == 1
    assert writes[("op-2", "/api/customers/cus-1-9999999")]["seen"] == 3
    assert writes[("op-2", "/api/customers/cus-1-9999999")]["status"] == 200
    assert writes[("op-2", "/api/customers/cus-1-9999999")]["applied"] == 1  # the 404 changed nothing, the replay neither


def test_email_draft_and_calendar_event(sandbox: SandboxProcess) -> None:
    c = sandbox.client(cookies={"wb_session": sandbox.login_cookie()})
    draft = {"to": ["ada@example.com"], "subject": "Hello", "body": "Hi Ada", "org_id": "org-1"}
    r = c.post("/email/drafts", json=draft, headers={"Idempotency-Key": "d1"})
    assert r.status_code == 201
    row = r.json()
    assert row["folder"] == "drafts" and row["to"] == ["ada@example.com"] and row["org_id"] == "org-1"
    assert c.post("/email/drafts", json=draft, headers={"Idempotency-Key": "d1"}).json() == row
    assert_error(c.post("/email/drafts", json={**draft, "to": []}, headers=key()), 400)
    assert_error(c.post("/email/drafts", json=draft), 400)
    assert sandbox.admin.get(f"/rows/messages/{row['id']}").json() == row

    event = {"title": "Demo", "starts_at": 1_800_000_000_000, "ends_at": 1_800_000_900_000, "attendees": ["b@example.com"]}
    r = c.post("/calendar/events", params={"org_id": "org-2"}, json=event, headers=key())
    assert r.status_code == 201 and r.json()["title"] == "Demo" and r.json()["org_id"] == "org-2"
    assert_error(c.post("/calendar/events", params={"org_id": "org-2"}, json={**event, "ends_at": 1}, headers=key()), 409)
    assert_error(sandbox.client().post("/calendar/events", json=event, headers=key()), 401)


def test_audit_events(sandbox: SandboxProcess) -> None:
    api = sandbox.api
    events = [{"kind": "sync.done", "entity": "deals", "rows": 10}, {"kind": "login", "user_hash": "ab12"}]
    r = api.post("/audit/events", json={"events": events})
    assert r.status_code == 202 and r.json() == {"accepted": 2}
    assert_error(api.post("/audit/events", json={"events": [{"who": "ada@example.com"}]}), 400)
    assert_error(api.post("/audit/events", json={"events": [{"auth": "Bearer abc.def"}]}), 400)
    assert_error(api.post("/audit/events", json={"events": []}), 400)
    stored = sandbox.admin.get("/audit").json()["events"]
    assert [e["kind"] for e in stored] == ["sync.done", "login"]


def test_ai_chat_and_workflows(sandbox: SandboxProcess) -> None:
    api = sandbox.api
    msgs = {"messages": [{"role": "user", "content": "Summarise my pipeline"}]}
    r = api.post("/ai/chat", json=msgs)
    assert r.status_code == 200
    reply = r.json()["message"]
    assert reply["role"] == "assistant" and "sandbox" in reply["content"] and "Summarise my pipeline" in reply["content"]
    assert api.post("/ai/chat", json=msgs).json() == r.json()
    assert_error(api.post("/ai/chat", json={"messages": []}), 400)

    for entity, entity_id, kind in (("deals", "deal-1-0000001", "close_deal"), ("tickets", "tkt-2-0000001", "escalate_ticket"),
                                    ("customers", "cus-1-0000001", "follow_up"), ("deals", "deal-1-0000002", "schedule_meeting")):
        r = api.post("/ai/workflow", json={"entity": entity, "entityId": entity_id, "kind": kind})
        assert r.status_code == 200, r.text
        manifest = r.json()
        assert manifest["orgId"] == entity_id.split("-")[1].join(["org-", ""]) and manifest["steps"]
        for step in manifest["steps"]:
            assert step["qtype"] in {"crm", "email", "calendar"} and isinstance(step["payload"], dict)
            if step["qtype"] == "crm":
                assert step["entity"] and step["op"]
    wrong = api.post("/ai/workflow", json={"entity": "tickets", "entityId": "tkt-1-0000001", "kind": "close_deal"})
    assert assert_error(wrong, 409)["server"]["id"] == "tkt-1-0000001"
    assert_error(api.post("/ai/workflow", json={"entity": "deals", "entityId": "nope", "kind": "follow_up"}), 404)


def test_releases_feed_and_portal(sandbox: SandboxProcess) -> None:
    c = sandbox.client()
    releases = c.get("/repos/workbuoy/desktop/releases").json()
    assert [r["prerelease"] for r in releases] == [True, False, False]
    assert all(r["tag_name"].startswith("v") and r["assets"] for r in releases)
    assert all(set(a) >= {"name", "browser_download_url"} for r in releases for a in r["assets"])
    assert c.get("/portal").headers["content-type"].startswith("text/html")


def test_openapi_lists_every_public_route(sandbox: SandboxProcess) -> None:
    spec = sandbox.client().get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == {
        "/portal", "/auth/login", "/auth/refresh", "/auth/logout", "/api/me", "/api/{entity}", "/api/{entity}/{id}",
        "/api/audit/events", "/api/ai/chat", "/api/ai/workflow", "/email/drafts", "/calendar/events",
        "/repos/workbuoy/desktop/releases",
    }
    listing = spec["paths"]["/api/{entity}"]["get"]["responses"]
    assert {"200", "304", "400", "401", "403", "429"} <= set(listing)
    assert {"409", "412"} <= set(spec["paths"]["/api/{entity}/{id}"]["patch"]["responses"])


# -- admin ----------------------------------------------------------------------------------


def test_admin_rows_stats_faults_reset(sandbox: SandboxProcess) -> None:
    admin, api = sandbox.admin, sandbox.api
    assert admin.get("/rows/deals/deal-1-0000000").json()["id"] == "deal-1-0000000"
    assert_error(admin.get("/rows/deals/deal-1-9999999"), 404)
    created = admin.put("/rows/deals/new-1", json={"org_id": "org-2", "name": "From admin"}).json()
    assert created["org_id"] == "org-2" and created["name"] == "From admin"
    changed = admin.put("/rows/deals/deal-1-0000000", json={"stage": "closed_lost"}).json()
    assert changed["stage"] == "closed_lost" and changed["company"]
    assert admin.delete("/rows/deals/deal-1-0000001").json()["deleted"] is True
    live = admin.get("/rows/deals", params={"org_id": "org-1"}).json()["items"]
    assert len(live) == 100 - 1 and live[-1] == changed
    with_deleted = admin.get("/rows/deals", params={"org_id": "org-1", "deleted": "1"}).json()["items"]
    assert len(with_deleted) == 100
    assert_error(admin.get("/rows/deals"), 400)

    assert admin.get("/faults").json() == {"fail_rate": 0.0, "rate_limit_rate": 0.0, "latency_ms": 0, "reset_rate": 0.0,
                                           "garbage_rate": 0.0, "outage": "none", "outage_s": 0.0, "burst_503": 0}
    assert admin.put("/faults", json={"fail_rate": 0.5}).json()["fail_rate"] == 0.5
    assert_error(admin.put("/faults", json={"fail_rate": 2}), 400)
    assert_error(admin.put("/faults", json={"bogus": 1}), 400)
    api.get("/me")
    stats = admin.get("/stats").json()
    assert sum(stats["routes"]["GET /api/me"].values()) == 1

    assert admin.post("/reset").status_code == 204
    assert admin.get("/faults").json()["fail_rate"] == 0.0
    assert admin.get("/writes").json() == {"writes": []}
    assert admin.get("/rows/deals/deal-1-0000000").json()["stage"] != "closed_lost"
    assert_error(admin.get("/rows/deals/new-1"), 404)
    assert "GET /api/me" not in admin.get("/stats").json()["routes"]


def test_admin_refuses_non_loopback_peers() -> None:
    from starlette.requests import Request

    from workbuoy.sandbox.admin import _loopback_only
    from workbuoy.sandbox.web import HttpError

    for host in ("203.0.113.9", "10.0.0.1", ""):
        with pytest.raises(HttpError) as err:
            _loopback_only(Request({"type": "http", "client": (host, 5000)}))
        assert err.value.status == 403
    for host in ("127.0.0.1", "::1"):
        _loopback_only(Request({"type": "http", "client": (host, 5000)}))


@pytest.mark.parametrize("args", [["--fail-rate", "1.5"], ["--rows", "-1"], ["--port", "70000"], ["--latency-ms", "x"]])
def test_cli_rejects_bad_arguments(args: list[str]) -> None:
    r = subprocess.run([sys.executable, "-m", "workbuoy.sandbox", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "error" in r.stderr and r.stdout == ""
