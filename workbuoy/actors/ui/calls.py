"""How widgets talk to the bus: fire-and-forget tasks and calls whose errors are shown.

Widgets hold a :class:`Bus` (the actor in the app, a fake in unit tests). Other actors
may still answer ``not_implemented``, ``unauthenticated`` or ``unavailable``; such an
answer is a message for the user in the widget's status line, never an exception that
escapes a Qt slot.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, Protocol

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QLabel

from workbuoy import logs as wblog
from workbuoy.bus.errors import BusError
from workbuoy.i18n import translate

log = wblog.create("ui")
_tasks: set[asyncio.Task] = set()

#: What to do about the usual refusals (source texts, translated where shown).
HINTS = {
    "not_implemented": QT_TRANSLATE_NOOP("Calls", "not available in this version yet"),
    "unauthenticated": QT_TRANSLATE_NOOP("Calls", "sign in first"),
    "unavailable": QT_TRANSLATE_NOOP("Calls", "the service is not running"),
}

ERROR_COLOUR = "#b03a2e"


class Bus(Protocol):
    async def call(self, channel: str, payload: Any = None, *, timeout: float = 10.0) -> Any: ...


def spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Task:
    """Run ``coro`` from a Qt slot; keep it referenced and log a failure instead of losing it."""
    task = asyncio.ensure_future(coro)
    _tasks.add(task)
    task.add_done_callback(_finished)
    return task


def _finished(task: asyncio.Task) -> None:
    _tasks.discard(task)
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.error("ui task failed", exc_info=exc)


def explain(exc: BusError) -> str:
    hint = HINTS.get(exc.code)
    return f"{exc.message} ({translate('Calls', hint)})" if hint else exc.message


async def ask(bus: Bus, channel: str, payload: Any, status: QLabel) -> Any | None:
    """``bus.call`` that shows an error reply in ``status`` and returns None instead of raising."""
    try:
        reply = await bus.call(channel, payload)
    except BusError as exc:
        log.log(logging.INFO if exc.code in HINTS else logging.WARNING, "%s: %s", channel, exc)
        status.setText(explain(exc))
        status.setStyleSheet(f"color: {ERROR_COLOUR}")
        return None
    status.setText("")
    status.setStyleSheet("")
    return reply
