"""The sandbox assistant: deterministic chat replies and workflow manifests.

Real assistant output is not reproducible, so the sandbox builds its answers
purely from the request and the target row; tests can assert on them exactly.
"""

from __future__ import annotations

from workbuoy.sandbox.models import ChatMessage, ChatReply, Manifest, WorkflowRequest, WorkflowStep
from workbuoy.sandbox.seed import DAY_MS, Row

#: The entity a kind needs, when it needs one in particular.
KIND_ENTITY = {"close_deal": "deals", "escalate_ticket": "tickets"}


def chat_reply(messages: list[ChatMessage]) -> ChatReply:
    last = next((m.content for m in reversed(messages) if m.role == "user"), "")
    words = len(last.split())
    content = (
        f"[WorkBuoy sandbox assistant] You asked: \"{last[:200]}\" ({words} words, "
        f"{len(messages)} messages in this conversation). This is a canned, deterministic reply "
        "from the sandbox server, not a real model."
    )
    return ChatReply(message=ChatMessage(role="assistant", content=content))


def _contact(row: Row) -> str:
    for key in ("email", "requester", "from", "owner", "assignee"):
        if isinstance(row.get(key), str):
            return row[key]
    attendees = row.get("attendees")
    if isinstance(attendees, list) and attendees and isinstance(attendees[0], str):
        return attendees[0]
    return "contact@example.com"


def _label(row: Row) -> str:
    for key in ("name", "subject", "title", "company"):
        if isinstance(row.get(key), str):
            return row[key]
    return str(row["id"])


def manifest(req: WorkflowRequest, row: Row) -> Manifest:
    """The steps of one workflow kind for one row; times derive from the row, not the clock."""
    ts, who, label = int(row["updated_at"]), _contact(row), _label(row)
    follow_up = WorkflowStep(qtype="email", payload={
        "to": [who], "subject": f"Following up: {label}",
        "body": f"Hi,\n\nI wanted to follow up on {label}. Do you have time for a short call?\n",
    })
    task = WorkflowStep(qtype="crm", entity="tasks", op="create", payload={
        "title": f"Follow up on {label}", "due_at": ts + 2 * DAY_MS, "status": "open",
        "related": {"entity": req.entity, "id": req.entity_id},
    })
    starts = (ts // 3_600_000 + 48) * 3_600_000
    match req.kind:
        case "follow_up":
            steps = [follow_up, task]
        case "schedule_meeting":
            meeting = {"title": f"Meeting: {label}", "starts_at": starts, "ends_at": starts + 1_800_000, "attendees": [who]}
            steps = [
                WorkflowStep(qtype="calendar", payload=meeting),
                WorkflowStep(qtype="crm", entity="meetings", op="create", payload={**meeting, "location": "Video call"}),
            ]
        case "close_deal":
            steps = [
                WorkflowStep(qtype="crm", entity="deals", op="update", entity_id=req.entity_id,
                             payload={"stage": "closed_won", "close_date": ts}),
                task,
            ]
        case "escalate_ticket":
            steps = [
                WorkflowStep(qtype="crm", entity="tickets", op="update", entity_id=req.entity_id,
                             payload={"priority": "urgent", "status": "open", "escalated": True}),
                WorkflowStep(qtype="email", payload={
                    "to": ["support-lead@workbuoy.test"], "subject": f"Escalated: {label}",
                    "body": f"Ticket {req.entity_id} was escalated and needs an owner today.\n",
                }),
            ]
    return Manifest(org_id=row["org_id"], steps=steps)
