"""``workbuoy sandbox``: the sandbox server (``workbuoy.sandbox.cli``, which imports uvicorn: only this command loads it)."""

from workbuoy.sandbox.cli import add_arguments, run

__all__ = ["add_arguments", "run"]
