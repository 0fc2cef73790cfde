import msgspec

from workbuoy import logs as wblog
from workbuoy.bus.errors import BusError
from workbuoy.schemas.settings import Settings, SettingsPatch

CHANNEL = "wb:updateSettings"
log = wblog.create("supervisor.settings")


def handle(arbiter, request: SettingsPatch, caller: str) -> Settings:
    before = arbiter.settings.current
    try:
        updated = arbiter.settings.update(request)
    except (ValueError, msgspec.ValidationError) as exc:
        raise BusError("invalid_payload", str(exc)) from None
    if updated.start_at_login != before.start_at_login and arbiter.watcher("ui") is not None:
        _follow_autostart(updated.start_at_login)
    if updated.update_interval_min != before.update_interval_min:
        arbiter.updater.set_interval(updated.update_interval_min)
    arbiter.broker.publish("wb:settings:changed", updated)
    return updated


def _follow_autostart(enabled: bool) -> None:
    """The desktop's autostart entry follows ``startAtLogin`` (docs/deploy.md)."""
    from workbuoy.desktop import integration

    try:
        log.info(integration.set_autostart(enabled) or "autostart unchanged")
    except OSError as exc:  # the setting is kept; the next `workbuoy install-desktop` retries
        log.error("autostart entry not updated: %s", exc)
