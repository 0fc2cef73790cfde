"""A small static update feed in the shape of GitHub's ``GET /repos/{owner}/{repo}/releases``.

Asset URLs point at GitHub-like download paths under the sandbox origin; the
sandbox does not serve the files (404) — it only exercises feed parsing and the
``latest``/``beta`` channel choice. Newest release first, like GitHub.
"""

from __future__ import annotations

from workbuoy.sandbox.models import Asset, Release

_RELEASES = (
    (3, "v0.3.0-beta.1", True, "2026-11-20T09:00:00Z"),
    (2, "v0.2.0", False, "2026-10-01T09:00:00Z"),
    (1, "v0.1.0", False, "2026-08-15T09:00:00Z"),
)


def releases(origin: str) -> list[Release]:
    base = f"{origin}/repos/workbuoy/desktop/releases"
    out = []
    for rid, tag, pre, published in _RELEASES:
        version = tag.removeprefix("v")
        names = (f"workbuoy-{version}-py3-none-any.whl", f"workbuoy-{version}-py3-none-any.whl.sig")
        out.append(Release(
            id=rid, tag_name=tag, name=f"WorkBuoy Desktop {version}", draft=False, prerelease=pre,
            published_at=published, html_url=f"{base}/tag/{tag}",
            assets=[Asset(name=n, browser_download_url=f"{base}/download/{tag}/{n}", size=0,
                          content_type="application/octet-stream") for n in names],
        ))
    return out
