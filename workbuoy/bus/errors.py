"""Errors a bus call can end with; each maps to one ``ErrorInfo.code``."""

from __future__ import annotations

from typing import Any, get_args

from workbuoy.schemas.envelope import ErrorCode, ErrorInfo

_CODES = frozenset(get_args(ErrorCode))


class BusError(Exception):
    """An error reply (or a local timeout) for one request; ``code`` is one of the bus's ``ErrorCode``."""

    def __init__(self, code: ErrorCode, message: str, detail: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.detail = detail


class NotImplementedOnBus(BusError):
    def __init__(self, channel: str) -> None:
        super().__init__("not_implemented", f"{channel} is not implemented yet")


def error_info(exc: BaseException) -> ErrorInfo:
    """The error reply for ``exc``; a code outside ``ErrorCode`` (a bug the type checker missed) becomes
    ``internal``, never an unreadable reply."""
    if isinstance(exc, BusError):
        if exc.code in _CODES:
            return ErrorInfo(code=exc.code, message=exc.message, detail=exc.detail)
        return ErrorInfo(code="internal", message=f"{exc.code}: {exc.message}", detail=exc.detail)
    return ErrorInfo(code="internal", message=f"{type(exc).__name__}: {exc}")
