"""One loop for Qt and asyncio: an asyncio selector loop that waits inside Qt.

PySide6's ``QtAsyncio`` ships with PySide6-Addons, not with the Essentials the ``ui``
extra installs. So asyncio stays in charge and only its wait changes: where a selector loop would block
in ``epoll``, :class:`QtSelector` lets Qt process events until a registered file
descriptor is ready (a ``QSocketNotifier`` per descriptor wakes Qt) or asyncio's next
timer is due. Readiness itself still comes from the real selector, so readers, writers,
signal handlers and ``call_soon_threadsafe`` behave as on a plain asyncio loop.

Qt slots run inside that wait, on the loop's thread: they may ``ensure_future`` work,
and ``processEvents`` returns after them so the loop runs it at once. Nothing may call
a blocking ``exec()`` (modal dialogs): it would stall the bus.
"""

from __future__ import annotations

import asyncio
import math
import selectors
from typing import Any

from PySide6.QtCore import QAbstractEventDispatcher, QEventLoop, QSocketNotifier, Qt, QTimer


_NOTIFIER_TYPES = (
    (selectors.EVENT_READ, QSocketNotifier.Type.Read),
    (selectors.EVENT_WRITE, QSocketNotifier.Type.Write),
)

_ALL = QEventLoop.ProcessEventsFlag.AllEvents
_WAIT = QEventLoop.ProcessEventsFlag.WaitForMoreEvents


class QtSelector(selectors.BaseSelector):
    """A selector whose blocking wait is Qt's event loop."""

    def __init__(self) -> None:
        self._inner = selectors.DefaultSelector()
        self._notifiers: dict[int, list[QSocketNotifier]] = {}
        # The dispatcher's processEvents, not QCoreApplication's: in PySide6 6.12 the
        # latter drops a reference to None on every call, which kills Python 3.11 soon.
        dispatcher = QAbstractEventDispatcher.instance()
        if dispatcher is None:
            raise RuntimeError("create the QApplication before the Qt event loop")
        self._dispatcher = dispatcher
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        key = self._inner.register(fileobj, events, data)
        self._watch(key)
        return key

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        key = self._inner.unregister(fileobj)
        self._forget(key.fd)
        return key

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        self.unregister(fileobj)
        return self.register(fileobj, events, data)

    def _watch(self, key: selectors.SelectorKey) -> None:
        # Unconnected notifiers are enough: their activation is an event, so Qt's wait returns.
        self._notifiers[key.fd] = [QSocketNotifier(key.fd, kind) for mask, kind in _NOTIFIER_TYPES if key.events & mask]

    def _forget(self, fd: int) -> None:
        for n in self._notifiers.pop(fd, []):
            n.setEnabled(False)  # then freed with its wrapper: it has no slots that could be running

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._inner.select(0)
        if ready or (timeout is not None and timeout <= 0):
            self._dispatcher.processEvents(_ALL)  # a busy loop still repaints and takes input
            return ready
        if timeout is not None:
            self._timer.start(max(1, math.ceil(timeout * 1000)))
        self._dispatcher.processEvents(_WAIT)
        self._timer.stop()
        return self._inner.select(0)

    def get_map(self) -> Any:
        return self._inner.get_map()

    def close(self) -> None:
        for fd in list(self._notifiers):
            self._forget(fd)
        self._timer.stop()
        self._inner.close()


class QtEventLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        super().__init__(QtSelector())


class QtEventLoopPolicy(asyncio.DefaultEventLoopPolicy):
    """Makes ``asyncio.run`` (the actor entry point) build a :class:`QtEventLoop`."""

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        return QtEventLoop()
