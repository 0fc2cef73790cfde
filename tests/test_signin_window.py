"""The sign-in window, typed into (offscreen Qt), against a real node and the sandbox.

The window runs in this process on the ui's Qt-driven loop; its bus is a real client of
a real node (role ``cli``, which may sign in as the ui may), so every message it sends
reaches the real auth actor, which signs in at the real sandbox over loopback.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytest.importorskip("PySide6", reason="the ui extra is not installed")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.fixtures.sandbox import DEMO, sandbox  # noqa: E402, F401
from tests.fixtures.signed_in import FILE_KEYRING  # noqa: E402
from workbuoy.actors.ui.signin_window import TITLE, SignInWindow  # noqa: E402
from workbuoy.bus.client import Client  # noqa: E402
from workbuoy.qtloop import QtEventLoop  # noqa: E402

pytestmark = pytest.mark.timeout(180)


class NodeBus:
    """The window's ``Bus`` on a real bus client; the blocking call runs off the Qt loop."""

    def __init__(self, node) -> None:
        self.client = Client(node.endpoints, timeout=60)

    async def call(self, channel: str, payload: Any = None, *, timeout: float = 10.0) -> Any:
        return await asyncio.to_thread(self.client.call, channel, payload, timeout=timeout)


def run(coro) -> Any:
    with asyncio.Runner(loop_factory=QtEventLoop) as runner:
        return runner.run(coro)


def type_into(widget, text: str) -> None:
    widget.clear()
    QTest.keyClicks(widget, text)


def test_typing_the_credentials_signs_in_and_errors_keep_the_window(qapp, sandbox, node_factory):
    node = node_factory(**FILE_KEYRING).start()  # no WB_PORTAL_BASE_URL: the user types the address
    bus = NodeBus(node)
    signed: list = []
    window = SignInWindow(bus, signed.append)
    window.prepare(node.call("wb:getSettings"), first_sign_in=not node.call("wb:auth:status").known_user)
    window.open()
    assert window.windowTitle() == TITLE and not window.portal.isReadOnly()
    assert window.portal.text() == "https://app.workbuoy.com"

    type_into(window.email, DEMO[0])
    type_into(window.portal, "http://127.0.0.1:9")  # nothing listens on the discard port
    type_into(window.password, DEMO[1])
    assert not run(window.sign_in())
    assert window.message.text().startswith("Cannot reach the portal at http://127.0.0.1:9")
    assert window.isVisible() and window.password.text() == ""  # the password is never kept

    type_into(window.portal, sandbox.origin)
    type_into(window.password, "not-the-password")
    assert not run(window.sign_in())
    assert window.message.text() == "Wrong e-mail or password." and window.isVisible()

    type_into(window.password, DEMO[1])

    async def press_enter() -> bool:
        QTest.keyClick(window.password, Qt.Key.Key_Return)  # Enter in the password field signs in
        for _ in range(600):
            if signed:
                return True
            await asyncio.sleep(0.05)
        return False

    assert run(press_enter()), window.message.text()
    assert signed[0].state == "signed_in" and signed[0].email == DEMO[0] and not window.isVisible()
    status = node.call("wb:auth:status")
    assert (status.state, status.email, status.known_user) == ("signed_in", DEMO[0], True)
    assert node.call("wb:getSettings").portal_origin == sandbox.origin
    window.prepare(node.call("wb:getSettings"), first_sign_in=not status.known_user)
    assert window.portal.isReadOnly()  # after the first sign-in the address changes only in Settings


def test_no_usable_keyring_says_what_to_do(qapp, sandbox, node_factory):
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, WB_KEYRING_BACKEND="file").start()  # and no key
    window = SignInWindow(NodeBus(node), lambda state: None)
    window.prepare(node.call("wb:getSettings"), first_sign_in=True)
    assert window.portal.isReadOnly() and "environment" in window.portal.toolTip()  # WB_PORTAL_BASE_URL pins it
    type_into(window.email, DEMO[0])
    type_into(window.password, DEMO[1])
    assert not run(window.sign_in())
    assert "No usable keyring" in window.message.text() and "WB_KEYRING_KEY" in window.message.text()
    assert node.call("wb:auth:status").state == "signed_out"
