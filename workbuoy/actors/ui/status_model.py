"""What the node is doing, in the words the tray and the main window's status line show.

One model, fed by the ui actor's event handlers (``wb:auth:state``, ``wb:server:state``,
``wb:sync:progress``, ``wb:queue:changed``) and read by every view, so the tray and the
window can never disagree. A sync run is judged by its streams, not by the run's closing
event (which says ``done`` whatever its streams did): every stream failed → the run failed,
with the first stream's reason; some failed → synced, with the failures named.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

from PySide6.QtCore import QObject, QTimer, Signal

from workbuoy.i18n import num, translate
from workbuoy.schemas.auth import AuthState
from workbuoy.schemas.outbox import ServerState
from workbuoy.schemas.sync import SyncProgress, SyncStatus

Tone = Literal["ok", "busy", "warn", "error"]
#: "Last synced 2 min ago" must age while nobody sends an event.
AGE_TICK_MS = 30_000
WAITING = ("pending", "inflight")


def ago(then_ms: int, now_ms: int) -> str:
    """"just now", "2 min ago", "3 h ago", "yesterday", "4 days ago"."""
    seconds = max(0, (now_ms - then_ms) // 1000)
    if seconds < 60:
        return translate("Status", "just now")
    if seconds < 3600:
        return translate("Status", "{n} min ago").format(n=seconds // 60)
    if seconds < 86_400:
        return translate("Status", "{n} h ago").format(n=seconds // 3600)
    days = seconds // 86_400
    return translate("Status", "yesterday") if days == 1 else translate("Status", "{n} days ago").format(n=days)


def short_reason(error: str) -> str:
    """The words before the details: ``unreachable: ConnectError …`` → ``the server could not be reached``."""
    head, _, rest = error.partition(":")
    if head.strip() == "rejected" and rest.strip():
        return rest.strip()[:120]  # the queue's prefix for the server's own refusal
    reasons = {"unreachable": translate("Status", "the server could not be reached"),
               "storage": translate("Status", "the disk refused the offline copy"),
               "unauthenticated": translate("Status", "the session is no longer valid"),
               "server": translate("Status", "the server answered with an error"),
               "forbidden": translate("Status", "the server refused access")}
    return reasons.get(head.strip(), error[:120] or translate("Status", "no reason given"))


@dataclass
class RunOutcome:
    """One sync run: which streams ended how (``(entity, org)`` → error, empty when it succeeded)."""

    run_id: int
    ended: dict[tuple[str, str], str] = field(default_factory=dict)
    rows: int = 0
    entity: str = ""

    @property
    def failures(self) -> dict[tuple[str, str], str]:
        return {k: e for k, e in self.ended.items() if e}

    @property
    def all_failed(self) -> bool:
        return bool(self.ended) and len(self.failures) == len(self.ended)


class StatusModel(QObject):
    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.auth = AuthState(state="signed_out")
        self.org_name = ""
        self.server: ServerState | None = None
        self.running: RunOutcome | None = None
        self.last_run: RunOutcome | None = None
        self.last_synced_ms: int | None = None
        self.depth: dict[str, int] = {}
        self._tick = QTimer(self)
        self._tick.timeout.connect(self.changed.emit)
        self._tick.start(AGE_TICK_MS)

    # -- input ------------------------------------------------------------------------

    def set_auth(self, state: AuthState) -> None:
        self.auth = state
        if state.state != "signed_in":
            self.org_name = ""
        self.changed.emit()

    def set_org(self, name: str) -> None:
        self.org_name = name
        self.changed.emit()

    def set_server(self, state: ServerState) -> None:
        self.server = state
        self.changed.emit()

    def set_depth(self, depth: dict[str, int]) -> None:
        self.depth = dict(depth)
        self.changed.emit()

    def set_history(self, status: SyncStatus) -> None:
        """At start: when the offline copy was last filled, from ``wb:sync:status``."""
        times = [e.last_sync_at for e in status.entities if e.last_sync_at]
        self.last_synced_ms = max(times, default=None)
        errors = {(e.entity, e.org_id): e.last_error for e in status.entities if e.last_error}
        if errors and self.last_run is None:
            self.last_run = RunOutcome(status.run_id, {(e.entity, e.org_id): e.last_error or "" for e in status.entities})
        self.changed.emit()

    def add_progress(self, p: SyncProgress, now_ms: int | None = None) -> None:
        run = self.running if self.running and self.running.run_id == p.run_id else RunOutcome(p.run_id)
        self.running = run
        if p.finished:
            if p.state == "failed":
                run.ended[("", "")] = p.error or "failed"
            self.running, self.last_run = None, run
            if run.ended and not run.all_failed:
                self.last_synced_ms = now_ms if now_ms is not None else int(time.time() * 1000)
        elif p.state == "running":
            run.entity, run.rows = p.entity, p.rows
        else:
            run.ended[(p.entity, p.org_id)] = p.error if p.state == "failed" else ""
        self.changed.emit()

    # -- words ------------------------------------------------------------------------

    def account_text(self) -> tuple[str, Tone]:
        a = self.auth
        if a.state == "signed_in":
            org = f" · {self.org_name}" if self.org_name else ""
            return translate("Status", "Signed in as {email}").format(email=a.email or "?") + org, "ok"
        if a.state == "error":
            return translate("Status", "Sign-in problem: {reason}").format(reason=a.reason), "error"
        if a.state == "expired":
            return translate("Status", "Session expired: sign in again"), "warn"
        return translate("Status", "Not signed in"), "warn"

    def server_text(self) -> tuple[str, Tone]:
        s = self.server
        if s is None or s.online:
            return translate("Status", "Online"), "ok"
        since = time.strftime("%H:%M", time.localtime(s.since / 1000))
        return translate("Status", "Offline since {time} — {reason}").format(time=since, reason=short_reason(s.reason)), "error"

    def sync_text(self, now_ms: int | None = None) -> tuple[str, Tone]:
        now = now_ms if now_ms is not None else int(time.time() * 1000)
        if self.running is not None:
            if not self.running.entity:
                return translate("Status", "Syncing… (starting)"), "busy"
            return translate("Status", "Syncing… ({entity}, {rows} rows)").format(
                entity=self.running.entity, rows=num(self.running.rows)), "busy"
        when = ago(self.last_synced_ms, now) if self.last_synced_ms else ""
        run = self.last_run
        if run is not None and run.failures:
            reason = short_reason(next(iter(run.failures.values())))
            if not when:
                return translate("Status", "Sync failed: {reason}").format(reason=reason), "error"
            if run.all_failed:
                return translate("Status", "Sync failed: {reason} (last synced {when})").format(reason=reason, when=when), "error"
            names = ", ".join(sorted({e for e, _ in run.failures if e}))
            return translate("Status", "Last synced {when}; {names} failed: {reason}").format(
                when=when, names=names, reason=reason), "warn"
        if when:
            return translate("Status", "Last synced {when}").format(when=when), "ok"
        return translate("Status", "Not synced yet"), "warn"

    def writes_text(self) -> tuple[str, Tone]:
        """Waiting writes, then conflicts and refusals apart: a conflict waits for the user to
        settle it, a refusal for a retry or a discard. A conflicted write is ``failed`` with the
        ``conflicted`` flag, so the depth's ``conflicted`` count is taken out of its ``failed``."""
        waiting = sum(self.depth.get(s, 0) for s in WAITING)
        conflicts = self.depth.get("conflicted", 0)
        refused = max(0, self.depth.get("failed", 0) - conflicts)
        if not waiting:
            text = translate("Status", "No writes waiting")
        elif waiting == 1:
            text = translate("Status", "1 write waiting")
        else:
            text = translate("Status", "{n} writes waiting").format(n=num(waiting))
        if conflicts == 1:
            text = translate("Status", "{writes}, 1 conflict to resolve").format(writes=text)
        elif conflicts:
            text = translate("Status", "{writes}, {n} conflicts to resolve").format(writes=text, n=num(conflicts))
        if refused:
            text = translate("Status", "{writes}, {n} failed").format(writes=text, n=num(refused))
        return text, "error" if conflicts or refused else "busy" if waiting else "ok"

    def lines(self) -> list[tuple[str, Tone]]:
        return [self.account_text(), self.server_text(), self.sync_text(), self.writes_text()]


_shared: StatusModel | None = None


def shared() -> StatusModel:
    """The app's one model: the tray and every status line read the same state."""
    global _shared
    if _shared is None:
        _shared = StatusModel()
    return _shared
