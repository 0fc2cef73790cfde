"""Portal window benchmark: what the portal costs before and after it first opens.

Run: ``PYTHONPATH=. QT_QPA_PLATFORM=offscreen .venv/bin/python bench/portal.py``.

A desktop node signed in to the sandbox; the portal actor's process tree (the actor and,
once WebEngine started, its Chromium helper processes) is measured by PSS and RSS from
``/proc/<pid>/smaps_rollup``: idle after start, then after ``wb:portal:open`` loaded the
signed-in home. Also the time from ``wb:portal:open`` to the loaded page.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.bus import rss_kib, tree  # noqa: E402
from tests.fixtures.node import Node, wait_for  # noqa: E402
from tests.fixtures.sandbox import DEMO, SandboxProcess  # noqa: E402
from tests.fixtures.signed_in import FILE_KEYRING, login  # noqa: E402

#: Not measured here (no Electron on this machine): a published figure, quoted as it was given.
ELECTRON = ("a typical Electron window: about 125 MB each (4 windows with a renderer each: ~500 MB; Electron 8.5, "
            "macOS; https://blogweb.cn/article/2043684441311)")


def memory_mib(pids: list[int]) -> tuple[float, float]:
    rss, pss = rss_kib(pids)
    return pss / 1024, rss / 1024


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sandbox = SandboxProcess().start()
    with tempfile.TemporaryDirectory(prefix="wb-bench-portal-") as tmp:
        node = Node(Path(tmp), {"WB_PORTAL_BASE_URL": sandbox.origin, **FILE_KEYRING}, "run")
        try:
            node.start()
            login(node)
            portal = node.status().actors["portal"].pid
            pss, rss = memory_mib(tree(portal))
            print(f"portal actor before the window opens: {len(tree(portal))} process, PSS {pss:.0f} MiB, RSS {rss:.0f} MiB")
            t0 = time.perf_counter()
            node.call("wb:portal:open", {}, timeout=60)
            wait_for(lambda: DEMO[0] in node.call("wb:portal:status").title, 60, what="the portal home")
            loaded = time.perf_counter() - t0
            time.sleep(2)  # let the helper processes settle before measuring
            pids = tree(portal)
            pss, rss = memory_mib(pids)
            print(f"first open to the loaded signed-in home: {loaded:.2f} s")
            print(f"portal with the window open: {len(pids)} processes, PSS {pss:.0f} MiB, RSS {rss:.0f} MiB")
            print(f"  beside {ELECTRON}")
        finally:
            node.stop()
            sandbox.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
