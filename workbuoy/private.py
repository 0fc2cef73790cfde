"""Files of the node are the user's alone: a 0o077 umask, and tightening of what is already there.

The data folder holds the CRM cache, the outbox, the user's e-mail address, the
encrypted keyring file and the exports. Rather than a ``chmod`` after every ``open``
(and one missing somewhere: SQLite's WAL and SHM, a rotated log, a library's file),
every process of the node (supervisor, actors, the CLI) starts with
:func:`restrict_umask`, so whatever it creates is 0700/0600 by construction and
children inherit it. Files left by an older version or created under another umask
are tightened once at supervisor start by :func:`tighten`, which knows no file names:
it walks the folder, so a new file kind (another database, a new log) needs nothing here.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from workbuoy.platform import current
from workbuoy.platform.errors import NotPrivate

#: ``workbuoy.logs.create("supervisor")``, without importing it into every CLI start.
log = logging.getLogger("workbuoy.supervisor")
UMASK = 0o077
FOLDER_MODE = 0o700

__all__ = ["NotPrivate", "Tightened", "restrict_umask", "secure", "tighten"]


@dataclass(frozen=True)
class Tightened:
    """How many entries were open to other users and are no longer."""

    folders: int = 0
    files: int = 0

    def __bool__(self) -> bool:
        return bool(self.folders or self.files)


def restrict_umask() -> None:
    """Make everything this process and its children create private to the user (POSIX; Windows ignores it)."""
    os.umask(UMASK)


def _walk_error(exc: OSError) -> None:
    raise NotPrivate(f"cannot read the folder {exc.filename} ({exc.strerror})")


def tighten(folder: Path) -> Tightened:
    """Create ``folder`` (0700) if needed, then make it and everything in it the user's alone.

    POSIX strips group and other bits; Windows sets a one-user ACL (``platform.current.make_private``).
    Symbolic links are never followed (their target may lie outside the folder and
    not be ours to change); sockets and other special files are left alone.
    """
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    folders = files = 0
    for root, _dirs, names in os.walk(folder, onerror=_walk_error):  # links to folders are not entered
        folders += current.make_private(Path(root))
        files += sum(current.make_private(Path(root, name)) for name in names)
    return Tightened(folders, files)


def secure(folder: Path) -> Tightened:
    """:func:`tighten` at the supervisor's start, with one warning line when anything was open."""
    tightened = tighten(folder)
    if tightened:
        log.warning("data folder %s was open to other users: made %d folders 0700 and %d files 0600",
                    folder, tightened.folders, tightened.files)
    return tightened
