"""``workbuoy schemas``: the JSON Schema of every channel's request and reply, from the registry."""

from __future__ import annotations

import argparse

from workbuoy.cli.common import print_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No arguments: all channels are printed."""


def run(args: argparse.Namespace) -> int:
    from workbuoy.schemas.registry import json_schemas

    print_json(json_schemas())
    return 0
