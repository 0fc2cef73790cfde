"""Build, sign and package the desktop bundle on the Windows or macOS release machine.

    python deploy/release_platform.py windows|macos [--dry-run] [--version V]

The secrets follow electron-builder's names so existing CI secrets carry over:
Windows ``CSC_LINK`` (path to the .pfx code-signing certificate) and
``CSC_KEY_PASSWORD``; macOS ``APPLE_SIGNING_IDENTITY`` ("Developer ID Application:
…"), ``APPLE_ID``, ``APPLE_APP_SPECIFIC_PASSWORD`` and ``APPLE_TEAM_ID`` for
notarization. ``--dry-run`` runs anywhere (CI): it checks that the spec and
entitlements parse and every input exists, names the secrets that are missing, and
prints the commands without running them. It exits 1 when an input is missing.
"""

from __future__ import annotations

import argparse
import os
import plistlib
import shlex
import subprocess
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
SECRETS = {
    "windows": ("CSC_LINK", "CSC_KEY_PASSWORD"),
    "macos": ("APPLE_SIGNING_IDENTITY", "APPLE_ID", "APPLE_APP_SPECIFIC_PASSWORD", "APPLE_TEAM_ID"),
}


def version(deploy: Path) -> str:
    text = (deploy.parent / "workbuoy" / "__init__.py").read_text()
    return text.split('__version__ = "', 1)[1].split('"', 1)[0]


def steps(platform: str, deploy: Path, ver: str) -> list[list[str]]:
    dist = deploy.parent / "dist"
    build = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--distpath", str(dist), str(deploy / "workbuoy.spec")]
    if platform == "windows":
        exe = dist / "workbuoy" / "workbuoy.exe"
        return [
            build,
            ["signtool", "sign", "/f", "$CSC_LINK", "/p", "$CSC_KEY_PASSWORD", "/fd", "sha256",
             "/tr", "http://timestamp.digicert.com", "/td", "sha256", str(exe)],
            ["signtool", "verify", "/pa", str(exe)],
            ["powershell", "-NoProfile", "-Command",
             f"Compress-Archive -Path '{dist / 'workbuoy'}' -DestinationPath '{dist / f'workbuoy-desktop-{ver}-windows-x64.zip'}'"],
        ]
    app, zipped = dist / "WorkBuoy.app", dist / f"workbuoy-desktop-{ver}-macos.zip"
    return [
        build,
        ["codesign", "--force", "--deep", "--timestamp", "--options", "runtime", "--entitlements",
         str(deploy / "macos" / "entitlements.plist"), "--sign", "$APPLE_SIGNING_IDENTITY", str(app)],
        ["codesign", "--verify", "--deep", "--strict", str(app)],
        ["ditto", "-c", "-k", "--keepParent", str(app), str(zipped)],
        ["xcrun", "notarytool", "submit", str(zipped), "--apple-id", "$APPLE_ID", "--password",
         "$APPLE_APP_SPECIFIC_PASSWORD", "--team-id", "$APPLE_TEAM_ID", "--wait"],
        ["xcrun", "stapler", "staple", str(app)],
        ["ditto", "-c", "-k", "--keepParent", str(app), str(zipped)],  # again, with the ticket stapled
    ]


def check_inputs(platform: str, deploy: Path) -> list[str]:
    """Every file the build reads must exist and parse; returns the problems."""
    problems = []
    for needed in ("workbuoy.spec", "bundle_launcher.py"):
        path = deploy / needed
        try:
            compile(path.read_text(), str(path), "exec")
        except (OSError, SyntaxError) as exc:
            problems.append(f"{path}: {exc}")
    if platform == "macos":
        try:
            plistlib.loads((deploy / "macos" / "entitlements.plist").read_bytes())
        except (OSError, plistlib.InvalidFileException, ValueError) as exc:
            problems.append(f"{deploy / 'macos' / 'entitlements.plist'}: {exc}")
    if not (deploy.parent / "workbuoy" / "desktop" / "workbuoy.svg").exists():
        problems.append("workbuoy/desktop/workbuoy.svg is missing")
    return problems


def expand(cmd: list[str]) -> list[str]:
    return [os.environ.get(a[1:], "") if a.startswith("$") else a for a in cmd]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("platform", choices=sorted(SECRETS))
    p.add_argument("--dry-run", action="store_true", help="check inputs and secrets, print the commands, run nothing")
    p.add_argument("--deploy-dir", type=Path, default=DEPLOY, help=argparse.SUPPRESS)  # tests point it at a copy
    args = p.parse_args(argv)
    deploy = args.deploy_dir.resolve()
    problems = check_inputs(args.platform, deploy)
    for problem in problems:
        print(f"missing input: {problem}", file=sys.stderr)
    missing = [s for s in SECRETS[args.platform] if not os.environ.get(s)]
    if missing:
        print(f"secrets not set: {' '.join(missing)}", file=sys.stderr)
    plan = steps(args.platform, deploy, version(deploy))
    if args.dry_run:
        for cmd in plan:
            print(shlex.join(cmd))
        return 1 if problems else 0
    if problems or missing:
        return 1
    for cmd in plan:
        subprocess.run(expand(cmd), check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
