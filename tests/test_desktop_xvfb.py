"""The desktop app under a real X server with Qt's xcb platform, typed into with xdotool:
the sign-in window signs in, sign-out brings it back, and the portal's own login page signs
the node in."""

from __future__ import annotations

import pytest

from tests.fixtures.node import wait_for
from tests.fixtures.sandbox import DEMO, sandbox  # noqa: F401
from tests.fixtures.signed_in import FILE_KEYRING
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
