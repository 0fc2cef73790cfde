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


Verdict = Literal["load", "external", "refuse"]


def host_allowed(host: str, patterns: list[str]) -> bool:
    """``host`` matches an entry: exactly, or ``*.example.com`` for any subdomain of example.com."""
    host = host.lower().rstrip(".")
    for p in patterns:
        p = p.lower().strip()
        if host == p or (p.startswith("*.") and host.endswith(p[1:])):
            return True
    return False


def origin_key(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of an http(s) URL without user info, else ``None``: two spellings of
    one origin (``HTTPS://App.example:443``) compare equal, a URL with user info never does."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:  # a port that is not a number
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None
    return parts.scheme, parts.hostname, port


def judge(url: str, origin: str, external_links: list[str], *, popup: bool = False) -> Verdict:
    """The verdict for a navigation to ``url`` (``popup``: a new window was asked for)."""
    key = origin_key(url)
    if key is None:
        return "refuse"
    if not popup and key == origin_key(origin):
        return "load"
    if key[0] == "https" and host_allowed(key[1], external_links):
        return "external"
    return "refuse"


def open_in_browser(url: str) -> bool:
    """The system browser (``$BROWSER``, then xdg-open and friends, as Python's ``webbrowser`` finds them)."""
    return webbrowser.open(url, new=2)
