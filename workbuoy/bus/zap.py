"""ZAP handler: admit only our own user's processes, by uid (ipc) or by CURVE key (tcp).

For ipc peers libzmq passes ``localhost:<uid>:<gid>:<pid>`` as the ZAP address
(from SO_PEERCRED); we admit our uid and remember the pid. Where the uid is not
visible (``tcp://127.0.0.1``, Windows) every socket is a CURVE server and we admit
only the public keys we handed out: one per actor spawn (on its stdin) and the
user's commands' key (in the private ``bus.json``). Either way the broker asks
:meth:`ZapHandler.vouched` whether the process an actor's hello claims to be was
admitted: by its pid, or by its spawn's key.
"""

from __future__ import annotations

from collections import OrderedDict

import zmq
from zmq.utils import z85

from workbuoy import logs as wblog
from workbuoy import metrics
from workbuoy.platform import current

log = wblog.create("bus.zap")
ZAP_ENDPOINT = "inproc://zeromq.zap.01"
REMEMBERED = 4096


class ZapHandler:
    """Answers libzmq's ZAP requests on ``socket`` (a REP socket of the broker's context) for ``uid``'s peers."""

    def __init__(self, socket: zmq.Socket, uid: int | str | None = None) -> None:
        self.socket = socket
        self.socket.linger = 0
        self.socket.bind(ZAP_ENDPOINT)
        self._uid = current.user_tag() if uid is None else str(uid)  # ipc peers: the uid SO_PEERCRED shows
        self._keys: dict[str, str] = {}  # CURVE public key (Z85) -> who holds it ("cli" or an actor)
        self._seen: OrderedDict[int | str, None] = OrderedDict()  # admitted pids and CURVE keys

    def allow(self, public_key: str, holder: str) -> None:
        """Admit CURVE clients holding the secret half of ``public_key``."""
        self._keys[public_key] = holder

    def revoke(self, public_key: str) -> None:
        self._keys.pop(public_key, None)

    def vouched(self, proof: int | str) -> bool:
        """Whether a peer was admitted from pid ``proof`` (ipc) or with CURVE key ``proof`` (tcp)."""
        return proof in self._seen

    def drain(self) -> None:
        while True:
            try:
                req = self.socket.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            version, request_id = req[0], req[1]
            proof, why = self._check(req[3].decode(errors="replace"), req[5], req[6:])
            if proof is not None:
                self._seen[proof] = None
                while len(self._seen) > REMEMBERED:
                    self._seen.popitem(last=False)
                self.socket.send_multipart([version, request_id, b"200", b"OK", str(proof).encode(), b""])
            else:
                metrics.invalid_ipc.labels("?", "unauthenticated").inc()
                log.warning("refused a bus peer at %r: %s", req[3].decode(errors="replace"), why)
                self.socket.send_multipart([version, request_id, b"400", why.encode(), b"", b""])

    def _check(self, address: str, mechanism: bytes, credentials: list[bytes]) -> tuple[int | str | None, str]:
        if mechanism == b"CURVE":
            key = z85.encode(credentials[0]).decode() if credentials else ""
            return (key, "") if key in self._keys else (None, "unknown CURVE key")
        parts = address.split(":")
        if len(parts) != 4 or parts[1] != self._uid or not parts[3].isdigit():
            return None, "peer is not the same user"
        return int(parts[3]), ""

    def close(self) -> None:
        self.socket.close(0)
