"""``workbuoy doctor``: a healthy installation passes; each kind of problem is named with what to do."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.fixtures.signed_in import FILE_KEYRING, login, sync
from workbuoy import config, doctor

pytestmark = pytest.mark.timeout(180)


def test_doctor_passes_a_healthy_node_and_names_every_problem(sandbox, node_factory) -> None:
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING).start()
    login(node)
    sync(node)
    healthy = node.cli("doctor")  # beside the running node: every check is read-only
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "no problem found" in healthy.stdout and "a session is stored" in healthy.stdout
    node.stop()

    folder = node.data_dir
    folder.chmod(0o755)
    (folder / "workbuoy.db").chmod(0o644)
    cache = folder / "workbuoy-cache.db"
    with open(cache, "r+b") as f:
        f.seek(cache.stat().st_size // 2)
        f.write(os.urandom(16_384))
    sandbox.stop()
    node.env["WB_KEYRING_KEY"] = "not-the-key"
    sick = node.cli("doctor")
    out = sick.stdout
    assert sick.returncode == 1, out + sick.stderr
    problems = {line.split(":")[0].split(None, 1)[1] for line in out.splitlines() if line.startswith("PROBLEM")}
    assert problems == {"integrity workbuoy-cache.db", "data folder", "file modes", "keyring", "server"}, out
    assert "ok       integrity workbuoy.db: ok" in out  # the outbox file is sound
    assert out.count("what to do:") == 5 and "5 problems found" in out
    assert f"chmod 700 {folder}" in out and "moved aside at start" in out


def test_doctor_warns_of_a_nearly_full_disk(tmp_path, monkeypatch) -> None:
    env = config.load({"WB_DATA_DIR": str(tmp_path), "WB_PORTAL_BASE_URL": "http://127.0.0.1:9/portal"})
    monkeypatch.setattr(doctor, "MIN_FREE_BYTES", shutil.disk_usage(tmp_path).free + 2**30)
    finding = doctor.free_space(env)
    assert not finding.ok and "free at least" in finding.fix
