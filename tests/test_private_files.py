"""Another local user reads nothing: the data folder is 0700 and every file in it 0600.

Every node here runs under ``umask 022`` (the usual default, which would leave files
0644 and folders 0755), so a passing walk proves the node does not rely on the
user's umask.
"""

from __future__ import annotations

import importlib.util
import logging
import logging.handlers
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.node import Node, wait_for
from tests.fixtures.signed_in import signed_in_node, sync

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask for this test and every process it starts; restored after."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def too_open(folder: Path) -> list[str]:
    """Every entry under ``folder`` (and itself) that is not a 0700 folder or a 0600 file."""
    found = []
    for path in [folder, *folder.rglob("*")]:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode) or stat.S_ISSOCK(st.st_mode):
            found.append(f"{path}: {stat.filemode(st.st_mode)} (not expected in the data folder)")
            continue
        want = 0o700 if stat.S_ISDIR(st.st_mode) else 0o600
        if stat.S_IMODE(st.st_mode) != want:
            found.append(f"{path}: {oct(stat.S_IMODE(st.st_mode))}, want {oct(want)}")
    return found


def test_a_signed_in_synced_exporting_node_under_umask_022_keeps_every_file_private(umask_022, sandbox, node_factory):
    node = signed_in_node(node_factory, sandbox)
    sync(node)
    assert node.call("wb:plugins:toggle", {"id": "csv-export", "enabled": True}).enabled
    node.call("wb:updateSettings", {"syncPageSize": 77})
    data = node.data_dir
    wait_for(lambda: (data / "settings.json").exists(), 10, what="settings.json")
    names = [p.name for p in data.rglob("*")]
    for kind in (".db", ".db-wal", ".db-shm", "keyring.cfg", "settings.json", "exports", "supervisor.log", ".stderr", ".csv"):
        assert any(n.endswith(kind) for n in names), f"no {kind} was created, so this walk would prove nothing about it"
    assert too_open(data) == []


def tightening_lines(data: Path) -> list[str]:
    return [line for line in (data / "logs" / "supervisor.log").read_text().splitlines() if "open to other users" in line]


def test_an_existing_world_readable_folder_is_tightened_with_one_log_line(umask_022, node_factory):
    desktop = importlib.util.find_spec("PySide6") is not None  # the ui actor's files too, when it can run
    node = node_factory(mode="run" if desktop else "node").start()  # the fixture made the folder under umask 022: one line
    node.stop()
    data = node.data_dir
    before = len(tightening_lines(data))
    (data / "logs" / "sync.log.1").write_text("an old rotated log\n")
    (data / "exports").mkdir()
    (data / "exports" / "deals-org.csv").write_text("id\n")
    for path in [data, *data.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    assert too_open(data)

    node.start()
    assert too_open(data) == []
    assert not desktop or (data / "logs" / "ui.log").exists()
    lines = tightening_lines(data)
    assert len(lines) == before + 1 and str(data) in lines[-1], lines
    node.stop()
    node.start()  # nothing left to tighten: no further line
    assert len(tightening_lines(data)) == before + 1


def test_rotated_logs_stay_private_whatever_the_umask(umask_022, tmp_path: Path):
    from workbuoy import private

    private.restrict_umask()
    handler = logging.handlers.RotatingFileHandler(tmp_path / "x.log", maxBytes=100, backupCount=2)
    log = logging.getLogger("test.private.rotation")
    log.addHandler(handler)
    try:
        for i in range(20):
            log.warning("line %d with some padding to rotate soon", i)
    finally:
        log.removeHandler(handler)
        handler.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.log", "x.log.1", "x.log.2"]
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()} == dict.fromkeys(["x.log", "x.log.1", "x.log.2"], 0o600)


def test_a_symlink_in_the_data_folder_is_never_followed(tmp_path: Path):
    from workbuoy import private

    outside = tmp_path / "outside.txt"
    outside.write_text("not ours to change\n")
    outside.chmod(0o644)
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "link").symlink_to(outside)
    tightened = private.tighten(data)
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644  # the link's target, outside the folder, is left alone
    assert stat.S_IMODE(data.stat().st_mode) == 0o700 and tightened.folders == 1 and tightened.files == 0
