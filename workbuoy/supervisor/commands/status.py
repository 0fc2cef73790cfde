import os

from workbuoy.schemas.control import Status

CHANNEL = "wb:sup:status"


def handle(arbiter, request, caller: str) -> Status:
    return Status(pid=os.getpid(), data_dir=str(arbiter.env.data_dir), actors={w.name: w.status() for w in arbiter.watchers},
                  metrics_url=arbiter.metrics_url)
