"""What Linux and macOS share: ``flock``, process groups, POSIX modes, the C library's environ."""

from __future__ import annotations

import sys

assert sys.platform != "win32"  # mypy checks the rest only for this OS; importing it elsewhere is a mistake

import ctypes
import fcntl
import os
import signal
import stat
import subprocess
from asyncio import AbstractEventLoop
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbuoy.platform.errors import NotPrivate

BUS_TRANSPORT = "ipc"
#: What asks the supervisor to stop: ``kill``, Ctrl-C, the terminal closing.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
FOLDER_MODE = 0o700
FILE_MODE = 0o600


def lock_file(fd: int) -> bool:
    """Take an exclusive ``flock`` on ``fd`` without waiting; ``False`` if another process holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def unlock_file(fd: int) -> None:
    fcntl.flock(fd, fcntl.LOCK_UN)


def spawn_options() -> dict[str, Any]:
    """``Popen`` arguments that put the child in its own session, so its whole group can be stopped."""
    return {"start_new_session": True}


def adopt(proc: subprocess.Popen[bytes]) -> None:
    """Nothing to do on POSIX: the child watches its parent itself (``die_with_parent``)."""


def signal_group(proc: subprocess.Popen[bytes], force: bool) -> None:
    """SIGTERM (or SIGKILL when ``force``) the child's whole process group."""
    try:
        os.killpg(proc.pid, signal.SIGKILL if force else signal.SIGTERM)
    except ProcessLookupError:
        pass


def on_stop_signal(loop: AbstractEventLoop, stop: Callable[[], None]) -> None:
    """Call ``stop`` in ``loop`` when the supervisor (SIGTERM) or the terminal (SIGINT) asks an actor to stop."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)


def user_tag() -> str:
    return str(os.getuid())


def make_private(path: Path) -> bool:
    """Strip group and other bits from ``path``; ``True`` if it had any. Links and sockets are left alone."""
    try:
        st = os.lstat(path)
        mode = FOLDER_MODE if stat.S_ISDIR(st.st_mode) else FILE_MODE
        if stat.S_IMODE(st.st_mode) & ~mode == 0 or not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            return False
        os.chmod(path, stat.S_IMODE(st.st_mode) & mode)
    except FileNotFoundError:
        return False  # a temporary file renamed meanwhile
    except OSError as exc:
        raise NotPrivate(f"cannot make {path} private ({exc.strerror}); other users may read it") from None
    return True


def check_private(folder: Path) -> None:
    """Raise unless ``folder`` is a real directory owned by us with mode 0700 (no group/other bits)."""
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode):
        raise NotPrivate(f"{folder} is not a directory (a symlink or a file is refused)")
    if st.st_uid != os.getuid():
        raise NotPrivate(f"{folder} is owned by uid {st.st_uid}, not by us ({os.getuid()})")
    if st.st_mode & 0o077:
        raise NotPrivate(f"{folder} has mode {stat.S_IMODE(st.st_mode):o}; it must be 700")


def scrub_native_environ(name: str) -> None:
    """Zero the value of ``name`` in the C library's environment block, which ``/proc/<pid>/environ`` shows.

    ``unsetenv`` leaves the block the kernel copied at ``exec`` untouched, so the
    bytes are overwritten in place; the caller then deletes the variable from ``os.environ``.
    """
    libc = ctypes.CDLL(None)
    libc.getenv.restype = ctypes.c_void_p
    libc.strlen.argtypes = [ctypes.c_void_p]
    where = libc.getenv(name.encode())
    if where:
        ctypes.memset(where, 0, libc.strlen(where))
