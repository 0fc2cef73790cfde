"""The zygote: one preloaded process that forks actor processes (Linux), so they share its pages.

Every actor imports the same ~40 MB of modules (msgspec, pyzmq, apsw, httpx,
prometheus-client, our schemas, the actors' code). A fresh interpreter per actor holds
its own copy; a child forked from this process shares them copy-on-write. As in
Android's zygote or Chromium's, this process imports them once, then ``gc.freeze()``
moves every object to the permanent generation, so the collector's passes in the
children do not write to (and so copy) the shared pages.

It is forked from the supervisor once that imported all of this and before it read a
secret or its environment back (``supervisor/handoff.py``, ``run_forked``), or else
started by it (``python -m workbuoy.actors.zygote FD``); either way its environment is
built by ``childenv`` like any actor's, and it answers ``ForkRequest`` messages on its
unix socket. It never creates a ZeroMQ context, a thread, an event loop, a log file
or a metric: a fork copies only the forking thread, and a child must open its own
sockets, Sentry client and metric files. Each request comes with two descriptors, the
read end of the child's stdin pipe and its log file; the child gets them as fds 0, 1
and 2, its own session, the environment the request names, and then runs exactly what
``python -m workbuoy.actors NAME`` runs: it reads its ``SpawnSecrets`` from stdin,
which the supervisor writes only after the fork. The zygote never holds a secret.

The child is forked twice (the middle process exits at once), so it is re-parented to
the supervisor, which is a child subreaper (``platform.become_subreaper``): it is the
supervisor's child as a spawned actor is (``waitpid``, ``getppid``, ``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import gc
import importlib
import os
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import NoReturn

import msgspec

from workbuoy import api
from workbuoy.actors import __main__ as actor_main
from workbuoy.platform import current
from workbuoy.schemas.base import ACTOR_NAMES
from workbuoy.schemas.envelope import ForkReply, ForkRequest
from workbuoy.schemas.registry import CHANNELS, EVENTS

#: The actors that load Qt: preloaded only by a desktop node's zygote, as a headless node must never load Qt.
QT_ACTORS = ("ui", "portal")
#: The actors whose code every zygote preloads.
PRELOADED = tuple(name for name in ACTOR_NAMES if name not in QT_ACTORS)
#: What those actors import only once running: httpx's transport (anyio loads its backend, and sniffio, on the
#: first request), and the keyrings the auth actor opens.
LATER = ("httpcore", "h11", "anyio", "anyio._backends._asyncio", "sniffio", "certifi",
         "keyring.backends.SecretService", "keyrings.cryptfile.cryptfile")
#: The file keyring's cipher (Argon2 through cffi, pycryptodome's AES-GCM): imported at its first unlock,
#: preloaded only where that keyring is chosen, as a desktop's Secret Service never needs them.
FILE_KEYRING = ("argon2.low_level", "Crypto.Cipher.AES", "Crypto.Cipher._mode_gcm", "Crypto.Cipher._mode_ctr",
                "Crypto.Cipher._mode_ecb")
MAX_REQUEST_BYTES = 256 * 1024
READY = b"ready"
DESKTOP = "desktop"
REPARENT_WAIT_S = 5.0


def preload(*, qt: bool) -> None:
    """Import what the actors share, then freeze it all out of the collector's reach.

    ``qt``: a desktop node's zygote also imports the ui's and the portal's code (``import_qt``).
    """
    for name in PRELOADED:
        importlib.import_module(f"workbuoy.actors.{name}.actor")
    for module in (*LATER, *(FILE_KEYRING if os.environ.get("WB_KEYRING_BACKEND") == "file" else ())):
        importlib.import_module(module)
    api.tls_context()
    warm_schemas()
    if qt:
        import_qt()
    gc.collect()
    gc.freeze()


def import_qt() -> None:
    """The ui's and the portal's code, and so Qt's modules (no window, no ``QApplication``: the child makes those).

    Only a desktop node's zygote does this, so the two share its Python objects and the
    libraries' written pages; its start waits for the import.
    """
    for name in QT_ACTORS:
        importlib.import_module(f"workbuoy.actors.{name}.actor")


def warm_schemas() -> None:
    """Build msgspec's type information of every message now: built in each child, it would be private there."""
    for channel in CHANNELS.values():
        channel.decoder()
        msgspec.msgpack.Decoder(channel.reply)
    for event in EVENTS.values():
        msgspec.msgpack.Decoder(event.payload)


def serve(control: socket.socket) -> int:
    """Answer fork requests until the supervisor closes its end (or dies)."""
    decoder = msgspec.json.Decoder(ForkRequest)
    while True:
        data, fds, _flags, _addr = socket.recv_fds(control, MAX_REQUEST_BYTES, 2)
        if not data:
            return 0
        try:
            reply = fork(decoder.decode(data), fds, control) if len(fds) == 2 else ForkReply(error="expected 2 descriptors")
        except (msgspec.DecodeError, msgspec.ValidationError, OSError) as exc:
            reply = ForkReply(error=f"cannot fork: {exc}")
        finally:
            for fd in fds:
                os.close(fd)
        control.send(msgspec.json.encode(reply))


def fork(request: ForkRequest, fds: list[int], control: socket.socket) -> ForkReply:
    """Fork ``request.name`` twice over; the reply names the grandchild, already the supervisor's child."""
    if request.name not in ACTOR_NAMES:
        return ForkReply(error=f"no actor named {request.name!r}")
    if threading.active_count() != 1:  # a fork copies one thread: a lock another one held stays held
        return ForkReply(error="the zygote has a thread; it must not fork")
    sys.stdout.flush()
    sys.stderr.flush()
    r, w = os.pipe()
    middle = os.fork()
    if middle == 0:
        os.close(r)
        try:
            middle = os.getpid()  # read before the fork: once it exited, the child's getppid() is the supervisor
            pid = os.fork()
            if pid == 0:
                os.close(w)
                become_actor(request, fds, control, middle)
            os.write(w, pid.to_bytes(4, "little"))
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as pipe:
        got = pipe.read(4)
    os.waitpid(middle, 0)  # once it is gone, its child is the supervisor's
    return ForkReply(pid=int.from_bytes(got, "little")) if len(got) == 4 else ForkReply(error="the fork failed")


def become_actor(request: ForkRequest, fds: list[int], control: socket.socket, middle: int) -> NoReturn:
    """In the grandchild: the descriptors, session and environment of a spawned actor, then its main."""

    def actor() -> int:
        control.close()
        os.setsid()
        stdin, log = fds
        os.dup2(stdin, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(stdin)
        os.close(log)
        deadline = time.monotonic() + REPARENT_WAIT_S
        while os.getppid() == middle and time.monotonic() < deadline:  # the parent-death signal must name the supervisor
            time.sleep(0.0005)
        os.environ.clear()
        os.environ.update(request.environ)
        return actor_main.main([request.name])

    exit_with(actor)


def run_forked(control: socket.socket, log: int, environ: dict[str, str], *, qt: bool) -> NoReturn:
    """In a child the supervisor forked once it preloaded (``supervisor/handoff.py``): be the zygote.

    It keeps only its control socket and its log (the supervisor's lock, pipes and
    descriptors are closed), takes its own session and ``environ``, as a spawned zygote has.
    Qt (``qt``) is imported here, after the fork: the supervisor never loads it, and the
    pages the ui and the portal copy of it would otherwise stay the supervisor's alone.
    """

    def zygote() -> int:
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        for target, fd in ((0, null), (1, log), (2, log)):
            os.dup2(fd, target)
        os.closerange(3, control.fileno())
        os.closerange(control.fileno() + 1, os.sysconf("SC_OPEN_MAX"))
        os.environ.clear()
        os.environ.update(environ)
        current.die_with_parent()
        if qt:
            import_qt()
            gc.collect()
            gc.freeze()
        return announce_and_serve(control, "forked from the supervisor, ")

    exit_with(zygote)


def exit_with(body: Callable[[], int]) -> NoReturn:
    """End this forked child with what ``body`` returns: it must never return into its parent's code."""
    code = 1
    try:
        code = body()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def announce_and_serve(control: socket.socket, how: str = "") -> int:
    print(f"zygote ready: {how}{len(sys.modules)} modules preloaded", file=sys.stderr, flush=True)
    control.send(READY)
    return serve(control)


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2 or not argv[0].isdigit() or argv[1:] not in ([], [DESKTOP]):
        print(f"usage: python -m workbuoy.actors.zygote FD [{DESKTOP}] (started by the supervisor)", file=sys.stderr)
        return 2
    control = socket.socket(fileno=int(argv[0]))
    current.die_with_parent()
    preload(qt=argv[1:] == [DESKTOP])
    return announce_and_serve(control)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
