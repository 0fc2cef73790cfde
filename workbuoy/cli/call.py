"""``workbuoy call CHANNEL [JSON]``: one request on the bus as the user's terminal (role ``cli``), the reply as JSON."""

from __future__ import annotations

import argparse
import json

from workbuoy.cli.common import call, die, env, print_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("channel")
    parser.add_argument("json", nargs="?", default="{}")
    parser.add_argument("--timeout", type=float, default=30.0)


def run(args: argparse.Namespace) -> int:
    try:
        payload = json.loads(args.json) if args.json else {}
    except json.JSONDecodeError as exc:
        die(f"the payload is not JSON: {exc}")
    print_json(call(env(), args.channel, payload, timeout=args.timeout))
    return 0
