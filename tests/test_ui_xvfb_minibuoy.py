"""Mini-Buoy under a real X server (Xvfb, Qt's xcb platform), typed into with xdotool as a
person would: the shortcut opens it, two questions typed with spaces right after each answer
are both asked (a space used to land on the × button and close it), Esc hides it."""

from __future__ import annotations

import pytest

from tests.fixtures.node import wait_for
from tests.fixtures.sandbox import DEMO, sandbox  # noqa: F401
from tests.fixtures.signed_in import FILE_KEYRING
from tests.fixtures.xvfb import xvfb  # noqa: F401

pytest.importorskip("PySide6", reason="the ui extra is not installed")
pytestmark = pytest.mark.timeout(300)


def test_a_person_asks_mini_buoy_twice_with_the_keyboard(xvfb, sandbox, node_factory, tmp_path):
    node = node_factory(mode="run", DISPLAY=xvfb.name, QT_QPA_PLATFORM="xcb", WB_PORTAL_BASE_URL=sandbox.origin,
                        **FILE_KEYRING).start()
    signin = wait_for(lambda: xvfb.window("^Sign in to WorkBuoy$"), 60, what="the sign-in window on the display")
    xvfb.type_into(signin, DEMO[0], "[Tab]", DEMO[1], "[Return]")
    main = wait_for(lambda: xvfb.window("^WorkBuoy$"), 60, what="the main window after signing in")

    xvfb.type_into(main, "[ctrl+shift+space]")  # the default miniBuoyShortcut, an application shortcut
    overlay = wait_for(lambda: xvfb.window("^Mini-Buoy$"), 30, what="Mini-Buoy opened by its shortcut")

    def answers() -> int:
        return node.call("wb:ui:windows").overlay_answers

    xvfb.type_into(overlay, "what is next for this deal", "[Return]")
    wait_for(lambda: answers() == 1, 60, what="the first answer")
    xvfb.type_into(overlay, " and who owns it", "[shift+Return]", "second line", "[Return]")  # a space first
    wait_for(lambda: answers() == 2, 60, what="the second answer")
    shown = node.call("wb:ui:windows")
    assert "Mini-Buoy" in shown.titles and shown.overlay_status == ""
    xvfb.screenshot(overlay, str(tmp_path / "minibuoy.png"))
    xvfb.type_into(overlay, "[Escape]")
    wait_for(lambda: "Mini-Buoy" not in node.call("wb:ui:windows").titles, 30, what="Esc hides Mini-Buoy")
    assert node.status().actors["ui"].restarts == 0
