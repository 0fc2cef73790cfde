"""``workbuoy node``: the headless sync node, ``run`` without the UI and the portal window."""

from __future__ import annotations

import argparse

from workbuoy.cli.run import start


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No arguments: a headless node opens no deep links."""


def run(args: argparse.Namespace) -> int:
    return start(None, desktop=False)
