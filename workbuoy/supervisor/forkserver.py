"""The supervisor's side of the zygote (``actors/zygote.py``): actors forked from a preloaded process.

``ForkServer.spawn`` has the signature of ``watcher.spawn_actor`` and the same
result for the watcher: a child of the supervisor, in its own session, reading its
``SpawnSecrets`` from a pipe on its stdin (written here, after the fork, so the zygote
never holds them), with an environment built by ``childenv`` for that actor. Where the
zygote cannot serve (an OS without fork or without a child subreaper, ``WB_ZYGOTE=0``,
the zygote still importing or dead) it spawns a fresh interpreter instead, and a dead
zygote is started again for the next spawn.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import msgspec

from workbuoy import logs as wblog
from workbuoy.platform import current
from workbuoy.schemas.envelope import ForkReply, ForkRequest, SpawnSecrets
from workbuoy.supervisor.childenv import child_environ
from workbuoy.supervisor.watcher import spawn_actor

log = wblog.create("supervisor.zygote")

#: How long the first spawn waits for the zygote's imports; later spawns do not wait (they spawn instead).
FIRST_READY_S = 20.0
REPLY_S = 5.0


class Forked:
    """A forked actor (or zygote), as the watcher sees a ``Popen``: the supervisor is its parent (a subreaper)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere: it is gone all the same
                self.returncode = -1
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"actor {self.pid}", timeout or 0.0)
            time.sleep(0.005)
        return code


class ForkServer:
    def __init__(self, log_dir: Path, *, desktop: bool = False, here: bool = False) -> None:
        """``desktop``: the zygote preloads Qt too (``actors/zygote.py``); a headless node's never does.

        ``here``: the first zygote is forked from this process, which preloads for it
        (``supervisor/handoff.py`` says when that is safe); one started again is spawned.
        """
        self.log_dir = log_dir
        self.desktop = desktop
        self.proc: subprocess.Popen[bytes] | Forked | None = None
        self._control: socket.socket | None = None
        self._ready = False
        self._waited = False
        self.forked = 0
        self.spawned = 0
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._fork_here() if here else self._start()

    # -- the zygote process ---------------------------------------------------------

    def _start(self) -> None:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with open(self.log_dir / "zygote.stderr", "ab") as err, theirs:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "workbuoy.actors.zygote", str(theirs.fileno()), *(["desktop"] if self.desktop else [])],
                env=child_environ("zygote"), stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                pass_fds=(theirs.fileno(),), start_new_session=True,
            )
        self._control, self._ready = mine, False

    def _fork_here(self) -> None:
        """Preload and freeze here, then fork the zygote: it shares this process's pages, we share its.

        An actor's code that fails to import (a broken release) must not stop the supervisor,
        which rolls such a release back: the zygote is spawned instead, and fails in its place.
        """
        try:
            from workbuoy.actors import zygote

            zygote.preload(qt=False)  # Qt: in the zygote only, after the fork
        except Exception:
            log.exception("the actors' code cannot be preloaded here: spawning the zygote instead")
            self._start()
            return
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with open(self.log_dir / "zygote.stderr", "ab") as err, theirs:
            environ = child_environ("zygote")
            sys.stdout.flush()  # or what is buffered here is written again by the zygote
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                mine.close()
                zygote.run_forked(theirs, err.fileno(), environ, qt=self.desktop)
        self.proc, self._control, self._ready = Forked(pid), mine, False

    def _usable(self) -> bool:
        """Whether the zygote can fork now; a dead one is restarted (for the next spawn) and says no."""
        if self.proc is None or self._control is None:
            return False
        if self.proc.poll() is not None:
            log.warning("the zygote exited with %s: starting it again; spawning meanwhile", self.proc.returncode)
            self._replace()
            return False
        if not self._ready:
            wait = 0.0 if self._waited else FIRST_READY_S
            self._waited = True
            if select.select([self._control], [], [], wait)[0]:
                self._ready = self._control.recv(16) == b"ready"
        return self._ready

    def _replace(self) -> None:
        """Kill the zygote and start another, which forks once it has imported.

        Also for a live zygote that failed a request: one that was stopped or slow answers
        late, and its stale reply would be read as the answer to the next request (or as
        its "ready"), so the channel cannot be trusted again.
        """
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        self.close()
        self._start()

    @property
    def pid(self) -> int:
        """The zygote's pid (0 when there is none)."""
        return self.proc.pid if self.proc is not None else 0

    def close(self) -> None:
        """Close the control socket (the zygote exits on its end of file) and reap it."""
        if self._control is not None:
            self._control.close()
            self._control = None
        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(2)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(5)
            self.proc = None

    # -- spawning -----------------------------------------------------------------

    def spawn(self, name: str, given: SpawnSecrets) -> Forked | subprocess.Popen[bytes]:
        if self._usable():
            try:
                return self._fork(name, given)
            except (OSError, RuntimeError) as exc:
                log.warning("the zygote could not fork %s (%s): spawning it instead, and a new zygote", name, exc)
                self._replace()
        self.spawned += 1
        return spawn_actor(name, given, log_dir=self.log_dir)

    def _fork(self, name: str, given: SpawnSecrets) -> Forked:
        assert self._control is not None
        read_end, write_end = os.pipe()
        try:
            with open(self.log_dir / f"{name}.stderr", "ab") as err:
                request = msgspec.json.encode(ForkRequest(name=name, environ=child_environ(name)))
                socket.send_fds(self._control, [request], [read_end, err.fileno()])
            os.close(read_end)
            read_end = -1
            if not select.select([self._control], [], [], REPLY_S)[0]:
                raise RuntimeError("no reply")
            reply = msgspec.json.decode(self._control.recv(4096), type=ForkReply)
            if not reply.pid:
                raise RuntimeError(reply.error or "no pid")
            with contextlib.suppress(BrokenPipeError):  # it died at once: tick() sees the exit and restarts it
                os.write(write_end, msgspec.json.encode(given))  # a few hundred bytes: the pipe takes them at once
        finally:
            if read_end >= 0:
                os.close(read_end)
            os.close(write_end)
        self.forked += 1
        return Forked(reply.pid)


def reap_strays(known: set[int]) -> None:
    """Reap ended processes re-parented to us (an actor's helper outliving it) that are none of ours.

    As a subreaper the supervisor inherits every orphan below it. Only a process in
    another session than ours is reaped here (an actor runs in its own), so a
    ``subprocess.run`` of the supervisor's never loses its child's exit status.
    """
    while True:
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return
        if info is None or info.si_pid in known or _session(info.si_pid) in (os.getsid(0), None):
            return
        with contextlib.suppress(ChildProcessError):
            os.waitpid(info.si_pid, 0)


def _session(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()[3])
    except (OSError, IndexError, ValueError):
        return None


def use_zygote(enabled: bool) -> bool:
    """Whether actors are forked here: the OS can (``platform.FORK_ACTORS``), ``WB_ZYGOTE`` is on, we are a subreaper."""
    return enabled and current.FORK_ACTORS and current.become_subreaper()
