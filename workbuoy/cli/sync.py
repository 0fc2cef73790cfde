"""``workbuoy sync``: start a run and follow it until it ends; exit 1 when a stream failed."""

from __future__ import annotations

import argparse
import sys
import time

import msgspec

from workbuoy import config
from workbuoy.bus import runtime
from workbuoy.cli.common import call, die, env


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from workbuoy.schemas.base import ENTITIES

    parser.add_argument("--entity", choices=ENTITIES)
    parser.add_argument("--timeout", type=float, default=3600.0, help="give up waiting after S seconds")


def run(args: argparse.Namespace) -> int:
    """Start a run and follow it: events for a live line, status polls because events can be lost."""
    from workbuoy.bus.client import Subscriber

    settings = env()
    endpoints = runtime.locate(settings.data_dir)
    events = Subscriber(endpoints.events, ("wb:sync:progress",), endpoints=endpoints)  # before starting: no miss
    try:
        started = call(settings, "wb:sync:start", {"entity": args.entity} if args.entity else {})
        note = " (already running)" if started.already_running else ""
        print(f"sync run {started.run_id}{note}", file=sys.stderr, flush=True)
        status = _follow(settings, events, started.run_id, time.monotonic() + args.timeout)
    finally:
        events.close()
    return _summary(status)


def _follow(env: config.Env, events, run_id: int, deadline: float):
    from workbuoy.schemas.sync import SyncProgress

    decoder = msgspec.msgpack.Decoder(SyncProgress)
    start, end = ("\r\033[K", "") if sys.stderr.isatty() else ("", "\n")  # one live line, or a log
    next_poll = 0.0
    while time.monotonic() < deadline:
        for _, envelope in events.events(timeout=0.2):
            p = decoder.decode(envelope.payload)
            if p.run_id == run_id and p.entity:
                print(f"{start}{p.entity:<10} {p.org_id:<10} pages {p.pages:>5}  rows {p.rows:>8}  {p.state}",
                      end=end, file=sys.stderr, flush=True)
            if time.monotonic() > next_poll:
                break
        if time.monotonic() >= next_poll:
            status = call(env, "wb:sync:status")
            if not status.running or status.run_id != run_id:
                print(file=sys.stderr, end="\n" if start else "")
                return status
            next_poll = time.monotonic() + 0.5
    die("the sync did not end in time", 1)


def _summary(status) -> int:
    failed = [s for s in status.entities if s.last_error]
    for s in status.entities:
        print(f"{s.entity:<10} {s.org_id:<10} rows {s.rows:>8}  {('error: ' + s.last_error) if s.last_error else 'ok'}")
    print(f"{sum(s.rows for s in status.entities)} rows cached, {len(failed)} stream(s) failed")
    return 1 if failed else 0
