"""Settings that do what they say: the environment's precedence, start at login, the portal
origin (changing it signs out), and the offline copy kept or wiped on sign-out."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.fixtures.node import wait_for
from tests.fixtures.sandbox import sandbox, sandbox_factory  # noqa: F401
from tests.fixtures.signed_in import FILE_KEYRING, cache_rows, login, signed_in_node, sync
from workbuoy.bus.errors import BusError
from workbuoy.store import NewQueueItem, Store

pytestmark = pytest.mark.timeout(240)


def test_the_environment_wins_for_its_run_and_the_saved_value_comes_back(node_factory):
    node = node_factory().start()
    node.call("wb:updateSettings", {"syncPageSize": 70, "syncIntervalSec": 120})
    node.stop()
    pinned = node_factory(data_dir=node.data_dir, WB_SYNC_PAGE_SIZE="50", WB_UPDATE_INTERVAL_MIN="30").start()
    s = pinned.call("wb:getSettings")
    assert (s.sync_page_size, s.update_interval_min, s.sync_interval_sec) == (50, 30, 120)
    assert s.environment == ["syncPageSize", "updateIntervalMin"]
    with pytest.raises(BusError) as err:
        pinned.call("wb:updateSettings", {"syncPageSize": 80})
    assert "syncPageSize set by the environment" in err.value.message
    pinned.call("wb:updateSettings", {"syncIntervalSec": 180})  # the others stay the user's
    pinned.stop()
    saved = json.loads((node.data_dir / "settings.json").read_text())
    assert (saved["syncPageSize"], saved["syncIntervalSec"], saved["environment"]) == (70, 180, [])
    again = node_factory(data_dir=node.data_dir).start().call("wb:getSettings")
    assert (again.sync_page_size, again.environment) == (70, [])


def test_an_older_settings_file_is_upgraded_not_discarded(node_factory, tmp_path):
    data = tmp_path / "old"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"externalLinks": False, "syncIntervalSec": 900}))
    s = node_factory(data_dir=data).start().call("wb:getSettings")
    assert (s.external_links, s.sync_interval_sec) == ([], 900)
    assert not list(data.glob("settings.json.invalid-*"))


def test_start_at_login_writes_and_removes_the_autostart_entry(node_factory, tmp_path):
    config = tmp_path / "config"
    node = node_factory(mode="run", XDG_CONFIG_HOME=str(config)).start()
    entry = config / "autostart" / "workbuoy.desktop"
    assert not entry.exists()
    node.call("wb:updateSettings", {"startAtLogin": True})
    text = wait_for(lambda: entry.exists() and entry.read_text(), 20, what="the autostart entry")
    command = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert "[Desktop Entry]" in text and "Type=Application" in text and "workbuoy" in command and command.endswith(" run")
    node.call("wb:updateSettings", {"startAtLogin": False})
    wait_for(lambda: not entry.exists(), 20, what="the autostart entry removed")


def keyring_cookie(node, origin: str) -> str | None:
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    ring = CryptFileKeyring()
    ring.file_path = str(node.data_dir / "keyring.cfg")
    ring.keyring_key = FILE_KEYRING["WB_KEYRING_KEY"]
    user = "session:" + hashlib.sha256(str(node.data_dir).encode()).hexdigest()[:16]
    return ring.get_password(f"workbuoy:{origin}", user)


def test_a_new_portal_origin_signs_out_of_the_old_one(sandbox, node_factory):
    node = node_factory(**FILE_KEYRING).start()
    node.call("wb:updateSettings", {"portalOrigin": sandbox.origin})
    login(node)
    cookie = keyring_cookie(node, sandbox.origin)
    assert cookie and node.call("wb:auth:status").state == "signed_in"
    node.call("wb:updateSettings", {"portalOrigin": "https://eu.workbuoy.example"})
    wait_for(lambda: node.call("wb:auth:status").state == "signed_out", 30, what="signed out")
    assert keyring_cookie(node, sandbox.origin) is None
    assert sandbox.client("/api").get("/me", headers={"Cookie": f"wb_session={cookie}"}).status_code == 401
    with pytest.raises(BusError):
        node.call("wb:updateSettings", {"portalOrigin": "https://eu.workbuoy.example/portal"})  # an origin, no path


def test_the_offline_copy_is_kept_on_sign_out_and_wiped_for_another_user(sandbox_factory, node_factory):
    sb = sandbox_factory("--rows", "1400")
    node = signed_in_node(node_factory, sb)
    sync(node)
    org2 = len(cache_rows(node, "deals", "org-2"))
    assert org2 > 0
    node.call("wb:auth:logout")
    assert len(cache_rows(node, "deals", "org-2")) == org2  # default: kept
    login(node, "viewer@workbuoy.test", "viewer-password")  # another user: org-2 is not theirs
    assert cache_rows(node, "deals", "org-2") == {} and cache_rows(node, "deals", "org-1") == {}
    node.call("wb:updateSettings", {"wipeCacheOnSignOut": True})
    sync(node)
    assert cache_rows(node, "deals", "org-1")
    node.call("wb:auth:logout")
    assert cache_rows(node, "deals", "org-1") == {}


def test_a_wipe_keeps_rows_with_an_unsent_write(tmp_path):
    store = Store.open(tmp_path / "wb.db")
    try:
        store.upsert_rows("deals", "org-1", [{"id": f"d{i}", "org_id": "org-1", "updated_at": 1000 + i} for i in range(5)])
        store.put_local("deals", "org-1", "d9", {"id": "d9", "org_id": "org-1", "name": "mine"}, 2000)
        store.enqueue([NewQueueItem(org_id="org-1", entity="deals", op="create", entity_id="d9", payload={"name": "mine"})])
        assert store.wipe_cache() == 5
        assert [r.id for r in store.list_rows("deals", org_id="org-1")[0]] == ["d9"]  # nothing unsent is lost
        assert store.list_sync_state() == []
    finally:
        store.close()
