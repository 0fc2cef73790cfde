"""The supervisor with real actor processes: start, crash, restart, intensity, shutdown."""

from __future__ import annotations

import os
import signal

import httpx
import msgspec
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.fixtures.node import HEADLESS_ACTORS, pid_alive, wait_for
from workbuoy.bus.client import Subscriber
from workbuoy.schemas.control import ActorStatus

pytestmark = pytest.mark.timeout(240)


def test_headless_node_starts_every_actor_but_ui(node):
    status = node.status()
    assert set(status.actors) == set(HEADLESS_ACTORS)
    assert all(a.state == "ready" and a.pid and a.restarts == 0 for a in status.actors.values())
    out = node.cli("status", "--json")
    assert out.returncode == 0, out.stderr
    import json

    parsed = json.loads(out.stdout)
    assert set(parsed["actors"]) == set(HEADLESS_ACTORS)
    assert {"pid", "state", "restarts"} <= set(parsed["actors"]["sync"])


def test_kill9_restarts_only_that_actor(node):
    before = node.actor_pids()
    os.kill(before["sync"], signal.SIGKILL)
    status = wait_for(lambda: (s := node.try_status()) and s.actors["sync"].state == "ready" and s.actors["sync"].pid != before["sync"] and s,
                      what="sync back")
    assert status.actors["sync"].restarts == 1
    for name in HEADLESS_ACTORS:
        if name != "sync":
            assert status.actors[name].pid == before[name]
            assert status.actors[name].restarts == 0


def test_a_crash_in_c_leaves_its_trace_after_the_restart(node):
    before = node.actor_pids()
    os.kill(before["plugins"], signal.SIGSEGV)  # what a crash inside Qt or SQLite looks like to the process
    wait_for(lambda: (s := node.try_status()) and s.actors["plugins"].state == "ready" and s.actors["plugins"].pid != before["plugins"],
             what="plugins back")
    trace = (node.data_dir / "logs" / "plugins.stderr").read_text()
    assert "Fatal Python error: Segmentation fault" in trace and "File " in trace


def test_restart_intensity_marks_actor_failed_and_node_lives(node):
    for _ in range(6):
        pid = wait_for(lambda: (s := node.try_status()) and s.actors["audit"].state == "ready" and s.actors["audit"].pid, what="audit up")
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: (s := node.try_status()) and s.actors["audit"].pid != pid, what="audit noticed dead")
    status = wait_for(lambda: (s := node.try_status()) and s.actors["audit"].state == "failed" and s, what="audit failed")
    assert "intensity" in status.actors["audit"].reason
    assert all(status.actors[n].state == "ready" for n in HEADLESS_ACTORS if n != "audit")


def test_restart_command_restarts_one_actor_through_stopping_and_counts_it_once(node):
    before = node.actor_pids()
    events = Subscriber(node.endpoints.events, ("wb:sup:actor", "wb:settings:changed"))
    try:
        wait_for(lambda: _published(node, events), 20, what="the event subscription")
        out = node.cli("restart", "queue")
        assert out.returncode == 0, out.stderr
        states = []
        for channel, e in events.events(30):
            if channel != "wb:sup:actor":
                continue
            status = msgspec.msgpack.decode(e.payload, type=ActorStatus)
            if status.name == "queue":
                states.append(status.state)
                if status.state == "ready":
                    break
    finally:
        events.close()
    assert states == ["stopping", "starting", "ready"]
    status = node.status()
    assert status.actors["queue"].restarts == 1 and status.actors["queue"].pid != before["queue"]
    assert status.actors["auth"].pid == before["auth"]
    assert _restarts_metric(node, "queue") == 1


def _published(node, events: Subscriber) -> bool:
    """Whether our subscription is live: an event we cause (a settings write) reaches it."""
    node.call("wb:updateSettings", {"syncIntervalSec": 300})
    return events.recv(0.5) is not None


def _restarts_metric(node, actor: str) -> float:
    text = httpx.get(node.status().metrics_url, timeout=10).text
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == "wb_desktop_actor_restarts_total" and s.labels.get("actor") == actor)


def test_sigterm_stops_in_reverse_start_order_and_leaves_no_child(node):
    pids = list(node.actor_pids().values())
    assert node.stop() == 0
    for pid in pids:
        wait_for(lambda: not pid_alive(pid), 30, what=f"{pid} gone")
    stopped_at = {}
    for name in HEADLESS_ACTORS:  # each actor logs "<name> stopping" when its SIGTERM arrives
        line = next(l for l in (node.data_dir / "logs" / f"{name}.log").read_text().splitlines() if l.endswith(f"{name} stopping"))
        stopped_at[name] = line.split()[0]
    assert sorted(stopped_at, key=stopped_at.get) == list(reversed(HEADLESS_ACTORS))


def test_sigkill_of_supervisor_takes_actors_down_within_5s(node):
    pids = list(node.actor_pids().values())
    node.proc.kill()
    node.proc.wait(10)
    for pid in pids:
        wait_for(lambda: not pid_alive(pid), 5, what=f"orphan {pid} gone")


def test_stop_command_stops_the_node(node):
    out = node.cli("stop")
    assert out.returncode == 0, out.stderr
    assert node.proc.wait(60) == 0


def test_one_supervisor_per_data_folder(node, node_factory):
    second = node_factory(data_dir=node.data_dir)
    out = second.cli("node")
    assert out.returncode == 1
    assert "already runs" in out.stderr
    out = second.cli("run", "workbuoy://deals/42")
    assert out.returncode == 1 and "no ui" in out.stderr  # a headless node has no UI to open it


def test_second_run_hands_deep_link_to_the_running_desktop(node_factory):
    desktop = node_factory(mode="run").start()
    out = desktop.cli("run", "workbuoy://deals/42")
    assert out.returncode == 0, out.stderr
    assert "handed" in out.stdout


def test_a_hung_actor_is_restarted_after_missed_heartbeats(node):
    before = node.actor_pids()
    os.kill(before["plugins"], signal.SIGSTOP)  # alive but silent: no exit code to notice
    status = wait_for(lambda: (s := node.try_status()) and s.actors["plugins"].state == "ready"
                      and s.actors["plugins"].pid != before["plugins"] and s, 60, what="plugins replaced")
    assert status.actors["plugins"].restarts == 1
    assert "missed heartbeats" in status.actors["plugins"].reason
    assert not pid_alive(before["plugins"])  # killed, not left stopped
    assert status.actors["sync"].pid == before["sync"]


def test_restart_backoff_doubles_up_to_its_cap():
    from workbuoy.supervisor.spec import RestartPolicy

    s = RestartPolicy(backoff_base_sec=0.1, backoff_max_sec=1.0)
    assert [s.backoff(n) for n in range(1, 7)] == [0.0, 0.1, 0.2, 0.4, 0.8, 1.0]
