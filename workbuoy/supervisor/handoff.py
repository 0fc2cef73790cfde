"""The supervisor re-executes itself clean so that the zygote can be forked from it (Linux).

Why: a supervisor started as its own interpreter shares no page with the zygote, which
imports most of the same modules (~13 MiB of the supervisor's 23 MiB USS, ``bench/memory.py``).
A zygote forked from the supervisor shares them, but it would inherit the supervisor's
memory, which holds the user's whole environment and, later, the keyring key; the
zygote hands its memory on to every actor, a plugin host and a browser's among them.

So ``run`` and ``node`` first replace their image (``exec``: same pid, same arguments)
with one whose environment is the zygote's (``childenv``), the rest of the environment
waiting in a pipe. That image takes the lock, preloads, forks the zygote (which closes
every descriptor but its control socket, this pipe's too) and only then reads the pipe
back into its environment: the zygote never held more than its own environment, and no
secret was ever in the memory it was forked from (the keyring key is read later).
"""

from __future__ import annotations

import os
import stat
import sys

import msgspec

from workbuoy.platform import current
from workbuoy.supervisor.childenv import child_environ

#: The read end of the pipe that holds the rest of the environment, in the re-executed image.
PIPE_VAR = "WB_HANDOFF_FD"


def wanted(zygote: bool) -> bool:
    """Whether to re-execute: the zygote is on (``WB_ZYGOTE``), the OS forks actors, and it is not done yet.

    Done means ``WB_HANDOFF_FD`` is set, whatever else is: a launcher that adds a variable
    at start (PyInstaller's adds ``LD_LIBRARY_PATH``) must not make the image re-execute again.
    """
    return zygote and current.FORK_ACTORS and not pending()


def pending() -> bool:
    """Whether this image was re-executed: the rest of its environment waits in the pipe."""
    return PIPE_VAR in os.environ


def clean() -> bool:
    """Whether the zygote may be forked from this image: its environment is the zygote's and
    nothing more. A ``WB_HANDOFF_FD`` set by hand beside the user's environment, or a variable
    a launcher added, has the zygote spawned instead (still without that environment)."""
    rest = {name: value for name, value in os.environ.items() if name != PIPE_VAR}
    return pending() and rest == child_environ("zygote", rest)


def reexec(argv: list[str]) -> None:
    """Replace this process with ``python -m workbuoy ARGV`` in the zygote's environment.

    It returns only when the environment does not fit in a pipe at once (nobody reads
    the pipe before the new image does), or the exec fails: the caller then goes on and
    spawns the zygote.
    """
    data = msgspec.msgpack.encode(dict(os.environb))  # bytes: a value need not be UTF-8
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    try:
        written = os.write(write_end, data)
    except BlockingIOError:
        written = 0
    os.close(write_end)
    if written != len(data):
        os.close(read_end)
        return
    os.set_inheritable(read_end, True)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(sys.executable, [sys.executable, "-m", "workbuoy", *argv], {**child_environ("zygote"), PIPE_VAR: str(read_end)})
    except OSError as exc:
        os.close(read_end)
        print(f"workbuoy: cannot re-execute {sys.executable} ({exc}); the zygote is spawned instead", file=sys.stderr)


def restore() -> None:
    """Read the rest of the environment back (once the zygote is forked); what this image set since stays."""
    try:
        fd = int(os.environ.pop(PIPE_VAR))
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):  # e.g. a terminal: reading it would wait for the user
            raise ValueError(f"descriptor {fd} is not the handoff's pipe")
        with os.fdopen(fd, "rb") as pipe:
            environ = msgspec.msgpack.decode(pipe.read(), type=dict[bytes, bytes])
    except (ValueError, OSError) as exc:  # set by hand, not by reexec(): this environment is all there is
        print(f"workbuoy: ignoring {PIPE_VAR}: {exc}", file=sys.stderr)
        return
    for name, value in environ.items():
        os.environb.setdefault(name, value)
