"""docs/architecture.md's channel table is the registry's: regenerate it with ``python -m tests.test_architecture_doc``."""

from __future__ import annotations

import re
from pathlib import Path

from workbuoy.schemas.registry import CHANNELS, EVENTS, EVERYONE

DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
BLOCK = re.compile(r"<!-- channels:begin -->\n(.*?)<!-- channels:end -->", re.S)


def _who(names: frozenset[str]) -> str:
    return "everyone" if names == EVERYONE else ", ".join(sorted(names))


def render() -> str:
    lines = ["| channel | owner | callers | RBAC guard |", "|---|---|---|---|"]
    lines += [f"| `{c.name}` | {c.owner} | {_who(c.callers)} | {c.guard or ''} |" for c in CHANNELS.values()]
    lines += ["", "| event | published by |", "|---|---|"]
    lines += [f"| `{e.name}` | {_who(e.publishers)} |" for e in EVENTS.values()]
    return "\n".join(lines) + "\n"


def test_the_channel_table_is_the_registry():
    found = BLOCK.search(DOC.read_text())
    assert found is not None, "docs/architecture.md lost its channels block"
    assert found.group(1) == render(), "regenerate it: python -m tests.test_architecture_doc"


if __name__ == "__main__":
    text = DOC.read_text()
    DOC.write_text(BLOCK.sub(lambda _: f"<!-- channels:begin -->\n{render()}<!-- channels:end -->", text))
