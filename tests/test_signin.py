"""Signing in and out of the desktop app, and the portal window, on a real desktop node (offscreen Qt).

Run with a Secret Service: ``dbus-run-session -- bash deploy/with-keyring.sh python -m pytest tests/test_signin.py``.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.node import wait_for
from tests.fixtures.sandbox import DEMO, sandbox, sandbox_factory  # noqa: F401
from tests.fixtures.signed_in import FILE_KEYRING, login
from workbuoy import config
from workbuoy.actors.auth.session import Session
from workbuoy.api import Unauthenticated
from workbuoy.bus.client import Client
from workbuoy.bus.errors import BusError
from workbuoy.schemas.registry import SECRET_CHANNELS
from workbuoy.store import Store

pytest.importorskip("PySide6", reason="the ui extra is not installed")
pytestmark = pytest.mark.timeout(240)
TITLE = "Sign in to WorkBuoy"


def secret_of(origin: str) -> str | None:
    found = subprocess.run(["secret-tool", "search", "service", f"workbuoy:{origin}"], capture_output=True, text=True,
                           timeout=30)
    return next((line.split(" = ", 1)[1] for line in found.stdout.splitlines() if line.startswith("secret = ")), None)


def windows(node):
    return node.call("wb:ui:windows")


def browser_script(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A ``$BROWSER`` that records the URLs it is asked to open (Python's ``webbrowser`` honours it)."""
    opened = tmp_path / "browser-opened.txt"
    script = tmp_path / "browser.sh"
    script.write_text(f'#!/bin/sh\necho "$1" >> {opened}\n')
    script.chmod(0o755)
    return {"BROWSER": str(script)}, opened


def test_first_run_shows_the_sign_in_window_and_sign_out_brings_it_back(sandbox, node_factory):
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.skip("needs a Secret Service: dbus-run-session -- bash deploy/with-keyring.sh")
    node = node_factory(mode="run", WB_PORTAL_BASE_URL=sandbox.origin).start()
    shown = wait_for(lambda: TITLE in (w := windows(node)).titles and w, 30, what="the sign-in window")
    assert shown.tray == "Not signed in"
    login(node)  # the cli's sign-in closes the window as well as the window's own would
    wait_for(lambda: TITLE not in (w := windows(node)).titles and w.tray.startswith(f"Signed in as {DEMO[0]}"), 30,
             what="the sign-in window gone and the tray signed in")
    cookie = secret_of(sandbox.origin)
    assert cookie is not None
    node.call("wb:auth:logout")  # what the tray's "Sign out" sends
    wait_for(lambda: TITLE in (w := windows(node)).titles and w.tray == "Not signed in", 30,
             what="the sign-in window back")
    assert secret_of(sandbox.origin) is None  # the keyring entry is gone
    me = sandbox.client("/api").get("/me", headers={"Cookie": f"wb_session={cookie}"})
    assert me.status_code == 401  # and revoked at the portal


def test_the_portal_window_shows_the_signed_in_user(sandbox, node_factory):
    node = node_factory(mode="run", WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING).start()
    before = node.call("wb:portal:status")
    assert before.engine == "none" and not before.visible  # WebEngine has not started with the node
    login(node)
    opened = node.call("wb:portal:open", {}, timeout=60)
    assert opened.engine == "webengine"
    page = wait_for(lambda: DEMO[0] in (s := node.call("wb:portal:status")).title and s, 60, what="the portal home")
    assert page.url == f"{sandbox.origin}/portal/" and page.visible
    node.call("wb:portal:open", {"path": "/deals/deal-1-0000000"})
    wait_for(lambda: node.call("wb:portal:status").title.startswith("deals deal-1-0000000"), 60, what="a record page")
    node.call("wb:auth:logout")  # signing out clears the portal's cookies: back to its login page
    wait_for(lambda: node.call("wb:portal:status").title.startswith("Sign in"), 60, what="the portal signed out")


def test_only_the_portal_process_may_use_the_auth_bridge(sandbox, node_factory):
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING).start()
    login(node)
    cookie = sandbox.client().post("/auth/login", json={"email": DEMO[0], "password": DEMO[1]}).cookies["wb_session"]
    for identity in (None, b"ui", b"sync"):  # a same-user process, and names it might claim
        with Client(node.endpoints, identity=identity) as client:
            for channel, payload in (("wb:auth:portalCookie", {}), ("wb:auth:adoptSession", {"cookie": cookie})):
                with pytest.raises(BusError) as err:
                    client.call(channel, payload)
                # the broker refuses the role; a claimed actor name is an impostor (docs/security.md)
                assert err.value.code == ("forbidden" if identity is None else "impostor"), (identity, channel)
    assert node.call("wb:auth:status").state == "signed_in"
    assert {"wb:auth:portalCookie", "wb:auth:adoptSession"} <= SECRET_CHANNELS  # never shown by the trace


BLOCK_WEBENGINE = '''
import importlib.abc, sys
class _NoWebEngine(importlib.abc.MetaPathFinder):
    """As if the portal extra (PySide6-Addons) were not installed."""
    def find_spec(self, name, path=None, target=None):
        if name.startswith("PySide6.QtWebEngine"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, _NoWebEngine())
'''


def test_without_the_portal_extra_open_portal_uses_the_system_browser(sandbox, node_factory, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCK_WEBENGINE)
    browser, opened = browser_script(tmp_path)
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    node = node_factory(mode="run", WB_PORTAL_BASE_URL=sandbox.origin, PYTHONPATH=path, **browser, **FILE_KEYRING).start()
    shown = node.call("wb:portal:open", {"path": "/deals/deal-1-0000000"})
    assert shown.engine == "browser" and "system browser" in shown.note and "portal extra" in shown.note
    url = f"{sandbox.origin}/portal/deals/deal-1-0000000"
    wait_for(lambda: opened.exists() and url in opened.read_text(), 30, what="the browser asked to open the record")
    # The tray's "Open portal" goes through the ui: a portal deep link takes the same path.
    out = subprocess.run([sys.executable, "-m", "workbuoy", "run", "workbuoy://portal/"], env=node.env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    wait_for(lambda: f"{sandbox.origin}/portal/\n" in opened.read_text(), 30, what="the browser asked to open the home")
    log = node.data_dir / "logs" / "ui.log"
    wait_for(lambda: "opened in the system browser" in log.read_text(), 10, what="the ui saying so")


def test_the_auth_actor_adopts_only_a_session_the_portal_knows(sandbox, tmp_path):
    """What ``wb:auth:adoptSession`` does with a hostile cookie: it checks it at the portal first."""
    env = config.load({"WB_DATA_DIR": str(tmp_path), "WB_PORTAL_BASE_URL": sandbox.origin, **FILE_KEYRING})
    store = Store.open(env.db_path)
    states: list = []

    async def publish(state) -> None:
        states.append(state)

    async def later(delay: float, fn) -> None:
        await asyncio.sleep(delay)
        await fn()

    def after(delay: float, fn) -> asyncio.Task:  # the actor's ``after``, as the auth actor hands it over
        return asyncio.ensure_future(later(delay, fn))

    async def main() -> None:
        session = Session(env, sandbox.origin, store, publish, after)
        try:
            await session.login(*DEMO)
            mine = session.cookie
            with pytest.raises(Unauthenticated):
                await session.adopt("forged.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            assert session.cookie == mine and session.state.state == "signed_in"  # nothing changed
            viewer = sandbox.client().post("/auth/login", json={"email": "viewer@workbuoy.test",
                                                                "password": "viewer-password"}).cookies["wb_session"]
            state = await session.adopt(viewer)
            assert (state.state, state.email) == ("signed_in", "viewer@workbuoy.test")
            assert await session.vault.load() == viewer
            assert sandbox.client("/api").get("/me", headers={"Cookie": f"wb_session={mine}"}).status_code == 401
        finally:
            await session.close()

    try:
        asyncio.run(main())
    finally:
        store.close()


def test_an_expired_session_reopens_the_sign_in_window_once(sandbox_factory, node_factory):
    sandbox = sandbox_factory("--token-ttl", "2")
    node = node_factory(mode="run", WB_PORTAL_BASE_URL=sandbox.origin, WB_PREFER_BEARER="1", **FILE_KEYRING).start()
    login(node)
    wait_for(lambda: TITLE not in windows(node).titles, 30, what="the sign-in window closed")
    sandbox.admin.post("/revoke").raise_for_status()
    shown = wait_for(lambda: TITLE in (w := windows(node)).titles and w, 30, what="the sign-in window again")
    assert "sign in again" in shown.sign_in_message and shown.tray == "Session expired: sign in again"
    log = node.data_dir / "logs" / "ui.log"
    with pytest.raises(AssertionError):  # one window, not a loop: no second "shown" within 3 s
        wait_for(lambda: log.read_text().count("sign-in window shown") > 2, 3, interval=0.2)
    assert log.read_text().count("sign-in window shown (") == 1  # the first run's had no reason
