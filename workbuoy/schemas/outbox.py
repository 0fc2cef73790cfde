"""The outbox: queued writes, e-mail drafts, calendar events, workflows."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta

from workbuoy.schemas.base import Email, Entity, EpochMs, Id, Limit, LongText, Msg, Name, Op, QType, QueueStatus, RowPayload, ShortText

Resolution = Literal["keepLocal", "keepServer"]
WorkflowKind = Literal["follow_up", "schedule_meeting", "close_deal", "escalate_ticket"]


class QueueCreate(Msg):
    entity: Entity
    op: Op
    entity_id: Id | None = None
    payload: RowPayload | None = None
    org_id: Id | None = None

    def __post_init__(self) -> None:
        if self.op != "create" and self.entity_id is None:
            raise ValueError(f"op {self.op!r} needs an entityId")
        if self.op != "delete" and self.payload is None:
            raise ValueError(f"op {self.op!r} needs a payload")


class QueueItemRef(Msg):
    id: int
    op_id: str
    status: QueueStatus
    entity_id: str | None = None


class QueueList(Msg):
    status: QueueStatus | None = None
    limit: Limit = 100


class QueueItemView(Msg):
    id: int
    op_id: str
    org_id: str
    qtype: QType
    entity: str | None
    op: str | None
    entity_id: str | None
    status: QueueStatus
    attempt: int
    last_error: str | None
    conflicted: bool
    wf_id: str | None
    step_index: int | None
    created_at: int
    updated_at: int
    #: When a ``pending`` write is sent again (epoch ms); None: as soon as it is ready.
    next_attempt_at: int | None = None
    #: What was queued: for a CRM write ``{body: the fields written, base: the row they were written over}``.
    payload: dict[str, Any] | None = None
    #: The server's version while ``conflicted`` (what the conflict view compares against).
    server_payload: dict[str, Any] | None = None


class QueueListReply(Msg):
    items: list[QueueItemView]


class QueueRetry(Msg):
    id: Annotated[int, Meta(ge=1)]


class QueueDiscard(QueueRetry):
    """Drop a failed write (a conflict, or one the server refused) unsent and undo it offline."""


class ResolveConflict(Msg):
    entity: Entity
    entity_id: Id
    resolution: Resolution


class EmailDraft(Msg):
    to: Annotated[list[Email], Meta(min_length=1, max_length=50)]
    subject: Annotated[str, Meta(max_length=998)]
    body: LongText = ""
    cc: Annotated[list[Email], Meta(max_length=50)] = []
    entity: Entity | None = None
    entity_id: Id | None = None
    org_id: Id | None = None


class CalendarCreate(Msg):
    title: Name
    starts_at: EpochMs
    ends_at: EpochMs
    attendees: Annotated[list[Email], Meta(max_length=100)] = []
    location: ShortText | None = None
    org_id: Id | None = None

    def __post_init__(self) -> None:
        if self.ends_at < self.starts_at:
            raise ValueError("endsAt is before startsAt")


class WorkflowStep(Msg):
    qtype: QType
    payload: RowPayload
    entity: Entity | None = None
    op: Op | None = None
    entity_id: Id | None = None

    def __post_init__(self) -> None:
        if self.qtype == "crm" and (self.entity is None or self.op is None):
            raise ValueError("a crm step needs entity and op")


class WorkflowManifest(Msg):
    steps: Annotated[list[WorkflowStep], Meta(min_length=1, max_length=50)]
    org_id: Id | None = None


class WorkflowEnqueued(Msg):
    wf_id: str
    items: list[QueueItemRef]


class AiWorkflow(Msg):
    entity: Entity
    entity_id: Id
    kind: WorkflowKind


class AssistantApply(Msg):
    actions: Annotated[list[QueueCreate], Meta(min_length=1, max_length=50)]
    session_id: Id | None = None


class AssistantApplied(Msg):
    items: list[QueueItemRef]


class ChatMessage(Msg):
    role: Literal["user", "assistant", "system"]
    content: Annotated[str, Meta(max_length=20_000)]


class AiChat(Msg):
    messages: Annotated[list[ChatMessage], Meta(min_length=1, max_length=50)]


class AiChatReply(Msg):
    message: ChatMessage


class QueueChanged(Msg):
    """Event: queue depth by status after a change."""

    depth: dict[str, int]
    detail: Any = None


class ServerState(Msg):
    """Event ``wb:server:state`` and part of ``wb:queue:status``: can the queue reach the server?

    ``online`` turns False on the first transport failure (or several 5xx in a row) and
    True on the first healthy answer to a probe; ``reason`` says why it went offline."""

    online: bool
    since: EpochMs
    reason: str = ""
    next_probe_at: EpochMs | None = None


class QueueStatusReply(Msg):
    server: ServerState
    depth: dict[str, int]


class QueueStuck(Msg):
    """Event: writes not sent for longer than the ``queueStuckAfterSec`` setting (once per write)."""

    count: int
    oldest_id: int
    since: EpochMs
    last_error: str | None = None


class QueueFailed(Msg):
    """Event ``wb:queue:failed``: a write ended ``failed`` and waits for the user (a conflict to
    decide, or a refusal to retry or discard). Published once per outcome, as it happens."""

    id: int
    org_id: str
    qtype: QType
    entity: str | None = None
    entity_id: str | None = None
    #: The record's name, title or subject as the write (or the server) has it; empty when neither does.
    label: Annotated[str, Meta(max_length=200)] = ""
    conflicted: bool = False
    error: Annotated[str, Meta(max_length=500)] = ""


def _minutes(ms: int) -> str:
    seconds = max(0, round(ms / 1000))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def describe(item: QueueItemView, now_ms: int) -> str:
    """One line on where a write stands, the same in ``workbuoy queue list`` and the outbox
    view: "retrying — 14 attempts, next in 3 min, last: server unavailable"."""
    if item.conflicted:
        return "conflict — keep yours or the server's"
    if item.status == "failed":
        return f"failed — {item.last_error or 'no reason recorded'}"
    if item.status == "synced":
        return "sent"
    if item.status == "inflight":
        return "sending"
    last = (item.last_error or "unknown").split(":", 1)[0]
    if not item.attempt:  # never sent, or put back uncharged when an outage was detected
        return "waiting to be sent" + (f", last: {last}" if item.last_error else "")
    when = "now" if item.next_attempt_at is None or item.next_attempt_at <= now_ms else f"in {_minutes(item.next_attempt_at - now_ms)}"
    return f"retrying — {item.attempt} attempt{'s' if item.attempt != 1 else ''}, next {when}, last: {last}"
