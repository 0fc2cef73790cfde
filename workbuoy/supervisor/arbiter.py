"""The arbiter: hosts the broker, owns settings, supervises one watcher per actor.

One thread, one ZeroMQ poll loop: bus traffic, ZAP, heartbeats and the watchers'
checks all run here, so there is no locking and a stop is always orderly.
"""

from __future__ import annotations

import functools
import signal
import time
from collections.abc import Sequence

import zmq

from workbuoy import logs as wblog
from workbuoy import metrics
from workbuoy.bus.broker import Broker
from workbuoy.bus.peers import PeerHooks
from workbuoy.bus.runtime import Endpoints
from workbuoy.config import Env
from workbuoy.platform import current
from workbuoy.schemas.control import ActorStatus, DeepLink
from workbuoy.schemas.settings import Settings
from workbuoy.supervisor import commands
from workbuoy.supervisor.childenv import KEYRING_KEY_VAR, take_keyring_key
from workbuoy.supervisor.forkserver import ForkServer, reap_strays
from workbuoy.supervisor.sdnotify import SystemdNotifier
from workbuoy.supervisor.settings import SettingsStore
from workbuoy.supervisor.spec import ChildSpec, RestartPolicy
from workbuoy.supervisor.watcher import Watcher, WatcherHooks, spawn_actor
from workbuoy.update.service import UpdateService

log = wblog.create("supervisor")
TICK_MS = 20
REAP_EVERY_S = 1.0


class Arbiter:
    def __init__(self, env: Env, endpoints: Endpoints, specs: Sequence[ChildSpec],
                 policy: RestartPolicy = RestartPolicy(), zygote: ForkServer | None = None) -> None:
        """``zygote``: actors are forked from it (``supervisor/forkserver.py``), else each one is spawned."""
        self.env = env
        self.endpoints = endpoints
        self.settings = SettingsStore(env.data_dir / "settings.json", Settings(), env.settings_overrides)
        self.ctx = zmq.Context()
        hooks = PeerHooks(on_hello=self._on_hello, on_ready=self._on_ready, on_heartbeat=self._on_heartbeat, on_bye=self._on_bye)
        local = {cmd.CHANNEL: (lambda req, caller, cmd=cmd: cmd.handle(self, req, caller)) for cmd in commands.ALL}
        self.broker = Broker(self.ctx, endpoints, hooks, local)
        metrics.add_collector(self.broker.stats)
        keyring_key = take_keyring_key(env)  # held here, handed to each auth actor spawned, in no environment
        hooks = WatcherHooks(expect=self.broker.expect, stopping=self.broker.retire, forget=self.broker.forget, exited=self._exited,
                             changed=self._changed)
        self.zygote = zygote
        spawn = self.zygote.spawn if self.zygote else functools.partial(spawn_actor, log_dir=env.log_dir)
        self.watchers = [
            Watcher(s, policy, heartbeat_sec=env.heartbeat_sec, hooks=hooks, spawn=spawn,
                    keyring_key=keyring_key if s.name == "auth" else None, curve=self.broker.endpoints.curve)
            for s in specs
        ]
        self._restarts_counted = {s.name: 0 for s in specs}
        self._by_name = {w.name: w for w in self.watchers}
        self.metrics_url: str | None = None
        self._stop_reason: str | None = None
        self._started = self._reaped = time.monotonic()
        self._announced = False
        self.systemd = SystemdNotifier()
        self._links: list[str] = []  # deep links of a cold start, published when the ui is ready
        self.updater = UpdateService(env, interval_min=self.settings.current.update_interval_min, desktop=any(s.name == "ui" for s in specs),
                                     publish=lambda status: self.broker.publish("wb:update:changed", status),
                                     restart_environ={KEYRING_KEY_VAR: env.keyring_key} if env.keyring_key else None)

    @staticmethod
    def _say(line: str) -> None:
        """Milestones for whoever runs the node in a terminal, and for the log."""
        log.info(line)
        print(f"workbuoy: {line}", flush=True)

    def watcher(self, name: str) -> Watcher | None:
        return self._by_name.get(name)

    def open_when_ready(self, url: str) -> None:
        self._links.append(url)

    def request_stop(self, reason: str) -> None:
        if self._stop_reason is None:
            log.info("stopping: %s", reason)
            self._stop_reason = reason
        else:  # a stop asked while an update restarts the node wins: stop, do not re-execute
            self.updater.cancel_restart(reason)

    # -- broker hooks ------------------------------------------------------------

    def _on_hello(self, name: str, pid: int) -> None:
        log.debug("%s said hello (pid %d)", name, pid)

    def _on_ready(self, name: str) -> None:
        if (w := self.watcher(name)) is not None:
            w.ready()
            if name == "ui":
                while self._links:
                    self.broker.publish("wb:ui:deeplink", DeepLink(url=self._links.pop(0)))
            if not self._announced and all(x.state == "ready" for x in self.watchers):
                self._announced = True
                self.updater.all_ready()
                self._say(f"ready: {' '.join(x.name for x in self.watchers)} in {(time.monotonic() - self._started) * 1000:.0f} ms")
                self.systemd.ready(f"{len(self.watchers)} actors ready")

    def _on_heartbeat(self, name: str) -> None:
        if (w := self.watcher(name)) is not None:
            w.heartbeat()

    def _on_bye(self, name: str) -> None:
        log.debug("%s said bye", name)

    def _changed(self, status: ActorStatus) -> None:
        metrics.actor_up.labels(status.name).set(1 if status.state == "ready" else 0)
        if (more := status.restarts - self._restarts_counted[status.name]) > 0:  # the watcher's count is the truth
            metrics.actor_restarts.labels(status.name).inc(more)
            self._restarts_counted[status.name] = status.restarts
        self.broker.publish("wb:sup:actor", status)

    @staticmethod
    def _exited(name: str, pid: int) -> None:
        log.debug("%s (pid %d) ended", name, pid)
        metrics.process_dead(pid)

    # -- the loop ----------------------------------------------------------------

    def run(self) -> int:
        for sig in current.STOP_SIGNALS:
            signal.signal(sig, lambda s, _f: self.request_stop(signal.Signals(s).name))
        poller = zmq.Poller()
        self.broker.register(poller)
        for w in self.watchers:
            w.spawn()
        try:
            due = 0.0
            while self._stop_reason is None:
                self._pump(poller)
                # Once a tick, not once a wake-up: under load the poll returns for every message,
                # and a waitpid per actor per message was a fifth of the broker's time.
                if (now := time.monotonic()) >= due:
                    due = now + TICK_MS / 1000
                    self._housekeeping(now)
            self.systemd.stopping(self._stop_reason)
            self._shutdown(poller)
        finally:
            if self.zygote is not None:
                self.zygote.close()
            self.updater.close()
            self.broker.close()
            self.ctx.term()
        self.updater.after_stop()  # re-executes into an updated or rolled-back version, if any
        return 0

    def _housekeeping(self, now: float) -> None:
        for w in self.watchers:
            w.tick(now)
        if reason := self.updater.tick(now):
            self.request_stop(reason)
        self.systemd.tick(now)
        self._reap(now)

    def _reap(self, now: float) -> None:
        """As a subreaper (the zygote's actors are our children), reap the orphans that are none of ours."""
        if self.zygote is not None and now - self._reaped >= REAP_EVERY_S:
            self._reaped = now
            reap_strays({w.proc.pid for w in self.watchers if w.proc is not None} | {self.zygote.pid})

    def _pump(self, poller: zmq.Poller) -> None:
        try:
            ready = dict(poller.poll(TICK_MS))
        except zmq.ZMQError as exc:  # EINTR from a signal: loop again
            if exc.errno != zmq.EINTR:
                raise
            return
        self.broker.handle(ready)
        self.broker.tap.flush()

    def _shutdown(self, poller: zmq.Poller) -> None:
        """Stop actors in reverse start order, each within its shutdown time, routing meanwhile."""
        for w in reversed(self.watchers):
            w.begin_stop()
            while not w.stop_done():
                self._pump(poller)
        self._say("all actors stopped")

