"""Linux: ``prctl(PR_SET_PDEATHSIG)``, unix sockets of 108 bytes, an XDG autostart entry."""

from __future__ import annotations

import sys

assert sys.platform.startswith("linux")  # mypy checks the rest only for this OS; importing it elsewhere is a mistake

import ctypes
import errno
import os
import re
import signal
from collections.abc import Sequence
from pathlib import Path

from workbuoy.platform.posix import (
    BUS_TRANSPORT, STOP_SIGNALS, on_stop_signal, check_private, lock_file, make_private, scrub_native_environ, signal_group, spawn_options,
    unlock_file, user_tag, adopt,
)

__all__ = [
    "BUS_TRANSPORT", "STOP_SIGNALS", "on_stop_signal", "MAX_SOCKET_PATH", "MAX_PATH", "TRAY_MESSAGE_MARKUP", "PEER_CREDENTIALS", "adopt", "autostart_disable", "autostart_enable",
    "autostart_enabled", "check_private", "become_subreaper", "die_with_parent", "FORK_ACTORS", "release_free_memory", "lock_file", "make_private", "scrub_native_environ",
    "signal_group", "spawn_options", "unlock_file", "user_tag",
]

#: ``sizeof(sockaddr_un.sun_path)`` is 108, with the terminating NUL.
MAX_SOCKET_PATH = 107
#: libzmq passes ``localhost:<uid>:<gid>:<pid>`` (SO_PEERCRED) to ZAP for ipc peers.
PEER_CREDENTIALS = True
#: Whether the freedesktop notification server Qt's tray message goes to reads a subset of HTML: text is escaped.
TRAY_MESSAGE_MARKUP = True
MAX_PATH = 4095
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
#: Actors may be forked from the preloaded zygote (``actors/zygote.py``): fork, and a child subreaper.
FORK_ACTORS = True


def die_with_parent() -> None:
    """Ask the kernel to SIGTERM us when the process that spawned us dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def become_subreaper() -> bool:
    """Adopt the orphans below us (the zygote's forked actors): ``prctl(PR_SET_CHILD_SUBREAPER)``; False if refused."""
    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, 1) == 0)


def release_free_memory() -> None:
    """Give the C heap's free pages back to the OS (glibc's ``malloc_trim``; a C library without it: nothing).

    glibc keeps what a burst freed (a sync's pages and index builds: ~5 MiB of a 50,000-row
    sync's 18) mapped for reuse; the trim returns it, in every arena, threads' included.
    """
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)


def _autostart_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".config"  # the spec ignores a relative value
    return root / "autostart" / "workbuoy.desktop"


def _exec_arg(arg: str) -> str:
    """An ``Exec`` argument: plain, or in double quotes with ``"`$\\`` escaped (the Desktop Entry spec)."""
    return arg if re.fullmatch(r"[A-Za-z0-9_./:=@+-]+", arg) else '"' + re.sub(r'([\\"`$])', r"\\\1", arg) + '"'


def autostart_enable(argv: Sequence[str]) -> Path:
    """Write the XDG autostart entry that runs ``argv`` at login (atomically); returns its path."""
    path = _autostart_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text("[Desktop Entry]\nType=Application\nName=WorkBuoy\nTerminal=false\n"
                   f"Exec={' '.join(_exec_arg(a) for a in argv)}\nX-GNOME-Autostart-enabled=true\n")
    os.replace(tmp, path)
    return path


def autostart_disable() -> None:
    _autostart_file().unlink(missing_ok=True)


def autostart_enabled() -> bool:
    return _autostart_file().is_file()


AT_FDCWD, RENAME_EXCHANGE = -100, 2


def exchange_paths(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (``renameat2(RENAME_EXCHANGE)``, which Python does not bind).

    False where the file system cannot; the caller then falls back to two renames.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.renameat2(AT_FDCWD, bytes(a), AT_FDCWD, bytes(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(a))
