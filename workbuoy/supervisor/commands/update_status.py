from workbuoy.schemas.update import UpdateStatus

CHANNEL = "wb:update:status"


def handle(arbiter, request, caller: str) -> UpdateStatus:
    return arbiter.updater.status()
