"""The private runtime folder that holds the bus sockets.

ipc socket files follow the umask and a second bind on the same path silently
takes it over, so the folder — not the socket — is the security boundary: it must
be owned by us and closed to everyone else, or we refuse to start.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import zmq


class RuntimeDirError(RuntimeError):
    """The runtime folder is not ours alone."""


@dataclass(frozen=True)
class Endpoints:
    """The ZeroMQ endpoints (``ipc://…`` addresses) of the broker's three sockets in the runtime folder."""

    folder: Path

    @property
    def bus(self) -> str:
        return f"ipc://{self.folder}/bus"

    @property
    def events(self) -> str:
        return f"ipc://{self.folder}/events"

    @property
    def trace(self) -> str:
        return f"ipc://{self.folder}/trace"


def folder_for(data_dir: Path) -> Path:
    """A short per-data-folder path (unix socket paths are limited to ~107 bytes)."""
    base = os.environ.get("WB_RUNTIME_DIR") or os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:12]
    return Path(base) / f"workbuoy-{os.getuid()}-{digest}"


def check_private(folder: Path) -> None:
    """Raise unless ``folder`` is a real directory owned by us with mode 0700 (no group/other bits)."""
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode):
        raise RuntimeDirError(f"{folder} is not a directory (a symlink or a file is refused)")
    if st.st_uid != os.getuid():
        raise RuntimeDirError(f"{folder} is owned by uid {st.st_uid}, not by us ({os.getuid()})")
    if st.st_mode & 0o077:
        raise RuntimeDirError(f"{folder} has mode {stat.S_IMODE(st.st_mode):o}; it must be 700")


def prepare(data_dir: Path) -> Endpoints:
    """Create (0700) and check the runtime folder; used by the supervisor before it binds."""
    folder = folder_for(data_dir)
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    check_private(folder)
    return Endpoints(folder)


def locate(data_dir: Path) -> Endpoints:
    """Endpoints of the supervisor serving ``data_dir``, checked but not created (clients)."""
    folder = folder_for(data_dir)
    if not folder.exists():
        raise FileNotFoundError(f"no WorkBuoy node is running for {data_dir}")
    check_private(folder)
    return Endpoints(folder)


def bind(ctx: zmq.Context, kind: int, endpoint: str, max_msg_bytes: int) -> zmq.Socket:
    """One of the broker's sockets, bound with mode 0600 (bind follows the umask) and under ZAP.

    The ROUTER has no ``ROUTER_HANDOVER``, so a second connection never takes an identity
    in use, and ``ROUTER_MANDATORY``, so a send to a peer that is gone fails instead of
    vanishing. The trace XPUB never drops a record silently (``XPUB_NODROP``: the broker
    counts what does not fit).
    """
    sock = ctx.socket(kind)
    sock.linger = 0
    sock.zap_domain = b"workbuoy"
    sock.maxmsgsize = max_msg_bytes
    if kind == zmq.ROUTER:
        sock.setsockopt(zmq.ROUTER_MANDATORY, 1)
    if kind == zmq.XPUB:
        sock.setsockopt(zmq.XPUB_NODROP, 1)
        sock.sndhwm = 10_000
    old = os.umask(0o077)
    try:
        sock.bind(endpoint)
    finally:
        os.umask(old)
    return sock
