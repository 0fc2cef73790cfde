"""``python -m workbuoy.store.indexbuild DB [--search-only] [ENTITY ...]``: cache indexes built
in a process of its own.

A first sync builds each entity's search index while the other entities still download.
In a thread of the sync actor, the build's Python part (each row's text) took turns at the
GIL with the actor's event loop, which decodes and applies the pages: at a million rows the
run ended at 0.49x the baseline against 0.57x with the build in a process of its own
(``README.md``). A build is safe to run beside any other process (``searchbuild.py``), and
one killed midway leaves a search that scans until the next build.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from workbuoy.platform import current
from workbuoy.schemas.base import ENTITIES
from workbuoy.store import build_indexes


def build_in_process(path: Path, entities: tuple[str, ...] = ENTITIES, *, search_only: bool = False) -> None:
    """``build_indexes`` in a child process, waited for (call it in a worker thread); a failed
    build raises ``RuntimeError`` with the end of what the child wrote."""
    command = [sys.executable, "-m", __name__, str(path), *(["--search-only"] if search_only else []), *entities]
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace")
    if done.returncode != 0:
        raise RuntimeError(f"index build of {', '.join(entities)} failed (exit {done.returncode}): {done.stderr[-2000:]}")


def main(argv: list[str]) -> int:
    current.die_with_parent()  # a build outliving a killed sync actor would run beside the next one
    parser = argparse.ArgumentParser(prog="python -m workbuoy.store.indexbuild", description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path, help="the main store file (workbuoy.db); its cache file is beside it")
    parser.add_argument("--search-only", action="store_true", help="only the search indexes")
    parser.add_argument("entities", nargs="*", metavar="ENTITY", help=f"any of {', '.join(ENTITIES)} (default: all)")
    args = parser.parse_intermixed_args(argv)
    if unknown := sorted(set(args.entities) - set(ENTITIES)):
        parser.error(f"unknown entity {', '.join(unknown)}; expected some of {', '.join(ENTITIES)}")
    build_indexes(args.db, tuple(args.entities) or ENTITIES, search_only=args.search_only)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
