"""``workbuoy install-desktop``: the desktop entry, the workbuoy: handler, the icon, and autostart when startAtLogin is on."""

from __future__ import annotations

import argparse

import msgspec

from workbuoy.cli.common import die, env


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--autostart", action="store_true", help="start at login even if the startAtLogin setting is off")


def run(args: argparse.Namespace) -> int:
    from workbuoy.desktop import integration
    from workbuoy.schemas.settings import Settings

    settings_file = env().data_dir / "settings.json"
    try:
        start_at_login = msgspec.json.decode(settings_file.read_bytes(), type=Settings).start_at_login
    except (FileNotFoundError, msgspec.DecodeError, msgspec.ValidationError):
        start_at_login = Settings().start_at_login
    try:
        done = integration.install(start_at_login=args.autostart or start_at_login)
    except RuntimeError as exc:
        die(str(exc), 1)
    print("\n".join(done))
    return 0
