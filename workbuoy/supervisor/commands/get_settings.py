from workbuoy.schemas.settings import Settings

CHANNEL = "wb:getSettings"


def handle(arbiter, request, caller: str) -> Settings:
    return arbiter.settings.current
