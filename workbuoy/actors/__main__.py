"""Entry point of one actor process: ``python -m workbuoy.actors NAME``.

Spawned by the supervisor (never forked from a process that holds ZeroMQ sockets)
with ``WB_ACTOR_KEY`` in its environment, the proof it presents in its hello.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys

from workbuoy import config, crash, private
from workbuoy import logging as wblog
from workbuoy.bus import runtime
from workbuoy.schemas.base import ACTOR_NAMES


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ACTOR_NAMES:
        print(f"usage: python -m workbuoy.actors {{{','.join(ACTOR_NAMES)}}}", file=sys.stderr)
        return 2
    private.restrict_umask()  # inherited from the supervisor already; set here too for an actor started by hand
    name = argv[0]
    key = os.environ.pop("WB_ACTOR_KEY", "")
    if not key:
        print("workbuoy actors are started by the supervisor (WB_ACTOR_KEY is missing)", file=sys.stderr)
        return 2
    env = config.load()
    wblog.setup(name, env)
    crash.init(name, env)
    module = importlib.import_module(f"workbuoy.actors.{name}.actor")  # ours only: ACTOR_NAMES is a Literal whitelist
    actor = module.ACTOR(env, runtime.locate(env.data_dir), key)
    asyncio.run(actor.run())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
