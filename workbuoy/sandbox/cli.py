"""``python -m workbuoy.sandbox`` / ``workbuoy sandbox``: parse flags, bind, serve.

The socket is bound and listening before the ``sandbox listening on …`` line is
printed, so whoever reads that line can connect at once (``--port 0`` picks a free
port and the line names it).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys

import uvicorn

from workbuoy.sandbox.app import build_app
from workbuoy.sandbox.faults import OUTAGES, Faults
from workbuoy.sandbox.state import Settings


def _ranged(kind: type[int] | type[float], lo: float, hi: float) -> type:
    def parse(raw: str) -> int | float:
        try:
            value = kind(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{raw!r} is not {'an integer' if kind is int else 'a number'}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{raw!r} is not from {lo:g} to {hi:g}")
        return value

    parse.__name__ = kind.__name__
    return parse  # type: ignore[return-value]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    rate = _ranged(float, 0, 1)
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="interface to bind (default loopback; admin routes answer loopback only)")
    add("--port", type=_ranged(int, 0, 65535), default=8787, help="port; 0 picks a free one (default 8787)")
    add("--rows", type=_ranged(int, 0, 100_000_000), default=Settings.rows,
        help=f"seeded rows in total, split evenly over the 7 entities x orgs (default {Settings.rows})")
    add("--orgs", type=_ranged(int, 1, 1000), default=Settings.orgs, help="number of orgs org-1..org-K (default 2)")
    add("--seed", type=_ranged(int, 0, 2**63), default=Settings.seed, help="data, signing key and fault RNG seed")
    add("--token-ttl", type=_ranged(int, 1, 30 * 24 * 3600), default=Settings.token_ttl,
        help="access token lifetime in seconds (default 900)")
    add("--fail-rate", type=rate, default=0.0, help="share of requests answered 500/502/503")
    add("--rate-limit-rate", type=rate, default=0.0, help="share answered 429 with Retry-After")
    add("--latency-ms", type=_ranged(int, 0, 60_000), default=0, help="delay added to every faultable request")
    add("--reset-rate", type=rate, default=0.0, help="share whose connection is dropped without a response")
    add("--garbage-rate", type=rate, default=0.0, help="share answered with truncated JSON, HTML or wrong types")
    add("--outage", choices=OUTAGES, default="none",
        help="whole-server outage: drop = accept and close without a response, refuse = stop listening")
    add("--outage-s", type=_ranged(float, 0, 86_400), default=0.0,
        help="the outage ends after S seconds (0: until changed at run time; refuse needs S > 0)")
    add("--burst-503", type=_ranged(int, 0, 60_000), default=0, help="answer the next N requests 503 (HTML body)")


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # An explicit IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on sockets whose
    # proto says TCP, and without it small responses stall ~40 ms on delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


class UvicornListener:
    """Stops and resumes listening on the server's port, for the ``refuse`` outage.

    Closing uvicorn's asyncio server closes the listening socket (new connections are
    refused; open ones are left to the fault injector, which drops their requests).
    Resuming binds the same address again and hands it to ``uvicorn.Server.startup``,
    the method that made the first listener.
    """

    def __init__(self, server: uvicorn.Server, host: str, port: int) -> None:
        self.server, self.host, self.port = server, host, port

    async def pause(self) -> None:
        while not self.server.started:  # a --outage refuse given at start: wait for the first listener
            await asyncio.sleep(0.05)
        for listener in self.server.servers:
            listener.close()

    async def resume(self) -> None:
        await self.server.startup(sockets=[_bind(self.host, self.port)])


def run(args: argparse.Namespace) -> int:
    faults = Faults(fail_rate=args.fail_rate, rate_limit_rate=args.rate_limit_rate, latency_ms=args.latency_ms,
                    reset_rate=args.reset_rate, garbage_rate=args.garbage_rate, burst_503=args.burst_503)
    try:
        outage = Faults(**{**faults.to_dict(), "outage": args.outage, "outage_s": args.outage_s})
    except ValueError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    settings = Settings(rows=args.rows, orgs=args.orgs, seed=args.seed, token_ttl=args.token_ttl, faults=faults)
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        print(f"sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    host, port = sock.getsockname()[:2]
    origin = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    app, sandbox = build_app(settings, origin)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", http="h11",
                            timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    sandbox.injector.listener = UvicornListener(server, host, port)

    async def serve() -> None:
        sandbox.injector.set(outage)  # here, so that a refusal has a loop to run on
        await server.serve(sockets=[sock])

    print(f"sandbox listening on {origin}", flush=True)
    asyncio.run(serve())
    return 0
