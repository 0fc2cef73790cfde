"""Bus benchmark: the broker against direct ZeroMQ pairs, tracing cost, restart, cold start, RSS.

Run: ``.venv/bin/python bench/bus.py [--n 20000]``; ``WB_BUS_CURVE=1`` (CURVE on the ipc
bus, as on macOS) or ``WB_BUS_TRANSPORT=tcp`` (tcp + CURVE, as on Windows) measure the other buses. Everything is measured in this
run on this machine, and printed with ratios against the direct baselines.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import msgspec
import zmq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbuoy.bus import runtime  # noqa: E402
from workbuoy.bus.client import Client, Subscriber  # noqa: E402
from workbuoy.schemas import envelope as env  # noqa: E402
from workbuoy.schemas.envelope import Kind  # noqa: E402

CHANNEL = "wb:auth:status"  # answered by the auth actor from memory: a full broker → actor → broker round trip
LOCAL = "wb:getSettings"  # answered by the broker's own process: one hop, like the direct pair
WINDOW = 64  # requests in flight for the throughput runs


# -- direct baselines ------------------------------------------------------------


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


def _latencies(send, recv, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        send()
        recv()
        out.append(time.perf_counter() - t0)
    return out


def direct_dealer_router(folder: str, n: int, frame: bytes) -> tuple[list[float], float]:
    endpoint = f"ipc://{folder}/echo"
    p = mp.get_context("spawn").Process(target=_echo_router, args=(endpoint,), daemon=True)
    p.start()
    ctx = zmq.Context()
    d = ctx.socket(zmq.DEALER)
    d.linger = 0
    d.connect(endpoint)
    d.send(frame)
    d.recv()  # connected and warm
    lat = _latencies(lambda: d.send(frame), d.recv, n)
    rate = _pipelined(lambda: d.send(frame), d.recv, n)
    d.send(b"stop")
    p.join(5)
    d.close()
    return lat, rate


def direct_push_pull(folder: str, n: int, frame: bytes) -> float:
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


def _pipelined(send, recv, n: int) -> float:
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


# -- through the node --------------------------------------------------------------


def start_node(data_dir: Path, extra: dict[str, str] | None = None) -> tuple[subprocess.Popen, float]:
    environ = {**os.environ, "WB_DATA_DIR": str(data_dir), "WB_METRICS_PORT": "0", "WB_SYNC_INITIAL_DELAY_SEC": "3600", **(extra or {})}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "workbuoy", "node"], env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    folder = runtime.folder_for(data_dir)
    while True:
        if (folder / runtime.BUS_FILE).exists():
            try:
                with Client(runtime.read(folder), timeout=0.5) as c:
                    s = c.call("wb:sup:status")
                    if all(a.state == "ready" for a in s.actors.values()):
                        return proc, (time.perf_counter() - t0) * 1000
            except Exception:
                pass
        time.sleep(0.01)


def broker_round_trips(client: Client, n: int, channel: str = CHANNEL) -> tuple[list[float], float]:
    sock = client.socket
    frames = [env.encode(Kind.REQ, channel, i, {}) for i in range(n)]
    it = iter(frames)
    sock.send(frames[0])  # warm (any reply, even an error, is a full round trip)
    sock.recv()
    lat = _latencies(lambda: sock.send(next(it)), sock.recv, n)
    it = iter(frames)
    rate = _pipelined(lambda: sock.send(next(it)), sock.recv, n)
    return lat, rate


def tracer_process(folder: str, stop_after: float) -> None:
    endpoints = runtime.read(Path(folder))
    sub = Subscriber(endpoints.trace, endpoints=endpoints)
    deadline = time.monotonic() + stop_after
    got = 0
    for record in sub.traces(0.1):
        if time.monotonic() > deadline:
            break
        got += record is not None
    print(f"    tracer received {got} records", flush=True)


def rss_kib(pids: list[int]) -> tuple[int, int]:
    rss = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except FileNotFoundError:
            pass
    return rss, pss


def tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(") ", 1)[1].split()[1])
            except (FileNotFoundError, IndexError, ValueError):
                continue
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return found


def restart_ms(client: Client, endpoints: runtime.Endpoints, actor: str) -> float:
    sub = Subscriber(endpoints.events, ("wb:sup:actor",), endpoints=endpoints)
    time.sleep(0.3)  # slow joiner: let the subscription reach the broker before the kill
    pid = client.call("wb:sup:status").actors[actor].pid
    t0 = time.perf_counter()
    os.kill(pid, signal.SIGKILL)
    from workbuoy.schemas.control import ActorStatus

    dec = msgspec.msgpack.Decoder(ActorStatus)
    try:
        while True:
            msg = sub.recv(30)
            if msg is None:
                raise RuntimeError("no ready event")
            st = dec.decode(env.decode(msg[1]).payload)
            if st.name == actor and st.state == "ready" and st.pid != pid:
                return (time.perf_counter() - t0) * 1000
    finally:
        sub.close()


def pct(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100)[q - 1] * 1e6 if len(xs) > 100 else max(xs) * 1e6


def main() -> None:
    """Every measurement, then the table.

    Over 50 lines: one run read top to bottom (direct sockets, a node, a tracer, kills),
    and the table lists its figures in that order; split, each half would need the other's names.
    """
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000)
    args = ap.parse_args()
    n = args.n
    rows = []
    with tempfile.TemporaryDirectory(prefix="wbb") as tmp:
        frame = env.encode(Kind.REQ, CHANNEL, 1, {})
        d_lat, d_rate = direct_dealer_router(tmp, n, frame)
        pp_rate = direct_push_pull(tmp, n * 5, frame)

        data_dir = Path(tmp) / "data"
        proc, cold_ms = start_node(data_dir)
        endpoints = bus_mode = runtime.locate(data_dir)
        try:
            with Client(endpoints, timeout=30) as c:
                broker_round_trips(c, n)  # warm-up: first-use costs must not count against "no tracer"
                l_lat, l_rate = broker_round_trips(c, n, LOCAL)
                b_lat, b_rate = broker_round_trips(c, n)
                ctx = mp.get_context("spawn")
                tracer = ctx.Process(target=tracer_process, args=(str(endpoints.folder), 30.0), daemon=True)
                tracer.start()
                time.sleep(1.0)  # the subscription must reach the broker first
                t_lat, t_rate = broker_round_trips(c, n)
                tracer.terminate()
                tracer.join(5)
                # after the tracer left, XPUB reports the unsubscribe: the tap is off again
                time.sleep(0.5)
                a_lat, a_rate = broker_round_trips(c, n)
                snap = c.call("wb:metrics:snapshot").samples
                dropped = snap.get("wb_desktop_trace_dropped_total", 0.0)
                pids = tree(proc.pid)  # the supervisor, its actors and the zygote
                rss, pss = rss_kib(pids)
                # one kill per actor: a second kill of the same actor within 30 s waits out its backoff
                restarts = [restart_ms(c, endpoints, actor) for actor in ("plugins", "audit", "queue")]
        finally:
            proc.terminate()
            proc.wait(60)

    d50, b50, l50 = pct(d_lat, 50), pct(b_lat, 50), pct(l_lat, 50)
    rows += [
        ("direct DEALER<->ROUTER round trip p50 / p99", f"{d50:.0f} / {pct(d_lat, 99):.0f} us", ""),
        ("broker round trip, 1 hop, p50 / p99", f"{l50:.0f} / {pct(l_lat, 99):.0f} us", f"{l50 / d50:.2f}x direct (target <= 2.2x)"),
        ("broker -> actor -> broker, p50 / p99", f"{b50:.0f} / {pct(b_lat, 99):.0f} us", f"{b50 / d50:.2f}x direct (2 hops + asyncio actor)"),
        ("direct DEALER<->ROUTER throughput", f"{d_rate:,.0f} msg/s", ""),
        ("direct PUSH/PULL throughput", f"{pp_rate:,.0f} msg/s", ""),
        ("broker throughput, 1 hop", f"{l_rate:,.0f} msg/s", f"{l_rate / pp_rate:.2f}x PUSH/PULL (target >= 0.3x)"),
        ("broker -> actor throughput (no tracer)", f"{b_rate:,.0f} msg/s", f"{b_rate / pp_rate:.2f}x PUSH/PULL"),
        ("broker throughput, tracer attached", f"{t_rate:,.0f} msg/s", f"cost {(b_rate / t_rate - 1) * 100:.0f}% (target <= 2x)"),
        ("broker p50 with tracer attached", f"{pct(t_lat, 50):.0f} us", f"{pct(t_lat, 50) / b50:.2f}x"),
        ("broker throughput after tracer left", f"{a_rate:,.0f} msg/s", f"{(b_rate / a_rate - 1) * 100:+.1f}% vs before (target <= 5%)"),
        ("trace messages dropped", f"{dropped:.0f}", ""),
        ("kill -9 -> ready again", " / ".join(f"{r:.0f}" for r in restarts) + " ms", "target <= 300 ms"),
        ("headless cold start -> all ready", f"{cold_ms:.0f} ms", "target <= 2000 ms"),
        (f"headless node memory ({len(pids)} processes)", f"RSS {rss / 1024:.0f} MiB, PSS {pss / 1024:.0f} MiB",
         "bench/memory.py: per process, against spawning"),
    ]
    w = max(len(r[0]) for r in rows)
    mode = f"{bus_mode.bus.split(':')[0]}, {'CURVE' if bus_mode.curve else 'uid check'}"
    print(f"\nbus benchmark, n={n}, {os.cpu_count()} cores, bus {mode} (WB_BUS_TRANSPORT / WB_BUS_CURVE)\n")
    for name, value, note in rows:
        print(f"| {name:<{w}} | {value:>26} | {note}")


if __name__ == "__main__":
    main()
