"""Verification with python-tuf: the library refuses, this module only names the reason.

The root metadata ships inside the app (``workbuoy/update/root.json``, written by the
release command into the wheel). ``timestamp.json``, ``snapshot.json``,
``targets.json`` and ``N.root.json`` are release assets. Trusted metadata is kept in
``<data>/update/metadata`` so that a replayed older feed (a lower version than one
already seen) is refused by TUF's rollback check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import httpx
from packaging.version import InvalidVersion, Version
from tuf.api import exceptions as tuf_errors
from tuf.ngclient import FetcherInterface, Updater, UpdaterConfig

from workbuoy.update.feed import Release, metadata_release
from workbuoy.update.state import UpdateRefused

SCHEME = "asset:///"  # URLs TUF builds are names of release assets, resolved by AssetFetcher
CHUNK = 64 * 1024

#: TUF's errors, most specific first, and the reason each becomes.
_REASONS: tuple[tuple[type[Exception], str], ...] = (
    (tuf_errors.ExpiredMetadataError, "expired"),
    (tuf_errors.BadVersionNumberError, "rollback"),
    (tuf_errors.LengthOrHashMismatchError, "tampered"),
    (tuf_errors.DownloadLengthMismatchError, "tampered"),
    (tuf_errors.UnsignedMetadataError, "bad_signature"),
    (tuf_errors.RepositoryError, "bad_metadata"),
    (tuf_errors.DownloadError, "download_failed"),
)


class AssetFetcher(FetcherInterface):
    """Resolves ``asset:///name`` to the release asset's URL and streams it with httpx.

    Redirects are followed (GitHub serves assets from another host). A name the
    release does not carry answers 404, which TUF reads as "no newer root". Wheels are
    also written to ``<partial>/<name>.part`` as they arrive, so an interrupted download
    resumes with a ``Range`` request at the next check; TUF still verifies the whole file.
    """

    def __init__(self, client: httpx.Client, assets: dict[str, str], partial: Path,
                 progress: Callable[[str, int], None]) -> None:
        self.client = client
        self.assets = assets
        self.partial = partial
        self.progress = progress

    def _fetch(self, url: str) -> Iterator[bytes]:
        name = url.removeprefix(SCHEME)
        if name not in self.assets:
            raise tuf_errors.DownloadHTTPError(f"{name} is not an asset of the release", 404)
        return self._stream(name, self.assets[name])

    def _stream(self, name: str, url: str) -> Iterator[bytes]:
        part = self.partial / f"{name}.part" if name.endswith(".whl") else None
        have = part.read_bytes() if part is not None and part.exists() else b""
        headers = {"Range": f"bytes={len(have)}-"} if have else {}
        try:
            with self.client.stream("GET", url, headers=headers, follow_redirects=True) as r:
                if r.status_code not in (200, 206) or (r.status_code == 206 and not have):
                    raise tuf_errors.DownloadHTTPError(f"GET {url}: HTTP {r.status_code}", r.status_code)
                if r.status_code == 206:
                    yield have  # the server resumed where the last attempt stopped
                received = len(have) if r.status_code == 206 else 0
                with open(part, "ab" if r.status_code == 206 else "wb") if part is not None else nullcontext() as keep:
                    for chunk in r.iter_bytes(CHUNK):
                        if keep is not None:
                            keep.write(chunk)
                        received += len(chunk)
                        self.progress(name, received)
                        yield chunk
        except httpx.HTTPError as exc:
            raise tuf_errors.DownloadError(f"GET {url}: {exc}") from exc
        if part is not None:
            part.unlink(missing_ok=True)  # complete: TUF verifies it, a new check starts afresh


@dataclass(frozen=True)
class Verified:
    path: Path
    version: Version


def verify(client: httpx.Client, releases: list[Release], chosen: Release, *, metadata_dir: Path, staging: Path,
           root: bytes, current: Version, progress: Callable[[str, int], None] = lambda n, b: None) -> Verified:
    """Refresh TUF metadata from the newest release and download ``chosen``'s wheel, verified.

    Raises ``UpdateRefused`` with the reason: TUF's (expired, rollback, tampered,
    bad_signature, ...), ``not_listed`` for a wheel the signed targets do not name,
    ``downgrade`` when the signed version is not newer than the running one.
    """
    meta = metadata_release(releases)
    if meta is None:
        raise UpdateRefused("not_signed", "no release in the feed carries TUF metadata (timestamp.json)")
    wheel = next((n for n in chosen.asset_urls() if n.endswith(".whl")), None)
    if wheel is None:
        raise UpdateRefused("not_listed", f"release {chosen.tag_name} has no wheel")
    metadata_dir.mkdir(parents=True, exist_ok=True)
    staging.mkdir(parents=True, exist_ok=True)
    assets = {**chosen.asset_urls(), **{n: u for n, u in meta.asset_urls().items() if n.endswith(".json")}}
    updater = Updater(str(metadata_dir), SCHEME, str(staging), SCHEME, AssetFetcher(client, assets, staging, progress),
                      UpdaterConfig(prefix_targets_with_hash=False), bootstrap=root)
    try:
        updater.refresh()
        info = updater.get_targetinfo(wheel)
        if info is None:
            raise UpdateRefused("not_listed", f"{wheel} is not listed in the signed targets")
        signed_version = _signed_version(info.custom.get("version"), wheel)
        if signed_version <= current:
            raise UpdateRefused("downgrade", f"{chosen.tag_name} carries version {signed_version}, not newer than {current}")
        path = updater.find_cached_target(info) or updater.download_target(info)
    except tuf_errors.RepositoryError as exc:
        raise _refusal(exc) from None
    except tuf_errors.DownloadError as exc:
        raise _refusal(exc) from None
    return Verified(Path(path), signed_version)


def _signed_version(raw: object, wheel: str) -> Version:
    try:
        version = Version(str(raw))
    except InvalidVersion:
        raise UpdateRefused("bad_metadata", f"the signed target {wheel} has no valid version ({raw!r})") from None
    if f"-{version}-" not in wheel:
        raise UpdateRefused("bad_metadata", f"{wheel} does not carry its signed version {version}")
    return version


def _refusal(exc: Exception) -> UpdateRefused:
    reason = next(r for cls, r in _REASONS if isinstance(exc, cls))
    logging.getLogger("workbuoy.update").debug("tuf refused", exc_info=exc)
    return UpdateRefused(reason, f"{reason}: {exc}")
