"""macOS: a kqueue ``NOTE_EXIT`` watch of the parent, unix sockets of 104 bytes, a LaunchAgent."""

from __future__ import annotations

import sys

assert sys.platform == "darwin"  # mypy checks the rest only for this OS; importing it elsewhere is a mistake

import os
import plistlib
import select
import signal
import threading
from collections.abc import Sequence
from pathlib import Path

from workbuoy.platform.posix import (
    BUS_TRANSPORT, STOP_SIGNALS, on_stop_signal, adopt, check_private, lock_file, make_private, scrub_native_environ, signal_group,
    spawn_options, unlock_file, user_tag,
)

__all__ = [
    "BUS_TRANSPORT", "STOP_SIGNALS", "on_stop_signal", "MAX_SOCKET_PATH", "MAX_PATH", "TRAY_MESSAGE_MARKUP", "PEER_CREDENTIALS", "adopt", "autostart_disable", "autostart_enable",
    "autostart_enabled", "check_private", "become_subreaper", "die_with_parent", "FORK_ACTORS", "release_free_memory", "lock_file", "make_private", "scrub_native_environ",
    "signal_group", "spawn_options", "unlock_file", "user_tag",
]

#: ``sizeof(sockaddr_un.sun_path)`` is 104, with the terminating NUL.
MAX_SOCKET_PATH = 103
#: libzmq shows ZAP no peer pid here (LOCAL_PEERCRED has none; tcp has no uid): the bus uses CURVE.
PEER_CREDENTIALS = False
#: Whether Qt's tray message becomes a Notification Center banner: plain text.
TRAY_MESSAGE_MARKUP = False
MAX_PATH = 1023
LAUNCH_AGENT_LABEL = "no.workbuoy.desktop"

#: Actors are never forked from the zygote here: macOS has no child subreaper: an actor forked by the zygote could not be the supervisor's child, so every actor is spawned.
FORK_ACTORS = False


def release_free_memory() -> None:
    """Nothing here: the system allocator returns free pages by itself (no ``malloc_trim``)."""


def become_subreaper() -> bool:
    """Not available here (see ``FORK_ACTORS``)."""
    return False


def die_with_parent() -> None:
    """SIGTERM ourselves when the parent exits: macOS has no ``PR_SET_PDEATHSIG``, so a thread waits on kqueue."""
    parent = os.getppid()
    queue = select.kqueue()
    watch = select.kevent(parent, filter=select.KQ_FILTER_PROC, flags=select.KQ_EV_ADD | select.KQ_EV_ONESHOT,
                          fflags=select.KQ_NOTE_EXIT)
    queue.control([watch], 0)  # raises ProcessLookupError if the parent is already gone

    def wait() -> None:
        queue.control(None, 1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=wait, name="die-with-parent", daemon=True).start()


def _agent_file() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"


def autostart_enable(argv: Sequence[str]) -> Path:
    """Write the LaunchAgent that runs ``argv`` at login (launchd reads it at the next login)."""
    path = _agent_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(plistlib.dumps({"Label": LAUNCH_AGENT_LABEL, "ProgramArguments": list(argv),
                                     "RunAtLoad": True, "ProcessType": "Interactive"}))
    return path


def autostart_disable() -> None:
    _agent_file().unlink(missing_ok=True)


def autostart_enabled() -> bool:
    return _agent_file().is_file()


def exchange_paths(a: Path, b: Path) -> bool:
    """No atomic swap here (macOS has renamex_np(RENAME_SWAP); not used yet): the caller falls back to two renames."""
    return False
