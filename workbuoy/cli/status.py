"""``workbuoy status``: the supervisor's view of each actor, and whether the server is reachable."""

from __future__ import annotations

import argparse
import time

import msgspec

from workbuoy import config
from workbuoy.bus.errors import BusError
from workbuoy.cli.common import call, client, env, print_json
from workbuoy.schemas import outbox as outbox_schema


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    settings = env()
    status = call(settings, "wb:sup:status")
    server = server_state(settings)
    if args.json:
        print_json({"pid": status.pid, "metrics_url": status.metrics_url, "server": server,
                    "actors": {n: msgspec.to_builtins(a) for n, a in status.actors.items()}})
        return 0
    print(f"supervisor pid {status.pid}  data {status.data_dir}  metrics {status.metrics_url or '-'}")
    print(server_line(server))
    print(f"{'actor':<9}{'pid':>8}  {'state':<11}{'restarts':>8}{'uptime':>10}{'heartbeat':>11}  reason")
    for a in status.actors.values():
        hb = "-" if a.last_heartbeat_ago_sec is None else f"{a.last_heartbeat_ago_sec:.1f}s ago"
        print(f"{a.name:<9}{a.pid or '-':>8}  {a.state:<11}{a.restarts:>8}{a.uptime_sec:>9.1f}s{hb:>11}  {a.reason}")
    return 0


def server_state(env: config.Env) -> outbox_schema.ServerState | str:
    """The queue's breaker as ``wb:queue:status`` says, or why it cannot be known."""
    try:
        with client(env, 5.0) as bus:
            return bus.call("wb:queue:status").server
    except BusError as exc:
        return f"unknown (wb:queue:status: {exc.message})"


def server_line(state: outbox_schema.ServerState | str) -> str:
    """``server online`` / ``server offline since 10:42:07 (unreachable: …), next probe in 4 s``."""
    if isinstance(state, str):
        return f"server: {state}"
    if state.online:
        return "server online"
    since = time.strftime("%H:%M:%S", time.localtime(state.since / 1000))
    probe = "" if state.next_probe_at is None else f", next probe in {max(0, state.next_probe_at / 1000 - time.time()):.0f} s"
    return f"server offline since {since} ({state.reason}){probe}"
