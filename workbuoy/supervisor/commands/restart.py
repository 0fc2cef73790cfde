from workbuoy.bus.errors import BusError
from workbuoy.schemas.base import Ok
from workbuoy.schemas.control import RestartActor

CHANNEL = "wb:sup:restart"


def handle(arbiter, request: RestartActor, caller: str) -> Ok:
    watcher = arbiter.watcher(request.actor)
    if watcher is None:
        raise BusError("failed", f"{request.actor} is not part of this node")
    watcher.restart_now()
    return Ok()
