"""The folder swap on real files: at no instant is the package missing, and a rollback restores it."""

from __future__ import annotations

import threading
from pathlib import Path

from workbuoy.update import install


def fake_version(folder: Path, version: str) -> None:
    (folder / "workbuoy").mkdir(parents=True)
    (folder / "workbuoy" / "__init__.py").write_text(f'__version__ = "{version}"\n')
    (folder / f"workbuoy-{version}.dist-info").mkdir()


def test_the_package_is_never_missing_during_swaps(tmp_path: Path) -> None:
    site, work = tmp_path / "site-packages", tmp_path / ".workbuoy-update"
    fake_version(site, "1.0")
    init = site / "workbuoy" / "__init__.py"
    missing, stop = [], threading.Event()

    def watch() -> None:  # what a process starting at any instant would find
        while not stop.is_set():
            if not init.exists():
                missing.append(1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(200):
            staged = work / "staged" / "2.0"
            fake_version(staged, "2.0")
            backup = install.swap_in(site, staged, "1.0", "2.0")
            assert init.read_text() == '__version__ = "2.0"\n'
            install.swap_back(site, backup, "2.0")
            assert init.read_text() == '__version__ = "1.0"\n'
    finally:
        stop.set()
        watcher.join()
    assert sorted(p.name for p in site.iterdir()) == ["workbuoy", "workbuoy-1.0.dist-info"]
    assert not missing, f"the package was missing {len(missing)} times"
