"""Bus benchmark: the broker against direct ZeroMQ pairs, tracing cost, restart, cold start, RSS.

Run: ``.venv/bin/python bench/bus.py [--n 20000] [--rounds 7]``; ``WB_BUS_CURVE=1`` (CURVE on the ipc
bus, as on macOS) or ``WB_BUS_TRANSPORT=tcp`` (tcp + CURVE, as on Windows) measure the other buses. Everything is measured in this
run on this machine, and printed with ratios against the direct baselines. On a shared
machine one measurement of each is a coin toss, so the latencies are taken in rounds,
direct pair / 1 hop / 2 hops in turn, and the tracer's cost in rounds without / with a
tracer: each ratio is the median of the rounds' ratios, printed with their range and the
load average.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from busdirect import EchoPair, latencies, pipelined, push_pull_rate  # noqa: E402

from workbuoy.bus import runtime  # noqa: E402
from workbuoy.bus.client import Client, Subscriber  # noqa: E402
from workbuoy.schemas import envelope as env  # noqa: E402
from workbuoy.schemas.envelope import Kind  # noqa: E402

CHANNEL = "wb:auth:status"  # answered by the auth actor from memory: a full broker → actor → broker round trip
LOCAL = "wb:getSettings"  # answered by the broker's own process: one hop, like the direct pair


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


def broker_latencies(client: Client, n: int, channel: str = CHANNEL) -> list[float]:
    sock, it = client.socket, iter([env.encode(Kind.REQ, channel, i, {}) for i in range(n)])
    return latencies(lambda: sock.send(next(it)), sock.recv, n)


def broker_rate(client: Client, n: int, channel: str = CHANNEL) -> float:
    sock, it = client.socket, iter([env.encode(Kind.REQ, channel, i, {}) for i in range(n)])
    return pipelined(lambda: sock.send(next(it)), sock.recv, n)


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


def median_range(xs: list[float], unit: str = "x") -> str:
    return f"{statistics.median(xs):.2f}{unit} ({min(xs):.2f}-{max(xs):.2f})"


def alternated_p50s(pair: EchoPair, client: Client, rounds: int, n: int) -> dict[str, list[float]]:
    """p50 per round of the direct pair, the 1-hop and the 2-hop path, measured in turn."""
    p50s: dict[str, list[float]] = {"direct": [], "1 hop": [], "2 hops": []}
    for _ in range(rounds):
        p50s["direct"].append(pct(pair.latencies(n), 50))
        p50s["1 hop"].append(pct(broker_latencies(client, n, LOCAL), 50))
        p50s["2 hops"].append(pct(broker_latencies(client, n), 50))
    return p50s


def tracer_rounds(client: Client, folder: Path, rounds: int, n: int) -> dict[str, list[float]]:
    """Throughput and p50 without, with one tracer attached, and throughput after it left, ``rounds`` times."""
    got: dict[str, list[float]] = {"rate": [], "traced rate": [], "p50": [], "traced p50": [], "rate after": []}
    for _ in range(rounds):
        got["rate"].append(broker_rate(client, n))
        got["p50"].append(pct(broker_latencies(client, n // 2), 50))
        tracer = mp.get_context("spawn").Process(target=tracer_process, args=(str(folder), 60.0), daemon=True)
        tracer.start()
        time.sleep(1.0)  # the subscription must reach the broker first
        got["traced rate"].append(broker_rate(client, n))
        got["traced p50"].append(pct(broker_latencies(client, n // 2), 50))
        tracer.terminate()
        tracer.join(5)
        time.sleep(0.5)  # after the tracer left, XPUB reports the unsubscribe: the tap is off again
        got["rate after"].append(broker_rate(client, n))
    return got


def ratios(over: list[float], under: list[float]) -> list[float]:
    return [a / b for a, b in zip(over, under)]


def main() -> None:
    """Every measurement, then the table.

    Over 50 lines: one run read top to bottom (direct sockets, a node, a tracer, kills),
    and the table lists its figures in that order; split, each half would need the other's names.
    """
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    n, rounds = args.n, args.rounds
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="wbb") as tmp:
        frame = env.encode(Kind.REQ, CHANNEL, 1, {})
        pair = EchoPair(tmp, frame)
        d_rate = pair.rate(n)
        pp_rate = push_pull_rate(tmp, n * 5, frame)
        data_dir = Path(tmp) / "data"
        proc, cold_ms = start_node(data_dir)
        endpoints = runtime.locate(data_dir)
        try:
            with Client(endpoints, timeout=30) as c:
                broker_rate(c, n)  # warm-up: first-use costs must not count against "no tracer"
                p50s = alternated_p50s(pair, c, rounds, n // rounds)
                l_rate, b_rate = broker_rate(c, n, LOCAL), broker_rate(c, n)
                traced = tracer_rounds(c, endpoints.folder, max(3, rounds // 2), n // 2)
                dropped = c.call("wb:metrics:snapshot").samples.get("wb_desktop_trace_dropped_total", 0.0)
                pids = tree(proc.pid)  # the supervisor, its actors and the zygote
                rss, pss = rss_kib(pids)
                # one kill per actor: a second kill of the same actor within 30 s waits out its backoff
                restarts = [restart_ms(c, endpoints, actor) for actor in ("plugins", "audit", "queue")]
        finally:
            proc.terminate()
            proc.wait(60)
            pair.close()
    load = f"load {load_before:.1f} -> {os.getloadavg()[0]:.1f}"
    med = {k: statistics.median(v) for k, v in p50s.items()}
    cost = ratios(traced["rate"], traced["traced rate"])
    rows = [
        ("direct DEALER<->ROUTER p50, median of rounds", f"{med['direct']:.0f} us", f"{rounds} rounds, alternated; {load}"),
        ("broker round trip, 1 hop, p50", f"{med['1 hop']:.0f} us",
         f"{median_range(ratios(p50s['1 hop'], p50s['direct']))} direct (target <= 2.2x)"),
        ("broker -> actor -> broker, p50", f"{med['2 hops']:.0f} us",
         f"{median_range(ratios(p50s['2 hops'], p50s['direct']))} direct (target <= 2.0x)"),
        ("direct DEALER<->ROUTER throughput", f"{d_rate:,.0f} msg/s", ""),
        ("direct PUSH/PULL throughput", f"{pp_rate:,.0f} msg/s", ""),
        ("broker throughput, 1 hop", f"{l_rate:,.0f} msg/s", f"{l_rate / pp_rate:.2f}x PUSH/PULL (target >= 0.3x)"),
        ("broker -> actor throughput (no tracer)", f"{b_rate:,.0f} msg/s", f"{b_rate / pp_rate:.2f}x PUSH/PULL"),
        ("tracer attached: throughput cost", f"{statistics.median(traced['traced rate']):,.0f} msg/s",
         f"{median_range(cost)} slower, {len(cost)} rounds (target <= 2x)"),
        ("tracer attached: p50", f"{statistics.median(traced['traced p50']):.0f} us",
         f"{median_range(ratios(traced['traced p50'], traced['p50']))} untraced p50"),
        ("broker throughput after tracer left", f"{statistics.median(traced['rate after']):,.0f} msg/s",
         f"rate before / after: {median_range(ratios(traced['rate'], traced['rate after']))} (target <= 1.05x)"),
        ("trace messages dropped", f"{dropped:.0f}", ""),
        ("kill -9 -> ready again", " / ".join(f"{r:.0f}" for r in restarts) + " ms", "target <= 300 ms"),
        ("headless cold start -> all ready", f"{cold_ms:.0f} ms", "target <= 2000 ms"),
        (f"headless node memory ({len(pids)} processes)", f"RSS {rss / 1024:.0f} MiB, PSS {pss / 1024:.0f} MiB",
         "bench/memory.py: per process, against spawning"),
    ]
    w = max(len(r[0]) for r in rows)
    mode = f"{endpoints.bus.split(':')[0]}, {'CURVE' if endpoints.curve else 'uid check'}"
    print(f"\nbus benchmark, n={n}, {os.cpu_count()} cores, bus {mode} (WB_BUS_TRANSPORT / WB_BUS_CURVE)\n")
    for name, value, note in rows:
        print(f"| {name:<{w}} | {value:>26} | {note}")
    print("\nper round, p50 us: " + "; ".join(f"{k} " + " ".join(f"{x:.0f}" for x in v) for k, v in p50s.items()))


if __name__ == "__main__":
    main()
