"""Errors a bus call can end with; each maps to one ``ErrorInfo.code``."""

from __future__ import annotations

from typing import Any


class BusError(Exception):
    """An error reply (or a local timeout) for one request."""

    def __init__(self, code: str, message: str, detail: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.detail = detail


class NotImplementedOnBus(BusError):
    def __init__(self, channel: str) -> None:
        super().__init__("not_implemented", f"{channel} is not implemented yet")
