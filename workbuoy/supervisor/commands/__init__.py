"""Control commands served by the supervisor itself, one module per command (as circus).

Each module has ``CHANNEL`` and ``handle(arbiter, request, caller) -> reply``.
"""

from __future__ import annotations

from workbuoy.supervisor.commands import deeplink, get_settings, metrics_snapshot, restart, status, stop, update_apply, update_check, update_settings, update_status

ALL = (get_settings, update_settings, status, restart, stop, deeplink, metrics_snapshot, update_check, update_status, update_apply)
