"""``workbuoy trace``: bus messages live, one line each, from the broker's trace socket.

(Not ``trace.py``: that name is the standard library's.)
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
import time
from collections.abc import Callable

import msgspec

from workbuoy.bus import runtime
from workbuoy.cli.common import die, env
from workbuoy.logs import escape_controls


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--channel", help="glob, e.g. 'wb:queue:*'")
    parser.add_argument("--actor", help="only messages from or to this actor")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--count", type=int, default=0, help="stop after N messages")
    parser.add_argument("--duration", type=float, default=0.0, help="stop after S seconds")


def run(args: argparse.Namespace) -> int:
    from workbuoy.bus.client import Subscriber

    try:
        endpoints = runtime.locate(env().data_dir)
    except (FileNotFoundError, runtime.RuntimeDirError) as exc:
        die(str(exc), 1)
    sub = Subscriber(endpoints.trace, endpoints=endpoints)
    keep = _trace_filter(args.channel, args.actor)
    shown, deadline = 0, (time.monotonic() + args.duration) if args.duration else None
    print(f"tracing {endpoints.bus} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        for rec in sub.traces(timeout=0.2):
            if deadline is not None and time.monotonic() > deadline:
                break
            if rec is None or not keep(rec):
                continue
            print(trace_line(rec, args.json), flush=True)
            shown += 1
            if args.count and shown >= args.count:
                break
    except KeyboardInterrupt:
        pass
    finally:
        sub.close()
    return 0


def _trace_filter(channel_glob: str | None, actor: str | None) -> Callable:
    def keep(rec) -> bool:
        if channel_glob and not fnmatch.fnmatchcase(rec.channel, channel_glob):
            return False
        return not actor or actor in (rec.sender, rec.receiver)

    return keep


def trace_line(rec, as_json: bool) -> str:
    """One trace record as a terminal line (control characters escaped) or as JSON."""
    if as_json:
        return msgspec.json.encode(rec).decode()
    ts = time.strftime("%H:%M:%S", time.localtime(rec.ts)) + f".{int(rec.ts * 1000) % 1000:03d}"
    lat = f" {rec.latency_ms:.2f}ms" if rec.latency_ms is not None else ""
    body = rec.error or msgspec.json.encode(rec.payload).decode()
    if len(body) > 160:
        body = body[:157] + "..."
    line = f"{ts} {rec.kind:<5}{rec.sender:>10} -> {rec.receiver:<10} {rec.channel} #{rec.cid} {rec.size}B{lat}  {body}"
    return escape_controls(line)  # a peer's channel name or identity must not drive the terminal
