"""The update feed, in the shape of GitHub's ``GET /repos/{owner}/{repo}/releases``.

With ``--releases DIR`` the feed is real: every ``DIR/<tag>/`` written by the release
command (``python -m workbuoy.update.publish``) is a release whose files are its
assets, read at each request so a test can publish, tamper or replay while the
server runs. An asset URL answers 302 to ``/_downloads/<tag>/<name>``, as GitHub
redirects to its storage host. Without ``DIR`` a small placeholder feed is served
whose assets do not exist (404). Newest release first, like GitHub.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from workbuoy.sandbox.models import Asset, Release
from workbuoy.sandbox.web import json_response, sb

FEED = "/repos/workbuoy/desktop/releases"
_PLACEHOLDER = (
    ("v0.3.0-beta.1", True, "2026-11-20T09:00:00Z"),
    ("v0.2.0", False, "2026-10-01T09:00:00Z"),
    ("v0.1.0", False, "2026-08-15T09:00:00Z"),
)


class ReleaseInfo(msgspec.Struct):
    tag_name: str
    prerelease: bool = False
    published_at: str = "1970-01-01T00:00:00Z"


def _release(origin: str, rid: int, info: ReleaseInfo, files: list[tuple[str, int]]) -> Release:
    base = f"{origin}{FEED}"
    version = info.tag_name.removeprefix("v")
    return Release(
        id=rid, tag_name=info.tag_name, name=f"WorkBuoy Desktop {version}", draft=False, prerelease=info.prerelease,
        published_at=info.published_at, html_url=f"{base}/tag/{info.tag_name}",
        assets=[Asset(name=n, browser_download_url=f"{base}/download/{info.tag_name}/{n}", size=size,
                      content_type="application/octet-stream") for n, size in files],
    )


def releases(origin: str, folder: Path | None) -> list[Release]:
    if folder is None:
        return [_release(origin, 3 - i, ReleaseInfo(tag, pre, at), [(f"workbuoy-{tag[1:]}-py3-none-any.whl", 0)])
                for i, (tag, pre, at) in enumerate(_PLACEHOLDER)]
    found = []
    for meta in folder.glob("*/release.json"):
        try:
            info = msgspec.json.decode(meta.read_bytes(), type=ReleaseInfo)
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            continue  # a release being written, or not one of ours
        files = [(f.name, f.stat().st_size) for f in sorted(meta.parent.iterdir()) if f.name != "release.json"]
        found.append((info, files))
    found.sort(key=lambda r: r[0].published_at, reverse=True)
    return [_release(origin, len(found) - i, info, files) for i, (info, files) in enumerate(found)]


def asset_file(folder: Path | None, tag: str, name: str) -> Path | None:
    """The asset's file, only if it is a regular file directly inside a release folder."""
    if folder is None or name.startswith(".") or name == "release.json" or tag.startswith("."):
        return None
    path = folder / tag / name
    return path if path.is_file() and path.resolve().parent == (folder / tag).resolve() else None


async def feed(request: Request) -> Response:
    return json_response(releases(sb(request).origin, sb(request).settings.releases))


async def download(request: Request) -> Response:
    tag, name = request.path_params["tag"], request.path_params["name"]
    if asset_file(sb(request).settings.releases, tag, name) is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return RedirectResponse(f"/_downloads/{tag}/{name}", status_code=302)


async def stored(request: Request) -> Response:
    path = asset_file(sb(request).settings.releases, request.path_params["tag"], request.path_params["name"])
    if path is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return FileResponse(path, media_type="application/octet-stream")


ROUTES = [
    Route(FEED, feed, methods=["GET"]),
    Route(FEED + "/download/{tag}/{name}", download, methods=["GET"]),
    Route("/_downloads/{tag}/{name}", stored, methods=["GET"]),
]
