"""workbuoy: run a node, control it, look into its bus.

One module per command (``add_arguments(parser)`` + ``run(args) -> int``), imported
only when that command runs: ``workbuoy status`` and the supervisor never load the
sandbox server (uvicorn, starlette) or the UI.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from workbuoy import private

COMMANDS: dict[str, tuple[str, str]] = {  # command: (module in workbuoy.cli, help)
    "run": ("run", "run the desktop node (every actor, with the UI)"),
    "node": ("node", "run the headless sync node (every actor but the UI)"),
    "status": ("status", "each actor's pid, state, uptime, restarts and heartbeat"),
    "restart": ("restart", "restart one actor"),
    "stop": ("stop", "stop the running node"),
    "call": ("call", "send one request on the bus and print the reply as JSON"),
    "trace": ("tracing", "show bus messages live, one line each"),
    "login": ("login", "sign in at the portal; the session goes to the OS keyring"),
    "logout": ("logout", "revoke the session and forget it"),
    "sync": ("sync", "sync now and show progress until it ends"),
    "queue": ("outbox", "queued writes: list, retry a failed one, resolve a conflict"),
    "update": ("update", "signed updates: check the feed, apply a verified version"),
    "install-desktop": ("install_desktop", "desktop entry, workbuoy: link handler, icon, autostart (Linux)"),
    "uninstall-desktop": ("uninstall_desktop", "remove what install-desktop wrote"),
    "doctor": ("doctor", "check the database files, modes, free space, keyring and server; say what to do"),
    "schemas": ("schemas", "print the JSON Schema of every channel"),
    "demo": ("demo", "sandbox server + node + demo user, with live status"),
    "sandbox": ("sandbox", "run the sandbox WorkBuoy server"),
}


def _command_in(argv: list[str]) -> str | None:
    """The command word: the first argument that is not an option (the top level has no valued options)."""
    return next((a for a in argv if not a.startswith("-")), None)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Every command is listed; only ``command``'s module is imported to declare its arguments."""
    from workbuoy import __version__

    parser = argparse.ArgumentParser(prog="workbuoy", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"workbuoy {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:
            module = importlib.import_module(f"workbuoy.cli.{module_name}")
            module.add_arguments(p)
            p.set_defaults(fn=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    private.restrict_umask()  # first: nothing this program or its children create is readable by others
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(_command_in(argv)).parse_args(argv)
    try:
        code = args.fn(args)
        sys.stdout.flush()  # inside the try: a closed pipe shows up at this flush as often as at a print
        return code
    except BrokenPipeError:
        # The reader went away (`workbuoy status | head`): stop quietly, as `cat` does. Python
        # flushes stdout once more at exit, so it is pointed at /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a command a closed pipe stopped
