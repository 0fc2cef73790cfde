"""The audit actor: masked records reach the server, survive an outage, never twice."""

from __future__ import annotations

import pytest

from tests.fixtures.node import wait_for
from tests.fixtures.sandbox import DEMO
from tests.fixtures.signed_in import signed_in_node

pytestmark = pytest.mark.timeout(240)


def audit_events(sandbox) -> list[dict]:
    return sandbox.admin.get("/audit").json()["events"]


def test_sign_in_is_audited_masked(sandbox, node_factory):
    node = signed_in_node(node_factory, sandbox)
    events = wait_for(lambda: [e for e in audit_events(sandbox) if e["event"] == "auth.signed_in"], 60, what="audit event")
    assert len(events) == 1
    event = events[0]
    assert event["actor"] == "auth" and event["data"]["via"] == "cli"
    assert DEMO[0] not in str(event) and event["data"]["email"].startswith("***@")
    assert node.call("wb:audit:flush").pending == 0


def test_events_wait_out_an_outage_and_arrive_once(sandbox, node_factory):
    node = signed_in_node(node_factory, sandbox)
    wait_for(lambda: audit_events(sandbox), 60, what="first audit event")
    sandbox.set_faults(fail_rate=1.0)
    out = node.cli("logout")
    assert out.returncode == 0, out.stderr
    assert node.call("wb:audit:flush").pending == 1  # kept, not dropped
    sandbox.set_faults(fail_rate=0.0)
    out = node.cli("login", "--email", DEMO[0], "--password-stdin", input=DEMO[1] + "\n")
    assert out.returncode == 0, out.stderr
    wait_for(lambda: node.call("wb:audit:flush").pending == 0, 60, interval=0.5, what="queued audit delivered")
    names = [e["event"] for e in audit_events(sandbox)]
    assert names.count("auth.signed_out") == 1 and names.count("auth.signed_in") == 2
