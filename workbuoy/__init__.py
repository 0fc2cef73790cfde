"""WorkBuoy Desktop: the offline-first client of the WorkBuoy CRM portal."""

import sys

__version__ = "0.1.0"

# httpx imports its command-line client (``httpx._main``: click, rich, pygments) whenever
# they are installed, which we never run: ~6 MiB and ~0.2 s in every process that imports
# httpx (bench/memory.py). A ``None`` in ``sys.modules`` makes that import fail, and httpx
# keeps its stub ``main``, as in an install without its ``cli`` extra.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
