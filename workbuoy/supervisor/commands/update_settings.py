import msgspec

from workbuoy.bus.errors import BusError
from workbuoy.schemas.settings import Settings, SettingsPatch

CHANNEL = "wb:updateSettings"


def handle(arbiter, request: SettingsPatch, caller: str) -> Settings:
    try:
        updated = arbiter.settings.update(request)
    except (ValueError, msgspec.ValidationError) as exc:
        raise BusError("invalid_payload", str(exc)) from None
    arbiter.broker.publish("wb:settings:changed", updated)
    return updated
