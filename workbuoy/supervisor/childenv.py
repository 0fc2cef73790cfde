"""What each actor process is given: an environment built on purpose, and its secrets on stdin.

Every process of the user can read ``/proc/<pid>/environ`` and ``/proc/<pid>/cmdline`` of
every other one, so no secret travels there: the spawn key, the routing identity and
the file keyring's key go to the child on its stdin (``SpawnSecrets``), and the keyring
key to the auth actor only. The environment holds what the child needs to run
(locale, folders, D-Bus, the ``WB_*`` configuration, proxies and CA bundles for httpx,
the display for the ui) and nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from workbuoy import logs as wblog
from workbuoy.config import CREDENTIAL_NAME, Env
from workbuoy.platform import current

log = wblog.create("supervisor.childenv")

KEYRING_KEY_VAR = "WB_KEYRING_KEY"

#: Configuration every actor reads (``config.load``, ``runtime.locate``, crash reports, metrics).
CONFIG = (
    "WB_DATA_DIR", "WB_PORTAL_BASE_URL", "WB_API_BASE_URL", "WB_EMAIL_BASE_URL", "WB_CAL_BASE_URL",
    "WB_UPDATE_FEED_URL", "WB_UPDATE_CHANNEL", "WB_UPDATE_INTERVAL_MIN", "WB_UPDATE_AUTO", "WB_UPDATE_ROLLBACK_SEC",
    "WB_PREFER_BEARER", "WB_SYNC_POLL_SEC", "WB_SYNC_PAGE_SIZE", "WB_SYNC_INITIAL_DELAY_SEC",
    "WB_SYNC_CONCURRENCY", "WB_CRDT_TENANTS", "WB_METRICS_PORT", "WB_LOG_JSON", "WB_LOG_LEVEL",
    "WB_HEARTBEAT_SEC", "WB_DB_MAX_PAGES", "WB_KEYRING_BACKEND", "WB_RUNTIME_DIR", "WB_BUS_TRANSPORT", "WB_BUS_CURVE", "WB_ZYGOTE",
    "SENTRY_DSN", "PROMETHEUS_MULTIPROC_DIR",
)
#: The process itself: interpreter, locale, home and temporary folders (Windows' too), D-Bus.
SYSTEM = (
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "DBUS_SESSION_BUS_ADDRESS",
    "PYTHONPATH", "PYTHONHOME", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PYTHONFAULTHANDLER",
    "PYTHONIOENCODING", "PYTHONUTF8", "PYTHONWARNINGS",
    "SYSTEMROOT", "COMSPEC", "PATHEXT", "APPDATA", "LOCALAPPDATA", "USERPROFILE", "USERNAME", "TEMP", "TMP",
)
#: What httpx reads (proxies and CA bundles) for the actors that talk to the portal.
NETWORK = (
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy",
    "SSL_CERT_FILE", "SSL_CERT_DIR",
)
PREFIXES = ("LC_", "XDG_")
#: A window on the user's screen (the ui and the portal), and the user's browser for links.
DISPLAY = ("DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "DESKTOP_SESSION", "SESSION_MANAGER", "BROWSER")
#: Per actor, on top of the above.
EXTRA: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # name -> (variables, prefixes)
    "auth": (("PYTHON_KEYRING_BACKEND",), ()),
    "ui": (DISPLAY, ("QT_",)),
    "portal": (DISPLAY, ("QT_", "QTWEBENGINE_")),
}


def child_environ(name: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of actor ``name``: the variables it needs from ``environ``, nothing else."""
    source = os.environ if environ is None else environ
    extra, extra_prefixes = EXTRA.get(name, ((), ()))
    names = {*CONFIG, *SYSTEM, *NETWORK, *extra}
    prefixes = (*PREFIXES, *extra_prefixes)
    return {k: v for k, v in source.items() if k in names or k.startswith(prefixes)}


def take_keyring_key(env: Env) -> str | None:
    """The file keyring's key for the auth actor, from ``WB_KEYRING_KEY`` or the systemd credential.

    The caller keeps it in memory (a restarted auth actor needs it again); the variable
    is wiped from this process's environment, including the copy ``/proc/<pid>/environ`` shows.
    """
    key = env.keyring_key
    folder = os.environ.get("CREDENTIALS_DIRECTORY")
    if not key and folder:
        try:
            key = Path(folder, CREDENTIAL_NAME).read_text().strip() or None
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("cannot read the credential %s: %s", CREDENTIAL_NAME, exc)
    scrub(KEYRING_KEY_VAR)
    return key


def scrub(name: str) -> None:
    """Remove ``name`` from our environment and overwrite its value where ``/proc/<pid>/environ`` reads it."""
    if name not in os.environ:
        return
    current.scrub_native_environ(name)
    del os.environ[name]
