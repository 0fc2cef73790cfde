"""The update feed: GitHub's ``GET /repos/{owner}/{repo}/releases``, newest first.

Nothing in the feed is trusted: it only says where assets are. Which version is
offered is decided here (channel + ``packaging.version``); whether it may be used
is decided by TUF (``trust``).
"""

from __future__ import annotations

import httpx
import msgspec
from packaging.version import InvalidVersion, Version

from workbuoy.update.state import UpdateRefused

MAX_FEED_BYTES = 4 * 1024 * 1024


class Asset(msgspec.Struct):
    name: str
    browser_download_url: str


class Release(msgspec.Struct):
    tag_name: str
    prerelease: bool = False
    draft: bool = False
    assets: list[Asset] = []

    @property
    def version(self) -> Version | None:
        try:
            return Version(self.tag_name.removeprefix("v"))
        except InvalidVersion:
            return None

    def asset_urls(self) -> dict[str, str]:
        return {a.name: a.browser_download_url for a in self.assets}


def fetch(client: httpx.Client, url: str) -> list[Release]:
    """The feed as typed releases; any transport, HTTP or shape problem is ``feed_error``."""
    try:
        body = bytearray()
        with client.stream("GET", url, headers={"Accept": "application/vnd.github+json"}, follow_redirects=True) as r:
            r.raise_for_status()
            for chunk in r.iter_bytes():
                body += chunk
                if len(body) > MAX_FEED_BYTES:  # a hostile server must not make us buffer without end
                    raise UpdateRefused("feed_error", f"the feed is larger than {MAX_FEED_BYTES} bytes")
        return msgspec.json.decode(body, type=list[Release])
    except httpx.HTTPError as exc:
        raise UpdateRefused("feed_error", f"cannot read the update feed {url}: {exc}") from None
    except msgspec.DecodeError as exc:
        raise UpdateRefused("feed_error", f"the update feed is not a release list: {exc}") from None


def choose(releases: list[Release], channel: str) -> Release | None:
    """The highest version on the channel: ``latest`` takes releases only, ``beta`` pre-releases too."""
    eligible = [r for r in releases if not r.draft and r.version is not None and (channel == "beta" or not r.prerelease)]
    return max(eligible, key=lambda r: r.version, default=None)


def metadata_release(releases: list[Release]) -> Release | None:
    """The newest release that carries TUF metadata: it holds the repository's newest state."""
    return next((r for r in releases if "timestamp.json" in r.asset_urls()), None)
