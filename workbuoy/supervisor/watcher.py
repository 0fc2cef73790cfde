"""A watcher owns one actor process: start, watch, restart with backoff, stop.

It is the one owner of the child's lifecycle. It tells the broker through its hooks
when a spawn is to be expected, when an actor's identity must route nothing any
more (its stop began or it died) and when a process has ended, and it keeps the
restart count that status and ``wb_desktop_actor_restarts_total`` both report::

    stopped ──spawn──▶ starting ──READY──▶ ready
                          │  ▲                 │ exit, missed heartbeats, start timeout
                          │  └── back-off ── restarting   (or failed: intensity exceeded,
                          ▼                                  stopped: temporary/transient)
    operator restart / shutdown: starting|ready ──▶ stopping ──exit──▶ starting | stopped

"restarting" only ever means "waiting out the back-off": the old process is gone.
Each actor runs in its own process group (and, on Windows, its own Job Object), so a
stop that times out kills the whole group and leaves nothing behind. It reads its secrets, new for every
spawn, from its stdin (see :func:`spawn_actor`).
"""

from __future__ import annotations

import contextlib
import secrets
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import msgspec

from workbuoy import logs as wblog
from workbuoy.bus.runtime import KeyPair
from workbuoy.platform import current
from workbuoy.schemas.control import ActorStateName, ActorStatus
from workbuoy.schemas.envelope import SpawnSecrets
from workbuoy.supervisor.childenv import child_environ
from workbuoy.supervisor.spec import ChildSpec, RestartPolicy

log = wblog.create("supervisor.watcher")


class Process(Protocol):
    """What a watcher needs of a child process (``subprocess.Popen`` has it)."""

    pid: int

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...


Spawn = Callable[[str, SpawnSecrets], Process]


def spawn_actor(name: str, given: SpawnSecrets, *, log_dir: Path) -> subprocess.Popen:
    """Start ``python -m workbuoy.actors NAME`` in its own session, its secrets on its stdin."""
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"{name}.stderr", "ab") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "workbuoy.actors", name],
            env=child_environ(name),
            stdin=subprocess.PIPE, stdout=err, stderr=err, bufsize=0,
            close_fds=True, **current.spawn_options(),
        )
    current.adopt(proc)
    assert proc.stdin is not None
    with contextlib.suppress(BrokenPipeError):  # it died at once: tick() sees the exit and restarts it
        proc.stdin.write(msgspec.json.encode(given))  # a few hundred bytes: the pipe takes them at once
    proc.stdin.close()
    return proc


@dataclass(frozen=True)
class WatcherHooks:
    """What the arbiter hears from a watcher (the first three go to the broker)."""

    expect: Callable[[str, str, int, str, str | None], None]  # name, hello key, pid, routing identity, CURVE key
    stopping: Callable[[str], None]  # name: no new request for it, it may still answer and say bye
    forget: Callable[[str], None]  # name: its identity is nobody's any more
    exited: Callable[[str, int], None]  # name, pid of a process that ended
    changed: Callable[[ActorStatus], None]


class Watcher:
    def __init__(self, spec: ChildSpec, policy: RestartPolicy, *, heartbeat_sec: float, hooks: WatcherHooks,
                 spawn: Spawn, keyring_key: str | None = None, curve: bool = False) -> None:
        self.spec = spec
        self.policy = policy
        self.heartbeat_sec = heartbeat_sec
        self._hooks = hooks
        self._spawn = spawn
        self._keyring_key = keyring_key
        self._curve = curve
        self.proc: Process | None = None
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
        self.proc = self._spawn(self.name, given)
        self._hooks.expect(self.name, given.key, self.proc.pid, given.identity, curve.public if curve else None)
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
        """An operator asked for a restart: stop it and start it again, counted once, not as a crash.

        The stop is not waited for here (that would stall the bus): ``tick`` spawns the
        new process once the old one is gone, killing its group if it overstays its
        shutdown time.
        """
        self._recent.clear()
        self.restarts += 1
        self.reason = "restarted on request"
        if self.begin_stop():
            self._respawn = True
        else:
            self.spawn()

    def begin_stop(self) -> bool:
        """Ask the process to stop (SIGTERM to its group); False when there was nothing to stop."""
        self._respawn = False
        self.next_start_at = None
        if self.proc is None:
            self._set("stopped")
            return False
        self._hooks.stopping(self.name)
        self._kill_group(force=False)
        self._stop_deadline = time.monotonic() + self.spec.shutdown_sec
        self._set("stopping")
        return True

    def stop_done(self) -> bool:
        """Poll a stop in progress; kill the group when its shutdown time is up."""
        if self.proc is None:
            return True
        if self.proc.poll() is None:
            if self._stop_deadline is None or time.monotonic() <= self._stop_deadline:
                return False
            log.warning("%s did not stop within %.1fs: killing its process group", self.name, self.spec.shutdown_sec)
            self._kill_group(force=True)
            self._wait(2.0)
            self.reason = "killed after shutdown timeout"
        self._ended()
        if self._respawn:
            self._respawn = False
            self.spawn()
        else:
            self._set("stopped")
        return True

    # -- the periodic check ------------------------------------------------------

    def tick(self, now: float) -> None:
        """Finish a stop, detect death, missed heartbeats and due restarts."""
        if self.state == "stopping":
            self.stop_done()
        elif self.state == "restarting" and self.next_start_at is not None and now >= self.next_start_at:
            self.spawn()
        elif self.proc is not None and self.state in ("starting", "ready"):
            self._check_alive(now)

    def _check_alive(self, now: float) -> None:
        assert self.proc is not None
        code = self.proc.poll()
        if code is not None:
            self._ended()
            self._crashed(now, f"exited with code {code}", abnormal=code != 0)
            return
        limit = self.policy.missed_heartbeats * self.heartbeat_sec
        if self.state == "ready" and now - self.last_heartbeat > max(limit, 2.0):
            self._kill_and_crash(now, f"missed heartbeats for {now - self.last_heartbeat:.1f}s")
        elif self.state == "starting" and now - self.started_at > self.spec.start_timeout_sec:
            self._kill_and_crash(now, f"not ready within {self.spec.start_timeout_sec:g}s")

    def _ended(self) -> None:
        """The process is gone: the broker forgets its identity, the arbiter its live metrics."""
        assert self.proc is not None
        pid, self.proc = self.proc.pid, None
        self._hooks.forget(self.name)
        self._hooks.exited(self.name, pid)

    def _kill_and_crash(self, now: float, reason: str) -> None:
        self._kill_group(force=True)
        self._wait(2.0)
        self._ended()
        self._crashed(now, reason, abnormal=True)

    def _crashed(self, now: float, reason: str, *, abnormal: bool) -> None:
        log.warning("%s %s", self.name, reason)
        if self.spec.restart == "temporary" or (self.spec.restart == "transient" and not abnormal):
            self._set("stopped", reason)
            return
        self._recent.append(now)
        while self._recent and now - self._recent[0] > self.policy.period_sec:
            self._recent.popleft()
        if len(self._recent) > self.policy.intensity:
            log.error("%s crashed %d times in %gs: marked failed", self.name, len(self._recent), self.policy.period_sec)
            self._set("failed", f"{reason}; restart intensity exceeded")
            return
        self.restarts += 1
        self.next_start_at = now + self.policy.backoff(len(self._recent))
        self._set("restarting", reason)

    # -- reporting ---------------------------------------------------------------

    def status(self) -> ActorStatus:
        now = time.monotonic()
        alive = self.state in ("starting", "ready", "stopping")
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
        self._hooks.changed(self.status())

    def _kill_group(self, *, force: bool) -> None:
        if self.proc is not None:
            current.signal_group(self.proc, force)  # type: ignore[arg-type]  # a Popen outside the unit tests

    def _wait(self, timeout: float) -> None:
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._kill_group(force=True)
            self.proc.wait(5)
