"""Actors forked from the zygote (``actors/zygote.py``, ``supervisor/forkserver.py``) on Linux.

A forked actor must be what a spawned one is: the supervisor's child in its own
session, with its own secrets read from its own stdin, no descriptor or thread of the
zygote's, no other actor's secret anywhere in its memory; a killed one comes back
forked; a dead zygote is started again and actors are spawned meanwhile.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.node import Node, pid_alive, wait_for

pytestmark = [pytest.mark.timeout(240), pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the zygote is Linux only")]

ZYGOTE = b"workbuoy.actors.zygote"
SPAWNED = b"workbuoy.actors\x00"  # python -m workbuoy.actors NAME


def stat_fields(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(stat_fields(int(entry.name))[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def forked(pid: int) -> bool:
    """Whether ``pid`` was forked (from the supervisor, or from a spawned zygote) rather than spawned as an actor."""
    return SPAWNED not in cmdline(pid)


def zygote_of(node: Node) -> int | None:
    """The supervisor's child that runs the zygote and is no actor: forked from it, or spawned (``-m ZYGOTE``)."""
    assert node.proc is not None
    actors = set(node.actor_pids().values())
    found = [p for p in children(node.proc.pid) if p not in actors and pid_alive(p)
             and (ZYGOTE in cmdline(p) or cmdline(p) == cmdline(node.proc.pid))]
    return found[0] if found else None


def sockets(pid: int) -> set[str]:
    out = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:"):
            out.add(target)
    return out


def memory_holds(pid: int, needle: bytes) -> bool:
    """Whether ``needle`` is anywhere in the writable memory of ``pid`` (heap, stacks, anonymous maps)."""
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for line in maps:
            addresses, perms = line.split()[:2]
            if "w" not in perms or "r" not in perms:
                continue
            start, end = (int(a, 16) for a in addresses.split("-"))
            try:
                mem.seek(start)
                if needle in mem.read(end - start):
                    return True
            except (OSError, OverflowError, ValueError):
                continue
    return False


def ready_again(node: Node, actor: str, old: int) -> int:
    def back() -> int | None:
        a = node.status().actors[actor]
        return a.pid if a.state == "ready" and a.pid != old else None

    return wait_for(back, 60, what=f"{actor} ready again")


@pytest.fixture
def forked_node(node_factory) -> tuple[Node, str]:
    key = f"kk-{secrets.token_hex(12)}"
    node = node_factory(WB_ZYGOTE="1", WB_KEYRING_BACKEND="file", WB_KEYRING_KEY=key).start()
    return node, key


def test_every_actor_is_forked_a_child_of_the_supervisor_in_its_own_session(forked_node):
    node, _ = forked_node
    assert node.proc is not None
    zygote = wait_for(lambda: zygote_of(node), 30, what="the zygote")
    for name, pid in node.actor_pids().items():
        fields = stat_fields(pid)
        assert int(fields[1]) == node.proc.pid, f"{name} is not the supervisor's child"
        assert int(fields[3]) == pid, f"{name} does not lead its own session"
        assert forked(pid), f"{name} was spawned, not forked"
        assert os.readlink(f"/proc/{pid}/fd/0").startswith("pipe:"), f"{name}'s stdin is not its secrets pipe"
    stdins = {os.readlink(f"/proc/{pid}/fd/0") for pid in node.actor_pids().values()}
    assert len(stdins) == len(node.actor_pids()), "two actors share a secrets pipe"
    assert len(list(Path(f"/proc/{zygote}/task").iterdir())) == 1, "the zygote runs a thread"


def test_a_forked_actor_holds_no_secret_and_no_socket_of_the_zygote(forked_node):
    node, key = forked_node
    zygote = wait_for(lambda: zygote_of(node), 30, what="the zygote")
    control = sockets(zygote)
    assert len(control) == 1, f"the zygote holds more than its control socket: {control}"  # no ZeroMQ socket
    for name, pid in node.actor_pids().items():
        assert not sockets(pid) & control, f"{name} inherited the zygote's control socket"
        assert b"WB_KEYRING_KEY" not in Path(f"/proc/{pid}/environ").read_bytes()
        if name != "auth":
            assert not memory_holds(pid, key.encode()), f"{name} holds the auth actor's keyring key"
    assert not memory_holds(zygote, key.encode()), "the zygote holds the keyring key"
    assert memory_holds(node.actor_pids()["auth"], key.encode()), "the scan cannot find what is there"


def test_the_zygote_is_forked_from_the_supervisor_which_held_no_secret_nor_the_users_environment_yet(node_factory):
    """The supervisor re-executes clean, forks the zygote, then reads its environment back (``handoff.py``)."""
    key, token = f"kk-{secrets.token_hex(12)}", f"tok-{secrets.token_hex(12)}"
    node = node_factory(WB_ZYGOTE="1", WB_KEYRING_BACKEND="file", WB_KEYRING_KEY=key, UNRELATED_TOKEN=token,
                        NOT_UTF8="caf\udce9").start()  # an environment value that is not UTF-8 goes through too
    assert node.proc is not None
    zygote = wait_for(lambda: zygote_of(node), 30, what="the zygote")
    assert cmdline(zygote) == cmdline(node.proc.pid), "the zygote was spawned, not forked from the supervisor"
    for secret in (key, token):
        assert not memory_holds(zygote, secret.encode()), "the zygote holds what the supervisor read back after it"
        assert secret.encode() not in Path(f"/proc/{node.proc.pid}/environ").read_bytes()
    assert memory_holds(node.proc.pid, token.encode()), "the supervisor lost its environment"
    assert memory_holds(node.proc.pid, b"NOT_UTF8=caf\xe9"), "the supervisor lost a value that is not UTF-8"
    assert memory_holds(node.actor_pids()["auth"], key.encode()), "the keyring key did not reach the auth actor"
    fds = list(Path(f"/proc/{zygote}/fd").iterdir())  # stdin, its log twice, its control socket
    assert len(fds) == 4 and len(sockets(zygote)) == 1, "the zygote keeps a descriptor of the supervisor's (lock, pipe)"


def test_a_handoff_variable_set_by_hand_does_not_fork_the_zygote_from_the_users_environment(node_factory):
    key = f"kk-{secrets.token_hex(12)}"
    node = node_factory(WB_ZYGOTE="1", WB_KEYRING_BACKEND="file", WB_KEYRING_KEY=key, WB_HANDOFF_FD="0").start()
    zygote = wait_for(lambda: zygote_of(node), 30, what="the zygote")
    assert not memory_holds(zygote, key.encode()), "the zygote was forked from an image that held the keyring key"


def test_a_variable_a_launcher_adds_at_start_does_not_make_the_supervisor_re_execute_again():
    """PyInstaller's bootloader adds ``LD_LIBRARY_PATH`` at every start, the re-executed image's
    too: that image must not re-execute again (forever), nor fork the zygote from a
    environment that is not the zygote's alone; it spawns it and reads its environment back."""
    from workbuoy.supervisor.childenv import child_environ

    root = Path(__file__).resolve().parents[1]
    environ = {**child_environ("zygote"), "PYTHONPATH": str(root), "WB_HANDOFF_FD": "0", "LD_LIBRARY_PATH": "/opt/bundle"}
    probe = "from workbuoy.supervisor import handoff; print(handoff.wanted(True), handoff.pending(), handoff.clean())"
    out = subprocess.run([sys.executable, "-c", probe], env=environ, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["False", "True", "False"], out.stderr
    del environ["LD_LIBRARY_PATH"]
    out = subprocess.run([sys.executable, "-c", probe], env=environ, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["False", "True", "True"], out.stderr


def test_an_actor_killed_9_comes_back_forked(forked_node):
    node, _ = forked_node
    assert node.proc is not None
    old = node.actor_pids()["sync"]
    os.kill(old, signal.SIGKILL)
    new = ready_again(node, "sync", old)
    assert forked(new) and int(stat_fields(new)[1]) == node.proc.pid


def test_a_dead_zygote_is_started_again_and_actors_are_spawned_meanwhile(forked_node):
    node, _ = forked_node
    first = wait_for(lambda: zygote_of(node), 30, what="the zygote")
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: not pid_alive(first), 30, what="the zygote to die")
    old = node.actor_pids()["queue"]
    os.kill(old, signal.SIGKILL)
    spawned = ready_again(node, "queue", old)
    assert re.search(rb"workbuoy\.actors\x00queue", cmdline(spawned)), "restarted without the zygote: spawned"
    second = wait_for(lambda: zygote_of(node), 30, what="a new zygote")
    assert second != first
    log = node.data_dir / "logs" / "zygote.stderr"
    wait_for(lambda: log.read_text().count("zygote ready") == 2, 60, what="the new zygote's imports")
    old = node.actor_pids()["audit"]
    os.kill(old, signal.SIGKILL)
    assert forked(ready_again(node, "audit", old)), "the new zygote forks again"


def test_a_zygote_that_stopped_answering_is_replaced_not_left_to_answer_late(forked_node):
    """SIGSTOP: the fork times out and the actor is spawned; the late reply must not poison the next fork."""
    node, _ = forked_node
    stopped = wait_for(lambda: zygote_of(node), 30, what="the zygote")
    os.kill(stopped, signal.SIGSTOP)
    try:
        old = node.actor_pids()["audit"]
        os.kill(old, signal.SIGKILL)
        assert re.search(rb"workbuoy\.actors\x00audit", cmdline(ready_again(node, "audit", old)))
    finally:
        if pid_alive(stopped):
            os.kill(stopped, signal.SIGCONT)
    log = node.data_dir / "logs" / "zygote.stderr"
    wait_for(lambda: log.read_text().count("zygote ready") == 2, 60, what="a new zygote's imports")
    assert not pid_alive(stopped), "the zygote that failed a fork is still running"
    for actor in ("plugins", "queue"):
        old = node.actor_pids()[actor]
        os.kill(old, signal.SIGKILL)
        assert forked(ready_again(node, actor, old)), f"{actor} was spawned: the new zygote does not fork"


def test_the_zygote_and_its_actors_die_with_the_supervisor(forked_node):
    node, _ = forked_node
    assert node.proc is not None
    pids = [wait_for(lambda: zygote_of(node), 30, what="the zygote"), *node.actor_pids().values()]
    node.proc.kill()
    node.proc.wait(10)
    for pid in pids:
        wait_for(lambda: not pid_alive(pid), 20, what=f"{pid} to exit")


def test_wb_zygote_0_spawns_every_actor(node_factory):
    node = node_factory(WB_ZYGOTE="0").start()
    assert zygote_of(node) is None
    for name, pid in node.actor_pids().items():
        assert re.search(rb"workbuoy\.actors\x00" + name.encode(), cmdline(pid))


def loads_qt(pid: int) -> bool:
    return "libQt6Core" in Path(f"/proc/{pid}/maps").read_text()


def test_only_a_desktop_nodes_zygote_preloads_qt_and_it_forks_the_ui_and_the_portal(forked_node, node_factory):
    headless, _ = forked_node
    zygote = wait_for(lambda: zygote_of(headless), 30, what="the headless node's zygote")
    assert not loads_qt(zygote), "a headless node's zygote loaded Qt"
    desktop = node_factory("run", WB_ZYGOTE="1", QT_QPA_PLATFORM="offscreen").start()
    zygote = wait_for(lambda: zygote_of(desktop), 30, what="the desktop node's zygote")
    assert loads_qt(zygote)
    assert desktop.proc is not None and not loads_qt(desktop.proc.pid), "the supervisor loaded Qt: its pages are its own"
    assert len(list(Path(f"/proc/{zygote}/task").iterdir())) == 1, "importing Qt started a thread in the zygote"
    for name in ("ui", "portal"):
        assert forked(desktop.actor_pids()[name]), f"{name} was spawned, not forked"


@pytest.mark.parametrize("module", ["workbuoy.actors", "workbuoy.actors.zygote", "workbuoy.store.indexbuild"])
def test_a_bundle_dispatches_the_programs_it_spawns(module: str):
    """A PyInstaller bundle has no ``python``: ``<bundle> -m MODULE ...`` goes through its launcher
    (each program's own usage error, not the CLI's)."""
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, str(root / "deploy" / "bundle_launcher.py"), "-m", module],
                         cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and f"usage: python -m {module} " in out.stderr, out.stderr
