"""The supervisor's updater: checks in a worker thread, applies between loop ticks.

The loop never waits on the network: ``check()`` hands the work to one thread and
answers at once; ``tick()`` (every loop turn) starts periodic checks, publishes state
changes and says when the supervisor should stop its actors, either to restart into
a staged version or to roll back a version whose actors were not all ready within
``WB_UPDATE_ROLLBACK_SEC``. ``after_stop()`` then swaps folders and re-executes the
supervisor in the same process (the pid systemd or the user's terminal knows).
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from packaging.version import Version

from workbuoy import __version__, metrics
from workbuoy import logs as wblog
from workbuoy.bus.errors import BusError
from workbuoy.config import Env
from workbuoy.schemas.update import UpdateStatus
from workbuoy.update import install
from workbuoy.update.state import Pending, UpdateFiles, UpdateRefused, shipped_root

if TYPE_CHECKING:
    from workbuoy.update import trust

log = wblog.create("supervisor.update")
FIRST_CHECK_SEC = 60.0
#: A headless node restarts into a verified update this long after it is staged, so that
#: whoever asked (``workbuoy update check``, a status line) sees it ``ready`` first.
AUTO_APPLY_AFTER_SEC = 2.0
QUIET_RESULTS = frozenset({"up_to_date"})  # counted and logged, not audited


class UpdateService:
    def __init__(self, env: Env, *, interval_min: float, desktop: bool, publish: Callable[[UpdateStatus], None],
                 restart_environ: Mapping[str, str] | None = None) -> None:
        """``restart_environ``: what the re-executed supervisor needs beside this process's
        environment, i.e. what the supervisor took out of it (the keyring key it was given)."""
        self.env = env
        self._restart_environ = dict(restart_environ or {})
        self.files = UpdateFiles(env.data_dir / "update")
        self.current = Version(__version__)
        self.auto_apply = env.update_auto and not desktop  # the desktop asks the user (tray) first
        self._publish = publish
        self._lock = threading.Lock()
        self._status = UpdateStatus(current=__version__, channel=env.update_channel, auto=self.auto_apply)
        self._published: UpdateStatus | None = None
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="updater")
        self._job: Future | None = None
        self._staged: tuple[Path, str] | None = None
        self._staged_at = 0.0
        self._apply_requested = False
        self._after_stop: Callable[[], None] | None = None
        self._interval = interval_min * 60
        self._next_check = time.monotonic() + min(self._interval, FIRST_CHECK_SEC) if self._interval else float("inf")
        self._pending = self._take_pending()
        self._deadline = time.monotonic() + env.update_rollback_sec if self._pending else None
        self._count_outcomes()

    def set_interval(self, minutes: float) -> None:
        """The ``updateIntervalMin`` setting changed: the next periodic check is that far from now (0: none)."""
        self._interval = minutes * 60
        self._next_check = time.monotonic() + self._interval if self._interval else float("inf")

    # -- requests from the bus (loop thread) -------------------------------------

    def status(self) -> UpdateStatus:
        with self._lock:
            return self._status

    def check(self) -> UpdateStatus:
        if self._job is None or self._job.done():
            self._set(phase="checking", checking=True, reason="", detail="", downloaded_bytes=0)
            self._job = self._pool.submit(self._check_job)
        return self.status()

    def apply(self) -> UpdateStatus:
        if self._staged is None:
            raise BusError("unavailable", "no verified update is ready: run `workbuoy update check` first")
        self._apply_requested = True
        return self.status()

    # -- the loop ----------------------------------------------------------------

    def tick(self, now: float) -> str | None:
        """Publish changes; return a stop reason when the supervisor should stop for an update."""
        status = self.status()
        if status != self._published:
            self._published = status
            self._publish(status)
        if self._after_stop is not None:
            return None
        if self._deadline is not None and now > self._deadline:
            self._after_stop = self._roll_back
            return f"update to {__version__} rolled back: not all actors ready within {self.env.update_rollback_sec:g}s"
        auto = self.auto_apply and now >= self._staged_at + AUTO_APPLY_AFTER_SEC
        if self._staged is not None and (auto or self._apply_requested):
            self._after_stop = self._swap_in
            return f"restarting into version {self._staged[1]}"
        if now >= self._next_check:
            self._next_check = now + self._interval
            self.check()
        return None

    def all_ready(self) -> None:
        """Every actor of this version is ready: an update that brought us here is kept."""
        if self._pending is None or self._deadline is None:
            return
        self._deadline = None
        shutil.rmtree(self._pending.backup, ignore_errors=True)
        self.files.set_pending(None)
        self._record("applied", f"updated from {self._pending.previous} to {__version__}", phase="applied", version=__version__)

    def after_stop(self) -> None:
        """Actors are stopped and the bus is closed: swap, then become the new process."""
        if self._after_stop is None:
            return
        try:
            self._after_stop()
        except OSError as exc:
            log.exception("update: the folder swap failed (%s); restarting the installed version", exc)
            self._record("failed", f"folder swap failed: {exc}")
        log.info("update: re-executing %s", " ".join(sys.orig_argv))
        os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], {**os.environ, **self._restart_environ})

    def cancel_restart(self, reason: str) -> None:
        if self._after_stop is not None:
            log.warning("update restart cancelled: %s", reason)
            self._after_stop = None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- the check (worker thread) -----------------------------------------------

    def _check_job(self) -> None:
        try:
            verified = self._verify()
            if verified is None:
                return
            install.check_installable(__version__)
            staged = install.stage(verified.path, str(verified.version))
            self._staged_at = time.monotonic()
            self._staged = (staged, str(verified.version))
            self._record("ready", f"{verified.version} verified and staged", phase="ready", version=str(verified.version))
        except UpdateRefused as exc:
            if exc.reason == "not_installable":
                self._record("available", str(exc), phase="available")
            else:
                self._record(exc.reason, str(exc), phase="refused")
        except Exception as exc:  # a bug or an OS error: report it, keep running this version
            log.exception("update check failed")
            self._record("failed", f"{type(exc).__name__}: {exc}", phase="failed")
        finally:
            self._set(checking=False, checked_at=time.time())

    def _verify(self) -> trust.Verified | None:
        """Fetch the feed, choose, verify with TUF. httpx and tuf (~20 MiB) are imported here, at the
        first check, not with the supervisor: a build that ships no root never loads them (``bench/memory.py``)."""
        root = shipped_root()
        if root is None:
            raise UpdateRefused("no_root", "this build ships no update root (workbuoy/update/root.json): updates are off")
        import httpx

        from workbuoy.update import feed, trust

        with httpx.Client(timeout=30.0) as client:
            releases = feed.fetch(client, self.env.update_feed_url)
            chosen = feed.choose(releases, self.env.update_channel)
            if chosen is None or chosen.version <= self.current:
                self._record("up_to_date", f"{__version__} is the newest on {self.env.update_channel}", phase="up_to_date")
                return None
            if str(chosen.version) in self.files.outcome().rolled_back:
                self._record("up_to_date", f"{chosen.version} was rolled back here; waiting for a newer one", phase="up_to_date")
                return None
            self._set(version=str(chosen.version))
            return trust.verify(client, releases, chosen, metadata_dir=self.files.metadata, staging=self.files.downloads,
                                root=root, current=self.current, progress=lambda _n, size: self._set(downloaded_bytes=size))

    # -- applying and rolling back (loop thread, actors stopped) -----------------

    def _swap_in(self) -> None:
        staged, version = self._staged
        backup = install.swap_in(install.site_dir(), staged, __version__, version)
        self.files.set_pending(Pending(previous=__version__, version=version, site=str(install.site_dir()), backup=str(backup)))
        self._audit("update.restarting", {"from": __version__, "to": version})

    def _roll_back(self) -> None:
        p = self._pending
        install.swap_back(Path(p.site), Path(p.backup), p.version)
        self.files.set_pending(None)
        outcome = self.files.outcome()
        detail = f"{p.version}: not all actors ready within {self.env.update_rollback_sec:g}s; back to {p.previous}"
        self.files.set_outcome(msgspec.structs.replace(
            outcome, rolled_back=[*outcome.rolled_back, p.version], uncounted=[*outcome.uncounted, "rolled_back"],
            last_result="rolled_back", last_detail=detail))
        log.error("update rolled back: %s", detail)
        self._audit("update.rolled_back", {"from": p.previous, "to": p.version, "detail": detail})

    # -- bookkeeping -------------------------------------------------------------

    def _take_pending(self) -> Pending | None:
        """A swap brought us here: guard this version, unless the swap did not take."""
        pending = self.files.pending()
        if pending is not None and pending.version != __version__:
            self.files.set_pending(None)
            log.error("update to %s did not take (running %s)", pending.version, __version__)
            return None
        return pending

    def _count_outcomes(self) -> None:
        outcome = self.files.outcome()
        if outcome.last_result:
            self._set(phase=outcome.last_result, detail=outcome.last_detail)
        if outcome.uncounted:
            for result in outcome.uncounted:
                metrics.updates.labels(result).inc()
            self.files.set_outcome(msgspec.structs.replace(outcome, uncounted=[], last_result="", last_detail=""))

    def _record(self, result: str, detail: str, **fields) -> None:
        metrics.updates.labels(result).inc()
        (log.info if result in QUIET_RESULTS or result in ("ready", "applied") else log.warning)("update %s: %s", result, detail)
        if result not in QUIET_RESULTS:
            self._audit(f"update.{result}", {"current": __version__, "detail": detail[:500]})
        self._set(reason="" if result in ("ready", "applied", "up_to_date", "available") else result, detail=detail[:1000], **fields)

    def _set(self, **fields) -> None:
        with self._lock:
            self._status = msgspec.structs.replace(self._status, **fields)

    def _audit(self, event: str, payload: dict) -> None:
        """Straight into the audit outbox (the store is shared); the audit actor delivers it."""
        from workbuoy.store import Store

        try:
            store = Store.open(self.env.db_path)
            try:
                store.audit_enqueue(event, {"actor": "supervisor", "at": int(time.time() * 1000), "data": payload})
            finally:
                store.close()
        except Exception:  # an audit outage must not stop an update or a rollback
            log.exception("audit record %s not written", event)
