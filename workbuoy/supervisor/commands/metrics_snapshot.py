from workbuoy import metrics
from workbuoy.schemas.control import MetricsSnapshot

CHANNEL = "wb:metrics:snapshot"


def handle(arbiter, request, caller: str) -> MetricsSnapshot:
    return MetricsSnapshot(samples=metrics.snapshot())
