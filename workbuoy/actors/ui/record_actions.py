"""The assistant's actions on one record: draft an e-mail, create a calendar event, run a workflow.

Each is queued in the outbox (``wb:email:draft``, ``wb:calendar:create``, ``wb:ai:workflow``),
so it is sent when the server can be reached and its status is in the outbox tab. Before a
record is shown, ``wb:rbac:can`` is asked once per action and org: an action the user's role
does not allow is disabled with the reason as its tooltip, instead of failing on click.
A workflow's steps are listed with their status and refreshed on each outbox change, so
the user sees each step unlock as the one before it is sent.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from workbuoy.actors.ui import formats
from workbuoy.actors.ui.calls import Bus, ask, spawn
from workbuoy.bus.errors import BusError
from workbuoy.i18n import num, translate

CONTACT_FIELDS = ("email", "from", "requester", "owner", "assignee")
WORKFLOWS = {"follow_up": QT_TRANSLATE_NOOP("RecordActions", "Follow up"),
             "schedule_meeting": QT_TRANSLATE_NOOP("RecordActions", "Schedule a meeting"),
             "close_deal": QT_TRANSLATE_NOOP("RecordActions", "Close the deal"),
             "escalate_ticket": QT_TRANSLATE_NOOP("RecordActions", "Escalate the ticket")}
STEP_STATUS = {"pending": QT_TRANSLATE_NOOP("RecordActions", "waiting"), "inflight": QT_TRANSLATE_NOOP("RecordActions", "sending"),
               "synced": QT_TRANSLATE_NOOP("RecordActions", "done"), "failed": QT_TRANSLATE_NOOP("RecordActions", "failed")}
HOUR_MS = 3_600_000


def contact_of(row: dict[str, Any]) -> str | None:
    """The address an e-mail or invitation about ``row`` goes to."""
    for key in CONTACT_FIELDS:
        if isinstance(row.get(key), str) and "@" in row[key]:
            return row[key]
    attendees = row.get("attendees")
    return attendees[0] if isinstance(attendees, list) and attendees and isinstance(attendees[0], str) else None


class RecordActions(QWidget):
    def __init__(self, bus: Bus, entity: str) -> None:
        super().__init__()
        self.bus = bus
        self.entity = entity
        self.row: dict[str, Any] | None = None
        self.org_id: str | None = None
        self.wf_id: str | None = None
        self._allowed: dict[tuple[str | None, str], tuple[bool, str]] = {}
        self.email_button = QPushButton(translate("RecordActions", "Draft e-mail"))
        self.event_button = QPushButton(translate("RecordActions", "Create event"))
        self.workflow_kind = QComboBox()
        self.workflow_kind.setAccessibleName(translate("RecordActions", "Workflow"))
        for kind, text in WORKFLOWS.items():
            self.workflow_kind.addItem(translate("RecordActions", text), kind)
        self.workflow_button = QPushButton(translate("RecordActions", "Run workflow"))
        self.email_button.clicked.connect(self._email_clicked)
        self.event_button.clicked.connect(self._event_clicked)
        self.workflow_button.clicked.connect(self._workflow_clicked)
        self.steps = QListWidget()
        self.steps.setAccessibleName(translate("RecordActions", "Workflow steps"))
        self.steps.setMaximumHeight(90)
        self.steps.hide()
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        for w in (self.email_button, self.event_button, self.workflow_kind, self.workflow_button):
            row.addWidget(w)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(translate("RecordActions", "Assistant")))
        layout.addLayout(row)
        layout.addWidget(self.steps)
        layout.addWidget(self.status)
        self._guards = {self.email_button: "email.draft", self.event_button: "calendar.create",
                        self.workflow_button: "workflow.run"}

    def show_record(self, row: dict[str, Any] | None, org_id: str | None) -> None:
        self.row, self.org_id = row, org_id
        for button in self._guards:
            button.setEnabled(False)
        if row is not None and not str(row.get("id", "")).startswith("local-"):
            spawn(self.check_roles())

    async def check_roles(self) -> None:
        """Enable each action the user's role allows; a refused one says why in its tooltip."""
        for button, action in self._guards.items():
            allowed, reason = await self._can(action)
            button.setEnabled(allowed and self.row is not None)
            button.setToolTip("" if allowed else reason)
            button.setAccessibleDescription("" if allowed else reason)

    async def _can(self, action: str) -> tuple[bool, str]:
        key = (self.org_id, action)
        if key not in self._allowed:
            payload = {"action": action} | ({"orgId": self.org_id} if self.org_id else {})
            try:
                reply = await self.bus.call("wb:rbac:can", payload)
            except BusError as exc:
                return False, exc.message  # not cached: the next record asks again
            self._allowed[key] = (reply.allowed, reply.reason or translate("RecordActions", "your role does not allow this"))
        return self._allowed[key]

    def _email_clicked(self) -> None:
        spawn(self.draft_email())

    def _event_clicked(self) -> None:
        spawn(self.create_event())

    def _workflow_clicked(self) -> None:
        spawn(self.run_workflow(self.workflow_kind.currentData()))

    def _base(self) -> dict[str, Any]:
        return {"orgId": self.org_id} if self.org_id else {}

    async def draft_email(self) -> None:
        assert self.row is not None
        if (to := contact_of(self.row)) is None:
            self.status.setText(translate("RecordActions", "This record has no e-mail address to write to."))
            return
        subject = translate("RecordActions", "About {name}").format(name=formats.name_of(self.row))
        payload = self._base() | {"to": [to], "subject": subject, "entity": self.entity, "entityId": self.row["id"]}
        if (ref := await ask(self.bus, "wb:email:draft", payload, self.status)) is not None:
            self.status.setText(translate("RecordActions", "E-mail draft to {to} queued (write {id} in the outbox).")
                                .format(to=to, id=ref.id))

    async def create_event(self) -> None:
        assert self.row is not None
        starts = (int(time.time() * 1000) // HOUR_MS + 24) * HOUR_MS  # this hour tomorrow
        title = translate("RecordActions", "Meeting: {name}").format(name=formats.name_of(self.row))
        payload = self._base() | {"title": title, "startsAt": starts, "endsAt": starts + HOUR_MS // 2}
        if contact := contact_of(self.row):
            payload["attendees"] = [contact]
        if (ref := await ask(self.bus, "wb:calendar:create", payload, self.status)) is not None:
            self.status.setText(translate("RecordActions", "Event \"{title}\" tomorrow queued (write {id} in the outbox).")
                                .format(title=payload["title"], id=ref.id))

    async def run_workflow(self, kind: str) -> None:
        assert self.row is not None
        what = translate("RecordActions", WORKFLOWS[kind])
        self.status.setText(translate("RecordActions", "Asking the assistant for \"{what}\"…").format(what=what))
        payload = {"entity": self.entity, "entityId": self.row["id"], "kind": kind}
        if (enqueued := await ask(self.bus, "wb:ai:workflow", payload, self.status)) is None:
            return
        self.wf_id = enqueued.wf_id
        self.status.setText(translate("RecordActions", "{what}: {n} steps queued.").format(what=what, n=num(len(enqueued.items))))
        await self.refresh_steps()

    async def refresh_steps(self) -> None:
        """The running workflow's steps with their status (each unlocks once the one before it is sent)."""
        if self.wf_id is None:
            return
        try:
            items = (await self.bus.call("wb:queue:list", {"limit": 500})).items
        except BusError:
            return  # the list shown stays; the next outbox change tries again
        steps = sorted((i for i in items if i.wf_id == self.wf_id), key=lambda i: i.step_index or 0)
        self.steps.clear()
        for i in steps:
            what = formats.noun(i.entity) if i.entity else i.qtype
            status = STEP_STATUS.get(i.status)
            self.steps.addItem(f"{(i.step_index or 0) + 1}. {formats.operation(i.op or 'send')} {what}: "
                               f"{translate('RecordActions', status) if status else i.status}")
        self.steps.setVisible(bool(steps))
