"""``wb:getSettings`` / ``wb:updateSettings`` and the ``wb:settings:changed`` event."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal
from urllib.parse import urlsplit

import msgspec
from msgspec import UNSET, Meta, UnsetType

from workbuoy import __version__
from workbuoy.schemas.base import Msg, Url

SyncInterval = Annotated[int, Meta(ge=30, le=86_400)]
PageSize = Annotated[int, Meta(ge=1, le=1000)]
#: Longest wait between two sends of one queued write (the back-off cap), seconds.
RetryCap = Annotated[int, Meta(ge=1, le=86_400)]
#: A queued write not sent after this long raises one notification, seconds.
StuckAfter = Annotated[int, Meta(ge=1, le=30 * 86_400)]
UpdateInterval = Annotated[int, Meta(ge=0, le=10_080)]  # minutes, up to a week; 0: only on demand
SettingName = Annotated[str, Meta(max_length=64)]
Appearance = Literal["system", "light", "dark"]
Language = Literal["system", "en", "nb"]  # the desktop's language: English or Norwegian Bokmål
#: A Qt key sequence in its portable text form ("Ctrl+Shift+Space"); empty: no shortcut.
Shortcut = Annotated[str, Meta(max_length=40, pattern=r"^(((Ctrl|Alt|Shift|Meta)\+){1,4}([A-Z0-9]|F([1-9]|1[0-2])|Space))?$")]
HostPattern = Annotated[str, Meta(min_length=1, max_length=253, pattern=r"^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$")]
DEFAULT_EXTERNAL_LINKS = ("workbuoy.com", "*.workbuoy.com")


def upgrade(saved: object) -> object:
    """A settings file of an older version, brought to this one: ``externalLinks`` was a bool."""
    if isinstance(saved, dict) and isinstance(saved.get("externalLinks"), bool):
        saved["externalLinks"] = list(DEFAULT_EXTERNAL_LINKS) if saved["externalLinks"] else []
    return saved


def check_base_url(url: str) -> str:
    """The contract accepts only ``https`` bases, or ``http`` on loopback."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL")
    if parts.scheme == "http":
        host = parts.hostname
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise ValueError(f"{url!r}: plain http is allowed only on loopback")
    return url


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def check_update_interval(minutes: int) -> None:
    """0 (only on demand) or at least 5 minutes, as ``WB_UPDATE_INTERVAL_MIN`` is read: a check
    every minute would ask the update server 1,440 times a day per install."""
    if 0 < minutes < 5:
        raise ValueError("updateIntervalMin must be 0 (only on demand) or at least 5 minutes")


def check_origin(url: str) -> str:
    """A base URL that is only an origin (``scheme://host[:port]``): what ``portalOrigin`` holds."""
    check_base_url(url)
    if origin_of(url) != url:
        raise ValueError(f"{url!r} must be an origin (scheme://host[:port]) with no path")
    return url


class EntityNotifications(Msg):
    """Which CRM changes raise a desktop notification."""

    deals: bool = True
    tickets: bool = True
    meetings: bool = True


class Settings(Msg):
    start_at_login: bool = False
    notifications_enabled: bool = True
    sync_interval_sec: SyncInterval = 300
    portal_origin: Url = "https://app.workbuoy.com"
    version: str = __version__
    sync_page_size: PageSize = 200
    prefer_bearer_token: bool = False
    #: Hosts (``example.com`` or ``*.example.com``) whose links leave the portal window for the
    #: system browser; a link to any other host is refused.
    external_links: Annotated[list[HostPattern], Meta(max_length=100)] = msgspec.field(
        default_factory=lambda: list(DEFAULT_EXTERNAL_LINKS))
    wipe_cache_on_sign_out: bool = False  # the cache is always wiped when another user signs in
    update_interval_min: UpdateInterval = 60
    notify: EntityNotifications = msgspec.field(default_factory=EntityNotifications)
    queue_retry_cap_sec: RetryCap = 300
    queue_stuck_after_sec: StuckAfter = 3600
    #: Light, dark, or as the system says (where the platform reports a scheme).
    appearance: Appearance = "system"
    #: English or Norwegian Bokmål, or as the system's locale says; the ui applies it at start.
    language: Language = "system"
    #: Toggles Mini-Buoy while any WorkBuoy window has focus (Qt has no system-wide hotkey).
    mini_buoy_shortcut: Shortcut = "Ctrl+Shift+Space"
    #: Read-only: the fields a ``WB_*`` variable sets for this run (wire names); they win over the saved value.
    environment: Annotated[list[SettingName], Meta(max_length=16)] = []

    def __post_init__(self) -> None:
        check_origin(self.portal_origin)
        check_update_interval(self.update_interval_min)


class EntityNotificationsPatch(Msg):
    deals: bool | UnsetType = UNSET
    tickets: bool | UnsetType = UNSET
    meetings: bool | UnsetType = UNSET


class SettingsPatch(Msg):
    """A partial update; ``version`` and ``environment`` are read-only and so absent."""

    start_at_login: bool | UnsetType = UNSET
    notifications_enabled: bool | UnsetType = UNSET
    sync_interval_sec: SyncInterval | UnsetType = UNSET
    portal_origin: Url | UnsetType = UNSET
    sync_page_size: PageSize | UnsetType = UNSET
    prefer_bearer_token: bool | UnsetType = UNSET
    external_links: Annotated[list[HostPattern], Meta(max_length=100)] | UnsetType = UNSET
    wipe_cache_on_sign_out: bool | UnsetType = UNSET
    update_interval_min: UpdateInterval | UnsetType = UNSET
    notify: EntityNotificationsPatch | UnsetType = UNSET
    queue_retry_cap_sec: RetryCap | UnsetType = UNSET
    queue_stuck_after_sec: StuckAfter | UnsetType = UNSET
    appearance: Appearance | UnsetType = UNSET
    language: Language | UnsetType = UNSET
    mini_buoy_shortcut: Shortcut | UnsetType = UNSET

    def __post_init__(self) -> None:
        if self.portal_origin is not UNSET:
            check_origin(self.portal_origin)
        if self.update_interval_min is not UNSET:
            check_update_interval(self.update_interval_min)


def apply_patch(settings: Settings, patch: SettingsPatch) -> Settings:
    """Return ``settings`` with every field that ``patch`` sets replaced."""
    changes = {f: v for f in patch.__struct_fields__ if (v := getattr(patch, f)) is not UNSET}
    if "notify" in changes:
        sub = changes["notify"]
        changes["notify"] = msgspec.structs.replace(
            settings.notify,
            **{f: v for f in sub.__struct_fields__ if (v := getattr(sub, f)) is not UNSET},
        )
    return msgspec.structs.replace(settings, **changes)
