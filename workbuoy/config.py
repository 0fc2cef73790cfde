"""Process environment: every ``WB_*`` variable, its default, and its validation.

Read once at start; a bad value stops the program with a message that names the
variable (exit code 2) instead of failing later somewhere far from the cause.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from workbuoy.schemas.base import ENTITIES
from workbuoy.schemas.settings import check_base_url, origin_of

APP = "workbuoy"
#: The systemd credential (``LoadCredential[Encrypted]=wb_keyring_key:…``) holding the file keyring's key.
CREDENTIAL_NAME = "wb_keyring_key"


class ConfigError(ValueError):
    """A ``WB_*`` variable holds a value we cannot use."""


def _bool(name: str, raw: str) -> bool:
    v = raw.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name}={raw!r}: expected 1/0, true/false, yes/no or on/off")


def _number(name: str, raw: str, lo: float, hi: float, kind: type[int] | type[float] = int) -> float:
    noun = "an integer" if kind is int else "a number"
    try:
        v = kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected {noun}") from None
    if not lo <= v <= hi:
        raise ConfigError(f"{name}={raw!r}: expected {noun} from {lo} to {hi}")
    return v


def _url(name: str, raw: str) -> str:
    try:
        return check_base_url(raw.rstrip("/"))
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from None


def _choice(name: str, raw: str, choices: tuple[str, ...]) -> str:
    if raw not in choices:
        raise ConfigError(f"{name}={raw!r}: expected one of {', '.join(choices)}")
    return raw


@dataclass(frozen=True)
class Env:
    data_dir: Path
    portal_base_url: str = "https://app.workbuoy.com/portal"
    api_base_url: str = "https://app.workbuoy.com/api"
    email_base_url: str = "https://app.workbuoy.com/email"
    cal_base_url: str = "https://app.workbuoy.com/calendar"
    update_feed_url: str = "https://api.github.com/repos/workbuoy/desktop/releases"
    update_channel: str = "latest"
    update_auto: bool = True
    update_rollback_sec: float = 60.0
    prefer_bearer: bool = False
    sync_initial_delay_sec: float = 10.0
    sync_concurrency: int = 3
    crdt_tenants: frozenset[str] = field(default_factory=frozenset)
    metrics_port: int = 9464
    log_json: bool = False
    log_level: str = "INFO"
    heartbeat_sec: float = 1.0
    keyring_backend: str = "system"
    keyring_key: str | None = None
    db_max_pages: int | None = None  # read by workbuoy.store.db itself (every process opens the store)
    sentry_dsn: str | None = None
    #: Fork actors from the preloaded zygote where the OS can (``WB_ZYGOTE=0``: spawn each one fresh).
    zygote: bool = True
    #: Settings fields (Python names) that a ``WB_*`` variable sets for this run: they win
    #: over the saved settings, and the settings window shows them as set by the environment.
    settings_overrides: dict[str, Any] = field(default_factory=dict)
    #: Whether ``WB_API_BASE_URL`` was given; if not, the API follows the ``portalOrigin`` setting.
    api_base_explicit: bool = False
    #: Whether ``WB_EMAIL_BASE_URL`` / ``WB_CAL_BASE_URL`` were given; if not, they follow it too.
    email_base_explicit: bool = False
    cal_base_explicit: bool = False

    @property
    def portal_origin(self) -> str:
        return origin_of(self.portal_base_url)

    @property
    def portal_path(self) -> str:
        """The path of the portal's web pages under its origin (the contract's ``/portal``)."""
        return urlsplit(self.portal_base_url).path.rstrip("/") or "/portal"

    def api_base_for(self, origin: str) -> str:
        """The API base for the portal origin in use: ``WB_API_BASE_URL`` if given, else ``<origin>/api``."""
        return self.api_base_url if self.api_base_explicit else f"{origin}/api"

    def email_base_for(self, origin: str) -> str:
        """The e-mail base for the portal origin in use: ``WB_EMAIL_BASE_URL`` if given, else ``<origin>/email``."""
        return self.email_base_url if self.email_base_explicit else f"{origin}/email"

    def cal_base_for(self, origin: str) -> str:
        """The calendar base for the portal origin in use: ``WB_CAL_BASE_URL`` if given, else ``<origin>/calendar``."""
        return self.cal_base_url if self.cal_base_explicit else f"{origin}/calendar"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "workbuoy.db"


#: ``WB_*`` variables that set a user setting for the run: variable -> settings field.
SETTING_VARS = {
    "WB_PORTAL_BASE_URL": "portal_origin",
    "WB_PREFER_BEARER": "prefer_bearer_token",
    "WB_SYNC_POLL_SEC": "sync_interval_sec",
    "WB_SYNC_PAGE_SIZE": "sync_page_size",
    "WB_UPDATE_INTERVAL_MIN": "update_interval_min",
}


def _settings_overrides(get: Any, portal: str, prefer_bearer: bool) -> dict[str, Any]:
    """The settings the environment sets, validated with the settings' own bounds."""
    parsed = {
        "WB_PORTAL_BASE_URL": lambda: origin_of(portal),
        "WB_PREFER_BEARER": lambda: prefer_bearer,
        "WB_SYNC_POLL_SEC": lambda: _number("WB_SYNC_POLL_SEC", get("WB_SYNC_POLL_SEC"), 30, 86_400),
        "WB_SYNC_PAGE_SIZE": lambda: _number("WB_SYNC_PAGE_SIZE", get("WB_SYNC_PAGE_SIZE"), 1, 1000),
        # 0: only on demand (what the update tests use); otherwise at least every 5 minutes
        "WB_UPDATE_INTERVAL_MIN": lambda: 0 if get("WB_UPDATE_INTERVAL_MIN").strip() == "0"
        else _number("WB_UPDATE_INTERVAL_MIN", get("WB_UPDATE_INTERVAL_MIN"), 5, 10_080),
    }
    return {name: parsed[var]() for var, name in SETTING_VARS.items() if get(var) is not None}


def load(environ: dict[str, str] | None = None) -> Env:
    """Read and validate every ``WB_*`` variable; raise ``ConfigError`` naming the bad one."""
    e = os.environ if environ is None else environ
    get = e.get
    data_dir = Path(get("WB_DATA_DIR") or platformdirs.user_data_dir(APP)).expanduser()
    if not data_dir.is_absolute():
        data_dir = data_dir.resolve()
    portal = _url("WB_PORTAL_BASE_URL", get("WB_PORTAL_BASE_URL", Env.portal_base_url))
    origin = origin_of(portal)
    tenants = frozenset(t.strip() for t in get("WB_CRDT_TENANTS", "").split(",") if t.strip())
    prefer_bearer = _bool("WB_PREFER_BEARER", get("WB_PREFER_BEARER", "0"))
    return Env(
        data_dir=data_dir,
        portal_base_url=portal,
        api_base_url=_url("WB_API_BASE_URL", get("WB_API_BASE_URL", f"{origin}/api" if "WB_PORTAL_BASE_URL" in e else Env.api_base_url)),
        email_base_url=_url("WB_EMAIL_BASE_URL", get("WB_EMAIL_BASE_URL", f"{origin}/email")),
        cal_base_url=_url("WB_CAL_BASE_URL", get("WB_CAL_BASE_URL", f"{origin}/calendar")),
        update_feed_url=_url("WB_UPDATE_FEED_URL", get("WB_UPDATE_FEED_URL", Env.update_feed_url)),
        update_channel=_choice("WB_UPDATE_CHANNEL", get("WB_UPDATE_CHANNEL", "latest"), ("latest", "beta")),
        update_auto=_bool("WB_UPDATE_AUTO", get("WB_UPDATE_AUTO", "1")),
        update_rollback_sec=_number("WB_UPDATE_ROLLBACK_SEC", get("WB_UPDATE_ROLLBACK_SEC", "60"), 1, 3600, float),
        prefer_bearer=prefer_bearer,
        sync_initial_delay_sec=_number("WB_SYNC_INITIAL_DELAY_SEC", get("WB_SYNC_INITIAL_DELAY_SEC", "10"), 0, 86_400, float),
        sync_concurrency=_number("WB_SYNC_CONCURRENCY", get("WB_SYNC_CONCURRENCY", "3"), 1, len(ENTITIES)),
        crdt_tenants=tenants,
        metrics_port=_number("WB_METRICS_PORT", get("WB_METRICS_PORT", "9464"), 0, 65_535),
        log_json=_bool("WB_LOG_JSON", get("WB_LOG_JSON", "0")),
        log_level=_choice("WB_LOG_LEVEL", get("WB_LOG_LEVEL", "INFO").upper(), ("DEBUG", "INFO", "WARNING", "ERROR")),
        heartbeat_sec=_number("WB_HEARTBEAT_SEC", get("WB_HEARTBEAT_SEC", "1"), 0.05, 60, float),
        keyring_backend=_choice("WB_KEYRING_BACKEND", get("WB_KEYRING_BACKEND", "system"), ("system", "file")),
        keyring_key=get("WB_KEYRING_KEY") or None,
        db_max_pages=_number("WB_DB_MAX_PAGES", get("WB_DB_MAX_PAGES"), 1, 2**31 - 1) if get("WB_DB_MAX_PAGES") else None,
        sentry_dsn=get("SENTRY_DSN") or None,
        zygote=_bool("WB_ZYGOTE", get("WB_ZYGOTE", "1")),
        settings_overrides=_settings_overrides(get, portal, prefer_bearer),
        api_base_explicit="WB_API_BASE_URL" in e,
        email_base_explicit="WB_EMAIL_BASE_URL" in e,
        cal_base_explicit="WB_CAL_BASE_URL" in e,
    )
