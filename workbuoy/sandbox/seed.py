"""Deterministic seeded data: organisations, users and the base rows of every stream.

A *stream* is one (entity, org) pair, which is what one ``GET /api/<entity>?org_id=``
pages through. Base rows are never stored: row ``i`` of a stream is computed from
``(seed, entity, org, i)`` on demand, and its ``updated_at`` is ``BASE_MS + i * step``.
The base sequence is therefore already in ``(updated_at, id)`` order and finding a
cursor's position is arithmetic, which is what lets ``--rows 1000000`` start
instantly and serve any page in time proportional to the page size.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Callable

from workbuoy.schemas.base import ENTITIES

Row = dict[str, Any]

BASE_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z: the oldest base row
SPAN_MS = 365 * 24 * 3600 * 1000  # base rows of a stream spread over one year
DAY_MS = 24 * 3600 * 1000

ORG_NAMES = (
    "Northwind Traders", "Contoso Ltd", "Fabrikam Inc", "Tailspin Toys", "Adventure Works",
    "Wide World Importers", "Litware Inc", "Proseware Inc", "Coho Winery", "Alpine Ski House",
)
FIRST = (
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kara", "Liam",
    "Maya", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wei", "Yusuf", "Zoe",
)
LAST = (
    "Andersen", "Baker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ivanova", "Jensen",
    "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Patel", "Quist", "Rossi", "Schmidt", "Tanaka",
)
COMPANIES = (
    "Blue Harbor Logistics", "Cedar & Pine Furniture", "Delta Dental Labs", "Evergreen Solar",
    "Fjord Seafood AS", "Granite Peak Capital", "Helix Biotech", "Ironclad Security", "Juniper Foods",
    "Kestrel Aviation", "Lumen Lighting", "Meridian Health", "Nimbus Cloud Hosting", "Orchid Hotels",
    "Polar Freight", "Quarry Stoneworks", "Riverbend Brewing", "Summit Outdoor", "Tidewater Marine",
    "Urban Roots Nursery",
)
CITIES = ("Oslo", "Bergen", "Stockholm", "Copenhagen", "Berlin", "Lisbon", "Dublin", "Toronto", "Austin", "Seattle")
PRODUCTS = ("CRM Suite", "Support Desk", "Analytics Add-on", "Onboarding Package", "Premium Support", "API Access")
DEAL_STAGES = ("prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost")
TICKET_PRIORITIES = ("low", "normal", "high", "urgent")
TICKET_STATUSES = ("new", "open", "pending", "solved", "closed")
TASK_STATUSES = ("open", "in_progress", "done")
CUSTOMER_STATUSES = ("lead", "active", "active", "churned")
TOPICS = (
    "pricing for next year", "the renewal", "onboarding schedule", "an invoice question", "the API rate limits",
    "a data export", "the SSO setup", "training for new staff", "the contract draft", "a feature request",
)
MEETING_KINDS = ("Discovery call", "Demo", "Quarterly review", "Kick-off", "Contract walkthrough", "Check-in")
TASK_VERBS = ("Call", "E-mail", "Prepare quote for", "Send contract to", "Follow up with", "Book demo with")

#: Short id prefix of each entity: ``deal-2-0000042`` is base row 42 of (deals, org-2).
PREFIX = {
    "messages": "msg", "customers": "cus", "calendar": "cal", "tasks": "task",
    "deals": "deal", "tickets": "tkt", "meetings": "mtg",
}
_BASE_ID = re.compile(r"^([a-z]+)-(\d+)-(\d{7})$")


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str
    name: str
    password: str
    #: org id -> roles; ``None`` means every org with ``all_roles``.
    orgs: dict[str, list[str]] | None
    all_roles: tuple[str, ...] = ()

    def roles_in(self, org_id: str, org_ids: tuple[str, ...]) -> list[str] | None:
        if self.orgs is None:
            return list(self.all_roles) if org_id in org_ids else None
        return self.orgs.get(org_id)


USERS = (
    User("u-demo", "demo@workbuoy.test", "Demo User", "demo-password", None, ("admin", "sales")),
    User("u-viewer", "viewer@workbuoy.test", "Vic Viewer", "viewer-password", {"org-1": ["viewer"]}),
)


def _mix(*parts: object) -> int:
    """A 64-bit hash of the parts: the only source of randomness for base rows."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


class Picker:
    """Draws successive choices from one 64-bit hash, re-hashing when bits run out."""

    __slots__ = ("_h", "_salt")

    def __init__(self, h: int) -> None:
        self._h = h
        self._salt = h

    def num(self, n: int) -> int:
        if self._h < n * 4:
            self._salt = _mix(self._salt)
            self._h = self._salt
        self._h, r = divmod(self._h, n)
        return r

    def pick(self, seq: tuple[Any, ...]) -> Any:
        return seq[self.num(len(seq))]


def _person(p: Picker) -> tuple[str, str]:
    first, last = p.pick(FIRST), p.pick(LAST)
    return f"{first} {last}", f"{first}.{last}@{p.pick(('example.com', 'example.org', 'example.net'))}".lower()


def _customers(p: Picker, ts: int) -> Row:
    name, email = _person(p)
    return {
        "name": name, "company": p.pick(COMPANIES), "email": email,
        "phone": f"+47 {p.num(900) + 100} {p.num(90) + 10} {p.num(900) + 100}",
        "city": p.pick(CITIES), "status": p.pick(CUSTOMER_STATUSES),
    }


def _messages(p: Picker, ts: int) -> Row:
    name, email = _person(p)
    topic = p.pick(TOPICS)
    return {
        "subject": f"Re: {topic}", "from": email, "to": ["sales@workbuoy.test"],
        "body": f"Hi,\n\nFollowing up on {topic} at {p.pick(COMPANIES)}. Could we talk this week?\n\nBest,\n{name}",
        "folder": p.pick(("inbox", "inbox", "sent")), "read": p.num(2) == 1, "sent_at": ts - p.num(DAY_MS),
    }


def _appointment(p: Picker, ts: int) -> Row:
    starts = (ts // 3_600_000 + 24 + p.num(24 * 14)) * 3_600_000  # on the hour, within two weeks
    return {
        "title": f"{p.pick(MEETING_KINDS)} with {p.pick(COMPANIES)}",
        "starts_at": starts, "ends_at": starts + (1 + p.num(4)) * 15 * 60_000,
        "location": p.pick(("Zoom", "Teams", "Office", "Customer site")),
        "attendees": [_person(p)[1] for _ in range(1 + p.num(3))],
    }


def _tasks(p: Picker, ts: int) -> Row:
    return {
        "title": f"{p.pick(TASK_VERBS)} {p.pick(COMPANIES)}", "due_at": ts + (1 + p.num(30)) * DAY_MS,
        "status": p.pick(TASK_STATUSES), "priority": p.pick(TICKET_PRIORITIES[:3]), "assignee": _person(p)[1],
    }


def _deals(p: Picker, ts: int) -> Row:
    company = p.pick(COMPANIES)
    return {
        "name": f"{company} — {p.pick(PRODUCTS)}", "company": company, "stage": p.pick(DEAL_STAGES),
        "amount": (5 + p.num(400)) * 250, "currency": p.pick(("EUR", "USD", "NOK")),
        "close_date": ts + (7 + p.num(90)) * DAY_MS, "owner": _person(p)[1],
    }


def _tickets(p: Picker, ts: int) -> Row:
    return {
        "subject": f"Problem with {p.pick(TOPICS)}", "priority": p.pick(TICKET_PRIORITIES),
        "status": p.pick(TICKET_STATUSES), "requester": _person(p)[1], "company": p.pick(COMPANIES),
    }


FIELDS: dict[str, Callable[[Picker, int], Row]] = {
    "messages": _messages, "customers": _customers, "calendar": _appointment, "tasks": _tasks,
    "deals": _deals, "tickets": _tickets, "meetings": _appointment,
}


class Dataset:
    """Orgs, users and the lazily computed base rows for one ``--seed``/``--rows``/``--orgs``.

    ``rows`` is the total across every entity and org; it is split evenly over the
    ``7 * orgs`` streams (the first streams get one more when it does not divide).
    """

    def __init__(self, rows: int, orgs: int, seed: int) -> None:
        self.seed = seed
        self.org_ids = tuple(f"org-{k}" for k in range(1, orgs + 1))
        self.org_names = {
            org: ORG_NAMES[k % len(ORG_NAMES)] + ("" if k < len(ORG_NAMES) else f" {k // len(ORG_NAMES) + 1}")
            for k, org in enumerate(self.org_ids)
        }
        streams = [(e, o) for e in ENTITIES for o in self.org_ids]
        share, extra = divmod(rows, len(streams))
        self.counts = {s: share + (1 if k < extra else 0) for k, s in enumerate(streams)}
        self.steps = {s: max(1, SPAN_MS // max(1, n)) for s, n in self.counts.items()}
        self.max_ms = max((BASE_MS + (n - 1) * self.steps[s] for s, n in self.counts.items() if n), default=BASE_MS)

    def count(self, entity: str, org_id: str) -> int:
        return self.counts[(entity, org_id)]

    def base_id(self, entity: str, org_id: str, i: int) -> str:
        return f"{PREFIX[entity]}-{org_id[4:]}-{i:07d}"

    def updated_at(self, entity: str, org_id: str, i: int) -> int:
        return BASE_MS + i * self.steps[(entity, org_id)]

    def index_after(self, entity: str, org_id: str, ua: int, row_id: str) -> int:
        """The first base index whose (updated_at, id) sorts after ``(ua, row_id)``."""
        step = self.steps[(entity, org_id)]
        if ua < BASE_MS:
            return 0
        k = (ua - BASE_MS) // step
        if BASE_MS + k * step == ua and self.base_id(entity, org_id, k) > row_id:
            return min(k, self.count(entity, org_id))
        return min(k + 1, self.count(entity, org_id))

    def row(self, entity: str, org_id: str, i: int) -> Row:
        ts = self.updated_at(entity, org_id, i)
        p = Picker(_mix(self.seed, entity, org_id, i))
        row = {"id": self.base_id(entity, org_id, i), "org_id": org_id, "updated_at": ts, "created_at": ts - p.num(30) * DAY_MS}
        row.update(FIELDS[entity](p, ts))
        return row

    def locate(self, entity: str, row_id: str) -> tuple[str, int] | None:
        """(org, index) of a base row id, or ``None`` when the id is not a base row."""
        m = _BASE_ID.match(row_id)
        if not m or m[1] != PREFIX[entity] or m[2].startswith("0"):
            return None
        org_id, i = f"org-{m[2]}", int(m[3])
        if org_id not in self.org_ids or i >= self.count(entity, org_id):
            return None
        return org_id, i

    def user_by_email(self, email: str) -> User | None:
        return next((u for u in USERS if u.email == email.lower()), None)

    def user_by_id(self, user_id: str) -> User | None:
        return next((u for u in USERS if u.id == user_id), None)

    def orgs_of(self, user: User) -> list[dict[str, Any]]:
        return [
            {"id": org, "name": self.org_names[org], "roles": roles}
            for org in self.org_ids
            if (roles := user.roles_in(org, self.org_ids)) is not None
        ]
