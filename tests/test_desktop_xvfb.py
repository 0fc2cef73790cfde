"""The desktop app under a real X server with Qt's xcb platform, typed into with xdotool:
the sign-in window signs in, sign-out brings it back, and the portal's own login page signs
the node in; a deal is found, edited offline and synced with the keyboard alone."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.node import wait_for
from tests.fixtures.sandbox import DEMO, sandbox  # noqa: F401
from tests.fixtures.signed_in import FILE_KEYRING, login, server_rows, sync
from tests.fixtures.xvfb import xvfb  # noqa: F401

pytest.importorskip("PySide6.QtWebEngineWidgets", reason="the portal extra is not installed")
pytestmark = pytest.mark.timeout(300)


def test_a_person_signs_in_signs_out_and_signs_in_through_the_portal(xvfb, sandbox, node_factory):
    node = node_factory(mode="run", DISPLAY=xvfb.name, QT_QPA_PLATFORM="xcb", WB_PORTAL_BASE_URL=sandbox.origin,
                        **FILE_KEYRING).start()
    signin = wait_for(lambda: xvfb.window("^Sign in to WorkBuoy$"), 60, what="the sign-in window on the display")
    xvfb.type_into(signin, DEMO[0], "[Tab]", "wrong-password", "[Return]")
    wait_for(lambda: node.call("wb:ui:windows").sign_in_message == "Wrong e-mail or password.", 60,
             what="the wrong-password message")
    assert xvfb.window("^Sign in to WorkBuoy$") == signin  # the window stays
    xvfb.type_into(signin, DEMO[1], "[Return]")  # the e-mail is kept, the password field was emptied
    wait_for(lambda: node.call("wb:auth:status").state == "signed_in", 60, what="signed in from the window")
    wait_for(lambda: not xvfb.window("^Sign in to WorkBuoy$"), 30, what="the sign-in window gone")
    wait_for(lambda: xvfb.window("^WorkBuoy$"), 30, what="the main window")

    node.call("wb:auth:logout")  # the tray's "Sign out"
    wait_for(lambda: xvfb.window("^Sign in to WorkBuoy$"), 30, what="the sign-in window back")

    state = None
    for _ in range(3):  # on a busy machine keys may arrive before the page's autofocus: then load it afresh
        node.call("wb:portal:open", {}, timeout=60)
        portal = wait_for(lambda: xvfb.window("^Sign in - WorkBuoy"), 60, what="the portal's login page")
        wait_for(lambda: node.call("wb:portal:status").title.startswith("Sign in"), 60, what="the form loaded")
        xvfb.type_into(portal, DEMO[0], "[Tab]", DEMO[1], "[Return]")  # autofocus is on the e-mail field
        try:
            state = wait_for(lambda: (s := node.call("wb:auth:status")).state == "signed_in" and s, 30,
                             what="the node signed in through the portal's own page")
            break
        except AssertionError:
            continue
    assert state is not None, "typing into the portal's login page never signed the node in"
    assert state.email == DEMO[0]
    wait_for(lambda: xvfb.window(f"WorkBuoy - {DEMO[0]}"), 60, what="the portal home")
    wait_for(lambda: not xvfb.window("^Sign in to WorkBuoy$"), 30, what="the sign-in window gone again")


def posix_escape(text: str) -> str:
    """``text`` as a literal in xdotool's (POSIX extended) regular expression."""
    return re.sub(r"([.\[\](){}*+?|^$\\])", r"\\\1", text)


def test_a_person_edits_a_deal_offline_with_the_keyboard_and_sees_it_synced(xvfb, sandbox, node_factory):
    """Search, open a deal, edit its amount offline, see it pending, come online, see it synced.

    Every step is a key pressed on the real display; what the person sees is read back
    from the main window's title, which names the record on screen and its mark.
    """
    node = node_factory(mode="run", DISPLAY=xvfb.name, QT_QPA_PLATFORM="xcb", WB_PORTAL_BASE_URL=sandbox.origin,
                        LANG="en_US.UTF-8", **FILE_KEYRING).start()
    login(node)
    deal = next(iter(server_rows(sandbox, "deals", "org-1").values()))
    deal = sandbox.admin.put(f"/rows/deals/{deal['id']}", json={"name": "Quarry Stoneworks — keyboard deal"}).json()
    sync(node)  # the offline copy has it, and only it answers a search for "keyboard deal"
    title = f"^WorkBuoy — {posix_escape(deal['name'])}"
    node.call("wb:sup:deeplink", {"url": "workbuoy://deals"})  # as a click in the tray would open it
    window = wait_for(lambda: xvfb.window("^WorkBuoy"), 60, what="the main window")
    xvfb.type_into(window, "[ctrl+f]", "keyboard deal", "[Return]")
    for _ in range(5):  # Down before the search answered selects a row of the old list: then again
        xvfb.type_into(window, "[ctrl+f]", "[Down]")  # from the search box into the rows: the first is selected
        try:
            wait_for(lambda: xvfb.window(title + "$"), 10, what="the deal selected")
            break
        except AssertionError:
            continue
    assert xvfb.window(title + "$"), f"the searched deal was never selected: {xvfb.xdotool('getwindowname', window)!r}"
    sandbox.set_faults(outage="drop")  # offline from here
    xvfb.type_into(window, "[Return]")  # Enter opens the record: focus in its first field
    xvfb.type_into(window, "[Tab]", "[Tab]", "[Tab]", "[ctrl+a]", "98765", "[ctrl+s]")  # name, company, stage, amount
    wait_for(lambda: xvfb.window(title + " — Pending$"), 60, what="the edit marked pending")
    assert sandbox.admin.get(f"/rows/deals/{deal['id']}").json()["amount"] == deal["amount"]
    sandbox.set_faults(outage="none")  # online again: the outbox drains and the marks follow
    wait_for(lambda: xvfb.window(title + "$"), 120, what="the edit synced, mark gone")
    assert sandbox.admin.get(f"/rows/deals/{deal['id']}").json()["amount"] == 98765
