"""The portal window (owned by the portal actor) and the auth bridge (owned by auth).

The bridge moves the one portal session between the WebEngine cookie store and the
keyring, in both directions, and only between the auth and portal processes: the
registry lets no other role call ``wb:auth:adoptSession`` or ``wb:auth:portalCookie``,
and the trace never shows their payloads.
"""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from workbuoy.schemas.base import Msg, ShortText, Url

#: A cookie value as RFC 6265 allows it (no separators, no spaces), bounded.
CookieValue = Annotated[str, Meta(min_length=1, max_length=4096, pattern=r"^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$")]
PortalPath = Annotated[str, Meta(min_length=1, max_length=2048, pattern=r"^/[^\s\\]*$")]


class PortalOpen(Msg):
    """Show the portal window at ``path`` (under the portal base: ``/`` is the home, ``/deals/42`` a record)."""

    path: PortalPath = "/"


class PortalStatus(Msg):
    """How the portal is shown: in the WebEngine window, or handed to the system browser."""

    engine: Literal["webengine", "browser", "none"]
    visible: bool = False
    url: Url | None = None
    title: ShortText = ""
    note: ShortText = ""


class AdoptSession(Msg):
    """The ``wb_session`` cookie the portal's own login page set in the WebEngine store."""

    cookie: CookieValue


class PortalCookie(Msg):
    """The session cookie for the portal's web view: ``value`` None when signed out."""

    origin: Url
    value: CookieValue | None = None
