"""``workbuoy restart ACTOR``: the supervisor restarts one actor (the restart counts in status and metrics)."""

from __future__ import annotations

import argparse

from workbuoy.cli.common import call, env


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from workbuoy.schemas.base import ACTOR_NAMES

    parser.add_argument("actor", choices=ACTOR_NAMES)


def run(args: argparse.Namespace) -> int:
    call(env(), "wb:sup:restart", {"actor": args.actor})
    print(f"{args.actor} restarting")
    return 0
