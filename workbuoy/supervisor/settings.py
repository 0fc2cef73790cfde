"""Settings, owned by the supervisor: validated patches, atomic writes, change events."""

from __future__ import annotations

import os
import time
from pathlib import Path

import msgspec

from workbuoy import __version__
from workbuoy import logs as wblog
from workbuoy.schemas.settings import Settings, SettingsPatch, apply_patch

log = wblog.create("supervisor.settings")


class SettingsStore:
    def __init__(self, path: Path, defaults: Settings) -> None:
        self.path = path
        self.current = self._load(defaults)

    def _load(self, defaults: Settings) -> Settings:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return defaults
        try:
            loaded = msgspec.json.decode(raw, type=Settings)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            keep = self.path.with_name(f"{self.path.name}.invalid-{int(time.time())}")
            os.replace(self.path, keep)  # keep the user's file for inspection, never overwrite it
            log.error("settings file %s is invalid (%s); moved to %s, using defaults", self.path, exc, keep)
            return defaults
        return msgspec.structs.replace(loaded, version=__version__)

    def update(self, patch: SettingsPatch) -> Settings:
        updated = apply_patch(self.current, patch)
        msgspec.json.decode(msgspec.json.encode(updated), type=Settings)  # re-validate the whole result
        self._write(updated)
        self.current = updated
        return updated

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
