"""Signed auto-update end to end: a node installed from version N, the sandbox serving
releases built and signed from this checkout, TUF refusing every attack we can stage."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import apsw
import httpx
import pytest

from tests.fixtures.node import HEADLESS_ACTORS, wait_for
from tests.fixtures.releases import FEED, AppNode, broken_checkout
from workbuoy.bus.client import Client
from workbuoy.bus.errors import BusError


@pytest.fixture
def app(tmp_path, publisher, app_python, sandbox_factory):
    """Version 0.1.0 published and installed in an app virtualenv; the sandbox serves the releases."""
    python = app_python
    server = sandbox_factory("--releases", str(publisher.releases))
    nodes: list[AppNode] = []

    def node(name: str = "data", **env: str) -> AppNode:
        (tmp_path / name).mkdir(exist_ok=True)
        n = AppNode(python, tmp_path / name, {"WB_UPDATE_FEED_URL": server.origin + FEED, "WB_UPDATE_INTERVAL_MIN": "0", **env})
        nodes.append(n)
        return n.start()

    node.origin = server.origin  # type: ignore[attr-defined]  # where a test signs in
    yield node
    for n in nodes:
        n.stop()


def fresh_call(node: AppNode, channel: str, payload=None):
    """A new connection each time: the supervisor re-executes during an update."""
    try:
        with Client(node.endpoints, timeout=3) as c:
            return c.call(channel, payload)
    except (BusError, FileNotFoundError):
        return None


def check(node: AppNode) -> tuple[int, dict]:
    done = node.cli("update", "check", "--json", timeout=300)
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def metric(node: AppNode, result: str) -> float:
    samples = node.call("wb:metrics:snapshot").samples
    return samples.get(f'wb_desktop_updates_total{{result="{result}"}}', 0.0)


def audit_events(node: AppNode) -> list[str]:
    with apsw.Connection(str(node.data_dir / "workbuoy.db"), flags=apsw.SQLITE_OPEN_READONLY) as db:
        return [r[0] for r in db.execute("SELECT event FROM audit_queue ORDER BY id")]


def version_of(node: AppNode) -> str | None:
    settings = fresh_call(node, "wb:getSettings")
    return settings.version if settings else None


def test_update_from_n_to_n_plus_1(app, publisher) -> None:
    publisher.publish("0.1.1")
    node = app()
    pid = node.proc.pid
    assert node.call("wb:getSettings").version == "0.1.0"

    code, status = check(node)
    assert code == 0 and status["phase"] == "ready" and status["version"] == "0.1.1", status

    wait_for(lambda: version_of(node) == "0.1.1", 120, what="the node to report 0.1.1")
    node.wait_ready(HEADLESS_ACTORS)
    assert node.proc.pid == pid and node.proc.poll() is None  # the same process, re-executed
    status = wait_for(lambda: (s := fresh_call(node, "wb:update:status")) and s.phase == "applied" and s, 60, what="applied")
    assert "0.1.0 to 0.1.1" in status.detail
    assert metric(node, "applied") == 1
    assert "update.applied" in audit_events(node)
    code, status = check(node)
    assert code == 0 and status["phase"] == "up_to_date"


def test_a_node_signed_in_with_a_file_keyring_stays_signed_in_across_an_update(app, publisher) -> None:
    """The supervisor wipes ``WB_KEYRING_KEY`` from its environment at start; re-executed
    into the new version, it must still hand the key to the auth actor, or the update signs
    the user out (the cookie in the file keyring cannot be read without it)."""
    publisher.publish("0.1.1")
    node = app(WB_KEYRING_BACKEND="file", WB_KEYRING_KEY="update-keyring-key",
               WB_PORTAL_BASE_URL=f"{app.origin}/portal", WB_API_BASE_URL=f"{app.origin}/api")
    assert node.call("wb:auth:login", {"email": "demo@workbuoy.test", "password": "demo-password"}).state == "signed_in"
    code, status = check(node)
    assert code == 0 and status["phase"] == "ready" and status["version"] == "0.1.1", status
    wait_for(lambda: version_of(node) == "0.1.1", 120, what="the node to report 0.1.1")
    node.wait_ready(HEADLESS_ACTORS)
    state = wait_for(lambda: (s := fresh_call(node, "wb:auth:status")) and s.state == "signed_in" and s, 60,
                     what="the auth actor to load its session")
    assert (state.state, state.email) == ("signed_in", "demo@workbuoy.test"), state
    assert b"update-keyring-key" not in Path(f"/proc/{node.proc.pid}/environ").read_bytes()


def tamper(wheel: Path) -> None:
    data = bytearray(wheel.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same length, other bytes
    wheel.write_bytes(bytes(data))


def assert_refused(node: AppNode, reason: str) -> None:
    code, status = check(node)
    assert code == 1 and status["phase"] == "refused" and status["reason"] == reason, status
    assert node.call("wb:getSettings").version == "0.1.0"
    assert all(node.status().actors[a].state == "ready" for a in HEADLESS_ACTORS)
    assert metric(node, reason) >= 1


def test_attacks_are_refused_and_the_node_keeps_running_n(app, publisher, tmp_path) -> None:
    publisher.publish("0.1.1")
    replay = shutil.copytree(publisher.releases, tmp_path / "old-feed")  # the feed as it is now
    node = app(WB_UPDATE_AUTO="0")

    tamper(publisher.wheel("v0.1.1"))
    assert_refused(node, "tampered")

    publisher.publish("0.1.2", "--timestamp-expires", "-60")  # a frozen feed: its timestamp has expired
    assert_refused(node, "expired")

    publisher.publish("0.0.9", "--tag", "v0.1.3")  # a validly signed older build under a newer tag
    assert_refused(node, "downgrade")

    fake = publisher.releases / "v0.1.4"  # a wheel no signed metadata lists
    shutil.copytree(publisher.releases / "v0.1.3", fake)
    (fake / "workbuoy-0.0.9-py3-none-any.whl").rename(fake / "workbuoy-0.1.4-py3-none-any.whl")
    (fake / "release.json").write_text(json.dumps({"tag_name": "v0.1.4", "published_at": "2999-01-01T00:00:00Z"}))
    assert_refused(node, "not_listed")

    shutil.rmtree(publisher.releases)
    shutil.copytree(replay, publisher.releases)  # replay the older feed the node has seen superseded
    assert_refused(node, "rollback")
    events = audit_events(node)
    assert {"update.tampered", "update.expired", "update.downgrade", "update.not_listed", "update.rollback"} <= set(events)


def test_a_download_resumes_and_is_still_verified_whole(app, publisher) -> None:
    publisher.publish("0.1.1")
    node = app(WB_UPDATE_AUTO="0")
    wheel = publisher.wheel("v0.1.1")
    part = node.data_dir / "update" / "downloads" / f"{wheel.name}.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"\0" * (wheel.stat().st_size // 2))  # an interrupted download, corrupted meanwhile
    # Resumed with a Range request: the first half is ours, so TUF finds the whole file wrong.
    assert_refused(node, "tampered")
    assert not part.exists()
    part.write_bytes(wheel.read_bytes()[: wheel.stat().st_size // 2])  # an honest interrupted download
    code, status = check(node)
    assert code == 0 and status["phase"] == "ready" and status["version"] == "0.1.1", status
    assert not part.exists()


def test_a_version_that_cannot_start_is_rolled_back(app, publisher, tmp_path) -> None:
    publisher.publish("0.1.1", source=broken_checkout(tmp_path / "broken"))
    node = app(WB_UPDATE_ROLLBACK_SEC="8")
    code, status = check(node)
    assert code == 0 and status["phase"] == "ready", status

    wait_for(lambda: (s := fresh_call(node, "wb:update:status")) and s.phase == "rolled_back", 180, what="the rollback")
    node.wait_ready(HEADLESS_ACTORS)
    assert node.call("wb:getSettings").version == "0.1.0"
    assert metric(node, "rolled_back") == 1
    assert "update.rolled_back" in audit_events(node)
    code, status = check(node)  # the rolled-back version is not taken again
    assert code == 0 and status["phase"] == "up_to_date" and "rolled back" in status["detail"], status


def test_kill_9_while_the_new_version_is_on_trial_still_rolls_back(app, publisher, tmp_path) -> None:
    publisher.publish("0.1.1", source=broken_checkout(tmp_path / "broken"))
    node = app(WB_UPDATE_ROLLBACK_SEC="8")
    assert check(node)[1]["phase"] == "ready"
    wait_for(lambda: version_of(node) == "0.1.1", 120, what="the node to run 0.1.1")
    assert (node.data_dir / "update" / "pending.json").exists()  # on trial: not all actors ready yet
    node.proc.kill()  # the worst moment: the swap is done, the verdict is not
    node.proc.wait(30)
    node.start(wait=False)  # what systemd's Restart= or the user does next
    wait_for(lambda: (s := fresh_call(node, "wb:update:status")) and s.phase == "rolled_back", 180, what="the rollback")
    node.wait_ready(HEADLESS_ACTORS)
    assert node.call("wb:getSettings").version == "0.1.0"
    assert not (node.data_dir / "update" / "pending.json").exists()


def test_channel_latest_ignores_a_beta_that_channel_beta_takes(app, publisher) -> None:
    publisher.publish("0.1.1")
    publisher.publish("0.2.0b1", "--prerelease")
    latest = app("latest", WB_UPDATE_AUTO="0")
    assert check(latest)[1]["version"] == "0.1.1"
    latest.stop()
    beta = app("beta", WB_UPDATE_AUTO="0", WB_UPDATE_CHANNEL="beta")
    code, status = check(beta)
    assert code == 0 and status["phase"] == "ready" and status["version"] == "0.2.0b1", status
    assert version_of(beta) == "0.1.0"  # WB_UPDATE_AUTO=0 only reports ...
    applied = beta.cli("update", "apply")  # ... until someone applies
    assert applied.returncode == 0 and "restarting into 0.2.0b1" in applied.stdout, applied.stderr
    wait_for(lambda: version_of(beta) == "0.2.0b1", 120, what="the node to report 0.2.0b1")


def test_the_sandbox_serves_assets_by_redirect_and_nothing_else(publisher, sandbox_factory) -> None:
    release = publisher.releases / "v0.1.0"
    server = sandbox_factory("--releases", str(publisher.releases))
    with httpx.Client(base_url=server.origin, timeout=30) as c:
        (feed,) = c.get(FEED).json()
        assets = {a["name"]: a["browser_download_url"] for a in feed["assets"]}
        assert {"timestamp.json", "snapshot.json", "targets.json", "workbuoy-0.1.0-py3-none-any.whl"} <= set(assets)
        r = c.get(assets["timestamp.json"])
        assert r.status_code == 302
        assert c.get(assets["timestamp.json"], follow_redirects=True).content == (release / "timestamp.json").read_bytes()
        for path in ("/_downloads/v0.1.0/release.json", "/_downloads/v0.1.0/..%2Fkey.pem", "/_downloads/../key.pem",
                     f"{FEED}/download/v0.1.0/nope.whl"):
            assert c.get(path).status_code == 404, path


def test_a_hostile_feed_is_refused_with_a_reason(sandbox) -> None:
    from workbuoy.update import feed

    with httpx.Client(timeout=30) as client:
        for path, says in (("/portal", "not a release list"), ("/nope", "cannot read")):  # HTML, then a 404
            with pytest.raises(feed.UpdateRefused) as refused:
                feed.fetch(client, sandbox.origin + path)
            assert refused.value.reason == "feed_error" and says in str(refused.value)
        releases = feed.fetch(client, sandbox.origin + FEED)  # the placeholder feed parses
    assert feed.choose(releases, "latest").tag_name == "v0.2.0"
    assert feed.choose(releases, "beta").tag_name == "v0.3.0-beta.1"


def test_the_periodic_check_follows_the_update_interval_setting(tmp_path) -> None:
    """``updateIntervalMin`` (what the settings window shows) is what the supervisor's checks follow."""
    import time

    from workbuoy import config
    from workbuoy.update.service import UpdateService

    env = config.load({"WB_DATA_DIR": str(tmp_path), "WB_UPDATE_FEED_URL": "http://127.0.0.1:9/feed"})
    service = UpdateService(env, interval_min=0, desktop=True, publish=lambda status: None)
    try:
        service.tick(time.monotonic() + 10 * 86_400)
        assert not service.status().checking  # 0: only on demand
        service.set_interval(5)
        service.tick(time.monotonic() + 4 * 60)
        assert not service.status().checking  # not due yet
        service.tick(time.monotonic() + 5 * 60 + 1)
        assert service.status().checking or service.status().checked_at is not None
    finally:
        service.close()
