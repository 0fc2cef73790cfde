"""Settings, environment validation, the runtime folder, log hygiene."""

from __future__ import annotations

import json
import os

import pytest
import zmq

from tests.fixtures.node import wait_for
from workbuoy.bus import runtime
from workbuoy.bus.zap import ZAP_ENDPOINT, ZapHandler

pytestmark = pytest.mark.timeout(240)

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
EMAIL = "jane.doe@example.com"


def test_settings_survive_a_restart_and_reject_bad_patches(node_factory):
    node = node_factory().start()
    updated = node.call("wb:updateSettings", {"syncIntervalSec": 120, "notify": {"deals": False}})
    assert updated.sync_interval_sec == 120 and not updated.notify.deals and updated.notify.tickets
    for bad in ({"syncIntervalSec": 1}, {"portalOrigin": "http://evil.example"}, {"version": "9"}, {"syncPageSize": "x"}):
        out = node.cli("call", "wb:updateSettings", json.dumps(bad))
        assert out.returncode == 1, bad
    assert node.stop() == 0
    again = node_factory(data_dir=node.data_dir).start()
    s = again.call("wb:getSettings")
    assert s.sync_interval_sec == 120 and not s.notify.deals


def test_bad_environment_value_names_the_variable(node_factory):
    node = node_factory(WB_SYNC_CONCURRENCY="lots")
    out = node.cli("status")
    assert out.returncode == 2
    assert "WB_SYNC_CONCURRENCY" in out.stderr


def test_refuses_a_runtime_folder_others_can_open(node_factory):
    node = node_factory()
    folder = runtime.folder_for(node.data_dir)
    folder.mkdir(parents=True, mode=0o755, exist_ok=True)
    os.chmod(folder, 0o755)
    out = node.cli("node", timeout=60)
    assert out.returncode == 2
    assert "must be 700" in out.stderr
    os.rmdir(folder)


def test_zap_admits_only_our_uid_and_remembers_the_pids_it_admitted():
    """ZAP requests as libzmq sends them, over the handler's own inproc socket."""
    ctx = zmq.Context()
    zap = ZapHandler(ctx.socket(zmq.REP), uid=1000)
    asker = ctx.socket(zmq.REQ)
    asker.linger = 0
    asker.connect(ZAP_ENDPOINT)
    try:
        def ask(address: str) -> bytes:
            asker.send_multipart([b"1.0", b"id", b"workbuoy", address.encode(), b"", b"NULL"])
            wait_for(lambda: zap.socket.poll(0), 10, what="the ZAP request")
            zap.drain()
            assert asker.poll(10_000)
            return asker.recv_multipart()[2]

        assert ask("localhost:1000:1000:123") == b"200" and zap.vouched(123)
        assert ask("localhost:1001:1000:124") == b"400" and not zap.vouched(124)
        assert ask("garbage") == b"400"
        assert ask("localhost:1000:1000:not-a-pid") == b"400"
        assert ask("localhost:1000:0:") == b"400"  # no pid shown (macOS): refused, the bus uses CURVE there
    finally:
        asker.close(0)
        zap.close()
        ctx.term()


def test_logs_hold_no_token_or_email(node):
    payload = {"title": f"Bearer {JWT}", "body": f"mail {EMAIL}", "notAField": JWT}
    out = node.cli("call", "wb:notify", json.dumps(payload))
    assert out.returncode == 1
    logs = "".join(p.read_text(errors="replace") for p in (node.data_dir / "logs").glob("*.log"))
    assert "refused" in logs
    assert JWT not in logs and EMAIL not in logs


def test_an_unusable_data_folder_is_a_clear_error(node_factory, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    node = node_factory(WB_DATA_DIR=str(blocker / "data"))
    out = node.cli("node", timeout=60)
    assert out.returncode == 2
    assert "cannot use the data folder" in out.stderr and "Traceback" not in out.stderr
