"""``workbuoy uninstall-desktop``: remove what ``install-desktop`` wrote."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No arguments: everything install-desktop wrote goes."""


def run(args: argparse.Namespace) -> int:
    from workbuoy.desktop import integration

    print("\n".join(integration.uninstall()) or "nothing to remove")
    return 0
