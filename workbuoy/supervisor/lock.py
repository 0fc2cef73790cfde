"""One supervisor per data folder, enforced by an exclusive OS file lock held for its lifetime."""

from __future__ import annotations

import os
from pathlib import Path

from workbuoy.platform import current


class AlreadyRunning(RuntimeError):
    pass


class InstanceLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "supervisor.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if not current.lock_file(fd):
            os.close(fd)
            raise AlreadyRunning(f"a WorkBuoy supervisor already runs for {self.path.parent}")
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def is_held(self) -> bool:
        """True while some supervisor holds the lock (works for zombies and other users of the folder)."""
        try:
            fd = os.open(self.path, os.O_RDWR)
        except FileNotFoundError:
            return False
        try:
            return not current.lock_file(fd)
        finally:
            os.close(fd)  # closing drops a lock we took

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
