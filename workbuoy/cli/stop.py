"""``workbuoy stop``: ask the supervisor to stop, then wait until it has released the data folder's lock."""

from __future__ import annotations

import argparse
import time

from workbuoy.cli.common import call, die, env


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", type=float, default=60.0)


def run(args: argparse.Namespace) -> int:
    from workbuoy.supervisor.lock import InstanceLock

    settings = env()
    call(settings, "wb:sup:stop")
    lock = InstanceLock(settings.data_dir)
    deadline = time.monotonic() + args.timeout
    print("stopping", end="", flush=True)
    while time.monotonic() < deadline:
        if not lock.is_held():
            print(" stopped")
            return 0
        print(".", end="", flush=True)
        time.sleep(0.25)
    die(f"the supervisor still runs after {args.timeout:g}s", 1)
