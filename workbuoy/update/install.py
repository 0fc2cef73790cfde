"""Put a verified wheel in place of the running version, and put the old one back.

The app is a virtualenv with ``workbuoy`` installed from a wheel. Applying installs
the wheel with pip into a staging folder next to ``site-packages`` (same file system),
then swaps the package folder and its ``.dist-info`` by ``rename``: the old ones move
to a backup folder, which a rollback moves back. An editable install (a source
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
from workbuoy.update.feed import UpdateRefused

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


def swap_in(staged: Path, old_version: str, new_version: str) -> Path:
    """Move the running version to a backup and the staged one in; returns the backup folder."""
    site = site_dir()
    backup = work_dir() / "backup" / old_version
    shutil.rmtree(backup, ignore_errors=True)
    backup.mkdir(parents=True)
    for part in installed_parts(site, old_version):
        part.rename(backup / part.name)
    for part in installed_parts(staged, new_version):
        part.rename(site / part.name)
    shutil.rmtree(staged, ignore_errors=True)
    return backup


def swap_back(site: Path, backup: Path, failed_version: str) -> None:
    """Undo ``swap_in``: the failed version goes, the backup comes back."""
    for part in installed_parts(site, failed_version):
        shutil.rmtree(part, ignore_errors=True)
    for part in backup.iterdir():
        part.rename(site / part.name)
    backup.rmdir()
