"""Shared fixtures: real processes, real sockets, real files."""

import os

from hypothesis import HealthCheck, settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The machine is shared and noisy: property tests judge results, never how fast examples come.
settings.register_profile("shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shared-machine")

pytest_plugins = ["tests.fixtures.node", "tests.fixtures.sandbox", "tests.fixtures.releases", "tests.fixtures.qt"]

#: Fixtures that need Linux today: the node fixtures check for leftover processes in
#: ``/proc`` and start an ipc bus whose ZAP check needs SO_PEERCRED; the in-process
#: broker is an ipc bus without CURVE. A test using one is ``linux_only`` (docs/platforms.md).
LINUX_FIXTURES = {"node", "node_factory", "broker"}
#: Modules about POSIX modes, the Secret Service over D-Bus, /proc and SIGKILL.
LINUX_MODULES = {"test_private_files", "test_auth_keyring", "test_security_secrets", "test_store_processes"}


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        if LINUX_FIXTURES & set(getattr(item, "fixturenames", ())) or item.module.__name__.rsplit(".", 1)[-1] in LINUX_MODULES:
            item.add_marker(pytest.mark.linux_only)
