"""Shared fixtures: real processes, real sockets, real files."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ["tests.fixtures.node", "tests.fixtures.sandbox", "tests.fixtures.releases"]
