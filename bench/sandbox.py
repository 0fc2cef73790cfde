"""Sandbox server benchmark: pages/s and rows/s served to one httpx client over loopback.

Run: ``PYTHONPATH=. .venv/bin/python bench/sandbox.py [--rows N] [--pages N]``. The server
is a real ``python -m workbuoy.sandbox`` subprocess (``--rows 1000000`` by default, so
about 71,000 rows per (entity, org) stream); one client pulls pages in sequence the
way the sync actor does, following ``next_cursor``.
"""

from __future__ import annotations

import argparse
import time

import httpx

from tests.fixtures.sandbox import SandboxProcess


def pull(api: httpx.Client, entity: str, limit: int, max_pages: int) -> tuple[int, int, float]:
    """Follow the cursor from the start; (pages, rows, seconds)."""
    pages = rows = 0
    cursor = None
    start = time.perf_counter()
    while pages < max_pages:
        params = {"org_id": "org-1", "limit": limit, **({"cursor": cursor} if cursor else {})}
        body = api.get(f"/{entity}", params=params).raise_for_status().json()
        pages, rows, cursor = pages + 1, rows + len(body["items"]), body["next_cursor"]
        if not body["has_more"]:
            break
    return pages, rows, time.perf_counter() - start


def poll_304(api: httpx.Client, n: int) -> float:
    """Conditional polls at a checkpoint that answer 304; requests per second."""
    first = api.get("/deals", params={"org_id": "org-1", "limit": 1})
    params = {"org_id": "org-1", "limit": 1, "cursor": first.json()["next_cursor"]}
    etag = api.get("/deals", params=params).headers["etag"]
    start = time.perf_counter()
    for _ in range(n):
        assert api.get("/deals", params=params, headers={"If-None-Match": etag}).status_code == 304
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pages", type=int, default=100, help="pages per scenario (default 100)")
    args = parser.parse_args()

    server = SandboxProcess("--rows", str(args.rows)).start()
    try:
        api = server.api
        changed = 2000
        for i in range(changed):  # an overlay, so pages also merge server-side changes
            server.admin.put(f"/rows/tickets/tkt-1-{i * 7:07d}", json={"status": "solved"})
        print(f"sandbox --rows {args.rows}: one client, loopback, {args.pages} pages per line\n")
        print(f"{'scenario':<42} {'limit':>5} {'pages/s':>9} {'rows/s':>10}")
        for entity, limit, note in (("deals", 500, "base rows"), ("deals", 200, "base rows"),
                                    ("deals", 1000, "base rows"), ("messages", 500, "base rows, long bodies"),
                                    ("tickets", 500, f"{changed} rows changed (overlay)")):
            pull(api, entity, limit, 3)  # warm up the connection and the code paths
            pages, rows, secs = pull(api, entity, limit, args.pages)
            print(f"{entity + ' (' + note + ')':<42} {limit:>5} {pages / secs:>9.1f} {rows / secs:>10,.0f}")
        print(f"{'304 poll at a checkpoint':<42} {1:>5} {poll_304(api, 500):>9.1f} {'-':>10}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
