"""The CLI imports only the command it runs: ``workbuoy status`` and the supervisor never load the sandbox server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("uvicorn", "starlette")


def _loaded_after(code: str, tmp_path: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WB_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run([sys.executable, "-c", code + "\nimport json, sys\n"
                          f"print(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"],
                         env=env, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def test_status_without_a_node_loads_no_web_server(tmp_path):
    loaded = _loaded_after(
        "from workbuoy import cli\n"
        "try:\n    cli.main(['status'])\nexcept SystemExit as exc:\n    assert exc.code == 1, exc.code\n"
        "else:\n    raise AssertionError('status without a node did not fail')", tmp_path)
    assert loaded == {m: False for m in HEAVY}


def test_the_supervisor_loads_no_web_server(tmp_path):
    loaded = _loaded_after("import workbuoy.cli, workbuoy.cli.run, workbuoy.cli.node, workbuoy.supervisor.arbiter, "
                           "workbuoy.supervisor.spec, workbuoy.metrics", tmp_path)
    assert loaded == {m: False for m in HEAVY}


def test_the_sandbox_command_does_load_it(tmp_path):
    """The check above can fail: the one command that needs uvicorn loads it."""
    loaded = _loaded_after("from workbuoy import cli\ncli.build_parser('sandbox')", tmp_path)
    assert loaded == {m: True for m in HEAVY}


def test_every_command_declares_its_arguments_and_help_lists_them_all():
    from workbuoy import cli

    for name in cli.COMMANDS:
        args = cli.build_parser(name)._subparsers._group_actions[0].choices[name]
        assert args.get_default("fn") is not None, name
    usage = subprocess.run([sys.executable, "-m", "workbuoy", "--help"], env={**os.environ, "PYTHONPATH": str(ROOT)},
                           capture_output=True, text=True, timeout=60, check=True).stdout
    assert all(name in usage for name in cli.COMMANDS)
