"""``workbuoy logout``: the auth actor revokes the session at the server and forgets it."""

from __future__ import annotations

import argparse

from workbuoy.cli.common import call, env


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No arguments: there is one session per data folder."""


def run(args: argparse.Namespace) -> int:
    call(env(), "wb:auth:logout", timeout=60)
    print("signed out")
    return 0
