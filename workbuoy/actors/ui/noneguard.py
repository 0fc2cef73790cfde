"""Keeps ``None`` alive under PySide6 builds that drop a reference to it on every void call.

PySide6 6.12.0 returns ``None`` from void C++ methods (``label.setText``,
``timer.start``, ...) without taking a reference. From CPython 3.12 on ``None`` is
immortal and nothing happens; on 3.11 its count falls by one per call and the process
aborts with "deallocating None" after a few thousand calls. :func:`probe` detects the
fault once; :func:`top_up` (run by the Qt loop on every iteration) then keeps the
count far above zero. A spare reference to ``None`` costs nothing: it is never freed.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject

FLOOR = 1 << 20
PROBE_CALLS = 8


def probe() -> bool:
    """Whether this PySide6 build loses references to ``None``."""
    if sys.version_info >= (3, 12):
        return False
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        obj.setObjectName("probe")
    return sys.getrefcount(None) <= before - PROBE_CALLS


def top_up() -> None:
    """Raise ``None``'s reference count back to twice :data:`FLOOR` when it fell below it."""
    count = sys.getrefcount(None)
    if count < FLOOR:
        ctypes.c_ssize_t.from_address(id(None)).value += 2 * FLOOR - count
