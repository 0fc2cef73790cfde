"""Per-channel message counts and reply latencies of the broker, kept in plain dicts.

Every message passes through the supervisor's one routing thread. A multiprocess
prometheus metric costs a lock, a pid check and an mmap write per update, about a
third of the routing time, so the broker counts in memory and ``/metrics`` exports
the totals through this collector, under the usual names.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric

#: Bus round trips range from tens of microseconds (local reply) to seconds (an API call behind it).
IPC_BUCKETS = (5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _Histogram:
    __slots__ = ("counts", "sum")

    def __init__(self) -> None:
        self.counts = [0] * (len(IPC_BUCKETS) + 1)  # the last one is +Inf
        self.sum = 0.0


class BusStats:
    def __init__(self) -> None:
        self.messages: defaultdict[tuple[str, str], int] = defaultdict(int)
        self.latency: dict[str, _Histogram] = {}

    def count(self, channel: str, kind: str) -> None:
        self.messages[(channel, kind)] += 1

    def observe(self, channel: str, seconds: float) -> None:
        h = self.latency.get(channel)
        if h is None:
            h = self.latency[channel] = _Histogram()
        h.counts[bisect_left(IPC_BUCKETS, seconds)] += 1
        h.sum += seconds

    def collect(self) -> Iterator[Metric]:
        """Called from the metrics server's thread: copy before iterating (list() of a dict holds the GIL)."""
        messages = CounterMetricFamily("wb_desktop_ipc_messages", "Bus messages handled.", labels=["channel", "kind"])
        for (channel, kind), n in list(self.messages.items()):
            messages.add_metric([channel, kind], n)
        yield messages
        latency = HistogramMetricFamily("wb_desktop_ipc_latency_seconds", "Bus request to reply time.", labels=["channel"])
        for channel, h in list(self.latency.items()):
            counts, cumulative, buckets = list(h.counts), 0, []
            for le, n in zip((*map(str, IPC_BUCKETS), "+Inf"), counts):
                cumulative += n
                buckets.append((le, cumulative))
            latency.add_metric([channel], buckets, h.sum)
        yield latency
