"""Two promises of the layout, checked on the code itself: an actor never imports another
actor, and a headless node's processes never load Qt."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from workbuoy.supervisor.spec import HEADLESS

ROOT = Path(__file__).resolve().parents[1]
ACTORS = ROOT / "workbuoy" / "actors"


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_an_actor_never_imports_another_actor():
    actors = {p.name for p in ACTORS.iterdir() if p.is_dir() and (p / "actor.py").exists()}
    crossings = [
        f"{path.relative_to(ROOT)} imports {name}"
        for actor in actors for path in (ACTORS / actor).rglob("*.py") for name in _imported(path)
        if name.startswith("workbuoy.actors.") and name.split(".")[2] in actors - {actor}
    ]
    assert actors >= {"auth", "sync", "queue", "audit", "plugins", "ui", "portal"} and crossings == []


def test_a_headless_node_never_loads_qt(tmp_path):
    """The supervisor's and every headless actor's modules, imported as their processes do."""
    modules = ["workbuoy.cli.node", "workbuoy.supervisor.arbiter", *(f"workbuoy.actors.{s.name}.actor" for s in HEADLESS)]
    code = (f"import importlib, json, sys\nfor m in {modules!r}:\n    importlib.import_module(m)\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))))")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WB_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(out.stdout.splitlines()[-1]) == []
