"""``workbuoy demo``: the sandbox server, a node pointed at it, a signed-in user, live status.

With a display (and PySide6) the desktop node runs; without one, the headless node.
Stops everything it started on Ctrl-C or after ``--duration`` seconds.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import platformdirs

from workbuoy import config
from workbuoy.bus import runtime
from workbuoy.bus.client import Client, Subscriber
from workbuoy.bus.errors import BusError
from workbuoy.schemas.outbox import ServerState
from workbuoy.schemas.sync import SyncProgress

DEMO_EMAIL = "demo@workbuoy.test"
DEMO_PASSWORD = "demo-password"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rows", type=int, default=20_000, help="sandbox rows (default 20000)")
    p.add_argument("--orgs", type=int, default=2)
    p.add_argument("--port", type=int, default=0, help="sandbox port (default: any free one)")
    p.add_argument("--duration", type=float, default=0.0, help="stop after S seconds (default: run until Ctrl-C)")
    p.add_argument("--headless", action="store_true", help="run the headless node even when a display is present")


def _start_sandbox(args: argparse.Namespace, log: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbuoy.sandbox", "--port", str(args.port), "--rows", str(args.rows), "--orgs", str(args.orgs)],
        stdout=subprocess.PIPE, stderr=open(log, "ab"), text=True,
    )
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise SystemExit(f"workbuoy demo: the sandbox did not start (see {log})")
    return proc, line.rsplit(" ", 1)[-1].strip()


def _wants_desktop(args: argparse.Namespace) -> bool:
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return not args.headless and has_display and importlib.util.find_spec("PySide6") is not None


def run(args: argparse.Namespace) -> int:
    data_dir = Path(os.environ.get("WB_DATA_DIR") or Path(platformdirs.user_data_dir("workbuoy")) / "demo")
    data_dir.mkdir(parents=True, exist_ok=True)
    print(f"[demo] data folder {data_dir}", flush=True)
    sandbox, origin = _start_sandbox(args, data_dir / "sandbox.log")
    print(f"[demo] sandbox server on {origin} ({args.rows} rows, {args.orgs} orgs)", flush=True)
    env = {**os.environ, "WB_DATA_DIR": str(data_dir), "WB_PORTAL_BASE_URL": f"{origin}/portal",
           "WB_API_BASE_URL": f"{origin}/api", "WB_SYNC_INITIAL_DELAY_SEC": os.environ.get("WB_SYNC_INITIAL_DELAY_SEC", "1"),
           "WB_UPDATE_FEED_URL": f"{origin}/repos/workbuoy/desktop/releases"}
    mode = "run" if _wants_desktop(args) else "node"
    node = subprocess.Popen([sys.executable, "-m", "workbuoy", mode], env=env,
                            stdout=open(data_dir / "node.log", "ab"), stderr=subprocess.STDOUT)
    print(f"[demo] {'desktop' if mode == 'run' else 'headless'} node pid {node.pid} (logs in {data_dir / 'logs'})", flush=True)
    try:
        return _watch(config.load(env), node, args.duration)
    except KeyboardInterrupt:
        return 0
    finally:
        print("\n[demo] stopping", flush=True)
        node.terminate()
        try:
            node.wait(60)
        except subprocess.TimeoutExpired:
            node.kill()
        sandbox.terminate()
        sandbox.wait(30)


def _watch(env: config.Env, node: subprocess.Popen, duration: float) -> int:
    deadline = time.monotonic() + duration if duration else None
    endpoints = _wait_endpoints(env, node)
    with Client(endpoints, timeout=10) as client:
        _sign_in(client)
        sub = Subscriber(endpoints.events, ("wb:sync:progress", "wb:auth:state", "wb:sup:actor", "wb:server:state"),
                         endpoints=endpoints)
        last, wrote = 0.0, False
        try:
            while deadline is None or time.monotonic() < deadline:
                if node.poll() is not None:
                    print(f"[demo] the node exited with code {node.returncode}", flush=True)
                    return 1
                msg = sub.recv(0.5)
                if msg is not None and msg[0] == "wb:sync:progress" and _show_progress(msg[1]) and not wrote:
                    wrote = _offline_write(client)
                elif msg is not None and msg[0] == "wb:server:state":
                    _show_server(msg[1])
                if time.monotonic() - last >= 5:
                    last = time.monotonic()
                    _show_status(client)
        finally:
            sub.close()
    return 0


def _wait_endpoints(env: config.Env, node: subprocess.Popen) -> runtime.Endpoints:
    for _ in range(600):
        if node.poll() is not None:
            raise SystemExit(f"workbuoy demo: the node exited with code {node.returncode}")
        try:
            endpoints = runtime.locate(env.data_dir)
            with Client(endpoints, timeout=1) as c:
                status = c.call("wb:sup:status")
                if all(a.state == "ready" for a in status.actors.values()):
                    print(f"[demo] all {len(status.actors)} actors ready", flush=True)
                    _print_reach(env)
                    return endpoints
        except (FileNotFoundError, BusError):
            pass
        time.sleep(0.1)
    raise SystemExit("workbuoy demo: the node did not become ready within 60 s")


def _print_reach(env: config.Env) -> None:
    """The exact commands that reach this node from another terminal (it lives in the demo's data folder)."""
    prefix = f"WB_DATA_DIR={shlex.quote(str(env.data_dir))}"
    if os.environ.get("WB_RUNTIME_DIR"):
        prefix += f" WB_RUNTIME_DIR={shlex.quote(os.environ['WB_RUNTIME_DIR'])}"
    ours = Path(sys.executable).with_name("workbuoy")
    found = shutil.which("workbuoy")
    command = "workbuoy" if found and Path(found).resolve() == ours.resolve() else f"{shlex.quote(sys.executable)} -m workbuoy"
    print("[demo] from another terminal:", flush=True)
    for args in ("status", "trace", "call wb:sync:status '{}'"):
        print(f"    {prefix} {command} {args}", flush=True)


def _sign_in(client: Client) -> None:
    try:
        state = client.call("wb:auth:login", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}, timeout=30)
        print(f"[demo] signed in as {DEMO_EMAIL}: {state.state}", flush=True)
    except BusError as exc:
        print(f"[demo] sign-in failed: {exc.code}: {exc.message}", flush=True)


def _show_progress(frame: bytes) -> bool:
    """Print one progress event; True when it ends a run."""
    import msgspec

    from workbuoy.schemas import envelope

    p = msgspec.msgpack.decode(envelope.decode(frame).payload, type=SyncProgress)
    if p.finished:
        print(f"[sync] run {p.run_id} finished", flush=True)
    elif p.state != "running":
        print(f"[sync] run {p.run_id} {p.entity:<10} {p.org_id:<8} {p.state:<12} pages {p.pages:>5} rows {p.rows:>8} {p.error}", flush=True)
    return p.finished


def _show_server(frame: bytes) -> None:
    """The queue's breaker opened or closed: say so at once, not at the next status line."""
    import msgspec

    from workbuoy.schemas import envelope

    s = msgspec.msgpack.decode(envelope.decode(frame).payload, type=ServerState)
    print(f"[server] {'online again' if s.online else f'OFFLINE: {s.reason}; writes wait in the outbox'}", flush=True)


def _offline_write(client: Client) -> bool:
    """Show the outbox at work: win the first cached deal through the queue."""
    try:
        deal = client.call("wb:offline:getList", {"table": "deals", "limit": 1}).items[0]
        ref = client.call("wb:queue:create", {"entity": "deals", "op": "update", "entityId": deal["id"], "payload": {"stage": "won"}})
    except (BusError, IndexError) as exc:
        print(f"[demo] no demo write: {exc}", flush=True)
        return True
    print(f"[demo] queued: deal {deal['id']} stage -> won (queue item {ref.id}, {ref.status}); watch 'synced' grow", flush=True)
    return True


def _show_status(client: Client) -> None:
    try:
        status = client.call("wb:sup:status")
    except BusError as exc:
        print(f"[status] {exc.message}", flush=True)
        return
    actors = "  ".join(f"{a.name}:{a.state}{f'(r{a.restarts})' if a.restarts else ''}" for a in status.actors.values())
    line = f"[status] {time.strftime('%H:%M:%S')}  {actors}"
    try:
        server = client.call("wb:queue:status").server
        line += "  server " + ("online" if server.online else f"OFFLINE ({server.reason})")
    except BusError:
        pass
    try:
        sync = client.call("wb:sync:status")
        line += f"  cached rows {sum(e.rows for e in sync.entities)}"
    except BusError:
        pass
    try:
        samples = client.call("wb:metrics:snapshot").samples
        depth = {k.split('"')[1]: int(v) for k, v in samples.items() if k.startswith("wb_desktop_queue_depth{")}
        line += "  queue " + (" ".join(f"{k}:{v}" for k, v in sorted(depth.items())) or "empty")
    except BusError:
        pass
    print(line, flush=True)
