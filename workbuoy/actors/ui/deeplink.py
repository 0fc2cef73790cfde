"""``workbuoy://<entity>[/<id>]`` and ``workbuoy://portal/<path>`` links: parsed strictly, refused with a reason.

The link comes from outside (a browser, another program, a second ``workbuoy run``),
so anything but a known entity and a well-formed row id is refused here, before any
window reacts to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

from workbuoy.schemas.base import ENTITIES, Entity

SCHEME = "workbuoy"
ROW_ID = re.compile(r"^(?!\.\.?$)[A-Za-z0-9_.:@\-]{1,128}$")  # the bus's ``Id``
PORTAL = "portal"
PORTAL_PATH = re.compile(r"^(/(?!\.\.?(/|$))[A-Za-z0-9_.:@\-]{1,128}){0,4}/?$")  # a few plain segments, never . or ..


@dataclass(frozen=True, slots=True)
class Target:
    entity: Entity
    row_id: str | None = None


@dataclass(frozen=True, slots=True)
class PortalTarget:
    """A page of the portal window: ``path`` under the portal base (``/`` is the home)."""

    path: str


def parse(url: str) -> Target | PortalTarget:
    """The window and row ``url`` names; ``ValueError`` saying why when it names none."""
    parts = urlsplit(url.strip())
    if parts.scheme != SCHEME:
        raise ValueError(f"not a {SCHEME}:// link")
    if parts.query or parts.fragment or parts.username or parts.port:
        raise ValueError("a deep link carries no query, fragment, user or port")
    if parts.netloc == PORTAL:
        path = parts.path or "/"
        if not PORTAL_PATH.match(path) or any(seg in (".", "..") for seg in path.split("/")):
            raise ValueError(f"{path!r} is not a portal path")
        return PortalTarget(path)
    if parts.netloc not in ENTITIES:
        raise ValueError(f"unknown entity {parts.netloc!r} (one of {', '.join(ENTITIES)})")
    path = parts.path.strip("/")
    if not path:
        return Target(cast(Entity, parts.netloc))
    if not ROW_ID.match(path):
        raise ValueError(f"{path!r} is not a row id")
    return Target(cast(Entity, parts.netloc), path)
