"""``workbuoy run [workbuoy:…]``: take the data folder's lock and supervise every actor, the UI included.

A second ``run`` with a deep link hands the link to the running node instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from workbuoy import config, private
from workbuoy.bus import runtime
from workbuoy.cli.common import call, die, env

if TYPE_CHECKING:
    from workbuoy.supervisor.forkserver import ForkServer


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", nargs="?", help="a workbuoy: deep link to open (handed to a running node)")


def run(args: argparse.Namespace) -> int:
    return start(getattr(args, "url", None), desktop=True)


def start(url: str | None, *, desktop: bool) -> int:
    """Lock the data folder, prepare the runtime folder and supervise; ``node`` is this without the UI.

    On Linux this runs twice in one process: first to re-execute in the zygote's
    environment (``supervisor/handoff.py``), then, in that image, to fork the zygote
    before the rest of the environment is read back.
    """
    from workbuoy.supervisor import handoff
    from workbuoy.supervisor.lock import AlreadyRunning, InstanceLock

    settings = env()
    if url and not url.startswith("workbuoy:"):
        die(f"{url!r} is not a workbuoy: link")
    if handoff.wanted(settings.zygote):
        handoff.reexec(["run", *([url] if url else [])] if desktop else ["node"])  # returns only if it cannot
    lock = InstanceLock(settings.data_dir)
    try:
        lock.acquire()
    except OSError as exc:
        die(f"cannot use the data folder {settings.data_dir}: {exc.strerror or exc}")
    except AlreadyRunning as exc:
        if url:
            call(settings, "wb:sup:deeplink", {"url": url})
            print(f"handed {url} to the running WorkBuoy")
            return 0
        die(str(exc), 1)
    try:
        endpoints = runtime.prepare(settings.data_dir)
    except runtime.RuntimeDirError as exc:
        die(f"refusing to start: {exc}")
    zygote = _zygote(settings, endpoints, desktop)
    if handoff.pending():
        handoff.restore()  # only now that the zygote is forked: it never held this environment
        settings = env()  # with what the zygote's environment leaves out (the keyring key among them)
    return _supervise(settings, endpoints, desktop, zygote, url)


def _zygote(settings: config.Env, endpoints: runtime.Endpoints, desktop: bool) -> ForkServer | None:
    """The zygote, forked from here if this image was re-executed clean, else spawned (or none: ``WB_ZYGOTE=0``)."""
    from workbuoy import metrics
    from workbuoy.supervisor import handoff
    from workbuoy.supervisor.forkserver import ForkServer, use_zygote

    metrics.prepare(endpoints.folder / "metrics")  # before any metric is touched (the zygote inherits the folder)
    if handoff.pending():  # what the supervisor imports, imported before the fork: shared with the zygote
        import workbuoy.supervisor.arbiter  # noqa: F401
    if not use_zygote(settings.zygote):
        return None
    return ForkServer(settings.log_dir, desktop=desktop, here=handoff.clean())


def _supervise(env: config.Env, endpoints: runtime.Endpoints, desktop: bool, zygote: ForkServer | None,
               url: str | None = None) -> int:
    from workbuoy import crash, metrics
    from workbuoy import logs as wblog
    from workbuoy.supervisor.arbiter import Arbiter
    from workbuoy.supervisor.spec import DESKTOP, HEADLESS

    wblog.setup("supervisor", env)
    crash.init("supervisor", env)
    try:
        private.secure(env.data_dir)
    except private.NotPrivate as exc:
        die(f"refusing to start: {exc}")
    _recover_cache(env)
    arbiter = Arbiter(env, endpoints, DESKTOP if desktop else HEADLESS, zygote=zygote)
    if url:
        arbiter.open_when_ready(url)  # a cold start by a deep link: opened once the ui is ready
    try:
        server = metrics.serve(env.metrics_port)
        arbiter.metrics_url = f"http://127.0.0.1:{server.server_address[1]}/metrics"
    except OSError as exc:
        print(f"workbuoy: metrics disabled, port {env.metrics_port} is unavailable: {exc}", file=sys.stderr)
    print(f"workbuoy {'desktop' if desktop else 'headless node'} starting (data: {env.data_dir}, pid {os.getpid()})", flush=True)
    return arbiter.run()


def _recover_cache(env: config.Env) -> None:
    """Before any actor opens the store: a damaged cache is moved aside and pulled again; the outbox stays."""
    from workbuoy.store.files import recover_cache

    if (aside := recover_cache(env.db_path)) is not None:
        print(f"workbuoy: the local cache was damaged; moved it to {aside.name}, the next sync pulls it again "
              "(queued writes are kept)", flush=True)
