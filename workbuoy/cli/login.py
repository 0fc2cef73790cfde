"""``workbuoy login``: sign in through the auth actor; the session goes to the OS keyring, never to this process."""

from __future__ import annotations

import argparse
import sys

from workbuoy.cli.common import call, env


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email")
    parser.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")


def run(args: argparse.Namespace) -> int:
    import getpass

    settings = env()
    email = args.email or input("E-mail: ").strip()
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else getpass.getpass("Password: ")
    state = call(settings, "wb:auth:login", {"email": email, "password": password}, timeout=60)
    print(f"signed in as {state.email}")
    return 0
