"""The platform layer on this OS (Linux), and the type check of the macOS and Windows modules.

Real processes and signals: a lock holder killed with -9, a supervisor killed with
-9 under a child that must follow it, a process group with a member that ignores SIGTERM.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.node import pid_alive, wait_for
from workbuoy.bus import runtime
from workbuoy.platform import current
from workbuoy.platform.errors import NotPrivate
from workbuoy.supervisor.lock import AlreadyRunning, InstanceLock

pytestmark = pytest.mark.linux_only
ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


@pytest.mark.parametrize("system", ["linux", "darwin", "win32"])
def test_mypy_checks_the_platform_layer_for_every_os(system, tmp_path):
    out = subprocess.run([PY, "-m", "mypy", "--platform", system, "--python-version", "3.11", "--strict",
                          "--follow-imports=silent", "--cache-dir", str(tmp_path), "workbuoy/platform/"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_typo_in_the_windows_module_would_fail_the_type_check(tmp_path):
    """The check above can fail: the same mypy run over a Windows module with a misspelt call."""
    (tmp_path / "pkg").mkdir()
    bad = (ROOT / "workbuoy/platform/win32.py").read_text().replace("msvcrt.LK_NBLCK", "msvcrt.LK_NBLOCK")
    (tmp_path / "pkg" / "win32.py").write_text(bad)
    out = subprocess.run([PY, "-m", "mypy", "--platform", "win32", "--strict", "--follow-imports=silent",
                          "--cache-dir", str(tmp_path / "cache"), str(tmp_path / "pkg" / "win32.py")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1 and "LK_NBLOCK" in out.stdout


OS_NAMES = re.compile(r"\bsys\.platform\b|\bos\.name\b|\bfcntl\b|\bgetuid\b|\bkillpg\b|\bprctl\b|ctypes\.CDLL|\bmsvcrt\b"
                      r"|\bwinreg\b|\bplatform\.system\(")


def test_nothing_outside_the_platform_layer_names_an_os():
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "workbuoy").rglob("*.py")
                 if "platform" not in p.relative_to(ROOT / "workbuoy").parts[:1]
                 for n, line in enumerate(p.read_text().splitlines(), 1) if OS_NAMES.search(line)]
    assert offenders == []


HOLD = "import sys; from pathlib import Path; from workbuoy.supervisor.lock import InstanceLock; " \
       "InstanceLock(Path(sys.argv[1])).acquire(); print('held', flush=True); sys.stdin.read()"


def test_the_instance_lock_has_one_holder_and_a_kill_9_frees_it(tmp_path):
    holder = subprocess.Popen([PY, "-c", HOLD, str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        lock = InstanceLock(tmp_path)
        assert lock.is_held()
        with pytest.raises(AlreadyRunning):
            lock.acquire()
        holder.kill()
        holder.wait(10)
        assert not lock.is_held()
        lock.acquire()
        assert (tmp_path / "supervisor.lock").read_text() == f"{os.getpid()}\n"
        lock.release()
    finally:
        holder.kill()
        holder.wait(10)


# A "supervisor" that spawns one child the way the watcher does and reports its pid.
SUPERVISOR = """
import subprocess, sys
from workbuoy.platform import current
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=subprocess.PIPE, **current.spawn_options())
current.adopt(child)
print(child.stdout.readline().decode().strip(), flush=True)
sys.stdin.read()
"""
ORPHAN = "import sys, time; from workbuoy.platform import current; current.die_with_parent(); " \
         "print('ready', flush=True); time.sleep(600)"


def test_a_child_dies_when_its_supervisor_is_killed_9():
    sup = subprocess.Popen([PY, "-c", SUPERVISOR, ORPHAN.replace("print('ready'", "import os; print(os.getpid()")],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
    assert sup.stdout is not None
    child = int(sup.stdout.readline())
    assert pid_alive(child)
    sup.kill()
    sup.wait(10)
    wait_for(lambda: not pid_alive(child), 20, what="the orphan to stop")


STUBBORN = ("import os, subprocess, sys, signal; "
            "g = subprocess.Popen([sys.executable, '-c', "
            "'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print(1, flush=True); time.sleep(600)'], "
            "stdout=subprocess.PIPE); g.stdout.readline(); print(g.pid, flush=True); signal.pause()")


def test_a_group_stop_reaches_grandchildren_and_force_ends_one_ignoring_sigterm():
    proc = subprocess.Popen([PY, "-c", STUBBORN], stdout=subprocess.PIPE, cwd=ROOT, **current.spawn_options())
    assert proc.stdout is not None
    grandchild = int(proc.stdout.readline())
    current.signal_group(proc, force=False)
    assert proc.wait(10) == -signal.SIGTERM
    assert pid_alive(grandchild)  # it ignores SIGTERM: only the forced stop ends it
    current.signal_group(proc, force=True)
    wait_for(lambda: not pid_alive(grandchild), 20, what="the grandchild to be killed")
    current.signal_group(proc, force=True)  # a group already gone is no error


def test_private_modes_are_tightened_and_links_are_left_alone(tmp_path):
    folder, file, target = tmp_path / "d", tmp_path / "d" / "f", tmp_path / "elsewhere"
    folder.mkdir(mode=0o755)
    file.write_text("x")
    os.chmod(file, 0o644)
    target.write_text("not ours to change")
    os.chmod(target, 0o644)
    (folder / "link").symlink_to(target)
    assert current.make_private(folder) and current.make_private(file) and not current.make_private(folder / "link")
    assert (folder.stat().st_mode & 0o777, file.stat().st_mode & 0o777, target.stat().st_mode & 0o777) == (0o700, 0o600, 0o644)
    assert not current.make_private(file)  # already private
    current.check_private(folder)


def test_a_runtime_folder_that_is_not_ours_alone_is_refused(tmp_path):
    wide, link = tmp_path / "wide", tmp_path / "link"
    wide.mkdir(mode=0o755)
    os.chmod(wide, 0o755)
    link.symlink_to(wide)
    with pytest.raises(NotPrivate, match="must be 700"):
        current.check_private(wide)
    with pytest.raises(NotPrivate, match="not a directory"):
        current.check_private(link)
    if os.geteuid() == 0:  # only root can hand a folder to another user
        os.chmod(wide, 0o700)
        os.chown(wide, 1, 1)
        with pytest.raises(NotPrivate, match="owned by uid 1"):
            current.check_private(wide)


def test_a_socket_path_longer_than_the_os_allows_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("WB_RUNTIME_DIR", str(tmp_path / ("r" * 80)))
    monkeypatch.delenv("WB_BUS_TRANSPORT", raising=False)
    with pytest.raises(runtime.RuntimeDirError, match=rf"allows {current.MAX_SOCKET_PATH}: set WB_RUNTIME_DIR"):
        runtime.prepare(tmp_path / "data")
    assert not (tmp_path / ("r" * 80)).exists()  # refused before anything was created


def test_autostart_writes_and_removes_the_xdg_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert not current.autostart_enabled()
    path = current.autostart_enable(["/opt/Work Buoy/bin/python", "-m", "workbuoy", "run", 'a"$b'])
    assert path == tmp_path / "autostart" / "workbuoy.desktop" and current.autostart_enabled()
    assert 'Exec="/opt/Work Buoy/bin/python" -m workbuoy run "a\\"\\$b"\n' in path.read_text()
    checked = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout
    current.autostart_disable()
    current.autostart_disable()  # twice is fine
    assert not current.autostart_enabled()
