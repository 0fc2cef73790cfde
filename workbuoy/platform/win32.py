"""Windows: ``msvcrt`` locks, a Job Object per actor, ACLs through ``icacls``, the ``Run`` registry key.

Windows has no unix sockets with a visible peer uid, so the bus runs on
``tcp://127.0.0.1`` and CURVE keys are the only proof of who a peer is. Everything here is type-checked on Linux (``mypy --platform win32``)
but has never run: see ``docs/platforms.md``.
"""

from __future__ import annotations

import sys

assert sys.platform == "win32"  # mypy checks the rest only for this OS; importing it elsewhere is a mistake

import ctypes
import getpass
import msvcrt
import os
import re
import signal
import subprocess
import winreg
from asyncio import AbstractEventLoop
from collections.abc import Callable, Sequence
from ctypes import wintypes
from pathlib import Path
from typing import Any

from workbuoy.platform.errors import NotPrivate

BUS_TRANSPORT = "tcp"
#: CTRL_BREAK_EVENT arrives as SIGBREAK; there is no SIGHUP.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGBREAK)
MAX_SOCKET_PATH = 0  # no unix sockets on the bus here
#: libzmq shows ZAP no peer pid here (LOCAL_PEERCRED has none; tcp has no uid): the bus uses CURVE.
PEER_CREDENTIALS = False
#: Whether Qt's tray message becomes a Windows toast/balloon: plain text.
TRAY_MESSAGE_MARKUP = False
MAX_PATH = 259  # 260 with the terminating NUL, unless long paths are enabled machine-wide
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "WorkBuoy"
JOB_OBJECT_EXTENDED_LIMIT_INFORMATION = 9
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000

_kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
_jobs: dict[int, int] = {}  # child pid -> its Job Object handle, closed (killing the job) when we exit


class _BasicLimits(ctypes.Structure):
    _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64), ("PerJobUserTimeLimit", ctypes.c_int64),
                ("LimitFlags", wintypes.DWORD), ("MinimumWorkingSetSize", ctypes.c_size_t),
                ("MaximumWorkingSetSize", ctypes.c_size_t), ("ActiveProcessLimit", wintypes.DWORD),
                ("Affinity", ctypes.c_size_t), ("PriorityClass", wintypes.DWORD),
                ("SchedulingClass", wintypes.DWORD)]


class _ExtendedLimits(ctypes.Structure):
    _fields_ = [("BasicLimitInformation", _BasicLimits), ("IoInfo", ctypes.c_uint64 * 6),
                ("ProcessMemoryLimit", ctypes.c_size_t), ("JobMemoryLimit", ctypes.c_size_t),
                ("PeakProcessMemoryUsed", ctypes.c_size_t), ("PeakJobMemoryUsed", ctypes.c_size_t)]


def _check(ok: int, what: str) -> None:
    if not ok:
        raise ctypes.WinError(ctypes.get_last_error(), what)


def lock_file(fd: int) -> bool:
    """Lock the first byte of ``fd`` without waiting; ``False`` if another process holds it."""
    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def unlock_file(fd: int) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

#: Actors are never forked from the zygote here: Windows has no fork: every actor is spawned.
FORK_ACTORS = False


def release_free_memory() -> None:
    """Nothing here: the system allocator returns free pages by itself (no ``malloc_trim``)."""


def become_subreaper() -> bool:
    """Not available here (see ``FORK_ACTORS``)."""
    return False


def die_with_parent() -> None:
    """Nothing to do in the child: the supervisor's Job Object (``adopt``) kills it when the supervisor dies."""


def spawn_options() -> dict[str, Any]:
    """A new process group, so CTRL_BREAK_EVENT reaches the child and not the supervisor."""
    return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}


def adopt(proc: subprocess.Popen[bytes]) -> None:
    """Put the child in a Job Object that dies with our handle to it (``KILL_ON_JOB_CLOSE``).

    The handle is ours alone, so when the supervisor exits (even killed) Windows
    closes it and terminates the child and everything it started since.
    """
    job = _kernel32.CreateJobObjectW(None, None)
    _check(job, "CreateJobObjectW")
    limits = _ExtendedLimits()
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
    _check(_kernel32.SetInformationJobObject(job, JOB_OBJECT_EXTENDED_LIMIT_INFORMATION,
                                             ctypes.byref(limits), ctypes.sizeof(limits)), "SetInformationJobObject")
    _check(_kernel32.AssignProcessToJobObject(job, int(proc._handle)), "AssignProcessToJobObject")  # type: ignore[attr-defined]
    _jobs[proc.pid] = job


def signal_group(proc: subprocess.Popen[bytes], force: bool) -> None:
    """CTRL_BREAK_EVENT to the child's group, or, when ``force``, terminate its whole Job Object."""
    job = _jobs.get(proc.pid)
    if force and job is not None:
        _kernel32.TerminateJobObject(job, 1)
        _kernel32.CloseHandle(_jobs.pop(proc.pid))
    elif force:
        proc.kill()
    elif proc.poll() is None:
        proc.send_signal(signal.CTRL_BREAK_EVENT)


def on_stop_signal(loop: AbstractEventLoop, stop: Callable[[], None]) -> None:
    """Call ``stop`` in ``loop`` on CTRL_BREAK_EVENT (``signal_group``) or Ctrl-C.

    The proactor loop has no ``add_signal_handler``: a plain handler hands over to the loop.
    """
    for sig in (signal.SIGBREAK, signal.SIGINT):
        signal.signal(sig, lambda _s, _f: loop.call_soon_threadsafe(stop))


def user_tag() -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", getpass.getuser())[:32]


def _icacls(path: Path, *args: str) -> None:
    who = f"{os.environ.get('USERDOMAIN', '')}\\{getpass.getuser()}".lstrip("\\")
    grant = f"{who}:(OI)(CI)F" if path.is_dir() else f"{who}:F"
    done = subprocess.run(["icacls", str(path), "/inheritance:r", "/grant:r", grant, *args],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise NotPrivate(f"cannot make {path} private: icacls says {done.stdout.strip() or done.stderr.strip()}")


def make_private(path: Path) -> bool:
    """Replace the ACL of ``path`` with one entry: full control for the current user, inherited below.

    Always ``False``: reading an ACL back needs more than ``icacls``' text, so a
    change is not detected, only made.
    """
    if path.is_symlink() or not path.exists():
        return False
    _icacls(path)
    return False


def check_private(folder: Path) -> None:
    """A real folder (not a junction or link), with our one-user ACL applied again."""
    if folder.is_symlink() or not folder.is_dir():
        raise NotPrivate(f"{folder} is not a directory (a link or a file is refused)")
    _icacls(folder)


def scrub_native_environ(name: str) -> None:
    """Nothing more than ``del os.environ[name]``: Windows has no ``/proc/<pid>/environ`` to read."""


def autostart_enable(argv: Sequence[str]) -> Path:
    """Run ``argv`` at login through the current user's ``Run`` registry key."""
    with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
        winreg.SetValueEx(key, RUN_VALUE, 0, winreg.REG_SZ, subprocess.list2cmdline(list(argv)))
    return Path(rf"HKEY_CURRENT_USER\{RUN_KEY}\{RUN_VALUE}")


def autostart_disable() -> None:
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            winreg.DeleteValue(key, RUN_VALUE)
    except FileNotFoundError:
        pass


def autostart_enabled() -> bool:
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            winreg.QueryValueEx(key, RUN_VALUE)
    except FileNotFoundError:
        return False
    return True


def exchange_paths(a: Path, b: Path) -> bool:
    """No atomic swap here (Windows has no atomic exchange of two folders): the caller falls back to two renames."""
    return False
