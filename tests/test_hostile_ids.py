"""Ids that cannot escape their URL path segment: refused on the bus, encoded on the wire.

The attack: a queued delete with ``entityId: "."`` went out as ``DELETE <api>/deals`` (the
collection) and ``".."`` as ``PATCH <api>``, with the user's credentials. The sandbox
records each request line exactly as sent (``GET /_sandbox/requests``), so these tests
check what reached the server, not what the client meant to send.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import msgspec
import pytest

from tests.fixtures.node import Node, wait_for
from tests.fixtures.sandbox import SandboxProcess, sandbox  # noqa: F401
from tests.test_queue_node import signed_in, store_of  # noqa: F401
from workbuoy.api_urls import path
from workbuoy.bus.errors import BusError
from workbuoy.schemas.base import ENTITIES, Id, Msg

HOSTILE = (".", "..", "/", "a/b", "../me", "\\", "a\\b", "\n", "a\nb", "a\x00b", "\x7f", " a", "a ", "\t", "%2e", "a?b", "a#b", "a b", "", "a" * 129)
#: Legal ids with characters that mean something in a URL, or dots that are not a dot segment.
TRICKY = ("x:y@z", "...", ".a", "a..b", "-_-")


class Holder(Msg):
    id: Id


@pytest.mark.parametrize("bad", HOSTILE)
def test_the_id_type_refuses_what_could_leave_its_path_segment(bad: str) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"id": bad}, Holder)


@pytest.mark.parametrize("good", TRICKY)
def test_the_id_type_keeps_ordinary_ids(good: str) -> None:
    assert msgspec.convert({"id": good}, Holder).id == good


def test_the_path_helper_encodes_every_segment_and_refuses_dot_segments() -> None:
    assert path("deals", "x:y@z") == "/deals/x%3Ay%40z"
    assert path("deals", "a/b?c#d%e f") == "/deals/a%2Fb%3Fc%23d%25e%20f"
    assert path("deals", "...") == "/deals/..."
    for bad in (".", "..", ""):
        with pytest.raises(ValueError, match="path segment"):
            path("deals", bad)


def write_calls(entity: str, eid: str) -> list[tuple[str, dict[str, Any]]]:
    """Every bus request that queues a write naming ``eid`` (one per route and op)."""
    crm = {"entity": entity, "entityId": eid}
    step = {"qtype": "crm", "entity": entity, "op": "update", "entityId": eid, "payload": {"name": "n"}}
    return [
        ("wb:queue:create", {**crm, "op": "create", "payload": {"name": "n"}}),
        ("wb:queue:create", {**crm, "op": "update", "payload": {"name": "n"}}),
        ("wb:queue:create", {**crm, "op": "delete"}),
        ("wb:assistant:apply", {"actions": [{**crm, "op": "delete"}]}),
        ("wb:workflow:run", {"steps": [step]}),
        ("wb:workflow:run", {"steps": [{**step, "op": "delete"}], "orgId": eid}),
        ("wb:email:draft", {"to": ["a@example.com"], "subject": "s", "entity": entity, "entityId": eid}),
        ("wb:queue:resolveConflict", {**crm, "resolution": "keepServer"}),
        ("wb:ai:workflow", {**crm, "kind": "follow_up"}),
    ]


def requests_seen(sb: SandboxProcess) -> list[str]:
    r = sb.admin.get("/requests")
    r.raise_for_status()
    return r.json()["requests"]


def writes_seen(sb: SandboxProcess) -> list[str]:
    """The request lines of writes: reads, sign-in and audit uploads left out."""
    return [line for line in requests_seen(sb) if not line.startswith(("GET ", "POST /auth/", "POST /api/audit/"))]


def settled(node: Node) -> bool:
    depth = node.call("wb:queue:list", {"limit": 500}).items
    return all(i.status in ("synced", "failed") for i in depth)


@pytest.mark.timeout(240)
def test_every_write_route_refuses_hostile_ids_and_encodes_the_rest(node_factory, sandbox: SandboxProcess) -> None:  # noqa: F811
    node = signed_in(node_factory, sandbox)
    for entity in ENTITIES:
        for bad in HOSTILE:
            for channel, payload in write_calls(entity, bad):
                with pytest.raises(BusError) as err:
                    node.call(channel, payload)
                assert err.value.code == "invalid_payload", (channel, payload)
    for entity in ENTITIES:
        for eid in TRICKY:
            for op, body in (("create", {"name": "n"}), ("update", {"name": "m"}), ("delete", None)):
                node.call("wb:queue:create", {"entity": entity, "op": op, "entityId": eid, "payload": body} if body
                          else {"entity": entity, "op": op, "entityId": eid})
        node.call("wb:workflow:run", {"steps": [{"qtype": "crm", "entity": entity, "op": "update", "entityId": "wf:1@x",
                                                 "payload": {"name": "w"}}]})
    wait_for(lambda: settled(node), 120, interval=0.2, what="every write synced or failed")
    lines = writes_seen(sandbox)
    expected = set()
    for entity in ENTITIES:
        expected.add(f"POST /api/{entity}")
        expected.add(f"PATCH /api/{entity}/wf%3A1%40x")
        for eid in TRICKY:
            expected |= {f"PATCH /api/{entity}/{quote(eid, safe='')}", f"DELETE /api/{entity}/{quote(eid, safe='')}"}
    assert set(lines) == expected, sorted(set(lines) ^ expected)
    one_segment = re.compile(r"^(POST /api/[a-z]+|(PATCH|DELETE) /api/[a-z]+/[A-Za-z0-9_.~%-]+)$")
    assert all(one_segment.match(line) for line in lines), lines


@pytest.mark.timeout(240)
def test_an_outbox_item_with_a_dot_id_fails_without_a_request(node_factory, sandbox: SandboxProcess, store_of) -> None:  # noqa: F811
    """An item queued before ids were checked (or written to the file by another program)."""
    from workbuoy.store import NewQueueItem

    node = signed_in(node_factory, sandbox)
    store = store_of(node)
    for eid, op in ((".", "delete"), ("..", "update")):
        store.enqueue([NewQueueItem(qtype="crm", org_id="org-1", entity="deals", op=op, entity_id=eid,
                                    payload={"body": {"name": "x"} if op == "update" else None, "base": None})])
    node.call("wb:queue:create", {"entity": "deals", "op": "create", "entityId": "after", "payload": {"name": "n"}})
    wait_for(lambda: settled(node), 120, interval=0.2, what="every write settled")
    items = {i.entity_id: i for i in node.call("wb:queue:list", {"limit": 500}).items}
    assert items["."].status == items[".."].status == "failed"
    assert "path segment" in items["."].last_error
    assert items["after"].status == "synced"
    lines = writes_seen(sandbox)
    assert lines == ["POST /api/deals"], lines


@pytest.mark.parametrize("bad", [".", "..", "a/b"])
def test_a_server_workflow_naming_a_path_escape_is_refused(bad: str) -> None:
    """``wb:ai:workflow`` decodes the server's manifest with the same ``Id`` type before queueing it."""
    from workbuoy.schemas.outbox import WorkflowManifest

    body = {"orgId": "org-1", "steps": [{"qtype": "crm", "entity": "deals", "op": "delete", "entityId": bad, "payload": {}}]}
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(msgspec.json.encode(body), type=WorkflowManifest)


@pytest.mark.parametrize("bad", [".", ".."])
def test_a_deep_link_to_a_dot_row_is_refused(bad: str) -> None:
    from workbuoy.actors.ui import deeplink

    with pytest.raises(ValueError, match="not a row id"):
        deeplink.parse(f"workbuoy://deals/{bad}")
