"""Where the bus lives: the private runtime folder, its addresses and, on ``tcp``, its CURVE keys.

On POSIX the bus is ``ipc://`` sockets in a folder that must be owned by us and
closed to everyone else (a socket file follows the umask and a second bind on the
same path silently takes it over, so the folder is the boundary), and the ZAP
handler checks each peer's uid. Where the peer's uid is not visible (macOS: libzmq passes no pid; Windows: ``tcp://127.0.0.1``, no unix
sockets) every socket uses CURVE instead: the supervisor
makes a server key pair and a key pair for the user's own commands at every start,
each actor gets its own pair on stdin, and the ZAP handler knows every public key.

The supervisor writes the addresses it bound (and, on ``tcp``, the server's public
key and the commands' key pair) to ``bus.json`` in the folder; clients read it there.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import msgspec
import platformdirs
import zmq

from workbuoy.platform import current
from workbuoy.platform.errors import NotPrivate

BUS_FILE = "bus.json"
LONGEST_SOCKET = "events"


class RuntimeDirError(RuntimeError):
    """The runtime folder is not ours alone, or its path cannot hold a socket."""


class KeyPair(msgspec.Struct, frozen=True):
    """A CURVE key pair, Z85 text (40 characters each)."""

    public: str
    secret: str

    @classmethod
    def new(cls) -> KeyPair:
        public, secret = zmq.curve_keypair()
        return cls(public.decode(), secret.decode())


class Endpoints(msgspec.Struct, frozen=True):
    """The bus's three addresses; on ``tcp`` also the server key and the commands' key pair."""

    folder: Path
    bus: str
    events: str
    trace: str
    curve: bool = False
    server_key: str | None = None
    cli_keys: KeyPair | None = None

    @classmethod
    def local(cls, folder: Path, transport: str = "ipc", curve: bool = False) -> Endpoints:
        """Addresses for a broker to bind: sockets in ``folder``, or any free loopback port (keys come at bind)."""
        if transport == "ipc":
            return cls(folder, *(f"ipc://{folder}/{name}" for name in ("bus", "events", "trace")), curve=curve)
        return cls(folder, *(["tcp://127.0.0.1:*"] * 3), curve=True)  # no uid to check on tcp

    def secure_client(self, sock: zmq.Socket, keys: KeyPair | None = None) -> None:
        """Make ``sock`` a CURVE client of the broker with ``keys`` (the commands' pair by default)."""
        if not self.curve:
            return
        mine = keys or self.cli_keys
        if mine is None or self.server_key is None:
            raise RuntimeDirError("the bus uses CURVE and this process has no key for it")
        sock.curve_serverkey = self.server_key.encode()
        sock.curve_publickey = mine.public.encode()
        sock.curve_secretkey = mine.secret.encode()


def transport() -> str:
    """``ipc`` where the OS has unix sockets, else ``tcp`` (also chosen with ``WB_BUS_TRANSPORT=tcp``)."""
    chosen = os.environ.get("WB_BUS_TRANSPORT") or current.BUS_TRANSPORT
    if chosen not in ("ipc", "tcp"):
        raise RuntimeDirError(f"WB_BUS_TRANSPORT must be ipc or tcp, not {chosen!r}")
    return chosen


def curve() -> bool:
    """CURVE where libzmq cannot show a peer's uid and pid (macOS, Windows, tcp), or with ``WB_BUS_CURVE=1``."""
    wanted = os.environ.get("WB_BUS_CURVE", "")
    if wanted not in ("", "0", "1"):
        raise RuntimeDirError(f"WB_BUS_CURVE must be 0 or 1, not {wanted!r}")
    return wanted == "1" or not current.PEER_CREDENTIALS


def folder_for(data_dir: Path) -> Path:
    """A short per-user, per-data-folder path under the user's runtime folder (platformdirs)."""
    base = os.environ.get("WB_RUNTIME_DIR")
    if not base:
        with warnings.catch_warnings():  # platformdirs warns when it falls back from XDG_RUNTIME_DIR to /tmp
            warnings.simplefilter("ignore")
            base = platformdirs.user_runtime_dir()
    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:12]
    return Path(base) / f"workbuoy-{current.user_tag()}-{digest}"


def check_private(folder: Path) -> None:
    """Raise unless ``folder`` is a real directory that only we can open."""
    try:
        current.check_private(folder)
    except NotPrivate as exc:
        raise RuntimeDirError(str(exc)) from None


def _check_length(folder: Path) -> None:
    longest = len(os.fsencode(folder / LONGEST_SOCKET))
    if transport() == "ipc" and longest > current.MAX_SOCKET_PATH:
        raise RuntimeDirError(f"the bus socket path {folder / LONGEST_SOCKET} is {longest} bytes; this OS allows "
                              f"{current.MAX_SOCKET_PATH}: set WB_RUNTIME_DIR to a shorter folder")
    if len(str(folder / BUS_FILE)) > current.MAX_PATH:
        raise RuntimeDirError(f"the runtime folder {folder} is longer than this OS allows ({current.MAX_PATH})")


def prepare(data_dir: Path) -> Endpoints:
    """Create (private) and check the runtime folder; the addresses for the broker to bind.

    On ``tcp`` the ports are picked at bind time and the broker makes the keys (``Broker.__post_init__``).
    """
    folder = folder_for(data_dir)
    _check_length(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    check_private(folder)
    return Endpoints.local(folder, transport(), curve())


def publish(endpoints: Endpoints) -> None:
    """Write the bound addresses (and keys) for clients, atomically, in the private folder."""
    tmp = endpoints.folder / f"{BUS_FILE}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(msgspec.json.encode(endpoints, enc_hook=str))
    current.make_private(tmp)
    os.replace(tmp, endpoints.folder / BUS_FILE)


def locate(data_dir: Path) -> Endpoints:
    """Endpoints of the supervisor serving ``data_dir``, checked but not created (clients)."""
    folder = folder_for(data_dir)
    if not folder.exists():
        raise FileNotFoundError(f"no WorkBuoy node is running for {data_dir}")
    check_private(folder)
    return read(folder)


def _path(kind: type, value: object) -> Path:
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError(kind)


def read(folder: Path) -> Endpoints:
    """The endpoints the broker published in ``folder`` (``bus.json``)."""
    try:
        return msgspec.json.decode((folder / BUS_FILE).read_bytes(), type=Endpoints, dec_hook=_path)
    except FileNotFoundError:
        raise FileNotFoundError(f"the WorkBuoy node for {folder} has not opened its bus yet") from None
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise RuntimeDirError(f"{folder / BUS_FILE} is damaged ({exc}); stop and start the node") from None


def bind(ctx: zmq.Context, kind: int, endpoint: str, max_msg_bytes: int, server: KeyPair | None = None) -> zmq.Socket:
    """One of the broker's sockets, bound with mode 0600 (bind follows the umask) and under ZAP.

    The ROUTER has no ``ROUTER_HANDOVER``, so a second connection never takes an identity
    in use, and ``ROUTER_MANDATORY``, so a send to a peer that is gone fails instead of
    vanishing. The trace XPUB never drops a record silently (``XPUB_NODROP``: the broker
    counts what does not fit). With ``server`` keys the socket is a CURVE server.
    """
    sock = ctx.socket(kind)
    sock.linger = 0
    sock.zap_domain = b"workbuoy"
    if server is not None:
        sock.curve_server = True
        sock.curve_secretkey = server.secret.encode()
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
