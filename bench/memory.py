"""Memory, restart and cold-start benchmark: every actor spawned fresh against forked from the zygote.

Run: ``PYTHONPATH=. QT_QPA_PLATFORM=offscreen .venv/bin/python bench/memory.py [--kills 1]``.

For each start mode (``WB_ZYGOTE=0``: each actor a fresh ``python -m workbuoy.actors NAME``,
the baseline; ``WB_ZYGOTE=1``: forked from the preloaded zygote) it starts a headless node
and a desktop node (Qt offscreen, the portal window closed), both signed in to a sandbox,
and prints, from the same run:

- PSS, USS and RSS per process and in total, from ``/proc/<pid>/smaps_rollup`` (PSS
  shares each shared page among the processes that map it; USS is what only that
  process maps; RSS counts a shared page once per process, so its sum overstates);
- cold start: from starting the supervisor to every actor ready, for a new data folder
  and again for the same folder signed in (the auth actor unlocks the file keyring);
- ``kill -9`` of an actor to that actor ready again, p50 / p90 over every actor of the
  node, ``--kills`` rounds (a second round waits out the 30 s restart period first, so
  no back-off is measured).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.bus import tree  # noqa: E402
from tests.fixtures.node import Node, pid_alive, wait_for  # noqa: E402
from tests.fixtures.sandbox import SandboxProcess  # noqa: E402
from tests.fixtures.signed_in import FILE_KEYRING, login  # noqa: E402

MODES = {"spawn": "0", "zygote": "1"}
FIELDS = ("Pss", "Private_Clean", "Private_Dirty", "Rss")
RESTART_PERIOD_S = 31.0  # RestartPolicy.period_sec + 1: a kill after it restarts with no back-off


def smaps(pid: int) -> dict[str, int]:
    """PSS, USS and RSS of ``pid`` in KiB (zeros if it is gone)."""
    got = dict.fromkeys(FIELDS, 0)
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in got:
                got[key] = int(rest.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return {"pss": got["Pss"], "uss": got["Private_Clean"] + got["Private_Dirty"], "rss": got["Rss"]}


def process_names(node: Node) -> dict[int, str]:
    """Every process of the node's tree by name: the supervisor, each actor, the zygote, helpers."""
    assert node.proc is not None
    actors = {pid: name for name, pid in node.actor_pids().items()}
    names = {}
    for pid in tree(node.proc.pid):
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        if pid == node.proc.pid:
            names[pid], supervisor = "supervisor", cmd
        elif pid in actors:
            names[pid] = actors[pid]
        else:  # the zygote forked from the supervisor has its command line, a spawned one its own
            names[pid] = "zygote" if "zygote" in cmd or cmd == supervisor else cmd.split(" ")[0].rsplit("/", 1)[-1]
    return names


def kill_to_ready_ms(node: Node, actor: str) -> float:
    pid = node.actor_pids()[actor]
    t0 = time.perf_counter()
    os.kill(pid, signal.SIGKILL)

    def back() -> bool:
        a = node.status().actors[actor]
        return a.state == "ready" and a.pid != pid

    wait_for(back, 60, interval=0.002, what=f"{actor} ready again")
    return (time.perf_counter() - t0) * 1000


def start_ms(node: Node) -> float:
    """Start the node's supervisor; milliseconds until every actor is ready."""
    t0 = time.perf_counter()
    node.start(wait=False)
    node.wait_ready(timeout=120)
    return (time.perf_counter() - t0) * 1000


def stop(node: Node) -> None:
    """Stop the node and wait until its actors are gone, so the next start or run finds none of them."""
    pids = list(node.actor_pids().values()) if node.try_status() else []
    node.stop()
    for pid in pids:
        wait_for(lambda: not pid_alive(pid), 30, what=f"pid {pid} to exit")


def measure(mode: str, kind: str, origin: str, kills: int, folder: Path) -> dict:
    """One node of ``kind`` (``node`` or ``run``) in start ``mode``: memory, cold starts, restarts."""
    data = folder / f"{kind}-{mode}"
    data.mkdir()
    node = Node(data, {"WB_PORTAL_BASE_URL": origin, "WB_ZYGOTE": MODES[mode], **FILE_KEYRING}, kind)
    cold_ms = start_ms(node)
    try:
        login(node)
        time.sleep(3)  # let start-up work settle before measuring resident pages
        memory = {f"{name} ({pid})": smaps(pid) for pid, name in process_names(node).items()}
        restarts = []
        for r in range(kills):
            if r:
                time.sleep(RESTART_PERIOD_S)
            restarts += [kill_to_ready_ms(node, a) for a in node.actor_pids()]
        stop(node)
        signed_in_ms = start_ms(node)  # the auth actor now unlocks the file keyring before it is ready
    finally:
        stop(node)
    return {"cold_ms": cold_ms, "signed_in_ms": signed_in_ms, "memory": memory, "restarts": restarts}


def mib(kib: int) -> str:
    return f"{kib / 1024:6.1f}"


def report(kind: str, runs: dict[str, dict]) -> None:
    print(f"\n## {kind}: per process, MiB (PSS / USS / RSS)")
    for mode, run in runs.items():
        print(f"\n{mode}:")
        for name, m in run["memory"].items():
            print(f"  {name:<22} PSS {mib(m['pss'])}  USS {mib(m['uss'])}  RSS {mib(m['rss'])}")
        total = {k: sum(m[k] for m in run["memory"].values()) for k in ("pss", "uss", "rss")}
        run["total"] = total
        print(f"  {'total':<22} PSS {mib(total['pss'])}  USS {mib(total['uss'])}  RSS {mib(total['rss'])}"
              f"  ({len(run['memory'])} processes)")
    base, new = runs["spawn"], runs["zygote"]
    print(f"\n{kind} summary          spawn (baseline)      zygote        ratio")
    for key in ("pss", "uss", "rss"):
        print(f"  total {key.upper()} MiB       {base['total'][key] / 1024:8.1f}        {new['total'][key] / 1024:8.1f}"
              f"        {new['total'][key] / base['total'][key]:.2f}x")
    for key, label in (("cold_ms", "cold start ms        "), ("signed_in_ms", "start, signed in ms  ")):
        print(f"  {label} {base[key]:8.0f}        {new[key]:8.0f}        {new[key] / base[key]:.2f}x")
    for q, label in ((50, "p50"), (90, "p90")):
        b, z = pct(base["restarts"], q), pct(new["restarts"], q)
        print(f"  kill -9 -> ready {label} ms {b:8.0f}        {z:8.0f}        {z / b:.2f}x"
              f"   (n={len(new['restarts'])}: {' '.join(f'{x:.0f}' for x in new['restarts'])})")


def pct(xs: list[float], q: int) -> float:
    return statistics.quantiles(xs, n=10, method="inclusive")[q // 10 - 1] if len(xs) > 1 else xs[0]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=1, help="rounds of one kill per actor, 31 s apart")
    ap.add_argument("--kinds", default="node,run", help="node (headless), run (desktop), or both")
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sandbox = SandboxProcess().start()
    print(f"memory benchmark, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    try:
        with tempfile.TemporaryDirectory(prefix="wb-bench-mem-") as tmp:
            for kind in args.kinds.split(","):
                runs = {mode: measure(mode, kind, sandbox.origin, args.kills, Path(tmp)) for mode in MODES}
                report("headless node" if kind == "node" else "desktop node, portal window closed", runs)
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
