"""ZAP handler: admit only peers running as our own uid.

For ipc peers libzmq passes ``localhost:<uid>:<gid>:<pid>`` as the ZAP address
(from SO_PEERCRED). We also remember the pids we admitted, so the broker can check
that an actor's hello really comes from the process the arbiter spawned.
"""

from __future__ import annotations

import os
from collections import OrderedDict

import zmq

from workbuoy import logs as wblog

log = wblog.create("bus.zap")
ZAP_ENDPOINT = "inproc://zeromq.zap.01"


class ZapHandler:
    """Answers libzmq's ZAP requests on ``socket`` (a REP socket of the broker's context) for ``uid``'s peers."""

    def __init__(self, socket: zmq.Socket, uid: int | None = None) -> None:
        self.socket = socket
        self.socket.linger = 0
        self.socket.bind(ZAP_ENDPOINT)
        self._uid = os.getuid() if uid is None else uid
        self._pids: OrderedDict[int, None] = OrderedDict()

    def saw_pid(self, pid: int) -> bool:
        return pid in self._pids

    def drain(self) -> None:
        while True:
            try:
                req = self.socket.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            version, request_id, address = req[0], req[1], req[3].decode(errors="replace")
            ok, pid = self._check(address)
            if ok:
                self._pids[pid] = None
                while len(self._pids) > 4096:
                    self._pids.popitem(last=False)
                self.socket.send_multipart([version, request_id, b"200", b"OK", str(pid).encode(), b""])
            else:
                log.warning("refused a bus peer at %r: not our uid", address)
                self.socket.send_multipart([version, request_id, b"400", b"peer is not the same user", b"", b""])

    def _check(self, address: str) -> tuple[bool, int]:
        parts = address.split(":")
        if len(parts) != 4:
            return False, 0
        try:
            uid, pid = int(parts[1]), int(parts[3])
        except ValueError:
            return False, 0
        return uid == self._uid, pid

    def close(self) -> None:
        self.socket.close(0)
