"""Build the release artifacts from this checkout and print their sizes.

    python deploy/build.py [--out dist] [--version V] [--root root.json] [--desktop]

- the wheel and the sdist (``--root``: the TUF root the app will trust for updates;
  the release command ``python -m workbuoy.update.publish`` passes its own);
- the headless-node bundle: the wheel and every dependency as wheels (no Qt), the
  systemd units and ``install.sh``, which installs offline into a virtualenv;
- with ``--desktop``, the Linux desktop bundle: PyInstaller one-folder
  (``deploy/workbuoy.spec``), with the launcher, the desktop entry and the icon.
  It takes minutes and ~0.5 GB of scratch space, so CI runs it only in
  ``deploy/check.sh``, not in the test suite.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from workbuoy import __version__  # noqa: E402
from workbuoy.update.publish import build  # noqa: E402


def headless_bundle(wheel: Path, version: str, out: Path) -> Path:
    """A tarball that installs the headless node without network: wheels + install.sh + units."""
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}-{sysconfig.get_platform().replace('-', '_')}"
    name = f"workbuoy-headless-{version}-{tag}"
    with tempfile.TemporaryDirectory(prefix="workbuoy-bundle-") as tmp:
        tree = Path(tmp) / name
        wheels = tree / "wheels"
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--wheel-dir",
                        str(wheels), str(wheel)], check=True, timeout=1800)
        if any(w.name.lower().startswith(("pyside6", "shiboken6")) for w in wheels.iterdir()):
            raise SystemExit("the headless bundle must not contain Qt")
        shutil.copytree(HERE / "systemd", tree / "systemd", ignore=shutil.ignore_patterns("*.sh"))
        shutil.copy2(HERE / "headless" / "install.sh", tree / "install.sh")
        target = out / f"{name}.tar.gz"
        with tarfile.open(target, "w:gz") as tar:
            tar.add(tree, arcname=name)
    return target


def desktop_bundle(out: Path) -> Path:
    """PyInstaller one-folder build of the desktop app (needs the ui extra and pyinstaller)."""
    work = out / "pyinstaller-work"
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--distpath", str(out),
                    "--workpath", str(work), str(HERE / "workbuoy.spec")], check=True, cwd=ROOT, timeout=3600)
    shutil.rmtree(work, ignore_errors=True)
    folder = out / "workbuoy"
    target = out / f"workbuoy-desktop-{__version__}-linux-{platform.machine()}"
    shutil.rmtree(target, ignore_errors=True)
    folder.rename(target)
    return target


def size(path: Path) -> int:
    if not path.is_dir():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())  # a link is not a copy


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=ROOT / "dist")
    p.add_argument("--version", default=__version__)
    p.add_argument("--root", type=Path, help="TUF root.json to ship (enables signed updates)")
    p.add_argument("--desktop", action="store_true", help="also build the PyInstaller desktop bundle")
    args = p.parse_args(argv)
    out = args.out.resolve()
    wheel, sdist = build(ROOT, args.version, args.root, out)
    artifacts = [wheel, sdist, headless_bundle(wheel, args.version, out)]
    if args.desktop:
        artifacts.append(desktop_bundle(out))
    for a in artifacts:
        print(f"{size(a) / 1e6:>9.1f} MB  {a}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
