"""What the updater remembers across restarts, in ``<data>/update/``, written atomically.

``pending.json`` exists from the swap until the new version proved itself (all actors
ready) or was rolled back; ``outcome.json`` keeps the versions that were rolled back
(never offered again) and results decided just before a restart, which the next
process counts in its metrics.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import msgspec


class UpdateRefused(Exception):
    """An update step refused; ``reason`` is a short code (metrics label), the text says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def shipped_root() -> bytes | None:
    """The trust anchor of this build, or None when the build ships none (a source checkout)."""
    try:
        return resources.files("workbuoy.update").joinpath("root.json").read_bytes()
    except FileNotFoundError:
        return None


class Pending(msgspec.Struct):
    previous: str
    version: str
    site: str
    backup: str


class Outcome(msgspec.Struct):
    rolled_back: list[str] = []
    uncounted: list[str] = []
    last_result: str = ""
    last_detail: str = ""


def _write(path: Path, obj: msgspec.Struct) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(msgspec.json.encode(obj))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _read(path: Path, typ: type, default):
    try:
        return msgspec.json.decode(path.read_bytes(), type=typ)
    except FileNotFoundError:
        return default
    except (msgspec.DecodeError, msgspec.ValidationError):
        path.replace(path.with_name(path.name + ".invalid"))  # keep it for inspection, start clean
        return default


class UpdateFiles:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pending_path = folder / "pending.json"
        self.outcome_path = folder / "outcome.json"
        self.metadata = folder / "metadata"
        self.downloads = folder / "downloads"

    def pending(self) -> Pending | None:
        return _read(self.pending_path, Pending, None)

    def set_pending(self, pending: Pending | None) -> None:
        if pending is None:
            self.pending_path.unlink(missing_ok=True)
        else:
            _write(self.pending_path, pending)

    def outcome(self) -> Outcome:
        return _read(self.outcome_path, Outcome, Outcome())

    def set_outcome(self, outcome: Outcome) -> None:
        _write(self.outcome_path, outcome)
