"""A full or corrupt disk never costs a queued write (issue 9, item 4).

* Disk full (``PRAGMA max_page_count`` through ``WB_DB_MAX_PAGES``, a real SQLITE_FULL):
  the write that hit it gets a clear ``storage`` error, a ``wb:store:fault`` event goes
  out, the node keeps running and every write queued before is intact.
* A cache file damaged while the node was down (bytes overwritten in the middle): the
  next start moves it aside, the sync pulls the cache again from the sandbox, and the
  writes queued before the damage survive and reach the server.
* A full cache file fails the sync streams with a ``storage`` error while writes still
  queue; a cache damaged under a running node answers ``storage`` (kind ``corrupt``) and
  is moved aside at the next start.
"""

from __future__ import annotations

import os
from typing import Any

import apsw
import msgspec
import pytest

from tests.fixtures.node import Node, wait_for
from tests.fixtures.sandbox import SandboxProcess
from tests.fixtures.signed_in import FILE_KEYRING, assert_cache_equals_server, login, sync
from workbuoy.bus.client import Subscriber
from workbuoy.bus.errors import BusError
from workbuoy.schemas.store import StoreFault

pytestmark = pytest.mark.timeout(300)


def queue_creates(node: Node, n: int, tag: str) -> list[Any]:
    return [node.call("wb:queue:create", {"entity": "deals", "op": "create", "payload": {"name": f"{tag} {i}"}})
            for i in range(n)]


def outbox(node: Node) -> dict[int, tuple[str, dict]]:
    """``id -> (op_id, payload)`` of every queued write, read from the main file."""
    conn = apsw.Connection(str(node.data_dir / "workbuoy.db"), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        return {i: (op, msgspec.json.decode(p)) for i, op, p in conn.execute("SELECT id, op_id, payload FROM sync_queue")}
    finally:
        conn.close()


def page_count(path: os.PathLike) -> int:
    conn = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        return conn.execute("PRAGMA page_count").fetchone()[0]
    finally:
        conn.close()


def restart(node_factory, node: Node, sandbox: SandboxProcess, **env: str) -> Node:
    node.stop()
    return node_factory(data_dir=node.data_dir, WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING, **env).start()


def test_a_full_disk_refuses_the_write_that_hit_it_and_keeps_the_queue(sandbox, node_factory) -> None:
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING).start()
    login(node)
    sandbox.stop()  # offline: the writes stay queued
    queue_creates(node, 20, "before")
    before = outbox(node)
    assert len(before) == 20
    node = restart(node_factory, node, sandbox, WB_DB_MAX_PAGES=str(page_count(node.data_dir / "workbuoy.db") + 3))
    faults = Subscriber(node.endpoints.events, ("wb:store:fault",))
    try:
        accepted, refused = [], None
        for i in range(500):
            try:
                accepted.append(queue_creates(node, 1, f"after {i}")[0])
            except BusError as exc:
                refused = exc
                break
        assert refused is not None, "the file never filled up"
        assert refused.code == "storage" and "disk is full" in refused.message, refused
        event = next(msgspec.msgpack.decode(e.payload, type=StoreFault)
                     for ch, e in faults.events(30) if ch == "wb:store:fault")
        assert (event.actor, event.where, event.kind) == ("queue", "wb:queue:create", "full")
    finally:
        faults.close()
    again = []  # still full: the same clear error, no crash (pages freed since may take a few more)
    for i in range(20):
        try:
            accepted.append(queue_creates(node, 1, f"again {i}")[0])
        except BusError as exc:
            again.append(exc.code)
            break
    assert again == ["storage"]
    status = node.status()
    assert all(a.state == "ready" and a.restarts == 0 for a in status.actors.values()), status
    after = outbox(node)
    assert {i: after[i] for i in before} == before  # every earlier write intact
    assert len(after) == 20 + len(accepted)
    listed = node.call("wb:queue:list", {"limit": 500}).items
    assert len(listed) == len(after)


def test_a_cache_corrupt_at_start_is_rebuilt_from_the_server_and_the_outbox_survives(sandbox, node_factory) -> None:
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING).start()
    login(node)
    sync(node)
    rows = assert_cache_equals_server(node, sandbox)
    sandbox.stop()
    refs = queue_creates(node, 10, "queued offline")
    queued = outbox(node)
    node.stop()
    cache = node.data_dir / "workbuoy-cache.db"
    size = cache.stat().st_size
    with open(cache, "r+b") as f:  # a torn or rotten sector in the middle of the file
        f.seek(size // 2)
        f.write(os.urandom(16_384))
    sandbox.restart()

    node = restart(node_factory, node, sandbox)
    aside = list(node.data_dir.glob("workbuoy-cache.db.corrupt-*"))
    assert [p.name for p in aside if not p.name.endswith(("-wal", "-shm"))], list(node.data_dir.iterdir())
    assert "local cache was damaged" in node.output()
    assert {i: outbox(node)[i] for i in queued} == queued  # the outbox file was not touched

    def all_synced() -> bool:
        items = {i.id: i for i in node.call("wb:queue:list", {"limit": 500}).items}
        return all(items[r.id].status == "synced" for r in refs)

    wait_for(all_synced, 120, interval=0.2, what="the writes queued before the damage to reach the server")
    status = sync(node)
    assert [s for s in status.entities if s.last_error] == []
    assert assert_cache_equals_server(node, sandbox) == rows + 10
    ledger = {w["key"] for w in sandbox.admin.get("/writes").json()["writes"]}
    assert {op for op, _ in queued.values()} <= ledger


def test_a_full_disk_during_a_sync_is_a_sync_error_and_writes_still_queue(sandbox_factory, node_factory) -> None:
    sandbox = sandbox_factory("--rows", "20000")
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, WB_DB_MAX_PAGES="300", **FILE_KEYRING).start()
    login(node)
    faults = Subscriber(node.endpoints.events, ("wb:store:fault",))
    try:
        status = sync(node)
        event = next(msgspec.msgpack.decode(e.payload, type=StoreFault) for ch, e in faults.events(30) if ch == "wb:store:fault")
    finally:
        faults.close()
    assert (event.actor, event.kind) == ("sync", "full") and event.where.startswith("sync ")
    full = [s for s in status.entities if s.last_error and s.last_error.startswith("storage: the disk is full")]
    assert full, status.entities
    assert node.status().actors["sync"].restarts == 0
    # The cache file is full, the outbox file is not: a write still queues.
    assert node.call("wb:queue:create", {"entity": "tasks", "op": "create", "payload": {"title": "still works"}}).id


def test_a_cache_damaged_while_running_answers_storage_and_is_moved_aside_at_the_next_start(sandbox, node_factory) -> None:
    from workbuoy.store import Store

    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING)
    store = Store.open(node.data_dir / "workbuoy.db")
    rows = [{"id": f"d{i:06d}", "updated_at": i + 1, "org_id": "org-1", "notes": "x" * 300} for i in range(20_000)]
    store.apply_page("deals", "org-1", rows, cursor=None, etag=None, last_modified=None)
    store.close()
    node.start()
    cache = node.data_dir / "workbuoy-cache.db"
    with open(cache, "r+b") as f:  # the disk rots under a running node
        f.seek(cache.stat().st_size // 2)
        f.write(os.urandom(32_768))
    faults = Subscriber(node.endpoints.events, ("wb:store:fault",))
    try:
        with pytest.raises(BusError) as err:  # a short search tests every row: it finds the damage
            node.call("wb:offline:getList", {"table": "deals", "query": "q!"})
        event = next(msgspec.msgpack.decode(e.payload, type=StoreFault) for ch, e in faults.events(30) if ch == "wb:store:fault")
    finally:
        faults.close()
    assert err.value.code == "storage" and "damaged" in err.value.message
    assert (event.actor, event.where, event.kind) == ("sync", "wb:offline:getList", "corrupt")
    assert all(a.state == "ready" and a.restarts == 0 for a in node.status().actors.values())

    node = restart(node_factory, node, sandbox)
    assert "local cache was damaged" in node.output()
    assert node.call("wb:offline:getList", {"table": "deals", "query": "q!"}).items == []
