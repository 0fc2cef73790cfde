"""Entry point of one actor process: ``python -m workbuoy.actors NAME``.

Spawned by the supervisor, or on Linux forked from the zygote (``actors/zygote.py``,
which holds no ZeroMQ socket and no thread, and calls ``main`` in the child). Either way
the supervisor writes this process's ``SpawnSecrets`` (hello key, routing identity, and
for auth the file keyring's key) to its stdin and closes it: never the environment or
argv, which every process of the user can read in ``/proc``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import faulthandler
import importlib
import sys

import msgspec

from workbuoy import config, crash, private
from workbuoy import logs as wblog
from workbuoy.bus import runtime
from workbuoy.schemas.base import ACTOR_NAMES
from workbuoy.schemas.envelope import SpawnSecrets

MAX_SECRETS_BYTES = 64 * 1024


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ACTOR_NAMES:
        print(f"usage: python -m workbuoy.actors {{{','.join(ACTOR_NAMES)}}}", file=sys.stderr)
        return 2
    private.restrict_umask()  # inherited from the supervisor already; set here too for an actor started by hand
    name = argv[0]
    if sys.stdin is None or sys.stdin.isatty():
        print("workbuoy actors are started by the supervisor, which hands them their secrets on stdin", file=sys.stderr)
        return 2
    try:
        given = msgspec.json.decode(sys.stdin.buffer.read(MAX_SECRETS_BYTES), type=SpawnSecrets)
    except (msgspec.DecodeError, msgspec.ValidationError, OSError) as exc:
        print(f"workbuoy actors are started by the supervisor (no spawn secrets on stdin: {exc})", file=sys.stderr)
        return 2
    # A crash in C (Qt, SQLite, libzmq) prints where Python was into <logs>/<name>.stderr, which
    # the supervisor opens for appending: the trace outlives the restart that follows.
    faulthandler.enable()
    env = dataclasses.replace(config.load(), keyring_key=given.keyring_key)
    wblog.setup(name, env)
    crash.init(name, env)
    module = importlib.import_module(f"workbuoy.actors.{name}.actor")  # ours only: ACTOR_NAMES is a Literal whitelist
    actor = module.ACTOR(env, runtime.locate(env.data_dir), given)
    asyncio.run(actor.run())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
