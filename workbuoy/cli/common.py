"""What every command shares: the validated environment, one bus call, exiting with a message, JSON output.

Every command reads and validates the ``WB_*`` environment first; a bad value stops
with a message naming the variable and exit code 2. Commands that talk to a running
node exit 1 when it answers with an error.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import msgspec

from workbuoy import config
from workbuoy.bus import runtime
from workbuoy.bus.errors import BusError

EXIT_USAGE = 2


def env() -> config.Env:
    try:
        return config.load()
    except config.ConfigError as exc:
        die(f"configuration error: {exc}")


def die(message: str, code: int = EXIT_USAGE) -> NoReturn:
    print(f"workbuoy: {message}", file=sys.stderr)
    raise SystemExit(code)


class NoNode(Exception):
    """No node answers for this data folder: none runs, or its runtime folder is gone."""


def connect(env: config.Env, timeout: float = 15.0):
    """A bus client of the node running for this data folder; ``NoNode`` at once if there is none."""
    from workbuoy.bus.client import Client
    from workbuoy.supervisor.lock import InstanceLock

    if not InstanceLock(env.data_dir).is_held():  # answer at once instead of waiting for a timeout
        raise NoNode(f"no WorkBuoy node is running for {env.data_dir} (start one with `workbuoy node` or `workbuoy run`)")
    try:
        return Client(runtime.locate(env.data_dir), timeout=timeout)
    except FileNotFoundError as exc:
        raise NoNode(str(exc)) from None


def client(env: config.Env, timeout: float = 15.0):
    """A bus client of the node running for this data folder, or exit 1 at once if there is none."""
    try:
        return connect(env, timeout)
    except NoNode as exc:
        die(str(exc), 1)
    except runtime.RuntimeDirError as exc:
        die(f"refusing an unsafe runtime folder: {exc}")


def call(env: config.Env, channel: str, payload: object = None, timeout: float = 15.0) -> object:
    """One request on the bus; an error reply ends the program with exit 1."""
    with client(env, timeout) as bus:
        try:
            return bus.call(channel, payload)
        except BusError as exc:
            die(f"{channel}: {exc.code}: {exc.message}", 1)


def print_json(obj: object) -> None:
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(obj)).decode() + "\n")
