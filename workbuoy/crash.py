"""Crash reports to Sentry: only with a DSN, and with nothing in them that names the user.

Without ``SENTRY_DSN`` nothing is imported or sent: a build without a DSN pays no
start-up cost and cannot leak. With one, unhandled exceptions (main thread and
threads, via Sentry's default integrations) and ``ERROR`` log records are reported,
and everything leaving the process is masked twice over: Sentry's own
``EventScrubber`` with a longer deny-list, then :func:`workbuoy.masking.mask_obj` on
every event and breadcrumb, which also masks tokens, cookies and e-mail addresses
inside exception messages and log lines. Local variables, request bodies and the
host name (often the user's name: ``doras-macbook``) are never sent.

Call ``workbuoy.logs.setup`` first: Sentry then wraps our exception hook and both
see every unhandled exception.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbuoy import __version__
from workbuoy.masking import mask_obj

if TYPE_CHECKING:
    from workbuoy.config import Env

#: Added to ``sentry_sdk.scrubber.DEFAULT_DENYLIST``; Sentry compares keys lower-cased and exactly.
DENYLIST = [
    "access_token",
    "accesstoken",
    "refresh_token",
    "refreshtoken",
    "id_token",
    "client_secret",
    "wb_session",
    "key",
    "keyring_key",
    "x-api-key",
    "proxy_authorization",
    "set-cookie",
]


def _mask(item: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    masked: dict[str, Any] = mask_obj(item)
    return masked


def init(process: str, env: Env) -> bool:
    """Start Sentry for this process when ``env.sentry_dsn`` is set; return whether it was started."""
    if not env.sentry_dsn:
        return False
    import sentry_sdk
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=env.sentry_dsn,
        release=f"workbuoy@{__version__}",
        server_name="workbuoy-desktop",
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        event_scrubber=EventScrubber(denylist=[*DEFAULT_DENYLIST, *DENYLIST], recursive=True),
        before_send=_mask,
        before_breadcrumb=_mask,
    )
    sentry_sdk.get_global_scope().set_tag("process", process)
    return True
