from workbuoy.schemas.base import Ok

CHANNEL = "wb:sup:stop"


def handle(arbiter, request, caller: str) -> Ok:
    arbiter.request_stop(f"asked by {caller}")
    return Ok()
