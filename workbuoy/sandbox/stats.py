"""Request counters by route template and status, for ``GET /_sandbox/stats``, and the
request lines seen, for ``GET /_sandbox/requests``.

Counting happens outside the fault injector so injected 5xx/429/garbage responses
are counted under the route they hit; a dropped connection counts as status ``reset``.
The request lines keep the path as the client sent it (``raw_path``, still
percent-encoded), so a test can check exactly what reached the server.
"""

from __future__ import annotations

import re
from collections import Counter, deque

from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send


_CONVERTOR = re.compile(r":\w+}")
REQUEST_LINES_KEPT = 10_000  # the most recent; older ones are forgotten


class RequestStats:
    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app = app
        self._router = router
        self.counts: Counter[tuple[str, str]] = Counter()
        self.lines: deque[str] = deque(maxlen=REQUEST_LINES_KEPT)

    def _template(self, scope: Scope) -> str:
        for route in self._router.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return _CONVERTOR.sub("}", getattr(route, "path", scope["path"]))
        return "(unrouted)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        status = "reset"
        self.lines.append(request_line(scope))

        async def counting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = str(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            self.counts[(f"{scope['method']} {self._template(scope)}", status)] += 1

    def snapshot(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (route, status), n in sorted(self.counts.items()):
            out.setdefault(route, {})[status] = n
        return out

    def reset(self) -> None:
        self.counts.clear()
        self.lines.clear()


def request_line(scope: Scope) -> str:
    """``METHOD raw-path[?query]``: the path exactly as sent, not decoded or normalised."""
    raw = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string") or b""
    target = raw + (b"?" + query if query else b"")
    return f"{scope['method']} {target.decode('latin-1')}"
