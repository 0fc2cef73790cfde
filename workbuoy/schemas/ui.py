"""Channels the desktop UI serves."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from workbuoy.schemas.base import Msg, Url


class Notify(Msg):
    title: Annotated[str, Meta(min_length=1, max_length=200)]
    body: Annotated[str, Meta(max_length=2000)] = ""
    kind: Literal["info", "deal", "ticket", "meeting", "sync", "auth", "error"] = "info"
    url: Url | None = None


class NotifyReply(Msg):
    shown: bool
    reason: str = ""


class OverlayToggle(Msg):
    visible: bool | None = None  # None flips the current state


class OverlayState(Msg):
    visible: bool


class WindowsShown(Msg):
    """What the user sees, for support and tests: visible window titles, the sign-in window's message."""

    titles: Annotated[list[Annotated[str, Meta(max_length=200)]], Meta(max_length=50)]
    sign_in_message: Annotated[str, Meta(max_length=1000)] = ""
    tray: Annotated[str, Meta(max_length=1000)] = ""  # the tray's sign-in line
    #: The tray menu's visible entries, in order (status lines included).
    tray_menu: Annotated[list[Annotated[str, Meta(max_length=1000)]], Meta(max_length=100)] = []
    #: Mini-Buoy's error line and how many questions it has had answered (never their text).
    overlay_status: Annotated[str, Meta(max_length=1000)] = ""
    overlay_answers: int = 0
