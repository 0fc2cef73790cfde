"""Entry point of the PyInstaller desktop bundle.

A bundle has no ``python``: the supervisor spawns actors as ``<bundle> -m
workbuoy.actors NAME`` (it uses ``sys.executable``), the sync actor its index builds as
``<bundle> -m workbuoy.store.indexbuild``, so the ``-m`` forms are dispatched here. On a Linux desktop the first start registers the desktop entry,
the ``workbuoy:`` link handler and the icon (``workbuoy install-desktop``).
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if argv[:2] == ["-m", "workbuoy.actors"]:
        from workbuoy.actors.__main__ import main as actor_main

        return actor_main(argv[2:])
    if argv[:2] == ["-m", "workbuoy.store.indexbuild"]:  # the sync's index builds
        from workbuoy.store.indexbuild import main as build_main

        return build_main(argv[2:])
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
