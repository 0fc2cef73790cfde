"""Put a verified wheel in place of the running version, and put the old one back.

The app is a virtualenv with ``workbuoy`` installed from a wheel. Applying installs
the wheel with pip into a staging folder next to ``site-packages`` (same file system),
then exchanges the package folder with the staged one in one atomic ``renameat2`` step
(two renames where that is not available) and moves the ``.dist-info`` folders: the
old ones go to a backup folder, which a rollback exchanges back. An editable install (a source
checkout) is never touched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from email.parser import BytesParser
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

import workbuoy
from workbuoy.platform import current as this_os
from workbuoy.update.state import UpdateRefused

PACKAGE = "workbuoy"


def site_dir() -> Path:
    return Path(workbuoy.__file__).resolve().parent.parent


def work_dir() -> Path:
    """Staging and backups live beside site-packages so that renames stay on one file system."""
    return site_dir().parent / ".workbuoy-update"


def installed_parts(site: Path, version: str) -> list[Path]:
    return [site / PACKAGE, site / f"{PACKAGE}-{version}.dist-info"]


def check_installable(version: str) -> None:
    """Refuse when the running code is not a wheel install we may replace."""
    site = site_dir()
    if not all(p.exists() for p in installed_parts(site, version)):
        raise UpdateRefused("not_installable", f"{site / PACKAGE} is not a wheel install (a source checkout?); updates are only reported")


def stage(wheel: Path, version: str) -> Path:
    """pip-install the verified wheel into ``<work>/staged/<version>`` and check its dependencies."""
    target = work_dir() / "staged" / version
    shutil.rmtree(target, ignore_errors=True)
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--no-index",
           "--no-compile", "--target", str(target), str(wheel)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise UpdateRefused("install_failed", f"pip could not install {wheel.name}: {done.stderr.strip()[-500:]}")
    _check_dependencies(target / f"{PACKAGE}-{version}.dist-info" / "METADATA")
    return target


def _check_dependencies(metadata_file: Path) -> None:
    """The new version runs with this virtualenv's libraries: each must satisfy its requirements."""
    meta = BytesParser().parse(metadata_file.open("rb"), headersonly=True)
    for line in meta.get_all("Requires-Dist") or []:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        try:
            have = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            have = None
        if have is None or not req.specifier.contains(have, prereleases=True):
            raise UpdateRefused("needs_dependencies", f"the new version needs {req}, this install has {have or 'none'}")


def _replace_package(site: Path, incoming: Path, outgoing: Path) -> None:
    """``incoming`` becomes ``site/workbuoy`` and the current one ``outgoing``: one atomic step where possible,
    so a kill -9 never leaves the virtualenv without a ``workbuoy`` package."""
    current = site / PACKAGE
    if this_os.exchange_paths(current, incoming):
        incoming.rename(outgoing)  # after the exchange, ``incoming`` holds the old package
    else:
        current.rename(outgoing)
        incoming.rename(current)


def swap_in(site: Path, staged: Path, old_version: str, new_version: str) -> Path:
    """Move the running version to a backup and the staged one in; returns the backup folder."""
    backup = staged.parent.parent / "backup" / old_version
    shutil.rmtree(backup, ignore_errors=True)
    backup.mkdir(parents=True)
    _replace_package(site, staged / PACKAGE, backup / PACKAGE)
    (staged / f"{PACKAGE}-{new_version}.dist-info").rename(site / f"{PACKAGE}-{new_version}.dist-info")
    (site / f"{PACKAGE}-{old_version}.dist-info").rename(backup / f"{PACKAGE}-{old_version}.dist-info")
    shutil.rmtree(staged, ignore_errors=True)
    return backup


def swap_back(site: Path, backup: Path, failed_version: str) -> None:
    """Undo ``swap_in``: the backup comes back, the failed version goes."""
    failed = backup.with_name(backup.name + ".failed")
    shutil.rmtree(failed, ignore_errors=True)
    failed.mkdir()
    _replace_package(site, backup / PACKAGE, failed / PACKAGE)
    for info in backup.glob("*.dist-info"):
        info.rename(site / info.name)
    (site / f"{PACKAGE}-{failed_version}.dist-info").rename(failed / f"{PACKAGE}-{failed_version}.dist-info")
    backup.rmdir()
    shutil.rmtree(failed, ignore_errors=True)
