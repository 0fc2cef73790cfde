"""Retry delays: exponential backoff with full jitter, the one formula every retry loop uses.

Full jitter (``uniform(0, min(cap, base * 2**(n-1)))``) spreads clients that failed at
the same moment, so they do not come back in lockstep and knock the server over again.
"""

from __future__ import annotations

import random


def full_jitter(attempt: int, base: float, cap: float) -> float:
    """The wait before retry number ``attempt`` (1 for the first retry), in the unit of ``base``."""
    return random.uniform(0, min(cap, base * 2 ** max(attempt - 1, 0)))
