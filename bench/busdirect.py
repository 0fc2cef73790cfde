"""The baselines of ``bench/bus.py``: a bare ZeroMQ pair between two processes, no broker.

The echo ROUTER stays up for the whole run, so that its round trips can be measured
in rounds alternated with the broker's (same load, same minute) rather than once before.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable

import zmq

WINDOW = 64  # requests in flight for the throughput runs


def _echo_router(endpoint: str) -> None:
    ctx = zmq.Context()
    s = ctx.socket(zmq.ROUTER)
    s.linger = 0
    s.bind(endpoint)
    while True:
        frames = s.recv_multipart()
        if frames[-1] == b"stop":
            return
        s.send_multipart(frames)


def _pull_sink(endpoint: str, n: int, done: str) -> None:
    ctx = zmq.Context()
    s = ctx.socket(zmq.PULL)
    s.bind(endpoint)
    r = ctx.socket(zmq.PUSH)
    r.connect(done)
    for _ in range(n):
        s.recv()
    r.send(b"done")


def latencies(send: Callable[[], object], recv: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        send()
        recv()
        out.append(time.perf_counter() - t0)
    return out


def pipelined(send: Callable[[], object], recv: Callable[[], object], n: int) -> float:
    """Messages per second (requests + replies) with WINDOW requests in flight."""
    t0 = time.perf_counter()
    inflight = sent = 0
    while sent < n or inflight:
        while inflight < WINDOW and sent < n:
            send()
            sent += 1
            inflight += 1
        recv()
        inflight -= 1
    return 2 * n / (time.perf_counter() - t0)


class EchoPair:
    """A DEALER here and an echoing ROUTER in a spawned process, over ``ipc://``."""

    def __init__(self, folder: str, frame: bytes) -> None:
        endpoint = f"ipc://{folder}/echo"
        self.frame = frame
        self._proc = mp.get_context("spawn").Process(target=_echo_router, args=(endpoint,), daemon=True)
        self._proc.start()
        self._ctx = zmq.Context()
        self.socket = self._ctx.socket(zmq.DEALER)
        self.socket.linger = 0
        self.socket.connect(endpoint)
        self.socket.send(frame)
        self.socket.recv()  # connected and warm

    @property
    def pid(self) -> int:
        return self._proc.pid

    def latencies(self, n: int) -> list[float]:
        return latencies(lambda: self.socket.send(self.frame), self.socket.recv, n)

    def rate(self, n: int) -> float:
        return pipelined(lambda: self.socket.send(self.frame), self.socket.recv, n)

    def close(self) -> None:
        self.socket.send(b"stop")
        self._proc.join(5)
        self.socket.close()
        self._ctx.term()


def push_pull_rate(folder: str, n: int, frame: bytes) -> float:
    endpoint, done = f"ipc://{folder}/pull", f"ipc://{folder}/done"
    ctx = zmq.Context()
    back = ctx.socket(zmq.PULL)
    back.bind(done)
    p = mp.get_context("spawn").Process(target=_pull_sink, args=(endpoint, n, done), daemon=True)
    p.start()
    push = ctx.socket(zmq.PUSH)
    push.linger = 0
    push.connect(endpoint)
    time.sleep(0.5)  # let the sink bind; not part of the measurement
    t0 = time.perf_counter()
    for _ in range(n):
        push.send(frame)
    back.recv()
    rate = n / (time.perf_counter() - t0)
    p.join(5)
    return rate
