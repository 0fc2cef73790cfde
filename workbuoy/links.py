"""Where a URL the portal window meets may go: the window, the system browser, or nowhere.

Shared by the portal actor (its window) and the ui (the system-browser fallback).

Electron's security checklist, items 13 and 14, in one rule: the window navigates only
within the portal origin; anything else (and every ``window.open``) goes to the system
browser if its host is on the ``externalLinks`` setting, and is refused otherwise.
Plain functions, no Qt, so the rule is tested on its own.
"""

from __future__ import annotations

import webbrowser
from typing import Literal
from urllib.parse import urlsplit

from workbuoy.schemas.settings import origin_of

Verdict = Literal["load", "external", "refuse"]


def host_allowed(host: str, patterns: list[str]) -> bool:
    """``host`` matches an entry: exactly, or ``*.example.com`` for any subdomain of example.com."""
    host = host.lower().rstrip(".")
    for p in patterns:
        p = p.lower().strip()
        if host == p or (p.startswith("*.") and host.endswith(p[1:])):
            return True
    return False


def judge(url: str, origin: str, external_links: list[str], *, popup: bool = False) -> Verdict:
    """The verdict for a navigation to ``url`` (``popup``: a new window was asked for)."""
    parts = urlsplit(url)
    if not popup and parts.scheme in ("http", "https") and origin_of(url) == origin:
        return "load"
    if parts.scheme == "https" and parts.hostname and host_allowed(parts.hostname, external_links):
        return "external"
    return "refuse"


def open_in_browser(url: str) -> bool:
    """The system browser (``$BROWSER``, then xdg-open and friends, as Python's ``webbrowser`` finds them)."""
    return webbrowser.open(url, new=2)
