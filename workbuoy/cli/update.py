"""``workbuoy update check|apply``: signed updates through the node's updater."""

from __future__ import annotations

import argparse
import time

from workbuoy import config
from workbuoy.bus.errors import BusError
from workbuoy.cli.common import NoNode, call, connect, die, env, print_json
from workbuoy.schemas.update import UpdateStatus


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="update_command", required=True, metavar="SUBCOMMAND")
    p = sub.add_parser("check", help="check the feed now; download and verify a newer version")
    p.add_argument("--json", action="store_true")
    p.add_argument("--timeout", type=float, default=900.0, help="give up waiting after S seconds")
    sub.add_parser("apply", help="restart into the verified, staged version")


def run(args: argparse.Namespace) -> int:
    return {"check": _check, "apply": _apply}[args.update_command](args)


def _check(args: argparse.Namespace) -> int:
    """Start a check and wait for its result; exit 1 when the update was refused or failed."""
    settings = env()
    call(settings, "wb:update:check")
    deadline = time.monotonic() + args.timeout
    while (status := _status(settings, deadline)).checking:
        if time.monotonic() > deadline:
            die(f"the update check did not end within {args.timeout:g}s", 1)
        time.sleep(0.2)
    if args.json:
        print_json(status)
    else:
        found = f" -> {status.version}" if status.version and status.phase != "up_to_date" else ""
        print(f"{status.current}{found} ({status.channel}): {status.phase}  {status.detail}")
    return 1 if status.phase in ("refused", "failed") else 0


def _status(settings: config.Env, deadline: float) -> UpdateStatus:
    """``wb:update:status``, waiting out a restart: a headless node applies a verified update
    soon after it is ready, so it may re-execute (and be away for a moment) between two looks."""
    while True:
        try:
            with connect(settings, timeout=5) as bus:
                status: UpdateStatus = bus.call("wb:update:status")
                return status
        except (NoNode, BusError):
            pass
        if time.monotonic() > deadline:
            die("the node went away during the update check and did not come back", 1)
        time.sleep(0.2)


def _apply(args: argparse.Namespace) -> int:
    status = call(env(), "wb:update:apply")
    print(f"restarting into {status.version}")
    return 0
