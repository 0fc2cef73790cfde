"""The build command from this checkout: wheel, sdist and the headless bundle, which
installs offline, carries no Qt, renders a unit systemd accepts and runs a node."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.fixtures.node import HEADLESS_ACTORS
from tests.fixtures.releases import AppNode

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.timeout(900)


def test_build_then_install_the_headless_bundle_offline(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    done = subprocess.run([sys.executable, str(ROOT / "deploy" / "build.py"), "--out", str(out)], capture_output=True,
                          text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    printed = {Path(path).name: float(mb) for mb, path in re.findall(r"^\s*([\d.]+) MB  (\S+)$", done.stdout, re.M)}
    headless = next(n for n in printed if n.startswith("workbuoy-headless-0.1.0-"))
    assert set(printed) == {"workbuoy-0.1.0-py3-none-any.whl", "workbuoy-0.1.0.tar.gz", headless}, done.stdout
    assert all((out / n).stat().st_size > 0 for n in printed) and printed[headless] > 1  # the dependencies are inside
    bundle = out / headless

    with tarfile.open(bundle) as tar:
        members = tar.getnames()
        assert not [m for m in members if "pyside6" in m.lower() or "shiboken" in m.lower()]
        tar.extractall(tmp_path / "x", filter="data")
    (installer,) = (tmp_path / "x").glob("*/install.sh")
    prefix, config = tmp_path / "app", tmp_path / "config"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(config), "PYTHON": sys.executable,
           "PIP_NO_INDEX": "1"}  # offline: every wheel must be in the bundle
    inst = subprocess.run(["sh", str(installer), str(prefix)], env=env, capture_output=True, text=True, timeout=900)
    assert inst.returncode == 0, inst.stderr[-3000:]
    assert "installed: workbuoy 0.1.0" in inst.stdout

    unit = config / "systemd" / "user" / "workbuoy-node.service"
    assert f"ExecStart={prefix}/bin/workbuoy node" in unit.read_text()
    if shutil.which("systemd-analyze"):
        (tmp_path / "run").mkdir(mode=0o700)
        v = subprocess.run(["systemd-analyze", "--user", "verify", "--man=no", str(unit)], capture_output=True, text=True,
                           env={**env, "XDG_RUNTIME_DIR": str(tmp_path / "run")}, timeout=120)
        assert v.returncode == 0 and not v.stderr.strip(), v.stderr

    python = prefix / "bin" / "python"
    assert subprocess.run([str(python), "-c", "import PySide6"], capture_output=True).returncode != 0
    (tmp_path / "data").mkdir()
    node = AppNode(python, tmp_path / "data", {}).start()
    try:
        assert all(node.status().actors[a].state == "ready" for a in HEADLESS_ACTORS)
    finally:
        node.stop()


@pytest.mark.parametrize("platform", ["windows", "macos"])
def test_platform_release_dry_run_checks_inputs(tmp_path: Path, platform: str) -> None:
    script = ROOT / "deploy" / "release_platform.py"
    ok = subprocess.run([sys.executable, str(script), platform, "--dry-run"], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert ("signtool sign" if platform == "windows" else "xcrun notarytool submit") in ok.stdout
    assert "PyInstaller" in ok.stdout.splitlines()[0]

    broken = tmp_path / "deploy"  # a copy whose spec does not parse and whose entitlements are gone
    shutil.copytree(ROOT / "deploy", broken)
    (tmp_path / "workbuoy").symlink_to(ROOT / "workbuoy")
    (broken / "workbuoy.spec").write_text("a = Analysis(\n")
    (broken / "macos" / "entitlements.plist").unlink()
    bad = subprocess.run([sys.executable, str(script), platform, "--dry-run", "--deploy-dir", str(broken)],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "workbuoy.spec" in bad.stderr
    assert ("entitlements.plist" in bad.stderr) is (platform == "macos")
