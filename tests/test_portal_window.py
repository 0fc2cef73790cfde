"""The portal window's WebEngine view against the sandbox portal (offscreen): the link rule,
refused permissions, and the session cookie the portal's own login page sets.

QtWebEngineWidgets is imported when this module is collected, before any test creates the
QApplication (WebEngine requires that, or shared GL contexts, which the portal actor sets).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets", reason="the portal extra is not installed")

if os.geteuid() == 0:  # as the portal actor does: Chromium's sandbox refuses root
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.fixtures.sandbox import DEMO, sandbox  # noqa: E402, F401
from workbuoy import i18n  # noqa: E402
from workbuoy.actors.portal.window import LinkRule, PortalWindow  # noqa: E402
from workbuoy.sandbox.portal import HELP_URL  # noqa: E402

pytestmark = pytest.mark.timeout(120)


def pump(cond: Callable[[], Any], timeout: float = 30, what: str = "condition") -> Any:
    """Let Qt work until ``cond()`` is truthy; fail after a generous ``timeout``."""
    deadline = time.monotonic() + timeout
    while not (value := cond()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        QApplication.processEvents()
        time.sleep(0.01)
    return value


class RecordingRule(LinkRule):
    """The real rule, remembering each verdict it gave."""

    def __init__(self, origin: str, external: list[str]) -> None:
        super().__init__(origin, external)
        self.seen: list[tuple[str, bool]] = []

    def apply(self, url: str, *, popup: bool) -> bool:
        allowed = super().apply(url, popup=popup)
        self.seen.append((url, allowed))
        return allowed


def js(window: PortalWindow, script: str) -> None:
    """Run ``script`` as the embedder (not page script: the page's CSP allows none)."""
    window.page().runJavaScript(script, 0)


def open_window(qapp, sandbox, external: list[str], cookies: list[str]) -> tuple[PortalWindow, RecordingRule]:
    rule = RecordingRule(sandbox.origin, external)
    window = PortalWindow(rule, "/portal/", cookies.append)
    return window, rule


def signed_in_home(window: PortalWindow, sandbox) -> None:
    session = sandbox.client().post("/auth/login", json={"email": DEMO[0], "password": DEMO[1]}).cookies["wb_session"]
    window.set_session(session)  # as the portal actor injects a session signed in natively
    window.go(f"{sandbox.origin}/portal/")
    pump(lambda: DEMO[0] in window.page().title() and window.url().path() == "/portal/", what="the signed-in home")


def test_the_portal_login_page_hands_its_session_to_the_bridge(qapp, sandbox):
    cookies: list[str] = []
    window, _ = open_window(qapp, sandbox, [], cookies)
    window.go(f"{sandbox.origin}/portal/")
    pump(lambda: window.url().path() == "/portal/login", what="the login page")
    js(window, f"document.getElementById('email').value = '{DEMO[0]}';"
               f"document.getElementById('password').value = '{DEMO[1]}';"
               "document.querySelector('form').submit();")
    pump(lambda: cookies, what="the session cookie")
    pump(lambda: DEMO[0] in window.page().title(), what="the home after signing in")
    me = sandbox.client("/api").get("/me", headers={"Cookie": f"wb_session={cookies[0]}"})
    assert me.status_code == 200 and me.json()["user"]["email"] == DEMO[0]
    window.shut()


def test_a_link_to_a_foreign_host_is_not_navigated(qapp, sandbox, tmp_path, monkeypatch):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" >> {opened}\n')
    browser.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(browser))
    window, rule = open_window(qapp, sandbox, [], [])
    signed_in_home(window, sandbox)
    home = window.url().toString()
    js(window, "document.getElementById('help').click()")
    pump(lambda: (HELP_URL, False) in rule.seen, what="the help link judged")
    js(window, f"window.open('{HELP_URL}')")  # JavascriptCanOpenWindows is off: no window either
    QApplication.processEvents()
    assert window.url().toString() == home and not opened.exists()  # refused: not on externalLinks

    rule.external = ["*.workbuoy.example"]  # the setting changed: now it goes to the system browser
    js(window, "document.getElementById('help').click()")
    pump(lambda: opened.exists() and HELP_URL in opened.read_text(), what="the system browser")
    assert window.url().toString() == home
    window.shut()


def test_no_permission_is_granted(qapp, sandbox):
    window, _ = open_window(qapp, sandbox, [], [])
    signed_in_home(window, sandbox)
    js(window, "Notification.requestPermission().then(p => { document.title = 'notifications:' + p; });")
    pump(lambda: window.page().title().startswith("notifications:"), what="the notification answer")
    assert window.page().title() == "notifications:denied"
    js(window, "navigator.geolocation.getCurrentPosition(() => { document.title = 'geo:granted'; },"
               " e => { document.title = 'geo:' + e.code; });")
    pump(lambda: window.page().title().startswith("geo:"), what="the geolocation answer")
    assert window.page().title() == "geo:1"  # PERMISSION_DENIED
    window.shut()


def test_the_window_title_is_in_bokmal_when_the_language_is(qapp, sandbox):
    """The portal process installs the ui's language (``PortalActor.start``): its title follows."""
    assert i18n.install("nb") == "nb"
    window, _ = open_window(qapp, sandbox, [], [])
    try:
        assert window.windowTitle() == "WorkBuoy-portalen"
        signed_in_home(window, sandbox)
        pump(lambda: window.windowTitle() == f"{window.page().title()} - WorkBuoy-portalen", what="the page's title")
    finally:
        window.shut()
        i18n.install("en")
