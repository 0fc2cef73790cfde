from workbuoy.schemas.update import UpdateStatus

CHANNEL = "wb:update:apply"


def handle(arbiter, request, caller: str) -> UpdateStatus:
    return arbiter.updater.apply()
