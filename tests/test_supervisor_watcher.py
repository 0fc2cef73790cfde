"""The watcher's lifecycle in this process, with a fake child process: every transition and hook.

The fake's pid is beyond any real pid, so the watcher's group signals reach nobody
(``ProcessLookupError``, which the watcher ignores); the test decides when it exits.
"""

from __future__ import annotations

import subprocess

import pytest

from workbuoy.schemas.control import ActorStatus
from workbuoy.schemas.envelope import SpawnSecrets
from workbuoy.supervisor.spec import ChildSpec, RestartPolicy
from workbuoy.supervisor.watcher import Watcher, WatcherHooks

NO_SUCH_PID = 2_000_000_000


class FakeProcess:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stays_on_wait = False  # True: ignores even SIGKILL (wait times out)

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if self.stays_on_wait:
                raise subprocess.TimeoutExpired("fake", timeout or 0)
            self.returncode = -9  # the watcher only waits after a SIGKILL
        return self.returncode


class Rig:
    """A watcher with recording hooks and a spawn function that hands out fakes."""

    def __init__(self, spec: ChildSpec = ChildSpec("sync", shutdown_sec=5.0, start_timeout_sec=30.0),
                 policy: RestartPolicy = RestartPolicy()) -> None:
        self.calls: list[tuple] = []
        self.procs: list[FakeProcess] = []
        self.secrets: list[SpawnSecrets] = []
        hooks = WatcherHooks(
            expect=lambda name, key, pid, ident, curve_key: self.calls.append(("expect", name, pid)),
            stopping=lambda name: self.calls.append(("stopping", name)),
            forget=lambda name: self.calls.append(("forget", name)),
            exited=lambda name, pid: self.calls.append(("exited", name, pid)),
            changed=lambda status: self.calls.append(("changed", status)),
        )
        self.watcher = Watcher(spec, policy, heartbeat_sec=1.0, hooks=hooks, spawn=self._spawn, keyring_key="kk")

    def _spawn(self, name: str, given: SpawnSecrets) -> FakeProcess:
        self.secrets.append(given)
        proc = FakeProcess(NO_SUCH_PID + len(self.procs))
        self.procs.append(proc)
        return proc

    def states(self) -> list[str]:
        return [c[1].state for c in self.calls if c[0] == "changed"]

    def hooks(self) -> list[tuple]:
        return [c for c in self.calls if c[0] != "changed"]

    def last_status(self) -> ActorStatus:
        return [c[1] for c in self.calls if c[0] == "changed"][-1]


def started(rig: Rig) -> Watcher:
    w = rig.watcher
    w.spawn()
    w.ready()
    rig.calls.clear()
    return w


def test_a_spawn_is_expected_with_fresh_secrets_and_starts():
    rig = Rig()
    rig.watcher.spawn()
    rig.watcher.spawn()
    assert rig.hooks() == [("expect", "sync", NO_SUCH_PID), ("expect", "sync", NO_SUCH_PID + 1)]
    first, second = rig.secrets
    assert first.key != second.key and first.identity != second.identity and first.identity.startswith("sync:")
    assert first.keyring_key == "kk"
    assert rig.states() == ["starting", "starting"]


def test_an_operator_restart_goes_stopping_then_starting_and_counts_once():
    rig = Rig()
    w = started(rig)
    old = rig.procs[0]
    w.restart_now()
    assert rig.states() == ["stopping"] and rig.hooks() == [("stopping", "sync")]  # routed nothing new from now on
    w.tick(0.0)
    assert rig.states() == ["stopping"]  # still exiting: nothing new yet
    old.returncode = 0
    w.tick(0.0)
    w.ready()
    assert rig.states() == ["stopping", "starting", "ready"]
    assert rig.hooks() == [("stopping", "sync"), ("forget", "sync"), ("exited", "sync", old.pid),
                           ("expect", "sync", rig.procs[1].pid)]
    assert w.restarts == 1 and rig.last_status().restarts == 1 and rig.last_status().reason == "restarted on request"


def test_an_operator_restart_of_a_failed_actor_starts_it_at_once():
    rig = Rig()
    w = rig.watcher
    w.restart_now()
    assert rig.states() == ["stopped", "starting"] and w.restarts == 1


def test_a_crash_waits_out_the_backoff_in_restarting_then_starts():
    rig = Rig(policy=RestartPolicy(backoff_base_sec=1.0, backoff_max_sec=4.0))
    w = started(rig)
    rig.procs[0].returncode = 1
    w.tick(100.0)
    assert rig.states() == ["restarting"] and w.proc is None  # "restarting": the old process is gone
    assert rig.hooks() == [("forget", "sync"), ("exited", "sync", rig.procs[0].pid)]
    assert w.next_start_at == 100.0  # the first restart in a period does not wait
    w.tick(100.0)
    assert rig.states() == ["restarting", "starting"]
    w.ready()
    rig.procs[1].returncode = 1
    w.tick(101.0)
    assert w.next_start_at == 102.0  # the second waits the base back-off
    w.tick(101.5)
    assert rig.states()[-1] == "restarting"
    w.tick(102.0)
    assert rig.states()[-1] == "starting" and w.restarts == 2


def test_intensity_exceeded_marks_failed_and_nothing_restarts_it():
    rig = Rig(policy=RestartPolicy(intensity=2, period_sec=30.0, backoff_base_sec=0.0))
    w = started(rig)
    for n in range(3):
        rig.procs[-1].returncode = 1
        w.tick(float(n))
        w.tick(float(n))
    assert w.state == "failed" and "intensity" in w.reason and w.restarts == 2
    spawned = len(rig.procs)
    w.tick(1000.0)
    assert len(rig.procs) == spawned


@pytest.mark.parametrize(("restart", "code", "state"), [("temporary", 1, "stopped"), ("transient", 0, "stopped"),
                                                       ("transient", 1, "restarting"), ("permanent", 0, "restarting")])
def test_restart_kinds(restart, code, state):
    rig = Rig(spec=ChildSpec("sync", restart=restart))
    w = started(rig)
    rig.procs[0].returncode = code
    w.tick(0.0)
    assert w.state == state


def test_missed_heartbeats_kill_the_process_and_count_as_a_crash():
    rig = Rig()
    w = started(rig)
    now = w.last_heartbeat + 5.5  # 5 missed beats of 1 s
    w.tick(now)
    assert rig.procs[0].returncode == -9
    assert w.state == "restarting" and "missed heartbeats" in w.reason
    assert rig.hooks() == [("forget", "sync"), ("exited", "sync", rig.procs[0].pid)]


def test_a_start_that_never_gets_ready_is_killed_after_its_start_timeout():
    rig = Rig(spec=ChildSpec("sync", start_timeout_sec=2.0))
    w = rig.watcher
    w.spawn()
    w.tick(w.started_at + 1.0)
    assert w.state == "starting"
    w.tick(w.started_at + 2.5)
    assert w.state == "restarting" and "not ready within 2s" in w.reason


def test_a_stop_that_overstays_its_shutdown_time_is_killed():
    rig = Rig(spec=ChildSpec("sync", shutdown_sec=0.0))
    w = started(rig)
    assert w.begin_stop()
    assert w.stop_done()  # deadline already past: killed (the fake dies of the SIGKILL wait)
    assert rig.procs[0].returncode == -9
    assert w.state == "stopped" and w.reason == "killed after shutdown timeout"
    assert rig.states() == ["stopping", "stopped"]


def test_a_shutdown_during_the_backoff_just_stops():
    rig = Rig(policy=RestartPolicy(backoff_base_sec=10.0, backoff_max_sec=10.0))
    w = started(rig)
    rig.procs[0].returncode = 1
    w.tick(0.0)
    w.tick(0.0)  # the first crash in a period restarts at once
    rig.procs[1].returncode = 1
    w.tick(1.0)
    assert w.state == "restarting" and w.next_start_at == 11.0  # the second waits the back-off
    assert w.begin_stop() is False
    w.tick(20.0)
    assert w.state == "stopped" and len(rig.procs) == 2
