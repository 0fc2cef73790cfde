"""What every adapter is given (``Context``) and what it must provide (``Adapter``).

An adapter reaches the cache and the disk only through its ``Context``, which grants
what its signed manifest lists (``cache.read:<entity>``, ``exports.write``) and
nothing else: a permission the manifest does not name fails the run.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import msgspec

from workbuoy.schemas.plugins import PluginHealth
from workbuoy.store import OrgError, Store
from workbuoy.store.db import now_ms

PAGE = 500


class AdapterError(Exception):
    """A run that cannot do its work; the message becomes the health detail."""


class Context:
    def __init__(self, store: Store, out_dir: Path, permissions: frozenset[str] = frozenset()) -> None:
        self.store = store
        self.out_dir = out_dir
        #: Set from the verified manifest (``Slot.check``); empty while it does not verify.
        self.permissions = permissions

    def _need(self, permission: str) -> None:
        if permission not in self.permissions:
            raise AdapterError(f"the manifest does not grant {permission}")

    def org(self) -> str:
        """The active org, as every actor resolves it (``Store.resolve_org``)."""
        try:
            return self.store.resolve_org()
        except OrgError as exc:
            raise AdapterError(f"no active org: {exc}") from None

    def rows(self, entity: str, org: str) -> list[dict[str, Any]]:
        """Every cached row of ``entity`` in ``org``, newest first."""
        self._need(f"cache.read:{entity}")
        rows, cursor = [], None
        while True:
            page, cursor = self.store.list_rows(entity, org_id=org, limit=PAGE, cursor=cursor)
            rows.extend(row.payload for row in page)
            if cursor is None:
                return rows

    def write(self, name: str, text: str) -> Path:
        """Replace ``<out_dir>/<name>`` atomically: a reader sees the old file or the new one."""
        self._need("exports.write")
        self.out_dir.mkdir(parents=True, exist_ok=True)
        target = self.out_dir / name
        fd, tmp = tempfile.mkstemp(dir=self.out_dir, prefix=f".{name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
        return target

    def output_problem(self) -> str | None:
        """Why exports cannot be written now (``None`` if they can)."""
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return f"cannot create {self.out_dir}: {exc.strerror}"
        return None if os.access(self.out_dir, os.W_OK) else f"{self.out_dir} is not writable"


def slug(org: str) -> str:
    """``org`` as a safe file name part on every platform."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", org)


def utc(ms: int, fmt: str = "%Y-%m-%dT%H:%M:%SZ") -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime(fmt)


class LastRun(msgspec.Struct, frozen=True):
    at: int
    ok: bool
    detail: str


class Adapter(ABC):
    """A statically registered integration; the actor calls ``run`` on enable and every ``period_sec``."""

    id: ClassVar[str]
    period_sec: ClassVar[float] = 300.0

    def __init__(self, ctx: Context, log: logging.Logger) -> None:
        self.ctx = ctx
        self.log = log
        self.last: LastRun | None = None
        self._lock = threading.Lock()  # a timer run and an on-demand run never write at once

    @abstractmethod
    def work(self) -> str:
        """Do one run from the cache; return a one-line summary of what was written."""

    def run(self) -> LastRun:
        """``work`` once (in a worker thread), remembering the outcome for ``health``."""
        with self._lock:
            started = now_ms()
            try:
                self.last = LastRun(started, True, self.work())
            except Exception as exc:
                self.log.warning("%s: run failed", self.id, exc_info=not isinstance(exc, (AdapterError, OSError)))
                self.last = LastRun(started, False, str(exc) or type(exc).__name__)
            return self.last

    def health(self) -> PluginHealth:
        if problem := self.ctx.output_problem():
            return PluginHealth(id=self.id, status="down", detail=problem)
        if self.last is None:
            return PluginHealth(id=self.id, status="ok", detail="enabled, no run yet")
        status = "ok" if self.last.ok else "degraded"
        return PluginHealth(id=self.id, status=status, detail=self.last.detail, last_run_at=self.last.at)
