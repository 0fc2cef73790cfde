"""Entry point of the PyInstaller desktop bundle.

A bundle has no ``python``: the supervisor spawns actors as ``<bundle> -m
workbuoy.actors NAME`` and a zygote as ``<bundle> -m workbuoy.actors.zygote FD`` (it uses
``sys.executable``), the sync actor its index builds as ``<bundle> -m
workbuoy.store.indexbuild``, and the supervisor re-executes itself as ``<bundle> -m workbuoy
run``, so the ``-m`` forms are dispatched here. On a Linux desktop the first start registers the desktop entry,
the ``workbuoy:`` link handler and the icon (``workbuoy install-desktop``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable


def _actor(argv: list[str]) -> int:
    from workbuoy.actors.__main__ import main

    return main(argv)


def _zygote(argv: list[str]) -> int:  # one started again after the first died (Linux)
    from workbuoy.actors.zygote import main

    return main(argv)


def _index_build(argv: list[str]) -> int:  # the sync's index builds
    from workbuoy.store.indexbuild import main

    return main(argv)


MODULES: dict[str, Callable[[list[str]], int]] = {
    "workbuoy.actors": _actor,
    "workbuoy.actors.zygote": _zygote,
    "workbuoy.store.indexbuild": _index_build,
}


def main(argv: list[str]) -> int:
    if argv[:1] == ["-m"] and len(argv) > 1 and argv[1] in MODULES:  # a program of ours, by its module's name
        return MODULES[argv[1]](argv[2:])
    if argv[:2] == ["-m", "workbuoy"]:
        argv = argv[2:]
    from workbuoy.cli import main as cli_main

    if sys.platform.startswith("linux") and argv[:1] == ["run"]:
        _first_start()
    return cli_main(argv)


def _first_start() -> None:
    from workbuoy.desktop import integration

    if not integration.paths()["entry"].exists():
        try:
            integration.install(start_at_login=False)
        except (OSError, RuntimeError) as exc:  # no xdg-utils: the app still runs, links just are not registered
            print(f"workbuoy: desktop integration skipped: {exc}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
