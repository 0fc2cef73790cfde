"""A watcher owns one actor process: spawn, watch, restart with backoff, stop.

Each actor runs in its own process group (and, on Windows, its own Job Object), so a
stop that times out kills the whole group and leaves nothing behind. It starts with an environment built for it
(``childenv``) and reads its secrets, new for every spawn, from its stdin.
"""

from __future__ import annotations

import contextlib
import secrets
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

import msgspec

from workbuoy import logging as wblog
from workbuoy.bus.runtime import KeyPair
from workbuoy.platform import current
from workbuoy.schemas.control import ActorStateName, ActorStatus
from workbuoy.schemas.envelope import SpawnSecrets
from workbuoy.supervisor.childenv import child_environ
from workbuoy.supervisor.spec import ChildSpec, Strategy

log = wblog.create("supervisor.watcher")


class Watcher:
    def __init__(self, spec: ChildSpec, strategy: Strategy, *, heartbeat_sec: float, log_dir: Path,
                 expect: Callable[[str, str, int, str, str | None], None], changed: Callable[[ActorStatus], None],
                 keyring_key: str | None = None, curve: bool = False) -> None:
        self.spec = spec
        self._curve = curve
        self._keyring_key = keyring_key
        self.strategy = strategy
        self.heartbeat_sec = heartbeat_sec
        self.log_dir = log_dir
        self._expect = expect
        self._changed = changed
        self.proc: subprocess.Popen | None = None
        self.state: ActorStateName = "stopped"
        self.restarts = 0
        self.reason = ""
        self.started_at = 0.0
        self.last_heartbeat = 0.0
        self.next_start_at: float | None = None
        self._recent: deque[float] = deque()
        self._stop_deadline: float | None = None
        self._respawn = False

    @property
    def name(self) -> str:
        return self.spec.name

    # -- transitions -----------------------------------------------------------

    def spawn(self) -> None:
        curve = KeyPair.new() if self._curve else None
        given = SpawnSecrets(key=secrets.token_hex(16), identity=f"{self.name}:{secrets.token_urlsafe(24)}",
                             keyring_key=self._keyring_key, curve_secret=curve.secret if curve else None)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_dir / f"{self.name}.stderr", "ab") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "workbuoy.actors", self.name],
                env=child_environ(self.name),
                stdin=subprocess.PIPE, stdout=err, stderr=err, bufsize=0,
                close_fds=True, **current.spawn_options(),
            )
        current.adopt(self.proc)
        assert self.proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # it died at once: tick() sees the exit and restarts it
            self.proc.stdin.write(msgspec.json.encode(given))  # a few hundred bytes: the pipe takes them at once
        self.proc.stdin.close()
        self._expect(self.name, given.key, self.proc.pid, given.identity, curve.public if curve else None)
        self.started_at = time.monotonic()
        self.last_heartbeat = self.started_at
        self.next_start_at = None
        self._set("starting")

    def ready(self) -> None:
        self.last_heartbeat = time.monotonic()
        self._set("ready")
        if self.restarts:
            log.info("%s ready again after %.0f ms", self.name, (self.last_heartbeat - self.started_at) * 1000)

    def heartbeat(self) -> None:
        self.last_heartbeat = time.monotonic()

    def restart_now(self) -> None:
        """An operator asked for a restart: stop it and start it again, not counted as a crash.

        The stop is not waited for here (that would stall the bus): ``tick`` respawns once
        the old process is gone, killing its group if it overstays its shutdown time.
        """
        self._recent.clear()
        self.restarts += 1
        if self.proc is None:
            self.reason = "restarted on request"
            self.spawn()
            return
        self.begin_stop()
        self._respawn = True
        self.next_start_at = None
        self._set("restarting", "restarted on request")

    def begin_stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = None
            self._set("stopped")
            return
        self._kill_group(force=False)
        self._stop_deadline = time.monotonic() + self.spec.shutdown_sec

    def stop_done(self) -> bool:
        """Poll a stop in progress; kill the group when its shutdown time is up."""
        if self.proc is None:
            return True
        if self.proc.poll() is not None:
            self.proc = None
            self._set("stopped")
            return True
        if self._stop_deadline is not None and time.monotonic() > self._stop_deadline:
            log.warning("%s did not stop within %.1fs: killing its process group", self.name, self.spec.shutdown_sec)
            self._kill_group(force=True)
            self._wait(2.0)
            self.proc = None
            self._set("stopped", "killed after shutdown timeout")
            return True
        return False

    # -- the periodic check ------------------------------------------------------

    def tick(self, now: float) -> int | None:
        """Detect death, missed heartbeats and due restarts; return the pid of a process that ended."""
        if self._respawn:  # a requested restart: the old process must be gone first
            pid = self.proc.pid if self.proc is not None else None
            if not self.stop_done():
                return None
            self._respawn = False
            self.next_start_at = now  # spawned on the next tick, after the arbiter forgot the old one
            self._set("restarting", "restarted on request")
            return pid
        if self.state == "restarting" and self.next_start_at is not None and now >= self.next_start_at:
            self.spawn()
            return None
        if self.proc is None or self.state not in ("starting", "ready"):
            return None
        code = self.proc.poll()
        if code is not None:
            pid = self.proc.pid
            self.proc = None
            self._crashed(now, f"exited with code {code}", abnormal=code != 0)
            return pid
        limit = self.strategy.missed_heartbeats * self.heartbeat_sec
        if self.state == "ready" and now - self.last_heartbeat > max(limit, 2.0):
            return self._kill_and_crash(now, f"missed heartbeats for {now - self.last_heartbeat:.1f}s")
        if self.state == "starting" and now - self.started_at > self.spec.start_timeout_sec:
            return self._kill_and_crash(now, f"not ready within {self.spec.start_timeout_sec:g}s")
        return None

    def _kill_and_crash(self, now: float, reason: str) -> int:
        assert self.proc is not None
        pid = self.proc.pid
        self._kill_group(force=True)
        self._wait(2.0)
        self.proc = None
        self._crashed(now, reason, abnormal=True)
        return pid

    def _crashed(self, now: float, reason: str, *, abnormal: bool) -> None:
        log.warning("%s %s", self.name, reason)
        if self.spec.restart == "temporary" or (self.spec.restart == "transient" and not abnormal):
            self._set("stopped", reason)
            return
        self._recent.append(now)
        while self._recent and now - self._recent[0] > self.strategy.period_sec:
            self._recent.popleft()
        if len(self._recent) > self.strategy.intensity:
            log.error("%s crashed %d times in %gs: marked failed", self.name, len(self._recent), self.strategy.period_sec)
            self._set("failed", f"{reason}; restart intensity exceeded")
            return
        self.restarts += 1
        self.next_start_at = now + self.strategy.backoff(len(self._recent))
        self._set("restarting", reason)

    # -- reporting ---------------------------------------------------------------

    def status(self) -> ActorStatus:
        now = time.monotonic()
        alive = self.state in ("starting", "ready")
        return ActorStatus(
            name=self.name,
            pid=self.proc.pid if self.proc is not None else None,
            state=self.state,
            restarts=self.restarts,
            uptime_sec=round(now - self.started_at, 3) if alive else 0.0,
            last_heartbeat_ago_sec=round(now - self.last_heartbeat, 3) if alive else None,
            reason=self.reason,
        )

    def _set(self, state: ActorStateName, reason: str | None = None) -> None:
        self.state = state
        if reason is not None:
            self.reason = reason
        self._changed(self.status())

    def _kill_group(self, *, force: bool) -> None:
        if self.proc is not None:
            current.signal_group(self.proc, force)

    def _wait(self, timeout: float) -> None:
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._kill_group(force=True)
            self.proc.wait(5)
