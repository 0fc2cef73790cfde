"""Shared fixtures: real processes, real sockets, real files."""

import os

from hypothesis import HealthCheck, settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The machine is shared and noisy: property tests judge results, never how fast examples come.
settings.register_profile("shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shared-machine")

pytest_plugins = ["tests.fixtures.node", "tests.fixtures.sandbox", "tests.fixtures.releases"]
