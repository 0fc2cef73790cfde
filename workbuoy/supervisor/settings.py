"""Settings, owned by the supervisor: validated patches, atomic writes, change events.

Precedence, one rule: a setting a ``WB_*`` variable sets (``Env.settings_overrides``) wins
over the saved value for this run; the file keeps the user's own value, a patch of such
a field is refused (it would have no effect), and ``environment`` lists those fields.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import msgspec

from workbuoy import __version__
from workbuoy import logs as wblog
from workbuoy.schemas.settings import Settings, SettingsPatch, apply_patch, upgrade

log = wblog.create("supervisor.settings")


def wire_name(field: str) -> str:
    return Settings.__struct_encode_fields__[Settings.__struct_fields__.index(field)]


class SettingsStore:
    def __init__(self, path: Path, defaults: Settings, overrides: dict[str, Any] | None = None) -> None:
        self.path = path
        self.overrides = overrides or {}
        self.saved = self._load(defaults)
        self.current = self._effective(self.saved)

    def _effective(self, saved: Settings) -> Settings:
        return msgspec.structs.replace(saved, **self.overrides, environment=sorted(map(wire_name, self.overrides)))

    def _load(self, defaults: Settings) -> Settings:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return defaults
        try:
            loaded = msgspec.convert(upgrade(msgspec.json.decode(raw)), type=Settings)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            keep = self.path.with_name(f"{self.path.name}.invalid-{int(time.time())}")
            os.replace(self.path, keep)  # keep the user's file for inspection, never overwrite it
            log.error("settings file %s is invalid (%s); moved to %s, using defaults", self.path, exc, keep)
            return defaults
        return msgspec.structs.replace(loaded, version=__version__, environment=[])

    def update(self, patch: SettingsPatch) -> Settings:
        if pinned := [wire_name(f) for f in self.overrides if getattr(patch, f) is not msgspec.UNSET]:
            raise ValueError(f"{', '.join(pinned)} set by the environment for this run; unset the WB_* variable to change it")
        updated = apply_patch(self.saved, patch)
        msgspec.json.decode(msgspec.json.encode(updated), type=Settings)  # re-validate the whole result
        self._write(updated)
        self.saved = updated
        self.current = self._effective(updated)
        return self.current

    def _write(self, settings: Settings) -> None:
        """Write to a temp file, fsync, rename over the old one, fsync the folder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            f.write(msgspec.json.format(msgspec.json.encode(settings)))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        fd = os.open(self.path.parent, os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
