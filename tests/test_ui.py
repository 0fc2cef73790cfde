"""The ui actor in a real desktop node (offscreen Qt): ready, overlay, notify, deep links."""

from __future__ import annotations

import pytest

from tests.fixtures.node import wait_for

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def desktop(node_factory):
    return node_factory(mode="run").start()


def test_ui_ready_and_overlay_toggles(desktop):
    assert desktop.status().actors["ui"].state == "ready"
    assert desktop.call("wb:overlay:toggle", {}).visible is True
    assert desktop.call("wb:overlay:toggle", {}).visible is False
    assert desktop.call("wb:overlay:toggle", {"visible": True}).visible is True
    assert desktop.call("wb:overlay:toggle", {"visible": True}).visible is True
