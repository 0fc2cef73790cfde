"""``ics-export``: the active org's cached calendar events and meetings as one iCalendar file.

Writes ``<data>/exports/calendar-<org>.ics`` (RFC 5545: CRLF lines folded at 75
octets, escaped text, UTC times), so any calendar app can subscribe to the local
file. The UID is the row id, so re-imports update events instead of duplicating them.
"""

from __future__ import annotations

import re
from typing import Any

from workbuoy.actors.plugins.adapters.base import Adapter, slug, utc

SOURCES = ("calendar", "meetings")
NEWLINE = re.compile(r"\r\n|\r|\n")
EMAIL = re.compile(r"[^@\s;:,\"<>]+@[^@\s;:,\"<>]+")


def text(value: str) -> str:
    """An RFC 5545 TEXT value: backslash, ``;``, ``,`` and newlines escaped."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return NEWLINE.sub(r"\\n", escaped)


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, never inside a character."""
    chunks, current, size = [], "", 0
    for ch in line:
        n = len(ch.encode())
        if size + n > 75:
            chunks.append(current)
            current, size = " ", 1
        current += ch
        size += n
    chunks.append(current)
    return "\r\n".join(chunks)


def stamp(ms: int) -> str:
    return utc(ms, "%Y%m%dT%H%M%SZ")


def vevent(source: str, row: dict[str, Any]) -> list[str]:
    """The VEVENT lines of a cached row; none for a row without integer start and end times."""
    starts, ends = row.get("starts_at"), row.get("ends_at")
    if not (isinstance(starts, int) and isinstance(ends, int)):
        return []
    lines = [
        "BEGIN:VEVENT",
        f"UID:{text(str(row['id']))}@workbuoy",
        f"DTSTAMP:{stamp(row.get('updated_at') or starts)}",
        f"DTSTART:{stamp(starts)}",
        f"DTEND:{stamp(ends)}",
        f"SUMMARY:{text(str(row.get('title') or ''))}",
        f"CATEGORIES:{source}",
    ]
    if row.get("location"):
        lines.append(f"LOCATION:{text(str(row['location']))}")
    lines += [f"ATTENDEE:mailto:{a}" for a in row.get("attendees") or () if isinstance(a, str) and EMAIL.fullmatch(a)]
    return [*lines, "END:VEVENT"]


def to_ics(org: str, events: list[tuple[str, dict[str, Any]]]) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//WorkBuoy//Desktop//EN", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{text(f'WorkBuoy {org}')}"]
    for source, row in events:
        lines += vevent(source, row)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


class IcsExport(Adapter):
    id = "ics-export"

    def work(self) -> str:
        org = self.ctx.org()
        events = [(source, row) for source in SOURCES for row in self.ctx.rows(source, org)]
        self.ctx.write(f"calendar-{slug(org)}.ics", to_ics(org, events))
        return f"wrote {len(events)} calendar events and meetings of {org}"
