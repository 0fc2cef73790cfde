from workbuoy.bus.errors import BusError
from workbuoy.schemas.base import Ok
from workbuoy.schemas.control import DeepLink

CHANNEL = "wb:sup:deeplink"
SCHEME = "workbuoy:"


def handle(arbiter, request: DeepLink, caller: str) -> Ok:
    if not request.url.startswith(SCHEME):
        raise BusError("invalid_payload", f"a deep link starts with {SCHEME!r}")
    if arbiter.watcher("ui") is None:
        raise BusError("unavailable", "this node has no ui to open a deep link")
    arbiter.broker.publish("wb:ui:deeplink", request)
    return Ok()
