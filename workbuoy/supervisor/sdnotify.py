"""systemd's notify protocol: readiness, stopping and the watchdog (``Type=notify``).

The protocol is one datagram of ``KEY=value`` lines to ``$NOTIFY_SOCKET`` (``@`` =
abstract namespace), documented in sd_notify(3); a dependency (libsystemd bindings
need a compiler) is not worth these few lines. Without ``NOTIFY_SOCKET`` (not under
systemd) every call does nothing.
"""

from __future__ import annotations

import os
import socket


class SystemdNotifier:
    def __init__(self, environ: dict[str, str] | None = None) -> None:
        e = os.environ if environ is None else environ
        address = e.get("NOTIFY_SOCKET", "")
        self._address = "\0" + address[1:] if address.startswith("@") else address
        usec = e.get("WATCHDOG_USEC", "")
        pid = e.get("WATCHDOG_PID", "")
        wanted = usec.isdigit() and int(usec) > 0 and (not pid or pid == str(os.getpid()))
        self.watchdog_sec = int(usec) / 1e6 if wanted else None
        self._next_ping = 0.0

    def send(self, *lines: str) -> None:
        if not self._address:
            return
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            try:
                s.sendto("\n".join(lines).encode(), self._address)
            except OSError:
                pass  # systemd gone or not listening: nothing to tell

    def ready(self, status: str) -> None:
        self.send("READY=1", f"STATUS={status}", f"MAINPID={os.getpid()}")

    def stopping(self, status: str) -> None:
        self.send("STOPPING=1", f"STATUS={status}")

    def tick(self, now: float) -> None:
        """Feed the watchdog at half its period; called from the supervisor's loop, so a hung loop starves it."""
        if self.watchdog_sec is not None and now >= self._next_ping:
            self._next_ping = now + self.watchdog_sec / 2
            self.send("WATCHDOG=1")


