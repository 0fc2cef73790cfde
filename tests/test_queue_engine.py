"""The queue engine (writes + flusher + conflict strategies) against a real sandbox process.

No node here: a store in a temporary folder and one httpx client carrying the demo
session, so these run before the auth actor exists and pin the engine down on its own.
"""

from __future__ import annotations

import asyncio
import functools
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import apsw
import httpx
import pytest

from tests.fixtures.sandbox import SandboxProcess, sandbox  # noqa: F401
from workbuoy.actors.queue import conflict, writes
from workbuoy.api import ApiClient, ApiError
from workbuoy.actors.queue.flusher import Flusher, Policy
from workbuoy.actors.queue.outgoing import Request
from workbuoy.actors.queue.writes import Write
from workbuoy.config import Env
from workbuoy.schemas.auth import Credentials
from workbuoy.store import Store

ORG = "org-1"
FAST = Policy(backoff_base_s=0.02, backoff_cap_s=0.3, probe_min_s=0.05, probe_max_s=0.3, idle_s=0.2)


class Engine:
    """A store, a flusher and the sandbox they talk to."""

    def __init__(self, sb: SandboxProcess, data: Path, policy: Policy = FAST) -> None:
        self.sb = sb
        self.env = Env(data_dir=data, api_base_url=f"{sb.origin}/api", email_base_url=f"{sb.origin}/email",
                       cal_base_url=f"{sb.origin}/calendar")
        self.store = Store.open(self.env.db_path)
        self.cookie = sb.login_cookie()
        self.policy = policy

    def commit(self, *ws: Write, workflow: bool = False) -> list:
        return writes.commit(self.store, ORG, ws, workflow=workflow)

    def flush(self, until: Callable[[], bool] | None = None, timeout: float = 60) -> None:
        """Run a flusher until the queue holds nothing ready (or ``until`` holds)."""

        async def main() -> None:
            client = ApiClient(self.credentials, attempts=2, backoff_base=0.01, timeout=10, max_retry_after=0.05)

            async def send(req: Request) -> httpx.Response:
                return await req.send(client)

            async def reachable() -> bool:
                try:
                    await client.request("GET", "/me")
                    return True
                except ApiError:
                    return False

            flusher = Flusher(self.store, send, reachable, lambda: None, self.policy)
            task = asyncio.ensure_future(flusher.run())
            done = until or (lambda: self.open_count() == 0)
            try:
                async with asyncio.timeout(timeout):
                    while not done():
                        await asyncio.sleep(0.02)
            finally:
                task.cancel()
                await client.aclose()

        asyncio.run(main())

    async def credentials(self, force: bool) -> Credentials:
        return Credentials(headers={"Cookie": f"wb_session={self.cookie}"}, expires_at=0,
                           api_base=self.env.api_base_url, portal_base=f"{self.sb.origin}/portal",
                           email_base=self.env.email_base_url, cal_base=self.env.cal_base_url)

    def open_count(self) -> int:
        d = self.store.queue_depth()
        return d["pending"] + d["inflight"]

    @functools.cached_property
    def admin(self) -> httpx.Client:
        return self.sb.admin

    def server_row(self, entity: str, id: str) -> dict[str, Any] | None:
        r = self.admin.get(f"/rows/{entity}/{id}")
        return r.json() if r.status_code == 200 else None

    def ledger(self) -> list[dict[str, Any]]:
        return self.sb.admin.get("/writes").json()["writes"]


@pytest.fixture
def engine(sandbox: SandboxProcess, tmp_path: Path) -> Iterator[Engine]:  # noqa: F811
    e = Engine(sandbox, tmp_path)
    yield e
    e.store.close()


def mixed_writes(rng: random.Random, n: int) -> list[Write]:
    """Creates, then updates and deletes of the created rows, drafts and events, interleaved."""
    out: list[Write] = []
    live: list[tuple[str, str]] = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.1:
            out.append(Write("email", {"to": ["a@example.com"], "subject": f"s{i}", "body": "b"}))
        elif roll < 0.2:
            out.append(Write("calendar", {"title": f"t{i}", "starts_at": 1_000 * i, "ends_at": 1_000 * i + 500}))
        elif roll < 0.45 or not live:
            entity = rng.choice(("deals", "tasks", "customers"))
            eid = writes.new_id()
            live.append((entity, eid))
            out.append(Write("crm", {"name": f"n{i}", "seq": i}, entity, "create", eid))
        elif roll < 0.95:
            entity, eid = rng.choice(live)
            out.append(Write("crm", {"seq": i, f"f{i % 3}": i}, entity, "update", eid))
        else:
            entity, eid = live.pop(rng.randrange(len(live)))
            out.append(Write("crm", None, entity, "delete", eid))
    return out


@pytest.mark.timeout(120)
def test_every_write_arrives_once_in_order_despite_faults(engine: Engine) -> None:
    ws = mixed_writes(random.Random(5), 600)
    items = engine.commit(*ws)
    engine.sb.set_faults(fail_rate=0.1, rate_limit_rate=0.03, reset_rate=0.05, garbage_rate=0.05)
    engine.flush()
    depth = engine.store.queue_depth()
    assert depth["synced"] == len(items) and depth["failed"] == depth["conflicted"] == 0, depth
    ledger = engine.ledger()
    by_key = {w["key"]: w for w in ledger}
    assert len(by_key) == len(ledger) == len(items)  # each op went through the handler exactly once
    assert all(200 <= by_key[i.op_id]["status"] < 300 for i in items)
    position = {w["key"]: n for n, w in enumerate(ledger)}
    per_record: dict[str, list[int]] = defaultdict(list)
    for item in items:
        if item.entity_id:
            per_record[item.entity_id].append(position[item.op_id])
    assert all(p == sorted(p) for p in per_record.values())
    # The cache and the server agree on every record written.
    for item in items:
        if item.entity_id:
            cached, server = engine.store.get_row(item.entity, item.entity_id), engine.server_row(item.entity, item.entity_id)
            if server.get("deleted"):
                assert cached is None
            else:
                assert cached.payload == server and not cached.conflicted


def _seed_cached(engine: Engine, entity: str, id: str) -> dict[str, Any]:
    row = engine.server_row(entity, id)
    engine.store.upsert_rows(entity, ORG, [row])
    return row


def _server_edit(engine: Engine, entity: str, id: str, patch: dict[str, Any]) -> dict[str, Any]:
    r = engine.sb.admin.put(f"/rows/{entity}/{id}", json=patch)
    r.raise_for_status()
    return r.json()


@pytest.mark.timeout(60)
def test_a_cache_commit_lost_between_the_two_files_does_not_make_the_next_write_a_conflict(engine: Engine) -> None:
    """WAL commits the outbox file, then the cache file: a kill in between (seen in a chaos run)
    leaves the record's cache row a version behind the outbox's base of its next write. The
    next write must build on the outbox's version, not send the cache's stale one and get a 412."""
    eid = writes.new_id()
    engine.commit(Write("crm", {"name": "n", "seq": 0}, "deals", "create", eid),
                  Write("crm", {"seq": 1}, "deals", "update", eid))
    engine.flush()
    (nxt,) = engine.commit(Write("crm", {"seq": 2}, "deals", "update", eid))
    server = engine.server_row("deals", eid)
    assert server is not None and nxt.base_updated_at == server["updated_at"]
    cache = apsw.Connection(str(engine.env.data_dir / "workbuoy-cache.db"))
    cache.execute("UPDATE deals SET updated_at = updated_at - 1 WHERE id = ?", (eid,))  # the lost commit's state
    cache.close()
    engine.flush()
    item = engine.store.get_queue_item(nxt.id)
    assert item is not None and (item.status, item.conflicted) == ("synced", False), item
    assert engine.server_row("deals", eid)["seq"] == 2


@pytest.mark.timeout(60)
@pytest.mark.parametrize("resolution", ["keepLocal", "keepServer"])
def test_conflict_resolutions_end_with_cache_and_server_agreeing(engine: Engine, resolution: str) -> None:
    rid = "deal-1-0000003"
    _seed_cached(engine, "deals", rid)
    [item] = engine.commit(Write("crm", {"stage": "local"}, "deals", "update", rid))
    _server_edit(engine, "deals", rid, {"stage": "server"})
    engine.flush(until=lambda: engine.store.queue_depth()["conflicted"] == 1)
    cached = engine.store.get_row("deals", rid)
    assert cached.conflicted and cached.payload["stage"] == "local" and cached.server_payload["stage"] == "server"
    item = engine.store.get_queue_item(item.id)
    if resolution == "keepLocal":
        rb = conflict.keep_local(item, item.server_payload)
        assert writes.rebase(engine.store, item, rb, item.server_payload, "kept local by cli") is not None
        engine.flush()
        expected = "local"
    else:
        assert writes.keep_server(engine.store, item, "kept server by cli") is not None
        expected = "server"
    server, cached = engine.server_row("deals", rid), engine.store.get_row("deals", rid)
    assert server["stage"] == expected and cached.payload == server and not cached.conflicted
    assert engine.store.get_queue_item(item.id).status == "synced"


@pytest.mark.timeout(60)
def test_field_merge_resolves_disjoint_edits_and_leaves_clashes(engine: Engine) -> None:
    conflict.set_strategy(lambda org: conflict.FieldMerge())
    try:
        disjoint, clash = "deal-1-0000004", "deal-1-0000005"
        for rid in (disjoint, clash):
            _seed_cached(engine, "deals", rid)
        engine.commit(Write("crm", {"stage": "local", "note": "mine"}, "deals", "update", disjoint),
                      Write("crm", {"stage": "local"}, "deals", "update", clash))
        _server_edit(engine, "deals", disjoint, {"amount": 4242})
        _server_edit(engine, "deals", clash, {"stage": "server"})
        engine.flush(until=lambda: engine.open_count() == 0 and engine.store.queue_depth()["conflicted"] == 1)
    finally:
        conflict.use_default(frozenset())
    server = engine.server_row("deals", disjoint)
    assert (server["stage"], server["note"], server["amount"]) == ("local", "mine", 4242)
    assert engine.store.get_row("deals", disjoint).payload == server
    assert engine.store.get_row("deals", clash).conflicted
    assert engine.server_row("deals", clash)["stage"] == "server"


@pytest.mark.timeout(60)
def test_workflow_runs_step_by_step_and_stops_at_a_failed_step(engine: Engine) -> None:
    steps = [
        Write("crm", {"title": "first"}, "tasks", "create", writes.new_id()),
        Write("crm", {"stage": "x"}, "deals", "update", "deal-1-9999999"),  # no such row: 404, failed
        Write("email", {"to": ["a@example.com"], "subject": "never", "body": ""}),
    ]
    items = engine.commit(*steps, workflow=True)
    engine.flush(until=lambda: engine.store.queue_depth()["failed"] == 1)
    status = [engine.store.get_queue_item(i.id).status for i in items]
    assert status == ["synced", "failed", "pending"]
    keys = {w["key"] for w in engine.ledger()}
    assert items[0].op_id in keys and items[2].op_id not in keys
    assert engine.store.next_due_at() is None  # the held step does not wake the flusher


@pytest.mark.timeout(60)
def test_offline_writes_wait_and_go_out_once_the_server_is_back(sandbox: SandboxProcess, tmp_path: Path) -> None:  # noqa: F811
    engine = Engine(sandbox, tmp_path)
    sandbox.stop()
    items = engine.commit(*mixed_writes(random.Random(7), 50))
    # Offline: the first send fails to connect, the flusher stops sending and probes.
    engine.flush(until=lambda: any(i.attempt for i in engine.store.list_queue(limit=100)), timeout=30)
    assert engine.open_count() == len(items)
    assert sum(i.attempt for i in engine.store.list_queue(limit=100)) == 1  # the send that found the outage; the rest were put back
    sandbox.restart()
    engine.flush()
    assert engine.store.queue_depth()["synced"] == len(items)
    assert sorted(w["key"] for w in engine.ledger()) == sorted(i.op_id for i in items)


@pytest.mark.timeout(60)
def test_email_and_calendar_writes_are_task_creates_routed_by_qtype_and_counted_once_accepted(engine: Engine) -> None:
    from workbuoy import metrics
    from workbuoy.store import NewQueueItem

    def counted() -> tuple[float, float]:
        return metrics.email_drafts._value.get(), metrics.calendar_events._value.get()

    before = counted()
    draft, event = engine.commit(
        Write("email", {"to": ["a@example.com"], "subject": "hi", "body": "b"}),
        Write("calendar", {"title": "call", "starts_at": 1_000, "ends_at": 2_000}),
    )
    # A row queued before this rule (no entity, no op) still goes out: the flusher routes by qtype.
    older = engine.store.enqueue([NewQueueItem(qtype="email", org_id=ORG, payload={"body": {
        "to": ["b@example.com"], "subject": "old", "body": "b"}, "base": None})])[0]
    for item in (draft, event):
        assert (item.entity, item.op, item.entity_id) == (writes.PRODUCT_ENTITY, "create", None)
    assert counted() == before  # queued is not sent
    engine.flush()
    assert [engine.store.get_queue_item(i.id).status for i in (draft, event, older)] == ["synced"] * 3
    paths = {w["key"]: (w["method"], w["path"]) for w in engine.ledger()}
    assert paths[draft.op_id] == paths[older.op_id] == ("POST", "/email/drafts")
    assert paths[event.op_id] == ("POST", "/calendar/events")
    assert counted() == (before[0] + 2, before[1] + 1)
