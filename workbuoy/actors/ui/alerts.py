"""Which events become notifications, in whose words, and what a click on one opens.

The ui actor hands its events here. A first sync's per-stream summaries wait and leave as
one notification when the run ends ("21,000 records synced"); later changes, failed and
conflicted writes say the org they belong to ("Acme: 3 deals updated"); a click opens the
record (through the same path as a ``workbuoy://`` deep link), the outbox, or the sign-in
window. ``Notifier``'s gate bounds the rate of everything shown.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import NamedTuple

from PySide6.QtCore import QTimer

from workbuoy.actors.ui import deeplink, notifications
from workbuoy.actors.ui.calls import spawn
from workbuoy.actors.ui.notifications import FirstSync, Notifier
from workbuoy.schemas.base import ENTITIES
from workbuoy.schemas.outbox import QueueFailed, QueueStuck
from workbuoy.schemas.settings import Settings
from workbuoy.schemas.sync import CrmChange
from workbuoy.schemas.ui import Notify

#: A first sync whose closing event never comes (the sync actor restarted) still gets its one notification.
FIRST_SYNC_FLUSH_MS = 15_000


class Told(NamedTuple):
    """What became of a notification: shown or not, how or why not, and its title (for the log)."""

    shown: bool
    how: str
    title: str = ""

    def __str__(self) -> str:  # the log formats args itself (masking): callers pass ``str(told)``
        return f"“{self.title}” {self.how}" if self.title else self.how


class Alerts:
    def __init__(self, notifier: Notifier, settings: Callable[[], Settings],
                 open_target: Callable[[deeplink.Target], Coroutine[object, object, object]],
                 open_outbox: Callable[[], None], sign_in: Callable[[], None]) -> None:
        self.notifier, self.settings = notifier, settings
        self._open_target, self._open_outbox, self._sign_in = open_target, open_outbox, sign_in
        self.org_names: dict[str, str] = {}
        self.first_sync = FirstSync()
        self._flush = QTimer()
        self._flush.setSingleShot(True)
        self._flush.timeout.connect(self.sync_ended)

    def tell(self, note: Notify, on_click: Callable[[], None] | None = None) -> Told:
        """Show ``note`` unless the settings forbid it."""
        if refused := notifications.refusal(self.settings(), note.kind):
            return Told(False, refused, note.title)
        return Told(*self.notifier.show(note, self.settings(), on_click), note.title)

    def _opener(self, entity: str | None, entity_id: str | None) -> Callable[[], None]:
        if entity not in ENTITIES:
            return self._open_outbox
        target = deeplink.Target(entity, entity_id)  # type: ignore[arg-type]

        def open_it() -> None:
            spawn(self._open_target(target))

        return open_it

    def crm_changed(self, change: CrmChange) -> Told:
        """A first sync's summary waits for the run's end; a later change is told at once."""
        if change.summary:
            self.first_sync.add(change)
            self._flush.start(FIRST_SYNC_FLUSH_MS)
            return Told(False, "merged into the first sync's notification")
        only = change.ids[0] if len(change.ids) == 1 else None
        return self.tell(notifications.from_change(change, self.org_names.get(change.org_id, "")), self._opener(change.entity, only))

    def sync_ended(self) -> Told:
        self._flush.stop()
        note = self.first_sync.take(self.org_names)
        return self.tell(note) if note is not None else Told(False, "no first sync to tell")

    def write_failed(self, failed: QueueFailed) -> Told:
        note = notifications.from_failed(failed, self.org_names.get(failed.org_id, ""))
        entity = failed.entity if failed.qtype == "crm" else None
        return self.tell(note, self._opener(entity, failed.entity_id))

    def stuck(self, stuck: QueueStuck) -> Told:
        return self.tell(notifications.from_stuck(stuck), self._open_outbox)

    def expired(self, reason: str) -> Told:
        return self.tell(notifications.from_expired(reason), self._sign_in)
