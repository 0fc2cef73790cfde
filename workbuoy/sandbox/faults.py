"""Fault injection: 5xx, 429, latency, dropped connections, garbage bodies and outages.

Faults hit the routes a client talks to (``/api``, ``/email``, ``/calendar``,
``/auth``) and never ``/_sandbox`` or ``/openapi.json``, so tests can always
steer and inspect the server. A fault is decided *before* the handler runs and
replaces it: an injected failure never changes server state, which makes "retry
with the same Idempotency-Key" safe and fault tests easy to reason about. Draws
come from an RNG seeded with ``--seed`` and re-seeded whenever the rates change,
so a given request sequence sees the same faults on every run.

Outages are whole-server faults, the way a load balancer shows a dead backend:
``drop`` accepts connections and closes them without a response, ``refuse`` stops
listening (connection refused) for ``outage_s`` seconds and drops what arrives on
connections opened before, and ``burst_503`` answers the next N requests 503 with an
HTML body. ``outage_s`` ends an outage by itself (0: until changed; ``refuse`` needs
it, as the admin routes are unreachable while nothing listens).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import asdict, dataclass, fields
from typing import Any, Protocol

import msgspec
from starlette.types import ASGIApp, Receive, Scope, Send

FAULTY_PREFIXES = ("/api/", "/email/", "/calendar/", "/auth/")
RETRY_AFTER_S = 1
OUTAGES = ("none", "drop", "refuse")
BURST_503_BODY = b"<html><body><h1>503 Service Unavailable</h1>No server is available to handle this request.</body></html>"

#: Garbage bodies: each is wrong for every route in its own way.
GARBAGE: tuple[tuple[int, bytes, bytes], ...] = (
    (200, b"application/json", b'{"items": [{"id": "x", "org_id": "org-1", "updated_at": 17'),
    (502, b"text/html; charset=utf-8", b"<html><head><title>502 Bad Gateway</title></head>"
     b"<body><h1>Bad Gateway</h1><p>nginx</p></body></html>"),
    (200, b"application/json", msgspec.json.encode({
        "items": {"id": 1}, "next_cursor": 7, "has_more": "yes", "id": 42, "org_id": None,
        "updated_at": "yesterday", "access_token": 5, "message": [], "user": "demo",
    })),
)


@dataclass(slots=True)
class Faults:
    fail_rate: float = 0.0
    rate_limit_rate: float = 0.0
    latency_ms: int = 0
    reset_rate: float = 0.0
    garbage_rate: float = 0.0
    outage: str = "none"
    outage_s: float = 0.0
    burst_503: int = 0

    def __post_init__(self) -> None:
        if self.outage not in OUTAGES:
            raise ValueError(f"outage must be one of {', '.join(OUTAGES)}")
        if self.outage == "refuse" and not self.outage_s:
            raise ValueError("outage 'refuse' needs outage_s > 0: nothing can switch it off while nothing listens")
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "outage":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{f.name} must be a number")
            if f.name in ("latency_ms", "burst_503"):
                if not float(value).is_integer() or not 0 <= value <= 60_000:
                    raise ValueError(f"{f.name} must be an integer from 0 to 60000")
                setattr(self, f.name, int(value))
            elif f.name == "outage_s":
                if not 0 <= value <= 86_400:
                    raise ValueError("outage_s must be from 0 to 86400")
            elif not 0.0 <= value <= 1.0:
                raise ValueError(f"{f.name} must be from 0 to 1")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def merged(self, changes: dict[str, Any]) -> Faults:
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        return Faults(**{**self.to_dict(), **changes})


class Listener(Protocol):
    """The serving socket, for ``refuse``: the CLI server gives one (see ``cli.UvicornListener``)."""

    async def pause(self) -> None: ...

    async def resume(self) -> None: ...


class FaultInjector:
    """ASGI middleware applying the current :class:`Faults` to client-facing routes."""

    def __init__(self, app: ASGIApp, seed: int, faults: Faults) -> None:
        self.app = app
        self._seed = seed
        self.counts: dict[str, int] = {}
        self.listener: Listener | None = None
        self._refusing: asyncio.Task[None] | None = None
        self.set(faults)

    @property
    def faults(self) -> Faults:
        return self._faults

    def set(self, faults: Faults) -> None:
        """New faults; an outage with ``outage_s`` ends by itself that many seconds from now."""
        if faults.outage == "refuse" and self.listener is None:
            raise ValueError("outage 'refuse' needs the sandbox CLI server (it owns the listening socket)")
        self._faults = faults
        self._rng = random.Random(f"faults:{self._seed}")
        self._outage_ends = time.monotonic() + faults.outage_s if faults.outage_s else None
        if faults.outage == "refuse":
            self._start_refusing(faults.outage_s)

    def _start_refusing(self, seconds: float) -> None:
        """Stop listening now (or once the server runs) and listen again after ``seconds``."""
        async def refuse(listener: Listener) -> None:
            await listener.pause()
            self.counts["refuse"] = self.counts.get("refuse", 0) + 1
            try:
                await asyncio.sleep(seconds)
            finally:
                await listener.resume()
                self._faults = Faults(**{**self._faults.to_dict(), "outage": "none", "outage_s": 0.0})

        if self._refusing is None or self._refusing.done():
            assert self.listener is not None
            self._refusing = asyncio.get_running_loop().create_task(refuse(self.listener))

    def _outage(self) -> str | None:
        f = self._faults
        if f.outage == "drop" and self._outage_ends is not None and time.monotonic() >= self._outage_ends:
            f = self._faults = Faults(**{**f.to_dict(), "outage": "none", "outage_s": 0.0})
        if f.outage != "none":
            return "reset"  # refuse: connections opened before the outage die too
        if f.burst_503:
            self._faults.burst_503 -= 1
            return "burst_503"
        return None

    def _draw(self) -> str | None:
        if outage := self._outage():
            self.counts[outage] = self.counts.get(outage, 0) + 1
            return outage
        f, rng = self._faults, self._rng
        for name, rate in (("fail", f.fail_rate), ("rate_limit", f.rate_limit_rate),
                           ("reset", f.reset_rate), ("garbage", f.garbage_rate)):
            if rate and rng.random() < rate:
                self.counts[name] = self.counts.get(name, 0) + 1
                return name
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(FAULTY_PREFIXES):
            return await self.app(scope, receive, send)
        if self._faults.latency_ms:
            await asyncio.sleep(self._faults.latency_ms / 1000)
        match self._draw():
            case None:
                await self.app(scope, receive, send)
            case "fail":
                status = self._rng.choice((500, 502, 503))
                await _respond(send, status, b"application/json", b'{"error": "injected server failure"}')
            case "rate_limit":
                await _respond(send, 429, b"application/json", b'{"error": "rate limited", "detail": "injected"}',
                               [(b"retry-after", str(RETRY_AFTER_S).encode())])
            case "reset":
                await _reset(receive)
            case "burst_503":
                await _respond(send, 503, b"text/html", BURST_503_BODY)
            case "garbage":
                await _respond(send, *self._rng.choice(GARBAGE))


async def _respond(send: Send, status: int, ctype: bytes, body: bytes,
                   extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _reset(receive: Receive) -> None:
    """Drop the TCP connection without a response.

    ASGI has no verb for that, so reach uvicorn's transport through the bound
    ``receive`` of its request cycle, abort it, and yield until uvicorn has seen
    the disconnect (so it does not try to answer with a 500 of its own).
    """
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise RuntimeError("connection reset needs uvicorn's transport")
    transport.abort()
    for _ in range(100):
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0)
