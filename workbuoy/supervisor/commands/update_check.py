from workbuoy.schemas.update import UpdateStatus

CHANNEL = "wb:update:check"


def handle(arbiter, request, caller: str) -> UpdateStatus:
    return arbiter.updater.check()
